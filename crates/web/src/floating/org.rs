//! `/orgs/{org_id}/floating`: the subtree's members who are out (where, since when, last contact,
//! warnings) and the people its organizations host; the form to register an inflow here, and
//! ending an inflow.

use super::{Row, act_on_org, row};
use crate::App;
use crate::auth::Actor;
use crate::error::AppError;
use crate::page::{Layout, render};
use crate::payload::FloatingPayload;
use crate::scoped;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use qiangji_domain::floating::{Direction, EndReason};
use qiangji_domain::org::OrgId;
use qiangji_store::org::Org;
use qiangji_store::{Access, StoreError};
use std::sync::Arc;

#[derive(Template)]
#[template(path = "floating_org.html")]
struct OrgPage<'a> {
    layout: Layout<'a>,
    org: Org,
    outflows: Vec<Row>,
    inflows: Vec<Row>,
    /// Marked 流动 without an open outflow: (member id, name, org id, org name).
    unregistered: Vec<(i64, String, i64, String)>,
    may_edit: bool,
    input: FloatingPayload,
    alert: Option<(&'static str, String)>,
    end_reasons: &'static [EndReason],
    today: String,
}

async fn render_page(
    app: &App,
    actor: &Actor,
    org: Org,
    input: FloatingPayload,
    alert: Option<(&'static str, String)>,
) -> Result<Response, AppError> {
    let today = qiangji_domain::date::today();
    let regs = app.store.list_floating(&actor.access, org.id, false).await?;
    let (outflows, inflows): (Vec<_>, Vec<_>) = regs.iter().partition(|r| r.direction == Direction::Outflow);
    let unregistered = app
        .store
        .list_unregistered_floating(&actor.access, org.id)
        .await?
        .into_iter()
        .map(|(m, name, o, org_name)| (m.0, name, o.0, org_name))
        .collect();
    let status = if alert.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let view = OrgPage {
        layout: Layout::new(format!("流动党员 · {}", org.fields.name), actor),
        outflows: outflows.into_iter().map(|r| row(r, today)).collect(),
        inflows: inflows.into_iter().map(|r| row(r, today)).collect(),
        unregistered,
        may_edit: actor.access.may_edit_members(),
        org,
        input,
        alert,
        end_reasons: EndReason::ALL,
        today: today.to_string(),
    };
    Ok((status, Html(render(&view))).into_response())
}

pub async fn page(actor: Actor, State(app): State<Arc<App>>, Path(id): Path<i64>) -> Result<Response, AppError> {
    let org = app.store.get_org(&actor.access, OrgId(id)).await?;
    render_page(&app, &actor, org, FloatingPayload::default(), None).await
}

pub async fn submit(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    axum::Form(p): axum::Form<FloatingPayload>,
) -> Result<Response, AppError> {
    let org = scoped::org(&app, &actor, id, Access::may_edit_members).await?;
    match act_on_org(&app, &actor.access, &org, &p).await {
        Ok(_) => Ok(Redirect::to(&format!("/orgs/{id}/floating")).into_response()),
        Err(e @ (StoreError::Floating(_) | StoreError::Invalid(_) | StoreError::Org(_))) => {
            render_page(&app, &actor, org, p, Some((e.code(), e.to_string()))).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /orgs/{org_id}/floating/export?format=xlsx|csv&encoding=utf8|gbk`: the page's two tables,
/// members out (流出) and people hosted (流入), a worksheet each. Identity numbers masked as on
/// the page (the store masks them).
pub async fn export(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    axum::extract::Query(f): axum::extract::Query<crate::export::FormatQuery>,
) -> Result<Response, AppError> {
    use crate::export::{Cell, Column, TableWriter};
    let format = f.file_format()?;
    let org = app.store.get_org(&actor.access, OrgId(id)).await?;
    let today = qiangji_domain::date::today();
    let regs = app.store.list_floating(&actor.access, org.id, false).await?;
    let (outflows, inflows): (Vec<_>, Vec<_>) = regs.iter().partition(|r| r.direction == Direction::Outflow);
    let cols = |spec: &[(&str, usize)]| spec.iter().map(|(t, w)| Column::new(*t, *w)).collect::<Vec<_>>();
    let mut w = TableWriter::new(format);
    let note = |n: usize| format!("{}及下级组织 · 截至{today} · 共{n}人", org.fields.name);
    w.table(
        "流出党员",
        &note(outflows.len()),
        &cols(&[
            ("党员", 8),
            ("所在组织", 30),
            ("流入地", 16),
            ("单位", 20),
            ("外出原因", 8),
            ("外出日期", 10),
            ("预计返回", 10),
            ("最近联系", 10),
            ("活动证", 10),
            ("提示", 20),
        ]),
    )?;
    for r in outflows.into_iter().map(|r| row(r, today)) {
        let warnings: Vec<&str> = r.warnings.iter().map(|w| w.label()).collect();
        w.row(&[
            Cell::from(r.name),
            r.org_name.into(),
            r.place.into(),
            r.unit.into(),
            r.reason.into(),
            r.since.into(),
            r.expected_return.into(),
            r.last_contact.into(),
            r.activity_card.into(),
            warnings.join("；").into(),
        ])?;
    }
    w.table(
        "流入党员",
        &note(inflows.len()),
        &cols(&[
            ("姓名", 8),
            ("身份证号", 18),
            ("原所在党组织", 30),
            ("来自", 16),
            ("流入组织", 30),
            ("现单位", 20),
            ("流入日期", 10),
        ]),
    )?;
    for r in inflows.into_iter().map(|r| row(r, today)) {
        w.row(&[
            Cell::from(r.name),
            r.id_number.into(),
            r.reason.into(),
            r.place.into(),
            r.org_name.into(),
            r.unit.into(),
            r.since.into(),
        ])?;
    }
    let body = w.finish()?;
    Ok(crate::export::attachment(body, format, &format!("{}流动党员{today}", org.fields.name)))
}
