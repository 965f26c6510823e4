//! Importing meeting records: the lookup (organizations by name, the rosters of those the file
//! names, their records), the commit (each record written as a secretary's would be, with its
//! `meeting.recorded` entry) and the rollback (records removed, each with a `meeting.removed`
//! entry).

use super::{BatchId, Commit, Committed, DoneRow, OrgIndex, RolledBack, blocked, changed_since};
use crate::access::Access;
use crate::error::StoreError;
use crate::ledger::{NewEntry, Write};
use crate::org::write::{load as load_org, raise_id_floor};
use crate::orglife::{AttendanceEntry, insert_meeting};
use crate::{Store, params};
use qiangji_domain::Date;
use qiangji_domain::import::meeting::{Action, Lookup, MemberProblem, PlannedMeeting};
use qiangji_domain::import::{ImportKind, OrgProblem};
use qiangji_domain::member::MemberId;
use qiangji_domain::org::{OrgError, OrgId};
use qiangji_domain::orglife::{MeetingId, MeetingKind};
use std::collections::HashMap;

/// A membership of one of the named organizations, with the member's name.
struct RosterEntry {
    member: MemberId,
    name: String,
    from: Date,
    to: Option<Date>,
}

/// What a meeting plan sees: organizations in scope by name, and for those the file names, their
/// members over time and their records.
pub struct MeetingLookup {
    root: OrgId,
    orgs: OrgIndex,
    rosters: HashMap<OrgId, Vec<RosterEntry>>,
    recorded: HashMap<(OrgId, MeetingKind, Date, String), MeetingId>,
}

impl Lookup for MeetingLookup {
    fn root(&self) -> OrgId {
        self.root
    }

    fn org(&self, name: &str) -> Result<OrgId, OrgProblem> {
        self.orgs.find(name)
    }

    fn member(&self, org: OrgId, day: Date, name: &str) -> Result<MemberId, MemberProblem> {
        let mut found: Vec<MemberId> = self
            .rosters
            .get(&org)
            .into_iter()
            .flatten()
            .filter(|e| e.name == name && e.from <= day && e.to.is_none_or(|t| t > day))
            .map(|e| e.member)
            .collect();
        found.dedup();
        match found.as_slice() {
            [one] => Ok(*one),
            [] => Err(MemberProblem::NotMember),
            _ => Err(MemberProblem::Ambiguous),
        }
    }

    fn recorded(&self, org: OrgId, kind: MeetingKind, day: Date, topic: &str) -> Option<MeetingId> {
        self.recorded.get(&(org, kind, day, topic.to_owned())).copied()
    }
}

impl Store {
    /// What a meeting plan under `org` needs, for the organizations `names` (as the file writes
    /// them) and `org` itself.
    pub async fn meeting_import_lookup(
        &self,
        access: &Access,
        org: OrgId,
        names: &[String],
    ) -> Result<MeetingLookup, StoreError> {
        let top = self.get_org(access, org).await?;
        if top.is_dissolved() {
            return Err(OrgError::Dissolved.into());
        }
        let orgs = OrgIndex::load(self, &top, |_| true).await?;
        let mut ids: Vec<i64> = names.iter().filter_map(|n| orgs.find(n).ok()).map(|o| o.0).collect();
        ids.push(top.id.0);
        ids.sort_unstable();
        ids.dedup();
        let mut lookup = MeetingLookup { root: top.id, orgs, rosters: HashMap::new(), recorded: HashMap::new() };
        for chunk in ids.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let p = || chunk.iter().map(|i| (*i).into()).collect::<Vec<crate::db::Value>>();
            let sql = format!(
                "SELECT s.org_id, s.member_id, m.name, s.valid_from, s.valid_to FROM membership s \
                 JOIN member m ON m.id = s.member_id WHERE s.org_id IN ({marks}) ORDER BY s.member_id"
            );
            for r in self.db.all(&sql, p()).await? {
                lookup.rosters.entry(OrgId(r.int(0))).or_default().push(RosterEntry {
                    member: MemberId(r.int(1)),
                    name: r.text(2),
                    from: r.opt_date(3).unwrap_or(Date::MIN),
                    to: r.opt_date(4),
                });
            }
            let sql = format!("SELECT id, org_id, kind, held_on, topic FROM meeting WHERE org_id IN ({marks})");
            for r in self.db.all(&sql, p()).await? {
                let Ok(kind) = MeetingKind::parse(&r.text(2)) else { continue };
                lookup.recorded.insert(
                    (OrgId(r.int(1)), kind, r.opt_date(3).unwrap_or(Date::MIN), r.text(4)),
                    MeetingId(r.int(0)),
                );
            }
        }
        Ok(lookup)
    }

    /// Commits a planned batch of records: all in one transaction, or nothing.
    pub async fn commit_meetings(
        &self,
        access: &Access,
        id: BatchId,
        rows: &[PlannedMeeting],
    ) -> Result<Committed, StoreError> {
        let mut c = Commit::begin(self, access, id, ImportKind::Meetings, rows).await?;
        for row in rows {
            let (Action::Create { org }, Some(fields)) = (row.action, &row.fields) else {
                if matches!(row.action, Action::Existing(_)) {
                    c.skipped();
                }
                continue;
            };
            let attendance: Vec<AttendanceEntry> = row
                .attendance
                .iter()
                .map(|(member_id, attendance, reason)| AttendanceEntry {
                    member_id: *member_id,
                    attendance: *attendance,
                    reason: reason.clone(),
                })
                .collect();
            // The same checks as a record entered by hand (membership on the day, reasons), inside
            // this transaction: the file's row number says which record failed.
            let meeting = insert_meeting(&mut c.w, access, org, fields, &attendance).await.map_err(|e| match e {
                StoreError::Invalid(m) => StoreError::Invalid(format!("第{}行：{m}", row.line)),
                other => other,
            })?;
            c.created(meeting.0).await?;
        }
        c.finish(access).await
    }
}

/// Removes the records a batch created — refused if any has had anything since (an attachment, a
/// member's confirmation).
pub(super) async fn rollback(
    w: &mut Write,
    access: &Access,
    id: BatchId,
    rows: &[DoneRow],
    committed_at: i64,
    why: &str,
) -> Result<RolledBack, StoreError> {
    let subjects: Vec<String> = rows.iter().map(|r| format!("meeting:{}", r.subject)).collect();
    if let Some(s) = changed_since(&mut w.tx, &subjects, committed_at).await? {
        return Err(blocked(id, &format!("组织生活记录（{s}）已有附件或确认")));
    }
    if let Some(last) = rows.iter().map(|r| r.subject).max() {
        raise_id_floor(&mut w.tx, "meeting", last).await?;
    }
    for r in rows {
        let m = w.tx.one("SELECT org_id, kind, held_on, topic FROM meeting WHERE id = ?", params![r.subject]).await?;
        let org = load_org(&mut w.tx, access, OrgId(m.int(0))).await?;
        w.tx.exec("DELETE FROM meeting_attendance WHERE meeting_id = ?", params![r.subject]).await?;
        w.tx.exec("DELETE FROM meeting WHERE id = ?", params![r.subject]).await?;
        w.record(
            access,
            NewEntry {
                kind: "meeting.removed",
                org_path: &org.path,
                subject: format!("meeting:{}", r.subject),
                payload: serde_json::json!({
                    "import_batch": id.0, "org_id": org.id.0, "kind": m.text(1), "held_on": m.text(2), "topic": m.text(3),
                }),
                reason: why,
            },
        )
        .await?;
    }
    Ok(RolledBack { removed: rows.len(), restored: 0 })
}
