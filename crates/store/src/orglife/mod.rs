//! Organizational-life records (组织生活): a meeting or activity with its minutes and each member's
//! attendance, written through the ledger; members confirm their own attendance. Attached photos
//! and files are in [`attachment`]; what the checks for formalism read, in [`verify`].

pub mod attachment;
pub mod verify;

use crate::access::Access;
use crate::error::StoreError;
use crate::ledger::{NewEntry, Write};
use crate::org::write::{load as load_org, next_id};
use crate::{Store, params};
use qiangji_domain::Date;
use qiangji_domain::member::MemberId;
use qiangji_domain::org::{OrgError, OrgId, Post};
use qiangji_domain::orglife::{Attendance, ClockTime, MeetingFields, MeetingId, MeetingKind, MeetingTimes};
use std::collections::{BTreeMap, BTreeSet};

/// One member's attendance as entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttendanceEntry {
    pub member_id: MemberId,
    pub attendance: Attendance,
    /// Required for 请假; kept for 缺席 when given.
    pub reason: String,
}

/// One member's attendance as stored, with their name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttendanceRow {
    pub member_id: MemberId,
    pub member_name: String,
    pub attendance: Attendance,
    pub reason: String,
    /// When the member confirmed it (`None` until they do).
    pub confirmed_at: Option<String>,
}

/// A stored record with its attendance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    pub id: MeetingId,
    pub org_id: OrgId,
    pub org_name: String,
    pub fields: MeetingFields,
    /// The lecturer was the organization's secretary when the record was entered (书记讲党课).
    pub lecturer_is_secretary: bool,
    /// The day the record was entered.
    pub recorded_on: Date,
    pub attendance: Vec<AttendanceRow>,
    pub attachments: Vec<attachment::Attachment>,
}

/// A record in a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingSummary {
    pub id: MeetingId,
    pub org_id: OrgId,
    pub kind: MeetingKind,
    pub held_on: Date,
    pub topic: String,
    pub recorded_on: Date,
    /// Counts by [`Attendance`] value index: present, leave, absent.
    pub attendance: [u32; 3],
}

/// A member who may be on an attendance sheet of the organization: its members now, then those
/// who left it within the last year (`left_on`, their last membership's end), for records of
/// their time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetMember {
    pub member_id: MemberId,
    pub name: String,
    pub left_on: Option<Date>,
}

/// What the early-warning board needs of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeetingFactRow {
    pub org_id: OrgId,
    pub kind: MeetingKind,
    pub held_on: Date,
    pub lecturer_is_secretary: bool,
}

/// Longest reason for a leave or an absence, in characters.
const REASON_MAX: usize = 200;

fn bad(what: &str) -> StoreError {
    StoreError::Other(format!("数据库中的组织生活记录无法识别：{what}"))
}

fn kind_of(code: &str) -> Result<MeetingKind, StoreError> {
    MeetingKind::parse(code).map_err(|_| bad(code))
}

/// The stored 'HH:MM' pair as times; both empty on records without them.
pub(crate) fn times_of(starts_at: &str, ends_at: &str) -> Result<Option<MeetingTimes>, StoreError> {
    if starts_at.is_empty() && ends_at.is_empty() {
        return Ok(None);
    }
    let t = |s: &str| ClockTime::parse(s).ok_or_else(|| bad("时间"));
    MeetingTimes::new(t(starts_at)?, t(ends_at)?).map(Some).ok_or_else(|| bad("时间"))
}

/// The times as stored: 'HH:MM' twice, or two empty strings.
pub(crate) fn times_text(f: &MeetingFields) -> (String, String) {
    f.times.map_or_else(Default::default, |t| (t.starts_at().to_string(), t.ends_at().to_string()))
}

fn date_of(r: &crate::db::Row, i: usize) -> Result<Date, StoreError> {
    r.opt_date(i).ok_or_else(|| bad("日期"))
}

/// The ledger payload of a record: its fields and who attended, was on leave or absent (with the
/// reason) — ids in lists, so that a branch's year of records stays small.
pub(crate) fn payload<'a>(
    org: OrgId,
    org_name: &str,
    f: &MeetingFields,
    attendance: impl Iterator<Item = (MemberId, Attendance, &'a str)>,
) -> serde_json::Value {
    let (mut present, mut leave, mut absent) = (Vec::new(), Vec::new(), Vec::new());
    for (m, a, reason) in attendance {
        match a {
            Attendance::Present => present.push(serde_json::json!(m.0)),
            Attendance::Leave => leave.push(serde_json::json!([m.0, reason])),
            Attendance::Absent => absent.push(serde_json::json!([m.0, reason])),
        }
    }
    let (starts_at, ends_at) = times_text(f);
    serde_json::json!({
        "org_id": org.0, "org": org_name, "kind": f.kind.code(), "held_on": f.held_on.to_string(),
        "starts_at": starts_at, "ends_at": ends_at, "place": f.place, "host": f.host, "recorder": f.recorder, "lecturer": f.lecturer,
        "topic": f.topic, "content": f.content, "decisions": f.decisions,
        "present": present, "leave": leave, "absent": absent,
    })
}

