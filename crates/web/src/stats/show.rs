//! `/orgs/{org_id}/stats?on=YYYY-MM-DD`: the bulletin tables of the subtree as of a date.

use super::{Table, tables};
use crate::App;
use crate::auth::Actor;
use crate::error::AppError;
use crate::page::{Layout, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use qiangji_domain::Date;
use qiangji_domain::date::{self, today};
use qiangji_domain::org::OrgId;
use qiangji_stats::Condition;
use qiangji_store::org::Org;
use serde::Deserialize;
use std::sync::Arc;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StatsQuery {
    pub on: String,
}

impl StatsQuery {
    /// The date asked for: today when absent; a malformed or future date is an error, not a silent today.
    pub fn date(&self) -> Result<Date, AppError> {
        match self.on.trim() {
            "" => Ok(today()),
            s => match date::parse(s) {
                Some(d) if d <= today() => Ok(d),
                Some(_) => Err(AppError::bad_request("stats.date_in_future", "统计日期不能晚于今天")),
                None => Err(AppError::bad_request("stats.date_invalid", "统计日期格式应为 年-月-日")),
            },
        }
    }
}

#[derive(Template)]
#[template(path = "org_stats.html")]
struct StatsPage<'a> {
    layout: Layout<'a>,
    org: Org,
    on: Date,
    /// Cells link to the member list only for today: the list is today's roster.
    drill_down: bool,
    total: u32,
    tables: Vec<Table>,
}

pub async fn page(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Query(q): Query<StatsQuery>,
) -> Result<Html<String>, AppError> {
    let org = app.store.get_org(&actor.access, OrgId(id)).await?;
    let on = q.date()?;
    let tally = app.engine.read().await.tally(&actor.access, org.id, on, &Condition::all());
    let page = StatsPage {
        layout: Layout::new(format!("统计：{}", org.fields.name), &actor),
        org,
        on,
        drill_down: on == today(),
        total: tally.total,
        tables: tables(&tally),
    };
    Ok(Html(render(&page)))
}
