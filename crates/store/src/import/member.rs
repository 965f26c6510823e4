//! Importing a roster: the lookups its plan needs, the commit (members created in bulk, each with
//! its ledger entry; registered ones updated as the mode says) and the rollback.

use super::{BatchId, Commit, Committed, DoneRow, OrgIndex, RolledBack, bad, blocked, changed_since};
use crate::access::Access;
use crate::bulk::Batch;
use crate::error::StoreError;
use crate::ledger::{NewEntry, Write};
use crate::member::write::{INSERT_COLUMNS, field_params, field_values, initial_states, sealed_object, update};
use crate::org::write::{load as load_org, next_id, raise_id_floor};
use crate::seal::Field;
use crate::{Store, params};
use qiangji_domain::import::member::{Action, Lookup, PlannedRow, Registered};
use qiangji_domain::import::{DedupeMode, ImportKind, OrgProblem};
use qiangji_domain::member::{MemberFields, MemberId, MemberStatus};
use qiangji_domain::org::{OrgId, OrgKind};
use std::collections::{HashMap, HashSet};

/// Organizations and registered identity numbers as a plan sees them, read once per plan.
pub struct StoreLookup {
    orgs: OrgIndex,
    here: HashSet<String>,
    elsewhere: HashSet<String>,
}

impl Lookup for StoreLookup {
    fn org(&self, name: &str) -> Result<OrgId, OrgProblem> {
        self.orgs.find(name)
    }

    fn registered(&self, id_number: &str) -> Registered {
        if self.here.contains(id_number) {
            Registered::Here
        } else if self.elsewhere.contains(id_number) {
            Registered::Elsewhere
        } else {
            Registered::No
        }
    }
}

