//! Dissolving an organization. Nothing is deleted: the organization stays as history with its
//! dissolution date, and its members move to the nearest regional organization above it (the
//! "蓄水池" of the 1+N model, 002) or to one the actor picks.

use super::write::load;
use super::{COLUMNS, Org, org_of};
use crate::access::Access;
use crate::error::StoreError;
use crate::ledger::{NewEntry, Write};
use crate::member::relocate;
use crate::{Store, params};
use qiangji_domain::Date;
use qiangji_domain::member::MemberId;
use qiangji_domain::org::{OrgError, OrgId};

impl Store {
    /// The organization that would receive the members if `id` were dissolved without a choice.
    pub async fn default_receiver(&self, access: &Access, id: OrgId) -> Result<Option<Org>, StoreError> {
        let org = self.get_org(access, id).await?;
        let ancestors = self.list_ancestors(access, &org).await?;
        Ok(ancestors.into_iter().rev().find(|o| o.fields.regional && !o.is_dissolved()))
    }

    /// Dissolves `id` on `on`; members go to `receiver`, or to the nearest regional organization above.
    /// Returns the receiving organization and how many members moved.
    pub async fn dissolve_org(
        &self,
        access: &Access,
        id: OrgId,
        receiver: Option<OrgId>,
        on: Date,
        reason: &str,
    ) -> Result<(OrgId, usize), StoreError> {
        access.require(access.may_manage_orgs())?;
        if on > qiangji_domain::date::today() {
            return Err(StoreError::Invalid("撤销日期不能晚于今天".into()));
        }
        if reason.trim().is_empty() {
            // Dissolving moves people; the record must say why.
            return Err(StoreError::Invalid("请填写撤销原因".into()));
        }
        let mut w = Write::begin(self).await?;
        let org = load(&mut w.tx, access, id).await?;
        if org.parent_id.is_none() || org.id.0 == access.scope_org_id() {
            return Err(OrgError::RootIsFixed.into());
        }
        if org.is_dissolved() {
            return Err(OrgError::Dissolved.into());
        }
        let active_children =
            w.tx.one("SELECT COUNT(*) FROM org WHERE parent_id = ? AND dissolved_on IS NULL", params![id.0])
                .await?
                .int(0);
        if active_children > 0 {
            return Err(OrgError::HasChildren.into());
        }
        let receiver = match receiver {
            Some(r) => r,
            None => self.default_receiver(access, id).await?.ok_or(OrgError::NoRegionalOrgAbove)?.id,
        };
        let to = load(&mut w.tx, access, receiver).await?;
        if to.path.starts_with(&org.path) {
            return Err(OrgError::ReceiverInsideDissolved.into());
        }
        if to.is_dissolved() {
            return Err(OrgError::Dissolved.into());
        }
        let members: Vec<MemberId> =
            w.tx.all(
                "SELECT id FROM member m WHERE org_id = ? AND status IN ('active', 'suspended') \
                 AND EXISTS (SELECT 1 FROM membership ms WHERE ms.member_id = m.id AND ms.valid_to IS NULL) ORDER BY id",
                params![id.0],
            )
            .await?
            .iter()
            .map(|r| MemberId(r.int(0)))
            .collect();
        let why = format!("{}撤销，组织关系转入{}", org.fields.name, to.fields.name);
        for m in &members {
            relocate(&mut w, access, *m, &org, &to, on, &why).await?;
        }
        w.tx.exec("UPDATE org SET dissolved_on = ? WHERE id = ?", params![on, id.0]).await?;
        w.record(
            access,
            NewEntry {
                kind: "org.dissolved",
                org_path: &org.path,
                subject: format!("org:{}", id.0),
                payload: serde_json::json!({
                    "on": on.to_string(), "receiver_id": to.id.0, "receiver": to.fields.name, "members_moved": members.len(),
                }),
                reason,
            },
        )
        .await?;
        w.commit().await?;
        Ok((to.id, members.len()))
    }

    /// Organizations in scope that could receive members (not dissolved, not groups), for pickers.
    pub async fn list_receivers(&self, access: &Access, query: &str, limit: i64) -> Result<Vec<Org>, StoreError> {
        let (pred, mut p) = access.org_predicate();
        p.push(format!("%{}%", super::escape_like(query.trim())).into());
        p.push(limit.into());
        self.db
            .all(
                &format!(
                    "SELECT {COLUMNS} FROM org o WHERE {pred} AND o.dissolved_on IS NULL AND o.kind <> 'group' \
                     AND o.name LIKE ? ESCAPE '\\' ORDER BY o.path LIMIT ?"
                ),
                p,
            )
            .await?
            .iter()
            .map(org_of)
            .collect()
    }
}
