//! `/orgs/search?q=`: organizations in scope whose name contains the query.

use super::describe;
use crate::App;
use crate::auth::Actor;
use crate::error::AppError;
use crate::page::{Layout, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use qiangji_store::org::Org;
use serde::Deserialize;
use std::sync::Arc;

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

#[derive(Template)]
#[template(path = "org_search.html")]
struct SearchPage<'a> {
    layout: Layout<'a>,
    q: String,
    results: Vec<(Org, String)>,
}

pub const LIMIT: i64 = 200;

pub async fn page(
    actor: Actor,
    State(app): State<Arc<App>>,
    Query(q): Query<SearchQuery>,
) -> Result<Html<String>, AppError> {
    let results = if q.q.trim().is_empty() {
        Vec::new()
    } else {
        app.store
            .search_orgs(&actor.access, &q.q, LIMIT)
            .await?
            .into_iter()
            .map(|o| {
                let d = describe(&o);
                (o, d)
            })
            .collect()
    };
    Ok(Html(render(&SearchPage { layout: Layout::new("查找组织", &actor), q: q.q, results })))
}