impl Store {
    /// What a plan of `id_numbers` under `org` needs: organizations of the subtree that can hold
    /// members, by name, and which of the numbers are registered, in scope or not.
    pub async fn import_lookup(
        &self,
        access: &Access,
        org: OrgId,
        id_numbers: &[&str],
    ) -> Result<StoreLookup, StoreError> {
        let top = self.get_org(access, org).await?;
        // Members are held by any organization but a 党小组.
        let orgs = OrgIndex::load(self, &top, |k| k != OrgKind::Group).await?;
        let (mut here, mut elsewhere) = (HashSet::new(), HashSet::new());
        // Numbers are found through their blind index; the file's own spelling is what is kept.
        let by_index: std::collections::HashMap<String, &str> =
            id_numbers.iter().map(|n| (self.keys.index(Field::IdNumber, n), *n)).collect();
        let indexes: Vec<&String> = by_index.keys().collect();
        for chunk in indexes.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let p: Vec<crate::db::Value> = chunk.iter().map(|n| (*n).clone().into()).collect();
            for r in self
                .db
                .all(
                    &format!(
                        "SELECT m.id_number_index, o.path FROM member m JOIN org o ON o.id = m.org_id \
                         WHERE m.id_number_index IN ({marks})"
                    ),
                    p,
                )
                .await?
            {
                let number = by_index[&r.text(0)].to_owned();
                if access.sees_path(&r.text(1)) {
                    here.insert(number);
                } else {
                    elsewhere.insert(number);
                }
            }
        }
        Ok(StoreLookup { orgs, here, elsewhere })
    }

    /// Commits a planned batch: all of it in one transaction, or — if any row has an error, or the
    /// batch was committed already — nothing.
    pub async fn commit_members(
        &self,
        access: &Access,
        id: BatchId,
        rows: &[PlannedRow],
        progress: &mut (dyn FnMut(usize, usize) + Send),
    ) -> Result<Committed, StoreError> {
        let mut c = Commit::begin(self, access, id, ImportKind::Members, rows).await?;
        let reason = c.reason.clone();
        let mut org_cache: HashMap<OrgId, crate::org::Org> = HashMap::new();
        let mut next = next_id(&mut c.w.tx, "member").await?;
        let mut members = Batch::new("member", INSERT_COLUMNS);
        let mut memberships = Batch::new("membership", "member_id, org_id, valid_from, valid_to");
        let mut states = Batch::new("member_state", "member_id, kind, status, valid_from, valid_to");
        let mut ledger_rows = Batch::new("ledger", crate::ledger::COLUMNS);
        let active = MemberStatus::Active.code();
        let total = rows.len();
        for (i, row) in rows.iter().enumerate() {
            let Some(fields) = &row.fields else { continue };
            match row.action {
                Action::Create { org, since } => {
                    if let std::collections::hash_map::Entry::Vacant(slot) = org_cache.entry(org) {
                        let o = load_org(&mut c.w.tx, access, org).await?;
                        crate::member::write::check_receiver(&o)?;
                        slot.insert(o);
                    }
                    let o = &org_cache[&org];
                    let mid = next;
                    next += 1;
                    let mut p = params![mid, o.id.0, active];
                    p.append(&mut field_params(fields, &c.w.keys));
                    if members.push(&mut c.w.tx, p).await? {
                        // Rows that reference members go after the members they reference.
                        memberships.flush(&mut c.w.tx).await?;
                        states.flush(&mut c.w.tx).await?;
                    }
                    memberships.push(&mut c.w.tx, params![mid, o.id.0, since, None::<qiangji_domain::Date>]).await?;
                    for (kind, from, to) in initial_states(fields) {
                        states.push(&mut c.w.tx, params![mid, kind.code(), active, from, to]).await?;
                    }
                    let mut payload = sealed_object(fields, &c.w.keys);
                    payload["org_id"] = serde_json::json!(o.id.0);
                    payload["org"] = serde_json::json!(o.fields.name);
                    payload["since"] = serde_json::json!(since.to_string());
                    payload["import_batch"] = serde_json::json!(id.0);
                    let entry = c.w.chain(
                        access,
                        NewEntry {
                            kind: "member.created",
                            org_path: &o.path,
                            subject: format!("member:{mid}"),
                            payload,
                            reason: &reason,
                        },
                    );
                    ledger_rows.push(&mut c.w.tx, crate::ledger::entry_params(entry)).await?;
                    c.created(mid).await?;
                }
                Action::Existing(DedupeMode::Skip) => c.skipped(),
                Action::Existing(mode) => {
                    // Entries go through the batch in chain order: flush before a one-by-one write.
                    for b in [&mut members, &mut memberships, &mut states, &mut ledger_rows] {
                        b.flush(&mut c.w.tx).await?;
                    }
                    match self.update_existing(&mut c.w, access, fields, mode, &reason).await? {
                        Some((member, before)) => {
                            let before = sealed_object(&before, &c.w.keys).to_string();
                            c.updated(member.0, before).await?;
                        }
                        None => c.skipped(),
                    }
                }
                Action::None => {}
            }
            if (i + 1) % 10_000 == 0 {
                progress(i + 1, total);
            }
        }
        for b in [&mut members, &mut memberships, &mut states, &mut ledger_rows] {
            b.flush(&mut c.w.tx).await?;
        }
        let done = c.finish(access).await.map_err(|e| match e {
            StoreError::Other(m) if m.contains("UNIQUE") || m.contains("duplicate key") => StoreError::Refused {
                code: "import.changed_meanwhile",
                message: "导入期间有党员以相同身份证号登记，整批未导入；请重新上传".into(),
            },
            other => other,
        })?;
        progress(total, total);
        Ok(done)
    }

    /// Applies a row to the registered member with its identity number; the member and their
    /// attributes before, if anything changed.
    async fn update_existing(
        &self,
        w: &mut Write,
        access: &Access,
        fields: &MemberFields,
        mode: DedupeMode,
        reason: &str,
    ) -> Result<Option<(MemberId, MemberFields)>, StoreError> {
        let id = MemberId(
            w.tx.one(
                "SELECT id FROM member WHERE id_number_index = ?",
                params![w.keys.index(Field::IdNumber, fields.id_number.as_str())],
            )
            .await?
            .int(0),
        );
        let current = self.get_member(access, id).await?;
        let org = load_org(&mut w.tx, access, current.org_id).await?;
        let new = match mode {
            DedupeMode::FillEmpty => fill_empty(&current.fields, fields),
            _ => fields.clone(),
        };
        if field_values(&new) == field_values(&current.fields) {
            return Ok(None);
        }
        update(w, access, &org, id, &current.fields, &new, reason).await?;
        Ok(Some((id, current.fields)))
    }

    /// Rolls back a committed roster: the members it registered are removed (their records stay
    /// in the ledger, with a `member.removed` entry each) and the members it updated get their
    /// attributes back — refused if anything has happened to them since.
    pub(super) async fn rollback_members(
        &self,
        w: &mut Write,
        access: &Access,
        id: BatchId,
        rows: &[DoneRow],
        committed_at: i64,
        why: &str,
    ) -> Result<RolledBack, StoreError> {
        let subjects: Vec<String> = rows.iter().map(|r| format!("member:{}", r.subject)).collect();
        if let Some(s) = changed_since(&mut w.tx, &subjects, committed_at).await? {
            return Err(blocked(id, &format!("党员（{s}）已有变更")));
        }
        let created: Vec<i64> = rows.iter().filter(|r| r.created).map(|r| r.subject).collect();
        for chunk in created.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(", ");
            for (table, what) in [
                ("meeting_attendance", "已有党员记入组织生活"),
                ("org_post", "已有党员担任班子职务"),
                ("app_user", "已有党员开通账户"),
            ] {
                let p: Vec<crate::db::Value> = chunk.iter().map(|m| (*m).into()).collect();
                if w.tx.opt(&format!("SELECT 1 FROM {table} WHERE member_id IN ({marks}) LIMIT 1"), p).await?.is_some()
                {
                    return Err(blocked(id, what));
                }
            }
        }
        if let Some(last) = created.iter().max() {
            raise_id_floor(&mut w.tx, "member", *last).await?;
        }
        let mut done = RolledBack::default();
        for r in rows {
            let member = MemberId(r.subject);
            let current = self.get_member(access, member).await?;
            let org = load_org(&mut w.tx, access, current.org_id).await?;
            if r.created {
                for table in ["member_state", "membership"] {
                    w.tx.exec(&format!("DELETE FROM {table} WHERE member_id = ?"), params![member.0]).await?;
                }
                w.tx.exec("DELETE FROM member WHERE id = ?", params![member.0]).await?;
                w.record(
                    access,
                    NewEntry {
                        kind: "member.removed",
                        org_path: &org.path,
                        subject: format!("member:{}", member.0),
                        payload: serde_json::json!({ "import_batch": id.0, "fields": sealed_object(&current.fields, &w.keys) }),
                        reason: why,
                    },
                )
                .await?;
                done.removed += 1;
            } else {
                let mut before: serde_json::Value = serde_json::from_str(&r.before).map_err(|_| bad("原值"))?;
                w.keys.open_payload(&mut before);
                let before = fields_from(&before).ok_or_else(|| bad("原值"))?;
                update(w, access, &org, member, &current.fields, &before, why).await?;
                done.restored += 1;
            }
        }
        Ok(done)
    }
}

