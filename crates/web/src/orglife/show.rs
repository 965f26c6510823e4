//! `/orgs/{org_id}/orglife`: what an organization owes this year and its records;
//! `/meetings/{meeting_id}`: one record with its attendance, where a member confirms their own.

use super::RequirementView;
use crate::App;
use crate::auth::Actor;
use crate::error::AppError;
use crate::page::{Layout, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::Datelike;
use qiangji_domain::org::OrgId;
use qiangji_domain::orglife::MeetingId;
use qiangji_store::org::Org;
use qiangji_store::orglife::{Meeting, MeetingSummary};
use std::sync::Arc;

#[derive(Template)]
#[template(path = "orglife_org.html")]
struct OrgPage<'a> {
    layout: Layout<'a>,
    org: Org,
    year: i32,
    requirements: Vec<RequirementView>,
    meetings: Vec<MeetingSummary>,
    may_record: bool,
}

pub async fn org_page(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
) -> Result<Html<String>, AppError> {
    let org = app.store.get_org(&actor.access, OrgId(id)).await?;
    let today = qiangji_domain::date::today();
    let requirements = app.engine.read().await.requirements(&actor.access, org.id, today, &app.rules());
    let from = qiangji_domain::Date::from_ymd_opt(today.year() - 1, 1, 1).expect("1 January exists");
    let meetings = app.store.list_meetings(&actor.access, org.id, from, today).await?;
    let view = OrgPage {
        layout: Layout::new(format!("组织生活：{}", org.fields.name), &actor),
        year: today.year(),
        requirements: requirements.iter().map(RequirementView::of).collect(),
        meetings,
        may_record: actor.access.may_edit_members() && !org.is_dissolved(),
        org,
    };
    Ok(Html(render(&view)))
}

#[derive(Template)]
#[template(path = "meeting_show.html")]
struct MeetingPage<'a> {
    layout: Layout<'a>,
    m: Meeting,
    /// The viewer's own attendance row, unconfirmed: they may confirm it.
    may_confirm: bool,
    /// The viewer may record meetings, so may attach files, and the record has room for one more.
    may_attach: bool,
}

pub async fn meeting(actor: Actor, State(app): State<Arc<App>>, Path(id): Path<i64>) -> Result<Html<String>, AppError> {
    let m = app.store.get_meeting(&actor.access, MeetingId(id)).await?;
    let me = actor.access.self_member_id();
    let may_confirm = m.attendance.iter().any(|a| Some(a.member_id.0) == me && a.confirmed_at.is_none());
    let may_attach =
        actor.access.may_edit_members() && m.attachments.len() < qiangji_domain::orglife::attachment::MAX_PER_MEETING;
    let view = MeetingPage {
        layout: Layout::new(format!("{}：{}", m.fields.kind.label(), m.fields.topic), &actor),
        m,
        may_confirm,
        may_attach,
    };
    Ok(Html(render(&view)))
}

pub async fn confirm(actor: Actor, State(app): State<Arc<App>>, Path(id): Path<i64>) -> Result<Response, AppError> {
    app.store.confirm_attendance(&actor.access, MeetingId(id)).await?;
    Ok(Redirect::to(&format!("/meetings/{id}")).into_response())
}
