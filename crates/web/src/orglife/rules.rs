//! `/orglife/rules`: the organizational-life rule set — every version, which ones are in force
//! today — and, for an administrator of the whole tree, adding a version that takes effect from a
//! day not yet begun.

use crate::App;
use crate::auth::Actor;
use crate::error::AppError;
use crate::page::{Layout, render};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use qiangji_domain::Date;
use qiangji_domain::org::OrgKind;
use qiangji_domain::orglife::{Period, RequirementKind, Rule, RuleInput, RuleSet};
use qiangji_store::StoreError;
use qiangji_store::orglife_rules::{StoredRule, rule_set_of};
use std::sync::Arc;

/// Organization kinds a rule can apply to (组织部 and 党小组 are not evaluated).
pub fn rule_org_kinds() -> Vec<OrgKind> {
    OrgKind::ALL.iter().copied().filter(|k| !matches!(k, OrgKind::Department | OrgKind::Group)).collect()
}

/// One version as listed, numbered as the rule set's positions.
pub struct RuleRow {
    pub position: usize,
    pub requirement: &'static str,
    pub org_kinds: String,
    pub period: &'static str,
    pub min_count: u32,
    /// "一直有效" for the documents' defaults, else the day.
    pub effective_from: String,
    /// 现行, 已被取代 or 尚未生效.
    pub standing: &'static str,
    pub added: String,
}

/// How a version stands on `today`: in force for at least one of its organization kinds, not yet
/// in force, or superseded everywhere.
fn standing(set: &RuleSet, rule: &Rule, today: Date) -> &'static str {
    if rule.effective_from > today {
        "尚未生效"
    } else if rule
        .org_kinds
        .iter()
        .any(|&k| set.in_force(k, rule.requirement, today).is_some_and(|r| std::ptr::eq(r, rule)))
    {
        "现行"
    } else {
        "已被取代"
    }
}

/// One version of the set as both the page and the API list it: its position (from 1, as
/// conflicts are reported), how it stands today and, for an added version, who added it and why.
pub struct Version<'a> {
    pub position: usize,
    pub rule: &'a Rule,
    pub standing: &'static str,
    pub stored: Option<&'a StoredRule>,
}

/// Every version of `set` (made from `stored` by `rule_set_of`), defaults first.
pub fn versions<'a>(set: &'a RuleSet, stored: &'a [StoredRule], today: Date) -> Vec<Version<'a>> {
    let defaults = set.rules.len() - stored.len();
    set.rules
        .iter()
        .enumerate()
        .map(|(i, rule)| Version {
            position: i + 1,
            rule,
            standing: standing(set, rule, today),
            stored: i.checked_sub(defaults).map(|k| &stored[k]),
        })
        .collect()
}

/// The rows of the page.
fn rows(versions: &[Version]) -> Vec<RuleRow> {
    versions
        .iter()
        .map(|v| {
            let r = v.rule;
            RuleRow {
                position: v.position,
                requirement: r.requirement.label(),
                org_kinds: r.org_kinds.iter().map(|k| k.label()).collect::<Vec<_>>().join("、"),
                period: r.period.label(),
                min_count: r.min_count,
                effective_from: if r.effective_from == Date::MIN {
                    "一直有效".into()
                } else {
                    r.effective_from.to_string()
                },
                standing: v.standing,
                added: v.stored.map_or_else(
                    || "文件规定（默认）".into(),
                    |s| format!("{} {}：{}", s.added_at, s.added_by, s.reason),
                ),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "orglife_rules.html")]
struct RulesPage<'a> {
    layout: Layout<'a>,
    rows: Vec<RuleRow>,
    may_edit: bool,
    requirements: Vec<RequirementKind>,
    periods: &'static [Period],
    org_kinds: Vec<OrgKind>,
    input: RuleInput,
    reason: String,
    alert: Option<(&'static str, String)>,
    today: String,
}

async fn render_page(
    app: &App,
    actor: &Actor,
    input: RuleInput,
    reason: String,
    alert: Option<(&'static str, String)>,
) -> Result<Response, AppError> {
    let today = qiangji_domain::date::today();
    let stored = app.store.stored_rules().await?;
    let set = rule_set_of(&stored);
    let root = app.store.root_org_path().await?;
    let status = if alert.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let view = RulesPage {
        layout: Layout::new("组织生活规则", actor),
        rows: rows(&versions(&set, &stored, today)),
        may_edit: actor.access.may_set_rules(&root),
        requirements: RequirementKind::all().collect(),
        periods: Period::ALL,
        org_kinds: rule_org_kinds(),
        input,
        reason,
        alert,
        today: today.to_string(),
    };
    Ok((status, Html(render(&view))).into_response())
}

pub async fn page(actor: Actor, State(app): State<Arc<App>>) -> Result<Response, AppError> {
    let input = RuleInput { min_count: "1".into(), ..Default::default() };
    render_page(&app, &actor, input, String::new(), None).await
}

/// Reads the form: `requirement`, `period`, `min_count`, `effective_from`, `reason` and one
/// `org_kind` per ticked box.
fn parse(pairs: &[(String, String)]) -> (RuleInput, String) {
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let input = RuleInput {
        requirement: get("requirement"),
        org_kinds: pairs.iter().filter(|(n, _)| n == "org_kind").map(|(_, v)| v.clone()).collect(),
        period: get("period"),
        min_count: get("min_count"),
        effective_from: get("effective_from"),
    };
    (input, get("reason"))
}

pub async fn add(
    actor: Actor,
    State(app): State<Arc<App>>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let root = app.store.root_org_path().await?;
    if !actor.access.may_set_rules(&root) {
        return Err(StoreError::Forbidden.into());
    }
    let (input, reason) = parse(&pairs);
    let rule = match input.validate(qiangji_domain::date::today()) {
        Ok(rule) => rule,
        Err(e) => return render_page(&app, &actor, input, reason, Some((e.code(), e.to_string()))).await,
    };
    match app.store.add_rule(&actor.access, &rule, &reason).await {
        Ok(()) => {
            app.refresh().await?;
            Ok(Redirect::to("/orglife/rules").into_response())
        }
        Err(e @ (StoreError::Rule(_) | StoreError::Invalid(_))) => {
            render_page(&app, &actor, input, reason, Some((e.code(), e.to_string()))).await
        }
        Err(e) => Err(e.into()),
    }
}
