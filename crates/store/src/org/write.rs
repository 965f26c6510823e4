//! Creating, editing and moving organizations. Each is one transaction with its ledger entry.

use super::{COLUMNS, Org, org_of, segment};
use crate::access::Access;
use crate::db::Tx;
use crate::error::StoreError;
use crate::ledger::{NewEntry, Write, as_object, diff};
use crate::{Store, params};
use qiangji_domain::org::{OrgError, OrgFields, OrgId, check_placement};

/// The stored rendering of organization attributes, in column order (also the ledger's field names).
pub(crate) fn field_values(f: &OrgFields) -> Vec<(&'static str, String)> {
    let opt = |d: Option<qiangji_domain::Date>| d.map(|d| d.to_string()).unwrap_or_default();
    vec![
        ("name", f.name.clone()),
        ("short_name", f.short_name.clone()),
        ("kind", f.kind.code().into()),
        ("sector", f.sector.code().into()),
        ("formation_mode", f.formation_mode.code().into()),
        ("regional", u8::from(f.regional).to_string()),
        ("joint", u8::from(f.joint).to_string()),
        ("temporary", u8::from(f.temporary).to_string()),
        ("founded_on", opt(f.founded_on)),
        ("term_start", opt(f.term_start)),
        ("term_years", f.term_years.map(|y| y.to_string()).unwrap_or_default()),
        ("host_units", f.host_units.clone()),
        ("contact", f.contact.clone()),
        ("phone", f.phone.clone()),
        ("address", f.address.clone()),
    ]
}

pub(crate) fn field_params(f: &OrgFields) -> Vec<crate::db::Value> {
    params![
        f.name.clone(),
        f.short_name.clone(),
        f.kind.code(),
        f.sector.code(),
        f.formation_mode.code(),
        f.regional,
        f.joint,
        f.temporary,
        f.founded_on,
        f.term_start,
        f.term_years.map(i64::from),
        f.host_units.clone(),
        f.contact.clone(),
        f.phone.clone(),
        f.address.clone()
    ]
}

pub(crate) const INSERT: &str = "INSERT INTO org (id, parent_id, path, name, short_name, kind, sector, formation_mode, \
     regional, joint, temporary, founded_on, term_start, term_years, host_units, contact, phone, address) \
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

/// Loads an organization inside a write transaction, within the actor's scope.
pub(crate) async fn load(tx: &mut Tx, access: &Access, id: OrgId) -> Result<Org, StoreError> {
    let (pred, mut p) = access.org_predicate();
    let mut params = params![id.0];
    params.append(&mut p);
    org_of(&tx.one(&format!("SELECT {COLUMNS} FROM org o WHERE o.id = ? AND {pred}"), params).await?)
}

/// Ids are allocated under the ledger head lock, so `MAX + 1` cannot race; never below the ids of
/// records a rolled-back import removed (see [`raise_id_floor`]).
pub(crate) async fn next_id(tx: &mut Tx, table: &str) -> Result<i64, StoreError> {
    let sql = format!(
        "SELECT MAX(n) FROM (SELECT COALESCE(MAX(id), 0) + 1 AS n FROM {table} \
         UNION ALL SELECT next_id FROM id_floor WHERE tbl = ?) ids"
    );
    Ok(tx.one(&sql, params![table]).await?.int(0))
}

/// Keeps `table` from giving `removed` (or any lower id) again: a ledger subject names one record.
pub(crate) async fn raise_id_floor(tx: &mut Tx, table: &str, removed: i64) -> Result<(), StoreError> {
    tx.exec("DELETE FROM id_floor WHERE tbl = ? AND next_id <= ?", params![table, removed]).await?;
    tx.exec(
        "INSERT INTO id_floor (tbl, next_id) SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM id_floor WHERE tbl = ?)",
        params![table, removed + 1, table],
    )
    .await?;
    Ok(())
}

pub(crate) async fn insert(
    w: &mut Write,
    access: &Access,
    parent: Option<&Org>,
    fields: &OrgFields,
    reason: &str,
) -> Result<OrgId, StoreError> {
    let id = next_id(&mut w.tx, "org").await?;
    let path = format!("{}{}", parent.map_or("/", |p| p.path.as_str()), segment(id));
    let mut p = params![id, parent.map(|p| p.id.0), path.clone()];
    p.append(&mut field_params(fields));
    w.tx.exec(INSERT, p).await?;
    let mut payload = as_object(&field_values(fields));
    payload["parent_id"] = serde_json::json!(parent.map(|p| p.id.0));
    w.record(access, NewEntry { kind: "org.created", org_path: &path, subject: format!("org:{id}"), payload, reason })
        .await?;
    Ok(OrgId(id))
}

impl Store {
    /// Creates the root organization of an empty deployment (maintenance only).
    pub async fn create_root_org(
        &self,
        access: &Access,
        fields: &OrgFields,
        reason: &str,
    ) -> Result<OrgId, StoreError> {
        access.require(access.may_manage_users())?;
        check_placement(fields.kind, None)?;
        let mut w = Write::begin(self).await?;
        let id = insert(&mut w, access, None, fields, reason).await?;
        w.commit().await?;
        Ok(id)
    }

    /// Creates an organization under `parent`.
    pub async fn create_org(
        &self,
        access: &Access,
        parent: OrgId,
        fields: &OrgFields,
        reason: &str,
    ) -> Result<OrgId, StoreError> {
        access.require(access.may_manage_orgs())?;
        let mut w = Write::begin(self).await?;
        let parent = load(&mut w.tx, access, parent).await?;
        if parent.is_dissolved() {
            return Err(OrgError::Dissolved.into());
        }
        check_placement(fields.kind, Some(parent.fields.kind))?;
        let id = insert(&mut w, access, Some(&parent), fields, reason).await?;
        w.commit().await?;
        Ok(id)
    }

