//! Importing rosters, organizations and meeting records: upload (kept as uploaded), a preview of
//! every row with its errors and warnings, and the commit of the whole batch — or nothing. The
//! same planning serves the pages, the API and `qiangji import`.

use crate::App;
use crate::auth::Actor;
use crate::error::AppError;
use crate::export::{Column, FileFormat, TableWriter};
use crate::page::{Layout, local_time, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use qiangji_domain::date::today;
use qiangji_domain::import::meeting::PlannedMeeting;
use qiangji_domain::import::member::PlannedRow;
use qiangji_domain::import::org::PlannedOrg;
use qiangji_domain::import::{DedupeMode, ImportKind, Outcome, Planned, missing_columns};
use qiangji_store::import::{BatchId, Committed, ImportBatch, MAX_FILE_BYTES, committable, may_import};
use qiangji_store::{Access, Store, StoreError};
use std::sync::Arc;

/// A batch's plan, whatever it imports.
pub enum Plan {
    Members(Vec<PlannedRow>),
    Orgs(Vec<PlannedOrg>),
    Meetings(Vec<PlannedMeeting>),
}

impl Plan {
    pub fn rows(&self) -> Vec<&dyn Planned> {
        match self {
            Plan::Members(r) => r.iter().map(|r| r as &dyn Planned).collect(),
            Plan::Orgs(r) => r.iter().map(|r| r as &dyn Planned).collect(),
            Plan::Meetings(r) => r.iter().map(|r| r as &dyn Planned).collect(),
        }
    }

    fn empty(kind: ImportKind) -> Plan {
        match kind {
            ImportKind::Members => Plan::Members(Vec::new()),
            ImportKind::Orgs => Plan::Orgs(Vec::new()),
            ImportKind::Meetings => Plan::Meetings(Vec::new()),
        }
    }

    /// Whether the batch may be committed as planned (see [`committable`]).
    fn committable(&self, status: &str) -> Result<(), StoreError> {
        match self {
            Plan::Members(r) => committable(status, r),
            Plan::Orgs(r) => committable(status, r),
            Plan::Meetings(r) => committable(status, r),
        }
    }
}

/// The plan of a stored batch: the file read again, exactly as uploaded.
pub async fn plan_batch(store: &Store, access: &Access, batch: &ImportBatch) -> Result<Plan, StoreError> {
    let refused = |code, message: String| StoreError::Refused { code, message };
    let sheets = qiangji_sheet::read(&batch.content).map_err(|e| refused(e.code(), e.to_string()))?;
    let (kind, columns) = (batch.kind, batch.kind.columns());
    // Every name a column goes by: real files rarely use the template's own.
    let names: Vec<&str> = columns.iter().flat_map(|c| std::iter::once(c.0).chain(c.1.iter().copied())).collect();
    // The first sheet holding the kind's header.
    let table = sheets.iter().find_map(|s| qiangji_sheet::find_table(s, &names, 3).ok()).ok_or_else(|| {
        let want: Vec<String> = kind.required().iter().map(|c| format!("“{c}”")).collect();
        refused("import.header_missing", format!("没有找到{}的表头：应有{}等列", kind.label(), want.join("")))
    })?;
    let missing = missing_columns(&table, columns, kind.required());
    if !missing.is_empty() {
        return Err(refused("import.columns_missing", format!("缺少必需的列：{}", missing.join("、"))));
    }
    Ok(match kind {
        ImportKind::Members => {
            let numbers = qiangji_domain::import::member::id_numbers(&table);
            let refs: Vec<&str> = numbers.iter().map(String::as_str).collect();
            let lookup = store.import_lookup(access, batch.org_id, &refs).await?;
            Plan::Members(qiangji_domain::import::member::plan(&table, batch.org_id, &lookup, batch.mode, today()))
        }
        ImportKind::Orgs => {
            let lookup = store.org_import_lookup(access, batch.org_id).await?;
            Plan::Orgs(qiangji_domain::import::org::plan(&table, &lookup, today()))
        }
        ImportKind::Meetings => {
            let names = qiangji_domain::import::meeting::org_names(&table);
            let lookup = store.meeting_import_lookup(access, batch.org_id, &names).await?;
            Plan::Meetings(qiangji_domain::import::meeting::plan(&table, &lookup, today()))
        }
    })
}

/// Commits a planned batch, reporting rows written of all (rosters, which can be a city's).
pub async fn commit_plan(
    store: &Store,
    access: &Access,
    id: BatchId,
    plan: &Plan,
    progress: &mut (dyn FnMut(usize, usize) + Send),
) -> Result<Committed, StoreError> {
    match plan {
        Plan::Members(rows) => store.commit_members(access, id, rows, progress).await,
        Plan::Orgs(rows) => store.commit_orgs(access, id, rows).await,
        Plan::Meetings(rows) => store.commit_meetings(access, id, rows).await,
    }
}

/// Where a background commit stands: rows written of all, or how it ended badly.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
    pub finished: bool,
    pub error: Option<(&'static str, String)>,
}

/// Imports being committed in the background, and the most recent plan (by batch and its file's hash).
#[derive(Default)]
pub struct Running {
    commits: std::sync::Mutex<std::collections::HashMap<BatchId, Progress>>,
    last_plan: std::sync::Mutex<Option<(BatchId, Arc<Plan>)>>,
}

impl Running {
    fn progress(&self, id: BatchId) -> Option<Progress> {
        self.commits.lock().expect("imports").get(&id).cloned()
    }

    fn set(&self, id: BatchId, p: Progress) {
        self.commits.lock().expect("imports").insert(id, p);
    }
}

/// The plan of a batch for showing: kept for the last batch previewed while it is not committed.
async fn shown_plan(app: &App, access: &Access, batch: &ImportBatch) -> Result<Arc<Plan>, StoreError> {
    if batch.status == "previewed"
        && let Some((id, plan)) = app.imports.last_plan.lock().expect("plan").clone()
        && id == batch.id
    {
        return Ok(plan);
    }
    let plan = Arc::new(plan_batch(&app.store, access, batch).await?);
    *app.imports.last_plan.lock().expect("plan") = Some((batch.id, plan.clone()));
    Ok(plan)
}

/// Counts of a plan, for the preview's summary.
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub struct Summary {
    pub rows: usize,
    pub create: usize,
    pub existing: usize,
    pub errors: usize,
    pub warnings: usize,
}

impl Summary {
    pub fn of(rows: &[&dyn Planned]) -> Summary {
        let mut s = Summary { rows: rows.len(), ..Default::default() };
        for r in rows {
            match r.outcome() {
                Outcome::Create => s.create += 1,
                Outcome::Existing(_) => s.existing += 1,
                Outcome::None => {}
            }
            s.errors += usize::from(r.has_errors());
            s.warnings += usize::from(!r.has_errors() && !r.issues().is_empty());
        }
        s
    }
}

/// How many rows with problems the preview lists (errors first).
const SHOWN: usize = 1000;

#[derive(Template)]
#[template(path = "import_form.html")]
struct FormPage<'a> {
    layout: Layout<'a>,
    org_id: i64,
    org_name: String,
    kind: ImportKind,
    /// The kinds the actor may import here.
    kinds: Vec<ImportKind>,
    modes: [DedupeMode; 3],
    columns: Vec<&'static str>,
    error: Option<(&'static str, String)>,
    max_mb: usize,
}

fn form_page(
    actor: &Actor,
    org: &qiangji_store::org::Org,
    kind: ImportKind,
    error: Option<(&'static str, String)>,
) -> Response {
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = FormPage {
        layout: Layout::new(format!("导入{}：{}", kind.label(), org.fields.name), actor),
        org_id: org.id.0,
        org_name: org.fields.name.clone(),
        kind,
        kinds: ImportKind::ALL.iter().copied().filter(|k| may_import(&actor.access, *k)).collect(),
        modes: DedupeMode::ALL,
        columns: kind.columns().iter().map(|c| c.0).collect(),
        error,
        max_mb: MAX_FILE_BYTES / 1024 / 1024,
    };
    (status, Html(render(&page))).into_response()
}

/// Whether the actor may import anything at all.
fn may_import_any(access: &Access) -> bool {
    ImportKind::ALL.iter().any(|k| may_import(access, *k))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct KindQuery {
    kind: String,
}

/// The kind asked for (a roster when none), if the actor may import it.
fn kind_of(access: &Access, s: &str) -> Result<ImportKind, AppError> {
    let kind = match s.trim() {
        "" => ImportKind::Members,
        s => ImportKind::parse(s).map_err(|_| {
            AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "import.kind_unknown", format!("未知的导入内容：{s}"))
        })?,
    };
    access.require(may_import(access, kind))?;
    Ok(kind)
}

pub async fn form(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Query(q): Query<KindQuery>,
) -> Result<Response, AppError> {
    let org = crate::scoped::org(&app, &actor, id, may_import_any).await?;
    // Someone who may import only organizations starts there.
    let asked = if q.kind.is_empty() && !actor.access.may_edit_members() { "orgs" } else { &q.kind };
    let kind = kind_of(&actor.access, asked)?;
    Ok(form_page(&actor, &org, kind, None))
}

/// An uploaded file and the form's other fields (a roster's kind and mode, an extract's source),
/// read from a multipart body with the import's own size limit (rosters and registry extracts are
/// larger than anything else people upload).
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
    fields: std::collections::HashMap<String, String>,
}

impl Upload {
    /// The value of the form's field `name`, empty if it sent none.
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }
}

