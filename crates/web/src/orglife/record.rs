//! `/orgs/{org_id}/orglife/new`: recording a meeting or activity with every member's attendance.

use crate::App;
use crate::auth::Actor;
use crate::error::AppError;
use crate::page::{Layout, render};
use crate::scoped;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use qiangji_domain::member::MemberId;
use qiangji_domain::orglife::{Attendance, MeetingError, MeetingInput, MeetingKind};
use qiangji_store::org::Org;
use qiangji_store::orglife::AttendanceEntry;
use qiangji_store::{Access, StoreError};
use std::collections::HashMap;
use std::sync::Arc;

/// One row of the attendance sheet as shown: the member and what was entered.
pub struct SheetRow {
    pub id: i64,
    pub name: String,
    pub attendance: String,
    pub reason: String,
    /// When a former member left (their membership's end), empty for current members.
    pub left_on: String,
}

#[derive(Template)]
#[template(path = "meeting_form.html")]
struct FormPage<'a> {
    layout: Layout<'a>,
    org: Org,
    input: MeetingInput,
    kinds: &'static [MeetingKind],
    attendances: &'static [Attendance],
    sheet: Vec<SheetRow>,
    /// Field → message.
    errors: HashMap<&'static str, String>,
    /// A problem that belongs to no one field.
    alert: Option<(&'static str, String)>,
    today: String,
}

impl FormPage<'_> {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).map_or("", String::as_str)
    }
}

#[derive(serde::Deserialize)]
pub struct KindQuery {
    #[serde(default)]
    kind: String,
}

async fn sheet(app: &App, access: &Access, org: &Org) -> Result<Vec<SheetRow>, AppError> {
    Ok(app
        .store
        .attendance_sheet(access, org.id)
        .await?
        .into_iter()
        .map(|m| SheetRow {
            id: m.member_id.0,
            name: m.name,
            // Those who have left are listed for earlier records but not put on a new one unasked.
            attendance: if m.left_on.is_none() { Attendance::Present.code().into() } else { String::new() },
            reason: String::new(),
            left_on: m.left_on.map(|d| d.to_string()).unwrap_or_default(),
        })
        .collect())
}

fn page(
    actor: &Actor,
    org: Org,
    input: MeetingInput,
    sheet: Vec<SheetRow>,
    errors: HashMap<&'static str, String>,
    alert: Option<(&'static str, String)>,
) -> Response {
    let status = if errors.is_empty() && alert.is_none() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let view = FormPage {
        layout: Layout::new(format!("登记组织生活：{}", org.fields.name), actor),
        org,
        input,
        kinds: MeetingKind::ALL,
        attendances: Attendance::ALL,
        sheet,
        errors,
        alert,
        today: qiangji_domain::date::today().to_string(),
    };
    (status, Html(render(&view))).into_response()
}

pub async fn form(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Query(q): Query<KindQuery>,
) -> Result<Response, AppError> {
    let org = scoped::org(&app, &actor, id, Access::may_edit_members).await?;
    let sheet = sheet(&app, &actor.access, &org).await?;
    let input = MeetingInput { kind: q.kind, ..Default::default() };
    Ok(page(&actor, org, input, sheet, HashMap::new(), None))
}

/// Reads the record's fields and `att_{member}` / `reason_{member}` for each row of the sheet; a
/// row left blank is not listed.
fn parse(pairs: &[(String, String)], mut rows: Vec<SheetRow>) -> (MeetingInput, Vec<SheetRow>) {
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let input = MeetingInput {
        kind: get("kind"),
        held_on: get("held_on"),
        place: get("place"),
        host: get("host"),
        recorder: get("recorder"),
        lecturer: get("lecturer"),
        topic: get("topic"),
        content: get("content"),
        decisions: get("decisions"),
        starts_at: get("starts_at"),
        ends_at: get("ends_at"),
    };
    for r in &mut rows {
        r.attendance = get(&format!("att_{}", r.id));
        r.reason = get(&format!("reason_{}", r.id));
    }
    (input, rows)
}

fn entries(rows: &[SheetRow]) -> Result<Vec<AttendanceEntry>, StoreError> {
    rows.iter()
        .filter(|r| !r.attendance.is_empty())
        .map(|r| {
            let attendance = Attendance::parse(&r.attendance)
                .map_err(|_| StoreError::Invalid(format!("{}的出席情况无法识别", r.name)))?;
            Ok(AttendanceEntry { member_id: MemberId(r.id), attendance, reason: r.reason.clone() })
        })
        .collect()
}

pub async fn create(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let org = scoped::org(&app, &actor, id, Access::may_edit_members).await?;
    let (input, rows) = parse(&pairs, sheet(&app, &actor.access, &org).await?);
    let fields = match input.validate(qiangji_domain::date::today()) {
        Ok(f) => f,
        Err(errors) => {
            let errors = errors.iter().map(|e: &MeetingError| (e.field(), e.to_string())).collect();
            return Ok(page(&actor, org, input, rows, errors, None));
        }
    };
    let result = match entries(&rows) {
        Ok(e) => app.store.record_meeting(&actor.access, org.id, &fields, &e).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(meeting) => {
            app.refresh().await?;
            Ok(Redirect::to(&format!("/meetings/{}", meeting.0)).into_response())
        }
        Err(e @ (StoreError::Invalid(_) | StoreError::Org(_))) => {
            Ok(page(&actor, org, input, rows, HashMap::new(), Some((e.code(), e.to_string()))))
        }
        Err(e) => Err(e.into()),
    }
}
