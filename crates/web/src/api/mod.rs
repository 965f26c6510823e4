//! The JSON API under `/api/v1`: the same operations as the UI, errors as `{code, message}`.
//! Domain types are not `Serialize`; this module decides their JSON shape in one place ([`json`]).

pub mod audit;
pub mod development;
pub mod floating;
pub mod host_entity;
pub mod json;
pub mod member;
pub mod openapi;
pub mod org;
pub mod orglife;
pub mod reminder;
pub mod session;
pub mod stats;
pub mod transfer;

use crate::error::AppError;
use qiangji_store::StoreError;

/// API handlers answer errors in JSON.
pub type ApiResult<T> = Result<T, AppError>;

pub fn err(e: impl Into<AppError>) -> AppError {
    e.into().json()
}

/// Domain validation errors of members, as an API error with every problem listed.
pub fn member_errors(errors: Vec<qiangji_domain::member::MemberError>) -> AppError {
    err(StoreError::Member(errors))
}

/// A JSON request body whose rejection is answered like every other API error.
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequest<S> for Body<T> {
    type Rejection = AppError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, AppError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Body(v)),
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                Err(AppError::new(axum::http::StatusCode::PAYLOAD_TOO_LARGE, "request.too_large", "提交的内容过大")
                    .json())
            }
            Err(e) => Err(AppError::bad_request(
                "request.invalid_json",
                format!("请求内容不是有效的 JSON，或缺少必需的字段：{}", e.body_text()),
            )
            .json()),
        }
    }
}

/// A date field that means "today" when left out.
pub fn date_or_today(s: &str, code: &'static str) -> ApiResult<qiangji_domain::Date> {
    match s.trim() {
        "" => Ok(qiangji_domain::date::today()),
        s => qiangji_domain::date::parse(s)
            .ok_or_else(|| AppError::bad_request(code, format!("日期格式应为 年-月-日，收到：{s}")).json()),
    }
}
