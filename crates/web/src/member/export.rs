//! The member list as a file (`/orgs/{org_id}/members/export`) and as a printable roster
//! (`/orgs/{org_id}/members/print`), with the list's filters: every matching member, not one page.
//!
//! Identity numbers and phones are masked as on the pages. A full export is a later feature that
//! needs its own permission and an audit entry; until then nothing leaves in clear that the
//! screen does not show.

use super::list::{ListQuery, Row};
use crate::App;
use crate::auth::Actor;
use crate::error::AppError;
use crate::export::{Cell, Column, FileFormat, FormatQuery, TableWriter};
use crate::page::render;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, Response};
use qiangji_domain::Date;
use qiangji_domain::date::today;
use qiangji_domain::member::{AgeBand, Education, MemberId, MemberKind, MemberStatus, Sex};
use qiangji_domain::org::{OrgId, Sector};
use qiangji_store::Access;
use qiangji_store::org::Org;
use std::sync::Arc;

/// Members read from the store at a time: bounded memory, few round trips, and well under the
/// databases' limits on bound parameters.
const CHUNK: usize = 1000;

/// The most members a printed roster holds; beyond that, narrow the filters or download the file.
pub const PRINT_MAX: usize = 5000;

/// The ids of every member the list shows for `q`, in the list's order.
async fn matching(app: &App, access: &Access, org: &Org, q: &ListQuery) -> Result<Vec<MemberId>, AppError> {
    if super::list::as_id_number(&q.q).is_some() {
        // An identity number is looked up in the store, as the list does.
        let (page, _) = super::list::run(app, access, org, &ListQuery { offset: 0, ..q.clone() }).await?;
        return Ok(page.ids);
    }
    let filter = q.filter()?;
    let engine = app.engine.read().await;
    let total = engine.list(access, org.id, &filter, today(), 0, 0).total;
    Ok(engine.list(access, org.id, &filter, today(), 0, total).ids)
}

/// The condition in words: "性别：女；学历：大学本科", or "全部在册党员".
fn condition(q: &ListQuery) -> String {
    let label = |raw: &str, f: &dyn Fn(&str) -> Option<&'static str>| f(raw).unwrap_or("");
    let mut parts = Vec::new();
    let mut add = |what: &str, shown: &str| {
        if !shown.is_empty() {
            parts.push(format!("{what}：{shown}"));
        }
    };
    add("检索", q.q.trim());
    add("党员类别", label(&q.kind, &|s| MemberKind::parse(s).ok().map(|k| k.label())));
    add("性别", label(&q.sex, &|s| Sex::parse(s).ok().map(|k| k.label())));
    add("学历", label(&q.education, &|s| Education::parse(s).ok().map(|k| k.label())));
    add("年龄段", label(&q.age_band, &|s| AgeBand::parse(s).ok().map(|k| k.label())));
    add("领域", label(&q.sector, &|s| Sector::parse(s).ok().map(|k| k.label())));
    let status = match q.status.as_str() {
        "" => "在册党员",
        "all" => "全部状态",
        s => MemberStatus::parse(s).map(|s| s.label()).unwrap_or(""),
    };
    add("党籍状态", status);
    parts.join("；")
}

fn columns() -> Vec<Column> {
    vec![
        Column::new("姓名", 8),
        Column::new("性别", 4),
        Column::new("民族", 8),
        Column::new("年龄", 4),
        Column::new("学历", 16),
        Column::new("党员类别", 8),
        Column::new("党籍状态", 8),
        Column::new("入党日期", 10),
        Column::new("转正日期", 10),
        Column::new("所在组织", 40),
        Column::new("身份证号", 18),
        Column::new("联系电话", 11),
        Column::new("在途", 4),
    ]
}

fn cells(r: &Row) -> Vec<Cell<'_>> {
    let f = &r.member.fields;
    vec![
        f.name.as_str().into(),
        f.sex.label().into(),
        f.ethnicity.label().into(),
        i64::from(r.age).into(),
        f.education.label().into(),
        f.kind.label().into(),
        r.member.status.label().into(),
        f.joined_on.to_string().into(),
        f.full_on.map(|d| d.to_string()).unwrap_or_default().into(),
        r.member.org_name.as_str().into(),
        f.id_number.masked().into(),
        r.phone.as_str().into(),
        (if r.in_transit { "在途" } else { "" }).into(),
    ]
}

/// Reads the members `ids` a chunk at a time and hands each chunk's rows to `each`.
async fn for_rows(
    app: &App,
    access: &Access,
    ids: &[MemberId],
    on: Date,
    mut each: impl FnMut(Vec<Row>) -> Result<(), AppError>,
) -> Result<(), AppError> {
    for chunk in ids.chunks(CHUNK) {
        let members = app.store.get_members(access, chunk).await?;
        each(Row::of(app, members, on).await?)?;
    }
    Ok(())
}

