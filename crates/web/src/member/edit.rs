//! Registering a member in an organization and editing a member's record.

use crate::App;
use crate::auth::Actor;
use crate::error::AppError;
use crate::page::{Layout, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use qiangji_domain::date::{self, today};
use qiangji_domain::member::{Education, Ethnicity, MemberError, MemberId, MemberInput, MemberKind, Occupation, Sex};
use qiangji_domain::org::OrgId;
use qiangji_store::StoreError;
use serde::Deserialize;
use std::sync::Arc;

/// The member form as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MemberForm {
    pub name: String,
    pub sex: String,
    pub ethnicity: String,
    pub birth_date: String,
    pub native_place: String,
    pub id_number: String,
    pub education: String,
    pub school: String,
    pub major: String,
    pub degree: String,
    pub occupation: String,
    pub work_unit: String,
    pub job_title: String,
    pub work_started_on: String,
    pub phone: String,
    pub address: String,
    pub joined_on: String,
    pub full_on: String,
    pub kind: String,
    pub floating: Option<String>,
    pub lost_contact: Option<String>,
    pub hardship: Option<String>,
    pub postless: Option<String>,
    pub since: String,
    pub reason: String,
}

impl MemberForm {
    pub fn input(&self) -> MemberInput {
        MemberInput {
            name: self.name.clone(),
            sex: self.sex.clone(),
            ethnicity: self.ethnicity.clone(),
            birth_date: self.birth_date.clone(),
            native_place: self.native_place.clone(),
            id_number: self.id_number.clone(),
            education: self.education.clone(),
            school: self.school.clone(),
            major: self.major.clone(),
            degree: self.degree.clone(),
            occupation: self.occupation.clone(),
            work_unit: self.work_unit.clone(),
            job_title: self.job_title.clone(),
            work_started_on: self.work_started_on.clone(),
            phone: self.phone.clone(),
            address: self.address.clone(),
            joined_on: self.joined_on.clone(),
            full_on: self.full_on.clone(),
            kind: self.kind.clone(),
            floating: self.floating.is_some(),
            lost_contact: self.lost_contact.is_some(),
            hardship: self.hardship.is_some(),
            postless: self.postless.is_some(),
        }
    }
}

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
    reason: String,
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

struct FormSpec<'a> {
    heading: String,
    action: String,
    back: String,
    creating: bool,
    since: String,
    reason: &'a str,
}

fn form_page(
    actor: &Actor,
    spec: FormSpec<'_>,
    form: MemberInput,
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
        since: spec.since,
        reason: spec.reason.to_owned(),
        errors,
        sexes: Sex::ALL,
        ethnicities: Ethnicity::all().map(|e| (format!("{:02}", e.code()), e.label())).collect(),
        educations: Education::ALL,
        occupations: Occupation::ALL,
        kinds: MemberKind::ALL,
    };
    (status, Html(render(&page))).into_response()
}

/// Errors a person can fix go back to the form, each beside its field.
fn on_form(e: StoreError) -> Result<Vec<(String, &'static str, String)>, AppError> {
    match e {
        StoreError::Member(errors) => {
            Ok(errors.iter().map(|m| (m.field().to_owned(), m.code(), m.to_string())).collect())
        }
        StoreError::DuplicateIdNumber(_) => Ok(vec![("id_number".into(), e.code(), e.to_string())]),
        StoreError::Org(_) | StoreError::Invalid(_) => Ok(vec![(String::new(), e.code(), e.to_string())]),
        other => Err(other.into()),
    }
}

fn validated(input: &MemberInput) -> Result<qiangji_domain::member::MemberFields, StoreError> {
    input.validate(today()).map_err(StoreError::Member)
}

pub async fn new_form(actor: Actor, State(app): State<Arc<App>>, Path(id): Path<i64>) -> Result<Response, AppError> {
    let org = app.store.get_org(&actor.access, OrgId(id)).await?;
    actor.access.require(actor.access.may_edit_members())?;
    let form = MemberInput { ethnicity: "01".into(), kind: MemberKind::Full.code().into(), ..Default::default() };
    let spec = FormSpec {
        heading: format!("登记党员：{}", org.fields.name),
        action: format!("/orgs/{id}/members/new"),
        back: format!("/orgs/{id}/members"),
        creating: true,
        since: today().to_string(),
        reason: "",
    };
    Ok(form_page(&actor, spec, form, Vec::new()))
}

pub async fn create(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<MemberForm>,
) -> Result<Response, AppError> {
    let org = app.store.get_org(&actor.access, OrgId(id)).await?;
    actor.access.require(actor.access.may_edit_members())?;
    let input = f.input();
    let result = match (validated(&input), date::parse(&f.since)) {
        (Ok(fields), Some(since)) => app.store.create_member(&actor.access, org.id, &fields, since, &f.reason).await,
        (Err(e), _) => Err(e),
        (_, None) => Err(StoreError::Member(vec![MemberError::DateInvalid {
            field: "since",
            field_label: "组织关系转入日期",
        }])),
    };
    match result {
        Ok(member) => {
            app.refresh().await?;
            Ok(Redirect::to(&format!("/members/{}", member.0)).into_response())
        }
        Err(e) => {
            let errors = on_form(e)?;
            let spec = FormSpec {
                heading: format!("登记党员：{}", org.fields.name),
                action: format!("/orgs/{id}/members/new"),
                back: format!("/orgs/{id}/members"),
                creating: true,
                since: f.since.clone(),
                reason: &f.reason,
            };
            Ok(form_page(&actor, spec, input, errors))
        }
    }
}

pub async fn edit_form(actor: Actor, State(app): State<Arc<App>>, Path(id): Path<i64>) -> Result<Response, AppError> {
    let m = app.store.get_member(&actor.access, MemberId(id)).await?;
    actor.access.require(actor.access.may_edit_members())?;
    let spec = FormSpec {
        heading: format!("编辑党员信息：{}", m.fields.name),
        action: format!("/members/{id}/edit"),
        back: format!("/members/{id}"),
        creating: false,
        since: String::new(),
        reason: "",
    };
    Ok(form_page(&actor, spec, m.fields.to_input(), Vec::new()))
}

pub async fn update(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<MemberForm>,
) -> Result<Response, AppError> {
    let m = app.store.get_member(&actor.access, MemberId(id)).await?;
    actor.access.require(actor.access.may_edit_members())?;
    let input = f.input();
    let result = match validated(&input) {
        Ok(fields) => app.store.update_member(&actor.access, m.id, &fields, &f.reason).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => {
            app.refresh().await?;
            Ok(Redirect::to(&format!("/members/{id}")).into_response())
        }
        Err(e) => {
            let errors = on_form(e)?;
            let spec = FormSpec {
                heading: format!("编辑党员信息：{}", m.fields.name),
                action: format!("/members/{id}/edit"),
                back: format!("/members/{id}"),
                creating: false,
                since: String::new(),
                reason: &f.reason,
            };
            Ok(form_page(&actor, spec, input, errors))
        }
    }
}
