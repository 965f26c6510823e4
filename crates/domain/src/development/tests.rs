use super::*;
use crate::date::{Date, parse};
use crate::member::MemberId;

fn d(s: &str) -> Date {
    parse(s).unwrap()
}

const BORN: &str = "1990-05-10";
const TODAY: &str = "2030-01-01";

fn facts() -> DevFacts {
    DevFacts::on(d(TODAY))
}

fn vote(voting_members: u32, present: u32, in_favour: u32) -> Vote {
    Vote { voting_members, present, in_favour }
}

fn mentors() -> DevAction {
    DevAction::ChooseActivist {
        recommendation: Recommendation::PartyMembers,
        mentors: vec!["张三".into(), "李四".into()],
    }
}

fn sponsors() -> DevAction {
    DevAction::AssignSponsors { sponsors: vec![MemberId(1), MemberId(2)] }
}

/// Applies the steps in order, panicking on the first refusal.
fn run(steps: &[(DevAction, &str)]) -> DevState {
    let mut s = start(d(BORN), d("2020-03-02"), d(TODAY)).unwrap();
    for (a, on) in steps {
        s = apply(&s, a, d(on), &facts()).unwrap_or_else(|e| panic!("{a:?} on {on}: {e}"));
    }
    s
}

fn applicant() -> Vec<(DevAction, &'static str)> {
    vec![(DevAction::Talk, "2020-03-20")]
}

fn activist() -> Vec<(DevAction, &'static str)> {
    let mut v = applicant();
    v.push((mentors(), "2020-04-01"));
    v
}

fn candidate() -> Vec<(DevAction, &'static str)> {
    let mut v = activist();
    v.push((DevAction::ChooseCandidate, "2021-04-01"));
    v
}

fn reviewed() -> Vec<(DevAction, &'static str)> {
    let mut v = candidate();
    v.extend([
        (DevAction::ReportCandidate, "2021-04-02"),
        (DevAction::PoliticalReview, "2021-04-20"),
        (sponsors(), "2021-04-21"),
        (DevAction::Train { days: 3, hours: 0 }, "2021-05-10"),
        (DevAction::PreReview, "2021-05-20"),
    ]);
    v
}

fn publicized() -> Vec<(DevAction, &'static str)> {
    let mut v = reviewed();
    // Monday 2021-05-24 for 5 working days: to Friday 2021-05-28.
    v.push((DevAction::Publicize { working_days: 5 }, "2021-05-24"));
    v
}

fn met() -> Vec<(DevAction, &'static str)> {
    let mut v = publicized();
    v.push((DevAction::AdmissionMeeting(vote(20, 15, 14)), "2021-06-01"));
    v
}

fn probationary() -> Vec<(DevAction, &'static str)> {
    let mut v = met();
    v.push((DevAction::ApproveAdmission, "2021-06-20"));
    v
}

fn refused(steps: &[(DevAction, &str)], a: DevAction, on: &str) -> DevError {
    apply(&run(steps), &a, d(on), &facts()).unwrap_err()
}

// --- application ---

#[test]
fn an_adult_may_apply_and_is_an_applicant() {
    let s = start(d(BORN), d("2020-03-02"), d(TODAY)).unwrap();
    assert_eq!(s.stage, DevStage::Applicant);
    assert_eq!(s.applied_on, d("2020-03-02"));
}

#[test]
fn an_application_the_day_before_the_eighteenth_birthday_is_refused() {
    let e = start(d("2004-06-15"), d("2022-06-14"), d(TODAY)).unwrap_err();
    assert_eq!(e, DevError::UnderAge { adult_on: d("2022-06-15") });
    assert_eq!(e.code(), "development.under_age");
    assert!(start(d("2004-06-15"), d("2022-06-15"), d(TODAY)).is_ok());
}

#[test]
fn someone_born_on_a_leap_day_may_apply_from_first_of_march() {
    assert!(start(d("2004-02-29"), d("2022-02-28"), d(TODAY)).is_err());
    assert!(start(d("2004-02-29"), d("2022-03-01"), d(TODAY)).is_ok());
}

