//! Host entities (两新组织) and the reconciliations of registry extracts against them. An entity
//! belongs to the Party organization whose registry it is in and is seen by whoever sees that
//! organization; member accounts see none. Reads here, writes in `write.rs`.

mod write;

pub use write::{Apply, MAX_FILE_BYTES};

use crate::access::Access;
use crate::db::{Row, Value};
use crate::error::StoreError;
use crate::{Store, params};
use qiangji_domain::host_entity::reconcile::{
    Counts, Entry, ExtractRow, ReconcileSource, Report, Unreadable, read_extract, reconcile,
};
use qiangji_domain::host_entity::{CreditCode, EntityStatus, HostEntityFields, HostEntityId, HostEntityKind};
use qiangji_domain::org::OrgId;
use std::collections::HashSet;

/// A stored host entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostEntity {
    pub id: HostEntityId,
    pub org_id: OrgId,
    pub org_name: String,
    pub fields: HostEntityFields,
    /// The name of `fields.party_org_id`, empty without one.
    pub party_org_name: String,
    /// Set when a reconciliation found it missing from an extract (待核实).
    pub check_note: String,
    pub created_at: String,
    pub created_by: String,
    pub updated_at: String,
    pub updated_by: String,
}

/// What a list shows: a name or code fragment, a kind, and the page.
#[derive(Debug, Clone, Default)]
pub struct HostEntityFilter {
    pub q: String,
    pub kind: Option<HostEntityKind>,
    pub offset: i64,
    /// None: every match (downloads).
    pub limit: Option<i64>,
}

/// A page of a list and how many match in all.
#[derive(Debug, Clone, Default)]
pub struct HostEntityPage {
    pub total: i64,
    pub items: Vec<HostEntity>,
}

/// A stored reconciliation: what was uploaded and the size of each section as of the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reconciliation {
    pub id: i64,
    pub org_id: OrgId,
    pub org_name: String,
    pub source: ReconcileSource,
    pub file_name: String,
    pub sha256: String,
    pub counts: Counts,
    pub created_at: String,
    pub created_by: String,
}

pub(crate) fn bad(what: &str) -> StoreError {
    StoreError::Other(format!("数据库中的两新组织记录无法识别：{what}"))
}

const COLUMNS: &str = "h.id, h.org_id, o.name, h.credit_code, h.name, h.kind, h.registered_on, h.legal_rep, h.address, \
     h.employees, h.status, h.party_org_id, COALESCE(p.name, ''), h.check_note, h.created_at, h.created_by, \
     h.updated_at, h.updated_by";

const FROM: &str = "host_entity h JOIN org o ON o.id = h.org_id LEFT JOIN org p ON p.id = h.party_org_id";

fn entity_of(r: &Row) -> Result<HostEntity, StoreError> {
    Ok(HostEntity {
        id: HostEntityId(r.int(0)),
        org_id: OrgId(r.int(1)),
        org_name: r.text(2),
        fields: HostEntityFields {
            credit_code: CreditCode::parse(&r.text(3)).map_err(|e| bad(&e.to_string()))?,
            name: r.text(4),
            kind: HostEntityKind::parse(&r.text(5)).map_err(|e| bad(&e.to_string()))?,
            registered_on: r.opt_date(6),
            legal_rep: r.text(7),
            address: r.text(8),
            employees: r.opt_int(9),
            status: EntityStatus::parse(&r.text(10)).map_err(|e| bad(&e.to_string()))?,
            party_org_id: r.opt_int(11),
        },
        party_org_name: r.text(12),
        check_note: r.text(13),
        created_at: r.text(14),
        created_by: r.text(15),
        updated_at: r.text(16),
        updated_by: r.text(17),
    })
}

/// The entities of the area below `path` (the organization's subtree), as the reconciliation
/// sees them: one query, run in a transaction or not.
pub(crate) fn area_query(path: &str) -> (String, Vec<Value>) {
    (
        format!("SELECT {COLUMNS} FROM {FROM} WHERE o.path >= ? AND o.path < ? ORDER BY h.id"),
        params![path.to_owned(), format!("{path}~")],
    )
}

