//! Import batches: the uploaded file kept as uploaded, the lookups a plan needs, and the commit of
//! a whole batch in one transaction — every created record with its ledger entry, then one
//! `import.committed` entry — so that a batch is in the database entirely or not at all, even if
//! the process is killed halfway. A committed batch can be rolled back while nothing has happened
//! to what it created. Rosters, organizations and meeting records each have their module.

pub mod meeting;
pub mod member;
pub mod org;

use crate::access::Access;
use crate::bulk::Batch;
use crate::db::Tx;
use crate::error::StoreError;
use crate::ledger::{NewEntry, Write};
use crate::org::Org;
use crate::org::write::{load as load_org, next_id};
use crate::{Store, params};
use qiangji_domain::import::{DedupeMode, ImportKind, OrgProblem, Planned};
use qiangji_domain::org::{OrgId, OrgKind, Sector};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// Typed id of an import batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BatchId(pub i64);

/// A batch as stored.
#[derive(Debug, Clone)]
pub struct ImportBatch {
    pub id: BatchId,
    pub kind: ImportKind,
    pub org_id: OrgId,
    pub org_name: String,
    pub file_name: String,
    pub sha256: String,
    pub content: Vec<u8>,
    pub mode: DedupeMode,
    /// `previewed`, `committed` or `rolled_back`.
    pub status: String,
    pub created_at: String,
    pub created_by: String,
    pub committed_at: Option<String>,
    pub created_count: i64,
    pub updated_count: i64,
    pub skipped_rows: i64,
}

/// What a commit did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Committed {
    pub created: usize,
    pub updated: usize,
    pub skipped: usize,
}

/// What a rollback did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RolledBack {
    pub removed: usize,
    pub restored: usize,
}

/// The most bytes an uploaded file may have.
pub const MAX_FILE_BYTES: usize = 200 * 1024 * 1024;

fn bad(what: &str) -> StoreError {
    StoreError::Other(format!("数据库中的导入批次无法识别：{what}"))
}

const COLUMNS: &str = "b.id, b.kind, b.org_id, o.name, b.file_name, b.sha256, b.content, b.mode, b.status, \
     b.created_at, b.created_by, b.committed_at, b.created_count, b.updated_count, b.skipped_rows";

/// Whether `access` may import (and roll back) batches of `kind`: organizations are the tree's
/// managers' business, rosters and records the secretaries'.
pub fn may_import(access: &Access, kind: ImportKind) -> bool {
    match kind {
        ImportKind::Orgs => access.may_manage_orgs(),
        ImportKind::Members | ImportKind::Meetings => access.may_edit_members(),
    }
}

/// Whether a batch in `status` planned as `rows` may be committed: not committed yet, and no row
/// with an error (a batch goes in whole or not at all).
pub fn committable<R: Planned>(status: &str, rows: &[R]) -> Result<(), StoreError> {
    if status != "previewed" {
        return Err(StoreError::Refused {
            code: "import.already_committed", message: "这批数据已经导入".into()
        });
    }
    match rows.iter().find(|r| r.has_errors()) {
        Some(r) => Err(StoreError::Refused {
            code: "import.has_errors",
            message: format!("第{}行有错误，整批未导入；请改正后重新上传", r.line()),
        }),
        None => Ok(()),
    }
}

/// A commit under way: the ledger head locked, the batch found committable, and what it has done.
pub(crate) struct Commit {
    pub w: Write,
    pub batch: ImportBatch,
    /// The organization the batch was imported into.
    pub root: Org,
    pub reason: String,
    /// The batch's `import_row`s, written in bulk.
    rows: Batch,
    done: Committed,
}

impl Commit {
    /// Locks the ledger and checks the batch can be committed as `rows` planned it (under the lock,
    /// a second commit of the same batch finds it committed).
    pub async fn begin<R: Planned>(
        store: &Store,
        access: &Access,
        id: BatchId,
        kind: ImportKind,
        rows: &[R],
    ) -> Result<Commit, StoreError> {
        let batch = store.get_import_batch(access, id).await?;
        access.require(batch.kind == kind && may_import(access, kind))?;
        let mut w = Write::begin(store).await?;
        let status = w.tx.one("SELECT status FROM import_batch WHERE id = ?", params![id.0]).await?.text(0);
        committable(&status, rows)?;
        let root = load_org(&mut w.tx, access, batch.org_id).await?;
        let reason = format!("批量导入（第{}批，{}）", id.0, batch.file_name);
        let rows = Batch::new("import_row", "batch_id, subject_id, action, before");
        Ok(Commit { w, batch, root, reason, rows, done: Committed::default() })
    }