#[test]
fn an_application_dated_in_the_future_is_refused() {
    assert_eq!(start(d(BORN), d("2030-01-02"), d(TODAY)).unwrap_err(), DevError::DateInFuture);
}

// --- applicant ---

#[test]
fn the_talk_is_due_within_a_month_of_the_application() {
    let s = run(&[]);
    let (due, warnings) = next_steps(&s, d("2020-04-02"));
    assert_eq!(due, vec![Due { step: StepKind::Talked, earliest: d("2020-03-02"), latest: Some(d("2020-04-02")) }]);
    assert!(warnings.is_empty());
    let (_, warnings) = next_steps(&s, d("2020-04-03"));
    assert_eq!(warnings, vec![DevWarning::Overdue { step: StepKind::Talked, due: d("2020-04-02") }]);
}

#[test]
fn a_month_after_the_thirty_first_of_january_is_the_end_of_february() {
    let s = start(d(BORN), d("2024-01-31"), d(TODAY)).unwrap();
    assert_eq!(next_steps(&s, d("2024-02-01")).0[0].latest, Some(d("2024-02-29")));
    let s = start(d(BORN), d("2023-01-31"), d(TODAY)).unwrap();
    assert_eq!(next_steps(&s, d("2023-02-01")).0[0].latest, Some(d("2023-02-28")));
}

#[test]
fn a_late_talk_is_recorded_and_the_warning_goes() {
    let s = run(&[(DevAction::Talk, "2020-05-01")]);
    assert_eq!(s.talked_on, Some(d("2020-05-01")));
    assert!(next_steps(&s, d("2020-06-01")).1.is_empty());
}

#[test]
fn an_applicant_cannot_become_an_activist_before_the_talk() {
    let e = refused(&[], mentors(), "2020-04-01");
    assert_eq!(e.code(), "development.step_missing");
}

#[test]
fn the_talk_is_recorded_once() {
    assert_eq!(refused(&applicant(), DevAction::Talk, "2020-03-25").code(), "development.already_done");
}

#[test]
fn an_activist_needs_two_different_mentors() {
    for mentors in
        [vec![], vec!["张三".to_string()], vec!["张三".into(), "张三".into()], vec!["张三".into(), " ".into()]]
    {
        let a = DevAction::ChooseActivist { recommendation: Recommendation::MassOrganization, mentors };
        assert_eq!(refused(&applicant(), a, "2020-04-01"), DevError::MentorsRequired);
    }
    let s = run(&activist());
    assert_eq!(s.stage, DevStage::Activist);
    assert_eq!(s.activist_on, Some(d("2020-04-01")));
}

#[test]
fn applicant_steps_of_later_stages_are_illegal() {
    for a in [
        DevAction::ChooseCandidate,
        DevAction::ReportCandidate,
        DevAction::PoliticalReview,
        sponsors(),
        DevAction::Train { days: 3, hours: 0 },
        DevAction::PreReview,
        DevAction::Publicize { working_days: 5 },
        DevAction::AdmissionMeeting(vote(3, 3, 3)),
        DevAction::ApproveAdmission,
        DevAction::ExtendProbation { months: 6 },
        DevAction::FullMeeting(vote(3, 3, 3)),
        DevAction::ApproveFull,
        DevAction::Cancel,
    ] {
        let e = refused(&applicant(), a.clone(), "2022-01-01");
        assert_eq!(e.code(), "development.illegal_step", "{a:?}");
    }
}

// --- activist ---

#[test]
fn a_candidate_after_eight_months_of_training_is_too_early() {
    let e = refused(&activist(), DevAction::ChooseCandidate, "2020-12-01");
    assert_eq!(e.code(), "development.too_early");
    assert_eq!(e.to_string(), "“支委会确定为发展对象”过早：入党积极分子须经过1年以上培养教育，最早2021-04-01");
}

