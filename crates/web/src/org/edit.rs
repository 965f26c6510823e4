//! Creating a child organization and editing one.

use super::{OrgForm, input_of};
use crate::App;
use crate::auth::Actor;
use crate::error::AppError;
use crate::page::{Layout, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use qiangji_domain::org::{FormationMode, OrgId, OrgInput, OrgKind, Sector};
use qiangji_store::StoreError;
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

#[allow(clippy::too_many_arguments)]
fn form_page(
    actor: &Actor,
    heading: String,
    parent_name: Option<String>,
    action: String,
    back: String,
    form: OrgInput,
    reason: String,
    error: Option<(&'static str, String)>,
) -> Response {
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = FormPage {
        layout: Layout::new(heading.clone(), actor),
        heading,
        parent_name,
        action,
        back,
        form,
        reason,
        error,
        kinds: OrgKind::ALL,
        sectors: Sector::ALL,
        modes: FormationMode::ALL,
    };
    (status, Html(render(&page))).into_response()
}

/// Errors a person can fix are shown on the form; others become the error page.
fn on_form(e: StoreError) -> Result<(&'static str, String), AppError> {
    match e {
        StoreError::Org(_) | StoreError::Invalid(_) => Ok((e.code(), e.to_string())),
        other => Err(other.into()),
    }
}

pub async fn new_form(actor: Actor, State(app): State<Arc<App>>, Path(id): Path<i64>) -> Result<Response, AppError> {
    let parent = app.store.get_org(&actor.access, OrgId(id)).await?;
    actor.access.require(actor.access.may_manage_orgs())?;
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
    Ok(form_page(
        &actor,
        "新建下级组织".into(),
        Some(parent.fields.name),
        format!("/orgs/{id}/new"),
        format!("/orgs/{id}"),
        form,
        String::new(),
        None,
    ))
}

pub async fn create(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<OrgForm>,
) -> Result<Response, AppError> {
    let parent = app.store.get_org(&actor.access, OrgId(id)).await?;
    actor.access.require(actor.access.may_manage_orgs())?;
    let input = f.input();
    let result = match input.validate(qiangji_domain::date::today()) {
        Ok(fields) => app.store.create_org(&actor.access, parent.id, &fields, &f.reason).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(new_id) => {
            app.refresh().await?;
            Ok(Redirect::to(&format!("/orgs/{}", new_id.0)).into_response())
        }
        Err(e) => {
            let error = on_form(e)?;
            Ok(form_page(
                &actor,
                "新建下级组织".into(),
                Some(parent.fields.name),
                format!("/orgs/{id}/new"),
                format!("/orgs/{id}"),
                input,
                f.reason,
                Some(error),
            ))
        }
    }
}

pub async fn edit_form(actor: Actor, State(app): State<Arc<App>>, Path(id): Path<i64>) -> Result<Response, AppError> {
    let org = app.store.get_org(&actor.access, OrgId(id)).await?;
    actor.access.require(actor.access.may_manage_orgs())?;
    Ok(form_page(
        &actor,
        format!("编辑：{}", org.fields.name),
        None,
        format!("/orgs/{id}/edit"),
        format!("/orgs/{id}"),
        input_of(&org),
        String::new(),
        None,
    ))
}

pub async fn update(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<OrgForm>,
) -> Result<Response, AppError> {
    let org = app.store.get_org(&actor.access, OrgId(id)).await?;
    actor.access.require(actor.access.may_manage_orgs())?;
    let input = f.input();
    let result = match input.validate(qiangji_domain::date::today()) {
        Ok(fields) => app.store.update_org(&actor.access, org.id, &fields, &f.reason).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(()) => {
            app.refresh().await?;
            Ok(Redirect::to(&format!("/orgs/{id}")).into_response())
        }
        Err(e) => {
            let error = on_form(e)?;
            Ok(form_page(
                &actor,
                format!("编辑：{}", org.fields.name),
                None,
                format!("/orgs/{id}/edit"),
                format!("/orgs/{id}"),
                input,
                f.reason,
                Some(error),
            ))
        }
    }
}
