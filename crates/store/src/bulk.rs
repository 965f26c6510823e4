//! Loading a whole dataset into an empty database in one transaction (`qiangji demo`).
//!
//! The same facts and ledger entries as the one-by-one API — `org.created`, `member.created`,
//! `member.moved` — but written many rows per statement, because half a million members one
//! statement at a time would take minutes.

use crate::access::Access;
use crate::db::{Tx, Value};
use crate::error::StoreError;
use crate::ledger::{self, NewEntry, Write, as_object};
use crate::member::write::{
    INSERT_COLUMNS as MEMBER_COLUMNS, field_params as member_params, initial_states, sealed_object,
};
use crate::org::segment;
use crate::org::write::{field_params as org_params, field_values as org_values};
use crate::{Store, params};
use qiangji_domain::Date;
use qiangji_domain::member::MemberId;
use qiangji_domain::member::{MemberFields, MemberStatus};
use qiangji_domain::org::{OrgFields, OrgId, check_placement};
use qiangji_domain::orglife::attachment::NewAttachment;
use qiangji_domain::orglife::{Attendance, MeetingFields};

/// An organization to load; `parent` indexes an earlier element.
pub struct BulkOrg<'a> {
    pub parent: Option<usize>,
    pub fields: &'a OrgFields,
}

/// A member to load: in `orgs[org]` since `since`, and before that (from joining) in `previous`.
pub struct BulkMember<'a> {
    pub org: usize,
    pub fields: &'a MemberFields,
    pub since: Date,
    pub previous: Option<usize>,
}

/// A post holder to load: `member` indexes the members slice, and holds `post` in `org` since `since`.
pub struct BulkPost {
    pub org: usize,
    pub post: qiangji_domain::org::Post,
    pub member: usize,
    pub since: Date,
}

/// An organizational-life record to load: `org` and the attendance's members index the slices.
pub struct BulkMeeting<'a> {
    pub org: usize,
    pub fields: &'a MeetingFields,
    pub lecturer_is_secretary: bool,
    pub recorded_on: Date,
    pub attendance: &'a [(usize, Attendance, &'a str)],
}

/// A photo or file to attach: `meeting` indexes the meetings slice. Checked like an upload.
pub struct BulkAttachment<'a> {
    pub meeting: usize,
    pub file_name: &'a str,
    pub bytes: &'a [u8],
}

/// Rows per statement: under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters.
const MAX_PARAMS: usize = 30_000;

/// Rows for one table, sent many per statement. Takes the transaction per call, so that ledger
/// entries can be chained (which needs the `Write`) and inserted as they are made.
pub(crate) struct Batch {
    table: &'static str,
    columns: &'static str,
    width: usize,
    rows: Vec<Value>,
}

impl Batch {
    pub(crate) fn new(table: &'static str, columns: &'static str) -> Self {
        Batch { table, columns, width: columns.split(',').count(), rows: Vec::new() }
    }

    /// Adds a row; sends the batch when the next row would not fit. Says whether it sent.
    pub(crate) async fn push(&mut self, tx: &mut Tx, mut row: Vec<Value>) -> Result<bool, StoreError> {
        debug_assert_eq!(row.len(), self.width);
        self.rows.append(&mut row);
        if self.rows.len() + self.width > MAX_PARAMS {
            self.flush(tx).await?;
            return Ok(true);
        }
        Ok(false)
    }

    pub(crate) async fn flush(&mut self, tx: &mut Tx) -> Result<(), StoreError> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let one = format!("({})", vec!["?"; self.width].join(", "));
        let all = vec![one; self.rows.len() / self.width].join(", ");
        let params = std::mem::take(&mut self.rows);
        tx.exec(&format!("INSERT INTO {} ({}) VALUES {all}", self.table, self.columns), params).await?;
        Ok(())
    }
}

/// Progress about ten times per stage, and not more often than every 50,000 rows.
fn report_every(total: usize) -> usize {
    (total / 10).max(50_000)
}

const ORG_COLUMNS: &str = "id, parent_id, path, name, short_name, kind, sector, formation_mode, regional, joint, temporary, \
     founded_on, term_start, term_years, host_units, contact, phone, address";

/// What to load: organizations in tree order, then what refers to them.
pub struct BulkData<'a> {
    pub orgs: &'a [BulkOrg<'a>],
    pub members: &'a [BulkMember<'a>],
    pub posts: &'a [BulkPost],
    pub meetings: &'a [BulkMeeting<'a>],
    pub attachments: &'a [BulkAttachment<'a>],
}