#[test]
fn a_candidate_a_year_to_the_day_after_becoming_an_activist_is_allowed() {
    assert!(apply(&run(&activist()), &DevAction::ChooseCandidate, d("2021-03-31"), &facts()).is_err());
    let s = run(&candidate());
    assert_eq!(s.stage, DevStage::Candidate);
}

#[test]
fn an_activist_chosen_on_a_leap_day_may_become_a_candidate_on_the_last_of_february() {
    let mut s = start(d(BORN), d("2024-01-02"), d(TODAY)).unwrap();
    s = apply(&s, &DevAction::Talk, d("2024-01-10"), &facts()).unwrap();
    s = apply(&s, &mentors(), d("2024-02-29"), &facts()).unwrap();
    let (due, _) = next_steps(&s, d("2024-06-01"));
    assert_eq!(due[0], Due { step: StepKind::CandidateChosen, earliest: d("2025-02-28"), latest: None });
    assert!(apply(&s, &DevAction::ChooseCandidate, d("2025-02-27"), &facts()).is_err());
    assert!(apply(&s, &DevAction::ChooseCandidate, d("2025-02-28"), &facts()).is_ok());
}

#[test]
fn activist_steps_of_other_stages_are_illegal() {
    for a in [DevAction::Talk, mentors(), DevAction::PoliticalReview, DevAction::ApproveAdmission, DevAction::Cancel] {
        assert_eq!(refused(&activist(), a, "2022-01-01").code(), "development.illegal_step");
    }
}

// --- candidate ---

#[test]
fn candidate_steps_may_come_in_any_order_before_the_pre_review() {
    let mut steps = candidate();
    steps.extend([
        (DevAction::Train { days: 0, hours: 24 }, "2021-04-05"),
        (sponsors(), "2021-04-06"),
        (DevAction::PoliticalReview, "2021-04-07"),
        (DevAction::ReportCandidate, "2021-04-08"),
        (DevAction::PreReview, "2021-04-09"),
    ]);
    assert_eq!(run(&steps).pre_reviewed_on, Some(d("2021-04-09")));
}

#[test]
fn the_pre_review_needs_report_review_sponsors_and_training() {
    let all = reviewed();
    let before = &all[..all.len() - 1];
    for skip in [StepKind::CandidateReported, StepKind::PoliticalReview, StepKind::SponsorsAssigned, StepKind::Trained]
    {
        let steps: Vec<_> = before.iter().filter(|(a, _)| a.kind() != skip).cloned().collect();
        let e = refused(&steps, DevAction::PreReview, "2021-06-01");
        assert_eq!(e, DevError::StepMissing { step: StepKind::PreReviewed.label(), missing: skip.label() });
    }
}

#[test]
fn each_candidate_step_is_recorded_once() {
    for a in [
        DevAction::ReportCandidate,
        DevAction::PoliticalReview,
        sponsors(),
        DevAction::Train { days: 5, hours: 0 },
        DevAction::PreReview,
    ] {
        assert_eq!(refused(&reviewed(), a, "2021-06-01").code(), "development.already_done");
    }
    assert_eq!(
        refused(&publicized(), DevAction::Publicize { working_days: 5 }, "2021-06-01").code(),
        "development.already_done"
    );
    assert_eq!(
        refused(&met(), DevAction::AdmissionMeeting(vote(3, 3, 3)), "2021-06-02").code(),
        "development.already_done"
    );
}

#[test]
fn sponsors_are_two_different_people() {
    for sponsors in
        [vec![], vec![MemberId(1)], vec![MemberId(1), MemberId(1)], vec![MemberId(1), MemberId(2), MemberId(3)]]
    {
        let e = refused(&candidate(), DevAction::AssignSponsors { sponsors }, "2021-04-02");
        assert_eq!(e, DevError::SponsorsRequired);
    }
}

