//! `/members/{member_id}`: the record, its effective-dated history and every recorded change.

use super::{field_label, mask_phone};
use crate::App;
use crate::auth::Actor;
use crate::error::AppError;
use crate::page::{Layout, local_time, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Html;
use qiangji_domain::date::{age_on, today};
use qiangji_domain::member::MemberId;
use qiangji_store::ledger::Entry;
use qiangji_store::member::{History, Member};
use qiangji_store::transfer::Transfer;
use std::sync::Arc;

/// A ledger entry explained for people.
pub struct Event {
    pub at: String,
    pub actor: String,
    pub what: String,
    pub details: Vec<String>,
    pub reason: String,
}

fn event_label(kind: &str) -> &str {
    match kind {
        "member.created" => "登记入库",
        "member.updated" => "信息修改",
        "member.moved" => "组织关系调整",
        "member.status_changed" => "党籍状态变更",
        "member.personal_shown" => "查看完整身份证号和电话",
        "transfer.requested" => "提出组织关系转接",
        "transfer.inbound_registered" => "凭介绍信从系统外转入",
        "development.applied" => "递交入党申请书",
        "development.step_recorded" => "发展党员",
        "floating.outflow_registered" => "登记流出",
        "floating.inflow_registered" => "登记流入",
        "floating.contact_recorded" => "流动党员联系",
        "floating.ended" => "结束流动登记",
        other => other,
    }
}

fn status_label(code: &serde_json::Value) -> &'static str {
    code.as_str().and_then(|c| qiangji_domain::member::MemberStatus::parse(c).ok()).map_or("", |s| s.label())
}

fn state_label(code: &serde_json::Value) -> &'static str {
    code.as_str().and_then(|c| qiangji_domain::transfer::TransferState::parse(c).ok()).map_or("", |s| s.label())
}

/// Shows a field value (personal numbers come masked from the store, as on the page).
fn shown(field: &str, v: &serde_json::Value) -> String {
    let s = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
    match field {
        "floating" | "lost_contact" | "hardship" | "postless" => {
            if s == "1" {
                "是".into()
            } else {
                "否".into()
            }
        }
        _ => s,
    }
}

pub fn explain(e: &Entry) -> Event {
    let payload: serde_json::Value = serde_json::from_str(&e.payload).unwrap_or_default();
    let details = match e.kind.as_str() {
        "member.updated" => payload["changes"]
            .as_object()
            .map(|c| {
                c.iter()
                    .map(|(k, v)| format!("{}：{} → {}", field_label(k), shown(k, &v[0]), shown(k, &v[1])))
                    .collect()
            })
            .unwrap_or_default(),
        "member.moved" => vec![format!(
            "自 {} 转入 {}（{}起）",
            payload["from_org"].as_str().unwrap_or(""),
            payload["to_org"].as_str().unwrap_or(""),
            payload["on"].as_str().unwrap_or("")
        )],
        "member.created" => vec![format!(
            "所在组织：{}，{}起",
            payload["org"].as_str().unwrap_or(""),
            payload["since"].as_str().unwrap_or("")
        )],
        "member.status_changed" => {
            let mut d = vec![format!(
                "{} → {}（{}起）",
                status_label(&payload["status"]["old"]),
                status_label(&payload["status"]["new"]),
                payload["on"].as_str().unwrap_or("")
            )];
            if let Some(by) = payload["approved_by"].as_str().filter(|b| !b.is_empty()) {
                d.push(format!("批准：{by}，{}", payload["approved_on"].as_str().unwrap_or("")));
            }
            d
        }
        "transfer.requested" => vec![format!(
            "自 {} 转往 {}",
            payload["from_org"].as_str().unwrap_or(""),
            payload["to"].as_str().unwrap_or("")
        )],
        "transfer.inbound_registered" => vec![format!(
            "来自 {}，转入 {}（{}起）",
            payload["from"].as_str().unwrap_or(""),
            payload["to_org"].as_str().unwrap_or(""),
            payload["on"].as_str().unwrap_or("")
        )],
        "development.applied" => vec![format!("向{}递交入党申请书", payload["org"].as_str().unwrap_or(""))],
        "development.step_recorded" => vec![format!(
            "{}（{}）",
            payload["step"]
                .as_str()
                .and_then(|c| qiangji_domain::development::StepKind::parse(c).ok())
                .map_or("", |k| k.label()),
            payload["on"].as_str().unwrap_or("")
        )],
        k if k.starts_with("transfer.") => vec![format!(
            "转接状态：{} → {}（{}）",
            state_label(&payload["state"]["old"]),
            state_label(&payload["state"]["new"]),
            payload["on"].as_str().unwrap_or("")
        )],
        kind if kind.starts_with("floating.") => {
            let mut lines: Vec<String> = payload["summary"].as_str().map(str::to_owned).into_iter().collect();
            if let Some(c) = payload["changes"].as_object() {
                lines.extend(
                    c.iter().map(|(k, v)| format!("{}：{} → {}", field_label(k), shown(k, &v[0]), shown(k, &v[1]))),
                );
            }
            lines
        }
        _ => Vec::new(),
    };
    Event {
        at: local_time(&e.at),
        actor: e.actor_name.clone(),
        // A transfer's steps are named as the transfer page names them.
        what: match qiangji_store::transfer::step_of_entry(&e.kind) {
            Some(step) => format!("组织关系转接：{}", step.label()),
            None => event_label(&e.kind).to_owned(),
        },
        details,
        reason: e.reason.clone(),
    }
}

