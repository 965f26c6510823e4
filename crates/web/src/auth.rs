//! Sessions and CSRF, in one place.
//!
//! [`guard`] runs before every handler: it resolves the session (cookie `qj_session`, or an API
//! `Authorization: Bearer` token) and refuses every state-changing request whose CSRF token does
//! not match the session's — the form field `csrf`, or the `X-CSRF-Token` header. Bearer requests
//! are exempt: browsers never attach them on their own. Handlers take an [`Actor`] to require a login.

use crate::App;
use crate::error::AppError;
use crate::page::{self, Layout};
use askama::Template;
use axum::body::Body;
use axum::extract::{FromRequestParts, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use qiangji_store::user::{LoginError, Session};
use rand::RngCore;
use serde::Deserialize;
use std::sync::Arc;

pub const SESSION_COOKIE: &str = "qj_session";
const LOGIN_COOKIE: &str = "qj_login";
const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;

/// The logged-in user of a request.
#[derive(Clone)]
pub struct Actor {
    pub session: Session,
    /// Unread notifications, for the navigation of pages (0 for API requests, which have none).
    pub unread: i64,
}

impl std::ops::Deref for Actor {
    type Target = Session;
    fn deref(&self) -> &Session {
        &self.session
    }
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(|t| t.trim().to_owned())
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

fn refuse(path: &str, code: &'static str, message: &str) -> Response {
    let e = AppError::new(StatusCode::FORBIDDEN, code, message);
    if is_api(path) { e.json().into_response() } else { e.into_response() }
}

/// The `csrf` field of a urlencoded form body, and the body to hand on.
async fn form_field(req: Request, name: &str) -> Result<(Request, Option<String>), Response> {
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_FORM_BYTES).await.map_err(|_| {
        AppError::new(StatusCode::PAYLOAD_TOO_LARGE, "request.too_large", "提交的内容过大").into_response()
    })?;
    let value = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
        .ok()
        .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == name).map(|(_, v)| v));
    Ok((Request::from_parts(parts, Body::from(bytes)), value))
}

/// A field of a query string.
fn query_field(query: &str, name: &str) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// Resolves the session and enforces CSRF on every state-changing request.
pub async fn guard(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let bearer_token = bearer(req.headers());
    let token = bearer_token.clone().or_else(|| cookie(req.headers(), SESSION_COOKIE));
    let session = match token {
        Some(t) => match app.store.session(&t).await {
            Ok(s) => s,
            Err(e) => return AppError::from(e).into_response(),
        },
        None => None,
    };
    let mut req = req;
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        if path == "/login" {
            let expected = cookie(req.headers(), LOGIN_COOKIE);
            let (r, sent) = match form_field(req, "csrf").await {
                Ok(x) => x,
                Err(resp) => return resp,
            };
            req = r;
            if expected.is_none() || expected != sent {
                return refuse(&path, "csrf.invalid", "页面已过期，请刷新登录页后重试");
            }
        } else if path == "/api/v1/session" && *req.method() == Method::POST {
            // Logging in through the API needs a JSON body, which a cross-site form cannot send.
            let json = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
            if !json.starts_with("application/json") {
                return refuse(&path, "csrf.invalid", "请以 application/json 提交登录信息");
            }
        } else if bearer_token.is_none()
            && let Some(s) = &session
        {
            let header_token = req.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()).map(str::to_owned);
            let multipart = req
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("multipart/form-data"));
            let sent = match header_token {
                Some(t) => Some(t),
                // A file upload's body is not read here (it may be 10 MB): its form sends the
                // token in the address instead.
                None if multipart => query_field(req.uri().query().unwrap_or(""), "csrf"),
                None => {
                    let (r, sent) = match form_field(req, "csrf").await {
                        Ok(x) => x,
                        Err(resp) => return resp,
                    };
                    req = r;
                    sent
                }
            };
            if sent.as_deref() != Some(s.csrf_token.as_str()) {
                return refuse(&path, "csrf.invalid", "页面已过期或请求来源不可信，请刷新页面后重试");
            }
        }
    }
    if let Some(session) = session {
        let unread = if is_api(&path) || *req.method() != Method::GET {
            0
        } else {
            match app.store.unread_notifications(&session.access).await {
                Ok(n) => n,
                Err(e) => return AppError::from(e).into_response(),
            }
        };
        req.extensions_mut().insert(Actor { session, unread });
    }
    next.run(req).await
}

