//! 组织关系转接 pages: an organization's transfers out and in, starting one from a member's page,
//! one transfer with the steps its viewer may take, and the printable letter (stub, letter, receipt).

use crate::App;
use crate::auth::Actor;
use crate::error::{AppError, refusal};
use crate::page::{Layout, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use qiangji_domain::date::{self, today};
use qiangji_domain::member::{Ethnicity, MemberId};
use qiangji_domain::org::OrgId;
use qiangji_domain::transfer::{
    DEFAULT_VALID_MONTHS, Direction, MAX_VALID_MONTHS, Side, TransferAction, TransferId, TransferLetter, next_actions,
};
use qiangji_store::member::Member;
use qiangji_store::org::Org;
use qiangji_store::transfer::{Destination, LetterInput, Receiver, Step, Transfer};
use std::sync::Arc;

/// A refusal shown on the page it came from: the stable code and the Chinese message.
type Refusal = Option<(&'static str, String)>;

fn status_of(error: &Refusal) -> StatusCode {
    if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK }
}

#[derive(Template)]
#[template(path = "transfers.html")]
struct ListPage<'a> {
    layout: Layout<'a>,
    org: Org,
    all: bool,
    sections: [Section; 2],
    today: date::Date,
    /// The list stopped at its limit: older transfers are not shown.
    capped: bool,
}

/// Transfers leaving the subtree, or coming into it.
struct Section {
    heading: &'static str,
    id: &'static str,
    rows: Vec<Transfer>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ListQuery {
    pub all: bool,
}

/// The organization's transfers: those leaving its subtree and those coming in.
pub async fn list(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let org = app.store.get_org(&actor.access, OrgId(id)).await?;
    let transfers = app.store.list_transfers(&actor.access, org.id, q.all).await?;
    let capped = transfers.len() >= qiangji_store::transfer::LIST_LIMIT;
    // Leaving the subtree: the sending organization is inside it (a move within it is both).
    let (outgoing, incoming): (Vec<_>, Vec<_>) =
        transfers.into_iter().partition(|t| t.from_path.as_deref().is_some_and(|p| p.starts_with(&org.path)));
    let page = ListPage {
        layout: Layout::new(format!("组织关系转接：{}", org.fields.name), &actor),
        org,
        all: q.all,
        sections: [
            Section { heading: "转出", id: "outgoing", rows: outgoing },
            Section { heading: "转入", id: "incoming", rows: incoming },
        ],
        today: today(),
        capped,
    };
    Ok(Html(render(&page)).into_response())
}

#[derive(Template)]
#[template(path = "transfer_request.html")]
struct RequestPage<'a> {
    layout: Layout<'a>,
    member: Member,
    form: RequestForm,
    receivers: Vec<Receiver>,
    error: Refusal,
}

/// The request form (also the query string while searching for the receiving organization).
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct RequestForm {
    pub q: String,
    pub to_org_id: Option<i64>,
    pub to_outside: String,
    pub reason: String,
    pub on: String,
}

async fn requester(app: &App, actor: &Actor, id: i64) -> Result<Member, AppError> {
    let m = app.store.get_member(&actor.access, MemberId(id)).await?;
    let own = actor.access.self_member_id() == Some(id);
    actor.access.require(actor.access.may_edit_members() || own)?;
    Ok(m)
}

async fn request_page(
    app: &App,
    actor: &Actor,
    member: Member,
    form: RequestForm,
    error: Refusal,
) -> Result<Response, AppError> {
    let receivers = app.store.find_receivers(&form.q).await?;
    let status = status_of(&error);
    let page = RequestPage {
        layout: Layout::new(format!("发起组织关系转接：{}", member.fields.name), actor),
        member,
        form: RequestForm { on: if form.on.is_empty() { today().to_string() } else { form.on.clone() }, ..form },
        receivers,
        error,
    };
    Ok((status, Html(render(&page))).into_response())
}

pub async fn request_form(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Query(f): Query<RequestForm>,
) -> Result<Response, AppError> {
    let m = requester(&app, &actor, id).await?;
    request_page(&app, &actor, m, f, None).await
}

pub async fn request(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<RequestForm>,
) -> Result<Response, AppError> {
    let m = requester(&app, &actor, id).await?;
    let Some(on) = date::parse(&f.on) else {
        let error = Some(("transfer.date_invalid", "日期格式应为 年-月-日".to_owned()));
        return request_page(&app, &actor, m, f, error).await;
    };
    let to = match f.to_org_id {
        Some(org) => Destination::Org(OrgId(org)),
        None => Destination::Outside(f.to_outside.clone()),
    };
    match app.store.request_transfer(&actor.access, m.id, &to, &f.reason, on).await {
        Ok(t) => Ok(Redirect::to(&format!("/transfers/{}", t.0)).into_response()),
        Err(e) => {
            let error = Some(refusal(e)?);
            request_page(&app, &actor, m, f, error).await
        }
    }
}

