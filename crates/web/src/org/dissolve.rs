//! Dissolving an organization (撤销): its members go to the nearest regional organization above
//! it, or to one the officer picks.

use crate::App;
use crate::auth::Actor;
use crate::error::AppError;
use crate::page::{Layout, render};
use crate::pick::{CANDIDATES, PickForm, PickPage};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use qiangji_domain::date::{self, today};
use qiangji_domain::org::OrgId;
use qiangji_store::StoreError;
use qiangji_store::org::Org;
use std::sync::Arc;

async fn page(
    app: &App,
    actor: &Actor,
    org: &Org,
    f: &PickForm,
    error: Option<(&'static str, String)>,
) -> Result<Response, AppError> {
    let candidates = if f.q.trim().is_empty() {
        Vec::new()
    } else {
        app.store.list_receivers(&actor.access, &f.q, CANDIDATES).await?
    };
    let members = app.index.read().await.counts(&actor.access, org.id).direct_members;
    let fallback = match app.store.default_receiver(&actor.access, org.id).await? {
        Some(r) => format!("不选择时，{members}名党员的组织关系转入上级区域性党组织：{}", r.fields.name),
        None => format!("上级没有区域性党组织，请选择接收{members}名党员的组织"),
    };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let p = PickPage {
        layout: Layout::new("撤销组织", actor),
        heading: "撤销组织".into(),
        subject_label: "组织",
        subject_name: org.fields.name.clone(),
        subject_link: format!("/orgs/{}", org.id.0),
        notes: vec!["撤销后组织及其历史记录保留，可随时查询；下级组织须先撤销或调走。".into(), fallback],
        error,
        action: format!("/orgs/{}/dissolve", org.id.0),
        q: f.q.clone(),
        pick_label: "接收党员的组织（可选）",
        candidates,
        selected: f.target_id.unwrap_or(0),
        with_date: true,
        on: if f.on.is_empty() { today().to_string() } else { f.on.clone() },
        reason: f.reason.clone(),
        button: "确认撤销",
        button_class: "danger",
    };
    Ok((status, Html(render(&p))).into_response())
}

pub async fn form(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Query(f): Query<PickForm>,
) -> Result<Response, AppError> {
    let org = app.store.get_org(&actor.access, OrgId(id)).await?;
    actor.access.require(actor.access.may_manage_orgs())?;
    page(&app, &actor, &org, &f, None).await
}

pub async fn submit(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<PickForm>,
) -> Result<Response, AppError> {
    let org = app.store.get_org(&actor.access, OrgId(id)).await?;
    actor.access.require(actor.access.may_manage_orgs())?;
    let Some(on) = date::parse(&f.on) else {
        return page(&app, &actor, &org, &f, Some(("org.date_invalid", "撤销日期格式应为 年-月-日".into()))).await;
    };
    if f.reason.trim().is_empty() {
        return page(&app, &actor, &org, &f, Some(("org.reason_missing", "请填写撤销原因".into()))).await;
    }
    match app.store.dissolve_org(&actor.access, org.id, f.target_id.map(OrgId), on, &f.reason).await {
        Ok((receiver, _)) => {
            app.refresh().await?;
            Ok(Redirect::to(&format!("/orgs/{}", receiver.0)).into_response())
        }
        Err(e @ (StoreError::Org(_) | StoreError::Invalid(_))) => {
            page(&app, &actor, &org, &f, Some((e.code(), e.to_string()))).await
        }
        Err(e) => Err(e.into()),
    }
}
