//! Member endpoints.

use super::{ApiResult, Body, date_or_today, err, json, member_errors};
use crate::auth::Actor;
use crate::member::list::{ListQuery, run};
use crate::payload::MemberPayload;
use crate::{App, AppError, scoped};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use qiangji_domain::date::today;
use qiangji_domain::member::MemberId;
use qiangji_domain::org::OrgId;
use qiangji_store::Access;
use serde::Deserialize;
use serde_json::{Value, json as j};
use std::sync::Arc;

pub async fn list(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Value>> {
    let org = app.store.get_org(&actor.access, OrgId(id)).await.map_err(err)?;
    let (page, members) = run(&app, &actor.access, &org, &q).await.map_err(|e| e.json())?;
    Ok(Json(j!({
        "total": page.total,
        "offset": q.offset,
        "limit": crate::member::list::PAGE_SIZE,
        "items": members.iter().map(json::member).collect::<Vec<_>>(),
    })))
}

pub async fn get(actor: Actor, State(app): State<Arc<App>>, Path(id): Path<i64>) -> ApiResult<Json<Value>> {
    Ok(Json(json::member(&app.store.get_member(&actor.access, MemberId(id)).await.map_err(err)?)))
}

pub async fn history(actor: Actor, State(app): State<Arc<App>>, Path(id): Path<i64>) -> ApiResult<Json<Value>> {
    Ok(Json(json::history(&app.store.member_history(&actor.access, MemberId(id)).await.map_err(err)?)))
}

pub async fn create(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Body(p): Body<MemberPayload>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let org = scoped::org(&app, &actor, id, Access::may_edit_members).await.map_err(AppError::json)?;
    let (fields, since) = p.validate_new().map_err(member_errors)?;
    let new_id = crate::member::edit::register(&app, &actor.access, &org, (&fields, since), &p).await.map_err(err)?;
    app.refresh().await.map_err(err)?;
    Ok((StatusCode::CREATED, Json(json::member(&app.store.get_member(&actor.access, new_id).await.map_err(err)?))))
}

pub async fn update(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Body(p): Body<MemberPayload>,
) -> ApiResult<Json<Value>> {
    let m = scoped::member(&app, &actor, id, Access::may_edit_members).await.map_err(AppError::json)?;
    let fields = p.input_keeping(&m.fields).validate(today()).map_err(member_errors)?;
    app.store.update_member(&actor.access, m.id, &fields, &p.reason).await.map_err(err)?;
    app.refresh().await.map_err(err)?;
    Ok(Json(json::member(&app.store.get_member(&actor.access, m.id).await.map_err(err)?)))
}

/// `POST /api/v1/members/{member_id}/personal`: the identity and phone numbers in full, for an
/// allowed caller with a purpose; recorded in the member's history like the page's.
pub async fn reveal(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Body(b): Body<crate::payload::RevealPayload>,
) -> ApiResult<Json<Value>> {
    let r = app.store.reveal_personal(&actor.access, MemberId(id), &b.purpose).await.map_err(err)?;
    Ok(Json(j!({ "id_number": r.id_number, "phone": r.phone })))
}

#[derive(Deserialize)]
pub struct MoveBody {
    org_id: i64,
    #[serde(default)]
    on: String,
    #[serde(default)]
    reason: String,
}

pub async fn relocate(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Body(b): Body<MoveBody>,
) -> ApiResult<Json<Value>> {
    let m = scoped::member(&app, &actor, id, Access::may_edit_members).await.map_err(AppError::json)?;
    let on = date_or_today(&b.on, "member.date_invalid")?;
    app.store.move_member(&actor.access, m.id, OrgId(b.org_id), on, &b.reason).await.map_err(err)?;
    app.refresh().await.map_err(err)?;
    Ok(Json(json::member(&app.store.get_member(&actor.access, MemberId(id)).await.map_err(err)?)))
}

pub async fn change_status(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Body(f): Body<crate::member::status::StatusForm>,
) -> ApiResult<Json<Value>> {
    let m = scoped::member(&app, &actor, id, Access::may_edit_members).await.map_err(AppError::json)?;
    let change =
        f.change().map_err(|(code, message)| AppError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message).json())?;
    app.store.change_status(&actor.access, m.id, &change).await.map_err(err)?;
    app.refresh().await.map_err(err)?;
    Ok(Json(json::member(&app.store.get_member(&actor.access, m.id).await.map_err(err)?)))
}
