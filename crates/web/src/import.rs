//! Importing a member roster: upload (kept as uploaded), a preview of every row with its errors
//! and warnings, and the commit of the whole batch — or nothing. The same planning serves the
//! pages, the API and `qiangji import`.

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
use qiangji_domain::import::{Action, COLUMNS, DedupeMode, PlannedRow, missing_columns, plan};
use qiangji_store::import::{BatchId, ImportBatch, MAX_FILE_BYTES, committable};
use qiangji_store::{Access, Store, StoreError};
use std::sync::Arc;

/// The plan of a stored batch: the file read again, exactly as uploaded.
pub async fn plan_batch(store: &Store, access: &Access, batch: &ImportBatch) -> Result<Vec<PlannedRow>, StoreError> {
    let refused = |code, message: String| StoreError::Refused { code, message };
    let sheets = qiangji_sheet::read(&batch.content).map_err(|e| refused(e.code(), e.to_string()))?;
    let names: Vec<&str> = COLUMNS.iter().map(|c| c.0).collect();
    // The first sheet holding a roster header.
    let table = sheets.iter().find_map(|s| qiangji_sheet::find_table(s, &names, 3).ok()).ok_or_else(|| {
        refused("import.header_missing", "没有找到花名册的表头：应有“姓名”“身份证号”“入党日期”等列".into())
    })?;
    let missing = missing_columns(&table);
    if !missing.is_empty() {
        return Err(refused("import.columns_missing", format!("缺少必需的列：{}", missing.join("、"))));
    }
    let id_col = table.column(&["身份证号", "公民身份号码", "身份证号码", "身份证"]);
    let numbers: Vec<String> = table
        .rows
        .iter()
        .filter_map(|(_, cells)| id_col.and_then(|i| cells.get(i)))
        .map(|c| qiangji_sheet::id_number(&c.as_text()).value)
        .filter(|n| !n.is_empty())
        .collect();
    let refs: Vec<&str> = numbers.iter().map(String::as_str).collect();
    let lookup = store.import_lookup(access, batch.org_id, &refs).await?;
    Ok(plan(&table, batch.org_id, &lookup, batch.mode, today()))
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
    last_plan: std::sync::Mutex<Option<(BatchId, Arc<Vec<PlannedRow>>)>>,
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
async fn shown_plan(app: &App, access: &Access, batch: &ImportBatch) -> Result<Arc<Vec<PlannedRow>>, StoreError> {
    if batch.status == "previewed"
        && let Some((id, rows)) = app.imports.last_plan.lock().expect("plan").clone()
        && id == batch.id
    {
        return Ok(rows);
    }
    let rows = Arc::new(plan_batch(&app.store, access, batch).await?);
    *app.imports.last_plan.lock().expect("plan") = Some((batch.id, rows.clone()));
    Ok(rows)
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
    pub fn of(rows: &[PlannedRow]) -> Summary {
        let mut s = Summary { rows: rows.len(), ..Default::default() };
        for r in rows {
            match r.action {
                Action::Create { .. } => s.create += 1,
                Action::Existing(_) => s.existing += 1,
                Action::None => {}
            }
            s.errors += usize::from(r.has_errors());
            s.warnings += usize::from(!r.has_errors() && !r.issues.is_empty());
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
    modes: [DedupeMode; 3],
    columns: Vec<&'static str>,
    error: Option<(&'static str, String)>,
    max_mb: usize,
}

fn form_page(actor: &Actor, org: &qiangji_store::org::Org, error: Option<(&'static str, String)>) -> Response {
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = FormPage {
        layout: Layout::new(format!("导入党员花名册：{}", org.fields.name), actor),
        org_id: org.id.0,
        org_name: org.fields.name.clone(),
        modes: DedupeMode::ALL,
        columns: COLUMNS.iter().map(|c| c.0).collect(),
        error,
        max_mb: MAX_FILE_BYTES / 1024 / 1024,
    };
    (status, Html(render(&page))).into_response()
}

pub async fn form(actor: Actor, State(app): State<Arc<App>>, Path(id): Path<i64>) -> Result<Response, AppError> {
    let org = crate::scoped::org(&app, &actor, id, Access::may_edit_members).await?;
    Ok(form_page(&actor, &org, None))
}

/// An uploaded file and the value of the form's field `option` (the roster's mode, an extract's
/// source), read from a multipart body with the import's own size limit (rosters and registry
/// extracts are larger than anything else people upload).
pub async fn read_upload(
    headers: &HeaderMap,
    body: axum::body::Body,
    option: &str,
) -> Result<(String, Vec<u8>, String), AppError> {
    let refused = |code, m: String| AppError::new(StatusCode::UNPROCESSABLE_ENTITY, code, m);
    let boundary = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| multer::parse_boundary(v).ok())
        .ok_or_else(|| refused("import.file_missing", "请选择要导入的文件".into()))?;
    let limits =
        multer::Constraints::new().size_limit(multer::SizeLimit::new().whole_stream(MAX_FILE_BYTES as u64 + 65_536));
    let mut parts = multer::Multipart::with_constraints(body.into_data_stream(), boundary, limits);
    let (mut file, mut value) = (None, String::new());
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
                let name = field.file_name().unwrap_or("花名册").chars().take(200).collect::<String>();
                let bytes = field.bytes().await.map_err(|_| too_large())?;
                file = Some((name, bytes.to_vec()));
            }
            Some(name) if name == option => value = field.text().await.unwrap_or_default(),
            _ => {}
        }
    }
    match file {
        Some((name, bytes)) if !bytes.is_empty() => Ok((name, bytes, value)),
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
    let org = crate::scoped::org(&app, &actor, id, Access::may_edit_members).await?;
    let (name, bytes, mode) = match read_upload(&headers, body, "mode").await {
        Ok(u) => u,
        Err(e) if e.status != StatusCode::PAYLOAD_TOO_LARGE => {
            return Ok(form_page(&actor, &org, Some((e.code, e.message))));
        }
        Err(e) => return Err(e),
    };
    let mode = match mode_of(if mode.is_empty() { "skip" } else { &mode }) {
        Ok(m) => m,
        Err(e) => return Ok(form_page(&actor, &org, Some((e.code, e.message)))),
    };
    let batch = app.store.create_import_batch(&actor.access, org.id, &name, &bytes, mode).await?;
    Ok(Redirect::to(&format!("/imports/{}", batch.0)).into_response())
}

/// A row of the preview with its problems.
struct ShownRow {
    line: usize,
    name: String,
    id_number: String,
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
    rows: Vec<ShownRow>,
    more: usize,
    error: Option<(&'static str, String)>,
    /// A commit being written in the background: the page refreshes itself until it ends.
    running: Option<Progress>,
}

fn action_label(a: &Action) -> &'static str {
    match a {
        Action::Create { .. } => "新登记",
        Action::Existing(DedupeMode::Skip) => "已登记，跳过",
        Action::Existing(DedupeMode::Update) => "已登记，更新",
        Action::Existing(DedupeMode::FillEmpty) => "已登记，补填空白",
        Action::None => "不导入",
    }
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
        Ok(Arc::new(Vec::new()))
    };
    let (rows, error) = match planned {
        Ok(rows) => (rows, error),
        Err(e) => (Arc::new(Vec::new()), Some(crate::error::refusal(e)?)),
    };
    let summary = Summary::of(&rows);
    let mut problems: Vec<&PlannedRow> = rows.iter().filter(|r| !r.issues.is_empty()).collect();
    problems.sort_by_key(|r| (!r.has_errors(), r.line));
    let more = problems.len().saturating_sub(SHOWN);
    let shown = problems
        .into_iter()
        .take(SHOWN)
        .map(|r| ShownRow {
            line: r.line,
            name: r.name.clone(),
            id_number: qiangji_domain::id_number::IdNumber::parse(&r.id_number)
                .map(|n| n.masked())
                .unwrap_or_else(|_| r.id_number.clone()),
            action: action_label(&r.action),
            errors: r.issues.iter().filter(|i| i.error).map(|i| format!("{}（{}）", i.message, i.code)).collect(),
            warnings: r.issues.iter().filter(|i| !i.error).map(|i| format!("{}（{}）", i.message, i.code)).collect(),
        })
        .collect();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = PreviewPage {
        layout: Layout::new(format!("导入预览：{}", batch.file_name), actor),
        created_at: local_time(&batch.created_at),
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
pub async fn commit(app: &App, access: &Access, id: BatchId) -> Result<qiangji_store::import::Committed, StoreError> {
    let batch = app.store.get_import_batch(access, id).await?;
    let rows = plan_batch(&app.store, access, &batch).await?;
    let done = app.store.commit_import(access, id, &rows, &mut |_, _| {}).await?;
    app.refresh().await?;
    Ok(done)
}

/// Starts the commit in the background and shows the preview, which follows its progress: a
/// city's roster takes half a minute to write, longer than a browser should wait on one request.
pub async fn commit_page(actor: Actor, State(app): State<Arc<App>>, Path(id): Path<i64>) -> Result<Response, AppError> {
    let id = BatchId(id);
    let batch = app.store.get_import_batch(&actor.access, id).await?;
    actor.access.require(actor.access.may_edit_members())?;
    if app.imports.progress(id).is_some_and(|p| !p.finished) {
        return Ok(Redirect::to(&format!("/imports/{}", id.0)).into_response());
    }
    // Refused at once if the batch is written already or its preview has errors: nothing starts.
    let planned = match batch.status.as_str() {
        "previewed" => plan_batch(&app.store, &actor.access, &batch).await,
        _ => Ok(Vec::new()),
    };
    let rows = match planned.and_then(|rows| committable(&batch.status, &rows).map(|()| rows)) {
        Ok(rows) => rows,
        Err(e) => return preview_page(&app, &actor, id, Some(crate::error::refusal(e)?)).await,
    };
    app.imports.set(id, Progress { total: rows.len(), ..Default::default() });
    let (task_app, access) = (app.clone(), actor.access.clone());
    tokio::spawn(async move {
        let app = task_app;
        let mut report =
            |done: usize, total: usize| app.imports.set(id, Progress { done, total, ..Default::default() });
        let result = app.store.commit_import(&access, id, &rows, &mut report).await;
        let ended = match result {
            Ok(_) => app.refresh().await.map(|()| None),
            Err(e @ StoreError::Refused { .. }) => Ok(Some((e.code(), e.to_string()))),
            Err(e) => Err(e),
        };
        let error = ended.unwrap_or_else(|e| {
            tracing::error!("导入第{}批失败：{e}", id.0);
            Some(("store.internal", "导入失败，整批未写入；请稍后重试".into()))
        });
        app.imports.set(id, Progress { done: rows.len(), total: rows.len(), finished: true, error });
    });
    Ok(Redirect::to(&format!("/imports/{}", id.0)).into_response())
}

/// The roster template: the columns in order, as an xlsx people fill in.
pub async fn template(actor: Actor, State(app): State<Arc<App>>, Path(id): Path<i64>) -> Result<Response, AppError> {
    crate::scoped::org(&app, &actor, id, Access::may_edit_members).await?;
    let columns: Vec<Column> = COLUMNS.iter().map(|c| Column::new(c.0, 12)).collect();
    let note = "从表头的下一行起每行填写一名党员；“所在党组织”不填则登记在导入的组织，名称重复时写作“上级党组织/名称”";
    let mut w = TableWriter::new(FileFormat::Xlsx);
    w.table("党员花名册", note, &columns)?;
    Ok(crate::export::attachment(w.finish()?, FileFormat::Xlsx, "党员花名册模板"))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ApiUpload {
    file_name: String,
    mode: String,
}

/// API: the request body is the file; `?file_name=&mode=skip|update|fill`. Answers the preview.
pub async fn api_upload(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Query(q): Query<ApiUpload>,
    body: axum::body::Body,
) -> Result<(StatusCode, axum::Json<serde_json::Value>), AppError> {
    let org = crate::scoped::org(&app, &actor, id, Access::may_edit_members).await.map_err(AppError::json)?;
    let mode = mode_of(if q.mode.is_empty() { "skip" } else { &q.mode }).map_err(AppError::json)?;
    let bytes = axum::body::to_bytes(body, MAX_FILE_BYTES).await.map_err(|_| {
        AppError::new(StatusCode::PAYLOAD_TOO_LARGE, "import.file_too_large", "文件过大，请分成几个文件导入").json()
    })?;
    let name = if q.file_name.is_empty() { "花名册" } else { &q.file_name };
    let batch =
        app.store.create_import_batch(&actor.access, org.id, name, &bytes, mode).await.map_err(crate::api::err)?;
    Ok((StatusCode::CREATED, axum::Json(api_preview(&app, &actor.access, batch).await?)))
}

async fn api_preview(app: &App, access: &Access, id: BatchId) -> Result<serde_json::Value, AppError> {
    let batch = app.store.get_import_batch(access, id).await.map_err(crate::api::err)?;
    let rows = plan_batch(&app.store, access, &batch).await.map_err(crate::api::err)?;
    let problems: Vec<serde_json::Value> = rows
        .iter()
        .filter(|r| !r.issues.is_empty())
        .map(|r| {
            serde_json::json!({
                "line": r.line,
                "action": action_label(&r.action),
                "issues": r.issues.iter().map(|i| serde_json::json!({
                    "error": i.error, "code": i.code, "column": i.column, "message": i.message,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(serde_json::json!({
        "batch_id": batch.id.0,
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
    reason: String,
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
