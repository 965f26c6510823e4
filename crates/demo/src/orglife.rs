//! A year of organizational life for the demo: every branch's 三会一课, 主题党日, 组织生活会 and
//! 民主评议 of the last twelve months, committees' 民主生活会, with attendance at the meetings of all
//! members. Most branches keep every requirement, some lag, a few barely meet; a few records are
//! entered long after the day, a few branches copy another branch's minutes word for word, and a
//! few members stopped coming months ago — so that the warning board and the checks for formalism
//! have something true to find.

use crate::sample::{chance, pick_str};
use crate::{Dataset, DemoMember};
use chrono::{Datelike, Months};
use qiangji_domain::Date;
use qiangji_domain::member::MemberKind;
use qiangji_domain::org::OrgKind;
use qiangji_domain::orglife::{Attendance, MeetingFields, MeetingInput, MeetingKind};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

/// One record: `org` indexes [`Dataset::orgs`], attendance indexes [`Dataset::members`].
#[derive(Debug, Clone, PartialEq)]
pub struct DemoMeeting {
    pub org: usize,
    pub fields: MeetingFields,
    pub lecturer_is_secretary: bool,
    pub recorded_on: Date,
    pub attendance: Vec<(usize, Attendance, &'static str)>,
}

const LEAVE_REASONS: &[&str] = &["外出务工", "因病住院", "出差", "照顾家人", "在外地求学", "单位值班"];
const TOPICS: &[&str] = &[
    "学习贯彻党的二十大精神",
    "学习党章党规",
    "开展志愿服务",
    "传达上级会议精神",
    "研究发展党员工作",
    "讨论年度工作计划",
    "重温入党誓词",
    "交流学习体会",
];

/// Generates the records; `secretary[org]` is the member who holds the post of secretary, if any.
/// `behind` lists branches made to owe their last completed quarter's 支部党员大会 (the demo
/// secretary's own branch, so that the board has something to show them).
pub fn meetings(
    data: &Dataset,
    secretary: &[Option<usize>],
    behind: &[usize],
    seed: u64,
    today: Date,
) -> Vec<DemoMeeting> {
    let mut rng = SmallRng::seed_from_u64(seed ^ 0x0f9e_1e5e);
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); data.orgs.len()];
    let mut full: Vec<u32> = vec![0; data.orgs.len()];
    for (i, m) in data.members.iter().enumerate() {
        members[m.org].push(i);
        full[m.org] += u32::from(m.fields.kind == MemberKind::Full);
    }
    let mut has_groups = vec![false; data.orgs.len()];
    for o in &data.orgs {
        if o.fields.kind == OrgKind::Group
            && let Some(p) = o.parent
        {
            has_groups[p] = true;
        }
    }
    let first_month = Date::from_ymd_opt(today.year(), today.month(), 1).expect("valid") - Months::new(11);
    let last_quarter_end = Date::from_ymd_opt(today.year(), (today.month() - 1) / 3 * 3 + 1, 1).expect("valid");
    let mut out: Vec<DemoMeeting> = Vec::new();
    for (org, o) in data.orgs.iter().enumerate() {
        let kind = o.fields.kind;
        if !matches!(kind, OrgKind::Branch | OrgKind::GeneralBranch | OrgKind::Committee | OrgKind::WorkingCommittee) {
            continue;
        }
        // 75% keep everything, 18% miss about a third, 7% miss most.
        let skip = match rng.random_range(0..100) {
            0..75 => 0.0,
            75..93 => 0.35,
            _ => 0.85,
        };
        let founded = o.fields.founded_on.unwrap_or(Date::MIN);
        let secretary_name = secretary[org].map(|m| data.members[m].fields.name.clone());
        for month in 0..12 {
            let first = first_month + Months::new(month);
            let day = |rng: &mut SmallRng| first + chrono::Days::new(rng.random_range(4..20));
            let mut plan: Vec<MeetingKind> = Vec::new();
            match kind {
                OrgKind::Branch => {
                    plan.push(MeetingKind::ThemeDay);
                    if full[org] >= 7 {
                        plan.push(MeetingKind::CommitteeMeeting);
                    }
                    if has_groups[org] {
                        plan.push(MeetingKind::GroupMeeting);
                    }
                    if first.month().is_multiple_of(3) {
                        plan.push(MeetingKind::GeneralMeeting);
                    }
                    if first.month().is_multiple_of(6) {
                        plan.push(MeetingKind::PartyLecture);
                    }
                    if first.month() == 12 {
                        plan.extend([MeetingKind::OrgLifeMeeting, MeetingKind::Appraisal]);
                    }
                }
                OrgKind::GeneralBranch => {
                    plan.push(MeetingKind::CommitteeMeeting);
                    if first.month() == 12 {
                        plan.extend([MeetingKind::OrgLifeMeeting, MeetingKind::PartyLecture]);
                    }
                }
                _ => {
                    if first.month() == 12 {
                        plan.extend([MeetingKind::DemocraticLifeMeeting, MeetingKind::PartyLecture]);
                    }
                }
            }
            for k in plan {
                let held_on = day(&mut rng);
                let owed_but_skipped = k == MeetingKind::GeneralMeeting
                    && behind.contains(&org)
                    && held_on < last_quarter_end
                    && held_on >= last_quarter_end - Months::new(3);
                if held_on > today || held_on < founded || chance(&mut rng, skip) || owed_but_skipped {
                    continue;
                }
                out.push(record(&mut rng, data, org, k, held_on, today, &members[org], secretary_name.as_deref()));
            }
        }
    }
    plant_copies(&mut rng, data, &mut out);
    plant_drifters(seed, data, &mut out, today);
    out
}

