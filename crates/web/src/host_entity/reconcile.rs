//! `/orgs/{org_id}/host-entities/reconcile`: uploading a registry extract (市场监管 or 民政; xlsx
//! or CSV in UTF-8 or GBK) to reconcile with the registry of the organization's area, and the
//! reconciliations made so far; `/reconciliations/{reconciliation_id}`: one report (the file kept
//! as uploaded, matched again against the registry as it is now, beside the counts of the run),
//! its download, and the actions taken from it.

use super::{new_row_note, report_file, source_of};
use crate::App;
use crate::auth::Actor;
use crate::error::{AppError, refusal};
use crate::export::{FormatQuery, attachment};
use crate::page::{Layout, local_time, render};
use crate::scoped;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use qiangji_domain::host_entity::HostEntityError;
use qiangji_domain::host_entity::reconcile::{NewRow, ReconcileSource, Report};
use qiangji_store::host_entity::{Apply, Reconciliation};
use qiangji_store::org::Org;
use qiangji_store::{Access, StoreError};
use serde::Deserialize;
use std::sync::Arc;

/// Reads the source and reconciles `bytes` for `org`; the run's id and its report.
pub async fn run(
    app: &App,
    access: &Access,
    org: &Org,
    source: &str,
    file_name: &str,
    bytes: &[u8],
) -> Result<(i64, Report), StoreError> {
    let source = source_of(source)?;
    let name: String = file_name.chars().take(200).collect();
    app.store.reconcile_extract(access, org.id, source, &name, bytes).await
}

pub struct RunView {
    pub run: Reconciliation,
    pub created_at: String,
}

#[derive(Template)]
#[template(path = "host_entity_reconcile.html")]
struct UploadPage<'a> {
    layout: Layout<'a>,
    org: Org,
    runs: Vec<RunView>,
    sources: &'static [ReconcileSource],
    error: Option<(&'static str, String)>,
}

async fn upload_page(
    app: &App,
    actor: &Actor,
    org: Org,
    error: Option<(&'static str, String)>,
) -> Result<Response, AppError> {
    let runs = app.store.list_reconciliations(&actor.access, org.id).await?;
    let runs = runs.into_iter().map(|run| RunView { created_at: local_time(&run.created_at), run }).collect();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = UploadPage {
        layout: Layout::new(format!("两新组织信息比对 · {}", org.fields.name), actor),
        org,
        runs,
        sources: ReconcileSource::ALL,
        error,
    };
    Ok((status, Html(render(&page))).into_response())
}

pub async fn form(actor: Actor, State(app): State<Arc<App>>, Path(id): Path<i64>) -> Result<Response, AppError> {
    let org = scoped::org(&app, &actor, id, Access::may_edit_members).await?;
    upload_page(&app, &actor, org, None).await
}

/// The upload: multipart fields `file` and `source` (CSRF token in the address).
pub async fn upload(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Response, AppError> {
    let org = scoped::org(&app, &actor, id, Access::may_edit_members).await?;
    let upload = match crate::import::read_upload(&headers, body).await {
        Ok(u) => u,
        Err(e) if e.status != StatusCode::PAYLOAD_TOO_LARGE => {
            return upload_page(&app, &actor, org, Some((e.code, e.message))).await;
        }
        Err(e) => return Err(e),
    };
    match run(&app, &actor.access, &org, upload.field("source"), &upload.file_name, &upload.bytes).await {
        Ok((run, _)) => Ok(Redirect::to(&format!("/reconciliations/{run}")).into_response()),
        Err(e) => upload_page(&app, &actor, org, Some(refusal(e)?)).await,
    }
}

#[derive(Template)]
#[template(path = "host_entity_reconciliation.html")]
struct ReportPage<'a> {
    layout: Layout<'a>,
    view: RunView,
    report: Report,
    takeable: usize,
    notice: Option<String>,
    error: Option<(&'static str, String)>,
}

impl ReportPage<'_> {
    fn note(&self, n: &NewRow) -> &'static str {
        new_row_note(n)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ShowQuery {
    /// The action just taken and how many entities it wrote, to say so.
    applied: String,
    count: usize,
}

async fn report_page(
    app: &App,
    actor: &Actor,
    id: i64,
    notice: Option<String>,
    error: Option<(&'static str, String)>,
) -> Result<Response, AppError> {
    let (run, report) = app.store.reconciliation_report(&actor.access, id).await?;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = ReportPage {
        layout: Layout::new(format!("比对结果 · {}", run.file_name), actor),
        takeable: report.new.iter().filter(|n| n.takeable()).count(),
        view: RunView { created_at: local_time(&run.created_at), run },
        report,
        notice,
        error,
    };
    Ok((status, Html(render(&page))).into_response())
}

pub async fn show(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, AppError> {
    let notice = Apply::parse(&q.applied).ok().map(|a| format!("已完成：{}（{}个单位）", a.label(), q.count));
    report_page(&app, &actor, id, notice, None).await
}

/// `GET /reconciliations/{id}/export?format=xlsx|csv&encoding=utf8|gbk`: the report, a table
/// per section (see [`report_file`]).
pub async fn export(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Query(f): Query<FormatQuery>,
) -> Result<Response, AppError> {
    let format = f.file_format()?;
    let (run, report) = app.store.reconciliation_report(&actor.access, id).await?;
    let body = report_file(format, &run, &report)?;
    let day = run.created_at.get(..10).unwrap_or_default().to_owned();
    Ok(attachment(body, format, &format!("{}{}名单比对{day}", run.org_name, run.source.label())))
}

/// An action on a report: `action=take_in|deregister|mark_missing`, `reason`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ApplyForm {
    pub action: String,
    pub reason: String,
}

/// Carries out an action; how many entities it wrote.
pub async fn apply_one(app: &App, access: &Access, id: i64, form: &ApplyForm) -> Result<(Apply, usize), StoreError> {
    // The run in scope first: an id outside it is 404 whatever the action says.
    app.store.get_reconciliation(access, id).await?;
    let action = Apply::parse(form.action.trim()).map_err(|_| HostEntityError::ActionUnknown(form.action.clone()))?;
    let n = app.store.apply_reconciliation(access, id, action, &form.reason).await?;
    Ok((action, n))
}

pub async fn apply(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<ApplyForm>,
) -> Result<Response, AppError> {
    match apply_one(&app, &actor.access, id, &form).await {
        Ok((action, n)) => {
            Ok(Redirect::to(&format!("/reconciliations/{id}?applied={}&count={n}", action.code())).into_response())
        }
        Err(e) => {
            let e = refusal(e)?;
            report_page(&app, &actor, id, None, Some(e)).await
        }
    }
}
