//! Statistics pages: the bulletin tables of a subtree as of a date.

pub mod show;

use qiangji_domain::member::{AgeBand, Education, JoinPeriod, MemberKind, Occupation, Sex};
use qiangji_stats::Tally;

/// One table: a title and rows of (label, count, share of the total in percent).
pub struct Table {
    pub title: &'static str,
    pub rows: Vec<(&'static str, u32, f64)>,
}

fn rows<T: Copy>(all: &[T], label: fn(T) -> &'static str, counts: &[u32], total: u32) -> Vec<(&'static str, u32, f64)> {
    all.iter().zip(counts).map(|(v, &n)| (label(*v), n, share(n, total))).collect()
}

pub fn share(n: u32, total: u32) -> f64 {
    if total == 0 { 0.0 } else { f64::from(n) * 100.0 / f64::from(total) }
}

/// The tables of the annual bulletin, in its order.
pub fn tables(t: &Tally) -> Vec<Table> {
    let n = t.total;
    let han = n - t.minority;
    vec![
        Table { title: "党员类别", rows: rows(MemberKind::ALL, MemberKind::label, &t.kind, n) },
        Table { title: "性别", rows: rows(Sex::ALL, Sex::label, &t.sex, n) },
        Table {
            title: "民族",
            rows: vec![("汉族", han, share(han, n)), ("少数民族", t.minority, share(t.minority, n))],
        },
        Table { title: "学历", rows: rows(Education::ALL, Education::label, &t.education, n) },
        Table { title: "年龄", rows: rows(AgeBand::ALL, AgeBand::label, &t.age_band, n) },
        Table { title: "入党时间", rows: rows(JoinPeriod::ALL, JoinPeriod::label, &t.join_period, n) },
        Table { title: "职业", rows: rows(Occupation::ALL, Occupation::label, &t.occupation, n) },
    ]
}
