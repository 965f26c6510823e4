//! `/orgs/{org_id}/registry`: uploading a registry extract (公安户籍、市场监管、税务登记; xlsx, or
//! CSV in UTF-8 or GBK, read through `qiangji_sheet`) to match against the subtree's members, the imports made so far, and one import's
//! report (`?batch=N`): the members flagged and the rows that could not be read.

use crate::App;
use crate::auth::Actor;
use crate::error::AppError;
use crate::page::{Layout, local_time, render};
use crate::scoped;
use askama::Template;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use qiangji_domain::floating::registry::{MatchReport, RegistrySource, parse};
use qiangji_domain::org::OrgId;
use qiangji_store::floating::registry::{Batch, BatchRow, Import};
use qiangji_store::org::Org;
use qiangji_store::{Access, StoreError};
use serde::Deserialize;
use std::sync::Arc;

/// The largest extract, in bytes: the whole upload request may be this big (see the router's
/// body limit), so a city district's list fits; larger lists are split.
pub const MAX_BYTES: usize = crate::orglife::attachment::REQUEST_MAX;

/// The refusal of an extract over [`MAX_BYTES`].
pub fn too_large() -> AppError {
    AppError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "import.file_too_large",
        format!("文件过大（最大{}MB），请分成几个文件导入", MAX_BYTES / 1024 / 1024),
    )
}

/// Reads, matches and stores an extract for `org`; the batch id and report.
pub async fn import(
    app: &App,
    access: &Access,
    org: &Org,
    bytes: &[u8],
    source: &str,
    file_name: &str,
    area: &str,
) -> Result<(i64, MatchReport), StoreError> {
    let source = RegistrySource::parse(source.trim()).map_err(|_| {
        StoreError::Registry(qiangji_domain::floating::registry::RegistryError::SourceUnknown(source.to_owned()))
    })?;
    let (rows, invalid) = parse(bytes)?;
    let name: String = file_name.chars().take(200).collect();
    let area: String = area.trim().chars().take(50).collect();
    app.store
        .import_registry(access, org.id, Import { source, file_name: &name, area: &area, rows: &rows, invalid })
        .await
}

pub struct BatchView {
    pub batch: Batch,
    pub imported_at: String,
}

#[derive(Template)]
#[template(path = "registry.html")]
struct RegistryPage<'a> {
    layout: Layout<'a>,
    org: Org,
    batches: Vec<BatchView>,
    shown: Option<(BatchView, Vec<BatchRow>)>,
    sources: &'static [RegistrySource],
    may_edit: bool,
    alert: Option<(&'static str, String)>,
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    batch: Option<i64>,
}

async fn render_page(
    app: &App,
    actor: &Actor,
    org: Org,
    batch: Option<i64>,
    alert: Option<(&'static str, String)>,
) -> Result<Response, AppError> {
    let view = |b: Batch| BatchView { imported_at: local_time(&b.imported_at), batch: b };
    let batches = app.store.list_registry_batches(&actor.access, org.id).await?.into_iter().map(view).collect();
    let shown = match batch {
        Some(id) => {
            let (b, rows) = app.store.get_registry_batch(&actor.access, id).await?;
            Some((view(b), rows))
        }
        None => None,
    };
    let status = if alert.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = RegistryPage {
        layout: Layout::new(format!("信息比对 · {}", org.fields.name), actor),
        may_edit: actor.access.may_edit_members(),
        org,
        batches,
        shown,
        sources: RegistrySource::ALL,
        alert,
    };
    Ok((status, Html(render(&page))).into_response())
}

pub async fn page(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    let org = app.store.get_org(&actor.access, OrgId(id)).await?;
    render_page(&app, &actor, org, q.batch, None).await
}

/// The upload: multipart fields `file`, `source`, `area` (CSRF token in the address); the file's
/// format and encoding are told from its content.
pub async fn upload(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    req: Request,
) -> Result<Response, AppError> {
    let org = scoped::org(&app, &actor, id, Access::may_edit_members).await?;
    let bad = |m: String| AppError::bad_request("registry.upload_invalid", m);
    let mut form =
        Multipart::from_request(req, &()).await.map_err(|e| bad(format!("请以表单上传文件：{}", e.body_text())))?;
    let (mut file, mut name, mut source, mut area) = (None, String::new(), String::new(), String::new());
    // Over the body limit is said as such, not as an unreadable upload.
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            bad(format!("上传的内容无法读取：{}", e.body_text()))
        }
    };
    while let Some(field) = form.next_field().await.map_err(unreadable)? {
        let key = field.name().unwrap_or_default().to_owned();
        if key == "file" {
            name = field.file_name().unwrap_or_default().to_owned();
        }
        let bytes = field.bytes().await.map_err(unreadable)?;
        let text = || String::from_utf8_lossy(&bytes).into_owned();
        match key.as_str() {
            "file" => file = Some(bytes.to_vec()),
            "source" => source = text(),
            "area" => area = text(),
            _ => {}
        }
    }
    let Some(bytes) = file.filter(|b| !b.is_empty()) else {
        return render_page(
            &app,
            &actor,
            org,
            None,
            Some(("registry.upload_invalid", "请选择要导入的文件（xlsx 或 CSV）".into())),
        )
        .await;
    };
    match import(&app, &actor.access, &org, &bytes, &source, &name, &area).await {
        Ok((batch, _)) => Ok(Redirect::to(&format!("/orgs/{id}/registry?batch={batch}")).into_response()),
        Err(e @ StoreError::Registry(_)) => render_page(&app, &actor, org, None, Some((e.code(), e.to_string()))).await,
        Err(e) => Err(e.into()),
    }
}