impl<S: Send + Sync> FromRequestParts<S> for Actor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        if let Some(a) = parts.extensions.get::<Actor>() {
            return Ok(a.clone());
        }
        let path = parts.uri.path();
        if is_api(path) {
            return Err(AppError::new(StatusCode::UNAUTHORIZED, "auth.required", "请先登录").json().into_response());
        }
        let next = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
        let target = if parts.method == Method::GET { next } else { "/" };
        Err(Redirect::to(&format!("/login?next={}", encode(target))).into_response())
    }
}

fn encode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)]).unwrap_or_default().trim_start_matches('=').to_owned()
}

/// Only same-site relative paths are followed after login (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => n.to_owned(),
        _ => "/".to_owned(),
    }
}

fn random_hex() -> String {
    let mut b = [0u8; 16];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    layout: Layout<'a>,
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

fn login_response(status: StatusCode, csrf: String, next: String, username: String, error: Option<String>) -> Response {
    let body =
        page::render(&LoginPage { layout: Layout::anonymous("登录"), csrf: csrf.clone(), next, username, error });
    let cookie = format!("{LOGIN_COOKIE}={csrf}; Path=/login; HttpOnly; SameSite=Strict");
    (status, [(header::SET_COOKIE, cookie)], Html(body)).into_response()
}

/// GET /login
pub async fn login_page(actor: Option<Actor>, Query(q): Query<NextQuery>) -> Response {
    if actor.is_some() {
        return Redirect::to(&safe_next(q.next.as_deref())).into_response();
    }
    login_response(StatusCode::OK, random_hex(), safe_next(q.next.as_deref()), String::new(), None)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    /// The one-time code, for accounts with a second factor.
    #[serde(default)]
    code: String,
    next: Option<String>,
}

/// The message a failed login shows.
pub fn login_error_message(e: &LoginError) -> String {
    match e {
        LoginError::BadCredentials => "用户名或密码不正确".into(),
        LoginError::CodeWrong => "动态验证码不正确或已用过，请输入验证器上当前的验证码".into(),
        LoginError::CodeRequired => "该账户已启用两步验证：请输入验证器上的6位动态验证码".into(),
        LoginError::Locked { until } => {
            format!("登录失败次数过多，账户已锁定至 {}", page::local_time(until))
        }
        LoginError::Store(_) => "系统暂时无法登录，请稍后再试".into(),
    }
}

/// POST /login
pub async fn login(
    State(app): State<Arc<App>>,
    crate::security::ClientInfo(client): crate::security::ClientInfo,
    axum::Form(f): axum::Form<LoginForm>,
) -> Response {
    match app.store.login_from(&f.username, &f.password, Some(&f.code), &client).await {
        Ok(token) => {
            let cookie = format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax");
            ([(header::SET_COOKIE, cookie)], Redirect::to(&safe_next(f.next.as_deref()))).into_response()
        }
        Err(e) => {
            let status = if matches!(e, LoginError::Store(_)) {
                StatusCode::SERVICE_UNAVAILABLE
            } else {
                StatusCode::UNAUTHORIZED
            };
            login_response(
                status,
                random_hex(),
                safe_next(f.next.as_deref()),
                f.username,
                Some(login_error_message(&e)),
            )
        }
    }
}

/// POST /logout
pub async fn logout(State(app): State<Arc<App>>, headers: HeaderMap) -> Result<Response, AppError> {
    if let Some(t) = cookie(&headers, SESSION_COOKIE) {
        app.store.logout(&t).await?;
    }
    let clear = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    Ok(([(header::SET_COOKIE, clear)], Redirect::to("/login")).into_response())
}

/// The raw token of the request (cookie or bearer), for API logout.
pub fn request_token(headers: &HeaderMap) -> Option<String> {
    bearer(headers).or_else(|| cookie(headers, SESSION_COOKIE))
}

impl<S: Send + Sync> axum::extract::OptionalFromRequestParts<S> for Actor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<Actor>().cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(safe_next(Some("/orgs/3")), "/orgs/3");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
