//! Statistics as JSON: the same questions as the statistics page (`on`, a condition of
//! `dimension=value` pairs, `rows`/`cols` for a cross tabulation), and the members behind them.

use super::{ApiResult, err};
use crate::App;
use crate::auth::Actor;
use crate::stats::{Question, param};
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use qiangji_domain::org::{OrgId, OrgKind, Sector, SizeBand};
use qiangji_stats::Dim;
use serde_json::{Value, json};
use std::sync::Arc;

fn counts<'a>(labels: impl Iterator<Item = (&'a str, &'a str)>, counts: &[u32]) -> Vec<Value> {
    labels.zip(counts).map(|((code, label), n)| json!({ "code": code, "label": label, "count": n })).collect()
}

pub async fn get(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Value>> {
    let org = app.store.get_org(&actor.access, OrgId(id)).await.map_err(err)?;
    let q = Question::parse(raw.as_deref(), &[]).map_err(crate::AppError::json)?;
    let engine = app.engine.read().await;
    let tally = engine.tally(&actor.access, org.id, q.on, &q.cond);
    let members: Vec<Value> = Dim::ALL
        .iter()
        .map(|&d| json!({ "dimension": d.code(), "title": d.label(), "rows": counts(d.values().into_iter(), tally.by(d)) }))
        .collect();
    let o = engine.org_tally(&actor.access, org.id, q.on);
    let orgs = json!({
        "total": o.total,
        "kind": counts(OrgKind::ALL.iter().map(|k| (k.code(), k.label())), &o.kind),
        "sector": counts(Sector::ALL.iter().map(|s| (s.code(), s.label())), &o.sector),
        "branch_size": counts(SizeBand::ALL.iter().map(|b| (b.code(), b.label())), &o.branch_size),
    });
    let cross = q.cross.map(|(r, c)| {
        let x = engine.crosstab(&actor.access, org.id, q.on, r, c, &q.cond);
        json!({
            "rows": { "dimension": r.code(), "values": r.values().iter().map(|v| v.0).collect::<Vec<_>>() },
            "columns": { "dimension": c.code(), "values": c.values().iter().map(|v| v.0).collect::<Vec<_>>() },
            "cells": x.cells,
        })
    });
    let condition: Vec<Value> = q.terms.iter().map(|(d, v)| json!({ "dimension": d, "value": v })).collect();
    Ok(Json(json!({
        "org_id": org.id.0,
        "on": q.on.to_string(),
        "condition": condition,
        "total": tally.total,
        "tables": members,
        "orgs": orgs,
        "cross": cross,
    })))
}

pub async fn members(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Value>> {
    let org = app.store.get_org(&actor.access, OrgId(id)).await.map_err(err)?;
    let q = Question::parse(raw.as_deref(), &["limit"]).map_err(crate::AppError::json)?;
    let number = |k: &str, default: usize| param(raw.as_deref(), k).parse().unwrap_or(default);
    let (offset, limit) = (number("offset", 0), number("limit", 100).min(1000));
    let page = app.engine.read().await.members(&actor.access, org.id, q.on, &q.cond, offset, limit);
    let found = app.store.get_members(&actor.access, &page.ids).await.map_err(err)?;
    let items: Vec<Value> = found
        .iter()
        .map(|m| json!({ "id": m.id.0, "name": m.fields.name, "org_id": m.org_id.0, "org": m.org_name }))
        .collect();
    Ok(Json(json!({ "on": q.on.to_string(), "total": page.total, "offset": offset, "items": items })))
}
