//! Moving an organization under a new parent (调整隶属关系).

use crate::App;
use crate::auth::Actor;
use crate::error::AppError;
use crate::page::{Layout, render};
use crate::pick::{CANDIDATES, PickForm, PickPage};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
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
    let parent = match org.parent_id {
        Some(p) => app
            .store
            .get_org(&actor.access, p)
            .await
            .map(|p| p.fields.name)
            .unwrap_or_else(|_| "（管理范围以外）".into()),
        None => "无".into(),
    };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let p = PickPage {
        layout: Layout::new("调整隶属关系", actor),
        heading: "调整隶属关系".into(),
        subject_label: "组织",
        subject_name: org.fields.name.clone(),
        subject_link: format!("/orgs/{}", org.id.0),
        notes: vec![format!("现上级组织：{parent}"), "整个组织连同其下级组织和党员一起调整。".into()],
        error,
        action: format!("/orgs/{}/move", org.id.0),
        q: f.q.clone(),
        pick_label: "新的上级组织",
        candidates,
        selected: f.target_id.unwrap_or(0),
        with_date: false,
        on: String::new(),
        reason: f.reason.clone(),
        button: "确认调整",
        button_class: "",
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
    let Some(target) = f.target_id else {
        return page(&app, &actor, &org, &f, Some(("org.parent_missing", "请先查找并选择新的上级组织".into()))).await;
    };
    match app.store.move_org(&actor.access, org.id, OrgId(target), &f.reason).await {
        Ok(()) => {
            app.refresh().await?;
            Ok(Redirect::to(&format!("/orgs/{id}")).into_response())
        }
        Err(e @ (StoreError::Org(_) | StoreError::Invalid(_))) => {
            page(&app, &actor, &org, &f, Some((e.code(), e.to_string()))).await
        }
        Err(e) => Err(e.into()),
    }
}
