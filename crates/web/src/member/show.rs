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
        "floating.outflow_registered" => "登记流出",
        "floating.inflow_registered" => "登记流入",
        "floating.contact_recorded" => "流动党员联系",
        "floating.ended" => "结束流动登记",
        other => other,
    }
}

/// Shows a field value; identity numbers stay masked in the history as on the page.
fn shown(field: &str, v: &serde_json::Value) -> String {
    let s = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
    match field {
        "id_number" => qiangji_domain::id_number::IdNumber::parse(&s).map(|i| i.masked()).unwrap_or(s),
        "phone" => mask_phone(&s),
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
        what: event_label(&e.kind).to_owned(),
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
}

pub async fn page(actor: Actor, State(app): State<Arc<App>>, Path(id): Path<i64>) -> Result<Html<String>, AppError> {
    let m = app.store.get_member(&actor.access, MemberId(id)).await?;
    let history = app.store.member_history(&actor.access, m.id).await?;
    let events = history.entries.iter().rev().map(explain).collect();
    let page = ShowPage {
        layout: Layout::new(m.fields.name.clone(), &actor),
        age: age_on(m.fields.birth_date, today()),
        id_masked: m.fields.id_number.masked(),
        phone: mask_phone(&m.fields.phone),
        may_edit: actor.access.may_edit_members(),
        m,
        history,
        events,
    };
    Ok(Html(render(&page)))
}
