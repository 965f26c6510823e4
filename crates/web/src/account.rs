//! The user's own account: change the password (the other sessions end), see the sessions open
//! and end any, and the account's recent security events — so that someone whose password or
//! phone went astray can see it and act.

use crate::App;
use crate::api::{ApiResult, Body, err};
use crate::auth::{Actor, request_token};
use crate::error::AppError;
use crate::page::{Layout, local_time, render};
use crate::security::ClientInfo;
use askama::Template;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use qiangji_store::StoreError;
use qiangji_store::user::{AuthEvent, SessionInfo};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

/// How many security events the page shows.
const EVENTS_SHOWN: i64 = 30;

fn token(headers: &HeaderMap) -> Result<String, AppError> {
    request_token(headers).ok_or_else(|| StoreError::Forbidden.into())
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage<'a> {
    layout: Layout<'a>,
    sessions: Vec<SessionInfo>,
    events: Vec<AuthEvent>,
    notice: Option<&'static str>,
    error: Option<(&'static str, String)>,
    min_length: usize,
}

impl AccountPage<'_> {
    fn time(&self, t: &str) -> String {
        local_time(t)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Done {
    done: String,
}

async fn account_page(
    app: &App,
    actor: &Actor,
    headers: &HeaderMap,
    notice: Option<&'static str>,
    error: Option<(&'static str, String)>,
) -> Result<Response, AppError> {
    let sessions = app.store.list_sessions(&token(headers)?).await?;
    let events = app.store.auth_events(actor.user_id, EVENTS_SHOWN).await?;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = AccountPage {
        layout: Layout::new("本人账户", actor),
        sessions,
        events,
        notice,
        error,
        min_length: qiangji_domain::password::MIN_LENGTH,
    };
    Ok((status, Html(render(&page))).into_response())
}

pub async fn page(
    actor: Actor,
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(q): Query<Done>,
) -> Result<Response, AppError> {
    let notice = match q.done.as_str() {
        "password" => Some("密码已修改，其他设备上的登录已结束"),
        "sessions" => Some("已结束所选会话"),
        _ => None,
    };
    account_page(&app, &actor, &headers, notice, None).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

pub async fn change_password(
    actor: Actor,
    State(app): State<Arc<App>>,
    ClientInfo(client): ClientInfo,
    headers: HeaderMap,
    axum::Form(f): axum::Form<PasswordForm>,
) -> Result<Response, AppError> {
    if f.new != f.confirm {
        let e = ("password.confirm_mismatch", "两次输入的新密码不一致".to_owned());
        return account_page(&app, &actor, &headers, None, Some(e)).await;
    }
    match app.store.change_password(&actor.access, &token(&headers)?, &f.current, &f.new, &client).await {
        Ok(()) => Ok(Redirect::to("/account?done=password").into_response()),
        Err(e) => account_page(&app, &actor, &headers, None, Some(crate::error::refusal(e)?)).await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EndForm {
    /// A session's handle, or `others` for every session but this one.
    session: String,
}

pub async fn end_sessions(
    _actor: Actor,
    State(app): State<Arc<App>>,
    ClientInfo(client): ClientInfo,
    headers: HeaderMap,
    axum::Form(f): axum::Form<EndForm>,
) -> Result<Response, AppError> {
    let which = match f.session.as_str() {
        "others" => None,
        handle => Some(handle),
    };
    app.store.end_sessions(&token(&headers)?, which, &client).await?;
    Ok(Redirect::to("/account?done=sessions").into_response())
}

#[derive(Deserialize)]
pub struct ApiPassword {
    current: String,
    new: String,
}

pub async fn api_change_password(
    actor: Actor,
    State(app): State<Arc<App>>,
    ClientInfo(client): ClientInfo,
    headers: HeaderMap,
    Body(p): Body<ApiPassword>,
) -> ApiResult<StatusCode> {
    let token = token(&headers).map_err(AppError::json)?;
    app.store.change_password(&actor.access, &token, &p.current, &p.new, &client).await.map_err(err)?;
    Ok(StatusCode::NO_CONTENT)
}

fn session_json(s: &SessionInfo) -> Value {
    json!({
        "handle": s.handle, "created_at": s.created_at, "last_seen_at": s.last_seen_at,
        "address": s.address, "user_agent": s.user_agent, "current": s.current,
    })
}

pub async fn api_sessions(_actor: Actor, State(app): State<Arc<App>>, headers: HeaderMap) -> ApiResult<Json<Value>> {
    let token = token(&headers).map_err(AppError::json)?;
    let sessions = app.store.list_sessions(&token).await.map_err(err)?;
    Ok(Json(json!({ "sessions": sessions.iter().map(session_json).collect::<Vec<_>>() })))
}

pub async fn api_end_other_sessions(
    _actor: Actor,
    State(app): State<Arc<App>>,
    ClientInfo(client): ClientInfo,
    headers: HeaderMap,
) -> ApiResult<Json<Value>> {
    let token = token(&headers).map_err(AppError::json)?;
    let ended = app.store.end_sessions(&token, None, &client).await.map_err(err)?;
    Ok(Json(json!({ "ended": ended })))
}