impl Store {
    /// Records a meeting of `org` with the attendance of its members on the day. Every listed
    /// member must have belonged to `org` that day, once; a leave needs its reason.
    pub async fn record_meeting(
        &self,
        access: &Access,
        org: OrgId,
        fields: &MeetingFields,
        attendance: &[AttendanceEntry],
    ) -> Result<MeetingId, StoreError> {
        access.require(access.may_edit_members())?;
        let mut w = Write::begin(self).await?;
        let id = insert_meeting(&mut w, access, org, fields, attendance).await?;
        w.commit().await?;
        Ok(id)
    }

    /// The rows of an attendance sheet of `org` itself (not its subtree): its members now holding a
    /// membership, by name, then those who left it within the last year.
    pub async fn attendance_sheet(&self, access: &Access, org: OrgId) -> Result<Vec<SheetMember>, StoreError> {
        self.get_org(access, org).await?;
        let current = self
            .db
            .all(
                "SELECT m.id, m.name FROM member m WHERE m.org_id = ? AND m.status IN ('active', 'suspended') \
                 ORDER BY m.initials, m.id",
                params![org.0],
            )
            .await?;
        let mut sheet: Vec<SheetMember> = current
            .iter()
            .map(|r| SheetMember { member_id: MemberId(r.int(0)), name: r.text(1), left_on: None })
            .collect();
        // Those who have left since a year ago still belong on the sheets of records from their time.
        let year_ago = qiangji_domain::date::today() - chrono::Months::new(12);
        let former = self
            .db
            .all(
                "SELECT m.id, m.name, MAX(s.valid_to) FROM membership s JOIN member m ON m.id = s.member_id \
                 WHERE s.org_id = ? AND s.valid_to IS NOT NULL AND s.valid_to >= ? \
                 GROUP BY m.id, m.name, m.initials ORDER BY m.initials, m.id",
                params![org.0, year_ago],
            )
            .await?;
        for r in &former {
            let member_id = MemberId(r.int(0));
            if !sheet.iter().any(|s| s.member_id == member_id) {
                sheet.push(SheetMember { member_id, name: r.text(1), left_on: r.opt_date(2) });
            }
        }
        Ok(sheet)
    }

