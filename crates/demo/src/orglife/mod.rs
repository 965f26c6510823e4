//! A year of organizational life for the demo: every branch's 三会一课, 主题党日, 组织生活会 and
//! 民主评议 of the last twelve months (and last December), committees' 民主生活会, with attendance at the meetings of all
//! members, times of day and now and then a photo. Most branches keep every requirement, some lag,
//! a few barely meet, and a few members stopped coming months ago. On top of this ordinary year, `plant` plants known cases of formalism —
//! copied minutes, late entries, members at two meetings at once, reused photos — and says which,
//! so that the checks for formalism can be measured against the truth.
//!
//! `minutes` writes the text of a record; `photo` draws the photos.

mod minutes;
mod photo;
mod plant;

pub use photo::png;
pub use plant::Planted;

use crate::sample::{chance, pick_str};
use crate::{Dataset, DemoMember};
use chrono::{Datelike, Months};
use qiangji_domain::Date;
use qiangji_domain::member::MemberKind;
use qiangji_domain::org::OrgKind;
use qiangji_domain::orglife::{Attendance, ClockTime, MeetingFields, MeetingInput, MeetingKind, MeetingTimes};
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
    /// Photos (PNG files) attached to the record.
    pub photos: Vec<Vec<u8>>,
}

/// The records of the year and the planted cases among them.
#[derive(Debug, Clone, PartialEq)]
pub struct OrgLifeYear {
    pub records: Vec<DemoMeeting>,
    pub planted: Vec<Planted>,
}

/// Share of ordinary records with photos, and of records entered long after the day.
const PHOTO_SHARE: f64 = 0.04;
const LATE_SHARE: f64 = 0.03;

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
pub fn meetings(data: &Dataset, secretary: &[Option<usize>], behind: &[usize], seed: u64, today: Date) -> OrgLifeYear {
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
    // The last twelve months — and in December the thirteenth too: the warnings look at every period
    // that ended in the last twelve months, last year's included, whose annual meetings are held in
    // December. Without it, a demo loaded in December shows every annual requirement of last year unmet.
    let months = if today.month() == 12 { 13 } else { 12 };
    let first_month = Date::from_ymd_opt(today.year(), today.month(), 1).expect("valid") - Months::new(months - 1);
    let last_quarter_end = Date::from_ymd_opt(today.year(), (today.month() - 1) / 3 * 3 + 1, 1).expect("valid");
    let mut out: Vec<DemoMeeting> = Vec::new();
    let mut late: Vec<usize> = Vec::new();
    let mut day_plan = DayPlan::default();
    let mut photos = 0u64;
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
        for month in 0..months {
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
                if held_on < founded || chance(&mut rng, skip) || owed_but_skipped {
                    continue;
                }
                let Some((held_on, times)) = day_plan.fit(&mut rng, org, k, held_on) else { continue };
                if held_on > today {
                    continue;
                }
                let mut r =
                    record(&mut rng, data, org, k, (held_on, times), today, &members[org], secretary_name.as_deref());
                if chance(&mut rng, PHOTO_SHARE) {
                    for _ in 0..rng.random_range(1..=2) {
                        photos += 1;
                        r.photos.push(png(seed ^ photos));
                    }
                }
                if r.recorded_on >= held_on + chrono::Days::new(plant::LATE_MIN_DAYS) {
                    late.push(out.len());
                }
                out.push(r);
            }
        }
    }
    // Before the plants: a planted overlap keeps the members it shows present.
    plant_drifters(seed, data, &mut out, today);
    let planted = plant::plant(&mut rng, data, &mut out, late);
    OrgLifeYear { records: out, planted }
}

/// The times already taken on each organization's days, so that one organization's meetings on
/// one day follow each other: an ordinary branch does not hold two meetings at once.
#[derive(Default)]
struct DayPlan {
    taken: std::collections::HashMap<(usize, Date), Vec<MeetingTimes>>,
}