    /// The batch created record `subject`.
    pub async fn created(&mut self, subject: i64) -> Result<(), StoreError> {
        self.rows.push(&mut self.w.tx, params![self.batch.id.0, subject, "created", ""]).await?;
        self.done.created += 1;
        Ok(())
    }

    /// The batch updated record `subject`, which was `before` (as rolling back restores it).
    pub async fn updated(&mut self, subject: i64, before: String) -> Result<(), StoreError> {
        self.rows.push(&mut self.w.tx, params![self.batch.id.0, subject, "updated", before]).await?;
        self.done.updated += 1;
        Ok(())
    }

    /// A row left as it was: its record is registered already.
    pub fn skipped(&mut self) {
        self.done.skipped += 1;
    }

    /// Marks the batch committed with what it did, records `import.committed` and commits.
    pub async fn finish(mut self, access: &Access) -> Result<Committed, StoreError> {
        let (id, done) = (self.batch.id, self.done);
        self.rows.flush(&mut self.w.tx).await?;
        self.w
            .tx
            .exec(
                "UPDATE import_batch SET status = 'committed', committed_at = ?, created_count = ?, updated_count = ?, \
                 skipped_rows = ? WHERE id = ?",
                params![crate::ledger::now(), done.created as i64, done.updated as i64, done.skipped as i64, id.0],
            )
            .await?;
        self.w
            .record(
                access,
                NewEntry {
                    kind: "import.committed",
                    org_path: &self.root.path,
                    subject: format!("import:{}", id.0),
                    payload: serde_json::json!({
                        "kind": self.batch.kind.code(), "file_name": self.batch.file_name, "sha256": self.batch.sha256,
                        "mode": self.batch.mode.code(),
                        "created": done.created, "updated": done.updated, "skipped": done.skipped,
                    }),
                    reason: &self.reason,
                },
            )
            .await?;
        self.w.commit().await?;
        Ok(done)
    }
}

/// An organization of a subtree as rows naming it need it.
#[derive(Debug, Clone)]
pub struct IndexedOrg {
    pub kind: OrgKind,
    pub sector: Sector,
    pub parent: Option<OrgId>,
}

/// The organizations of a subtree that are not dissolved, by name (full and short) with the names
/// of their ancestors, read once per plan.
pub struct OrgIndex {
    by_name: HashMap<String, Vec<(OrgId, Vec<String>)>>,
    orgs: HashMap<OrgId, IndexedOrg>,
}

impl OrgIndex {
    /// The organizations under `top` (itself included) whose kind `keep` accepts.
    pub(crate) async fn load(store: &Store, top: &Org, keep: impl Fn(OrgKind) -> bool) -> Result<OrgIndex, StoreError> {
        let rows = store
            .db
            .all(
                "SELECT id, name, short_name, path, kind, sector, parent_id FROM org \
                 WHERE path >= ? AND path < ? AND dissolved_on IS NULL",
                params![top.path.clone(), format!("{}~", top.path)],
            )
            .await?;
        let names: HashMap<i64, String> = rows.iter().map(|r| (r.int(0), r.text(1))).collect();
        let mut index = OrgIndex { by_name: HashMap::new(), orgs: HashMap::new() };
        for r in &rows {
            let Ok(kind) = OrgKind::parse(&r.text(4)) else { continue };
            if !keep(kind) {
                continue;
            }
            let id = OrgId(r.int(0));
            let ancestors: Vec<String> = crate::org::path_ids(&r.text(3))
                .iter()
                .filter(|a| **a != id)
                .filter_map(|a| names.get(&a.0).cloned())
                .collect();
            let short = r.text(2);
            if !short.is_empty() && short != r.text(1) {
                index.by_name.entry(short).or_default().push((id, ancestors.clone()));
            }
            index.by_name.entry(r.text(1)).or_default().push((id, ancestors));
            let sector = Sector::parse(&r.text(5)).unwrap_or(Sector::Other);
            index.orgs.insert(id, IndexedOrg { kind, sector, parent: r.opt_int(6).map(OrgId) });
        }
        Ok(index)
    }

