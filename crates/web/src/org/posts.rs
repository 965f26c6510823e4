//! `/orgs/{org_id}/posts`: editing the leadership (班子成员) as a list of rows.

use crate::App;
use crate::auth::Actor;
use crate::error::AppError;
use crate::page::{Layout, render};
use crate::payload::PostPayload;
use crate::scoped;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use qiangji_domain::org::Post;
use qiangji_store::org::Org;
use qiangji_store::org::posts::PostHolder;
use qiangji_store::{Access, StoreError};
use std::sync::Arc;

/// Rows offered on the form: enough for a committee of seven.
const ROWS: usize = 7;

/// A form row as text.
#[derive(Default, Clone)]
pub struct RowInput {
    pub post: String,
    pub name: String,
    pub since: String,
}

#[derive(Template)]
#[template(path = "org_posts.html")]
struct PostsPage<'a> {
    layout: Layout<'a>,
    org: Org,
    rows: Vec<RowInput>,
    posts: &'static [Post],
    reason: String,
    error: Option<(&'static str, String)>,
}

fn page(
    actor: &Actor,
    org: Org,
    mut rows: Vec<RowInput>,
    reason: String,
    error: Option<(&'static str, String)>,
) -> Response {
    rows.resize(rows.len().max(ROWS), RowInput::default());
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let p = PostsPage { layout: Layout::new("班子成员", actor), org, rows, posts: Post::ALL, reason, error };
    (status, Html(render(&p))).into_response()
}

pub async fn form(actor: Actor, State(app): State<Arc<App>>, Path(id): Path<i64>) -> Result<Response, AppError> {
    let org = scoped::org(&app, &actor, id, Access::may_manage_orgs).await?;
    let rows = app
        .store
        .list_posts(&actor.access, org.id)
        .await?
        .into_iter()
        .map(|p| RowInput { post: p.post.code().into(), name: p.person_name, since: crate::page::opt_date(p.since) })
        .collect();
    Ok(page(&actor, org, rows, String::new(), None))
}

/// Reads `post_N`, `name_N`, `since_N`; rows without a post and a name are left out.
fn parse_rows(pairs: &[(String, String)]) -> (Vec<RowInput>, String) {
    let get = |k: String| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.trim().to_owned()).unwrap_or_default();
    let rows = (0..ROWS * 2)
        .map(|i| RowInput {
            post: get(format!("post_{i}")),
            name: get(format!("name_{i}")),
            since: get(format!("since_{i}")),
        })
        .filter(|r| !r.post.is_empty() || !r.name.is_empty())
        .collect();
    (rows, get("reason".into()))
}

fn holders(rows: &[RowInput]) -> Result<Vec<PostHolder>, StoreError> {
    rows.iter()
        .map(|r| {
            PostPayload { post: r.post.clone(), person_name: r.name.clone(), member_id: None, since: r.since.clone() }
                .holder()
        })
        .collect()
}

pub async fn submit(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let org = scoped::org(&app, &actor, id, Access::may_manage_orgs).await?;
    let (rows, reason) = parse_rows(&pairs);
    let result = match holders(&rows) {
        Ok(h) => app.store.set_posts(&actor.access, org.id, &h, &reason).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => {
            app.refresh().await?;
            Ok(Redirect::to(&format!("/orgs/{id}")).into_response())
        }
        Err(e @ (StoreError::Invalid(_) | StoreError::Org(_))) => {
            Ok(page(&actor, org, rows, reason, Some((e.code(), e.to_string()))))
        }
        Err(e) => Err(e.into()),
    }
}
