//! The user's own account: change the password (the other sessions end), see the sessions open
//! and end any, and the account's recent security events — so that someone whose password or
//! phone went astray can see it and act.

use crate::App;
use crate::api::{ApiResult, Body, err};
use crate::auth::Actor;
use crate::error::AppError;
use crate::page::{Layout, local_time, render};
use crate::security::ClientInfo;
use askama::Template;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use qiangji_store::StoreError;
use qiangji_store::user::{AuthEvent, SessionInfo};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

/// How many security events the page shows.
const EVENTS_SHOWN: i64 = 30;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage<'a> {
    layout: Layout<'a>,
    sessions: Vec<SessionInfo>,
    events: Vec<AuthEvent>,
    notice: Option<&'static str>,
    error: Option<(&'static str, String)>,
    min_length: usize,
    totp: Totp,
}

/// Where the account's second factor stands.
enum Totp {
    Off,
    /// Being set up: the secret to type into the authenticator app, and its address.
    Pending {
        secret: String,
        uri: String,
    },
    On,
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
    notice: Option<&'static str>,
    error: Option<(&'static str, String)>,
) -> Result<Response, AppError> {
    let sessions = app.store.list_sessions(&actor.session).await?;
    let events = app.store.auth_events(actor.user_id, EVENTS_SHOWN).await?;
    let totp = if app.store.totp_enabled(actor.user_id).await? {
        Totp::On
    } else {
        match app.store.totp_pending(actor.user_id).await? {
            Some(secret) => {
                let b32 = qiangji_domain::totp::base32(&secret);
                // In groups of four, as apps show them and people type them.
                let grouped =
                    b32.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>();
                Totp::Pending {
                    secret: grouped.join(" "),
                    uri: qiangji_domain::totp::otpauth_uri("强基", &actor.username, &secret),
                }
            }
            None => Totp::Off,
        }
    };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = AccountPage {
        layout: Layout::new("本人账户", actor),
        sessions,
        events,
        notice,
        error,
        min_length: qiangji_domain::password::MIN_LENGTH,
        totp,
    };
    Ok((status, Html(render(&page))).into_response())
}

/// Back to the account page after a change: with its notice, or with the refusal on the page.
async fn after(app: &App, actor: &Actor, result: Result<(), StoreError>, done: &str) -> Result<Response, AppError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/account?done={done}")).into_response()),
        Err(e) => account_page(app, actor, None, Some(crate::error::refusal(e)?)).await,
    }
}

pub async fn page(actor: Actor, State(app): State<Arc<App>>, Query(q): Query<Done>) -> Result<Response, AppError> {
    let notice = match q.done.as_str() {
        "password" => Some("密码已修改，其他设备上的登录已结束"),
        "sessions" => Some("已结束所选会话"),
        "totp_on" => Some("两步验证已启用：以后登录须输入验证器上的动态验证码"),
        "totp_off" => Some("两步验证已停用"),
        _ => None,
    };
    account_page(&app, &actor, notice, None).await
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
    axum::Form(f): axum::Form<PasswordForm>,
) -> Result<Response, AppError> {
    if f.new != f.confirm {
        let e = ("password.confirm_mismatch", "两次输入的新密码不一致".to_owned());
        return account_page(&app, &actor, None, Some(e)).await;
    }
    let done = app.store.change_password(&actor.access, &actor.session, &f.current, &f.new, &client).await;
    after(&app, &actor, done, "password").await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EndForm {
    /// A session's handle, or `others` for every session but this one.
    session: String,
}

pub async fn end_sessions(
    actor: Actor,
    State(app): State<Arc<App>>,
    ClientInfo(client): ClientInfo,
    axum::Form(f): axum::Form<EndForm>,
) -> Result<Response, AppError> {
    let which = match f.session.as_str() {
        "others" => None,
        handle => Some(handle),
    };
    app.store.end_sessions(&actor.session, which, &client).await?;
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
    Body(p): Body<ApiPassword>,
) -> ApiResult<StatusCode> {
    app.store.change_password(&actor.access, &actor.session, &p.current, &p.new, &client).await.map_err(err)?;
    Ok(StatusCode::NO_CONTENT)
}

fn session_json(s: &SessionInfo) -> Value {
    json!({
        "handle": s.handle, "created_at": s.created_at, "last_seen_at": s.last_seen_at,
        "address": s.address, "user_agent": s.user_agent, "current": s.current,
    })
}

pub async fn api_sessions(actor: Actor, State(app): State<Arc<App>>) -> ApiResult<Json<Value>> {
    let sessions = app.store.list_sessions(&actor.session).await.map_err(err)?;
    Ok(Json(json!({ "sessions": sessions.iter().map(session_json).collect::<Vec<_>>() })))
}

pub async fn api_end_other_sessions(
    actor: Actor,
    State(app): State<Arc<App>>,
    ClientInfo(client): ClientInfo,
) -> ApiResult<Json<Value>> {
    let ended = app.store.end_sessions(&actor.session, None, &client).await.map_err(err)?;
    Ok(Json(json!({ "ended": ended })))
}

/// Starts setting up the second factor: a new secret to add to an authenticator app.
pub async fn totp_start(actor: Actor, State(app): State<Arc<App>>) -> Result<Response, AppError> {
    app.store.totp_begin(&actor.session).await?;
    Ok(Redirect::to("/account#totp").into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TotpForm {
    code: String,
    password: String,
}

/// Turns the second factor on with a code from the new secret.
pub async fn totp_confirm(
    actor: Actor,
    State(app): State<Arc<App>>,
    ClientInfo(client): ClientInfo,
    axum::Form(f): axum::Form<TotpForm>,
) -> Result<Response, AppError> {
    let done = app.store.totp_confirm(&actor.access, &actor.session, &f.code, &client).await;
    after(&app, &actor, done, "totp_on").await
}

/// Turns the second factor off with the password and a current code.
pub async fn totp_disable(
    actor: Actor,
    State(app): State<Arc<App>>,
    ClientInfo(client): ClientInfo,
    axum::Form(f): axum::Form<TotpForm>,
) -> Result<Response, AppError> {
    let done = app.store.totp_disable(&actor.access, &actor.session, &f.password, &f.code, &client).await;
    after(&app, &actor, done, "totp_off").await
}
