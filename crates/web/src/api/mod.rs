//! The JSON API under `/api/v1`: the same operations as the UI, errors as `{code, message}`.
//! Domain types are not `Serialize`; this module decides their JSON shape in one place ([`json`]).

pub mod audit;
pub mod json;
pub mod member;
pub mod openapi;
pub mod org;
pub mod session;

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
