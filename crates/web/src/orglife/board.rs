//! `/orgs/{org_id}/warnings`: the early-warning board — for the organization's subtree, which
//! organizations are behind on which organizational-life requirement, how many days are left, and
//! how each requirement stands across the subtree this year; which organizations are set up
//! against the 支部工作条例 or due for 换届; which members have gone months without
//! organizational life.

use super::RequirementView;
use crate::App;
use crate::auth::Actor;
use crate::error::AppError;
use crate::page::{Layout, pager, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use qiangji_domain::member::MemberId;
use qiangji_domain::org::{Advisory, OrgId};
use qiangji_domain::orglife::AbsenceLevel;
use qiangji_stats::{DUE_SOON_DAYS, RequirementSummary, Warning, WarningBoard};
use qiangji_store::org::Org;
use qiangji_store::{Access, StoreError};
use std::collections::HashMap;
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

/// What the board shows: the organizations behind on requirements, the organizations set up
/// against the 支部工作条例 or due for 换届, or the members on an absence streak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum View {
    Structure,
    Absence,
    /// Also any view the board does not know: a stale or mistyped link shows the main view.
    #[default]
    #[serde(other)]
    Requirements,
}

impl View {
    pub fn code(self) -> &'static str {
        match self {
            View::Requirements => "requirements",
            View::Structure => "structure",
            View::Absence => "absence",
        }
    }

    pub fn total(self, board: &WarningBoard) -> usize {
        match self {
            View::Requirements => board.warnings.len(),
            View::Structure => board.advisories.len(),
            View::Absence => board.absences.len(),
        }
    }
}

#[derive(serde::Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    pub offset: usize,
    #[serde(default)]
    pub view: View,
}

/// One organization's advisory, with the organization's name.
pub struct AdvisoryRow<'a> {
    pub org_id: i64,
    pub org_name: String,
    pub advisory: &'a Advisory,
}

/// One member on an absence streak, with names.
pub struct AbsenceRow {
    pub member_id: i64,
    pub member_name: String,
    pub org_id: i64,
    pub org_name: String,
    pub months: u32,
    pub level_code: &'static str,
    pub level: &'static str,
}

/// One page of one view of the board, from `offset`, with names.
pub enum Items<'a> {
    Requirements(Vec<(&'a Warning, String)>),
    Structure(Vec<AdvisoryRow<'a>>),
    Absence(Vec<AbsenceRow>),
}

/// The page of `view` from `offset`, each row with its organization's (and member's) name.
pub async fn items<'a>(
    app: &App,
    access: &Access,
    board: &'a WarningBoard,
    view: View,
    offset: usize,
) -> Result<Items<'a>, StoreError> {
    let page = offset..offset.saturating_add(PAGE_SIZE);
    let at = |len: usize| page.start.min(len)..page.end.min(len);
    let orgs: Vec<OrgId> = match view {
        View::Requirements => board.warnings[at(board.warnings.len())].iter().map(|w| w.org).collect(),
        View::Structure => board.advisories[at(board.advisories.len())].iter().map(|a| a.0).collect(),
        View::Absence => board.absences[at(board.absences.len())].iter().map(|a| a.org).collect(),
    };
    let names = app.store.org_names(access, &orgs).await?;
    let name = |o: OrgId| names.get(&o).cloned().unwrap_or_default();
    Ok(match view {
        View::Requirements => {
            Items::Requirements(board.warnings[at(board.warnings.len())].iter().map(|w| (w, name(w.org))).collect())
        }
        View::Structure => Items::Structure(
            board.advisories[at(board.advisories.len())]
                .iter()
                .map(|(o, advisory)| AdvisoryRow { org_id: o.0, org_name: name(*o), advisory })
                .collect(),
        ),
        View::Absence => {
            let shown = &board.absences[at(board.absences.len())];
            let ids: Vec<MemberId> = shown.iter().map(|a| a.member).collect();
            let members: HashMap<MemberId, String> =
                app.store.member_summaries(access, &ids).await?.into_iter().map(|m| (m.id, m.name)).collect();
            Items::Absence(
                shown
                    .iter()
                    .map(|a| AbsenceRow {
                        member_id: a.member.0,
                        member_name: members.get(&a.member).cloned().unwrap_or_default(),
                        org_id: a.org.0,
                        org_name: name(a.org),
                        months: a.months,
                        level_code: a.level.code(),
                        level: a.level.label(),
                    })
                    .collect(),
            )
        }
    })
}

/// Members on a streak of each level (code, span in words, count): 3–4, 5, 6 months or more.
pub fn absence_levels(board: &WarningBoard) -> Vec<(&'static str, &'static str, usize)> {
    AbsenceLevel::ALL
        .iter()
        .map(|&l| {
            let span = match l {
                AbsenceLevel::ThreeMonths => "3–4个月",
                AbsenceLevel::FiveMonths => "5个月",
                AbsenceLevel::SixMonths => "6个月及以上",
            };
            (l.code(), span, board.absences.iter().filter(|a| a.level == l).count())
        })
        .collect()
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
    view: &'static str,
    /// Items of each view: requirements, structure, absence.
    totals: [usize; 3],
    absence_levels: Vec<(&'static str, &'static str, usize)>,
    requirements: Vec<WarningRow>,
    structure: Vec<AdvisoryRow<'a>>,
    absence: Vec<AbsenceRow>,
    pages: Vec<(String, usize, bool)>,
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
    let (mut requirements, mut structure, mut absence) = (Vec::new(), Vec::new(), Vec::new());
    match items(&app, &actor.access, &board, q.view, q.offset).await? {
        Items::Requirements(rows) => {
            requirements = rows
                .into_iter()
                .map(|(w, org_name)| WarningRow { org_id: w.org.0, org_name, r: RequirementView::of(&w.requirement) })
                .collect()
        }
        Items::Structure(rows) => structure = rows,
        Items::Absence(rows) => absence = rows,
    }
    let view = BoardPage {
        layout: Layout::new(format!("预警：{}", org.fields.name), &actor),
        org,
        on: today.to_string(),
        orgs: board.orgs,
        due_soon_days: DUE_SOON_DAYS,
        summaries: board.summaries.iter().map(SummaryRow::of).collect(),
        view: q.view.code(),
        totals: [View::Requirements, View::Structure, View::Absence].map(|v| v.total(&board)),
        absence_levels: absence_levels(&board),
        requirements,
        structure,
        absence,
        pages: pager(q.view.total(&board), q.offset, PAGE_SIZE),
    };
    Ok(Html(render(&view)))
}