/// `GET /orgs/{org_id}/members/export?format=xlsx|csv&encoding=utf8|gbk` plus the list's filters.
pub async fn export(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
    Query(f): Query<FormatQuery>,
) -> Result<Response, AppError> {
    let format = f.file_format()?;
    let org = app.store.get_org(&actor.access, OrgId(id)).await?;
    let started = std::time::Instant::now();
    let ids = matching(&app, &actor.access, &org, &q).await?;
    crate::export::check_fits(format, ids.len())?;
    let on = today();
    let mut w = TableWriter::new(format);
    let note = format!(
        "{}及下级组织 · 截至{on} · {} · 共{}人 · 身份证号、联系电话已隐去部分数字",
        org.fields.name,
        condition(&q),
        ids.len()
    );
    w.table(&format!("党员名册：{}", org.fields.name), &note, &columns())?;
    let name = format!("{}党员名册{on}", org.fields.name);
    if matches!(format, FileFormat::Csv(_)) {
        return Ok(crate::export::attachment(
            stream_csv(app.clone(), actor.access.clone(), ids, on, w, id),
            format,
            &name,
        ));
    }
    for_rows(&app, &actor.access, &ids, on, |rows| {
        for r in &rows {
            w.row(&cells(r))?;
        }
        Ok(())
    })
    .await?;
    let body = w.finish()?;
    tracing::info!(
        org = id,
        rows = ids.len(),
        bytes = body.len(),
        ms = started.elapsed().as_millis() as u64,
        "member export"
    );
    Ok(crate::export::attachment(body, format, &name))
}

/// A CSV sent as it is written, a chunk of members at a time: the first bytes leave at once and
/// the server holds one chunk, not the file. A failure halfway aborts the response, so the client
/// sees a broken download rather than a complete-looking file with rows missing.
fn stream_csv(
    app: Arc<App>,
    access: Access,
    ids: Vec<MemberId>,
    on: Date,
    mut w: TableWriter,
    org: i64,
) -> axum::body::Body {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(4);
    let started = std::time::Instant::now();
    tokio::spawn(async move {
        let mut sent = 0;
        let head = w.take_written();
        sent += head.len();
        if tx.send(Ok(head)).await.is_err() {
            return;
        }
        for chunk in ids.chunks(CHUNK) {
            let rows = match app.store.get_members(&access, chunk).await {
                Ok(members) => Row::of(&app, members, on).await,
                Err(e) => Err(e.into()),
            };
            let part = rows.and_then(|rows| {
                rows.iter().try_for_each(|r| w.row(&cells(r)))?;
                Ok(w.take_written())
            });
            let part = part.map_err(|e| {
                tracing::error!(org, "member export stopped: {e:?}");
                std::io::Error::other("导出中断")
            });
            let failed = part.is_err();
            sent += part.as_ref().map_or(0, Vec::len);
            // The client went away, or the error is on its way: stop reading.
            if tx.send(part).await.is_err() || failed {
                return;
            }
        }
        let ms = started.elapsed().as_millis() as u64;
        tracing::info!(org, rows = ids.len(), bytes = sent, ms, "member export");
    });
    let body = futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|part| (part, rx)) });
    axum::body::Body::from_stream(body)
}

#[derive(Template)]
#[template(path = "member_list_print.html")]
struct PrintPage {
    org: Org,
    on: Date,
    condition: String,
    total: usize,
    rows: Vec<Row>,
    /// More matched than a roster prints: only the first [`PRINT_MAX`] are shown.
    cut: bool,
}

/// `GET /orgs/{org_id}/members/print`: the roster for A4 paper, the header on every page.
pub async fn print(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, AppError> {
    let org = app.store.get_org(&actor.access, OrgId(id)).await?;
    let ids = matching(&app, &actor.access, &org, &q).await?;
    let on = today();
    let mut rows = Vec::new();
    for_rows(&app, &actor.access, &ids[..ids.len().min(PRINT_MAX)], on, |chunk| {
        rows.extend(chunk);
        Ok(())
    })
    .await?;
    let page = PrintPage { org, on, condition: condition(&q), total: ids.len(), cut: ids.len() > PRINT_MAX, rows };
    Ok(Html(render(&page)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_condition_is_spelt_out_in_labels() {
        let q = ListQuery { sex: "female".into(), status: "all".into(), ..Default::default() };
        assert_eq!(condition(&q), "性别：女；党籍状态：全部状态");
        assert_eq!(condition(&ListQuery::default()), "党籍状态：在册党员");
    }

    #[test]
    fn a_row_has_a_cell_per_column() {
        assert_eq!(columns().len(), 13);
    }
}
