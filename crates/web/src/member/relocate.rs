//! Moving a member to another organization within the officer's scope. The full transfer
//! workflow with letters (组织关系转接) is a separate capability; this is the direct adjustment.

use crate::App;
use crate::auth::Actor;
use crate::error::AppError;
use crate::page::{Layout, render};
use crate::pick::{CANDIDATES, PickForm, PickPage};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use qiangji_domain::date::{self, today};
use qiangji_domain::member::MemberId;
use qiangji_domain::org::OrgId;
use qiangji_store::StoreError;
use qiangji_store::member::Member;
use std::sync::Arc;

async fn page(
    app: &App,
    actor: &Actor,
    m: &Member,
    f: &PickForm,
    error: Option<(&'static str, String)>,
) -> Result<Response, AppError> {
    let candidates = if f.q.trim().is_empty() {
        Vec::new()
    } else {
        app.store.list_receivers(&actor.access, &f.q, CANDIDATES).await?
    };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let p = PickPage {
        layout: Layout::new("调整所在组织", actor),
        heading: "调整党员所在组织".into(),
        subject_label: "党员",
        subject_name: m.fields.name.clone(),
        subject_link: format!("/members/{}", m.id.0),
        notes: vec![format!("现所在组织：{}", m.org_name)],
        error,
        action: format!("/members/{}/move", m.id.0),
        q: f.q.clone(),
        pick_label: "转入的组织",
        candidates,
        selected: f.target_id.unwrap_or(0),
        with_date: true,
        on: if f.on.is_empty() { today().to_string() } else { f.on.clone() },
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
    let m = app.store.get_member(&actor.access, MemberId(id)).await?;
    actor.access.require(actor.access.may_edit_members())?;
    page(&app, &actor, &m, &f, None).await
}

pub async fn submit(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<PickForm>,
) -> Result<Response, AppError> {
    let m = app.store.get_member(&actor.access, MemberId(id)).await?;
    actor.access.require(actor.access.may_edit_members())?;
    let Some(target) = f.target_id else {
        return page(&app, &actor, &m, &f, Some(("member.target_missing", "请先查找并选择转入的组织".into()))).await;
    };
    let Some(on) = date::parse(&f.on) else {
        return page(&app, &actor, &m, &f, Some(("member.date_invalid", "日期格式应为 年-月-日".into()))).await;
    };
    match app.store.move_member(&actor.access, m.id, OrgId(target), on, &f.reason).await {
        Ok(()) => {
            app.refresh().await?;
            Ok(Redirect::to(&format!("/members/{id}")).into_response())
        }
        Err(e @ (StoreError::Org(_) | StoreError::Invalid(_))) => {
            page(&app, &actor, &m, &f, Some((e.code(), e.to_string()))).await
        }
        Err(e) => Err(e.into()),
    }
}
