//! Reminders as JSON: the user's notifications, marking one read, and a subtree's outbox.

use super::{ApiResult, err, json};
use crate::App;
use crate::auth::Actor;
use crate::orglife::board::PageQuery;
use crate::reminder::{notifications, outbox};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use qiangji_domain::org::OrgId;
use serde_json::{Value, json as j};
use std::sync::Arc;

pub async fn notifications(
    actor: Actor,
    State(app): State<Arc<App>>,
    Query(q): Query<PageQuery>,
) -> ApiResult<Json<Value>> {
    let list =
        app.store.list_notifications(&actor.access, q.offset as i64, notifications::PAGE_SIZE).await.map_err(err)?;
    let items: Vec<Value> = list.items.iter().map(json::notification).collect();
    Ok(Json(j!({ "total": list.total, "unread": list.unread, "items": items })))
}

pub async fn read(actor: Actor, State(app): State<Arc<App>>, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    app.store.mark_notification_read(&actor.access, id, chrono::Utc::now()).await.map_err(err)?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn outbox(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> ApiResult<Json<Value>> {
    let o = app.store.list_outbox(&actor.access, OrgId(id), q.offset as i64, outbox::PAGE_SIZE).await.map_err(err)?;
    let items: Vec<Value> = o.rows.iter().map(json::outbox_row).collect();
    Ok(Json(j!({
        "total": o.total, "without_phone": o.without_phone, "without_email": o.without_email, "items": items,
    })))
}
