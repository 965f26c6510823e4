//! `/orgs/{org_id}/stats/members?…`: the members behind any number of the statistics page — counted
//! on that day, in that subtree, under that condition — one page at a time.

use super::{Question, param};
use crate::App;
use crate::auth::Actor;
use crate::error::AppError;
use crate::member::list::Row;
use crate::page::{Layout, pager, render};
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::Html;
use qiangji_domain::org::OrgId;
use qiangji_store::org::Org;
use std::sync::Arc;

pub const PAGE_SIZE: usize = 50;

#[derive(Template)]
#[template(path = "stats_members.html")]
struct MembersPage<'a> {
    layout: Layout<'a>,
    org: Org,
    q: Question,
    condition: String,
    total: usize,
    rows: Vec<Row>,
    pages: Vec<(String, usize, bool)>,
    base_query: String,
}

pub async fn page(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    RawQuery(raw): RawQuery,
) -> Result<Html<String>, AppError> {
    let org = app.store.get_org(&actor.access, OrgId(id)).await?;
    let q = Question::parse(raw.as_deref(), &[])?;
    let offset = param(raw.as_deref(), "offset").parse().unwrap_or(0);
    let page = app.engine.read().await.members(&actor.access, org.id, q.on, &q.cond, offset, PAGE_SIZE);
    let members = app.store.get_members(&actor.access, &page.ids).await?;
    let rows = Row::of(&app, members, q.on).await?;
    let view = MembersPage {
        layout: Layout::new(format!("统计明细：{}", org.fields.name), &actor),
        condition: q.describe(),
        total: page.total,
        rows,
        pages: pager(page.total, offset, PAGE_SIZE),
        base_query: q.query(&[]),
        org,
        q,
    };
    Ok(Html(render(&view)))
}