pub(crate) fn entries(rows: &[Row]) -> Result<Vec<Entry>, StoreError> {
    rows.iter().map(|r| entity_of(r).map(|e| Entry { id: e.id, fields: e.fields })).collect()
}

const RUN_COLUMNS: &str = "r.id, r.org_id, o.name, r.source, r.file_name, r.sha256, r.row_count, r.equal_count, \
     r.mismatched_count, r.closed_count, r.new_count, r.missing_count, r.unreadable_count, r.created_at, r.created_by";

fn run_of(r: &Row) -> Result<Reconciliation, StoreError> {
    let n = |i: usize| r.int(i) as usize;
    Ok(Reconciliation {
        id: r.int(0),
        org_id: OrgId(r.int(1)),
        org_name: r.text(2),
        source: ReconcileSource::parse(&r.text(3)).map_err(|e| bad(&e.to_string()))?,
        file_name: r.text(4),
        sha256: r.text(5),
        counts: Counts {
            rows: n(6),
            equal: n(7),
            mismatched: n(8),
            closed: n(9),
            new: n(10),
            missing: n(11),
            unreadable: n(12),
        },
        created_at: r.text(13),
        created_by: r.text(14),
    })
}

impl Store {
    /// The condition (on organizations `o`) and parameters of `org`'s subtree within the grant,
    /// for an officer: member accounts have no business with host entities.
    async fn subtree(&self, access: &Access, org: OrgId) -> Result<(String, Vec<Value>), StoreError> {
        access.require(access.may_edit_members())?;
        let top = self.get_org(access, org).await?;
        let (pred, scope) = access.org_predicate();
        let mut p = params![top.path.clone(), format!("{}~", top.path)];
        p.extend(scope);
        Ok((format!("o.path >= ? AND o.path < ? AND {pred}"), p))
    }

    /// Entities of `org`'s subtree matching the filter, by name and id.
    pub async fn list_host_entities(
        &self,
        access: &Access,
        org: OrgId,
        filter: &HostEntityFilter,
    ) -> Result<HostEntityPage, StoreError> {
        let (mut cond, mut p) = self.subtree(access, org).await?;
        let q = filter.q.trim();
        if !q.is_empty() {
            cond.push_str(" AND (h.name LIKE ? OR h.credit_code LIKE ?)");
            let like = format!("%{}%", q.replace(['%', '_'], ""));
            p.push(like.clone().into());
            p.push(like.to_uppercase().into());
        }
        if let Some(kind) = filter.kind {
            cond.push_str(" AND h.kind = ?");
            p.push(kind.code().into());
        }
        let total = self.db.one(&format!("SELECT COUNT(*) FROM {FROM} WHERE {cond}"), p.clone()).await?.int(0);
        let page = match filter.limit {
            Some(limit) => format!(" LIMIT {} OFFSET {}", limit.max(0), filter.offset.max(0)),
            None => String::new(),
        };
        let items = self
            .db
            .all(&format!("SELECT {COLUMNS} FROM {FROM} WHERE {cond} ORDER BY o.path, h.name, h.id{page}"), p)
            .await?
            .iter()
            .map(entity_of)
            .collect::<Result<_, _>>()?;
        Ok(HostEntityPage { total, items })
    }

    /// One entity within the grant.
    pub async fn get_host_entity(&self, access: &Access, id: HostEntityId) -> Result<HostEntity, StoreError> {
        access.require(access.may_edit_members())?;
        let (pred, scope) = access.org_predicate();
        let mut p = params![id.0];
        p.extend(scope);
        entity_of(&self.db.one(&format!("SELECT {COLUMNS} FROM {FROM} WHERE h.id = ? AND {pred}"), p).await?)
    }