#[derive(Template)]
#[template(path = "member_show.html")]
struct ShowPage<'a> {
    layout: Layout<'a>,
    m: Member,
    age: i32,
    id_masked: String,
    phone: String,
    history: History,
    events: Vec<Event>,
    may_edit: bool,
    /// Whether the viewer may ask to see the numbers in full.
    may_reveal: bool,
    /// Shown in full on this answer (and recorded), or masked.
    revealed: bool,
    /// Why showing them in full was refused.
    reveal_error: Option<String>,
    transfers: Vec<Transfer>,
    /// Whether the viewer may start a transfer now (an officer, or the member themself).
    may_request_transfer: bool,
    /// Counted nowhere in this deployment any more: the membership went outside.
    gone_outside: bool,
}

pub async fn page(actor: Actor, State(app): State<Arc<App>>, Path(id): Path<i64>) -> Result<Html<String>, AppError> {
    show(&actor, &app, MemberId(id), None).await
}

/// `POST /members/{member_id}/reveal`: the page again with the identity and phone numbers in full,
/// once, for an allowed viewer who gave a purpose; the showing is recorded in the member's history.
pub async fn reveal(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<crate::payload::RevealPayload>,
) -> Result<Html<String>, AppError> {
    let shown = match app.store.reveal_personal(&actor.access, MemberId(id), &f.purpose).await {
        Ok(r) => Ok(r),
        Err(e @ qiangji_store::StoreError::Refused { .. }) => Err(e.to_string()),
        Err(e) => return Err(e.into()),
    };
    show(&actor, &app, MemberId(id), Some(shown)).await
}

async fn show(
    actor: &Actor,
    app: &App,
    id: MemberId,
    shown: Option<Result<qiangji_store::member::Revealed, String>>,
) -> Result<Html<String>, AppError> {
    let m = app.store.get_member(&actor.access, id).await?;
    let history = app.store.member_history(&actor.access, m.id).await?;
    let events = history.entries.iter().rev().map(explain).collect();
    let transfers = app.store.transfers_of_member(&actor.access, m.id).await?;
    let gone_outside = m.status.holds_membership() && history.memberships.iter().all(|s| s.valid_to.is_some());
    let may_request_transfer = (actor.access.may_edit_members() || actor.access.self_member_id() == Some(m.id.0))
        && m.status.holds_membership()
        && !gone_outside
        && transfers.iter().all(|t| !t.state.is_open());
    let (id_masked, phone, revealed, reveal_error) = match shown {
        Some(Ok(r)) => (r.id_number, r.phone, true, None),
        other => (m.fields.id_number.masked(), mask_phone(&m.fields.phone), false, other.and_then(Result::err)),
    };
    let page = ShowPage {
        layout: Layout::new(m.fields.name.clone(), actor),
        age: age_on(m.fields.birth_date, today()),
        id_masked,
        phone,
        may_edit: actor.access.may_edit_members(),
        may_reveal: actor.access.may_reveal_personal(),
        revealed,
        reveal_error,
        m,
        history,
        events,
        transfers,
        may_request_transfer,
        gone_outside,
    };
    Ok(Html(render(&page)))
}

#[derive(Template)]
#[template(path = "member_form_print.html")]
struct FormPage {
    m: Member,
    age: i32,
    id_masked: String,
    phone: String,
    history: History,
    events: Vec<Event>,
    printed_on: qiangji_domain::Date,
}

/// `GET /members/{member_id}/print`: 党员信息登记表, the record's baseline fields with its
/// memberships, kinds and statuses, and the recorded changes, for A4 paper. Identity number and
/// phone masked as on the page: a form with them in full needs its own permission (later).
pub async fn print(actor: Actor, State(app): State<Arc<App>>, Path(id): Path<i64>) -> Result<Html<String>, AppError> {
    let m = app.store.get_member(&actor.access, MemberId(id)).await?;
    let history = app.store.member_history(&actor.access, m.id).await?;
    let events = history.entries.iter().map(explain).collect();
    let page = FormPage {
        age: age_on(m.fields.birth_date, today()),
        id_masked: m.fields.id_number.masked(),
        phone: mask_phone(&m.fields.phone),
        m,
        history,
        events,
        printed_on: today(),
    };
    Ok(Html(render(&page)))
}
