//! `/members/{member_id}/floating`: a member's outflow and inflow registrations with their
//! contact records and warnings, and the forms for the next step: register an outflow when the
//! member is not out; record a contact or end the outflow while they are.

use super::{Row, act_on_member, row};
use crate::App;
use crate::auth::Actor;
use crate::error::AppError;
use crate::page::{Layout, render};
use crate::payload::FloatingPayload;
use crate::scoped;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use qiangji_domain::floating::{ContactWay, Direction, EndReason, OutflowReason};
use qiangji_domain::member::MemberId;
use qiangji_store::floating::ContactRecord;
use qiangji_store::member::Member;
use qiangji_store::{Access, StoreError};
use std::sync::Arc;

#[derive(Template)]
#[template(path = "floating_member.html")]
struct MemberPage<'a> {
    layout: Layout<'a>,
    m: Member,
    /// The open outflow, if any.
    out: Option<Row>,
    rows: Vec<(&'static str, Row)>,
    contacts: Vec<ContactRecord>,
    may_edit: bool,
    input: FloatingPayload,
    alert: Option<(&'static str, String)>,
    reasons: &'static [OutflowReason],
    ways: &'static [ContactWay],
    end_reasons: &'static [EndReason],
    today: String,
}

async fn render_page(
    app: &App,
    actor: &Actor,
    m: Member,
    input: FloatingPayload,
    alert: Option<(&'static str, String)>,
) -> Result<Response, AppError> {
    let today = qiangji_domain::date::today();
    let (regs, contacts) = app.store.member_floating(&actor.access, m.id).await?;
    let out = regs.iter().find(|r| r.direction == Direction::Outflow && r.is_open()).map(|r| row(r, today));
    let status = if alert.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let view = MemberPage {
        layout: Layout::new(format!("流动情况 · {}", m.fields.name), actor),
        out,
        rows: regs.iter().map(|r| (r.direction.label(), row(r, today))).collect(),
        contacts,
        may_edit: actor.access.may_edit_members() && m.status.holds_membership(),
        m,
        input,
        alert,
        reasons: OutflowReason::ALL,
        ways: ContactWay::ALL,
        end_reasons: EndReason::ALL,
        today: today.to_string(),
    };
    Ok((status, Html(render(&view))).into_response())
}

pub async fn page(actor: Actor, State(app): State<Arc<App>>, Path(id): Path<i64>) -> Result<Response, AppError> {
    let m = app.store.get_member(&actor.access, MemberId(id)).await?;
    render_page(&app, &actor, m, FloatingPayload::default(), None).await
}

pub async fn submit(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    axum::Form(p): axum::Form<FloatingPayload>,
) -> Result<Response, AppError> {
    let m = scoped::member(&app, &actor, id, Access::may_edit_members).await?;
    match act_on_member(&app, &actor.access, &m, &p).await {
        Ok(()) => Ok(Redirect::to(&format!("/members/{id}/floating")).into_response()),
        Err(e @ (StoreError::Floating(_) | StoreError::Invalid(_))) => {
            render_page(&app, &actor, m, p, Some((e.code(), e.to_string()))).await
        }
        Err(e) => Err(e.into()),
    }
}
