//! `/meetings/{meeting_id}/attachments`: uploading a photo or file to a record (multipart), and
//! `/meetings/{meeting_id}/attachments/{attachment_id}`: the file itself, served with its stored
//! type, within the scope of its record.

use crate::App;
use crate::auth::Actor;
use crate::error::AppError;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use qiangji_domain::orglife::MeetingId;
use qiangji_domain::orglife::attachment::MAX_BYTES;
use qiangji_store::orglife::attachment::AttachmentId;
use std::sync::Arc;

/// The largest upload request: one file at its limit plus the multipart framing.
pub const REQUEST_MAX: usize = MAX_BYTES + 64 * 1024;

/// The file of the multipart field `file`: its name and bytes. Checked for scope first by the
/// caller, so that a record out of scope answers 404 whatever was sent.
pub async fn read_file(req: Request) -> Result<(String, Vec<u8>), AppError> {
    let too_large =
        || AppError::new(StatusCode::PAYLOAD_TOO_LARGE, "attachment.too_large", "文件过大，单个附件最大10MB");
    let mut form = Multipart::from_request(req, &()).await.map_err(|e| {
        AppError::bad_request("attachment.upload_invalid", format!("请以表单上传文件：{}", e.body_text()))
    })?;
    while let Some(field) = form.next_field().await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            AppError::bad_request("attachment.upload_invalid", format!("上传的内容无法读取：{}", e.body_text()))
        }
    })? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or_default().to_owned();
            let bytes = field.bytes().await.map_err(|_| too_large())?;
            return Ok((name, bytes.to_vec()));
        }
    }
    Err(AppError::bad_request("attachment.upload_invalid", "请选择要上传的文件"))
}

/// Adds the uploaded file and returns to the record.
pub async fn upload(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    req: Request,
) -> Result<Response, AppError> {
    app.store.get_meeting(&actor.access, MeetingId(id)).await?;
    let (name, bytes) = read_file(req).await?;
    app.store.add_attachment(&actor.access, MeetingId(id), &name, &bytes).await?;
    Ok(Redirect::to(&format!("/meetings/{id}#attachments")).into_response())
}

/// The stored file, with its type; images show inline (thumbnails), other files download.
pub async fn download(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path((meeting, id)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let (a, bytes) = app.store.get_attachment(&actor.access, MeetingId(meeting), AttachmentId(id)).await?;
    let disposition = if a.content_type.is_image() { "inline" } else { "attachment" };
    // RFC 5987: the name in UTF-8, percent-encoded, so Chinese file names survive.
    let encoded: String = a
        .file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b".-_".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }
        })
        .collect();
    let headers = [
        (header::CONTENT_TYPE, a.content_type.mime().to_owned()),
        (header::CONTENT_DISPOSITION, format!("{disposition}; filename*=UTF-8''{encoded}")),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        (header::CACHE_CONTROL, "private, max-age=86400".to_owned()),
    ];
    Ok((headers, bytes).into_response())
}
