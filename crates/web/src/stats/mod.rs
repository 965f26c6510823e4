//! Statistics pages: the bulletin tables of a subtree as of a date.

// Exports and charts of the tables; not yet behind a route.
#[cfg_attr(not(test), expect(dead_code, reason = "not yet wired into a route"))]
pub mod chart;
#[cfg_attr(not(test), expect(dead_code, reason = "not yet wired into a route"))]
pub mod export;
#[cfg_attr(not(test), expect(dead_code, reason = "not yet wired into a route"))]
pub mod grid;
pub mod show;

use qiangji_stats::{Dim, Tally};

/// One table: a title and its rows.
pub struct Table {
    pub title: &'static str,
    pub rows: Vec<Row>,
}

/// A row: label, count, share of the total in percent, and the member-list filter that lists
/// exactly these members today (`sex=female`), where the list has such a filter.
pub struct Row {
    pub label: &'static str,
    pub count: u32,
    pub percent: f64,
    pub filter: Option<String>,
}

/// Dimensions the member list can filter by, so a cell of today's table can link to its members.
const LISTABLE: [Dim; 4] = [Dim::Kind, Dim::Sex, Dim::Education, Dim::AgeBand];

pub fn share(n: u32, total: u32) -> f64 {
    if total == 0 { 0.0 } else { f64::from(n) * 100.0 / f64::from(total) }
}

/// The tables of the annual bulletin, in its order.
pub fn tables(t: &Tally) -> Vec<Table> {
    Dim::ALL
        .iter()
        .map(|&dim| Table {
            title: dim.label(),
            rows: dim
                .values()
                .into_iter()
                .zip(t.by(dim))
                .map(|((code, label), &count)| Row {
                    label,
                    count,
                    percent: share(count, t.total),
                    filter: LISTABLE.contains(&dim).then(|| format!("{}={code}", dim.code())),
                })
                .collect(),
        })
        .collect()
}
