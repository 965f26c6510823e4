//! Downloads of the statistics page's tables: one workbook with every table, or one table (or all,
//! one after another) as CSV in UTF-8 or GBK.

use super::export::{self, CsvEncoding, XLSX_CONTENT_TYPE, XLSX_EXTENSION};
use super::grid::Grid;
use super::{Question, cross_grid, member_grids, note, org_grids, param};
use crate::App;
use crate::auth::Actor;
use crate::error::AppError;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
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

fn attachment(body: Vec<u8>, content_type: &str, name: String) -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, content_type.to_owned()), (header::CONTENT_DISPOSITION, name)], body)
        .into_response()
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
    let body = export::xlsx(&grids).map_err(|e| {
        tracing::error!("{e}");
        AppError::new(StatusCode::INTERNAL_SERVER_ERROR, e.code(), "生成 Excel 文件失败，请稍后再试")
    })?;
    Ok(attachment(body, XLSX_CONTENT_TYPE, export::attachment_name(&file_base(&org, &q), XLSX_EXTENSION)))
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
    let mut body = Vec::new();
    for (i, g) in chosen.iter().enumerate() {
        let mut bytes = export::csv(g, encoding);
        if i > 0 {
            // One byte-order mark at the start of the file; tables are separated by an empty line.
            if bytes.starts_with(b"\xEF\xBB\xBF") {
                bytes.drain(..3);
            }
            body.extend_from_slice(b"\r\n");
        }
        body.extend(bytes);
    }
    let name = match chosen.as_slice() {
        [one] if table != "all" && !table.is_empty() => format!("{}_{}", file_base(&org, &q), one.title),
        _ => file_base(&org, &q),
    };
    Ok(attachment(body, encoding.content_type(), export::attachment_name(&name, encoding.extension())))
}
