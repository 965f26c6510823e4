//! `/orgs/{org_id}/members`: the member list of a subtree with filters, search and paging.
//! Filtering and counting run on the in-memory index; only the page shown is read from the store.

use super::mask_phone;
use crate::App;
use crate::auth::Actor;
use crate::error::AppError;
use crate::page::{Layout, pager, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use qiangji_domain::date::{age_on, today};
use qiangji_domain::id_number::IdNumber;
use qiangji_domain::member::{AgeBand, Education, MemberKind, MemberStatus, Sex};
use qiangji_domain::org::{OrgId, Sector};
use qiangji_stats::{Filter, Page, StatusFilter};
use qiangji_store::Access;
use qiangji_store::member::Member;
use qiangji_store::org::Org;
use serde::Deserialize;
use std::sync::Arc;

pub const PAGE_SIZE: usize = 50;

/// The list's query string; unknown codes are errors, not silently ignored filters.
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct ListQuery {
    pub q: String,
    pub kind: String,
    pub sex: String,
    pub education: String,
    pub age_band: String,
    pub sector: String,
    pub status: String,
    pub offset: usize,
}

fn pick<T>(raw: &str, what: &str, parse: impl Fn(&str) -> Option<T>) -> Result<Option<T>, AppError> {
    if raw.is_empty() {
        return Ok(None);
    }
    parse(raw)
        .map(Some)
        .ok_or_else(|| AppError::bad_request("member.filter_invalid", format!("无法识别的{what}筛选条件：{raw}")))
}

impl ListQuery {
    pub fn filter(&self) -> Result<Filter, AppError> {
        Ok(Filter {
            kind: pick(&self.kind, "党员类别", |s| MemberKind::parse(s).ok())?,
            sex: pick(&self.sex, "性别", |s| Sex::parse(s).ok())?,
            education: pick(&self.education, "学历", |s| Education::parse(s).ok())?,
            age_band: pick(&self.age_band, "年龄段", |s| AgeBand::parse(s).ok())?,
            sector: pick(&self.sector, "领域", |s| Sector::parse(s).ok())?,
            status: match self.status.as_str() {
                "" => StatusFilter::Current,
                "all" => StatusFilter::All,
                s => {
                    StatusFilter::Only(MemberStatus::parse(s).map_err(|_| {
                        AppError::bad_request("member.filter_invalid", format!("无法识别的党籍状态：{s}"))
                    })?)
                }
            },
            query: self.q.trim().to_owned(),
        })
    }

    /// The query string without the offset, for page links.
    pub fn without_offset(&self) -> String {
        serde_urlencoded::to_string([
            ("q", &self.q),
            ("kind", &self.kind),
            ("sex", &self.sex),
            ("education", &self.education),
            ("age_band", &self.age_band),
            ("sector", &self.sector),
            ("status", &self.status),
        ])
        .unwrap_or_default()
    }
}

/// Looks like an identity number: search it exactly in the store rather than by name.
pub(crate) fn as_id_number(q: &str) -> Option<IdNumber> {
    let q = q.trim();
    (q.len() == 18 && q.chars().take(17).all(|c| c.is_ascii_digit())).then(|| IdNumber::parse(q).ok()).flatten()
}

/// Runs a list query: index for filters and counts, store for the rows on the page.
pub async fn run(app: &App, access: &Access, org: &Org, q: &ListQuery) -> Result<(Page, Vec<Member>), AppError> {
    if let Some(id) = as_id_number(&q.q) {
        let mut hits = Vec::new();
        if let Some(m) = app.store.find_member_by_id_number(access, &id).await? {
            // Found in scope; show it only if it is also inside the organization being listed.
            let member_org = app.store.get_org(access, m.org_id).await?;
            if member_org.path.starts_with(&org.path) {
                hits.push(m);
            }
        }
        return Ok((Page { total: hits.len(), ids: hits.iter().map(|m| m.id).collect() }, hits));
    }
    let filter = q.filter()?;
    let page = app.engine.read().await.list(access, org.id, &filter, today(), q.offset, PAGE_SIZE);
    let members = app.store.get_members(access, &page.ids).await?;
    Ok((page, members))
}

/// A row of the list, ready to show.
pub struct Row {
    pub member: Member,
    pub age: i32,
    pub phone: String,
    /// 在途: a transfer letter is out and the other side has not taken them in yet.
    pub in_transit: bool,
}

impl Row {
    /// The rows of `members` as of `on` (ages on that day; 在途 as it stands now).
    pub async fn of(app: &App, members: Vec<Member>, on: qiangji_domain::Date) -> Result<Vec<Row>, AppError> {
        let ids: Vec<_> = members.iter().map(|m| m.id).collect();
        let transit = app.store.in_transit(&ids).await?;
        Ok(members
            .into_iter()
            .map(|m| Row {
                age: age_on(m.fields.birth_date, on),
                phone: mask_phone(&m.fields.phone),
                in_transit: transit.contains(&m.id),
                member: m,
            })
            .collect())
    }
}

#[derive(Template)]
#[template(path = "member_list.html")]
struct ListPage<'a> {
    layout: Layout<'a>,
    org: Org,
    q: ListQuery,
    total: usize,
    rows: Vec<Row>,
    pages: Vec<(String, usize, bool)>,
    base_query: String,
    may_add: bool,
    kinds: &'static [MemberKind],
    sexes: &'static [Sex],
    educations: &'static [Education],
    age_bands: &'static [AgeBand],
    sectors: &'static [Sector],
    statuses: &'static [MemberStatus],
}

pub async fn page(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, AppError> {
    let org = app.store.get_org(&actor.access, OrgId(id)).await?;
    let (page, members) = run(&app, &actor.access, &org, &q).await?;
    let rows = Row::of(&app, members, today()).await?;
    let list = ListPage {
        layout: Layout::new(format!("党员列表：{}", org.fields.name), &actor),
        may_add: actor.access.may_edit_members() && super::super::org::holds_members(&org),
        org,
        total: page.total,
        rows,
        pages: pager(page.total, q.offset, PAGE_SIZE),
        base_query: q.without_offset(),
        q,
        kinds: MemberKind::ALL,
        sexes: Sex::ALL,
        educations: Education::ALL,
        age_bands: AgeBand::ALL,
        sectors: Sector::ALL,
        statuses: MemberStatus::ALL,
    };
    Ok(Html(render(&list)))
}
