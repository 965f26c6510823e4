//! 党籍状态 changes from the member's page: suspension, restoration, the four ways of leaving,
//! death — dated, reasoned and approved. Only the changes the current status allows are offered.

use crate::App;
use crate::auth::Actor;
use crate::error::AppError;
use crate::page::{Layout, render};
use crate::scoped;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use qiangji_domain::date::{self, today};
use qiangji_domain::member::{MemberStatus, StatusChange};
use qiangji_store::Access;
use qiangji_store::member::Member;
use std::sync::Arc;

/// The posted change (form and API alike).
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct StatusForm {
    pub status: String,
    pub on: String,
    pub reason: String,
    pub approved_by: String,
    pub approved_on: String,
}

impl StatusForm {
    /// The change asked for, or why it cannot be read. An empty date means today.
    pub fn change(&self) -> Result<StatusChange, (&'static str, String)> {
        let to = MemberStatus::parse(&self.status)
            .map_err(|_| ("member.code_unknown", format!("无法识别的党籍状态：{}", self.status)))?;
        let day = |s: &str| match s.trim() {
            "" => Ok(today()),
            s => date::parse(s).ok_or(("member.date_invalid", format!("日期格式应为 年-月-日，收到：{s}"))),
        };
        let on = day(&self.on)?;
        let change = StatusChange::new(to, on, &self.reason);
        Ok(match self.approved_by.trim() {
            "" => change,
            by => change.approved(by, day(&self.approved_on)?),
        })
    }
}

#[derive(Template)]
#[template(path = "member_status.html")]
struct StatusPage<'a> {
    layout: Layout<'a>,
    m: Member,
    choices: Vec<MemberStatus>,
    form: StatusForm,
    error: Option<(&'static str, String)>,
}

fn page(actor: &Actor, m: Member, form: StatusForm, error: Option<(&'static str, String)>) -> Response {
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let choices = MemberStatus::ALL.iter().copied().filter(|&s| m.status.may_become(s)).collect();
    let p =
        StatusPage {
            layout: Layout::new(format!("变更党籍状态：{}", m.fields.name), actor), m, choices, form, error
        };
    (status, Html(render(&p))).into_response()
}

pub async fn form(actor: Actor, State(app): State<Arc<App>>, Path(id): Path<i64>) -> Result<Response, AppError> {
    let m = scoped::member(&app, &actor, id, Access::may_edit_members).await?;
    let form = StatusForm { on: today().to_string(), approved_on: today().to_string(), ..Default::default() };
    Ok(page(&actor, m, form, None))
}

pub async fn submit(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<StatusForm>,
) -> Result<Response, AppError> {
    let m = scoped::member(&app, &actor, id, Access::may_edit_members).await?;
    let change = match f.change() {
        Ok(c) => c,
        Err(e) => return Ok(page(&actor, m, f, Some(e))),
    };
    match app.store.change_status(&actor.access, m.id, &change).await {
        Ok(()) => {
            app.refresh().await?;
            Ok(Redirect::to(&format!("/members/{id}")).into_response())
        }
        Err(e) => Ok(page(&actor, m, f, Some(crate::error::refusal(e)?))),
    }
}