/// One legal step offered to the viewer, as a form.
struct Offer {
    action: TransferAction,
    side: Side,
    needs_note: bool,
    issues_letter: bool,
}

#[derive(Template)]
#[template(path = "transfer_show.html")]
struct ShowPage<'a> {
    layout: Layout<'a>,
    t: Transfer,
    steps: Vec<Step>,
    offers: Vec<Offer>,
    /// Whether the viewer may open the member's record (it is where they now belong).
    sees_member: bool,
    error: Refusal,
    today: date::Date,
    default_months: u32,
    max_months: u32,
    dues_month: String,
}

impl ShowPage<'_> {
    fn step_label(&self, s: &Step) -> &'static str {
        match s.action {
            Some(a) => a.label(),
            None if s.side == Side::Receiving.code() => "登记系统外转入",
            None => "提出转接申请",
        }
    }
}

async fn show_page(app: &App, actor: &Actor, id: TransferId, error: Refusal) -> Result<Response, AppError> {
    let t = app.store.get_transfer(&actor.access, id).await?;
    let steps = app.store.transfer_steps(id).await?;
    let p = t.progress();
    let offers = if actor.access.may_edit_members() {
        t.sides
            .iter()
            .flat_map(|&side| next_actions(&p, side).into_iter().map(move |action| (side, action)))
            .map(|(side, action)| Offer {
                action,
                side,
                needs_note: matches!(
                    action,
                    TransferAction::SendBack | TransferAction::Reject | TransferAction::Withdraw
                ),
                issues_letter: action == TransferAction::IssueLetter,
            })
            .collect()
    } else {
        Vec::new()
    };
    let status = status_of(&error);
    let sees_member = app.store.get_member(&actor.access, t.member_id).await.is_ok();
    let page = ShowPage {
        layout: Layout::new(format!("组织关系转接：{}", t.member_name), actor),
        t,
        steps,
        offers,
        sees_member,
        error,
        today: today(),
        default_months: DEFAULT_VALID_MONTHS,
        max_months: MAX_VALID_MONTHS,
        dues_month: today().format("%Y-%m").to_string(),
    };
    Ok((status, Html(render(&page))).into_response())
}

pub async fn show(actor: Actor, State(app): State<Arc<App>>, Path(id): Path<i64>) -> Result<Response, AppError> {
    show_page(&app, &actor, TransferId(id), None).await
}

/// A posted step.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct StepForm {
    pub action: String,
    pub note: String,
    pub on: String,
    pub valid_months: Option<u32>,
    pub dues_paid_to: String,
}

impl StepForm {
    /// The action, date and letter of a posted step, or why they cannot be read.
    pub fn parse(&self) -> Result<(TransferAction, date::Date, LetterInput), (&'static str, String)> {
        let action = TransferAction::parse(&self.action)
            .map_err(|_| ("transfer.action_unknown", format!("无法识别的办理步骤：{}", self.action)))?;
        let on = match self.on.trim() {
            "" => today(),
            s => date::parse(s).ok_or(("transfer.date_invalid", format!("日期格式应为 年-月-日，收到：{s}")))?,
        };
        let letter = LetterInput {
            valid_months: self.valid_months.unwrap_or(DEFAULT_VALID_MONTHS),
            dues_paid_to: self.dues_paid_to.clone(),
        };
        Ok((action, on, letter))
    }
}

pub async fn step(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<StepForm>,
) -> Result<Response, AppError> {
    let id = TransferId(id);
    // Out of scope is a 404 before anything about the input is said.
    app.store.get_transfer(&actor.access, id).await?;
    let (action, on, letter) = match f.parse() {
        Ok(parsed) => parsed,
        Err(error) => return show_page(&app, &actor, id, Some(error)).await,
    };
    match app.store.transfer_step(&actor.access, id, action, on, &f.note, Some(&letter)).await {
        Ok(_) => {
            app.refresh().await?;
            Ok(Redirect::to(&format!("/transfers/{}", id.0)).into_response())
        }
        Err(e) => {
            let error = Some(refusal(e)?);
            show_page(&app, &actor, id, error).await
        }
    }
}

