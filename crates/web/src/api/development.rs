//! 发展党员 endpoints: the pipeline of a subtree, registering an application, one person's record,
//! recording their next step.

use super::{ApiResult, Body, err};
use crate::development::{StepInput, due_text};
use crate::{App, AppError, scoped};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::Datelike;
use qiangji_domain::development::{DevFacts, DevelopeeId, legal_steps, next_steps};
use qiangji_store::Access;
use qiangji_store::development::{Developee, DevelopeeRecord, stage_counts};
use serde_json::{Value, json};
use std::sync::Arc;

fn opt(d: Option<qiangji_domain::Date>) -> Value {
    d.map_or(Value::Null, |d| json!(d.to_string()))
}

fn developee(d: &Developee) -> Value {
    let today = qiangji_domain::date::today();
    let (due, warnings) = next_steps(&d.state, today);
    let f = &d.applicant.fields;
    let s = &d.state;
    json!({
        "id": d.id.0,
        "org_id": d.org_id.0,
        "org": d.org_name,
        "name": f.name,
        "sex": f.sex.code(),
        "birth_date": f.birth_date.to_string(),
        "id_number": f.id_number.masked(),
        "education": f.education.code(),
        "occupation": f.occupation.code(),
        "applied_on": d.applicant.applied_on.to_string(),
        "stage": s.stage.code(),
        "stage_label": s.stage.label(),
        "member_id": d.member_id.map(|m| m.0),
        "activist_on": opt(s.activist_on),
        "candidate_on": opt(s.candidate_on),
        "admission_meeting_on": opt(s.admission_meeting_on),
        "admitted_on": opt(s.admitted_on),
        "probation_ends_on": opt(s.probation_ends_on),
        "full_on": opt(s.full_on),
        "next": due.iter().map(|d| json!({
            "step": d.step.code(), "label": d.step.label(), "earliest": d.earliest.to_string(),
            "latest": opt(d.latest), "text": due_text(d),
        })).collect::<Vec<_>>(),
        "warnings": warnings.iter().map(|w| json!({ "code": w.code(), "message": w.message() })).collect::<Vec<_>>(),
    })
}

fn record(r: &DevelopeeRecord) -> Value {
    let mut v = developee(&r.developee);
    v["legal_steps"] = json!(legal_steps(&r.developee.state).iter().map(|k| k.code()).collect::<Vec<_>>());
    v["steps"] = json!(
        r.steps
            .iter()
            .map(|s| json!({
                "step": s.kind.code(), "label": s.kind.label(), "on": s.on.to_string(), "details": s.details,
                "actor": s.actor, "reason": s.reason, "recorded_at": s.recorded_at,
            }))
            .collect::<Vec<_>>()
    );
    v
}

/// The pipeline of the subtree: counts per stage, this year's plan and admissions, everyone.
pub async fn list(
    actor: crate::auth::Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    let org = scoped::org(&app, &actor, id, Access::may_edit_members).await.map_err(AppError::json)?;
    let list = app.store.list_developees(&actor.access, org.id).await.map_err(err)?;
    let year = qiangji_domain::date::today().year();
    let plan = app.store.find_dev_plan(&actor.access, org.id, year).await.map_err(err)?;
    let admitted = list.iter().filter(|d| d.state.admitted_on.is_some_and(|on| on.year() == year)).count();
    Ok(Json(json!({
        "org_id": org.id.0,
        "counts": stage_counts(&list).iter().map(|(s, n)| json!({ "stage": s.code(), "label": s.label(), "count": n })).collect::<Vec<_>>(),
        "plan": { "year": year, "quota": plan.as_ref().map(|p| p.quota), "note": plan.as_ref().map(|p| p.note.clone()), "admitted": admitted },
        "developees": list.iter().map(developee).collect::<Vec<_>>(),
    })))
}

/// Registers an application with the organization.
pub async fn create(
    actor: crate::auth::Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Body(b): Body<crate::development::list::ApplicationForm>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let org = scoped::org(&app, &actor, id, Access::may_edit_members).await.map_err(AppError::json)?;
    let (input, reason) = b.split();
    let d = app.store.register_applicant(&actor.access, org.id, &input, &reason).await.map_err(err)?;
    let r = app.store.get_developee(&actor.access, d).await.map_err(err)?;
    Ok((StatusCode::CREATED, Json(record(&r))))
}

pub async fn get(
    actor: crate::auth::Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    let r = app.store.get_developee(&actor.access, DevelopeeId(id)).await.map_err(err)?;
    Ok(Json(record(&r)))
}

/// Records the next step (`step`, `on`, and what the step carries).
pub async fn add_step(
    actor: crate::auth::Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Body(input): Body<StepInput>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    // Scope and role first, then the input.
    app.store.get_developee(&actor.access, DevelopeeId(id)).await.map_err(err)?;
    let (action, on) = input.parse().map_err(AppError::json)?;
    app.store
        .record_dev_step(&actor.access, DevelopeeId(id), &action, on, DevFacts::DEFAULT_PUBLICITY_DAYS, &input.reason)
        .await
        .map_err(err)?;
    app.refresh().await.map_err(err)?;
    let r = app.store.get_developee(&actor.access, DevelopeeId(id)).await.map_err(err)?;
    Ok((StatusCode::CREATED, Json(record(&r))))
}
