//! `/developees/{developee_id}`: one person's timeline of steps, what is due next, and the form to
//! record the next step, offering only the steps the 细则 allows now.

use super::{StepInput, due_text};
use crate::App;
use crate::auth::Actor;
use crate::error::AppError;
use crate::page::{Layout, local_time, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use qiangji_domain::development::{DevFacts, DevelopeeId, Recommendation, StepKind, legal_steps, next_steps};
use qiangji_store::development::DevelopeeRecord;
use std::sync::Arc;

/// A step of the timeline as shown.
pub struct StepView {
    pub on: String,
    pub label: &'static str,
    pub details: String,
    pub actor: String,
    pub reason: String,
    pub recorded_at: String,
}

/// The details of a step in words.
fn details_text(kind: StepKind, v: &serde_json::Value, names: &dyn Fn(i64) -> String) -> String {
    let n = |k: &str| v[k].as_u64().unwrap_or(0);
    match kind {
        StepKind::ActivistChosen => {
            let how = Recommendation::parse(v["recommendation"].as_str().unwrap_or_default()).map_or("", |r| r.label());
            let mentors: Vec<&str> = v["mentors"].as_array().into_iter().flatten().filter_map(|m| m.as_str()).collect();
            format!("{how}；培养联系人：{}", mentors.join("、"))
        }
        StepKind::SponsorsAssigned => {
            let sponsors: Vec<String> =
                v["sponsors"].as_array().into_iter().flatten().filter_map(|m| m.as_i64()).map(names).collect();
            format!("入党介绍人：{}", sponsors.join("、"))
        }
        StepKind::Trained => format!("{}天，{}学时", n("days"), n("hours")),
        StepKind::Publicized => format!("{}个工作日", n("working_days")),
        StepKind::AdmissionMeeting | StepKind::FullMeeting => {
            format!("应到有表决权党员{}人，实到{}人，赞成{}人", n("voting_members"), n("present"), n("in_favour"))
        }
        StepKind::ProbationExtended => format!("延长{}个月", n("months")),
        _ => String::new(),
    }
}

#[derive(Template)]
#[template(path = "developee_show.html")]
struct ShowPage<'a> {
    layout: Layout<'a>,
    record: DevelopeeRecord,
    steps: Vec<StepView>,
    next: Vec<String>,
    warnings: Vec<String>,
    legal: Vec<StepKind>,
    recommendations: &'static [Recommendation],
    /// Current members of the branch, for choosing sponsors (the store checks they are full members).
    candidates: Vec<(i64, String)>,
    input: StepInput,
    alert: Option<(&'static str, String)>,
    today: String,
    min_publicity_days: u32,
}

impl ShowPage<'_> {
    fn is(&self, k: &StepKind) -> bool {
        self.input.step == k.code()
    }

    fn sponsor_is(&self, i: usize, id: &i64) -> bool {
        self.input.sponsors.get(i) == Some(id)
    }
}

async fn render_page(
    app: &App,
    actor: &Actor,
    record: DevelopeeRecord,
    input: StepInput,
    alert: Option<(&'static str, String)>,
) -> Result<Response, AppError> {
    let today = qiangji_domain::date::today();
    let state = &record.developee.state;
    let (due, warnings) = next_steps(state, today);
    let candidates: Vec<(i64, String)> = app
        .store
        .attendance_sheet(&actor.access, record.developee.org_id)
        .await?
        .into_iter()
        .filter(|m| m.left_on.is_none())
        .map(|m| (m.member_id.0, m.name))
        .collect();
    let name_of =
        |id: i64| candidates.iter().find(|(m, _)| *m == id).map_or_else(|| format!("党员{id}"), |(_, n)| n.clone());
    let steps = record
        .steps
        .iter()
        .map(|s| StepView {
            on: s.on.to_string(),
            label: s.kind.label(),
            details: details_text(s.kind, &s.details, &name_of),
            actor: s.actor.clone(),
            reason: s.reason.clone(),
            recorded_at: local_time(&s.recorded_at),
        })
        .collect();
    let status = if alert.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let view = ShowPage {
        layout: Layout::new(format!("发展党员：{}", record.developee.applicant.fields.name), actor),
        steps,
        next: due.iter().map(due_text).collect(),
        warnings: warnings.iter().map(|w| w.message()).collect(),
        legal: legal_steps(state),
        recommendations: Recommendation::ALL,
        candidates,
        input,
        alert,
        today: today.to_string(),
        min_publicity_days: DevFacts::DEFAULT_PUBLICITY_DAYS,
        record,
    };
    Ok((status, Html(render(&view))).into_response())
}

pub async fn page(actor: Actor, State(app): State<Arc<App>>, Path(id): Path<i64>) -> Result<Response, AppError> {
    let record = app.store.get_developee(&actor.access, DevelopeeId(id)).await?;
    let input = StepInput { on: qiangji_domain::date::today().to_string(), ..Default::default() };
    render_page(&app, &actor, record, input, None).await
}

/// The form's fields: one `mentor` and one `sponsor` per person, the rest by name.
fn parse_form(pairs: &[(String, String)]) -> StepInput {
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    StepInput {
        step: get("step"),
        on: get("on"),
        recommendation: get("recommendation"),
        mentors: pairs.iter().filter(|(n, _)| n == "mentor").map(|(_, v)| v.clone()).collect(),
        sponsors: pairs.iter().filter(|(n, _)| n == "sponsor").filter_map(|(_, v)| v.trim().parse().ok()).collect(),
        days: get("days"),
        hours: get("hours"),
        working_days: get("working_days"),
        voting_members: get("voting_members"),
        present: get("present"),
        in_favour: get("in_favour"),
        months: get("months"),
        reason: get("reason"),
    }
}

pub async fn record(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    // Scope and role first: an id outside scope answers like a missing one, whatever was posted.
    let record = app.store.get_developee(&actor.access, DevelopeeId(id)).await?;
    let input = parse_form(&pairs);
    let (action, on) = match input.parse() {
        Ok(x) => x,
        Err(e) => return render_page(&app, &actor, record, input, Some((e.code, e.message))).await,
    };
    let result = app
        .store
        .record_dev_step(&actor.access, DevelopeeId(id), &action, on, DevFacts::DEFAULT_PUBLICITY_DAYS, &input.reason)
        .await;
    match result {
        Ok(_) => {
            // Admission and full membership change member records the statistics follow.
            app.refresh().await?;
            Ok(Redirect::to(&format!("/developees/{id}")).into_response())
        }
        Err(e) => render_page(&app, &actor, record, input, Some(crate::error::refusal(e)?)).await,
    }
}
