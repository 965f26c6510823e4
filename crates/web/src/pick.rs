//! The "pick an organization" page shared by moving organizations, moving members and dissolving:
//! a search box, a list of candidates within scope, an optional date, a reason, and a confirm button.

use crate::App;
use crate::auth::Actor;
use crate::error::AppError;
use crate::page::{Layout, render};
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use qiangji_domain::date::today;
use qiangji_store::org::Org;

/// How many candidates a search shows.
const CANDIDATES: i64 = 50;

#[derive(Template)]
#[template(path = "pick.html")]
struct PickPage<'a> {
    layout: Layout<'a>,
    spec: Spec,
    error: Option<(&'static str, String)>,
    q: String,
    candidates: Vec<Org>,
    selected: i64,
    on: String,
    reason: String,
}

/// What one use of the page says and where it posts.
pub struct Spec {
    pub heading: &'static str,
    pub subject_label: &'static str,
    pub subject_name: String,
    pub subject_link: String,
    pub notes: Vec<String>,
    pub action: String,
    pub pick_label: &'static str,
    pub with_date: bool,
    pub button: &'static str,
    pub danger: bool,
}

/// The posted choice (also the query string while searching).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct PickForm {
    pub target_id: Option<i64>,
    pub on: String,
    pub reason: String,
    pub q: String,
}

/// Renders the page; with `error`, as the answer to a refused submission.
pub async fn page(
    app: &App,
    actor: &Actor,
    spec: Spec,
    f: &PickForm,
    error: Option<(&'static str, String)>,
) -> Result<Response, AppError> {
    let candidates = match f.q.trim() {
        "" => Vec::new(),
        q => app.store.list_receivers(&actor.access, q, CANDIDATES).await?,
    };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let p = PickPage {
        layout: Layout::new(spec.heading, actor),
        spec,
        error,
        q: f.q.clone(),
        candidates,
        selected: f.target_id.unwrap_or(0),
        on: if f.on.is_empty() { today().to_string() } else { f.on.clone() },
        reason: f.reason.clone(),
    };
    Ok((status, Html(render(&p))).into_response())
}
