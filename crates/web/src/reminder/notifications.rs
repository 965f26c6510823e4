//! `/notifications`: the reminders the logged-in user received, newest first, each linking to its
//! organization's 组织生活 page; marking one read.

use crate::App;
use crate::auth::Actor;
use crate::error::AppError;
use crate::orglife::board::PageQuery;
use crate::page::{Layout, local_time, pager, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use qiangji_store::reminder::Notification;
use std::sync::Arc;

pub const PAGE_SIZE: i64 = 50;

/// A notification as shown.
pub struct NotificationRow {
    pub n: Notification,
    pub received: String,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage<'a> {
    layout: Layout<'a>,
    total: i64,
    unread: i64,
    rows: Vec<NotificationRow>,
    pages: Vec<(String, usize, bool)>,
}

pub async fn page(
    actor: Actor,
    State(app): State<Arc<App>>,
    Query(q): Query<PageQuery>,
) -> Result<Html<String>, AppError> {
    let list = app.store.list_notifications(&actor.access, q.offset as i64, PAGE_SIZE).await?;
    let rows = list.items.into_iter().map(|n| NotificationRow { received: local_time(&n.created_at), n }).collect();
    let view = NotificationsPage {
        layout: Layout::new("提醒", &actor),
        total: list.total,
        unread: list.unread,
        rows,
        pages: pager(list.total as usize, q.offset, PAGE_SIZE as usize),
    };
    Ok(Html(render(&view)))
}

pub async fn read(actor: Actor, State(app): State<Arc<App>>, Path(id): Path<i64>) -> Result<Response, AppError> {
    app.store.mark_notification_read(&actor.access, id, chrono::Utc::now()).await?;
    Ok(Redirect::to("/notifications").into_response())
}
