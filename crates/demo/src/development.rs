//! Demo 发展党员: in a few branches, one person at each point of the pipeline — an applicant whose
//! talk is overdue, activists before and after their year of training, candidates part-way and
//! awaiting approval past the three months, probationary members before and after their year,
//! and one who became a full member — dated back from `today`, so the warnings always show.

use crate::Dataset;
use chrono::Days;
use qiangji_domain::Date;
use qiangji_domain::development::{ApplicantInput, DevAction, Recommendation, Vote};
use qiangji_domain::id_number::IdNumber;
use qiangji_domain::member::{MemberId, MemberKind};

/// One person and the steps to record, in order.
#[derive(Debug, Clone)]
pub struct DemoDevelopee {
    /// Index into [`Dataset::orgs`].
    pub org: usize,
    pub input: ApplicantInput,
    pub steps: Vec<(DevAction, Date)>,
}

const NAMES: [&str; 9] = ["林晓雨", "陈思远", "王嘉怡", "张浩然", "李梦琪", "周子轩", "吴欣悦", "郑宇航", "孙雅婷"];

/// A region code no demo member carries, so that numbers never collide with theirs.
const REGION: u32 = 330_298;

/// Steps of the scripts, by how many days before `today` each is taken.
fn script(k: usize, sponsors: [MemberId; 2]) -> (u64, Vec<(DevAction, u64)>) {
    let vote = Vote { voting_members: 12, present: 10, in_favour: 10 };
    let mentors = || DevAction::ChooseActivist {
        recommendation: if k.is_multiple_of(2) {
            Recommendation::PartyMembers
        } else {
            Recommendation::MassOrganization
        },
        mentors: vec!["支部组织委员".into(), "支部宣传委员".into()],
    };
    // From becoming a candidate (day c before today) to the admission meeting 60 days later.
    let candidate = |c: u64| {
        vec![
            (DevAction::ChooseCandidate, c),
            (DevAction::ReportCandidate, c - 2),
            (DevAction::PoliticalReview, c - 20),
            (DevAction::AssignSponsors { sponsors: sponsors.to_vec() }, c - 25),
            (DevAction::Train { days: 3, hours: 24 }, c - 35),
            (DevAction::PreReview, c - 45),
            (DevAction::Publicize { working_days: 5 }, c - 50),
            // Ten calendar days hold at least five working days, so the publicity has ended.
            (DevAction::AdmissionMeeting(vote), c - 60),
        ]
    };
    let early = |applied: u64, activist: u64| vec![(DevAction::Talk, applied - 10), (mentors(), activist)];
    match k {
        // Applied 50 days ago; the talk was due within a month.
        0 => (50, vec![]),
        1 => (100, vec![(DevAction::Talk, 80)]),
        // Eight months of training: too early to become a candidate.
        2 => (400, early(400, 240)),
        // More than a year of training: due to be considered.
        3 => (600, early(600, 400)),
        4 => {
            let mut s = early(1000, 900);
            s.extend(candidate(420).into_iter().take(5));
            (1000, s)
        }
        // The meeting was 120 days ago and the higher committee has not approved: overdue.
        5 => {
            let mut s = early(1100, 950);
            s.extend(candidate(180));
            (1100, s)
        }
        // Probationary, half-way through the year.
        6 => {
            let mut s = early(1200, 1000);
            s.extend(candidate(260));
            s.push((DevAction::ApproveAdmission, 180));
            (1200, s)
        }
        // Probation ended a month ago: the full-membership meeting is due.
        7 => {
            let mut s = early(1400, 1200);
            s.extend(candidate(460));
            s.push((DevAction::ApproveAdmission, 380));
            (1400, s)
        }
        // A full member.
        _ => {
            let mut s = early(1900, 1700);
            s.extend(candidate(900));
            s.push((DevAction::ApproveAdmission, 820));
            s.push((DevAction::FullMeeting(vote), 470));
            s.push((DevAction::ApproveFull, 450));
            (1900, s)
        }
    }
}

/// The demo people of `branches` (indexes into `data.orgs`); sponsors are each branch's first two
/// full members, whose ids are their positions in `data.members` plus one (as the demo loads them).
pub fn developees(data: &Dataset, branches: &[usize], today: Date) -> Vec<DemoDevelopee> {
    let ago = |days: u64| today - Days::new(days);
    let mut out = Vec::new();
    for (b, &org) in branches.iter().enumerate() {
        let full: Vec<MemberId> = data
            .members
            .iter()
            .enumerate()
            .filter(|(_, m)| m.org == org && m.fields.kind == MemberKind::Full)
            .map(|(i, _)| MemberId(i as i64 + 1))
            .take(2)
            .collect();
        let Ok(sponsors) = <[MemberId; 2]>::try_from(full) else { continue };
        for (k, name) in NAMES.iter().enumerate() {
            let (applied, steps) = script(k, sponsors);
            // Applicants between 20 and 30 on the day they applied.
            let born = ago(applied + 365 * (20 + (k as u64 * 7 + b as u64) % 10) + k as u64 * 31);
            let sequence = u16::try_from(100 + b * 10 + k).expect("a small number");
            out.push(DemoDevelopee {
                org,
                input: ApplicantInput {
                    name: (*name).to_owned(),
                    id_number: IdNumber::compose(REGION, born, sequence).to_string(),
                    ethnicity: "01".into(),
                    education: if k.is_multiple_of(3) { "college" } else { "university" }.into(),
                    occupation: if k.is_multiple_of(2) { "professional" } else { "worker" }.into(),
                    work_unit: String::new(),
                    phone: String::new(),
                    applied_on: ago(applied).to_string(),
                },
                steps: steps.into_iter().map(|(a, d)| (a, ago(d))).collect(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use qiangji_domain::development::{DevFacts, DevStage, apply};

    #[test]
    fn every_script_passes_the_rules_and_ends_where_it_says() {
        let today = qiangji_domain::date::parse("2026-03-15").unwrap();
        let data = crate::generate(crate::Scale::Small, 2026, today);
        let branch = data.members[0].org;
        let people = developees(&data, &[branch], today);
        assert_eq!(people.len(), NAMES.len());
        let stages: Vec<DevStage> = people
            .iter()
            .map(|p| {
                let (applicant, mut s) = p.input.validate(today).expect("a valid application");
                assert!(applicant.applied_on < today);
                for (a, on) in &p.steps {
                    s = apply(&s, a, *on, &DevFacts::on(today))
                        .unwrap_or_else(|e| panic!("{}: {a:?} {on}: {e}", p.input.name));
                }
                s.stage
            })
            .collect();
        use DevStage::*;
        assert_eq!(
            stages,
            [Applicant, Applicant, Activist, Activist, Candidate, Candidate, Probationary, Probationary, Full]
        );
    }
}
