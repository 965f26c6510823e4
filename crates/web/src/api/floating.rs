//! Floating-member endpoints: a subtree's registrations, a member's steps, an organization's
//! inflow steps, and registry imports. Bodies are read only after the record is found in scope,
//! so an id outside scope answers 404 whatever was sent.

use super::{ApiResult, err, json};
use crate::auth::Actor;
use crate::floating::registry::import;
use crate::floating::{act_on_member, act_on_org};
use crate::payload::FloatingPayload;
use crate::{App, AppError, scoped};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use qiangji_domain::date::today;
use qiangji_domain::floating::Direction;
use qiangji_domain::org::OrgId;
use qiangji_store::Access;
use serde::Deserialize;
use serde_json::{Value, json as j};
use std::sync::Arc;

fn payload(body: &Bytes) -> ApiResult<FloatingPayload> {
    serde_json::from_slice(body)
        .map_err(|e| AppError::bad_request("request.invalid_json", format!("请求内容不是有效的 JSON：{e}")).json())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    /// `1` or `true`: ended registrations too.
    ended: String,
}

/// Open outflows of the subtree's members and the inflows it hosts, with warnings, and the
/// members marked 流动 with no outflow registered (`unregistered`, at most 200).
pub async fn list(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Value>> {
    let with_ended = matches!(q.ended.as_str(), "1" | "true");
    let regs = app.store.list_floating(&actor.access, OrgId(id), with_ended).await.map_err(err)?;
    let today = today();
    let of =
        |d: Direction| regs.iter().filter(|r| r.direction == d).map(|r| json::floating(r, today)).collect::<Vec<_>>();
    let unregistered: Vec<Value> = app
        .store
        .list_unregistered_floating(&actor.access, OrgId(id))
        .await
        .map_err(err)?
        .iter()
        .map(|(m, name, o, org_name)| j!({ "member_id": m.0, "name": name, "org_id": o.0, "org_name": org_name }))
        .collect();
    Ok(Json(j!({
        "outflows": of(Direction::Outflow),
        "inflows": of(Direction::Inflow),
        "unregistered": unregistered,
    })))
}

/// A member's step: `{"action": "outflow" | "contact" | "end", …}`; answers the member's
/// registrations and contact records.
pub async fn member_action(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let m = scoped::member(&app, &actor, id, Access::may_edit_members).await.map_err(AppError::json)?;
    let p = payload(&body)?;
    act_on_member(&app, &actor.access, &m, &p).await.map_err(err)?;
    let (regs, contacts) = app.store.member_floating(&actor.access, m.id).await.map_err(err)?;
    let today = today();
    Ok(Json(j!({
        "member_id": m.id.0,
        "floating": regs.iter().map(|r| json::floating(r, today)).collect::<Vec<_>>(),
        "contacts": contacts.iter().map(json::contact).collect::<Vec<_>>(),
    })))
}

/// An organization's step: `{"action": "inflow", …}` registers someone hosted here;
/// `{"action": "end", "floating_id": N, …}` ends a registration. Answers the registration.
pub async fn org_action(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let org = scoped::org(&app, &actor, id, Access::may_edit_members).await.map_err(AppError::json)?;
    let p = payload(&body)?;
    let fid = act_on_org(&app, &actor.access, &org, &p).await.map_err(err)?;
    Ok(Json(json::floating(&app.store.get_floating(&actor.access, fid).await.map_err(err)?, today())))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ImportQuery {
    source: String,
    area: String,
    file_name: String,
}

/// A registry extract as the request body (xlsx, or CSV in UTF-8 or GBK, told from the content);
/// `source`, `area` and `file_name` in the query. Answers the match report.
pub async fn registry(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Query(q): Query<ImportQuery>,
    body: axum::body::Body,
) -> ApiResult<Json<Value>> {
    let org = scoped::org(&app, &actor, id, Access::may_edit_members).await.map_err(AppError::json)?;
    // Read here with its own limit, so that too large is a 413 with a code like every API error.
    let body = axum::body::to_bytes(body, crate::floating::registry::MAX_BYTES)
        .await
        .map_err(|_| crate::floating::registry::too_large().json())?;
    let file_name = if q.file_name.trim().is_empty() { "api.csv" } else { q.file_name.as_str() };
    let (batch, report) = import(&app, &actor.access, &org, &body, &q.source, file_name, &q.area).await.map_err(err)?;
    Ok(Json(json::match_report(batch, &report)))
}