#[allow(clippy::too_many_arguments)]
fn record(
    rng: &mut SmallRng,
    data: &Dataset,
    org: usize,
    kind: MeetingKind,
    held_on: Date,
    today: Date,
    members: &[usize],
    secretary: Option<&str>,
) -> DemoMeeting {
    let o = &data.orgs[org].fields;
    let there: Vec<usize> = members.iter().copied().filter(|&m| present_on(&data.members[m], held_on)).collect();
    let name_of = |m: usize| data.members[m].fields.name.clone();
    let host = secretary.map_or_else(|| "书记".to_owned(), str::to_owned);
    let recorder = there.get(1).map_or_else(|| "组织委员".to_owned(), |&m| name_of(m));
    // The secretary gives the 党课 where there is one on record (the store derives the same from the
    // post); elsewhere someone does, and 书记讲党课 stays owed — true to the data.
    let (lecturer, lecturer_is_secretary) = match kind {
        MeetingKind::PartyLecture => (host.clone(), secretary.is_some()),
        _ => (String::new(), false),
    };
    let topic = format!("{}：{}", kind.label(), pick_str(rng, TOPICS));
    let content = format!(
        "{}年{}月{}日，{}召开{}，应到{}人，主题为“{}”。{}主持，与会党员逐一发言，结合本职工作谈认识、找差距、提措施。",
        held_on.year(),
        held_on.month(),
        held_on.day(),
        o.short_name,
        kind.label(),
        there.len(),
        topic,
        host
    );
    let attendance = if matches!(kind, MeetingKind::GeneralMeeting | MeetingKind::ThemeDay) {
        there
            .iter()
            .map(|&m| match rng.random_range(0..100) {
                0..88 => (m, Attendance::Present, ""),
                88..96 => (m, Attendance::Leave, pick_str(rng, LEAVE_REASONS)),
                _ => (m, Attendance::Absent, ""),
            })
            .collect()
    } else {
        Vec::new()
    };
    // Most records are entered within days; 3% months later.
    let delay = if chance(rng, 0.03) { rng.random_range(60..120) } else { rng.random_range(0..5) };
    let recorded_on = (held_on + chrono::Days::new(delay)).min(today);
    let fields = MeetingInput {
        kind: kind.code().into(),
        held_on: held_on.to_string(),
        place: format!("{}党员活动室", o.short_name),
        host,
        recorder,
        lecturer,
        topic,
        content,
        decisions: String::new(),
    }
    .validate(today)
    .expect("demo records are valid");
    DemoMeeting { org, fields, lecturer_is_secretary, recorded_on, attendance }
}

/// Whether the member belonged to their branch on `day`.
fn present_on(m: &DemoMember, day: Date) -> bool {
    m.org_since <= day
}

/// About one branch in two hundred copies another branch's 主题党日 minutes word for word.
fn plant_copies(rng: &mut SmallRng, data: &Dataset, out: &mut [DemoMeeting]) {
    let theme: Vec<usize> = (0..out.len()).filter(|&i| out[i].fields.kind == MeetingKind::ThemeDay).collect();
    if theme.len() < 2 {
        return;
    }
    for _ in 0..(theme.len() / 2400).max(1) {
        let (from, to) = (theme[rng.random_range(0..theme.len())], theme[rng.random_range(0..theme.len())]);
        if out[from].org != out[to].org {
            let copied = out[from]
                .fields
                .content
                .replace(&data.orgs[out[from].org].fields.short_name, &data.orgs[out[to].org].fields.short_name);
            out[to].fields.content = copied; // still valid: the same length class as the original
        }
    }
}

/// About one member in two hundred stopped coming some months ago (3 to 8): absent from every
/// meeting since, without a reason — the members the 党章第九条 streaks are there to find.
fn plant_drifters(seed: u64, data: &Dataset, out: &mut [DemoMeeting], today: Date) {
    let mut rng = SmallRng::seed_from_u64(seed ^ 0x0d71_f7e5);
    let this_month = Date::from_ymd_opt(today.year(), today.month(), 1).expect("valid");
    let stopped: Vec<Option<Date>> = (0..data.members.len())
        .map(|_| chance(&mut rng, 0.005).then(|| this_month - Months::new(rng.random_range(3..=8))))
        .collect();
    for m in out.iter_mut() {
        for (member, attendance, reason) in &mut m.attendance {
            if stopped[*member].is_some_and(|from| m.fields.held_on >= from) {
                (*attendance, *reason) = (Attendance::Absent, "");
            }
        }
    }
}