    /// `name`, or a path `上级/…/名称` when names repeat (villages' branches across towns): the
    /// organization named by the last part under ancestors named by the others.
    pub fn find(&self, name: &str) -> Result<OrgId, OrgProblem> {
        let parts: Vec<&str> = name.split(['/', '／']).map(str::trim).filter(|p| !p.is_empty()).collect();
        let Some((last, above)) = parts.split_last() else {
            return Err(OrgProblem::Unknown);
        };
        let found: Vec<OrgId> = self
            .by_name
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

    pub fn get(&self, id: OrgId) -> Option<&IndexedOrg> {
        self.orgs.get(&id)
    }

    /// The organization named `name` directly under `parent`.
    pub fn child(&self, parent: OrgId, name: &str) -> Option<OrgId> {
        let named = self.by_name.get(name)?;
        named.iter().map(|(id, _)| *id).find(|id| self.orgs.get(id).is_some_and(|o| o.parent == Some(parent)))
    }
}

/// A row of a committed batch: the record it created or updated, and that record before.
pub(crate) struct DoneRow {
    pub subject: i64,
    pub created: bool,
    pub before: String,
}

/// The refusal of a rollback because of `what` happened since the commit.
fn blocked(id: BatchId, what: &str) -> StoreError {
    StoreError::Refused {
        code: "import.rollback_blocked",
        message: format!("第{}批导入后{what}，不能整批撤销；请逐条处理", id.0),
    }
}

/// The first of `subjects` (ledger subjects such as `org:12`) with a ledger entry after `seq`.
pub(crate) async fn changed_since(tx: &mut Tx, subjects: &[String], seq: i64) -> Result<Option<String>, StoreError> {
    for chunk in subjects.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let mut p: Vec<crate::db::Value> = chunk.iter().map(|s| s.clone().into()).collect();
        p.push(seq.into());
        let sql = format!("SELECT subject FROM ledger WHERE subject IN ({marks}) AND seq > ? LIMIT 1");
        if let Some(r) = tx.opt(&sql, p).await? {
            return Ok(Some(r.text(0)));
        }
    }
    Ok(None)
}

impl Store {
    /// Keeps an uploaded file of `kind` for preview and commit under `org` (within scope).
    pub async fn create_import_batch(
        &self,
        access: &Access,
        org: OrgId,
        kind: ImportKind,
        file_name: &str,
        content: &[u8],
        mode: DedupeMode,
    ) -> Result<BatchId, StoreError> {
        access.require(may_import(access, kind))?;
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
             VALUES (?, ?, ?, ?, ?, ?, ?, 'previewed', ?, ?)",
            params![
                id,
                org.id.0,
                kind.code(),
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
            kind: ImportKind::parse(&r.text(1)).map_err(|_| bad("类别"))?,
            org_id: OrgId(r.int(2)),
            org_name: r.text(3),
            file_name: r.text(4),
            sha256: r.text(5),
            content: r.bytes(6),
            mode: DedupeMode::parse(&r.text(7)).ok_or_else(|| bad("方式"))?,
            status: r.text(8),
            created_at: r.text(9),
            created_by: r.text(10),
            committed_at: r.opt_text(11),
            created_count: r.int(12),
            updated_count: r.int(13),
            skipped_rows: r.int(14),
        })
    }

    /// Rolls a committed batch back in one transaction: what it created is removed (its records
    /// stay in the ledger, with a removal entry each) and what it updated gets its attributes back
    /// — refused if anything has happened to them since.
    pub async fn rollback_import(&self, access: &Access, id: BatchId, reason: &str) -> Result<RolledBack, StoreError> {
        if reason.trim().is_empty() {
            return Err(StoreError::Refused {
                code: "import.reason_missing", message: "撤销导入须填写原因".into()
            });
        }
        let batch = self.get_import_batch(access, id).await?;
        access.require(may_import(access, batch.kind))?;
        let mut w = Write::begin(self).await?;
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
        let rows: Vec<DoneRow> =
            w.tx.all(
                "SELECT subject_id, action, before FROM import_row WHERE batch_id = ? ORDER BY subject_id",
                params![id.0],
            )
            .await?
            .iter()
            .map(|r| DoneRow { subject: r.int(0), created: r.text(1) == "created", before: r.text(2) })
            .collect();
        let root = load_org(&mut w.tx, access, batch.org_id).await?;
        let why = format!("撤销第{}批导入：{}", id.0, reason.trim());
        let done = match batch.kind {
            ImportKind::Members => self.rollback_members(&mut w, access, id, &rows, committed_at, &why).await?,
            ImportKind::Orgs => org::rollback(&mut w, access, id, &rows, committed_at, &why).await?,
            ImportKind::Meetings => meeting::rollback(&mut w, access, id, &rows, committed_at, &why).await?,
        };
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
