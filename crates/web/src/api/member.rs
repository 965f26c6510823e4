//! Member endpoints.

use super::{ApiResult, Body, err, json, member_errors};
use crate::App;
use crate::auth::Actor;
use crate::member::list::{ListQuery, run};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use qiangji_domain::date::{self, today};
use qiangji_domain::member::{MemberId, MemberInput};
use qiangji_domain::org::OrgId;
use serde::Deserialize;
use serde_json::{Value, json as j};
use std::sync::Arc;

pub async fn list(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Value>> {
    let org = app.store.get_org(&actor.access, OrgId(id)).await.map_err(err)?;
    let (page, members) = run(&app, &actor.access, &org, &q).await.map_err(|e| e.json())?;
    Ok(Json(j!({
        "total": page.total,
        "offset": q.offset,
        "limit": crate::member::list::PAGE_SIZE,
        "items": members.iter().map(json::member).collect::<Vec<_>>(),
    })))
}

pub async fn get(actor: Actor, State(app): State<Arc<App>>, Path(id): Path<i64>) -> ApiResult<Json<Value>> {
    Ok(Json(json::member(&app.store.get_member(&actor.access, MemberId(id)).await.map_err(err)?)))
}

pub async fn history(actor: Actor, State(app): State<Arc<App>>, Path(id): Path<i64>) -> ApiResult<Json<Value>> {
    Ok(Json(json::history(&app.store.member_history(&actor.access, MemberId(id)).await.map_err(err)?)))
}

/// A member as the API accepts it. Fields have the same names and codes as the response.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MemberBody {
    name: String,
    sex: String,
    ethnicity: String,
    birth_date: String,
    native_place: String,
    id_number: String,
    education: String,
    school: String,
    major: String,
    degree: String,
    occupation: String,
    work_unit: String,
    job_title: String,
    work_started_on: String,
    phone: String,
    address: String,
    joined_on: String,
    full_on: String,
    kind: String,
    floating: bool,
    lost_contact: bool,
    hardship: bool,
    postless: bool,
    since: String,
    reason: String,
}

impl MemberBody {
    fn input(&self) -> MemberInput {
        MemberInput {
            name: self.name.clone(),
            sex: self.sex.clone(),
            ethnicity: if self.ethnicity.is_empty() { "01".into() } else { self.ethnicity.clone() },
            birth_date: self.birth_date.clone(),
            native_place: self.native_place.clone(),
            id_number: self.id_number.clone(),
            education: self.education.clone(),
            school: self.school.clone(),
            major: self.major.clone(),
            degree: self.degree.clone(),
            occupation: self.occupation.clone(),
            work_unit: self.work_unit.clone(),
            job_title: self.job_title.clone(),
            work_started_on: self.work_started_on.clone(),
            phone: self.phone.clone(),
            address: self.address.clone(),
            joined_on: self.joined_on.clone(),
            full_on: self.full_on.clone(),
            kind: self.kind.clone(),
            floating: self.floating,
            lost_contact: self.lost_contact,
            hardship: self.hardship,
            postless: self.postless,
        }
    }
}

pub async fn create(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Body(b): Body<MemberBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    app.store.get_org(&actor.access, OrgId(id)).await.map_err(err)?;
    actor.access.require(actor.access.may_edit_members()).map_err(err)?;
    let fields = b.input().validate(today()).map_err(member_errors)?;
    let since = if b.since.is_empty() {
        today()
    } else {
        date::parse(&b.since).ok_or_else(|| {
            err(crate::AppError::bad_request("member.date_invalid", "组织关系转入日期格式应为 年-月-日"))
        })?
    };
    let new_id = app.store.create_member(&actor.access, OrgId(id), &fields, since, &b.reason).await.map_err(err)?;
    app.refresh().await.map_err(err)?;
    Ok((StatusCode::CREATED, Json(json::member(&app.store.get_member(&actor.access, new_id).await.map_err(err)?))))
}

pub async fn update(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Body(b): Body<MemberBody>,
) -> ApiResult<Json<Value>> {
    app.store.get_member(&actor.access, MemberId(id)).await.map_err(err)?;
    actor.access.require(actor.access.may_edit_members()).map_err(err)?;
    let fields = b.input().validate(today()).map_err(member_errors)?;
    app.store.update_member(&actor.access, MemberId(id), &fields, &b.reason).await.map_err(err)?;
    app.refresh().await.map_err(err)?;
    Ok(Json(json::member(&app.store.get_member(&actor.access, MemberId(id)).await.map_err(err)?)))
}

#[derive(Deserialize)]
pub struct MoveBody {
    org_id: i64,
    #[serde(default)]
    on: String,
    #[serde(default)]
    reason: String,
}

pub async fn relocate(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Body(b): Body<MoveBody>,
) -> ApiResult<Json<Value>> {
    app.store.get_member(&actor.access, MemberId(id)).await.map_err(err)?;
    actor.access.require(actor.access.may_edit_members()).map_err(err)?;
    let on = if b.on.is_empty() {
        today()
    } else {
        date::parse(&b.on)
            .ok_or_else(|| err(crate::AppError::bad_request("member.date_invalid", "日期格式应为 年-月-日")))?
    };
    app.store.move_member(&actor.access, MemberId(id), OrgId(b.org_id), on, &b.reason).await.map_err(err)?;
    app.refresh().await.map_err(err)?;
    Ok(Json(json::member(&app.store.get_member(&actor.access, MemberId(id)).await.map_err(err)?)))
}