#[test]
fn training_is_at_least_three_days_or_twenty_four_hours() {
    let e = refused(&candidate(), DevAction::Train { days: 2, hours: 23 }, "2021-04-02");
    assert_eq!(e.code(), "development.training_too_short");
    for (days, hours) in [(3, 0), (0, 24), (2, 24)] {
        assert!(apply(&run(&candidate()), &DevAction::Train { days, hours }, d("2021-04-02"), &facts()).is_ok());
    }
}

#[test]
fn publicity_needs_the_pre_review_and_enough_working_days() {
    let mut steps = reviewed();
    steps.pop();
    assert_eq!(
        refused(&steps, DevAction::Publicize { working_days: 5 }, "2021-06-01").code(),
        "development.step_missing"
    );
    let e = refused(&reviewed(), DevAction::Publicize { working_days: 4 }, "2021-06-01");
    assert_eq!(e, DevError::PublicityTooShort { min: 5 });
    let strict = DevFacts { today: d(TODAY), min_publicity_days: 7 };
    let e = apply(&run(&reviewed()), &DevAction::Publicize { working_days: 5 }, d("2021-06-01"), &strict).unwrap_err();
    assert_eq!(e, DevError::PublicityTooShort { min: 7 });
}

#[test]
fn publicity_counts_only_weekdays() {
    // Monday → Friday of the same week.
    assert_eq!(add_working_days(d("2021-05-24"), 5), d("2021-05-28"));
    // Wednesday → Tuesday of the next week.
    assert_eq!(add_working_days(d("2021-05-26"), 5), d("2021-06-01"));
    // Starting on a Saturday: the first counted day is Monday.
    assert_eq!(add_working_days(d("2021-05-29"), 5), d("2021-06-04"));
    // Across a year end and a leap day.
    assert_eq!(add_working_days(d("2021-12-30"), 3), d("2022-01-03"));
    assert_eq!(add_working_days(d("2024-02-28"), 3), d("2024-03-01"));
    assert_eq!(add_working_days(d("2021-05-24"), 1), d("2021-05-24"));
}

#[test]
fn the_admission_meeting_waits_for_the_end_of_publicity() {
    let s = run(&publicized());
    assert_eq!(s.publicity, Some((d("2021-05-24"), d("2021-05-28"))));
    let (due, _) = next_steps(&s, d("2021-05-25"));
    assert_eq!(due, vec![Due { step: StepKind::AdmissionMeeting, earliest: d("2021-05-29"), latest: None }]);
    let e = refused(&publicized(), DevAction::AdmissionMeeting(vote(20, 15, 14)), "2021-05-28");
    assert_eq!(e.code(), "development.too_early");
    assert!(apply(&s, &DevAction::AdmissionMeeting(vote(20, 15, 14)), d("2021-05-29"), &facts()).is_ok());
}

#[test]
fn the_admission_meeting_needs_a_quorum_and_a_majority_of_voting_members() {
    let table = [
        (vote(20, 10, 10), "development.quorum_not_met"),
        (vote(20, 11, 10), "development.majority_not_met"),
        (vote(20, 21, 15), "development.vote_invalid"),
        (vote(20, 12, 13), "development.vote_invalid"),
        (vote(0, 0, 0), "development.vote_invalid"),
        (vote(3, 1, 1), "development.quorum_not_met"),
    ];
    for (v, code) in table {
        let e = refused(&publicized(), DevAction::AdmissionMeeting(v), "2021-06-01");
        assert_eq!(e.code(), code, "{v:?}");
    }
    for v in [vote(20, 11, 11), vote(3, 2, 2), vote(1, 1, 1)] {
        assert!(apply(&run(&publicized()), &DevAction::AdmissionMeeting(v), d("2021-06-01"), &facts()).is_ok());
    }
}

#[test]
fn the_admission_meeting_starts_a_year_of_probation() {
    let s = run(&met());
    assert_eq!(s.stage, DevStage::Candidate);
    assert_eq!(s.probation_ends_on, Some(d("2022-06-01")));
    let (due, _) = next_steps(&s, d("2021-06-02"));
    assert_eq!(
        due,
        vec![Due { step: StepKind::AdmissionApproved, earliest: d("2021-06-01"), latest: Some(d("2021-09-01")) }]
    );
}

