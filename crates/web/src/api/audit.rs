//! The audit log as JSON.

use super::{ApiResult, err, json};
use crate::App;
use crate::audit::{AuditQuery, PAGE_SIZE};
use crate::auth::Actor;
use axum::Json;
use axum::extract::{Query, State};
use serde_json::{Value, json as j};
use std::sync::Arc;

pub async fn list(actor: Actor, State(app): State<Arc<App>>, Query(q): Query<AuditQuery>) -> ApiResult<Json<Value>> {
    let entries = qiangji_store::ledger::list(&app.store, &actor.access, q.before, PAGE_SIZE).await.map_err(err)?;
    Ok(Json(j!({ "items": entries.iter().map(json::entry).collect::<Vec<_>>() })))
}
