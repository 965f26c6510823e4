//! `/orgs/{org_id}/host-entities`: the registry of host entities of the organization's area
//! (itself and its subtree), filtered by name or credit code and kind, paged; its download; and
//! the form to register an entity here.

use super::HostEntityForm;
use crate::App;
use crate::auth::Actor;
use crate::error::{AppError, refusal};
use crate::export::{Cell, Column, FormatQuery, TableWriter, attachment, check_fits};
use crate::page::{Layout, pager, render};
use crate::scoped;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use qiangji_domain::host_entity::{EntityStatus, HostEntityError, HostEntityKind};
use qiangji_domain::org::OrgId;
use qiangji_store::host_entity::{HostEntity, HostEntityFilter};
use qiangji_store::org::Org;
use qiangji_store::{Access, StoreError};
use serde::Deserialize;
use std::sync::Arc;

/// Entities on a page.
pub const PAGE_SIZE: i64 = 50;

/// The list's filters: `q` (name or credit code), `kind`, `offset`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    pub q: String,
    pub kind: String,
    pub offset: i64,
}

impl ListQuery {
    pub fn filter(&self, limit: Option<i64>) -> Result<HostEntityFilter, StoreError> {
        let kind = match self.kind.trim() {
            "" => None,
            k => Some(
                HostEntityKind::parse(k)
                    .map_err(|_| HostEntityError::UnknownCode { field: "类型", value: k.to_owned() })?,
            ),
        };
        Ok(HostEntityFilter { q: self.q.clone(), kind, offset: self.offset.max(0), limit })
    }
}

#[derive(Template)]
#[template(path = "host_entities.html")]
struct ListPage<'a> {
    layout: Layout<'a>,
    org: Org,
    items: Vec<HostEntity>,
    total: i64,
    q: String,
    kind: String,
    kinds: &'static [HostEntityKind],
    pages: Vec<(String, usize, bool)>,
    query: String,
}

pub async fn page(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let org = app.store.get_org(&actor.access, OrgId(id)).await?;
    let list = app.store.list_host_entities(&actor.access, org.id, &q.filter(Some(PAGE_SIZE))?).await?;
    let query = serde_urlencoded::to_string([("q", q.q.as_str()), ("kind", q.kind.as_str())]).unwrap_or_default();
    let page = ListPage {
        layout: Layout::new(format!("两新组织 · {}", org.fields.name), &actor),
        pages: pager(list.total as usize, q.offset.max(0) as usize, PAGE_SIZE as usize),
        org,
        total: list.total,
        items: list.items,
        q: q.q,
        kind: q.kind,
        kinds: HostEntityKind::ALL,
        query,
    };
    Ok(Html(render(&page)).into_response())
}

/// `GET /orgs/{org_id}/host-entities/export?format=xlsx|csv&encoding=utf8|gbk` with the list's
/// filters: every matching entity, not only a page.
pub async fn export(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
    Query(f): Query<FormatQuery>,
) -> Result<Response, AppError> {
    let format = f.file_format()?;
    let org = app.store.get_org(&actor.access, OrgId(id)).await?;
    let list = app.store.list_host_entities(&actor.access, org.id, &q.filter(None)?).await?;
    check_fits(format, list.items.len())?;
    let today = qiangji_domain::date::today();
    let spec = [
        ("统一社会信用代码", 18),
        ("名称", 24),
        ("类型", 8),
        ("成立日期", 10),
        ("法定代表人", 8),
        ("住所", 24),
        ("从业人员数", 6),
        ("登记状态", 8),
        ("党组织", 24),
        ("所在台账", 24),
        ("待核实", 20),
    ];
    let cols: Vec<Column> = spec.iter().map(|(t, w)| Column::new(*t, *w)).collect();
    let mut w = TableWriter::new(format);
    w.table("两新组织台账", &format!("{}及下级组织 · 截至{today} · 共{}个", org.fields.name, list.total), &cols)?;
    for e in &list.items {
        let f = &e.fields;
        w.row(&[
            f.credit_code.as_str().into(),
            f.name.as_str().into(),
            f.kind.label().into(),
            f.registered_on.map(|d| d.to_string()).unwrap_or_default().into(),
            f.legal_rep.as_str().into(),
            f.address.as_str().into(),
            f.employees.map_or(Cell::from(""), Cell::Number),
            f.status.label().into(),
            e.party_org_name.as_str().into(),
            e.org_name.as_str().into(),
            e.check_note.as_str().into(),
        ])?;
    }
    Ok(attachment(w.finish()?, format, &format!("{}两新组织{today}", org.fields.name)))
}

#[derive(Template)]
#[template(path = "host_entity_form.html")]
pub(super) struct FormPage<'a> {
    pub layout: Layout<'a>,
    pub org_id: i64,
    pub org_name: String,
    /// None on the create form.
    pub entity: Option<HostEntity>,
    pub form: HostEntityForm,
    pub action: String,
    pub kinds: &'static [HostEntityKind],
    pub statuses: &'static [EntityStatus],
    pub error: Option<(&'static str, String)>,
    pub today: String,
}

pub(super) fn form_page(page: FormPage) -> Response {
    let status = if page.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    (status, Html(render(&page))).into_response()
}

fn new_page(actor: &Actor, org: &Org, form: HostEntityForm, error: Option<(&'static str, String)>) -> Response {
    form_page(FormPage {
        layout: Layout::new(format!("登记两新组织 · {}", org.fields.name), actor),
        org_id: org.id.0,
        org_name: org.fields.name.clone(),
        entity: None,
        form,
        action: format!("/orgs/{}/host-entities/new", org.id.0),
        kinds: HostEntityKind::ALL,
        statuses: EntityStatus::ALL,
        error,
        today: qiangji_domain::date::today().to_string(),
    })
}

pub async fn new_form(actor: Actor, State(app): State<Arc<App>>, Path(id): Path<i64>) -> Result<Response, AppError> {
    let org = scoped::org(&app, &actor, id, Access::may_edit_members).await?;
    let form = HostEntityForm { kind: HostEntityKind::Enterprise.code().into(), ..Default::default() };
    Ok(new_page(&actor, &org, form, None))
}

/// Registers one entity under `org`.
pub async fn create_one(app: &App, access: &Access, org: &Org, form: &HostEntityForm) -> Result<i64, StoreError> {
    let fields = form.input().validate(qiangji_domain::date::today())?;
    let ids = app.store.create_host_entities(access, org.id, std::slice::from_ref(&fields), &form.reason).await?;
    Ok(ids[0].0)
}

pub async fn create(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<HostEntityForm>,
) -> Result<Response, AppError> {
    let org = scoped::org(&app, &actor, id, Access::may_edit_members).await?;
    match create_one(&app, &actor.access, &org, &form).await {
        Ok(new) => Ok(Redirect::to(&format!("/host-entities/{new}")).into_response()),
        Err(e) => Ok(new_page(&actor, &org, form, Some(refusal(e)?))),
    }
}
