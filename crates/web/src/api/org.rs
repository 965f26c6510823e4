//! Organization endpoints.

use super::{ApiResult, Body, err, json};
use crate::App;
use crate::auth::Actor;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use qiangji_domain::date::{self, today};
use qiangji_domain::org::{OrgId, OrgInput};
use qiangji_store::StoreError;
use serde::Deserialize;
use serde_json::{Value, json as j};
use std::sync::Arc;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OrgBody {
    name: String,
    short_name: String,
    kind: String,
    sector: String,
    formation_mode: String,
    regional: bool,
    joint: bool,
    temporary: bool,
    founded_on: String,
    term_start: String,
    term_years: Option<u8>,
    host_units: String,
    contact: String,
    phone: String,
    address: String,
    reason: String,
}

impl OrgBody {
    fn input(&self) -> OrgInput {
        OrgInput {
            name: self.name.clone(),
            short_name: self.short_name.clone(),
            kind: self.kind.clone(),
            sector: self.sector.clone(),
            formation_mode: if self.formation_mode.is_empty() { "single".into() } else { self.formation_mode.clone() },
            regional: self.regional,
            joint: self.joint,
            temporary: self.temporary,
            founded_on: self.founded_on.clone(),
            term_start: self.term_start.clone(),
            term_years: self.term_years.map(|y| y.to_string()).unwrap_or_default(),
            host_units: self.host_units.clone(),
            contact: self.contact.clone(),
            phone: self.phone.clone(),
            address: self.address.clone(),
        }
    }
}

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
    let counts = app.index.read().await.counts(&actor.access, org.id);
    let advisories =
        qiangji_domain::org::advisories(&org.fields, counts.direct_members, counts.direct_full_members, today());
    let mut v = json::org(&org);
    v["member_count"] = j!(counts.members);
    v["full_member_count"] = j!(counts.full_members);
    v["direct_member_count"] = j!(counts.direct_members);
    v["advisories"] = advisories.iter().map(|a| j!({ "code": a.code, "message": a.message })).collect();
    Ok(Json(v))
}

pub async fn children(actor: Actor, State(app): State<Arc<App>>, Path(id): Path<i64>) -> ApiResult<Json<Value>> {
    app.store.get_org(&actor.access, OrgId(id)).await.map_err(err)?;
    let kids = app.store.list_children(&actor.access, OrgId(id)).await.map_err(err)?;
    let index = app.index.read().await;
    let items: Vec<Value> = kids
        .iter()
        .map(|o| {
            let mut v = json::org(o);
            v["member_count"] = j!(index.counts(&actor.access, o.id).members);
            v
        })
        .collect();
    Ok(Json(j!({ "items": items })))
}

pub async fn create(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Body(b): Body<OrgBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    app.store.get_org(&actor.access, OrgId(id)).await.map_err(err)?;
    actor.access.require(actor.access.may_manage_orgs()).map_err(err)?;
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
    Body(b): Body<OrgBody>,
) -> ApiResult<Json<Value>> {
    app.store.get_org(&actor.access, OrgId(id)).await.map_err(err)?;
    actor.access.require(actor.access.may_manage_orgs()).map_err(err)?;
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
    app.store.get_org(&actor.access, OrgId(id)).await.map_err(err)?;
    actor.access.require(actor.access.may_manage_orgs()).map_err(err)?;
    app.store.move_org(&actor.access, OrgId(id), OrgId(b.parent_id), &b.reason).await.map_err(err)?;
    app.refresh().await.map_err(err)?;
    Ok(Json(json::org(&app.store.get_org(&actor.access, OrgId(id)).await.map_err(err)?)))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DissolveBody {
    receiver_id: Option<i64>,
    on: Option<String>,
    reason: String,
}

pub async fn dissolve(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Body(b): Body<DissolveBody>,
) -> ApiResult<Json<Value>> {
    app.store.get_org(&actor.access, OrgId(id)).await.map_err(err)?;
    actor.access.require(actor.access.may_manage_orgs()).map_err(err)?;
    let on = match b.on.as_deref() {
        None | Some("") => today(),
        Some(s) => date::parse(s)
            .ok_or_else(|| err(crate::AppError::bad_request("org.date_invalid", "撤销日期格式应为 年-月-日")))?,
    };
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
pub struct PostBody {
    post: String,
    person_name: String,
    #[serde(default)]
    member_id: Option<i64>,
    #[serde(default)]
    since: Option<String>,
}

#[derive(Deserialize)]
pub struct PostsBody {
    items: Vec<PostBody>,
    #[serde(default)]
    reason: String,
}

pub async fn set_posts(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Body(b): Body<PostsBody>,
) -> ApiResult<Json<Value>> {
    app.store.get_org(&actor.access, OrgId(id)).await.map_err(err)?;
    actor.access.require(actor.access.may_manage_orgs()).map_err(err)?;
    let holders = b
        .items
        .iter()
        .map(|p| {
            let post = qiangji_domain::org::Post::parse(&p.post).map_err(|_| {
                err(crate::AppError::bad_request("org.code_unknown", format!("未知的职务：{}", p.post)))
            })?;
            let since = match p.since.as_deref() {
                None | Some("") => None,
                Some(s) => Some(date::parse(s).ok_or_else(|| {
                    err(crate::AppError::bad_request("org.date_invalid", "任职日期格式应为 年-月-日"))
                })?),
            };
            Ok(qiangji_store::org::posts::PostHolder {
                post,
                person_name: p.person_name.clone(),
                member_id: p.member_id,
                since,
            })
        })
        .collect::<Result<Vec<_>, crate::AppError>>()?;
    app.store.set_posts(&actor.access, OrgId(id), &holders, &b.reason).await.map_err(err)?;
    Ok(Json(posts_json(&app.store.list_posts(&actor.access, OrgId(id)).await.map_err(err)?)))
}
