//! Dissolving an organization (撤销): its members go to the nearest regional organization above
//! it, or to one the officer picks.

use crate::App;
use crate::auth::Actor;
use crate::error::AppError;
use crate::pick::{self, PickForm, Spec};
use crate::scoped;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use qiangji_domain::date;
use qiangji_domain::org::OrgId;
use qiangji_store::org::Org;
use qiangji_store::{Access, StoreError};
use std::sync::Arc;

async fn spec(app: &App, actor: &Actor, org: &Org) -> Result<Spec, AppError> {
    let members = app.engine.read().await.counts(&actor.access, org.id, date::today()).direct_members;
    let fallback = match app.store.default_receiver(&actor.access, org.id).await? {
        Some(r) => format!("不选择时，{members}名党员的组织关系转入上级区域性党组织：{}", r.fields.name),
        None => format!("上级没有区域性党组织，请选择接收{members}名党员的组织"),
    };
    Ok(Spec {
        heading: "撤销组织",
        subject_label: "组织",
        subject_name: org.fields.name.clone(),
        subject_link: format!("/orgs/{}", org.id.0),
        notes: vec!["撤销后组织及其历史记录保留，可随时查询；下级组织须先撤销或调走。".into(), fallback],
        action: format!("/orgs/{}/dissolve", org.id.0),
        pick_label: "接收党员的组织（可选）",
        with_date: true,
        button: "确认撤销",
        danger: true,
    })
}

pub async fn form(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Query(f): Query<PickForm>,
) -> Result<Response, AppError> {
    let org = scoped::org(&app, &actor, id, Access::may_manage_orgs).await?;
    pick::page(&app, &actor, spec(&app, &actor, &org).await?, &f, None).await
}

pub async fn submit(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<PickForm>,
) -> Result<Response, AppError> {
    let org = scoped::org(&app, &actor, id, Access::may_manage_orgs).await?;
    let refused = |code: &'static str, message: String| Some((code, message));
    let error = match (date::parse(&f.on), f.reason.trim()) {
        (None, _) => refused("org.date_invalid", "撤销日期格式应为 年-月-日".into()),
        (_, "") => refused("org.reason_missing", "请填写撤销原因".into()),
        (Some(on), _) => {
            match app.store.dissolve_org(&actor.access, org.id, f.target_id.map(OrgId), on, &f.reason).await {
                Ok((receiver, _)) => {
                    app.refresh().await?;
                    return Ok(Redirect::to(&format!("/orgs/{}", receiver.0)).into_response());
                }
                Err(e @ (StoreError::Org(_) | StoreError::Invalid(_))) => refused(e.code(), e.to_string()),
                Err(e) => return Err(e.into()),
            }
        }
    };
    pick::page(&app, &actor, spec(&app, &actor, &org).await?, &f, error).await
}