#[derive(Template)]
#[template(path = "transfer_letter.html")]
struct LetterPage<'a> {
    layout: Layout<'a>,
    t: Transfer,
    serial: String,
    ethnicity: &'static str,
    age: i32,
    dues: String,
    outbound: bool,
    /// Whether the toolbar offers the letter with the identity number in full.
    may_show_in_full: bool,
    in_full: bool,
}

/// The printable letter: 存根 kept by the sender, 介绍信 carried by the member, 回执 returned. The
/// identity number is masked, like everywhere.
pub async fn letter(actor: Actor, State(app): State<Arc<App>>, Path(id): Path<i64>) -> Result<Response, AppError> {
    let t = app.store.get_transfer(&actor.access, TransferId(id)).await?;
    letter_page(&actor, t, false)
}

/// `POST /transfers/{transfer_id}/letter`: the letter with the identity number in full, as the
/// paper form carries it to the receiving organization — for those allowed to see numbers in
/// full, and recorded on the member's record like every other showing.
pub async fn letter_in_full(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let mut t = app.store.get_transfer(&actor.access, TransferId(id)).await?;
    let Some(serial) = t.serial else { return letter_page(&actor, t, true) };
    let purpose = format!("打印组织关系介绍信（{serial}）");
    t.id_number = app.store.reveal_personal(&actor.access, t.member_id, &purpose).await?.id_number;
    letter_page(&actor, t, true)
}

fn letter_page(actor: &Actor, t: Transfer, in_full: bool) -> Result<Response, AppError> {
    let (Some(serial), Some(issued_on), Some(dues)) = (t.serial, t.issued_on, t.dues_paid_to) else {
        return Err(AppError::new(StatusCode::NOT_FOUND, "transfer.letter_not_issued", "这项转接尚未开具介绍信"));
    };
    let page = LetterPage {
        layout: Layout::new(format!("组织关系介绍信 {serial}"), actor),
        serial: serial.to_string(),
        ethnicity: u8::try_from(t.ethnicity_code).ok().and_then(Ethnicity::from_code).map_or("", |e| e.label()),
        age: date::age_on(t.birth_date, issued_on),
        dues: TransferLetter::dues_label(dues),
        outbound: t.direction == Direction::Outbound,
        may_show_in_full: actor.access.may_reveal_personal() && !in_full,
        in_full,
        t,
    };
    Ok(Html(render(&page)).into_response())
}

/// `GET /orgs/{org_id}/transfers/export?format=xlsx|csv&encoding=utf8|gbk[&all=true]`: the two
/// tables of the page (转出, 转入) as one file, a worksheet each, with every transfer (the page
/// shows the latest 500).
pub async fn export(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
    Query(f): Query<crate::export::FormatQuery>,
) -> Result<Response, AppError> {
    use crate::export::{Cell, Column, TableWriter};
    let format = f.file_format()?;
    let org = app.store.get_org(&actor.access, OrgId(id)).await?;
    // Every one: the page's cut at the latest 500 is for reading, not for a download.
    let transfers = app.store.list_transfers_upto(&actor.access, org.id, q.all, None).await?;
    let (outgoing, incoming): (Vec<_>, Vec<_>) =
        transfers.into_iter().partition(|t| t.from_path.as_deref().is_some_and(|p| p.starts_with(&org.path)));
    let on = today();
    let columns: Vec<Column> = [
        ("党员", 8),
        ("转出组织", 30),
        ("转入组织", 30),
        ("状态", 10),
        ("申请日期", 10),
        ("介绍信编号", 16),
        ("有效期至", 10),
        ("提示", 20),
    ]
    .into_iter()
    .map(|(t, w)| Column::new(t, w))
    .collect();
    let mut w = TableWriter::new(format);
    for (heading, rows) in [("转出", outgoing), ("转入", incoming)] {
        let note = format!(
            "{}及下级组织 · {} · 截至{on} · 共{}项",
            org.fields.name,
            if q.all { "全部转接（含已办结）" } else { "办理中的转接" },
            rows.len(),
        );
        w.table(&format!("组织关系{heading}"), &note, &columns)?;
        for t in &rows {
            let warnings: Vec<&str> = t.warnings(on).iter().map(|w| w.label()).collect();
            w.row(&[
                Cell::from(t.member_name.as_str()),
                t.from_name().into(),
                t.to_name().into(),
                t.state.label().into(),
                t.requested_on.to_string().into(),
                t.serial.as_ref().map(|s| s.to_string()).unwrap_or_default().into(),
                t.valid_until.map(|d| d.to_string()).unwrap_or_default().into(),
                warnings.join("；").into(),
            ])?;
        }
    }
    let body = w.finish()?;
    Ok(crate::export::attachment(body, format, &format!("{}组织关系转接{on}", org.fields.name)))
}
