//! Moving a member to another organization within the officer's scope. The full transfer
//! workflow with letters (组织关系转接) is a separate capability; this is the direct adjustment.

use crate::App;
use crate::auth::Actor;
use crate::error::AppError;
use crate::pick::{self, PickForm, Spec};
use crate::scoped;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use qiangji_domain::date;
use qiangji_domain::org::OrgId;
use qiangji_store::member::Member;
use qiangji_store::{Access, StoreError};
use std::sync::Arc;

fn spec(m: &Member) -> Spec {
    Spec {
        heading: "调整党员所在组织",
        subject_label: "党员",
        subject_name: m.fields.name.clone(),
        subject_link: format!("/members/{}", m.id.0),
        notes: vec![format!("现所在组织：{}", m.org_name)],
        action: format!("/members/{}/move", m.id.0),
        pick_label: "转入的组织",
        with_date: true,
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
    let m = scoped::member(&app, &actor, id, Access::may_edit_members).await?;
    pick::page(&app, &actor, spec(&m), &f, None).await
}

pub async fn submit(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<PickForm>,
) -> Result<Response, AppError> {
    let m = scoped::member(&app, &actor, id, Access::may_edit_members).await?;
    let Some(target) = f.target_id else {
        let error = ("member.target_missing", "请先查找并选择转入的组织".into());
        return pick::page(&app, &actor, spec(&m), &f, Some(error)).await;
    };
    let Some(on) = date::parse(&f.on) else {
        return pick::page(&app, &actor, spec(&m), &f, Some(("member.date_invalid", "日期格式应为 年-月-日".into())))
            .await;
    };
    match app.store.move_member(&actor.access, m.id, OrgId(target), on, &f.reason).await {
        Ok(()) => {
            app.refresh().await?;
            Ok(Redirect::to(&format!("/members/{id}")).into_response())
        }
        Err(e @ (StoreError::Org(_) | StoreError::Invalid(_))) => {
            pick::page(&app, &actor, spec(&m), &f, Some((e.code(), e.to_string()))).await
        }
        Err(e) => Err(e.into()),
    }
}