    /// Changes an organization's attributes. A change of kind must still fit parent and children.
    pub async fn update_org(
        &self,
        access: &Access,
        id: OrgId,
        fields: &OrgFields,
        reason: &str,
    ) -> Result<(), StoreError> {
        access.require(access.may_manage_orgs())?;
        let mut w = Write::begin(self).await?;
        let org = load(&mut w.tx, access, id).await?;
        if org.is_dissolved() {
            return Err(OrgError::Dissolved.into());
        }
        if fields.kind != org.fields.kind {
            let parent_kind = match org.parent_id {
                Some(p) => Some(load_unscoped_kind(&mut w.tx, p).await?),
                None => None,
            };
            check_placement(fields.kind, parent_kind)?;
            let kids =
                w.tx.all("SELECT kind FROM org WHERE parent_id = ? AND dissolved_on IS NULL", params![id.0]).await?;
            for k in kids {
                let kind = super::parse_code(qiangji_domain::org::OrgKind::parse(&k.text(0)))?;
                check_placement(kind, Some(fields.kind))?;
            }
        }
        let changes = diff(&field_values(&org.fields), &field_values(fields));
        if changes.is_empty() {
            return Ok(());
        }
        let mut p = field_params(fields);
        p.push(id.0.into());
        w.tx.exec(
            "UPDATE org SET name = ?, short_name = ?, kind = ?, sector = ?, formation_mode = ?, regional = ?, joint = ?, \
             temporary = ?, founded_on = ?, term_start = ?, term_years = ?, host_units = ?, contact = ?, phone = ?, \
             address = ? WHERE id = ?",
            p,
        )
        .await?;
        w.record(
            access,
            NewEntry {
                kind: "org.updated",
                org_path: &org.path,
                subject: format!("org:{}", id.0),
                payload: serde_json::json!({ "changes": changes }),
                reason,
            },
        )
        .await?;
        w.commit().await
    }

    /// Moves an organization (and its whole subtree) under a new parent.
    pub async fn move_org(
        &self,
        access: &Access,
        id: OrgId,
        new_parent: OrgId,
        reason: &str,
    ) -> Result<(), StoreError> {
        access.require(access.may_manage_orgs())?;
        let mut w = Write::begin(self).await?;
        let org = load(&mut w.tx, access, id).await?;
        if org.parent_id.is_none() || org.id.0 == access.scope_org_id() {
            return Err(OrgError::RootIsFixed.into());
        }
        if org.is_dissolved() {
            return Err(OrgError::Dissolved.into());
        }
        let parent = load(&mut w.tx, access, new_parent).await?;
        if parent.path.starts_with(&org.path) {
            return Err(OrgError::MoveIntoOwnSubtree.into());
        }
        if parent.is_dissolved() {
            return Err(OrgError::Dissolved.into());
        }
        if Some(parent.id) == org.parent_id {
            return Ok(());
        }
        check_placement(org.fields.kind, Some(parent.fields.kind))?;
        let new_path = format!("{}{}", parent.path, segment(id.0));
        // Rewrites the prefix of every path in the subtree; ids are unique, so no path collides.
        w.tx.exec(
            "UPDATE org SET path = ? || substr(path, CAST(? AS INTEGER)) WHERE path >= ? AND path < ?",
            params![new_path.clone(), (org.path.len() + 1) as i64, org.path.clone(), format!("{}~", org.path)],
        )
        .await?;
        w.tx.exec("UPDATE org SET parent_id = ? WHERE id = ?", params![parent.id.0, id.0]).await?;
        w.record(
            access,
            NewEntry {
                kind: "org.moved",
                org_path: &common_prefix(&org.path, &new_path),
                subject: format!("org:{}", id.0),
                payload: serde_json::json!({
                    "from_parent_id": org.parent_id.map(|p| p.0),
                    "to_parent_id": parent.id.0,
                    "from_path": org.path,
                    "to_path": new_path,
                }),
                reason,
            },
        )
        .await?;
        w.commit().await
    }
}

/// The kind of an organization regardless of scope (a parent may sit above the actor's grant).
async fn load_unscoped_kind(tx: &mut Tx, id: OrgId) -> Result<qiangji_domain::org::OrgKind, StoreError> {
    let r = tx.one("SELECT kind FROM org WHERE id = ?", params![id.0]).await?;
    super::parse_code(qiangji_domain::org::OrgKind::parse(&r.text(0)))
}

/// The deepest organization path that contains both paths: changes that span two branches are
/// filed there, so the audit log of every administrator above both shows them.
pub(crate) fn common_prefix(a: &str, b: &str) -> String {
    let mut out = String::from("/");
    for (x, y) in a.split_terminator('/').skip(1).zip(b.split_terminator('/').skip(1)) {
        if x != y {
            break;
        }
        out.push_str(x);
        out.push('/');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::common_prefix;

    #[test]
    fn the_common_prefix_stops_at_the_first_differing_segment() {
        assert_eq!(
            common_prefix("/00000001/00000002/00000005/", "/00000001/00000002/00000009/"),
            "/00000001/00000002/"
        );
        assert_eq!(common_prefix("/00000001/00000002/", "/00000001/00000002/00000009/"), "/00000001/00000002/");
        assert_eq!(common_prefix("/00000001/", "/00000003/"), "/");
    }
}
