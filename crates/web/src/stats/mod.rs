//! Statistics pages: for an organization and an "as of" date, the bulletin tables of its members
//! under any condition, its organizations, a cross tabulation of any two dimensions, charts, the
//! members behind every number, and downloads of every table (xlsx, CSV in UTF-8 or GBK).

pub mod chart;
pub mod download;
pub mod drill;
pub mod export;
pub mod grid;
pub mod show;

use crate::error::AppError;
use grid::{Grid, GridRow};
use qiangji_domain::Date;
use qiangji_domain::date::{self, today};
use qiangji_domain::org::{OrgKind, Sector, SizeBand};
use qiangji_stats::{Condition, CrossTab, Dim, OrgTally, Tally};

/// A statistics question as a query string: `on=2025-12-31&sex=female&education=university&
/// education=college&rows=age_band&cols=education`. Repeated values of one dimension are
/// alternatives; different dimensions must all hold.
#[derive(Debug, Clone)]
pub struct Question {
    pub on: Date,
    pub cond: Condition,
    /// The condition as `(dimension code, value code)` pairs, for links and forms.
    pub terms: Vec<(&'static str, &'static str)>,
    pub cross: Option<(Dim, Dim)>,
}

fn parse_date(s: &str) -> Result<Date, AppError> {
    match s.trim() {
        "" => Ok(today()),
        s => match date::parse(s) {
            Some(d) if d <= today() => Ok(d),
            Some(_) => Err(AppError::bad_request("stats.date_in_future", "统计日期不能晚于今天")),
            None => Err(AppError::bad_request("stats.date_invalid", "统计日期格式应为 年-月-日")),
        },
    }
}

fn parse_dim(s: &str) -> Result<Dim, AppError> {
    Dim::parse(s).ok_or_else(|| AppError::bad_request("stats.dimension_invalid", format!("无法识别的统计维度：{s}")))
}

/// The value of `key` in a raw query string (the handlers' own keys beside the question), or "".
pub fn param(raw: Option<&str>, key: &str) -> String {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or("")).unwrap_or_default();
    pairs.into_iter().find(|(k, _)| k == key).map(|(_, v)| v).unwrap_or_default()
}

impl Question {
    /// Reads the query string; `extra` lists further keys the caller handles itself.
    pub fn parse(raw: Option<&str>, extra: &[&str]) -> Result<Question, AppError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or(""))
            .map_err(|_| AppError::bad_request("stats.filter_invalid", "查询参数格式错误"))?;
        let mut q = Question { on: today(), cond: Condition::all(), terms: Vec::new(), cross: None };
        let (mut rows, mut cols) = (None, None);
        let mut by_dim: Vec<(Dim, Vec<u8>)> = Vec::new();
        for (k, v) in &pairs {
            match k.as_str() {
                "on" => q.on = parse_date(v)?,
                "rows" if !v.is_empty() => rows = Some(parse_dim(v)?),
                "cols" if !v.is_empty() => cols = Some(parse_dim(v)?),
                "rows" | "cols" | "offset" => {}
                k if extra.contains(&k) => {}
                k => {
                    let dim = Dim::parse(k).ok_or_else(|| {
                        AppError::bad_request("stats.filter_invalid", format!("无法识别的筛选条件：{k}"))
                    })?;
                    let value = dim.value_of(v).ok_or_else(|| {
                        AppError::bad_request("stats.filter_invalid", format!("{}没有“{v}”这一项", dim.label()))
                    })?;
                    q.terms.push((dim.code(), dim.values()[value as usize].0));
                    match by_dim.iter_mut().find(|(d, _)| *d == dim) {
                        Some((_, vs)) => vs.push(value),
                        None => by_dim.push((dim, vec![value])),
                    }
                }
            }
        }
        for (dim, values) in by_dim {
            q.cond = q.cond.and(dim, &values);
        }
        q.cross = match (rows, cols) {
            (Some(r), Some(c)) => Some((r, c)),
            (None, None) => None,
            _ => return Err(AppError::bad_request("stats.dimension_invalid", "交叉统计须同时选择行和列")),
        };
        Ok(q)
    }

    /// The question as a query string, with `more` pairs appended.
    pub fn query(&self, more: &[(&str, &str)]) -> String {
        let on = self.on.to_string();
        let mut pairs: Vec<(&str, &str)> = vec![("on", &on)];
        pairs.extend(self.terms.iter().copied());
        if let Some((r, c)) = self.cross {
            pairs.extend([("rows", r.code()), ("cols", c.code())]);
        }
        pairs.extend(more);
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }

    /// The question narrowed to `dim = value` for each pair, as a query string — `None` when a pair
    /// contradicts the condition (that cell is empty by construction).
    pub fn narrowed(&self, cells: &[(&'static str, &'static str)]) -> Option<String> {
        let mut q = self.clone();
        for &(dim, value) in cells {
            if q.terms.iter().any(|&(d, _)| d == dim) && !q.has(dim, value) {
                return None;
            }
            q.terms.retain(|&(d, _)| d != dim);
            q.terms.push((dim, value));
        }
        Some(q.query(&[]))
    }

    /// Whether `dim = value` is part of the condition (for the filter form's checkboxes).
    pub fn has(&self, dim: &str, value: &str) -> bool {
        self.terms.iter().any(|&(d, v)| d == dim && v == value)
    }

    /// The condition in words: "性别：女；学历：大学本科、大学专科".
    pub fn describe(&self) -> String {
        self.cond
            .terms()
            .map(|(dim, values)| {
                let labels = dim.values();
                let names: Vec<&str> = values.iter().map(|&v| labels[v as usize].1).collect();
                format!("{}：{}", dim.label(), if names.is_empty() { "（无）".into() } else { names.join("、") })
            })
            .collect::<Vec<_>>()
            .join("；")
    }
}

