//! Creating a child organization and editing one: one form, two specs.

use super::input_of;
use crate::App;
use crate::auth::Actor;
use crate::error::AppError;
use crate::page::{Layout, render};
use crate::payload::OrgPayload;
use crate::scoped;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use qiangji_domain::date::today;
use qiangji_domain::org::{FormationMode, OrgInput, OrgKind, Sector};
use qiangji_store::org::Org;
use qiangji_store::{Access, StoreError};
use std::sync::Arc;

#[derive(Template)]
#[template(path = "org_form.html")]
struct FormPage<'a> {
    layout: Layout<'a>,
    heading: String,
    parent_name: Option<String>,
    action: String,
    back: String,
    form: OrgInput,
    reason: String,
    error: Option<(&'static str, String)>,
    kinds: &'static [OrgKind],
    sectors: &'static [Sector],
    modes: &'static [FormationMode],
}

/// What differs between the create and edit forms.
struct Spec {
    heading: String,
    parent_name: Option<String>,
    action: String,
    back: String,
}

fn creating(parent: &Org) -> Spec {
    let id = parent.id.0;
    Spec {
        heading: "新建下级组织".into(),
        parent_name: Some(parent.fields.name.clone()),
        action: format!("/orgs/{id}/new"),
        back: format!("/orgs/{id}"),
    }
}

fn editing(org: &Org) -> Spec {
    let id = org.id.0;
    Spec {
        heading: format!("编辑：{}", org.fields.name),
        parent_name: None,
        action: format!("/orgs/{id}/edit"),
        back: format!("/orgs/{id}"),
    }
}

fn form_page(
    actor: &Actor,
    spec: Spec,
    form: OrgInput,
    reason: String,
    error: Option<(&'static str, String)>,
) -> Response {
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = FormPage {
        layout: Layout::new(spec.heading.clone(), actor),
        heading: spec.heading,
        parent_name: spec.parent_name,
        action: spec.action,
        back: spec.back,
        form,
        reason,
        error,
        kinds: OrgKind::ALL,
        sectors: Sector::ALL,
        modes: FormationMode::ALL,
    };
    (status, Html(render(&page))).into_response()
}

/// Shows the saved organization, or the form again with what a person can fix.
fn outcome(result: Result<i64, StoreError>, actor: &Actor, spec: Spec, p: OrgPayload) -> Result<Response, AppError> {
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/orgs/{id}")).into_response()),
        Err(e @ (StoreError::Org(_) | StoreError::Invalid(_))) => {
            Ok(form_page(actor, spec, p.input(), p.reason, Some((e.code(), e.to_string()))))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn new_form(actor: Actor, State(app): State<Arc<App>>, Path(id): Path<i64>) -> Result<Response, AppError> {
    let parent = scoped::org(&app, &actor, id, Access::may_manage_orgs).await?;
    let child_kind = match parent.fields.kind {
        OrgKind::Department => OrgKind::Committee,
        OrgKind::Branch => OrgKind::Group,
        _ => OrgKind::Branch,
    };
    let form = OrgInput {
        kind: child_kind.code().into(),
        sector: parent.fields.sector.code().into(),
        formation_mode: FormationMode::Single.code().into(),
        ..Default::default()
    };
    Ok(form_page(&actor, creating(&parent), form, String::new(), None))
}

pub async fn create(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    axum::Form(p): axum::Form<OrgPayload>,
) -> Result<Response, AppError> {
    let parent = scoped::org(&app, &actor, id, Access::may_manage_orgs).await?;
    let result = match p.input().validate(today()) {
        Ok(fields) => app.store.create_org(&actor.access, parent.id, &fields, &p.reason).await.map(|o| o.0),
        Err(e) => Err(e.into()),
    };
    if result.is_ok() {
        app.refresh().await?;
    }
    outcome(result, &actor, creating(&parent), p)
}

pub async fn edit_form(actor: Actor, State(app): State<Arc<App>>, Path(id): Path<i64>) -> Result<Response, AppError> {
    let org = scoped::org(&app, &actor, id, Access::may_manage_orgs).await?;
    Ok(form_page(&actor, editing(&org), input_of(&org), String::new(), None))
}

pub async fn update(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    axum::Form(p): axum::Form<OrgPayload>,
) -> Result<Response, AppError> {
    let org = scoped::org(&app, &actor, id, Access::may_manage_orgs).await?;
    let result = match p.input().validate(today()) {
        Ok(fields) => app.store.update_org(&actor.access, org.id, &fields, &p.reason).await.map(|()| id),
        Err(e) => Err(e.into()),
    };
    if result.is_ok() {
        app.refresh().await?;
    }
    outcome(result, &actor, editing(&org), p)
}