pub async fn read_upload(headers: &HeaderMap, body: axum::body::Body) -> Result<Upload, AppError> {
    let refused = |code, m: String| AppError::new(StatusCode::UNPROCESSABLE_ENTITY, code, m);
    let boundary = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| multer::parse_boundary(v).ok())
        .ok_or_else(|| refused("import.file_missing", "请选择要导入的文件".into()))?;
    // The file itself is held to the limit while it streams in (not only the whole request with
    // its framing), so one byte over is refused as too large before the store sees it.
    let size =
        multer::SizeLimit::new().whole_stream(MAX_FILE_BYTES as u64 + 65_536).for_field("file", MAX_FILE_BYTES as u64);
    let limits = multer::Constraints::new().size_limit(size);
    let mut parts = multer::Multipart::with_constraints(body.into_data_stream(), boundary, limits);
    let (mut file, mut fields) = (None, std::collections::HashMap::new());
    let too_large = || {
        AppError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "import.file_too_large",
            format!("文件超过{}MB，请分成几个文件导入", MAX_FILE_BYTES / 1024 / 1024),
        )
    };
    while let Some(field) = parts.next_field().await.map_err(|_| too_large())? {
        match field.name() {
            Some("file") => {
                let name = field.file_name().unwrap_or("导入文件").chars().take(200).collect::<String>();
                let bytes = field.bytes().await.map_err(|_| too_large())?;
                file = Some((name, bytes.to_vec()));
            }
            Some(name) => {
                let name = name.to_owned();
                fields.insert(name, field.text().await.unwrap_or_default());
            }
            None => {}
        }
    }
    match file {
        Some((file_name, bytes)) if !bytes.is_empty() => Ok(Upload { file_name, bytes, fields }),
        _ => Err(refused("import.file_missing", "请选择要导入的文件".into())),
    }
}