/// Loads `data` into an empty database in one transaction.
/// `progress(stage, done, total)` is called now and then.
pub async fn load(
    store: &Store,
    access: &Access,
    data: &BulkData<'_>,
    progress: &mut dyn FnMut(&str, usize, usize),
) -> Result<(), StoreError> {
    let BulkData { orgs, members, posts, meetings, attachments } = *data;
    access.require(access.may_manage_users())?;
    if store.root_org_id().await?.is_some() {
        return Err(StoreError::Invalid("数据库中已有组织，演示数据只能载入空数据库".into()));
    }
    let mut w = Write::begin(store).await?;
    let mut ledger_rows = Batch::new("ledger", ledger::COLUMNS);
    let reason = "载入演示数据";

    let mut paths: Vec<String> = Vec::with_capacity(orgs.len());
    let mut org_rows = Batch::new("org", ORG_COLUMNS);
    for (i, o) in orgs.iter().enumerate() {
        let id = i as i64 + 1;
        let parent = o.parent.inspect(|&p| assert!(p < i, "organizations must come in tree order"));
        check_placement(o.fields.kind, parent.map(|p| orgs[p].fields.kind))?;
        let path = format!("{}{}", parent.map_or("/", |p| paths[p].as_str()), segment(id));
        let mut row = params![id, parent.map(|p| p as i64 + 1), path.clone()];
        row.append(&mut org_params(o.fields));
        org_rows.push(&mut w.tx, row).await?;
        let mut payload = as_object(&org_values(o.fields));
        payload["parent_id"] = serde_json::json!(parent.map(|p| p as i64 + 1));
        let entry = w.chain(
            access,
            NewEntry { kind: "org.created", org_path: &path, subject: format!("org:{id}"), payload, reason },
        );
        ledger_rows.push(&mut w.tx, ledger::entry_params(entry)).await?;
        paths.push(path);
    }
    org_rows.flush(&mut w.tx).await?;
    progress("组织", orgs.len(), orgs.len());

    let active = MemberStatus::Active.code();
    let mut member_rows = Batch::new("member", MEMBER_COLUMNS);
    let mut memberships = Batch::new("membership", "member_id, org_id, valid_from, valid_to");
    let mut states = Batch::new("member_state", "member_id, kind, status, valid_from, valid_to");
    for (i, m) in members.iter().enumerate() {
        let id = i as i64 + 1;
        let mut row = params![id, m.org as i64 + 1, active];
        row.append(&mut member_params(m.fields, &w.keys));
        if member_rows.push(&mut w.tx, row).await? {
            // Rows that reference members go only after the members they reference (foreign keys).
            // Members fill a statement first (27 columns), so these never fill one on their own.
            memberships.flush(&mut w.tx).await?;
            states.flush(&mut w.tx).await?;
        }

        // The ledger tells the story as it happened: registered in the first organization, then moved.
        let first = m.previous.unwrap_or(m.org);
        let mut payload = sealed_object(m.fields, &w.keys);
        payload["org_id"] = serde_json::json!(first as i64 + 1);
        payload["org"] = serde_json::json!(orgs[first].fields.name);
        payload["since"] =
            serde_json::json!(if m.previous.is_some() { m.fields.joined_on } else { m.since }.to_string());
        let created = NewEntry {
            kind: "member.created",
            org_path: &paths[first],
            subject: format!("member:{id}"),
            payload,
            reason,
        };
        let entry = w.chain(access, created);
        ledger_rows.push(&mut w.tx, ledger::entry_params(entry)).await?;
        match m.previous {
            Some(prev) => {
                memberships.push(&mut w.tx, params![id, prev as i64 + 1, m.fields.joined_on, Some(m.since)]).await?;
                memberships.push(&mut w.tx, params![id, m.org as i64 + 1, m.since, None::<Date>]).await?;
                let payload = serde_json::json!({
                    "from_org_id": prev as i64 + 1, "from_org": orgs[prev].fields.name,
                    "to_org_id": m.org as i64 + 1, "to_org": orgs[m.org].fields.name, "on": m.since.to_string(),
                });
                let org_path = crate::org::write::common_prefix(&paths[prev], &paths[m.org]);
                let moved = NewEntry {
                    kind: "member.moved",
                    org_path: &org_path,
                    subject: format!("member:{id}"),
                    payload,
                    reason,
                };
                let entry = w.chain(access, moved);
                ledger_rows.push(&mut w.tx, ledger::entry_params(entry)).await?;
            }
            None => {
                memberships.push(&mut w.tx, params![id, m.org as i64 + 1, m.since, None::<Date>]).await?;
            }
        }
        for (kind, from, to) in initial_states(m.fields) {
            states.push(&mut w.tx, params![id, kind.code(), active, from, to]).await?;
        }
        if (i + 1) % report_every(members.len()) == 0 {
            progress("党员", i + 1, members.len());
        }
    }
    for b in [&mut member_rows, &mut memberships, &mut states] {
        b.flush(&mut w.tx).await?;
    }

    // Posts come grouped by organization; each group is one ledger entry.
    let mut post_rows = Batch::new("org_post", "org_id, post, person_name, member_id, since");
    for group in posts.chunk_by(|a, b| a.org == b.org) {
        let org = group[0].org;
        let mut after = Vec::with_capacity(group.len());
        for p in group {
            let name = members[p.member].fields.name.clone();
            post_rows
                .push(&mut w.tx, params![org as i64 + 1, p.post.code(), name.clone(), p.member as i64 + 1, p.since])
                .await?;
            after.push(serde_json::json!({
                "post": p.post.code(), "person_name": name, "member_id": p.member as i64 + 1, "since": p.since.to_string(),
            }));
        }
        let payload = serde_json::json!({ "before": [], "after": after });
        let changed = NewEntry {
            kind: "org.posts_changed",
            org_path: &paths[org],
            subject: format!("org:{}", org + 1),
            payload,
            reason,
        };
        let entry = w.chain(access, changed);
        ledger_rows.push(&mut w.tx, ledger::entry_params(entry)).await?;
    }
    post_rows.flush(&mut w.tx).await?;
    progress("班子成员", posts.len(), posts.len());

    let mut meeting_rows = Batch::new(
        "meeting",
        "id, org_id, kind, held_on, place, host, recorder, lecturer, lecturer_is_secretary, topic, content, decisions, \
         recorded_on, starts_at, ends_at",
    );
    let mut attendance_rows = Batch::new("meeting_attendance", "meeting_id, member_id, attendance, reason");
    for (i, m) in meetings.iter().enumerate() {
        let id = i as i64 + 1;
        let f = m.fields;
        let (starts_at, ends_at) = crate::orglife::times_text(f);
        let row = params![
            id,
            m.org as i64 + 1,
            f.kind.code(),
            f.held_on,
            f.place.as_str(),
            f.host.as_str(),
            f.recorder.as_str(),
            f.lecturer.as_str(),
            i64::from(m.lecturer_is_secretary),
            f.topic.as_str(),
            f.content.as_str(),
            f.decisions.as_str(),
            m.recorded_on,
            starts_at,
            ends_at
        ];
        if meeting_rows.push(&mut w.tx, row).await? {
            attendance_rows.flush(&mut w.tx).await?;
        }
        // Attendance references its meeting: when this record's rows could fill the attendance
        // statement, the meetings go first (attendance rows outnumber meetings ten to one).
        if attendance_rows.rows.len() + (m.attendance.len() + 1) * attendance_rows.width > MAX_PARAMS {
            meeting_rows.flush(&mut w.tx).await?;
            attendance_rows.flush(&mut w.tx).await?;
        }
        for &(member, a, reason) in m.attendance {
            attendance_rows.push(&mut w.tx, params![id, member as i64 + 1, a.code(), reason]).await?;
        }
        let attended = m.attendance.iter().map(|&(member, a, reason)| (MemberId(member as i64 + 1), a, reason));
        let payload = crate::orglife::payload(OrgId(m.org as i64 + 1), &orgs[m.org].fields.name, f, attended);
        let recorded = NewEntry {
            kind: "meeting.recorded",
            org_path: &paths[m.org],
            subject: format!("meeting:{id}"),
            payload,
            reason,
        };
        let entry = w.chain(access, recorded);
        ledger_rows.push(&mut w.tx, ledger::entry_params(entry)).await?;
        if (i + 1) % report_every(meetings.len()) == 0 {
            progress("组织生活记录", i + 1, meetings.len());
        }
    }
    meeting_rows.flush(&mut w.tx).await?;
    attendance_rows.flush(&mut w.tx).await?;

    let mut attachment_rows = Batch::new("meeting_attachment", crate::orglife::attachment::INSERT_COLUMNS);
    let today = qiangji_domain::date::today();
    for (i, a) in attachments.iter().enumerate() {
        let file = NewAttachment::check(a.file_name, a.bytes)?;
        let (id, meeting) = (i as i64 + 1, a.meeting as i64 + 1);
        let sha256 = crate::orglife::attachment::sha256_hex(a.bytes);
        let row = params![
            id,
            meeting,
            file.file_name.as_str(),
            file.content_type.mime(),
            a.bytes.len() as i64,
            sha256.as_str(),
            a.bytes,
            today,
            access.actor_name()
        ];
        attachment_rows.push(&mut w.tx, row).await?;
        let added = NewEntry {
            kind: "meeting.attachment_added",
            org_path: &paths[meetings[a.meeting].org],
            subject: format!("meeting:{meeting}"),
            payload: crate::orglife::attachment::payload(meeting, &file, &sha256),
            reason,
        };
        let entry = w.chain(access, added);
        ledger_rows.push(&mut w.tx, ledger::entry_params(entry)).await?;
    }
    attachment_rows.flush(&mut w.tx).await?;
    ledger_rows.flush(&mut w.tx).await?;
    w.commit().await?;
    if store.backend() == crate::Backend::Sqlite {
        // One large transaction leaves a WAL as big as the data; fold it into the file now.
        store.db.exec("PRAGMA wal_checkpoint(TRUNCATE)", params![]).await?;
    }
    Ok(())
}