    /// The records of `org` itself held in `[from, to]`, latest first.
    pub async fn list_meetings(
        &self,
        access: &Access,
        org: OrgId,
        from: Date,
        to: Date,
    ) -> Result<Vec<MeetingSummary>, StoreError> {
        self.get_org(access, org).await?;
        let rows = self
            .db
            .all(
                "SELECT g.id, g.kind, g.held_on, g.topic, g.recorded_on, \
                 (SELECT COUNT(*) FROM meeting_attendance a WHERE a.meeting_id = g.id AND a.attendance = 'present'), \
                 (SELECT COUNT(*) FROM meeting_attendance a WHERE a.meeting_id = g.id AND a.attendance = 'leave'), \
                 (SELECT COUNT(*) FROM meeting_attendance a WHERE a.meeting_id = g.id AND a.attendance = 'absent') \
                 FROM meeting g WHERE g.org_id = ? AND g.held_on >= ? AND g.held_on <= ? ORDER BY g.held_on DESC, g.id DESC",
                params![org.0, from, to],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(MeetingSummary {
                    id: MeetingId(r.int(0)),
                    org_id: org,
                    kind: kind_of(&r.text(1))?,
                    held_on: date_of(r, 2)?,
                    topic: r.text(3),
                    recorded_on: date_of(r, 4)?,
                    attendance: [r.int(5), r.int(6), r.int(7)].map(|n| n as u32),
                })
            })
            .collect()
    }

    /// One record with its attendance, if its organization is in scope.
    pub async fn get_meeting(&self, access: &Access, id: MeetingId) -> Result<Meeting, StoreError> {
        let (pred, scope) = access.org_predicate();
        let mut p = params![id.0];
        p.extend(scope);
        let r = self
            .db
            .opt(
                &format!(
                    "SELECT g.org_id, o.name, g.kind, g.held_on, g.place, g.host, g.recorder, g.lecturer, \
                     g.lecturer_is_secretary, g.topic, g.content, g.decisions, g.recorded_on, g.starts_at, g.ends_at \
                     FROM meeting g JOIN org o ON o.id = g.org_id WHERE g.id = ? AND {pred}"
                ),
                p,
            )
            .await?
            .ok_or(StoreError::NotFound)?;
        let attendance = self
            .db
            .all(
                "SELECT a.member_id, m.name, a.attendance, a.reason, a.confirmed_at FROM meeting_attendance a \
                 JOIN member m ON m.id = a.member_id WHERE a.meeting_id = ? ORDER BY m.initials, m.id",
                params![id.0],
            )
            .await?
            .iter()
            .map(|a| {
                Ok(AttendanceRow {
                    member_id: MemberId(a.int(0)),
                    member_name: a.text(1),
                    attendance: Attendance::parse(&a.text(2)).map_err(|_| bad("出席情况"))?,
                    reason: a.text(3),
                    confirmed_at: a.opt_text(4),
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(Meeting {
            id,
            org_id: OrgId(r.int(0)),
            org_name: r.text(1),
            fields: MeetingFields {
                kind: kind_of(&r.text(2))?,
                held_on: date_of(&r, 3)?,
                place: r.text(4),
                host: r.text(5),
                recorder: r.text(6),
                lecturer: r.text(7),
                topic: r.text(9),
                content: r.text(10),
                decisions: r.text(11),
                times: times_of(&r.text(13), &r.text(14))?,
            },
            lecturer_is_secretary: r.flag(8),
            recorded_on: date_of(&r, 12)?,
            attendance,
            attachments: self.list_attachments(id).await?,
        })
    }

    /// The member behind `access` confirms their attendance as recorded at `meeting`.
    pub async fn confirm_attendance(&self, access: &Access, meeting: MeetingId) -> Result<(), StoreError> {
        let member = access.self_member_id().ok_or(StoreError::Forbidden)?;
        let m = self.get_meeting(access, meeting).await?;
        let Some(row) = m.attendance.iter().find(|a| a.member_id.0 == member) else {
            return Err(StoreError::NotFound);
        };
        if row.confirmed_at.is_some() {
            return Ok(());
        }
        let mut w = Write::begin(self).await?;
        let o = load_org(&mut w.tx, access, m.org_id).await?;
        let at = crate::ledger::now();
        w.tx.exec(
            "UPDATE meeting_attendance SET confirmed_at = ? WHERE meeting_id = ? AND member_id = ? AND confirmed_at IS NULL",
            params![at.as_str(), meeting.0, member],
        )
        .await?;
        w.record(
            access,
            NewEntry {
                kind: "meeting.attendance_confirmed",
                org_path: &o.path,
                subject: format!("meeting:{}", meeting.0),
                payload: serde_json::json!({ "member_id": member, "attendance": row.attendance.code() }),
                reason: "",
            },
        )
        .await?;
        w.commit().await
    }

    /// Every record in scope held on or after `since`, for the early-warning board.
    pub async fn meeting_facts(&self, access: &Access, since: Date) -> Result<Vec<MeetingFactRow>, StoreError> {
        self.select_meeting_facts(access, "g.held_on >= ?", params![since]).await
    }

    /// The records `ids` that are in scope, for following the ledger.
    pub async fn meeting_facts_of(
        &self,
        access: &Access,
        ids: &[MeetingId],
    ) -> Result<Vec<MeetingFactRow>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let marks = vec!["?"; ids.len()].join(", ");
        self.select_meeting_facts(access, &format!("g.id IN ({marks})"), ids.iter().map(|i| i.0.into()).collect()).await
    }

    async fn select_meeting_facts(
        &self,
        access: &Access,
        cond: &str,
        mut p: Vec<crate::db::Value>,
    ) -> Result<Vec<MeetingFactRow>, StoreError> {
        let (pred, scope) = access.org_predicate();
        p.extend(scope);
        let rows = self
            .db
            .all(
                &format!(
                    "SELECT g.org_id, g.kind, g.held_on, g.lecturer_is_secretary FROM meeting g \
                     JOIN org o ON o.id = g.org_id WHERE {cond} AND {pred}"
                ),
                p,
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(MeetingFactRow {
                    org_id: OrgId(r.int(0)),
                    kind: kind_of(&r.text(1))?,
                    held_on: date_of(r, 2)?,
                    lecturer_is_secretary: r.flag(3),
                })
            })
            .collect()
    }
}

/// Records a meeting inside a write: the checks of [`Store::record_meeting`], the rows and the
/// `meeting.recorded` entry. Imports write many through one.
pub(crate) async fn insert_meeting(
    w: &mut Write,
    access: &Access,
    org: OrgId,
    fields: &MeetingFields,
    attendance: &[AttendanceEntry],
) -> Result<MeetingId, StoreError> {
    let mut seen = BTreeSet::new();
    for a in attendance {
        if !seen.insert(a.member_id) {
            return Err(StoreError::Invalid("同一名党员的出席情况填写了两次".into()));
        }
        if a.attendance == Attendance::Leave && a.reason.trim().is_empty() {
            return Err(StoreError::Invalid("请假须填写原因".into()));
        }
        if a.reason.trim().chars().count() > REASON_MAX {
            return Err(StoreError::Invalid(format!("原因过长（最多{REASON_MAX}字）")));
        }
    }
    let o = load_org(&mut w.tx, access, org).await?;
    if o.is_dissolved() {
        return Err(OrgError::Dissolved.into());
    }
    if o.fields.founded_on.is_some_and(|f| fields.held_on < f) {
        return Err(StoreError::Invalid("活动日期早于本组织的成立日期".into()));
    }
    let members: BTreeMap<i64, String> =
        w.tx.all(
            "SELECT m.id, m.name FROM membership s JOIN member m ON m.id = s.member_id \
                 WHERE s.org_id = ? AND s.valid_from <= ? AND (s.valid_to IS NULL OR s.valid_to > ?)",
            params![org.0, fields.held_on, fields.held_on],
        )
        .await?
        .iter()
        .map(|r| (r.int(0), r.text(1)))
        .collect();
    if let Some(a) = attendance.iter().find(|a| !members.contains_key(&a.member_id.0)) {
        // Named when the member is in scope at all, so the secretary knows whom to take off the sheet.
        let (pred, mut scope) = access.member_predicate();
        let mut p = params![a.member_id.0];
        p.append(&mut scope);
        let sql = format!("SELECT m.name FROM member m JOIN org o ON o.id = m.org_id WHERE m.id = ? AND {pred}");
        let who = match w.tx.opt(&sql, p).await? {
            Some(r) => format!("“{}”", r.text(0)),
            None => a.member_id.0.to_string(),
        };
        return Err(StoreError::Invalid(format!("党员{who}在{}不是本组织的党员，不能登记其出席情况", fields.held_on)));
    }
    let secretary = w
        .tx
        .opt("SELECT person_name FROM org_post WHERE org_id = ? AND post = ?", params![org.0, Post::Secretary.code()])
        .await?
        .map(|r| r.text(0));
    let lecturer_is_secretary = fields.kind == MeetingKind::PartyLecture
        && secretary.is_some_and(|s| !s.trim().is_empty() && s.trim() == fields.lecturer);
    let id = next_id(&mut w.tx, "meeting").await?;
    let today = qiangji_domain::date::today();
    let (starts_at, ends_at) = times_text(fields);
    w.tx.exec(
            "INSERT INTO meeting (id, org_id, kind, held_on, place, host, recorder, lecturer, lecturer_is_secretary, \
             topic, content, decisions, recorded_on, starts_at, ends_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            params![
                id,
                org.0,
                fields.kind.code(),
                fields.held_on,
                fields.place.as_str(),
                fields.host.as_str(),
                fields.recorder.as_str(),
                fields.lecturer.as_str(),
                i64::from(lecturer_is_secretary),
                fields.topic.as_str(),
                fields.content.as_str(),
                fields.decisions.as_str(),
                today,
                starts_at,
                ends_at
            ],
        )
        .await?;
    for a in attendance {
        w.tx.exec(
            "INSERT INTO meeting_attendance (meeting_id, member_id, attendance, reason) VALUES (?, ?, ?, ?)",
            params![id, a.member_id.0, a.attendance.code(), a.reason.trim()],
        )
        .await?;
    }
    let attended = attendance.iter().map(|a| (a.member_id, a.attendance, a.reason.trim()));
    let payload = payload(org, &o.fields.name, fields, attended);
    w.record(
        access,
        NewEntry { kind: "meeting.recorded", org_path: &o.path, subject: format!("meeting:{id}"), payload, reason: "" },
    )
    .await?;
    Ok(MeetingId(id))
}