/// Member attributes from their stored rendering (`field_values`), as kept before an update.
fn fields_from(v: &serde_json::Value) -> Option<MemberFields> {
    let s = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
    let flag = |k: &str| v[k].as_str() == Some("1");
    qiangji_domain::member::MemberInput {
        name: s("name"),
        sex: s("sex"),
        ethnicity: s("ethnicity"),
        birth_date: s("birth_date"),
        native_place: s("native_place"),
        id_number: s("id_number"),
        education: s("education"),
        school: s("school"),
        major: s("major"),
        degree: s("degree"),
        occupation: s("occupation"),
        work_unit: s("work_unit"),
        job_title: s("job_title"),
        work_started_on: s("work_started_on"),
        phone: s("phone"),
        address: s("address"),
        joined_on: s("joined_on"),
        full_on: s("full_on"),
        kind: s("kind"),
        floating: flag("floating"),
        lost_contact: flag("lost_contact"),
        hardship: flag("hardship"),
        postless: flag("postless"),
    }
    .validate(qiangji_domain::date::today())
    .ok()
}

/// The registered attributes with the empty ones filled from the file's.
fn fill_empty(current: &MemberFields, file: &MemberFields) -> MemberFields {
    let mut out = current.clone();
    let fill = |a: &mut String, b: &String| {
        if a.is_empty() {
            a.clone_from(b);
        }
    };
    fill(&mut out.native_place, &file.native_place);
    fill(&mut out.school, &file.school);
    fill(&mut out.major, &file.major);
    fill(&mut out.degree, &file.degree);
    fill(&mut out.work_unit, &file.work_unit);
    fill(&mut out.job_title, &file.job_title);
    fill(&mut out.phone, &file.phone);
    fill(&mut out.address, &file.address);
    if out.work_started_on.is_none() {
        out.work_started_on = file.work_started_on;
    }
    out
}
