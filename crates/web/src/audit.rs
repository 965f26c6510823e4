//! `/audit`: the ledger entries of the actor's subtree, newest first.

use crate::App;
use crate::auth::Actor;
use crate::error::AppError;
use crate::page::{Layout, local_time, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use qiangji_store::ledger::{self, Entry};
use serde::Deserialize;
use std::sync::Arc;

pub const PAGE_SIZE: i64 = 100;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AuditQuery {
    pub before: Option<i64>,
}

/// An entry ready to show: time in CST and the payload summarised.
pub struct Line {
    pub e: Entry,
    pub at: String,
    pub summary: String,
}

pub fn kind_label(kind: &str) -> &str {
    match kind {
        "org.created" => "新建组织",
        "org.updated" => "修改组织",
        "org.moved" => "调整隶属关系",
        "org.dissolved" => "撤销组织",
        "org.posts_changed" => "调整班子成员",
        "member.created" => "登记党员",
        "member.updated" => "修改党员信息",
        "member.moved" => "调整党员所在组织",
        "user.created" => "创建用户",
        "data_key.rotated" => "轮换数据密钥",
        "floating.outflow_registered" => "登记流出党员",
        "floating.inflow_registered" => "登记流入党员",
        "floating.contact_recorded" => "流动党员联系记录",
        "floating.ended" => "结束流动党员登记",
        "registry.imported" => "导入名单比对",
        "host_entity.created" => "登记两新组织",
        "host_entity.updated" => "修改两新组织",
        "host_entity.reconciled" => "两新组织名单比对",
        other => other,
    }
}

fn summary(e: &Entry) -> String {
    if e.subject.starts_with("member:") {
        return crate::member::show::explain(e).details.join("；");
    }
    let p: serde_json::Value = serde_json::from_str(&e.payload).unwrap_or_default();
    match e.kind.as_str() {
        "org.created" => p["name"].as_str().unwrap_or("").to_owned(),
        "org.updated" => {
            p["changes"].as_object().map(|c| c.keys().cloned().collect::<Vec<_>>().join("、")).unwrap_or_default()
        }
        "org.dissolved" => format!("{}名党员转入{}", p["members_moved"], p["receiver"].as_str().unwrap_or("")),
        "user.created" => p["username"].as_str().unwrap_or("").to_owned(),
        "data_key.rotated" => format!(
            "密钥指纹 {} → {}，重新加密{}项",
            p["from"].as_str().unwrap_or(""),
            p["to"].as_str().unwrap_or(""),
            p["values"]
        ),
        "floating.inflow_registered"
        | "floating.ended"
        | "host_entity.created"
        | "host_entity.updated"
        | "host_entity.reconciled" => p["summary"].as_str().unwrap_or("").to_owned(),
        "registry.imported" => format!(
            "{}：{}行，匹配{}行，需核实{}项",
            p["file_name"].as_str().unwrap_or(""),
            p["rows"],
            p["matched"],
            p["arrivals"].as_i64().unwrap_or(0)
                + p["departures"].as_i64().unwrap_or(0)
                + p["unit_changes"].as_i64().unwrap_or(0)
        ),
        _ => String::new(),
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage<'a> {
    layout: Layout<'a>,
    lines: Vec<Line>,
    next_before: Option<i64>,
}

pub async fn page(
    actor: Actor,
    State(app): State<Arc<App>>,
    Query(q): Query<AuditQuery>,
) -> Result<Html<String>, AppError> {
    let entries = ledger::list(&app.store, &actor.access, q.before, PAGE_SIZE).await?;
    let next_before = (entries.len() as i64 == PAGE_SIZE).then(|| entries.last().map(|e| e.seq)).flatten();
    let lines = entries.into_iter().map(|e| Line { at: local_time(&e.at), summary: summary(&e), e }).collect();
    Ok(Html(render(&AuditPage { layout: Layout::new("审计日志", &actor), lines, next_before })))
}