#[test]
fn approval_needs_the_meeting() {
    let e = refused(&publicized(), DevAction::ApproveAdmission, "2021-06-01");
    assert_eq!(e.code(), "development.step_missing");
}

#[test]
fn approval_makes_a_probationary_member_and_a_late_one_is_flagged() {
    let s = run(&probationary());
    assert_eq!(s.stage, DevStage::Probationary);
    assert!(!s.admission_late);
    let late = apply(&run(&met()), &DevAction::ApproveAdmission, d("2021-09-02"), &facts()).unwrap();
    assert!(late.admission_late);
    assert!(next_steps(&late, d("2021-10-01")).1.contains(&DevWarning::AdmissionApprovedLate));
    let on_time = apply(&run(&met()), &DevAction::ApproveAdmission, d("2021-09-01"), &facts()).unwrap();
    assert!(!on_time.admission_late);
}

#[test]
fn an_unapproved_admission_is_overdue_after_three_months() {
    let (_, w) = next_steps(&run(&met()), d("2021-09-02"));
    assert_eq!(w, vec![DevWarning::Overdue { step: StepKind::AdmissionApproved, due: d("2021-09-01") }]);
}

#[test]
fn candidate_steps_of_other_stages_are_illegal() {
    for a in [
        DevAction::Talk,
        DevAction::ChooseCandidate,
        DevAction::ApproveFull,
        DevAction::Cancel,
        DevAction::ExtendProbation { months: 6 },
    ] {
        assert_eq!(refused(&candidate(), a, "2022-01-01").code(), "development.illegal_step");
    }
}

// --- probation ---

#[test]
fn a_probationary_member_may_become_full_after_a_year() {
    let s = run(&probationary());
    let (due, _) = next_steps(&s, d("2021-07-01"));
    let steps: Vec<StepKind> = due.iter().map(|d| d.step).collect();
    assert_eq!(steps, vec![StepKind::FullMeeting, StepKind::ProbationExtended, StepKind::Cancelled]);
    assert_eq!(due[0].earliest, d("2022-06-01"));
    let e = refused(&probationary(), DevAction::FullMeeting(vote(20, 15, 14)), "2022-05-31");
    assert_eq!(e.code(), "development.too_early");
    let mut steps = probationary();
    steps.push((DevAction::FullMeeting(vote(20, 15, 14)), "2022-06-10"));
    let s = run(&steps);
    assert_eq!(
        next_steps(&s, d("2022-06-11")).0[0],
        Due { step: StepKind::FullApproved, earliest: d("2022-06-10"), latest: Some(d("2022-09-10")) }
    );
    steps.push((DevAction::ApproveFull, "2022-07-01"));
    let s = run(&steps);
    assert_eq!(s.stage, DevStage::Full);
    assert_eq!(s.full_on, Some(d("2022-06-01")));
    assert!(!s.full_late);
    assert_eq!(next_steps(&s, d("2030-01-01")), (vec![], vec![]));
}

#[test]
fn the_full_meeting_needs_a_quorum_too() {
    let e = refused(&probationary(), DevAction::FullMeeting(vote(20, 9, 9)), "2022-06-10");
    assert_eq!(e.code(), "development.quorum_not_met");
}

#[test]
fn full_approval_needs_the_meeting_and_a_late_one_is_flagged() {
    assert_eq!(refused(&probationary(), DevAction::ApproveFull, "2022-06-10").code(), "development.step_missing");
    let mut steps = probationary();
    steps.push((DevAction::FullMeeting(vote(20, 15, 14)), "2022-06-10"));
    let s = apply(&run(&steps), &DevAction::ApproveFull, d("2022-09-11"), &facts()).unwrap();
    assert!(s.full_late);
    assert_eq!(next_steps(&s, d("2023-01-01")).1, vec![DevWarning::FullApprovedLate]);
    let (_, w) = next_steps(&run(&steps), d("2022-09-11"));
    assert_eq!(w, vec![DevWarning::Overdue { step: StepKind::FullApproved, due: d("2022-09-10") }]);
}

