//! Registering outflows and inflows, recording contacts and ending registrations: each one
//! transaction with its ledger entry, the state read and checked inside it. An outflow sets the
//! member's 流动 flag and its end clears it, in the same transaction, so that the statistics see
//! the member as floating exactly while an outflow is open.

use super::{bad, state_of};
use crate::access::Access;
use crate::error::StoreError;
use crate::ledger::{NewEntry, Write, now};
use crate::member::set_floating;
use crate::org::write::load as load_org;
use crate::seal::Field;
use crate::{Store, params};
use qiangji_domain::floating::{
    Contact, Direction, End, FloatingError, FloatingId, FloatingState, Inflow, Open, Outflow,
};
use qiangji_domain::member::{MemberId, MemberStatus};
use qiangji_domain::org::{OrgError, OrgId};

/// The member as stored now, read inside the write: organization, status, name, and the ID number
/// sealed as stored with its index (a registration keeps them as they are).
async fn member_now(
    w: &mut Write,
    id: MemberId,
) -> Result<(OrgId, MemberStatus, String, (String, String)), StoreError> {
    let r =
        w.tx.one("SELECT org_id, status, name, id_number, id_number_index FROM member WHERE id = ?", params![id.0])
            .await?;
    let status = MemberStatus::parse(&r.text(1)).map_err(|e| bad(&e.to_string()))?;
    Ok((OrgId(r.int(0)), status, r.text(2), (r.text(3), r.text(4))))
}

impl Store {
    /// Registers that a member of the actor's scope has gone out (流出登记).
    pub async fn register_outflow(
        &self,
        access: &Access,
        member: MemberId,
        o: &Outflow,
        reason: &str,
    ) -> Result<FloatingId, StoreError> {
        access.require(access.may_edit_members())?;
        self.get_member(access, member).await?;
        let mut w = Write::begin(self).await?;
        let (org_id, status, name, (id_number, index)) = member_now(&mut w, member).await?;
        let org = load_org(&mut w.tx, access, org_id).await?;
        if !status.holds_membership() {
            return Err(StoreError::Invalid(format!("该党员状态为“{}”，不能登记流出", status.label())));
        }
        let (state, _) = state_of(&mut w.tx, member).await?;
        state.register_outflow(o.since)?;
        let id = crate::org::write::next_id(&mut w.tx, "floating").await?;
        w.tx.exec(
            "INSERT INTO floating (id, direction, member_id, org_id, name, id_number, place, unit, reason, fixed_place, \
             origin_org, since, expected_return, activity_card, phone, registered_at, registered_by, id_number_index) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?)",
            params![
                id,
                Direction::Outflow.code(),
                member.0,
                org.id.0,
                name,
                id_number,
                o.place.as_str(),
                o.unit.as_str(),
                o.reason.code(),
                o.fixed_place,
                o.since,
                o.expected_return,
                o.activity_card.as_str(),
                w.keys.seal(Field::Phone, &o.phone),
                now(),
                access.actor_name(),
                index
            ],
        )
        .await?;
        let changes = set_floating(&mut w, member, true).await?;
        w.record(
            access,
            NewEntry {
                kind: "floating.outflow_registered",
                org_path: &org.path,
                subject: format!("member:{}", member.0),
                payload: serde_json::json!({
                    "floating_id": id,
                    "summary": format!("{}起流出至{}（{}）", o.since, o.place, o.reason.label()),
                    "place": o.place, "unit": o.unit, "reason": o.reason.code(), "fixed_place": o.fixed_place,
                    "since": o.since.to_string(),
                    "expected_return": o.expected_return.map(|d| d.to_string()),
                    "activity_card": o.activity_card,
                    "changes": changes,
                }),
                reason,
            },
        )
        .await?;
        w.commit().await?;
        Ok(FloatingId(id))
    }

    /// Registers, at the hosting organization `host`, a member who has come from elsewhere
    /// (流入登记). When the ID number is a member of this deployment (in whatever organization)
    /// the registration is linked to them; nothing about that member is shown to the host.
    pub async fn register_inflow(
        &self,
        access: &Access,
        host: OrgId,
        i: &Inflow,
        reason: &str,
    ) -> Result<FloatingId, StoreError> {
        access.require(access.may_edit_members())?;
        let mut w = Write::begin(self).await?;
        let host = load_org(&mut w.tx, access, host).await?;
        if host.is_dissolved() {
            return Err(OrgError::Dissolved.into());
        }
        let index = w.keys.index(Field::IdNumber, i.id_number.as_str());
        let ours = w.tx.opt("SELECT id, org_id FROM member WHERE id_number_index = ?", params![index.clone()]).await?;
        let member = ours.as_ref().map(|r| MemberId(r.int(0)));
        if ours.as_ref().is_some_and(|r| r.int(1) == host.id.0) {
            return Err(FloatingError::HostIsHome.into());
        }
        let state = match member {
            Some(m) => state_of(&mut w.tx, m).await?.0,
            None => {
                let open =
                    w.tx.opt(
                        "SELECT since FROM floating WHERE id_number_index = ? AND direction = 'inflow' AND ended_on IS NULL",
                        params![index.clone()],
                    )
                    .await?;
                FloatingState {
                    inflow: open.and_then(|r| r.opt_date(0)).map(|since| Open { since, last_contact: None }),
                    ..Default::default()
                }
            }
        };
        state.register_inflow(i.since)?;
        let id = crate::org::write::next_id(&mut w.tx, "floating").await?;
        w.tx.exec(
            "INSERT INTO floating (id, direction, member_id, org_id, name, id_number, place, unit, reason, fixed_place, \
             origin_org, since, expected_return, activity_card, phone, registered_at, registered_by, id_number_index) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', 0, ?, ?, NULL, ?, ?, ?, ?, ?)",
            params![
                id,
                Direction::Inflow.code(),
                member.map(|m| m.0),
                host.id.0,
                i.name.as_str(),
                w.keys.seal(Field::IdNumber, i.id_number.as_str()),
                i.origin_place.as_str(),
                i.unit.as_str(),
                i.origin_org.as_str(),
                i.since,
                i.activity_card.as_str(),
                w.keys.seal(Field::Phone, &i.phone),
                now(),
                access.actor_name(),
                index
            ],
        )
        .await?;
        w.record(
            access,
            NewEntry {
                kind: "floating.inflow_registered",
                org_path: &host.path,
                subject: member.map_or_else(|| format!("floating:{id}"), |m| format!("member:{}", m.0)),
                payload: serde_json::json!({
                    "floating_id": id,
                    "summary": format!("{}起流入{}（原所在党组织：{}）", i.since, host.fields.name, i.origin_org),
                    "name": i.name, "id_number": i.id_number.masked(), "origin_org": i.origin_org,
                    "origin_place": i.origin_place, "unit": i.unit, "since": i.since.to_string(),
                    "activity_card": i.activity_card,
                }),
                reason,
            },
        )
        .await?;
        w.commit().await?;
        Ok(FloatingId(id))
    }

