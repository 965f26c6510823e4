//! API login (a bearer token), logout and "who am I".

use super::{ApiResult, Body, err};
use crate::App;
use crate::auth::{Actor, login_error_message, request_token};
use crate::error::AppError;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use qiangji_store::user::LoginError;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

#[derive(Deserialize)]
pub struct Credentials {
    username: String,
    password: String,
    /// The one-time code, for accounts with a second factor.
    #[serde(default)]
    code: String,
}

pub async fn create(
    State(app): State<Arc<App>>,
    crate::security::ClientInfo(client): crate::security::ClientInfo,
    Body(c): Body<Credentials>,
) -> ApiResult<Json<Value>> {
    match app.store.login_from(&c.username, &c.password, Some(&c.code), &client).await {
        Ok(token) => {
            let s = app.store.session(&token).await.map_err(err)?.ok_or_else(|| err(AppError::not_found()))?;
            Ok(Json(json!({ "token": token, "csrf_token": s.csrf_token, "user": me_json(&s) })))
        }
        Err(e) => {
            let (status, code) = match e {
                LoginError::BadCredentials => (StatusCode::UNAUTHORIZED, "auth.bad_credentials"),
                LoginError::CodeRequired => (StatusCode::UNAUTHORIZED, "auth.code_required"),
                LoginError::CodeWrong => (StatusCode::UNAUTHORIZED, "auth.code_wrong"),
                LoginError::Locked { .. } => (StatusCode::UNAUTHORIZED, "auth.locked"),
                LoginError::Store(_) => (StatusCode::SERVICE_UNAVAILABLE, "store.unavailable"),
            };
            Err(AppError::new(status, code, login_error_message(&e)).json())
        }
    }
}

pub async fn delete(_actor: Actor, State(app): State<Arc<App>>, headers: HeaderMap) -> ApiResult<StatusCode> {
    if let Some(t) = request_token(&headers) {
        app.store.logout(&t).await.map_err(err)?;
    }
    Ok(StatusCode::NO_CONTENT)
}

fn me_json(s: &qiangji_store::user::Session) -> Value {
    json!({
        "id": s.user_id,
        "username": s.username,
        "display_name": s.display_name,
        "role": s.access.role().code(),
        "role_label": s.access.role().label(),
        "scope_org_id": s.access.scope_org_id(),
        "member_id": s.access.self_member_id(),
    })
}

pub async fn me(actor: Actor) -> Json<Value> {
    Json(me_json(&actor))
}
