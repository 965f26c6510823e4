//! `/orgs/{org_id}/development`: everyone being developed in the subtree with their stage, next
//! step, due date and warnings; counts per stage; this year's plan against admissions; the forms
//! to register an application and to set the plan.

use super::{Row, row};
use crate::App;
use crate::auth::Actor;
use crate::error::AppError;
use crate::page::{Layout, render};
use crate::scoped;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::Datelike;
use qiangji_domain::development::{ApplicantInput, DevStage};
use qiangji_domain::member::{Education, Ethnicity, Occupation};
use qiangji_store::development::{DevPlan, PlanInput, stage_counts};
use qiangji_store::org::Org;
use qiangji_store::{Access, StoreError};
use std::sync::Arc;

#[derive(Template)]
#[template(path = "development_org.html")]
struct ListPage<'a> {
    layout: Layout<'a>,
    org: Org,
    rows: Vec<Row>,
    counts: Vec<(DevStage, usize)>,
    year: i32,
    plan: Option<DevPlan>,
    admitted: usize,
    input: ApplicantInput,
    ethnicities: Vec<Ethnicity>,
    educations: &'static [Education],
    occupations: &'static [Occupation],
    alert: Option<(&'static str, String)>,
    today: String,
}

async fn render_page(
    app: &App,
    actor: &Actor,
    org: Org,
    input: ApplicantInput,
    alert: Option<(&'static str, String)>,
) -> Result<Response, AppError> {
    let today = qiangji_domain::date::today();
    let list = app.store.list_developees(&actor.access, org.id).await?;
    let year = today.year();
    let plan = app.store.find_dev_plan(&actor.access, org.id, year).await?;
    let admitted = list.iter().filter(|d| d.state.admitted_on.is_some_and(|on| on.year() == year)).count();
    let status = if alert.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let view = ListPage {
        layout: Layout::new(format!("发展党员：{}", org.fields.name), actor),
        rows: list.iter().map(|d| row(d, today)).collect(),
        counts: stage_counts(&list),
        org,
        year,
        plan,
        admitted,
        input,
        ethnicities: Ethnicity::all().collect(),
        educations: Education::ALL,
        occupations: Occupation::ALL,
        alert,
        today: today.to_string(),
    };
    Ok((status, Html(render(&view))).into_response())
}

pub async fn page(actor: Actor, State(app): State<Arc<App>>, Path(id): Path<i64>) -> Result<Response, AppError> {
    let org = scoped::org(&app, &actor, id, Access::may_edit_members).await?;
    let input = ApplicantInput { ethnicity: "01".into(), ..Default::default() };
    render_page(&app, &actor, org, input, None).await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct ApplicationForm {
    name: String,
    id_number: String,
    ethnicity: String,
    education: String,
    occupation: String,
    work_unit: String,
    phone: String,
    applied_on: String,
    reason: String,
}

impl ApplicationForm {
    /// The application and the reason of its registration (the page's form and the API's body).
    pub fn split(self) -> (ApplicantInput, String) {
        let input = ApplicantInput {
            name: self.name,
            id_number: self.id_number,
            ethnicity: self.ethnicity,
            education: self.education,
            occupation: self.occupation,
            work_unit: self.work_unit,
            phone: self.phone,
            applied_on: self.applied_on,
        };
        (input, self.reason)
    }
}

pub async fn apply(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<ApplicationForm>,
) -> Result<Response, AppError> {
    let org = scoped::org(&app, &actor, id, Access::may_edit_members).await?;
    let (input, reason) = f.split();
    match app.store.register_applicant(&actor.access, org.id, &input, &reason).await {
        Ok(d) => Ok(Redirect::to(&format!("/developees/{}", d.0)).into_response()),
        Err(e) => render_page(&app, &actor, org, input, Some(crate::error::refusal(e)?)).await,
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct PlanForm {
    year: String,
    quota: String,
    note: String,
    reason: String,
}

pub async fn plan(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<PlanForm>,
) -> Result<Response, AppError> {
    let org = scoped::org(&app, &actor, id, Access::may_edit_members).await?;
    let parsed = f.year.trim().parse::<i32>().ok().zip(f.quota.trim().parse::<u32>().ok());
    let Some((year, quota)) = parsed else {
        let e = StoreError::PlanInvalid("年度和计划发展人数应为整数".into());
        let input = ApplicantInput { ethnicity: "01".into(), ..Default::default() };
        return render_page(&app, &actor, org, input, Some((e.code(), e.to_string()))).await;
    };
    match app.store.set_dev_plan(&actor.access, org.id, &PlanInput { year, quota, note: f.note }, &f.reason).await {
        Ok(()) => Ok(Redirect::to(&format!("/orgs/{}/development", org.id.0)).into_response()),
        Err(e) => {
            let refused = crate::error::refusal(e)?;
            let input = ApplicantInput { ethnicity: "01".into(), ..Default::default() };
            render_page(&app, &actor, org, input, Some(refused)).await
        }
    }
}

/// `GET /orgs/{org_id}/development/export?format=xlsx|csv&encoding=utf8|gbk`: the page's table of
/// everyone being developed, with stage, next step, due date and warnings.
pub async fn export(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    axum::extract::Query(f): axum::extract::Query<crate::export::FormatQuery>,
) -> Result<Response, AppError> {
    use crate::export::{Cell, Column, TableWriter};
    let format = f.file_format()?;
    let org = scoped::org(&app, &actor, id, Access::may_edit_members).await?;
    let today = qiangji_domain::date::today();
    let list = app.store.list_developees(&actor.access, org.id).await?;
    let columns: Vec<Column> =
        [("姓名", 8), ("所在组织", 30), ("阶段", 10), ("申请日期", 10), ("下一步骤", 40), ("期限", 10), ("提示", 30)]
            .into_iter()
            .map(|(t, w)| Column::new(t, w))
            .collect();
    let mut w = TableWriter::new(format);
    let note = format!("{}及下级组织 · 截至{today} · 共{}人", org.fields.name, list.len());
    w.table(&format!("发展党员：{}", org.fields.name), &note, &columns)?;
    for d in &list {
        let r = row(d, today);
        w.row(&[
            Cell::from(r.name),
            r.org_name.into(),
            r.stage.into(),
            r.applied_on.into(),
            r.next.into(),
            r.due.into(),
            r.warnings.join("；").into(),
        ])?;
    }
    let body = w.finish()?;
    Ok(crate::export::attachment(body, format, &format!("{}发展党员{today}", org.fields.name)))
}
