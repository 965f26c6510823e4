//! Floating members (流动党员): outflow and inflow registrations, contact records, and imported
//! registry extracts with their match results. Reads are confined to the actor's subtree by the
//! organization that registered (an outflow: the member's organization; an inflow: the host);
//! a member account sees only its own registrations.

pub mod registry;
mod write;

use crate::access::Access;
use crate::db::{Row, Value};
use crate::error::StoreError;
use crate::{Store, params};
use qiangji_domain::Date;
use qiangji_domain::floating::{ContactWay, Direction, EndReason, FloatingId, FloatingState, Open, OutflowReason};
use qiangji_domain::member::MemberId;
use qiangji_domain::org::OrgId;

/// A stored registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub id: FloatingId,
    pub direction: Direction,
    /// None for an inflow of a member from outside this deployment.
    pub member_id: Option<MemberId>,
    /// Outflow: the member's organization; inflow: the host.
    pub org_id: OrgId,
    pub org_name: String,
    pub name: String,
    /// Masked (`330203********123X`).
    pub id_number: String,
    /// Outflow: destination; inflow: where they came from.
    pub place: String,
    /// Outflow: destination unit; inflow: unit at the host.
    pub unit: String,
    /// Outflow only.
    pub reason: Option<OutflowReason>,
    pub fixed_place: bool,
    /// Inflow only: the organization the membership stays with.
    pub origin_org: String,
    pub since: Date,
    pub expected_return: Option<Date>,
    pub activity_card: String,
    pub phone: String,
    pub last_contact: Option<Date>,
    pub ended: Option<(Date, EndReason)>,
    pub registered_at: String,
    pub registered_by: String,
}

impl Registration {
    pub fn is_open(&self) -> bool {
        self.ended.is_none()
    }

    /// As the state machine sees it.
    pub fn open(&self) -> Open {
        Open { since: self.since, last_contact: self.last_contact }
    }
}

/// A stored contact record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactRecord {
    pub floating_id: FloatingId,
    pub on: Date,
    pub way: ContactWay,
    pub note: String,
    pub recorded_at: String,
    pub recorded_by: String,
}

const COLUMNS: &str = "f.id, f.direction, f.member_id, f.org_id, o.name, f.name, f.id_number, f.place, f.unit, f.reason, \
     f.fixed_place, f.origin_org, f.since, f.expected_return, f.activity_card, f.phone, f.last_contact, f.ended_on, \
     f.end_reason, f.registered_at, f.registered_by";

fn bad(what: &str) -> StoreError {
    StoreError::Other(format!("数据库中的流动党员记录无法识别：{what}"))
}

/// A registration as pages show it: identity and phone numbers opened and masked.
fn registration_of(r: &Row, keys: &crate::seal::Keyring) -> Result<Registration, StoreError> {
    use crate::seal::Field;
    let id_number = keys.open(Field::IdNumber, &r.text(6))?;
    let ended = match (r.opt_date(17), r.opt_text(18)) {
        (Some(on), Some(reason)) => Some((on, EndReason::parse(&reason).map_err(|e| bad(&e.to_string()))?)),
        _ => None,
    };
    let reason = r.text(9);
    Ok(Registration {
        id: FloatingId(r.int(0)),
        direction: Direction::parse(&r.text(1)).map_err(|e| bad(&e.to_string()))?,
        member_id: r.opt_int(2).map(MemberId),
        org_id: OrgId(r.int(3)),
        org_name: r.text(4),
        name: r.text(5),
        id_number: qiangji_domain::id_number::IdNumber::parse(&id_number).map(|i| i.masked()).unwrap_or(id_number),
        place: r.text(7),
        unit: r.text(8),
        reason: if reason.is_empty() {
            None
        } else {
            Some(OutflowReason::parse(&reason).map_err(|e| bad(&e.to_string()))?)
        },
        fixed_place: r.flag(10),
        origin_org: r.text(11),
        since: r.opt_date(12).ok_or_else(|| bad("开始日期"))?,
        expected_return: r.opt_date(13),
        activity_card: r.text(14),
        phone: qiangji_domain::mask::mask_phone(&keys.open(Field::Phone, &r.text(15))?),
        last_contact: r.opt_date(16),
        ended,
        registered_at: r.text(19),
        registered_by: r.text(20),
    })
}

/// Registrations (alias `f`, joined to their organization `o`) within the grant.
fn predicate(access: &Access) -> (&'static str, Vec<Value>) {
    match access.self_member_id() {
        Some(me) => ("f.member_id = ?", vec![me.into()]),
        None => access.org_predicate(),
    }
}

