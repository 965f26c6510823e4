//! Import batches: the uploaded file kept as uploaded, the lookups a plan needs, and the commit of
//! a whole batch in one transaction — every created member with its ledger entry, then one
//! `import.committed` entry — so that a batch is in the database entirely or not at all, even if
//! the process is killed halfway.

use crate::access::Access;
use crate::bulk::Batch;
use crate::error::StoreError;
use crate::ledger::{NewEntry, Write, as_object};
use crate::member::write::{INSERT_COLUMNS, field_params, field_values, initial_states, update};
use crate::org::write::{load as load_org, next_id};
use crate::{Store, params};
use qiangji_domain::import::{Action, DedupeMode, Lookup, OrgProblem, PlannedRow, Registered};
use qiangji_domain::member::{MemberFields, MemberId, MemberStatus};
use qiangji_domain::org::{OrgId, OrgKind};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};

/// Typed id of an import batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BatchId(pub i64);

/// A batch as stored.
#[derive(Debug, Clone)]
pub struct ImportBatch {
    pub id: BatchId,
    pub org_id: OrgId,
    pub org_name: String,
    pub file_name: String,
    pub sha256: String,
    pub content: Vec<u8>,
    pub mode: DedupeMode,
    /// `previewed` or `committed`.
    pub status: String,
    pub created_at: String,
    pub created_by: String,
    pub committed_at: Option<String>,
    pub created_members: i64,
    pub updated_members: i64,
    pub skipped_rows: i64,
}

/// What a commit did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Committed {
    pub created: usize,
    pub updated: usize,
    pub skipped: usize,
}

/// The most bytes an uploaded file may have.
pub const MAX_FILE_BYTES: usize = 200 * 1024 * 1024;

/// Organizations and registered identity numbers as a plan sees them, read once per plan.
pub struct StoreLookup {
    /// Organizations by name (full and short), each with the names of its ancestors.
    orgs: HashMap<String, Vec<(OrgId, Vec<String>)>>,
    here: HashSet<String>,
    elsewhere: HashSet<String>,
}

