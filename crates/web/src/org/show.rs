//! `/orgs/{org_id}`: attributes, advisories, counts and children; `/children` serves one tree level.

use super::describe;
use crate::App;
use crate::auth::Actor;
use crate::error::AppError;
use crate::page::{Layout, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Html;
use qiangji_domain::org::{Advisory, OrgId};
use qiangji_stats::OrgCounts;
use qiangji_store::org::Org;
use std::sync::Arc;

/// A child row of the tree: the organization, its description and subtree member count.
pub struct Child {
    pub org: Org,
    pub description: String,
    pub members: u32,
}

#[derive(Template)]
#[template(path = "org_show.html")]
struct ShowPage<'a> {
    layout: Layout<'a>,
    org: Org,
    description: String,
    ancestors: Vec<Org>,
    counts: OrgCounts,
    advisories: Vec<Advisory>,
    term_end: String,
    children: Vec<Child>,
    posts: Vec<qiangji_store::org::posts::PostHolder>,
    may_manage: bool,
    may_edit_members: bool,
    is_scope_root: bool,
}

#[derive(Template)]
#[template(path = "org_children.html")]
struct ChildrenFragment {
    children: Vec<Child>,
}

async fn children_of(app: &App, actor: &Actor, id: OrgId) -> Result<Vec<Child>, AppError> {
    let orgs = app.store.list_children(&actor.access, id).await?;
    let engine = app.engine.read().await;
    Ok(orgs
        .into_iter()
        .map(|org| Child {
            description: describe(&org),
            members: engine.counts(&actor.access, org.id, qiangji_domain::date::today()).members,
            org,
        })
        .collect())
}

pub async fn page(actor: Actor, State(app): State<Arc<App>>, Path(id): Path<i64>) -> Result<Html<String>, AppError> {
    let org = app.store.get_org(&actor.access, OrgId(id)).await?;
    let ancestors = app.store.list_ancestors(&actor.access, &org).await?;
    let today = qiangji_domain::date::today();
    let (counts, advisories) = {
        let engine = app.engine.read().await;
        (engine.counts(&actor.access, org.id, today), engine.advisories(&actor.access, org.id, today))
    };
    let children = children_of(&app, &actor, org.id).await?;
    let posts = app.store.list_posts(&actor.access, org.id).await?;
    let page = ShowPage {
        layout: Layout::new(org.fields.name.clone(), &actor),
        description: describe(&org),
        term_end: org.fields.term_end().map(|d| d.to_string()).unwrap_or_default(),
        may_manage: actor.access.may_manage_orgs() && !org.is_dissolved(),
        may_edit_members: actor.access.may_edit_members() && super::holds_members(&org),
        is_scope_root: org.id.0 == actor.access.scope_org_id() || org.parent_id.is_none(),
        org,
        ancestors,
        counts,
        advisories,
        children,
        posts,
    };
    Ok(Html(render(&page)))
}

pub async fn children(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
) -> Result<Html<String>, AppError> {
    // list_children answers NotFound for an organization outside scope, like one that does not exist.
    Ok(Html(render(&ChildrenFragment { children: children_of(&app, &actor, OrgId(id)).await? })))
}
