//! `/orgs/{org_id}/stats?on=…&<condition>&rows=…&cols=…`: the statistics page of a subtree.

use super::grid::Grid;
use super::{Question, chart, cross_grid, member_grids, note, org_grids, share};
use crate::App;
use crate::auth::Actor;
use crate::error::AppError;
use crate::page::{Layout, render};
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::Html;
use qiangji_domain::org::OrgId;
use qiangji_stats::Dim;
use qiangji_store::org::Org;
use std::sync::Arc;

/// A table cell: count, share, and the address of the members behind it.
pub struct Cell {
    pub label: String,
    pub count: u64,
    pub percent: f64,
    pub link: Option<String>,
}

pub struct Table {
    pub code: &'static str,
    pub title: String,
    pub cells: Vec<Cell>,
    pub chart: String,
}

/// A count and the address of its members (none when the cell contradicts the condition).
pub type Linked = (u64, Option<String>);

/// The cross tabulation as shown: rows of (label, linked cells, row total).
pub struct Cross {
    pub grid: Grid,
    pub rows: Vec<(String, Vec<Linked>, u64)>,
    pub column_totals: Vec<u64>,
    pub chart: String,
}

/// A dimension in the filter form.
pub struct Choice {
    pub code: &'static str,
    pub label: &'static str,
    pub values: Vec<(&'static str, &'static str, bool)>,
}

#[derive(Template)]
#[template(path = "org_stats.html")]
struct StatsPage<'a> {
    layout: Layout<'a>,
    org: Org,
    q: Question,
    query: String,
    condition: String,
    total: u64,
    members: Vec<Table>,
    orgs: Vec<(String, Vec<(String, u64)>)>,
    org_total: u32,
    cross: Option<Cross>,
    choices: Vec<Choice>,
    dims: Vec<(&'static str, &'static str)>,
}

fn drill(org: &Org, q: &Question, cell: &[(&'static str, &'static str)]) -> Option<String> {
    q.narrowed(cell).map(|query| format!("/orgs/{}/stats/members?{query}", org.id.0))
}

pub async fn page(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    RawQuery(raw): RawQuery,
) -> Result<Html<String>, AppError> {
    let org = app.store.get_org(&actor.access, OrgId(id)).await?;
    let q = Question::parse(raw.as_deref(), &[])?;
    let (tally, org_tally, cross) = {
        let engine = app.engine.read().await;
        let cross = q.cross.map(|(r, c)| engine.crosstab(&actor.access, org.id, q.on, r, c, &q.cond));
        (engine.tally(&actor.access, org.id, q.on, &q.cond), engine.org_tally(&actor.access, org.id, q.on), cross)
    };
    let note = note(&org.fields.name, &q);
    let total = u64::from(tally.total);
    let members = member_grids(&tally, &note)
        .into_iter()
        .map(|(dim, grid)| {
            let codes = dim.values();
            let cells = grid
                .rows
                .iter()
                .zip(&codes)
                .map(|(row, &(code, _))| Cell {
                    label: row.label.clone(),
                    count: row.cells[0],
                    percent: share(row.cells[0], total),
                    link: drill(&org, &q, &[(dim.code(), code)]),
                })
                .collect();
            Table { code: dim.code(), title: grid.title.clone(), chart: chart::bars(&grid), cells }
        })
        .collect();
    let orgs = org_grids(&org_tally, &note)
        .into_iter()
        .map(|g| (g.title.clone(), g.rows.iter().map(|r| (r.label.clone(), r.cells[0])).collect()))
        .collect();
    let cross = cross.map(|x| {
        let grid = cross_grid(&x, &note);
        let (rv, cv) = (x.rows.values(), x.columns.values());
        let rows = grid
            .rows
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let cells = row
                    .cells
                    .iter()
                    .enumerate()
                    .map(|(j, &n)| (n, drill(&org, &q, &[(x.rows.code(), rv[i].0), (x.columns.code(), cv[j].0)])))
                    .collect();
                (row.label.clone(), cells, grid.row_total(i))
            })
            .collect();
        let column_totals = (0..grid.columns.len()).map(|j| grid.column_total(j)).collect();
        Cross { chart: chart::stacked(&grid), rows, column_totals, grid }
    });
    let choices = Dim::ALL
        .iter()
        .map(|&d| Choice {
            code: d.code(),
            label: d.label(),
            values: d.values().into_iter().map(|(c, l)| (c, l, q.has(d.code(), c))).collect(),
        })
        .collect();
    let page = StatsPage {
        layout: Layout::new(format!("统计：{}", org.fields.name), &actor),
        query: q.query(&[]),
        condition: q.describe(),
        total,
        members,
        orgs,
        org_total: org_tally.total,
        cross,
        choices,
        dims: Dim::ALL.iter().map(|d| (d.code(), d.label())).collect(),
        org,
        q,
    };
    Ok(Html(render(&page)))
}
