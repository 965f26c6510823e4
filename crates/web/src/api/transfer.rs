//! Transfer endpoints: the same steps as the pages, in JSON.

use super::{ApiResult, Body, date_or_today, err};
use crate::auth::Actor;
use crate::transfer::StepForm;
use crate::{App, AppError};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use qiangji_domain::date::{Date, today};
use qiangji_domain::member::MemberId;
use qiangji_domain::org::OrgId;
use qiangji_domain::transfer::{TransferId, next_actions};
use qiangji_store::transfer::{Destination, Step, Transfer};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

fn opt(d: Option<qiangji_domain::Date>) -> Value {
    d.map_or(Value::Null, |d| json!(d.to_string()))
}

/// A transfer in JSON, with the steps the reading actor may take next.
pub fn transfer(t: &Transfer) -> Value {
    let p = t.progress();
    let next: Vec<_> = t.sides.iter().flat_map(|&s| next_actions(&p, s)).map(|a| a.code()).collect();
    json!({
        "id": t.id.0,
        "member_id": t.member_id.0,
        "member_name": t.member_name,
        "direction": t.direction.code(),
        "state": t.state.code(),
        "state_label": t.state.label(),
        "from_org_id": t.from_org.as_ref().map(|o| o.0.0),
        "from": t.from_name(),
        "to_org_id": t.to_org.as_ref().map(|o| o.0.0),
        "to": t.to_name(),
        "reason": t.reason,
        "requested_on": t.requested_on.to_string(),
        "letter_serial": t.serial.map(|s| s.to_string()),
        "issued_on": opt(t.issued_on),
        "valid_until": opt(t.valid_until),
        "dues_paid_to": t.dues_paid_to.map(|d| d.format("%Y-%m").to_string()),
        "received_on": opt(t.received_on),
        "reported_on": opt(t.reported_on),
        "closed_on": opt(t.closed_on),
        "sides": t.sides.iter().map(|s| s.code()).collect::<Vec<_>>(),
        "next_actions": next,
        "warnings": t.warnings(today()).iter().map(|w| w.code()).collect::<Vec<_>>(),
    })
}

fn step(s: &Step) -> Value {
    json!({
        "action": s.action.map_or("request", |a| a.code()),
        "state": s.state.code(),
        "side": s.side,
        "on": s.done_on.to_string(),
        "at": s.at,
        "actor": s.actor_name,
        "note": s.note,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    all: bool,
}

pub async fn list(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Value>> {
    let items = app.store.list_transfers(&actor.access, OrgId(id), q.all).await.map_err(err)?;
    Ok(Json(json!({ "items": items.iter().map(transfer).collect::<Vec<_>>() })))
}

pub async fn get(actor: Actor, State(app): State<Arc<App>>, Path(id): Path<i64>) -> ApiResult<Json<Value>> {
    let t = app.store.get_transfer(&actor.access, TransferId(id)).await.map_err(err)?;
    let steps = app.store.transfer_steps(t.id).await.map_err(err)?;
    let mut v = transfer(&t);
    v["steps"] = steps.iter().map(step).collect();
    Ok(Json(v))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RequestBody {
    to_org_id: Option<i64>,
    to_outside: String,
    reason: String,
    on: String,
}

impl RequestBody {
    /// Where to, why and from when (empty: today), the date checked.
    pub fn read(self) -> ApiResult<(Destination, String, Date)> {
        let on = date_or_today(&self.on, "transfer.date_invalid")?;
        let to = match self.to_org_id {
            Some(org) => Destination::Org(OrgId(org)),
            None => Destination::Outside(self.to_outside),
        };
        Ok((to, self.reason, on))
    }
}

pub async fn request(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Body(b): Body<RequestBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let member = app.store.get_member(&actor.access, MemberId(id)).await.map_err(err)?;
    let (to, reason, on) = b.read()?;
    let t = app.store.request_transfer(&actor.access, member.id, &to, &reason, on).await.map_err(err)?;
    Ok((StatusCode::CREATED, Json(transfer(&app.store.get_transfer(&actor.access, t).await.map_err(err)?))))
}

pub async fn take_step(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Body(f): Body<StepForm>,
) -> ApiResult<Json<Value>> {
    let id = TransferId(id);
    app.store.get_transfer(&actor.access, id).await.map_err(err)?;
    let (action, on, letter) =
        f.parse().map_err(|(code, message)| AppError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message).json())?;
    app.store.transfer_step(&actor.access, id, action, on, &f.note, Some(&letter)).await.map_err(err)?;
    app.refresh().await.map_err(err)?;
    Ok(Json(transfer(&app.store.get_transfer(&actor.access, id).await.map_err(err)?)))
}