/// The line under every table: whose, as of when, under what condition.
pub fn note(org_name: &str, q: &Question) -> String {
    let cond = q.describe();
    let cond = if cond.is_empty() { String::new() } else { format!(" · 条件：{cond}") };
    format!("{org_name} · 截至{}{cond} · 单位：人", q.on)
}

/// One member table per dimension, in the bulletin's order.
pub fn member_grids(t: &Tally, note: &str) -> Vec<(Dim, Grid)> {
    Dim::ALL
        .iter()
        .map(|&dim| {
            let rows = dim.values().into_iter().zip(t.by(dim)).map(|((_, label), &n)| (label.to_owned(), u64::from(n)));
            (dim, Grid::one_way(dim.label(), note, rows))
        })
        .collect()
}

/// Organization tables: by kind, by sector, branches by size.
pub fn org_grids(t: &OrgTally, note: &str) -> Vec<Grid> {
    let note = note.replace("单位：人", "单位：个");
    let grid = |title: &str, labels: Vec<&str>, counts: &[u32]| {
        Grid::one_way(title, &note, labels.into_iter().zip(counts).map(|(l, &n)| (l.to_owned(), u64::from(n))))
    };
    vec![
        grid("党组织类别", OrgKind::ALL.iter().map(|k| k.label()).collect(), &t.kind),
        grid("党组织所在领域", Sector::ALL.iter().map(|s| s.label()).collect(), &t.sector),
        grid("党支部规模", SizeBand::ALL.iter().map(|b| b.label()).collect(), &t.branch_size),
    ]
}

/// A cross tabulation as a grid.
pub fn cross_grid(x: &CrossTab, note: &str) -> Grid {
    let labels = |d: Dim| d.values().into_iter().map(|(_, l)| l.to_owned()).collect::<Vec<_>>();
    Grid {
        title: format!("{} × {}", x.rows.label(), x.columns.label()),
        corner: format!("{}＼{}", x.rows.label(), x.columns.label()),
        columns: labels(x.columns),
        rows: labels(x.rows)
            .into_iter()
            .zip(&x.cells)
            .map(|(label, cells)| GridRow { label, cells: cells.iter().map(|&n| u64::from(n)).collect() })
            .collect(),
        note: note.to_owned(),
    }
}

pub fn share(n: u64, total: u64) -> f64 {
    if total == 0 { 0.0 } else { n as f64 * 100.0 / total as f64 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_question_reads_repeated_values_as_alternatives_and_writes_itself_back() {
        let raw = "on=2025-12-31&sex=female&education=university&education=college&rows=age_band&cols=education";
        let q = Question::parse(Some(raw), &[]).unwrap();
        assert_eq!(q.on.to_string(), "2025-12-31");
        assert_eq!(q.cross, Some((Dim::AgeBand, Dim::Education)));
        assert_eq!(q.describe(), "性别：女；学历：大学本科、大学专科");
        assert_eq!(q.query(&[]), raw);
        assert!(q.has("education", "college") && !q.has("education", "postgraduate"));
        let narrowed = q.narrowed(&[("education", "college"), ("age_band", "le30")]).unwrap();
        assert_eq!(narrowed, "on=2025-12-31&sex=female&education=college&age_band=le30&rows=age_band&cols=education");
        assert_eq!(q.narrowed(&[("sex", "male")]), None, "a cell outside the condition has no members");
    }

    #[test]
    fn unknown_dimensions_values_and_half_cross_tabs_are_errors() {
        let code = |raw: &str| Question::parse(Some(raw), &[]).unwrap_err().code;
        assert_eq!(code("colour=red"), "stats.filter_invalid");
        assert_eq!(code("sex=robot"), "stats.filter_invalid");
        assert_eq!(code("rows=sex"), "stats.dimension_invalid");
        assert_eq!(code("rows=sex&cols=shoe"), "stats.dimension_invalid");
        assert_eq!(code("on=2999-01-01"), "stats.date_in_future");
        assert_eq!(code("on=yesterday"), "stats.date_invalid");
        assert!(Question::parse(Some("table=sex"), &["table"]).is_ok(), "callers may take their own keys");
    }
}
