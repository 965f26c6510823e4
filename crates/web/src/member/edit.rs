//! Registering a member in an organization and editing a member's record.

use crate::App;
use crate::auth::Actor;
use crate::error::AppError;
use crate::page::{Layout, render};
use crate::payload::MemberPayload;
use crate::scoped;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use qiangji_domain::Date;
use qiangji_domain::date::today;
use qiangji_domain::member::{Education, Ethnicity, MemberFields, MemberId, MemberInput, MemberKind, Occupation, Sex};
use qiangji_store::member::Member;
use qiangji_store::org::Org;
use qiangji_store::{Access, StoreError};
use std::sync::Arc;

#[derive(Template)]
#[template(path = "member_form.html")]
struct FormPage<'a> {
    layout: Layout<'a>,
    heading: String,
    action: String,
    back: String,
    form: MemberInput,
    creating: bool,
    since: String,
    from_outside: String,
    reason: String,
    /// Editing: the registered numbers, masked, kept when the fields are left empty.
    kept: Option<(String, String)>,
    errors: Vec<(String, &'static str, String)>,
    sexes: &'static [Sex],
    ethnicities: Vec<(String, &'static str)>,
    educations: &'static [Education],
    occupations: &'static [Occupation],
    kinds: &'static [MemberKind],
}

impl FormPage<'_> {
    fn error_for(&self, field: &str) -> bool {
        self.errors.iter().any(|(f, _, _)| f == field)
    }
}

/// What differs between the registration and edit forms.
struct FormSpec {
    heading: String,
    action: String,
    back: String,
    creating: bool,
    kept: Option<(String, String)>,
}

fn registering(org: &Org) -> FormSpec {
    let id = org.id.0;
    FormSpec {
        heading: format!("登记党员：{}", org.fields.name),
        action: format!("/orgs/{id}/members/new"),
        back: format!("/orgs/{id}/members"),
        creating: true,
        kept: None,
    }
}

fn editing(m: &Member) -> FormSpec {
    let id = m.id.0;
    FormSpec {
        heading: format!("编辑党员信息：{}", m.fields.name),
        action: format!("/members/{id}/edit"),
        back: format!("/members/{id}"),
        creating: false,
        kept: Some((m.fields.id_number.masked(), crate::member::mask_phone(&m.fields.phone))),
    }
}

fn form_page(
    actor: &Actor,
    spec: FormSpec,
    form: MemberInput,
    (since, from_outside): (String, String),
    reason: String,
    errors: Vec<(String, &'static str, String)>,
) -> Response {
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = FormPage {
        layout: Layout::new(spec.heading.clone(), actor),
        heading: spec.heading,
        action: spec.action,
        back: spec.back,
        form,
        creating: spec.creating,
        kept: spec.kept,
        since,
        from_outside,
        reason,
        errors,
        sexes: Sex::ALL,
        ethnicities: Ethnicity::all().map(|e| (format!("{:02}", e.code()), e.label())).collect(),
        educations: Education::ALL,
        occupations: Occupation::ALL,
        kinds: MemberKind::ALL,
    };
    (status, Html(render(&page))).into_response()
}

/// Shows the saved member, or the form again with each problem beside its field.
fn outcome(
    result: Result<i64, StoreError>,
    actor: &Actor,
    spec: FormSpec,
    p: MemberPayload,
) -> Result<Response, AppError> {
    let errors = match result {
        Ok(id) => return Ok(Redirect::to(&format!("/members/{id}")).into_response()),
        Err(StoreError::Member(errors)) => {
            errors.iter().map(|m| (m.field().to_owned(), m.code(), m.to_string())).collect()
        }
        Err(e @ StoreError::DuplicateIdNumber(_)) => vec![("id_number".into(), e.code(), e.to_string())],
        Err(e @ (StoreError::Org(_) | StoreError::Invalid(_) | StoreError::Refused { .. })) => {
            vec![(String::new(), e.code(), e.to_string())]
        }
        Err(other) => return Err(other.into()),
    };
    Ok(form_page(actor, spec, p.input(), (p.since.clone(), p.from_outside.clone()), p.reason.clone(), errors))
}

pub async fn new_form(actor: Actor, State(app): State<Arc<App>>, Path(id): Path<i64>) -> Result<Response, AppError> {
    let org = scoped::org(&app, &actor, id, Access::may_edit_members).await?;
    let form = MemberInput { ethnicity: "01".into(), kind: MemberKind::Full.code().into(), ..Default::default() };
    Ok(form_page(&actor, registering(&org), form, (today().to_string(), String::new()), String::new(), Vec::new()))
}

pub async fn create(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    axum::Form(p): axum::Form<MemberPayload>,
) -> Result<Response, AppError> {
    let org = scoped::org(&app, &actor, id, Access::may_edit_members).await?;
    let result = match p.validate_new() {
        Ok((fields, since)) => register(&app, &actor.access, &org, (&fields, since), &p).await.map(|m| m.0),
        Err(errors) => Err(StoreError::Member(errors)),
    };
    if result.is_ok() {
        app.refresh().await?;
    }
    outcome(result, &actor, registering(&org), p)
}

/// Registers a new member: directly, or taken in with a letter from outside when the payload
/// names who issued it (the UI form and the API alike).
pub async fn register(
    app: &App,
    access: &Access,
    org: &Org,
    (fields, since): (&MemberFields, Date),
    p: &MemberPayload,
) -> Result<MemberId, StoreError> {
    match p.from_outside.trim() {
        "" => app.store.create_member(access, org.id, fields, since, &p.reason).await,
        from => app.store.register_inbound(access, org.id, fields, from, since, &p.reason).await.map(|(m, _)| m),
    }
}

pub async fn edit_form(actor: Actor, State(app): State<Arc<App>>, Path(id): Path<i64>) -> Result<Response, AppError> {
    let m = scoped::member(&app, &actor, id, Access::may_edit_members).await?;
    // The form does not carry the numbers in full: left empty, they stay as registered.
    let form = MemberInput { id_number: String::new(), phone: String::new(), ..m.fields.to_input() };
    Ok(form_page(&actor, editing(&m), form, Default::default(), String::new(), Vec::new()))
}

pub async fn update(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    axum::Form(p): axum::Form<MemberPayload>,
) -> Result<Response, AppError> {
    let m = scoped::member(&app, &actor, id, Access::may_edit_members).await?;
    let result = match p.input_keeping(&m.fields).validate(today()) {
        Ok(fields) => app.store.update_member(&actor.access, m.id, &fields, &p.reason).await.map(|()| id),
        Err(errors) => Err(StoreError::Member(errors)),
    };
    if result.is_ok() {
        app.refresh().await?;
    }
    outcome(result, &actor, editing(&m), p)
}
