//! Organizations: reading the tree within scope, and creating, editing, moving and dissolving.

mod dissolve;
pub mod posts;
pub(crate) mod write;

use crate::access::Access;
use crate::db::Row;
use crate::error::StoreError;
use crate::{Store, params};
use qiangji_domain::Date;
use qiangji_domain::org::{FormationMode, OrgFields, OrgId, OrgKind, Sector};

/// A stored organization.
#[derive(Debug, Clone, PartialEq)]
pub struct Org {
    pub id: OrgId,
    pub parent_id: Option<OrgId>,
    pub path: String,
    pub fields: OrgFields,
    pub dissolved_on: Option<Date>,
}

impl Org {
    /// Depth in the tree; the root is 1.
    pub fn depth(&self) -> usize {
        self.path.matches('/').count() - 1
    }

    pub fn is_dissolved(&self) -> bool {
        self.dissolved_on.is_some()
    }

    /// Ids on the path from the root down to this organization.
    pub fn lineage(&self) -> Vec<OrgId> {
        path_ids(&self.path)
    }
}

/// One path segment: the id zero-padded to fixed width so that paths sort in tree order.
pub fn segment(id: i64) -> String {
    format!("{id:08}/")
}

pub fn path_ids(path: &str) -> Vec<OrgId> {
    path.split('/').filter(|s| !s.is_empty()).filter_map(|s| s.parse().ok()).map(OrgId).collect()
}

pub(crate) const COLUMNS: &str = "o.id, o.parent_id, o.path, o.name, o.short_name, o.kind, o.sector, o.formation_mode, \
     o.regional, o.joint, o.temporary, o.founded_on, o.term_start, o.term_years, o.host_units, o.contact, o.phone, \
     o.address, o.dissolved_on";

fn parse_code<T>(r: Result<T, qiangji_domain::code::UnknownCode>) -> Result<T, StoreError> {
    r.map_err(|e| StoreError::Other(format!("数据库中有无法识别的代码：{e}")))
}

pub(crate) fn org_of(r: &Row) -> Result<Org, StoreError> {
    Ok(Org {
        id: OrgId(r.int(0)),
        parent_id: r.opt_int(1).map(OrgId),
        path: r.text(2),
        fields: OrgFields {
            name: r.text(3),
            short_name: r.text(4),
            kind: parse_code(OrgKind::parse(&r.text(5)))?,
            sector: parse_code(Sector::parse(&r.text(6)))?,
            formation_mode: parse_code(FormationMode::parse(&r.text(7)))?,
            regional: r.flag(8),
            joint: r.flag(9),
            temporary: r.flag(10),
            founded_on: r.opt_date(11),
            term_start: r.opt_date(12),
            term_years: r.opt_int(13).and_then(|y| u8::try_from(y).ok()),
            host_units: r.text(14),
            contact: r.text(15),
            phone: r.text(16),
            address: r.text(17),
        },
        dissolved_on: r.opt_date(18),
    })
}

impl Store {
    /// One organization, if it exists and is within the actor's scope.
    pub async fn get_org(&self, access: &Access, id: OrgId) -> Result<Org, StoreError> {
        let (pred, mut p) = access.org_predicate();
        let mut params = params![id.0];
        params.append(&mut p);
        let r = self.db.one(&format!("SELECT {COLUMNS} FROM org o WHERE o.id = ? AND {pred}"), params).await?;
        org_of(&r)
    }

    /// Direct children within scope, in tree order; dissolved ones included (they are history).
    pub async fn list_children(&self, access: &Access, id: OrgId) -> Result<Vec<Org>, StoreError> {
        // The parent must be visible too: children of an unseen organization are not listed.
        self.get_org(access, id).await?;
        let (pred, mut p) = access.org_predicate();
        let mut params = params![id.0];
        params.append(&mut p);
        self.db
            .all(&format!("SELECT {COLUMNS} FROM org o WHERE o.parent_id = ? AND {pred} ORDER BY o.path"), params)
            .await?
            .iter()
            .map(org_of)
            .collect()
    }

    /// Ancestors of an organization that the actor may see, root first (the breadcrumb).
    pub async fn list_ancestors(&self, access: &Access, org: &Org) -> Result<Vec<Org>, StoreError> {
        let ids: Vec<OrgId> = org.lineage().into_iter().filter(|i| *i != org.id).collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let (pred, scope) = access.org_predicate();
        let marks = vec!["?"; ids.len()].join(", ");
        let mut params: Vec<crate::db::Value> = ids.iter().map(|i| i.0.into()).collect();
        params.extend(scope);
        self.db
            .all(&format!("SELECT {COLUMNS} FROM org o WHERE o.id IN ({marks}) AND {pred} ORDER BY o.path"), params)
            .await?
            .iter()
            .map(org_of)
            .collect()
    }

    /// Organizations within scope whose name contains `query`, in tree order.
    pub async fn search_orgs(&self, access: &Access, query: &str, limit: i64) -> Result<Vec<Org>, StoreError> {
        let (pred, p) = access.org_predicate();
        let mut params = p;
        params.push(format!("%{}%", escape_like(query.trim())).into());
        params.push(limit.into());
        self.db
            .all(
                &format!(
                    "SELECT {COLUMNS} FROM org o WHERE {pred} AND o.name LIKE ? ESCAPE '\\' ORDER BY o.path LIMIT ?"
                ),
                params,
            )
            .await?
            .iter()
            .map(org_of)
            .collect()
    }

    /// The names of the organizations `ids` that are in scope.
    pub async fn org_names(
        &self,
        access: &Access,
        ids: &[OrgId],
    ) -> Result<std::collections::HashMap<OrgId, String>, StoreError> {
        if ids.is_empty() {
            return Ok(Default::default());
        }
        let (pred, scope) = access.org_predicate();
        let marks = vec!["?"; ids.len()].join(", ");
        let mut p: Vec<crate::db::Value> = ids.iter().map(|i| i.0.into()).collect();
        p.extend(scope);
        let rows =
            self.db.all(&format!("SELECT o.id, o.name FROM org o WHERE o.id IN ({marks}) AND {pred}"), p).await?;
        Ok(rows.iter().map(|r| (OrgId(r.int(0)), r.text(1))).collect())
    }

    /// Every organization in scope, in tree order (for the in-memory index and pickers).
    pub async fn list_orgs(&self, access: &Access) -> Result<Vec<Org>, StoreError> {
        let (pred, p) = access.org_predicate();
        self.db
            .all(&format!("SELECT {COLUMNS} FROM org o WHERE {pred} ORDER BY o.path"), p)
            .await?
            .iter()
            .map(org_of)
            .collect()
    }
}

/// Escapes LIKE wildcards so that a search for "50%" means the text.
pub(crate) fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_sort_in_tree_order_and_parse_back() {
        let root = format!("/{}", segment(1));
        let a = format!("{root}{}", segment(2));
        let a_child = format!("{a}{}", segment(100));
        let b = format!("{root}{}", segment(10));
        let mut v = vec![b.clone(), a_child.clone(), root.clone(), a.clone()];
        v.sort();
        assert_eq!(v, [root, a.clone(), a_child.clone(), b]);
        assert_eq!(path_ids(&a_child), [OrgId(1), OrgId(2), OrgId(100)]);
    }
}