/// How long each kind of meeting usually takes, in minutes (least, most).
fn duration(kind: MeetingKind) -> (u16, u16) {
    match kind {
        MeetingKind::GeneralMeeting => (90, 120),
        MeetingKind::CommitteeMeeting => (60, 90),
        MeetingKind::GroupMeeting => (45, 75),
        MeetingKind::PartyLecture => (60, 90),
        MeetingKind::ThemeDay => (90, 150),
        MeetingKind::OrgLifeMeeting | MeetingKind::Appraisal => (120, 180),
        MeetingKind::DemocraticLifeMeeting => (180, 240),
        MeetingKind::HeartToHeartTalk => (30, 60),
    }
}

impl DayPlan {
    /// A time on `day` (or a following day) that overlaps nothing else of `org`: mostly afternoons,
    /// some mornings, group meetings sometimes in the evening.
    fn fit(&mut self, rng: &mut SmallRng, org: usize, kind: MeetingKind, day: Date) -> Option<(Date, MeetingTimes)> {
        let (least, most) = duration(kind);
        let length = least + 15 * rng.random_range(0..=(most - least) / 15);
        let mut start = match rng.random_range(0..10) {
            0..2 => 9 * 60,
            2..3 if kind == MeetingKind::GroupMeeting => 19 * 60,
            _ => 14 * 60 + 30 * rng.random_range(0..4),
        };
        for d in 0..7 {
            let on = day + chrono::Days::new(d);
            let taken = self.taken.entry((org, on)).or_default();
            if let Some(last) = taken.iter().map(|t| t.ends_at().minutes()).max() {
                start = start.max(last + 15 + 15 * rng.random_range(0..2));
            }
            if start + length <= 22 * 60 {
                let times =
                    MeetingTimes::new(ClockTime::from_minutes(start)?, ClockTime::from_minutes(start + length)?)?;
                taken.push(times);
                return Some((on, times));
            }
            start = 9 * 60;
        }
        None
    }
}

#[allow(clippy::too_many_arguments)]
fn record(
    rng: &mut SmallRng,
    data: &Dataset,
    org: usize,
    kind: MeetingKind,
    (held_on, times): (Date, MeetingTimes),
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
    // Most records are entered within days; a few months later (only where that day has come).
    let late_by = rng.random_range(plant::LATE_MIN_DAYS..120);
    let delay = if chance(rng, LATE_SHARE) && held_on + chrono::Days::new(late_by) <= today {
        late_by
    } else {
        rng.random_range(0..5)
    };
    let recorded_on = held_on + chrono::Days::new(delay);
    let place = format!("{}党员活动室", o.short_name);
    let mut speakers: Vec<String> =
        attendance.iter().filter(|(_, a, _)| *a == Attendance::Present).map(|&(m, _, _)| name_of(m)).collect();
    if speakers.is_empty() {
        speakers = there.iter().take(5).map(|&m| name_of(m)).collect();
    }
    speakers.push(host.clone());
    let present = attendance.iter().filter(|(_, a, _)| *a == Attendance::Present).count();
    let context = minutes::Context {
        org: &o.short_name,
        kind,
        held_on,
        times,
        place: &place,
        host: &host,
        recorder: &recorder,
        expected: there.len(),
        present: if attendance.is_empty() { there.len() } else { present },
        speakers: &speakers,
        topic: &topic,
    };
    let (content, decisions) = minutes::compose(rng, &context);
    let fields = MeetingInput {
        kind: kind.code().into(),
        held_on: held_on.to_string(),
        place,
        host,
        recorder,
        lecturer,
        topic,
        content,
        decisions,
        starts_at: times.starts_at().to_string(),
        ends_at: times.ends_at().to_string(),
    }
    .validate(today)
    .expect("demo records are valid");
    DemoMeeting { org, fields, lecturer_is_secretary, recorded_on, attendance, photos: Vec::new() }
}

/// Whether the member belonged to their branch on `day`.
fn present_on(m: &DemoMember, day: Date) -> bool {
    m.org_since <= day
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
