//! Moving an organization under a new parent (调整隶属关系).

use crate::App;
use crate::auth::Actor;
use crate::error::AppError;
use crate::pick::{self, PickForm, Spec};
use crate::scoped;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use qiangji_domain::org::OrgId;
use qiangji_store::org::Org;
use qiangji_store::{Access, StoreError};
use std::sync::Arc;

async fn spec(app: &App, actor: &Actor, org: &Org) -> Spec {
    let parent = match org.parent_id {
        Some(p) => {
            app.store.get_org(&actor.access, p).await.map_or_else(|_| "（管理范围以外）".into(), |p| p.fields.name)
        }
        None => "无".into(),
    };
    Spec {
        heading: "调整隶属关系",
        subject_label: "组织",
        subject_name: org.fields.name.clone(),
        subject_link: format!("/orgs/{}", org.id.0),
        notes: vec![format!("现上级组织：{parent}"), "整个组织连同其下级组织和党员一起调整。".into()],
        action: format!("/orgs/{}/move", org.id.0),
        pick_label: "新的上级组织",
        with_date: false,
        button: "确认调整",
        danger: false,
    }
}

pub async fn form(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Query(f): Query<PickForm>,
) -> Result<Response, AppError> {
    let org = scoped::org(&app, &actor, id, Access::may_manage_orgs).await?;
    pick::page(&app, &actor, spec(&app, &actor, &org).await, &f, None).await
}

pub async fn submit(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<PickForm>,
) -> Result<Response, AppError> {
    let org = scoped::org(&app, &actor, id, Access::may_manage_orgs).await?;
    let Some(target) = f.target_id else {
        let error = ("org.parent_missing", "请先查找并选择新的上级组织".into());
        return pick::page(&app, &actor, spec(&app, &actor, &org).await, &f, Some(error)).await;
    };
    match app.store.move_org(&actor.access, org.id, OrgId(target), &f.reason).await {
        Ok(()) => {
            app.refresh().await?;
            Ok(Redirect::to(&format!("/orgs/{id}")).into_response())
        }
        Err(e @ (StoreError::Org(_) | StoreError::Invalid(_))) => {
            pick::page(&app, &actor, spec(&app, &actor, &org).await, &f, Some((e.code(), e.to_string()))).await
        }
        Err(e) => Err(e.into()),
    }
}
