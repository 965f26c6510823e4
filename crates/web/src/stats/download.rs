//! Downloads of the statistics page's tables: one workbook with every table, or one table (or all,
//! one after another) as CSV in UTF-8 or GBK.

use super::export::{self, CsvEncoding};
use super::grid::Grid;
use super::{Question, cross_grid, member_grids, note, org_grids, param};
use crate::App;
use crate::auth::Actor;
use crate::error::AppError;
use crate::export::FileFormat;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use qiangji_domain::org::OrgId;
use qiangji_stats::Dim;
use qiangji_store::org::Org;
use std::sync::Arc;

/// Every table of the question, cross tabulation first, each under its code ("sex", "cross", "orgs_kind").
async fn grids(app: &App, actor: &Actor, org: &Org, q: &Question) -> Vec<(String, Grid)> {
    let engine = app.engine.read().await;
    let note = note(&org.fields.name, q);
    let mut out = Vec::new();
    if let Some((r, c)) = q.cross {
        out.push(("cross".to_owned(), cross_grid(&engine.crosstab(&actor.access, org.id, q.on, r, c, &q.cond), &note)));
    }
    let tally = engine.tally(&actor.access, org.id, q.on, &q.cond);
    out.extend(member_grids(&tally, &note).into_iter().map(|(d, g)| (d.code().to_owned(), g)));
    let orgs = org_grids(&engine.org_tally(&actor.access, org.id, q.on), &note);
    out.extend(["orgs_kind", "orgs_sector", "orgs_size"].into_iter().map(str::to_owned).zip(orgs));
    out
}

fn file_base(org: &Org, q: &Question) -> String {
    format!("{}党内统计{}", org.fields.name, q.on)
}

pub async fn xlsx(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let org = app.store.get_org(&actor.access, OrgId(id)).await?;
    let q = Question::parse(raw.as_deref(), &[])?;
    let grids: Vec<Grid> = grids(&app, &actor, &org, &q).await.into_iter().map(|(_, g)| g).collect();
    let body = export::xlsx(&grids)?;
    Ok(crate::export::attachment(body, FileFormat::Xlsx, &file_base(&org, &q)))
}

pub async fn csv(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let org = app.store.get_org(&actor.access, OrgId(id)).await?;
    let q = Question::parse(raw.as_deref(), &["table", "encoding"])?;
    let encoding = match param(raw.as_deref(), "encoding").as_str() {
        "" => CsvEncoding::Utf8,
        e => CsvEncoding::parse(e).ok_or_else(|| {
            AppError::bad_request("stats.encoding_invalid", format!("不支持的编码：{e}（可选 utf8、gbk）"))
        })?,
    };
    let table = param(raw.as_deref(), "table");
    let table = table.as_str();
    let all = grids(&app, &actor, &org, &q).await;
    let chosen: Vec<&Grid> = match table {
        "" | "all" => all.iter().map(|(_, g)| g).collect(),
        t => all.iter().filter(|(code, _)| code == t).map(|(_, g)| g).take(1).collect(),
    };
    if chosen.is_empty() {
        let known = Dim::ALL.iter().any(|d| d.code() == table) || table == "cross";
        let message = if known {
            "请先选择交叉统计的行和列".to_owned()
        } else {
            format!("没有名为“{table}”的统计表")
        };
        return Err(AppError::bad_request("stats.table_invalid", message));
    }
    let body = export::csv_all(&chosen, encoding);
    let name = match chosen.as_slice() {
        [one] if table != "all" && !table.is_empty() => format!("{}_{}", file_base(&org, &q), one.title),
        _ => file_base(&org, &q),
    };
    Ok(crate::export::attachment(body, FileFormat::Csv(encoding), &name))
}

#[derive(askama::Template)]
#[template(path = "stats_print.html")]
struct PrintPage {
    org: Org,
    on: qiangji_domain::Date,
    grids: Vec<Grid>,
}

/// `GET /orgs/{org_id}/stats/print`: every table of the statistics page (the same question:
/// date, condition, cross tabulation) for A4 paper, one table not split across pages where it fits.
pub async fn print(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    RawQuery(raw): RawQuery,
) -> Result<axum::response::Html<String>, AppError> {
    let org = app.store.get_org(&actor.access, OrgId(id)).await?;
    let q = Question::parse(raw.as_deref(), &[])?;
    let grids = grids(&app, &actor, &org, &q).await.into_iter().map(|(_, g)| g).collect();
    Ok(axum::response::Html(crate::page::render(&PrintPage { org, on: q.on, grids })))
}