#[test]
fn probation_is_extended_once_by_six_to_twelve_months_when_it_ends() {
    for months in [5, 13, 0] {
        let e = refused(&probationary(), DevAction::ExtendProbation { months }, "2022-06-01");
        assert_eq!(e.code(), "development.extension_out_of_range");
    }
    assert_eq!(
        refused(&probationary(), DevAction::ExtendProbation { months: 6 }, "2022-05-31").code(),
        "development.too_early"
    );
    let mut steps = probationary();
    steps.push((DevAction::ExtendProbation { months: 6 }, "2022-06-01"));
    let s = run(&steps);
    assert_eq!(s.probation_ends_on, Some(d("2022-12-01")));
    assert_eq!(refused(&steps, DevAction::ExtendProbation { months: 6 }, "2022-12-01"), DevError::ExtendedAlready);
    let (due, _) = next_steps(&s, d("2022-07-01"));
    assert_eq!(due.iter().map(|d| d.step).collect::<Vec<_>>(), vec![StepKind::FullMeeting, StepKind::Cancelled]);
    assert_eq!(refused(&steps, DevAction::FullMeeting(vote(3, 3, 3)), "2022-11-30").code(), "development.too_early");
    steps.push((DevAction::FullMeeting(vote(3, 3, 3)), "2022-12-01"));
    steps.push((DevAction::ApproveFull, "2022-12-05"));
    assert_eq!(run(&steps).full_on, Some(d("2022-12-01")));
}

#[test]
fn no_extension_after_the_full_meeting() {
    let mut steps = probationary();
    steps.push((DevAction::FullMeeting(vote(3, 3, 3)), "2022-06-10"));
    assert_eq!(
        refused(&steps, DevAction::ExtendProbation { months: 6 }, "2022-06-10").code(),
        "development.already_done"
    );
}

#[test]
fn a_probation_from_a_leap_day_ends_on_the_last_of_february() {
    let mut s = run(&publicized());
    s.last_step_on = d("2024-02-29");
    let s = apply(&s, &DevAction::AdmissionMeeting(vote(3, 2, 2)), d("2024-02-29"), &facts()).unwrap();
    assert_eq!(s.probation_ends_on, Some(d("2025-02-28")));
}

#[test]
fn a_probationary_member_may_be_cancelled_and_nothing_follows() {
    let mut steps = probationary();
    steps.push((DevAction::Cancel, "2021-12-01"));
    let s = run(&steps);
    assert_eq!(s.stage, DevStage::Cancelled);
    assert_eq!(next_steps(&s, d(TODAY)), (vec![], vec![]));
    for a in [DevAction::ApproveFull, DevAction::Cancel, DevAction::Talk, DevAction::FullMeeting(vote(3, 3, 3))] {
        assert_eq!(refused(&steps, a, "2022-07-01").code(), "development.illegal_step");
    }
}

#[test]
fn probation_steps_of_earlier_stages_are_illegal() {
    for a in [DevAction::Talk, mentors(), DevAction::ChooseCandidate, DevAction::PreReview, DevAction::ApproveAdmission]
    {
        assert_eq!(refused(&probationary(), a, "2022-07-01").code(), "development.illegal_step");
    }
}

#[test]
fn a_full_member_takes_no_more_steps() {
    let mut steps = probationary();
    steps.push((DevAction::FullMeeting(vote(3, 3, 3)), "2022-06-10"));
    steps.push((DevAction::ApproveFull, "2022-06-20"));
    for a in [DevAction::ApproveFull, DevAction::Cancel, DevAction::ExtendProbation { months: 6 }] {
        assert_eq!(refused(&steps, a, "2022-07-01").code(), "development.illegal_step");
    }
}

