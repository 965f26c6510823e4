//! `/orgs/{org_id}/reminders`: the outbox of an organization's subtree for its officers — every
//! reminder, and per channel whether it was delivered, how often it was tried and what went wrong.

use crate::App;
use crate::auth::Actor;
use crate::error::AppError;
use crate::orglife::board::PageQuery;
use crate::page::{Layout, local_time, pager, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use qiangji_domain::org::OrgId;
use qiangji_store::org::Org;
use qiangji_store::reminder::{DeliveryStatus, Outbox};
use std::sync::Arc;

pub const PAGE_SIZE: i64 = 50;

/// One delivery as shown.
pub struct DeliveryView {
    pub channel: &'static str,
    pub recipient: String,
    pub status: &'static str,
    pub status_code: &'static str,
    pub attempts: i64,
    pub last_error: String,
    /// When it was delivered, or when it is next tried.
    pub when: String,
}

pub struct ReminderView {
    pub org_id: i64,
    pub org_name: String,
    pub title: String,
    pub stage: &'static str,
    pub due_on: String,
    pub created: String,
    pub deliveries: Vec<DeliveryView>,
}

#[derive(Template)]
#[template(path = "reminders.html")]
struct OutboxPage<'a> {
    layout: Layout<'a>,
    org: Org,
    total: i64,
    without_phone: i64,
    without_email: i64,
    rows: Vec<ReminderView>,
    pages: Vec<(String, usize, bool)>,
}

fn views(outbox: Outbox) -> Vec<ReminderView> {
    outbox
        .rows
        .into_iter()
        .map(|r| ReminderView {
            org_id: r.org_id.0,
            org_name: r.org_name,
            title: r.title,
            stage: r.stage.label(),
            due_on: r.due_on.to_string(),
            created: local_time(&r.created_at),
            deliveries: r
                .deliveries
                .into_iter()
                .map(|d| DeliveryView {
                    channel: d.channel.label(),
                    recipient: d.recipient,
                    status: d.status.label(),
                    status_code: d.status.code(),
                    attempts: d.attempts,
                    last_error: d.last_error,
                    when: match (d.status, d.delivered_at) {
                        (DeliveryStatus::Delivered, Some(at)) => local_time(&at),
                        _ => format!("下次：{}", local_time(&d.next_attempt_at)),
                    },
                })
                .collect(),
        })
        .collect()
}

pub async fn page(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Result<Html<String>, AppError> {
    let outbox = app.store.list_outbox(&actor.access, OrgId(id), q.offset as i64, PAGE_SIZE).await?;
    let org = app.store.get_org(&actor.access, OrgId(id)).await?;
    let view = OutboxPage {
        layout: Layout::new(format!("提醒发送记录：{}", org.fields.name), &actor),
        org,
        total: outbox.total,
        without_phone: outbox.without_phone,
        without_email: outbox.without_email,
        pages: pager(outbox.total as usize, q.offset, PAGE_SIZE as usize),
        rows: views(outbox),
    };
    Ok(Html(render(&view)))
}
