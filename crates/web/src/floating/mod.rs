//! Floating members (流动党员): a subtree's members who are out and the people it hosts
//! (`org.rs`), a member's registrations with the forms to register an outflow, record a contact
//! and end it (`member.rs`), and registry extracts matched against members (`registry.rs`).
//! The steps themselves are shared by the pages and the API, here.

pub mod member;
pub mod org;
pub mod registry;

use crate::App;
use crate::payload::FloatingPayload;
use qiangji_domain::Date;
use qiangji_domain::floating::{Direction, FloatingError, FloatingId, FloatingWarning, warnings};
use qiangji_store::floating::Registration;
use qiangji_store::member::Member;
use qiangji_store::org::Org;
use qiangji_store::{Access, StoreError};

/// Carries out a member's step (`outflow`, `contact` or `end` of the open outflow).
pub async fn act_on_member(app: &App, access: &Access, m: &Member, p: &FloatingPayload) -> Result<(), StoreError> {
    let today = qiangji_domain::date::today();
    match p.action.trim() {
        "outflow" => {
            let o = p.outflow().validate(today)?;
            app.store.register_outflow(access, m.id, &o, &p.reason).await?;
        }
        "contact" => {
            let c = p.contact().validate(today)?;
            app.store.record_contact(access, m.id, &c, &p.reason).await?;
        }
        "end" => {
            let e = p.end().validate(today)?;
            let (regs, _) = app.store.member_floating(access, m.id).await?;
            let open =
                regs.iter().find(|r| r.direction == Direction::Outflow && r.is_open()).ok_or(FloatingError::NotOut)?;
            app.store.end_floating(access, open.id, &e, &p.reason).await?;
        }
        other => return Err(FloatingError::ActionUnknown(other.to_owned()).into()),
    }
    app.refresh().await
}

/// Carries out an organization's step (`inflow`, or `end` of a registration `floating_id`);
/// returns the registration.
pub async fn act_on_org(app: &App, access: &Access, org: &Org, p: &FloatingPayload) -> Result<FloatingId, StoreError> {
    let today = qiangji_domain::date::today();
    let id = match p.action.trim() {
        "inflow" => {
            let i = p.inflow().validate(today)?;
            app.store.register_inflow(access, org.id, &i, &p.reason).await?
        }
        "end" => {
            let id = p.floating_id.0.trim().parse().map(FloatingId).map_err(|_| StoreError::NotFound)?;
            let e = p.end().validate(today)?;
            app.store.end_floating(access, id, &e, &p.reason).await?;
            id
        }
        other => return Err(FloatingError::ActionUnknown(other.to_owned()).into()),
    };
    app.refresh().await?;
    Ok(id)
}

/// A registration as listed.
pub struct Row {
    pub id: i64,
    pub member_id: Option<i64>,
    pub name: String,
    pub id_number: String,
    pub org_id: i64,
    pub org_name: String,
    pub place: String,
    pub unit: String,
    /// Outflow reason label, or the origin organization of an inflow.
    pub reason: String,
    pub since: String,
    pub expected_return: String,
    pub last_contact: String,
    pub activity_card: String,
    pub ended: String,
    pub warnings: Vec<FloatingWarning>,
}

/// The warnings of a registration on `today`: an open outflow's only.
pub fn warnings_of(r: &Registration, today: Date) -> Vec<FloatingWarning> {
    if r.direction == Direction::Outflow && r.is_open() {
        warnings(&r.open(), r.fixed_place, today)
    } else {
        Vec::new()
    }
}

pub fn row(r: &Registration, today: Date) -> Row {
    let opt = |d: Option<Date>| d.map(|d| d.to_string()).unwrap_or_default();
    Row {
        id: r.id.0,
        member_id: r.member_id.map(|m| m.0),
        name: r.name.clone(),
        id_number: r.id_number.clone(),
        org_id: r.org_id.0,
        org_name: r.org_name.clone(),
        place: r.place.clone(),
        unit: r.unit.clone(),
        reason: match r.direction {
            Direction::Outflow => r.reason.map(|x| x.label().to_owned()).unwrap_or_default(),
            Direction::Inflow => r.origin_org.clone(),
        },
        since: r.since.to_string(),
        expected_return: opt(r.expected_return),
        last_contact: opt(r.last_contact),
        activity_card: r.activity_card.clone(),
        ended: r.ended.map(|(on, why)| format!("{on} {}", why.label())).unwrap_or_default(),
        warnings: warnings_of(r, today),
    }
}