impl Lookup for StoreLookup {
    /// `name`, or a path `上级/…/名称` when names repeat (villages' branches across towns): the
    /// organization named by the last part under ancestors named by the others.
    fn org(&self, name: &str) -> Result<OrgId, OrgProblem> {
        let parts: Vec<&str> = name.split(['/', '／']).map(str::trim).filter(|p| !p.is_empty()).collect();
        let Some((last, above)) = parts.split_last() else {
            return Err(OrgProblem::Unknown);
        };
        let found: Vec<OrgId> = self
            .orgs
            .get(*last)
            .map(|c| {
                c.iter()
                    .filter(|(_, ancestors)| above.iter().all(|a| ancestors.iter().any(|n| n == a)))
                    .map(|(id, _)| *id)
                    .collect()
            })
            .unwrap_or_default();
        match found.as_slice() {
            [one] => Ok(*one),
            [] => Err(OrgProblem::Unknown),
            _ => Err(OrgProblem::Ambiguous),
        }
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

fn bad(what: &str) -> StoreError {
    StoreError::Other(format!("数据库中的导入批次无法识别：{what}"))
}

const COLUMNS: &str = "b.id, b.org_id, o.name, b.file_name, b.sha256, b.content, b.mode, b.status, b.created_at, \
     b.created_by, b.committed_at, b.created_members, b.updated_members, b.skipped_rows";

impl Store {
    /// Keeps an uploaded roster for preview and commit under `org` (within scope).
    pub async fn create_import_batch(
        &self,
        access: &Access,
        org: OrgId,
        file_name: &str,
        content: &[u8],
        mode: DedupeMode,
    ) -> Result<BatchId, StoreError> {
        access.require(access.may_edit_members())?;
        if content.len() > MAX_FILE_BYTES {
            return Err(StoreError::Refused {
                code: "import.file_too_large",
                message: format!("文件超过{}MB，请分成几个文件导入", MAX_FILE_BYTES / 1024 / 1024),
            });
        }
        let org = self.get_org(access, org).await?;
        let mut tx = self.db.begin_write().await?;
        let id = next_id(&mut tx, "import_batch").await?;
        tx.exec(
            "INSERT INTO import_batch (id, org_id, kind, file_name, sha256, content, mode, status, created_at, created_by) \
             VALUES (?, ?, 'members', ?, ?, ?, ?, 'previewed', ?, ?)",
            params![
                id,
                org.id.0,
                file_name,
                hex::encode(Sha256::digest(content)),
                content,
                mode.code(),
                crate::ledger::now(),
                access.actor_name()
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(BatchId(id))
    }

    /// A batch, if its organization is within scope.
    pub async fn get_import_batch(&self, access: &Access, id: BatchId) -> Result<ImportBatch, StoreError> {
        let (pred, scope) = access.org_predicate();
        let mut p = params![id.0];
        p.extend(scope);
        let r = self
            .db
            .one(
                &format!(
                    "SELECT {COLUMNS} FROM import_batch b JOIN org o ON o.id = b.org_id WHERE b.id = ? AND {pred}"
                ),
                p,
            )
            .await?;
        Ok(ImportBatch {
            id: BatchId(r.int(0)),
            org_id: OrgId(r.int(1)),
            org_name: r.text(2),
            file_name: r.text(3),
            sha256: r.text(4),
            content: r.bytes(5),
            mode: DedupeMode::parse(&r.text(6)).ok_or_else(|| bad("方式"))?,
            status: r.text(7),
            created_at: r.text(8),
            created_by: r.text(9),
            committed_at: r.opt_text(10),
            created_members: r.int(11),
            updated_members: r.int(12),
            skipped_rows: r.int(13),
        })
    }

    /// What a plan of `id_numbers` under `org` needs: organizations of the subtree that can hold
    /// members, by name, and which of the numbers are registered, in scope or not.
    pub async fn import_lookup(
        &self,
        access: &Access,
        org: OrgId,
        id_numbers: &[&str],
    ) -> Result<StoreLookup, StoreError> {
        let top = self.get_org(access, org).await?;
        let rows = self
            .db
            .all(
                "SELECT id, name, short_name, path, kind, dissolved_on FROM org WHERE path >= ? AND path < ?",
                params![top.path.clone(), format!("{}~", top.path)],
            )
            .await?;
        let names: HashMap<i64, String> = rows.iter().map(|r| (r.int(0), r.text(1))).collect();
        let mut orgs: HashMap<String, Vec<(OrgId, Vec<String>)>> = HashMap::new();
        for r in rows.iter().filter(|r| r.text(4) != OrgKind::Group.code() && r.opt_text(5).is_none()) {
            let id = OrgId(r.int(0));
            let ancestors: Vec<String> = crate::org::path_ids(&r.text(3))
                .iter()
                .filter(|a| **a != id)
                .filter_map(|a| names.get(&a.0).cloned())
                .collect();
            let short = r.text(2);
            if !short.is_empty() && short != r.text(1) {
                orgs.entry(short).or_default().push((id, ancestors.clone()));
            }
            orgs.entry(r.text(1)).or_default().push((id, ancestors));
        }
        let (mut here, mut elsewhere) = (HashSet::new(), HashSet::new());
        for chunk in id_numbers.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let p: Vec<crate::db::Value> = chunk.iter().map(|n| (*n).into()).collect();
            for r in self
                .db
                .all(
                    &format!(
                        "SELECT m.id_number, o.path FROM member m JOIN org o ON o.id = m.org_id WHERE m.id_number IN ({marks})"
                    ),
                    p,
                )
                .await?
            {
                if access.sees_path(&r.text(1)) {
                    here.insert(r.text(0));
                } else {
                    elsewhere.insert(r.text(0));
                }
            }
        }
        Ok(StoreLookup { orgs, here, elsewhere })
    }

    /// Commits a planned batch: all of it in one transaction, or — if any row has an error, or the
    /// batch was committed already — nothing.
    pub async fn commit_import(
        &self,
        access: &Access,
        id: BatchId,
        rows: &[PlannedRow],
        progress: &mut (dyn FnMut(usize, usize) + Send),
    ) -> Result<Committed, StoreError> {
        access.require(access.may_edit_members())?;
        let batch = self.get_import_batch(access, id).await?;
        let mut w = Write::begin(&self.db).await?;
        // Under the lock: a second commit of the same batch finds it committed.
        let status = w.tx.one("SELECT status FROM import_batch WHERE id = ?", params![id.0]).await?.text(0);
        committable(&status, rows)?;
        let root = load_org(&mut w.tx, access, batch.org_id).await?;
        let mut org_cache: HashMap<OrgId, crate::org::Org> = HashMap::new();
        let mut next = next_id(&mut w.tx, "member").await?;
        let mut members = Batch::new("member", INSERT_COLUMNS);
        let mut memberships = Batch::new("membership", "member_id, org_id, valid_from, valid_to");
        let mut states = Batch::new("member_state", "member_id, kind, status, valid_from, valid_to");
        let mut ledger_rows = Batch::new("ledger", crate::ledger::COLUMNS);
        let mut done_rows = Batch::new("import_row", "batch_id, member_id, action, before");
        let reason = format!("批量导入（第{}批，{}）", id.0, batch.file_name);
        let active = MemberStatus::Active.code();
        let mut done = Committed::default();
        let total = rows.len();
        for (i, row) in rows.iter().enumerate() {
            let Some(fields) = &row.fields else { continue };
            match row.action {
                Action::Create { org, since } => {
                    if let std::collections::hash_map::Entry::Vacant(slot) = org_cache.entry(org) {
                        let o = load_org(&mut w.tx, access, org).await?;
                        crate::member::write::check_receiver(&o)?;
                        slot.insert(o);
                    }
                    let o = &org_cache[&org];
                    let mid = next;
                    next += 1;
                    let mut p = params![mid, o.id.0, active];
                    p.append(&mut field_params(fields));
                    if members.push(&mut w.tx, p).await? {
                        // Rows that reference members go after the members they reference.
                        memberships.flush(&mut w.tx).await?;
                        states.flush(&mut w.tx).await?;
                    }
                    memberships.push(&mut w.tx, params![mid, o.id.0, since, None::<qiangji_domain::Date>]).await?;
                    for (kind, from, to) in initial_states(fields) {
                        states.push(&mut w.tx, params![mid, kind.code(), active, from, to]).await?;
                    }
                    let mut payload = as_object(&field_values(fields));
                    payload["org_id"] = serde_json::json!(o.id.0);
                    payload["org"] = serde_json::json!(o.fields.name);
                    payload["since"] = serde_json::json!(since.to_string());
                    payload["import_batch"] = serde_json::json!(id.0);
                    let entry = w.chain(
                        access,
                        NewEntry {
                            kind: "member.created",
                            org_path: &o.path,
                            subject: format!("member:{mid}"),
                            payload,
                            reason: &reason,
                        },
                    );
                    ledger_rows.push(&mut w.tx, crate::ledger::entry_params(entry)).await?;
                    done_rows.push(&mut w.tx, params![id.0, mid, "created", ""]).await?;
                    done.created += 1;
                }
                Action::Existing(DedupeMode::Skip) => done.skipped += 1,
                Action::Existing(mode) => {
                    // Entries go through the batch in chain order: flush before a one-by-one write.
                    for b in [&mut members, &mut memberships, &mut states, &mut ledger_rows] {
                        b.flush(&mut w.tx).await?;
                    }
                    match self.update_existing(&mut w, access, fields, mode, &reason).await? {
                        Some((member, before)) => {
                            let before = serde_json::to_string(&as_object(&field_values(&before))).unwrap_or_default();
                            done_rows.push(&mut w.tx, params![id.0, member.0, "updated", before]).await?;
                            done.updated += 1;
                        }
                        None => done.skipped += 1,
                    }
                }
                Action::None => {}
            }
            if (i + 1) % 10_000 == 0 {
                progress(i + 1, total);
            }
        }
        for b in [&mut members, &mut memberships, &mut states, &mut ledger_rows, &mut done_rows] {
            b.flush(&mut w.tx).await?;
        }
        w.tx.exec(
            "UPDATE import_batch SET status = 'committed', committed_at = ?, created_members = ?, updated_members = ?, \
             skipped_rows = ? WHERE id = ?",
            params![crate::ledger::now(), done.created as i64, done.updated as i64, done.skipped as i64, id.0],
        )
        .await?;
        w.record(
            access,
            NewEntry {
                kind: "import.committed",
                org_path: &root.path,
                subject: format!("import:{}", id.0),
                payload: serde_json::json!({
                    "file_name": batch.file_name, "sha256": batch.sha256, "mode": batch.mode.code(),
                    "created": done.created, "updated": done.updated, "skipped": done.skipped,
                }),
                reason: &reason,
            },
        )
        .await?;
        w.commit().await.map_err(|e| match e {
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
            w.tx.one("SELECT id FROM member WHERE id_number = ?", params![fields.id_number.to_string()]).await?.int(0),
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

    /// Rolls a committed batch back in one transaction: the members it registered are removed
    /// (their records stay in the ledger, with a `member.removed` entry each) and the members it
    /// updated get their attributes back — refused if anything has happened to them since.
    pub async fn rollback_import(&self, access: &Access, id: BatchId, reason: &str) -> Result<RolledBack, StoreError> {
        access.require(access.may_edit_members())?;
        if reason.trim().is_empty() {
            return Err(StoreError::Refused {
                code: "import.reason_missing", message: "撤销导入须填写原因".into()
            });
        }
        let batch = self.get_import_batch(access, id).await?;
        let mut w = Write::begin(&self.db).await?;
        let status = w.tx.one("SELECT status FROM import_batch WHERE id = ?", params![id.0]).await?.text(0);
        if status != "committed" {
            return Err(StoreError::Refused {
                code: "import.not_committed",
                message: "这批数据没有导入或已撤销".into(),
            });
        }
        let committed_at =
            w.tx.one(
                "SELECT MAX(seq) FROM ledger WHERE kind = 'import.committed' AND subject = ?",
                params![format!("import:{}", id.0)],
            )
            .await?
            .int(0);
        let rows =
            w.tx.all(
                "SELECT member_id, action, before FROM import_row WHERE batch_id = ? ORDER BY member_id",
                params![id.0],
            )
            .await?;
        let blocked = |what: String| StoreError::Refused {
            code: "import.rollback_blocked",
            message: format!("第{}批导入后{what}，不能整批撤销；请逐人处理", id.0),
        };
        for chunk in rows.chunks(500) {
            let ids: Vec<i64> = chunk.iter().map(|r| r.int(0)).collect();
            let marks = vec!["?"; ids.len()].join(", ");
            let subjects: Vec<crate::db::Value> = ids.iter().map(|m| format!("member:{m}").into()).collect();
            let mut p = subjects;
            p.push(committed_at.into());
            let later =
                w.tx.opt(&format!("SELECT subject FROM ledger WHERE subject IN ({marks}) AND seq > ? LIMIT 1"), p)
                    .await?;
            if let Some(r) = later {
                return Err(blocked(format!("党员（{}）已有变更", r.text(0))));
            }
            let created: Vec<i64> = chunk.iter().filter(|r| r.text(1) == "created").map(|r| r.int(0)).collect();
            if created.is_empty() {
                continue;
            }
            let marks = vec!["?"; created.len()].join(", ");
            for (table, what) in [
                ("meeting_attendance", "已有党员记入组织生活"),
                ("org_post", "已有党员担任班子职务"),
                ("app_user", "已有党员开通账户"),
            ] {
                let p: Vec<crate::db::Value> = created.iter().map(|m| (*m).into()).collect();
                if w.tx.opt(&format!("SELECT 1 FROM {table} WHERE member_id IN ({marks}) LIMIT 1"), p).await?.is_some()
                {
                    return Err(blocked(what.to_owned()));
                }
            }
        }
        let root = load_org(&mut w.tx, access, batch.org_id).await?;
        let why = format!("撤销第{}批导入：{}", id.0, reason.trim());
        let mut done = RolledBack::default();
        for r in &rows {
            let member = MemberId(r.int(0));
            let current = self.get_member(access, member).await?;
            let org = load_org(&mut w.tx, access, current.org_id).await?;
            if r.text(1) == "created" {
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
                        payload: serde_json::json!({ "import_batch": id.0, "fields": as_object(&field_values(&current.fields)) }),
                        reason: &why,
                    },
                )
                .await?;
                done.removed += 1;
            } else {
                let before: serde_json::Value = serde_json::from_str(&r.text(2)).map_err(|_| bad("原值"))?;
                let before = fields_from(&before).ok_or_else(|| bad("原值"))?;
                update(&mut w, access, &org, member, &current.fields, &before, &why).await?;
                done.restored += 1;
            }
        }
        w.tx.exec("UPDATE import_batch SET status = 'rolled_back' WHERE id = ?", params![id.0]).await?;
        w.record(
            access,
            NewEntry {
                kind: "import.rolled_back",
                org_path: &root.path,
                subject: format!("import:{}", id.0),
                payload: serde_json::json!({ "removed": done.removed, "restored": done.restored }),
                reason: &why,
            },
        )
        .await?;
        w.commit().await?;
        Ok(done)
    }
}

/// Whether a batch in `status` planned as `rows` may be committed: not committed yet, and no row
/// with an error (a batch goes in whole or not at all).
pub fn committable(status: &str, rows: &[PlannedRow]) -> Result<(), StoreError> {
    if status != "previewed" {
        return Err(StoreError::Refused {
            code: "import.already_committed", message: "这批数据已经导入".into()
        });
    }
    match rows.iter().find(|r| r.has_errors()) {
        Some(r) => Err(StoreError::Refused {
            code: "import.has_errors",
            message: format!("第{}行有错误，整批未导入；请改正后重新上传", r.line),
        }),
        None => Ok(()),
    }
}

/// What a rollback did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RolledBack {
    pub removed: usize,
    pub restored: usize,
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