pub fn mode_of(s: &str) -> Result<DedupeMode, AppError> {
    DedupeMode::parse(s.trim()).ok_or_else(|| {
        AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "import.mode_unknown", format!("未知的重复处理方式：{s}"))
    })
}

pub async fn upload(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Response, AppError> {
    let org = crate::scoped::org(&app, &actor, id, may_import_any).await?;
    let upload = match read_upload(&headers, body).await {
        Ok(u) => u,
        Err(e) if e.status != StatusCode::PAYLOAD_TOO_LARGE => {
            let kind = kind_of(&actor.access, "").unwrap_or(ImportKind::Orgs);
            return Ok(form_page(&actor, &org, kind, Some((e.code, e.message))));
        }
        Err(e) => return Err(e),
    };
    let kind = kind_of(&actor.access, upload.field("kind"))?;
    let mode = match upload.field("mode") {
        "" => Ok(DedupeMode::Skip),
        m => mode_of(m),
    };
    let mode = match mode {
        Ok(m) => m,
        Err(e) => return Ok(form_page(&actor, &org, kind, Some((e.code, e.message)))),
    };
    let batch =
        app.store.create_import_batch(&actor.access, org.id, kind, &upload.file_name, &upload.bytes, mode).await?;
    Ok(Redirect::to(&format!("/imports/{}", batch.0)).into_response())
}

/// A row of the preview with its problems.
struct ShownRow {
    line: usize,
    label: String,
    key: String,
    action: &'static str,
    errors: Vec<String>,
    warnings: Vec<String>,
}

#[derive(Template)]
#[template(path = "import_preview.html")]
struct PreviewPage<'a> {
    layout: Layout<'a>,
    batch: ImportBatch,
    created_at: String,
    summary: Summary,
    headings: (&'static str, &'static str),
    rows: Vec<ShownRow>,
    more: usize,
    error: Option<(&'static str, String)>,
    /// A commit being written in the background: the page refreshes itself until it ends.
    running: Option<Progress>,
}

async fn preview_page(
    app: &App,
    actor: &Actor,
    id: BatchId,
    error: Option<(&'static str, String)>,
) -> Result<Response, AppError> {
    let batch = app.store.get_import_batch(&actor.access, id).await?;
    let running = app.imports.progress(id).filter(|p| !p.finished || p.error.is_some());
    let error = error.or_else(|| running.as_ref().and_then(|p| p.error.clone()));
    // A batch written or rolled back is shown by what it did; reading its file again (seconds for
    // a city's roster) would only tell the rows are registered now.
    let planned = if batch.status == "previewed" {
        shown_plan(app, &actor.access, &batch).await
    } else {
        Ok(Arc::new(Plan::empty(batch.kind)))
    };
    let (plan, error) = match planned {
        Ok(plan) => (plan, error),
        Err(e) => (Arc::new(Plan::empty(batch.kind)), Some(crate::error::refusal(e)?)),
    };
    let rows = plan.rows();
    let summary = Summary::of(&rows);
    let mut problems: Vec<&dyn Planned> = rows.into_iter().filter(|r| !r.issues().is_empty()).collect();
    problems.sort_by_key(|r| (!r.has_errors(), r.line()));
    let more = problems.len().saturating_sub(SHOWN);
    let shown = problems
        .into_iter()
        .take(SHOWN)
        .map(|r| ShownRow {
            line: r.line(),
            label: r.label(),
            key: r.key(),
            action: r.outcome().label(),
            errors: r.issues().iter().filter(|i| i.error).map(|i| format!("{}（{}）", i.message, i.code)).collect(),
            warnings: r.issues().iter().filter(|i| !i.error).map(|i| format!("{}（{}）", i.message, i.code)).collect(),
        })
        .collect();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = PreviewPage {
        layout: Layout::new(format!("导入预览：{}", batch.file_name), actor),
        created_at: local_time(&batch.created_at),
        headings: batch.kind.row_headings(),
        batch,
        summary,
        rows: shown,
        more,
        error,
        running: running.filter(|p| !p.finished),
    };
    Ok((status, Html(render(&page))).into_response())
}

pub async fn preview(actor: Actor, State(app): State<Arc<App>>, Path(id): Path<i64>) -> Result<Response, AppError> {
    preview_page(&app, &actor, BatchId(id), None).await
}

/// Plans and commits a batch; what the commit did, or why nothing was written.
pub async fn commit(app: &App, access: &Access, id: BatchId) -> Result<Committed, StoreError> {
    let batch = app.store.get_import_batch(access, id).await?;
    let plan = plan_batch(&app.store, access, &batch).await?;
    let done = commit_plan(&app.store, access, id, &plan, &mut |_, _| {}).await?;
    app.refresh().await?;
    Ok(done)
}

/// Starts the commit in the background and shows the preview, which follows its progress: a
/// city's roster takes half a minute to write, longer than a browser should wait on one request.
pub async fn commit_page(actor: Actor, State(app): State<Arc<App>>, Path(id): Path<i64>) -> Result<Response, AppError> {
    let id = BatchId(id);
    let batch = app.store.get_import_batch(&actor.access, id).await?;
    actor.access.require(may_import(&actor.access, batch.kind))?;
    if app.imports.progress(id).is_some_and(|p| !p.finished) {
        return Ok(Redirect::to(&format!("/imports/{}", id.0)).into_response());
    }
    // Refused at once if the batch is written already or its preview has errors: nothing starts.
    let planned = match batch.status.as_str() {
        "previewed" => plan_batch(&app.store, &actor.access, &batch).await,
        _ => Ok(Plan::empty(batch.kind)),
    };
    let plan = match planned.and_then(|plan| plan.committable(&batch.status).map(|()| plan)) {
        Ok(plan) => plan,
        Err(e) => return preview_page(&app, &actor, id, Some(crate::error::refusal(e)?)).await,
    };
    let total = plan.rows().len();
    app.imports.set(id, Progress { total, ..Default::default() });
    let (task_app, access) = (app.clone(), actor.access.clone());
    tokio::spawn(async move {
        let app = task_app;
        let mut report =
            |done: usize, total: usize| app.imports.set(id, Progress { done, total, ..Default::default() });
        let result = commit_plan(&app.store, &access, id, &plan, &mut report).await;
        let ended = match result {
            Ok(_) => app.refresh().await.map(|()| None),
            Err(e @ (StoreError::Refused { .. } | StoreError::Invalid(_))) => Ok(Some((e.code(), e.to_string()))),
            Err(e) => Err(e),
        };
        let error = ended.unwrap_or_else(|e| {
            tracing::error!("导入第{}批失败：{e}", id.0);
            Some(("store.internal", "导入失败，整批未写入；请稍后重试".into()))
        });
        app.imports.set(id, Progress { done: total, total, finished: true, error });
    });
    Ok(Redirect::to(&format!("/imports/{}", id.0)).into_response())
}

/// A template: the columns in order, as an xlsx people fill in.
pub async fn template(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Query(q): Query<KindQuery>,
) -> Result<Response, AppError> {
    crate::scoped::org(&app, &actor, id, may_import_any).await?;
    let kind = kind_of(&actor.access, &q.kind)?;
    let columns: Vec<Column> = kind.columns().iter().map(|c| Column::new(c.0, 12)).collect();
    let mut w = TableWriter::new(FileFormat::Xlsx);
    w.table(kind.label(), kind.note(), &columns)?;
    Ok(crate::export::attachment(w.finish()?, FileFormat::Xlsx, &format!("{}模板", kind.label())))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ApiUpload {
    file_name: String,
    mode: String,
    kind: String,
}

/// API: the request body is the file; `?kind=members|orgs|meetings&file_name=&mode=skip|update|fill`.
/// Answers the preview.
pub async fn api_upload(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Query(q): Query<ApiUpload>,
    body: axum::body::Body,
) -> Result<(StatusCode, axum::Json<serde_json::Value>), AppError> {
    let org = crate::scoped::org(&app, &actor, id, may_import_any).await.map_err(AppError::json)?;
    let kind = kind_of(&actor.access, &q.kind).map_err(AppError::json)?;
    let mode = mode_of(if q.mode.is_empty() { "skip" } else { &q.mode }).map_err(AppError::json)?;
    let bytes = axum::body::to_bytes(body, MAX_FILE_BYTES).await.map_err(|_| {
        AppError::new(StatusCode::PAYLOAD_TOO_LARGE, "import.file_too_large", "文件过大，请分成几个文件导入").json()
    })?;
    let name = if q.file_name.is_empty() { kind.label() } else { &q.file_name };
    let batch = app
        .store
        .create_import_batch(&actor.access, org.id, kind, name, &bytes, mode)
        .await
        .map_err(crate::api::err)?;
    Ok((StatusCode::CREATED, axum::Json(api_preview(&app, &actor.access, batch).await?)))
}

async fn api_preview(app: &App, access: &Access, id: BatchId) -> Result<serde_json::Value, AppError> {
    let batch = app.store.get_import_batch(access, id).await.map_err(crate::api::err)?;
    let plan = plan_batch(&app.store, access, &batch).await.map_err(crate::api::err)?;
    let rows = plan.rows();
    let problems: Vec<serde_json::Value> = rows
        .iter()
        .filter(|r| !r.issues().is_empty())
        .map(|r| {
            serde_json::json!({
                "line": r.line(),
                "action": r.outcome().label(),
                "issues": r.issues().iter().map(|i| serde_json::json!({
                    "error": i.error, "code": i.code, "column": i.column, "message": i.message,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(serde_json::json!({
        "batch_id": batch.id.0,
        "kind": batch.kind.code(),
        "status": batch.status,
        "summary": Summary::of(&rows),
        "rows_with_issues": problems,
    }))
}

pub async fn api_get(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
) -> Result<axum::Json<serde_json::Value>, AppError> {
    Ok(axum::Json(api_preview(&app, &actor.access, BatchId(id)).await?))
}

pub async fn api_commit(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
) -> Result<axum::Json<serde_json::Value>, AppError> {
    let id = BatchId(id);
    app.store.get_import_batch(&actor.access, id).await.map_err(crate::api::err)?;
    let done = commit(&app, &actor.access, id).await.map_err(crate::api::err)?;
    Ok(axum::Json(serde_json::json!({
        "batch_id": id.0, "created": done.created, "updated": done.updated, "skipped": done.skipped,
    })))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct RollbackForm {
    pub reason: String,
}

/// Rolls a committed batch back (the page's form).
pub async fn rollback_page(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<RollbackForm>,
) -> Result<Response, AppError> {
    let id = BatchId(id);
    app.store.get_import_batch(&actor.access, id).await?;
    match app.store.rollback_import(&actor.access, id, &f.reason).await {
        Ok(_) => {
            app.refresh().await?;
            Ok(Redirect::to(&format!("/imports/{}", id.0)).into_response())
        }
        Err(e) => preview_page(&app, &actor, id, Some(crate::error::refusal(e)?)).await,
    }
}

pub async fn api_rollback(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    crate::api::Body(f): crate::api::Body<RollbackForm>,
) -> Result<axum::Json<serde_json::Value>, AppError> {
    let id = BatchId(id);
    app.store.get_import_batch(&actor.access, id).await.map_err(crate::api::err)?;
    let done = app.store.rollback_import(&actor.access, id, &f.reason).await.map_err(crate::api::err)?;
    app.refresh().await.map_err(crate::api::err)?;
    Ok(axum::Json(serde_json::json!({ "batch_id": id.0, "removed": done.removed, "restored": done.restored })))
}