/// The open registrations of a member as the state machine sees them (inside a write).
pub(crate) async fn state_of(
    tx: &mut crate::db::Tx,
    member: MemberId,
) -> Result<(FloatingState, Vec<(FloatingId, Direction)>), StoreError> {
    let mut state = FloatingState::default();
    let mut ids = Vec::new();
    for r in tx
        .all(
            "SELECT id, direction, since, last_contact FROM floating WHERE member_id = ? AND ended_on IS NULL",
            params![member.0],
        )
        .await?
    {
        let direction = Direction::parse(&r.text(1)).map_err(|e| bad(&e.to_string()))?;
        let open = Open { since: r.opt_date(2).ok_or_else(|| bad("开始日期"))?, last_contact: r.opt_date(3) };
        match direction {
            Direction::Outflow => state.outflow = Some(open),
            Direction::Inflow => state.inflow = Some(open),
        }
        ids.push((FloatingId(r.int(0)), direction));
    }
    Ok((state, ids))
}

impl Store {
    /// Registrations made by organizations in `org`'s subtree (outflows of its members, inflows
    /// it hosts), open ones only unless `with_ended`; newest first.
    pub async fn list_floating(
        &self,
        access: &Access,
        org: OrgId,
        with_ended: bool,
    ) -> Result<Vec<Registration>, StoreError> {
        let top = self.get_org(access, org).await?;
        let (pred, scope) = predicate(access);
        let mut p = params![top.path.clone(), format!("{}~", top.path)];
        p.extend(scope);
        let open = if with_ended { "" } else { "AND f.ended_on IS NULL" };
        self.db
            .all(
                &format!(
                    "SELECT {COLUMNS} FROM floating f JOIN org o ON o.id = f.org_id \
                     WHERE o.path >= ? AND o.path < ? AND {pred} {open} ORDER BY f.since DESC, f.id DESC"
                ),
                p,
            )
            .await?
            .iter()
            .map(|r| registration_of(r, &self.keys))
            .collect()
    }

    /// A member's registrations within the grant (newest first) and the contact records of them.
    pub async fn member_floating(
        &self,
        access: &Access,
        member: MemberId,
    ) -> Result<(Vec<Registration>, Vec<ContactRecord>), StoreError> {
        self.get_member(access, member).await?;
        let (pred, scope) = predicate(access);
        let mut p = params![member.0];
        p.extend(scope);
        let regs: Vec<Registration> = self
            .db
            .all(
                &format!(
                    "SELECT {COLUMNS} FROM floating f JOIN org o ON o.id = f.org_id \
                     WHERE f.member_id = ? AND {pred} ORDER BY f.since DESC, f.id DESC"
                ),
                p,
            )
            .await?
            .iter()
            .map(|r| registration_of(r, &self.keys))
            .collect::<Result<_, _>>()?;
        let mut contacts = Vec::new();
        for reg in &regs {
            for r in self
                .db
                .all(
                    "SELECT floating_id, contacted_on, way, note, recorded_at, recorded_by FROM floating_contact \
                     WHERE floating_id = ? ORDER BY contacted_on DESC, id DESC",
                    params![reg.id.0],
                )
                .await?
            {
                contacts.push(ContactRecord {
                    floating_id: FloatingId(r.int(0)),
                    on: r.opt_date(1).ok_or_else(|| bad("联系日期"))?,
                    way: ContactWay::parse(&r.text(2)).map_err(|e| bad(&e.to_string()))?,
                    note: r.text(3),
                    recorded_at: r.text(4),
                    recorded_by: r.text(5),
                });
            }
        }
        Ok((regs, contacts))
    }

    /// Members of `org`'s subtree marked 流动 with no open outflow — marked by hand or imported
    /// before registrations existed — so that someone registers where they went (at most 200).
    pub async fn list_unregistered_floating(
        &self,
        access: &Access,
        org: OrgId,
    ) -> Result<Vec<(MemberId, String, OrgId, String)>, StoreError> {
        let top = self.get_org(access, org).await?;
        let (pred, scope) = access.member_predicate();
        let mut p = params![top.path.clone(), format!("{}~", top.path)];
        p.extend(scope);
        Ok(self
            .db
            .all(
                &format!(
                    "SELECT m.id, m.name, o.id, o.name FROM member m JOIN org o ON o.id = m.org_id \
                     WHERE o.path >= ? AND o.path < ? AND {pred} AND m.floating = 1 \
                     AND m.status IN ('active', 'suspended') AND NOT EXISTS (SELECT 1 FROM floating f \
                     WHERE f.member_id = m.id AND f.direction = 'outflow' AND f.ended_on IS NULL) \
                     ORDER BY o.path, m.id LIMIT 200"
                ),
                p,
            )
            .await?
            .iter()
            .map(|r| (MemberId(r.int(0)), r.text(1), OrgId(r.int(2)), r.text(3)))
            .collect())
    }

    /// One registration within the grant.
    pub async fn get_floating(&self, access: &Access, id: FloatingId) -> Result<Registration, StoreError> {
        let (pred, scope) = predicate(access);
        let mut p = params![id.0];
        p.extend(scope);
        registration_of(
            &self
                .db
                .one(
                    &format!(
                        "SELECT {COLUMNS} FROM floating f JOIN org o ON o.id = f.org_id WHERE f.id = ? AND {pred}"
                    ),
                    p,
                )
                .await?,
            &self.keys,
        )
    }
}
