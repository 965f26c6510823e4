//! Statistics as JSON: the bulletin tables of a subtree as of a date.

use super::{ApiResult, err};
use crate::App;
use crate::auth::Actor;
use crate::stats::show::StatsQuery;
use crate::stats::tables;
use axum::Json;
use axum::extract::{Path, Query, State};
use qiangji_domain::org::OrgId;
use qiangji_stats::Condition;
use serde_json::{Value, json};
use std::sync::Arc;

pub async fn get(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Query(q): Query<StatsQuery>,
) -> ApiResult<Json<Value>> {
    let org = app.store.get_org(&actor.access, OrgId(id)).await.map_err(err)?;
    let on = q.date().map_err(crate::AppError::json)?;
    let tally = app.engine.read().await.tally(&actor.access, org.id, on, &Condition::all());
    let tables: Vec<Value> = tables(&tally)
        .iter()
        .map(|t| json!({ "title": t.title, "rows": t.rows.iter().map(|r| json!({ "label": r.label, "count": r.count, "percent": r.percent, "filter": r.filter })).collect::<Vec<_>>() }))
        .collect();
    Ok(Json(json!({ "org_id": org.id.0, "on": on.to_string(), "total": tally.total, "tables": tables })))
}