    /// Records a contact with a member who is out (联系记录).
    pub async fn record_contact(
        &self,
        access: &Access,
        member: MemberId,
        c: &Contact,
        reason: &str,
    ) -> Result<(), StoreError> {
        access.require(access.may_edit_members())?;
        self.get_member(access, member).await?;
        let mut w = Write::begin(self).await?;
        let (org_id, ..) = member_now(&mut w, member).await?;
        let org = load_org(&mut w.tx, access, org_id).await?;
        let (state, ids) = state_of(&mut w.tx, member).await?;
        let next = state.record_contact(c)?;
        let outflow =
            ids.iter().find(|(_, d)| *d == Direction::Outflow).map(|(id, _)| *id).ok_or(FloatingError::NotOut)?;
        let contact_id = crate::org::write::next_id(&mut w.tx, "floating_contact").await?;
        w.tx.exec(
            "INSERT INTO floating_contact (id, floating_id, contacted_on, way, note, recorded_at, recorded_by) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
            params![contact_id, outflow.0, c.on, c.way.code(), c.note.as_str(), now(), access.actor_name()],
        )
        .await?;
        let last = next.outflow.and_then(|o| o.last_contact);
        w.tx.exec("UPDATE floating SET last_contact = ? WHERE id = ?", params![last, outflow.0]).await?;
        w.record(
            access,
            NewEntry {
                kind: "floating.contact_recorded",
                org_path: &org.path,
                subject: format!("member:{}", member.0),
                payload: serde_json::json!({
                    "floating_id": outflow.0,
                    "summary": format!("{}{}联系：{}", c.on, c.way.label(), c.note),
                    "on": c.on.to_string(), "way": c.way.code(), "note": c.note,
                }),
                reason,
            },
        )
        .await?;
        w.commit().await
    }

    /// Ends an open registration: the member returned or transferred their membership. Ending an
    /// outflow clears the member's 流动 flag.
    pub async fn end_floating(&self, access: &Access, id: FloatingId, e: &End, reason: &str) -> Result<(), StoreError> {
        access.require(access.may_edit_members())?;
        self.get_floating(access, id).await?;
        let mut w = Write::begin(self).await?;
        let r =
            w.tx.one(
                "SELECT direction, member_id, org_id, since, last_contact, ended_on FROM floating WHERE id = ?",
                params![id.0],
            )
            .await?;
        let direction = Direction::parse(&r.text(0)).map_err(|e| bad(&e.to_string()))?;
        let member = r.opt_int(1).map(MemberId);
        let org = load_org(&mut w.tx, access, OrgId(r.int(2))).await?;
        let open = Open { since: r.opt_date(3).ok_or_else(|| bad("开始日期"))?, last_contact: r.opt_date(4) };
        let state = match (r.opt_date(5), direction) {
            (Some(_), _) => FloatingState::default(),
            (None, Direction::Outflow) => FloatingState { outflow: Some(open), inflow: None },
            (None, Direction::Inflow) => FloatingState { outflow: None, inflow: Some(open) },
        };
        state.end(direction, e)?;
        w.tx.exec(
            "UPDATE floating SET ended_on = ?, end_reason = ? WHERE id = ?",
            params![e.on, e.reason.code(), id.0],
        )
        .await?;
        let changes = match (direction, member) {
            (Direction::Outflow, Some(m)) => set_floating(&mut w, m, false).await?,
            _ => serde_json::Map::new(),
        };
        w.record(
            access,
            NewEntry {
                kind: "floating.ended",
                org_path: &org.path,
                subject: member.map_or_else(|| format!("floating:{}", id.0), |m| format!("member:{}", m.0)),
                payload: serde_json::json!({
                    "floating_id": id.0,
                    "summary": format!("{}于{}结束：{}", direction.label(), e.on, e.reason.label()),
                    "direction": direction.code(), "on": e.on.to_string(), "end_reason": e.reason.code(),
                    "changes": changes,
                }),
                reason,
            },
        )
        .await?;
        w.commit().await
    }
}
