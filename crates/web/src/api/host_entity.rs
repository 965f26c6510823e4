//! Host-entity endpoints: the registry of an area (list, create, get, update), and the
//! reconciliation of registry extracts (upload, reopen, act). Bodies are read only after the
//! record is found in scope, so an id outside scope answers 404 whatever was sent.

use super::{ApiResult, err};
use crate::auth::Actor;
use crate::host_entity::list::{ListQuery, create_one};
use crate::host_entity::reconcile::{ApplyForm, apply_one, run};
use crate::host_entity::show::update_one;
use crate::host_entity::{HostEntityForm, entity_json, report_json};
use crate::{App, AppError, scoped};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use qiangji_domain::host_entity::HostEntityId;
use qiangji_domain::org::OrgId;
use qiangji_store::Access;
use qiangji_store::host_entity::MAX_FILE_BYTES;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::sync::Arc;

fn body<T: DeserializeOwned>(bytes: &Bytes) -> ApiResult<T> {
    serde_json::from_slice(bytes)
        .map_err(|e| AppError::bad_request("request.invalid_json", format!("请求内容不是有效的 JSON：{e}")).json())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ApiListQuery {
    #[serde(flatten)]
    list: ListQuery,
    /// Entities per answer, 1–500 (default 50).
    limit: Option<i64>,
}

/// `{total, items}`: entities of the subtree matching `q` (name or credit code) and `kind`,
/// from `offset`.
pub async fn list(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Query(q): Query<ApiListQuery>,
) -> ApiResult<Json<Value>> {
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    let filter = q.list.filter(Some(limit)).map_err(err)?;
    let page = app.store.list_host_entities(&actor.access, OrgId(id), &filter).await.map_err(err)?;
    Ok(Json(json!({ "total": page.total, "items": page.items.iter().map(entity_json).collect::<Vec<_>>() })))
}

pub async fn create(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    bytes: Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let org = scoped::org(&app, &actor, id, Access::may_edit_members).await.map_err(AppError::json)?;
    let form: HostEntityForm = body(&bytes)?;
    let new = create_one(&app, &actor.access, &org, &form).await.map_err(err)?;
    let e = app.store.get_host_entity(&actor.access, HostEntityId(new)).await.map_err(err)?;
    Ok((StatusCode::CREATED, Json(entity_json(&e))))
}

pub async fn get(actor: Actor, State(app): State<Arc<App>>, Path(id): Path<i64>) -> ApiResult<Json<Value>> {
    let e = app.store.get_host_entity(&actor.access, HostEntityId(id)).await.map_err(err)?;
    Ok(Json(entity_json(&e)))
}

pub async fn update(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    bytes: Bytes,
) -> ApiResult<Json<Value>> {
    let e = app.store.get_host_entity(&actor.access, HostEntityId(id)).await.map_err(err)?;
    let form: HostEntityForm = body(&bytes)?;
    update_one(&app, &actor.access, e.id, &form).await.map_err(err)?;
    Ok(Json(entity_json(&app.store.get_host_entity(&actor.access, e.id).await.map_err(err)?)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReconcileQuery {
    source: String,
    file_name: String,
}

/// The extract as the request body (xlsx or CSV); `source=market|civil_affairs` and `file_name`
/// in the query. Answers the report (201), which stays at `/api/v1/reconciliations/{id}`.
pub async fn reconcile(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Query(q): Query<ReconcileQuery>,
    body: axum::body::Body,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let org = scoped::org(&app, &actor, id, Access::may_edit_members).await.map_err(AppError::json)?;
    let bytes = axum::body::to_bytes(body, MAX_FILE_BYTES).await.map_err(|_| {
        AppError::new(StatusCode::PAYLOAD_TOO_LARGE, "import.file_too_large", "文件过大，请分成几个文件比对").json()
    })?;
    let name = if q.file_name.trim().is_empty() { "名单" } else { q.file_name.as_str() };
    let (run_id, _) = run(&app, &actor.access, &org, &q.source, name, &bytes).await.map_err(err)?;
    let (run, report) = app.store.reconciliation_report(&actor.access, run_id).await.map_err(err)?;
    Ok((StatusCode::CREATED, Json(report_json(&run, &report))))
}

pub async fn get_reconciliation(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    let (run, report) = app.store.reconciliation_report(&actor.access, id).await.map_err(err)?;
    Ok(Json(report_json(&run, &report)))
}

/// `{"action": "take_in" | "deregister" | "mark_missing", "reason"}`: answers how many entities
/// were written and the report as it is now.
pub async fn apply(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    bytes: Bytes,
) -> ApiResult<Json<Value>> {
    app.store.get_reconciliation(&actor.access, id).await.map_err(err)?;
    let form: ApplyForm = body(&bytes)?;
    let (action, count) = apply_one(&app, &actor.access, id, &form).await.map_err(err)?;
    let (run, report) = app.store.reconciliation_report(&actor.access, id).await.map_err(err)?;
    Ok(Json(json!({ "action": action.code(), "count": count, "report": report_json(&run, &report) })))
}
