//! Importing organizations: the lookup of the tree in scope, the commit (each new organization
//! created under its parent — one of the tree, or one an earlier row created — with its
//! `org.created` entry) and the rollback (the organizations removed, children first, each with an
//! `org.removed` entry).

use super::{BatchId, Commit, Committed, DoneRow, OrgIndex, RolledBack, blocked};
use crate::access::Access;
use crate::error::StoreError;
use crate::ledger::{NewEntry, Write, as_object};
use crate::org::Org;
use crate::org::write::{field_values, insert, load as load_org, raise_id_floor};
use crate::{Store, params};
use qiangji_domain::import::org::{Action, KnownOrg, Lookup, Parent, PlannedOrg};
use qiangji_domain::import::{ImportKind, OrgProblem};
use qiangji_domain::org::{OrgError, OrgId, check_placement};
use std::collections::HashMap;

/// The tree in the importer's scope as an organization plan sees it.
pub struct OrgLookup {
    root: KnownOrg,
    orgs: OrgIndex,
}

impl OrgLookup {
    fn known(&self, id: OrgId) -> Option<KnownOrg> {
        self.orgs.get(id).map(|o| KnownOrg { id, kind: o.kind, sector: o.sector })
    }
}

impl Lookup for OrgLookup {
    fn root(&self) -> KnownOrg {
        self.root
    }

    fn org(&self, name: &str) -> Result<KnownOrg, OrgProblem> {
        self.orgs.find(name).and_then(|id| self.known(id).ok_or(OrgProblem::Unknown))
    }

    fn child(&self, parent: OrgId, name: &str) -> Option<OrgId> {
        self.orgs.child(parent, name)
    }
}

impl Store {
    /// What an organization plan under `org` needs: the subtree's organizations by name.
    pub async fn org_import_lookup(&self, access: &Access, org: OrgId) -> Result<OrgLookup, StoreError> {
        let top = self.get_org(access, org).await?;
        if top.is_dissolved() {
            return Err(OrgError::Dissolved.into());
        }
        let orgs = OrgIndex::load(self, &top, |_| true).await?;
        let root = KnownOrg { id: top.id, kind: top.fields.kind, sector: top.fields.sector };
        Ok(OrgLookup { root, orgs })
    }

    /// Commits a planned batch of organizations: all in one transaction, or nothing.
    pub async fn commit_orgs(
        &self,
        access: &Access,
        id: BatchId,
        rows: &[PlannedOrg],
    ) -> Result<Committed, StoreError> {
        let mut c = Commit::begin(self, access, id, ImportKind::Orgs, rows).await?;
        let mut created: HashMap<usize, Org> = HashMap::new();
        for row in rows {
            let (Action::Create { parent }, Some(fields)) = (row.action, &row.fields) else {
                if matches!(row.action, Action::Existing(_)) {
                    c.skipped();
                }
                continue;
            };
            let parent = match parent {
                Parent::Org(p) => load_org(&mut c.w.tx, access, p).await?,
                Parent::Row(line) => created.get(&line).cloned().ok_or_else(|| StoreError::Refused {
                    code: "import.parent_row_invalid",
                    message: format!("第{}行的上级党组织（第{line}行）没有导入", row.line),
                })?,
            };
            if parent.is_dissolved() {
                return Err(OrgError::Dissolved.into());
            }
            check_placement(fields.kind, Some(parent.fields.kind))?;
            // Checked again under the lock: the preview may be older than someone's new organization.
            let taken =
                c.w.tx
                    .opt(
                        "SELECT 1 FROM org WHERE parent_id = ? AND name = ? AND dissolved_on IS NULL",
                        params![parent.id.0, fields.name.clone()],
                    )
                    .await?;
            if taken.is_some() {
                return Err(StoreError::Refused {
                    code: "import.changed_meanwhile",
                    message: format!(
                        "导入期间“{}”下已建立“{}”，整批未导入；请重新上传",
                        parent.fields.name, fields.name
                    ),
                });
            }
            let new = insert(&mut c.w, access, Some(&parent), fields, &c.reason).await?;
            c.created(new.0).await?;
            created.insert(row.line, load_org(&mut c.w.tx, access, new).await?);
        }
        c.finish(access).await
    }
}

/// Removes the organizations a batch created, children first — refused if anything has been
/// written under any of them since the commit (every write leaves a ledger entry with the path of
/// its organization), or if anything outside the ledger refers to them.
pub(super) async fn rollback(
    w: &mut Write,
    access: &Access,
    id: BatchId,
    rows: &[DoneRow],
    committed_at: i64,
    why: &str,
) -> Result<RolledBack, StoreError> {
    let mut orgs = Vec::with_capacity(rows.len());
    for r in rows.iter().filter(|r| r.created) {
        orgs.push(load_org(&mut w.tx, access, OrgId(r.subject)).await?);
    }
    for o in &orgs {
        let later =
            w.tx.opt(
                "SELECT 1 FROM ledger WHERE seq > ? AND org_path >= ? AND org_path < ? LIMIT 1",
                params![committed_at, o.path.clone(), format!("{}~", o.path)],
            )
            .await?;
        if later.is_some() {
            return Err(blocked(id, &format!("“{}”已有变更或下设了组织、党员、记录", o.fields.name)));
        }
        for (sql, what) in [
            ("SELECT 1 FROM import_batch WHERE org_id = ?", "已向其中上传导入文件"),
            ("SELECT 1 FROM app_user WHERE scope_org_id = ?", "已为其开通账户"),
            ("SELECT 1 FROM reminder WHERE org_id = ?", "已向其发出提醒"),
            ("SELECT 1 FROM registry_batch WHERE org_id = ?", "已向其上传流动党员比对文件"),
        ] {
            if w.tx.opt(sql, params![o.id.0]).await?.is_some() {
                return Err(blocked(id, &format!("“{}”{what}", o.fields.name)));
            }
        }
    }
    if let Some(last) = orgs.iter().map(|o| o.id.0).max() {
        raise_id_floor(&mut w.tx, "org", last).await?;
    }
    // Deepest first, so that no organization goes before its children.
    orgs.sort_by_key(|o| std::cmp::Reverse(o.path.len()));
    for o in &orgs {
        w.tx.exec("DELETE FROM org WHERE id = ?", params![o.id.0]).await?;
        w.record(
            access,
            NewEntry {
                kind: "org.removed",
                org_path: &o.path,
                subject: format!("org:{}", o.id.0),
                payload: serde_json::json!({ "import_batch": id.0, "fields": as_object(&field_values(&o.fields)) }),
                reason: why,
            },
        )
        .await?;
    }
    Ok(RolledBack { removed: orgs.len(), restored: 0 })
}
