//! `/orgs/{org_id}/warnings`: the early-warning board — for the organization's subtree, which
//! organizations are behind on which organizational-life requirement, how many days are left, and
//! how each requirement stands across the subtree this year.

use super::RequirementView;
use crate::App;
use crate::auth::Actor;
use crate::error::AppError;
use crate::page::{Layout, pager, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use qiangji_domain::org::OrgId;
use qiangji_stats::{DUE_SOON_DAYS, RequirementSummary, Warning, WarningBoard};
use qiangji_store::org::Org;
use qiangji_store::{Access, StoreError};
use std::sync::Arc;

pub const PAGE_SIZE: usize = 100;

/// One warning row: the organization and the requirement.
pub struct WarningRow {
    pub org_id: i64,
    pub org_name: String,
    pub r: RequirementView,
}

/// A summary row with its rates as text.
pub struct SummaryRow {
    pub label: &'static str,
    pub period: &'static str,
    pub current: [u32; 3],
    /// Share of earlier periods of the year met, e.g. "87.5%（7/8）", or "—".
    pub earlier: String,
}

impl SummaryRow {
    fn of(s: &RequirementSummary) -> SummaryRow {
        SummaryRow {
            label: s.kind.label(),
            period: s.period.label(),
            current: s.current,
            earlier: if s.earlier_owed == 0 {
                "—".into()
            } else {
                format!(
                    "{:.1}%（{}/{}）",
                    f64::from(s.earlier_met) * 100.0 / f64::from(s.earlier_owed),
                    s.earlier_met,
                    s.earlier_owed
                )
            },
        }
    }
}

#[derive(Template)]
#[template(path = "warnings.html")]
struct BoardPage<'a> {
    layout: Layout<'a>,
    org: Org,
    on: String,
    orgs: u32,
    due_soon_days: i64,
    summaries: Vec<SummaryRow>,
    total: usize,
    rows: Vec<WarningRow>,
    pages: Vec<(String, usize, bool)>,
}

#[derive(serde::Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    pub offset: usize,
}

/// One page of the warnings, from `offset`, each with its organization's name.
pub async fn warnings_page<'a>(
    app: &App,
    access: &Access,
    board: &'a WarningBoard,
    offset: usize,
) -> Result<Vec<(&'a Warning, String)>, StoreError> {
    let shown: Vec<&Warning> = board.warnings.iter().skip(offset).take(PAGE_SIZE).collect();
    let ids: Vec<OrgId> = shown.iter().map(|b| b.org).collect();
    let names = app.store.org_names(access, &ids).await?;
    Ok(shown.into_iter().map(|b| (b, names.get(&b.org).cloned().unwrap_or_default())).collect())
}

pub async fn page(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Result<Html<String>, AppError> {
    let org = app.store.get_org(&actor.access, OrgId(id)).await?;
    let today = qiangji_domain::date::today();
    let board = app.board(&actor.access, org.id, today).await;
    let rows = warnings_page(&app, &actor.access, &board, q.offset)
        .await?
        .into_iter()
        .map(|(b, org_name)| WarningRow { org_id: b.org.0, org_name, r: RequirementView::of(&b.requirement) })
        .collect();
    let view = BoardPage {
        layout: Layout::new(format!("预警：{}", org.fields.name), &actor),
        org,
        on: today.to_string(),
        orgs: board.orgs,
        due_soon_days: DUE_SOON_DAYS,
        summaries: board.summaries.iter().map(SummaryRow::of).collect(),
        total: board.warnings.len(),
        rows,
        pages: pager(board.warnings.len(), q.offset, PAGE_SIZE),
    };
    Ok(Html(render(&view)))
}
