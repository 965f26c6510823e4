//! One error type at the HTTP edge: a status, a stable code, a Chinese message for people, and
//! a separate detail for the log. HTML routes render it as a page, API routes as `{code, message}`.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use qiangji_domain::orglife::attachment::AttachmentError;
use qiangji_store::StoreError;

#[derive(Debug)]
pub struct AppError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Whether to answer in JSON (API routes) or HTML.
    pub json: bool,
}

impl AppError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        AppError { status, code, message: message.into(), json: false }
    }

    pub fn not_found() -> Self {
        AppError::from(StoreError::NotFound)
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        AppError::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// The same error answered as JSON.
    pub fn json(mut self) -> Self {
        self.json = true;
        self
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        let status = match &e {
            StoreError::NotFound => StatusCode::NOT_FOUND,
            StoreError::Forbidden => StatusCode::FORBIDDEN,
            StoreError::DuplicateIdNumber(_)
            | StoreError::DuplicateUsername(_)
            | StoreError::DevelopeeExists(_)
            | StoreError::HostEntity(qiangji_domain::host_entity::HostEntityError::Duplicate(_)) => {
                StatusCode::CONFLICT
            }
            StoreError::Attachment(AttachmentError::TooLarge { .. }) => StatusCode::PAYLOAD_TOO_LARGE,
            StoreError::Org(_)
            | StoreError::Member(_)
            | StoreError::Attachment(_)
            | StoreError::Rule(_)
            | StoreError::Transfer(_)
            | StoreError::Letter(_)
            | StoreError::Status(_)
            | StoreError::Refused { .. }
            | StoreError::Floating(_)
            | StoreError::Registry(_)
            | StoreError::HostEntity(_)
            | StoreError::Development(_)
            | StoreError::Applicant(_)
            | StoreError::SponsorNotFull(_)
            | StoreError::PlanInvalid(_)
            | StoreError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            StoreError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            StoreError::Other(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let message = if status.is_server_error() {
            tracing::error!(code = e.code(), "{e}");
            "系统内部错误，请稍后再试；如持续出现请联系系统管理员".to_owned()
        } else {
            e.to_string()
        };
        AppError { status, code: e.code(), message, json: false }
    }
}

/// A store error a person can act on (a rule refused the input, a conflict) as the code and message
/// a form shows beside the input; anything else — not found, forbidden, a fault — as the error
/// page it always is. The statuses decide, as they do for every answer.
pub fn refusal(e: StoreError) -> Result<(&'static str, String), AppError> {
    let e = AppError::from(e);
    match e.status {
        StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT | StatusCode::PAYLOAD_TOO_LARGE => {
            Ok((e.code, e.message))
        }
        _ => Err(e),
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if self.json {
            return (self.status, axum::Json(serde_json::json!({ "code": self.code, "message": self.message })))
                .into_response();
        }
        let body = crate::page::error_page(self.status.as_u16(), self.code, &self.message);
        (self.status, Html(body)).into_response()
    }
}