// --- dates of any step ---

#[test]
fn a_step_dated_before_the_previous_one_or_in_the_future_is_refused() {
    assert_eq!(refused(&[], DevAction::Talk, "2020-03-01"), DevError::DateBeforeLastStep { last: d("2020-03-02") });
    assert_eq!(refused(&[], DevAction::Talk, "2030-01-02"), DevError::DateInFuture);
    assert!(apply(&run(&[]), &DevAction::Talk, d("2020-03-02"), &facts()).is_ok());
}

#[test]
fn the_state_is_unchanged_by_a_refused_step() {
    let s = run(&activist());
    let before = s.clone();
    assert!(apply(&s, &DevAction::ChooseCandidate, d("2020-05-01"), &facts()).is_err());
    assert_eq!(s, before);
}

#[test]
fn the_form_offers_only_the_legal_next_steps() {
    assert_eq!(legal_steps(&run(&[])), vec![StepKind::Talked]);
    assert_eq!(legal_steps(&run(&applicant())), vec![StepKind::ActivistChosen]);
    assert_eq!(legal_steps(&run(&activist())), vec![StepKind::CandidateChosen]);
    assert_eq!(
        legal_steps(&run(&candidate())),
        vec![StepKind::CandidateReported, StepKind::PoliticalReview, StepKind::SponsorsAssigned, StepKind::Trained]
    );
    assert_eq!(legal_steps(&run(&reviewed())), vec![StepKind::Publicized]);
    assert_eq!(legal_steps(&run(&met())), vec![StepKind::AdmissionApproved]);
}

#[test]
fn every_offered_step_belongs_to_the_current_stage() {
    for steps in [vec![], applicant(), activist(), candidate(), reviewed(), publicized(), met(), probationary()] {
        let s = run(&steps);
        for k in legal_steps(&s) {
            assert_eq!(machine::stage_of(k), s.stage, "{k:?}");
        }
    }
}

#[test]
fn error_codes_are_unique_and_listed() {
    let mut codes = DevError::CODES.to_vec();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), DevError::CODES.len());
    let samples = [
        DevError::UnderAge { adult_on: d(TODAY) },
        DevError::IllegalStep { stage: "", step: "" },
        DevError::StepMissing { step: "", missing: "" },
        DevError::AlreadyDone { step: "" },
        DevError::TooEarly { step: "", rule: "", earliest: d(TODAY) },
        DevError::DateBeforeLastStep { last: d(TODAY) },
        DevError::DateInFuture,
        DevError::MentorsRequired,
        DevError::SponsorsRequired,
        DevError::TrainingTooShort { days: 0, hours: 0 },
        DevError::PublicityTooShort { min: 5 },
        DevError::VoteInvalid { voting_members: 0, present: 0, in_favour: 0 },
        DevError::QuorumNotMet { voting_members: 0, present: 0 },
        DevError::MajorityNotMet { voting_members: 0, in_favour: 0 },
        DevError::ExtensionOutOfRange { months: 0 },
        DevError::ExtendedAlready,
    ];
    assert_eq!(samples.len(), DevError::CODES.len());
    for e in samples {
        assert!(DevError::CODES.contains(&e.code()), "{}", e.code());
    }
}

#[test]
fn months_are_added_with_month_end_clamping() {
    assert_eq!(add_months(d("2021-01-31"), 1), d("2021-02-28"));
    assert_eq!(add_months(d("2024-01-31"), 1), d("2024-02-29"));
    assert_eq!(add_months(d("2024-02-29"), 12), d("2025-02-28"));
    assert_eq!(add_months(d("2024-02-29"), 48), d("2028-02-29"));
    assert_eq!(add_months(d("2021-08-31"), 3), d("2021-11-30"));
    assert_eq!(add_months(d("2021-11-30"), 3), d("2022-02-28"));
    assert_eq!(add_months(d("2021-12-15"), 1), d("2022-01-15"));
}
