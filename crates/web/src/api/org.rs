//! Organization endpoints.

use super::{ApiResult, Body, date_or_today, err, json};
use crate::auth::Actor;
use crate::payload::{OrgPayload, PostPayload};
use crate::{App, AppError, scoped};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use qiangji_domain::date::today;
use qiangji_domain::org::OrgId;
use qiangji_store::{Access, StoreError};
use serde::Deserialize;
use serde_json::{Value, json as j};
use std::sync::Arc;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SearchQuery {
    q: String,
}

pub async fn search(actor: Actor, State(app): State<Arc<App>>, Query(q): Query<SearchQuery>) -> ApiResult<Json<Value>> {
    let orgs = app.store.search_orgs(&actor.access, &q.q, crate::org::search::LIMIT).await.map_err(err)?;
    Ok(Json(j!({ "items": orgs.iter().map(json::org).collect::<Vec<_>>() })))
}

pub async fn get(actor: Actor, State(app): State<Arc<App>>, Path(id): Path<i64>) -> ApiResult<Json<Value>> {
    let org = app.store.get_org(&actor.access, OrgId(id)).await.map_err(err)?;
    let (counts, advisories) = {
        let engine = app.engine.read().await;
        (engine.counts(&actor.access, org.id, today()), engine.advisories(&actor.access, org.id, today()))
    };
    let mut v = json::org(&org);
    v["member_count"] = j!(counts.members);
    v["full_member_count"] = j!(counts.full_members);
    v["direct_member_count"] = j!(counts.direct_members);
    v["advisories"] = advisories.iter().map(|a| j!({ "code": a.code, "message": a.message })).collect();
    Ok(Json(v))
}

pub async fn children(actor: Actor, State(app): State<Arc<App>>, Path(id): Path<i64>) -> ApiResult<Json<Value>> {
    let kids = app.store.list_children(&actor.access, OrgId(id)).await.map_err(err)?;
    let engine = app.engine.read().await;
    let items: Vec<Value> = kids
        .iter()
        .map(|o| {
            let mut v = json::org(o);
            v["member_count"] = j!(engine.counts(&actor.access, o.id, today()).members);
            v
        })
        .collect();
    Ok(Json(j!({ "items": items })))
}

pub async fn create(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Body(b): Body<OrgPayload>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    scoped::org(&app, &actor, id, Access::may_manage_orgs).await.map_err(AppError::json)?;
    let fields = b.input().validate(today()).map_err(|e| err(StoreError::from(e)))?;
    let new_id = app.store.create_org(&actor.access, OrgId(id), &fields, &b.reason).await.map_err(err)?;
    app.refresh().await.map_err(err)?;
    let org = app.store.get_org(&actor.access, new_id).await.map_err(err)?;
    Ok((StatusCode::CREATED, Json(json::org(&org))))
}

pub async fn update(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Body(b): Body<OrgPayload>,
) -> ApiResult<Json<Value>> {
    scoped::org(&app, &actor, id, Access::may_manage_orgs).await.map_err(AppError::json)?;
    let fields = b.input().validate(today()).map_err(|e| err(StoreError::from(e)))?;
    app.store.update_org(&actor.access, OrgId(id), &fields, &b.reason).await.map_err(err)?;
    app.refresh().await.map_err(err)?;
    Ok(Json(json::org(&app.store.get_org(&actor.access, OrgId(id)).await.map_err(err)?)))
}

#[derive(Deserialize)]
pub struct MoveBody {
    parent_id: i64,
    #[serde(default)]
    reason: String,
}

pub async fn relocate(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Body(b): Body<MoveBody>,
) -> ApiResult<Json<Value>> {
    scoped::org(&app, &actor, id, Access::may_manage_orgs).await.map_err(AppError::json)?;
    app.store.move_org(&actor.access, OrgId(id), OrgId(b.parent_id), &b.reason).await.map_err(err)?;
    app.refresh().await.map_err(err)?;
    Ok(Json(json::org(&app.store.get_org(&actor.access, OrgId(id)).await.map_err(err)?)))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DissolveBody {
    receiver_id: Option<i64>,
    on: String,
    reason: String,
}

pub async fn dissolve(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Body(b): Body<DissolveBody>,
) -> ApiResult<Json<Value>> {
    scoped::org(&app, &actor, id, Access::may_manage_orgs).await.map_err(AppError::json)?;
    let on = date_or_today(&b.on, "org.date_invalid")?;
    let (receiver, moved) =
        app.store.dissolve_org(&actor.access, OrgId(id), b.receiver_id.map(OrgId), on, &b.reason).await.map_err(err)?;
    app.refresh().await.map_err(err)?;
    Ok(Json(j!({ "receiver_id": receiver.0, "members_moved": moved })))
}

fn posts_json(posts: &[qiangji_store::org::posts::PostHolder]) -> Value {
    j!({ "items": posts.iter().map(|p| j!({
        "post": p.post.code(), "post_label": p.post.label(), "person_name": p.person_name,
        "member_id": p.member_id, "since": p.since.map(|d| d.to_string()),
    })).collect::<Vec<_>>() })
}

pub async fn posts(actor: Actor, State(app): State<Arc<App>>, Path(id): Path<i64>) -> ApiResult<Json<Value>> {
    Ok(Json(posts_json(&app.store.list_posts(&actor.access, OrgId(id)).await.map_err(err)?)))
}

#[derive(Deserialize)]
pub struct PostsBody {
    items: Vec<PostPayload>,
    #[serde(default)]
    reason: String,
}

pub async fn set_posts(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Body(b): Body<PostsBody>,
) -> ApiResult<Json<Value>> {
    scoped::org(&app, &actor, id, Access::may_manage_orgs).await.map_err(AppError::json)?;
    let holders = b.items.iter().map(PostPayload::holder).collect::<Result<Vec<_>, _>>().map_err(err)?;
    app.store.set_posts(&actor.access, OrgId(id), &holders, &b.reason).await.map_err(err)?;
    Ok(Json(posts_json(&app.store.list_posts(&actor.access, OrgId(id)).await.map_err(err)?)))
}