    /// Reconciliations made by organizations of `org`'s subtree, newest first (at most 50).
    pub async fn list_reconciliations(&self, access: &Access, org: OrgId) -> Result<Vec<Reconciliation>, StoreError> {
        let (cond, p) = self.subtree(access, org).await?;
        self.db
            .all(
                &format!(
                    "SELECT {RUN_COLUMNS} FROM host_entity_reconciliation r JOIN org o ON o.id = r.org_id \
                     WHERE {cond} ORDER BY r.id DESC LIMIT 50"
                ),
                p,
            )
            .await?
            .iter()
            .map(run_of)
            .collect()
    }

    /// One reconciliation within the grant and the file as uploaded.
    pub async fn get_reconciliation(&self, access: &Access, id: i64) -> Result<(Reconciliation, Vec<u8>), StoreError> {
        access.require(access.may_edit_members())?;
        let (pred, scope) = access.org_predicate();
        let mut p = params![id];
        p.extend(scope);
        let r = self
            .db
            .one(
                &format!(
                    "SELECT {RUN_COLUMNS}, r.content FROM host_entity_reconciliation r JOIN org o ON o.id = r.org_id \
                     WHERE r.id = ? AND {pred}"
                ),
                p,
            )
            .await?;
        Ok((run_of(&r)?, r.bytes(15)))
    }

    /// The report of a stored reconciliation: its file matched again with the registry as it is now.
    pub async fn reconciliation_report(
        &self,
        access: &Access,
        id: i64,
    ) -> Result<(Reconciliation, Report), StoreError> {
        let (run, content) = self.get_reconciliation(access, id).await?;
        let org = self.get_org(access, run.org_id).await?;
        let (rows, unreadable) = read_extract(&content)?;
        let report = report(&mut &self.db, &org.path, run.source, rows, unreadable).await?;
        Ok((run, report))
    }
}

/// Runs reads on the pool or inside a write, so that a report is computed the same way in both.
pub(crate) trait Reader {
    fn rows(&mut self, sql: &str, p: Vec<Value>) -> impl Future<Output = Result<Vec<Row>, StoreError>> + Send;
}

impl Reader for &crate::db::Db {
    fn rows(&mut self, sql: &str, p: Vec<Value>) -> impl Future<Output = Result<Vec<Row>, StoreError>> + Send {
        self.all(sql, p)
    }
}

impl Reader for crate::db::Tx {
    fn rows(&mut self, sql: &str, p: Vec<Value>) -> impl Future<Output = Result<Vec<Row>, StoreError>> + Send {
        self.all(sql, p)
    }
}

/// Credit codes looked up per statement.
pub(crate) const CHUNK: usize = 500;

/// Matches an extract's rows with the registry of the area below `path`: the area's entities, and
/// which of the other codes are registered elsewhere in the deployment (only whether, not where).
pub(crate) async fn report(
    db: &mut impl Reader,
    path: &str,
    source: ReconcileSource,
    rows: Vec<ExtractRow>,
    unreadable: Vec<Unreadable>,
) -> Result<Report, StoreError> {
    let (sql, p) = area_query(path);
    let registry = entries(&db.rows(&sql, p).await?)?;
    let known: HashSet<&CreditCode> = registry.iter().map(|e| &e.fields.credit_code).collect();
    let outside: Vec<&CreditCode> = rows.iter().map(|r| &r.credit_code).filter(|c| !known.contains(c)).collect();
    let mut elsewhere = HashSet::new();
    for chunk in outside.chunks(CHUNK) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let p = chunk.iter().map(|c| c.as_str().into()).collect();
        for r in db.rows(&format!("SELECT credit_code FROM host_entity WHERE credit_code IN ({marks})"), p).await? {
            elsewhere.insert(CreditCode::parse(&r.text(0)).map_err(|e| bad(&e.to_string()))?);
        }
    }
    Ok(reconcile(source, rows, unreadable, &registry, &elsewhere))
}
