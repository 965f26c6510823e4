//! Statistics pages: the bulletin tables of a subtree as of a date.

// Exports and charts of the tables; not yet behind a route.
#[cfg_attr(not(test), expect(dead_code, reason = "not yet wired into a route"))]
pub mod chart;
#[cfg_attr(not(test), expect(dead_code, reason = "not yet wired into a route"))]
pub mod export;
#[cfg_attr(not(test), expect(dead_code, reason = "not yet wired into a route"))]
pub mod grid;
pub mod show;

use qiangji_domain::member::{AgeBand, Education, JoinPeriod, MemberKind, Occupation, Sex};
use qiangji_stats::Tally;

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

/// A member-list query key and how to spell a value for it (`("sex", Sex::code)`).
type Filter<T> = (&'static str, fn(T) -> &'static str);

fn rows<T: Copy>(
    all: &[T],
    label: fn(T) -> &'static str,
    counts: &[u32],
    total: u32,
    filter: Option<Filter<T>>,
) -> Vec<Row> {
    all.iter()
        .zip(counts)
        .map(|(v, &n)| Row {
            label: label(*v),
            count: n,
            percent: share(n, total),
            filter: filter.map(|(key, code)| format!("{key}={}", code(*v))),
        })
        .collect()
}

fn plain(label: &'static str, count: u32, total: u32) -> Row {
    Row { label, count, percent: share(count, total), filter: None }
}

pub fn share(n: u32, total: u32) -> f64 {
    if total == 0 { 0.0 } else { f64::from(n) * 100.0 / f64::from(total) }
}

/// The tables of the annual bulletin, in its order.
pub fn tables(t: &Tally) -> Vec<Table> {
    let n = t.total;
    let han = n - t.minority;
    vec![
        Table {
            title: "党员类别",
            rows: rows(MemberKind::ALL, MemberKind::label, &t.kind, n, Some(("kind", MemberKind::code))),
        },
        Table { title: "性别", rows: rows(Sex::ALL, Sex::label, &t.sex, n, Some(("sex", Sex::code))) },
        Table { title: "民族", rows: vec![plain("汉族", han, n), plain("少数民族", t.minority, n)] },
        Table {
            title: "学历",
            rows: rows(Education::ALL, Education::label, &t.education, n, Some(("education", Education::code))),
        },
        Table {
            title: "年龄",
            rows: rows(AgeBand::ALL, AgeBand::label, &t.age_band, n, Some(("age_band", AgeBand::code))),
        },
        Table { title: "入党时间", rows: rows(JoinPeriod::ALL, JoinPeriod::label, &t.join_period, n, None) },
        Table { title: "职业", rows: rows(Occupation::ALL, Occupation::label, &t.occupation, n, None) },
    ]
}
