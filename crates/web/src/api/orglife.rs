//! Organizational-life endpoints: records with attendance, members' confirmations, an
//! organization's requirements and the early-warning board of a subtree.

use super::{ApiResult, Body, err, json};
use crate::orglife::{board, verify};
use crate::{App, AppError, scoped};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use qiangji_domain::date::{Date, today};
use qiangji_domain::member::MemberId;
use qiangji_domain::org::OrgId;
use qiangji_domain::orglife::{Attendance, MeetingError, MeetingFields, MeetingId, MeetingInput};
use qiangji_store::Access;
use qiangji_store::orglife::AttendanceEntry;
use serde::Deserialize;
use serde_json::{Value, json as j};
use std::sync::Arc;

#[derive(Deserialize)]
pub struct AttendanceBody {
    member_id: i64,
    attendance: String,
    #[serde(default)]
    reason: String,
}

/// A record as posted: the fields of [`MeetingInput`] and the attendance sheet.
#[derive(Deserialize)]
pub struct MeetingBody {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    host: String,
    #[serde(default)]
    recorder: String,
    #[serde(default)]
    lecturer: String,
    #[serde(default)]
    topic: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    decisions: String,
    /// 'HH:MM'; both or neither.
    #[serde(default)]
    starts_at: String,
    #[serde(default)]
    ends_at: String,
    #[serde(default)]
    attendance: Vec<AttendanceBody>,
}

impl MeetingBody {
    /// The record and its attendance sheet, checked as far as they can be without the store.
    pub fn read(self, today: Date) -> ApiResult<(MeetingFields, Vec<AttendanceEntry>)> {
        let input = MeetingInput {
            kind: self.kind,
            held_on: self.held_on,
            place: self.place,
            host: self.host,
            recorder: self.recorder,
            lecturer: self.lecturer,
            topic: self.topic,
            content: self.content,
            decisions: self.decisions,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
        };
        let fields = input.validate(today).map_err(meeting_errors)?;
        let attendance = self
            .attendance
            .into_iter()
            .map(|a| {
                let attendance = Attendance::parse(&a.attendance).map_err(|_| {
                    let message = format!("未知的出席情况：{}（应为 present、leave 或 absent）", a.attendance);
                    AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "meeting.attendance_unknown", message).json()
                })?;
                Ok(AttendanceEntry { member_id: MemberId(a.member_id), attendance, reason: a.reason })
            })
            .collect::<ApiResult<Vec<_>>>()?;
        Ok((fields, attendance))
    }
}

/// Every problem of a record in one answer, coded by the first.
fn meeting_errors(errors: Vec<MeetingError>) -> AppError {
    let message = errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("；");
    let code = errors.first().map_or("invalid", MeetingError::code);
    AppError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message).json()
}

pub async fn create(
    actor: crate::auth::Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Body(p): Body<MeetingBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let org = scoped::org(&app, &actor, id, Access::may_edit_members).await.map_err(AppError::json)?;
    let (fields, attendance) = p.read(today())?;
    let meeting = app.store.record_meeting(&actor.access, org.id, &fields, &attendance).await.map_err(err)?;
    app.refresh().await.map_err(err)?;
    let m = app.store.get_meeting(&actor.access, meeting).await.map_err(err)?;
    Ok((StatusCode::CREATED, Json(json::meeting(&m))))
}

#[derive(Deserialize)]
pub struct RangeQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// The organization's own records in `[from, to]` (default: since 1 January last year, to today)
/// and its requirements this year.
pub async fn list(
    actor: crate::auth::Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Query(q): Query<RangeQuery>,
) -> ApiResult<Json<Value>> {
    use chrono::Datelike;
    let org = app.store.get_org(&actor.access, OrgId(id)).await.map_err(err)?;
    let on = today();
    let date = |s: &str, default| match s.trim() {
        "" => Ok(default),
        s => qiangji_domain::date::parse(s).ok_or_else(|| {
            AppError::bad_request("meeting.date_invalid", format!("日期格式应为 年-月-日，收到：{s}")).json()
        }),
    };
    let from = date(&q.from, qiangji_domain::Date::from_ymd_opt(on.year() - 1, 1, 1).expect("valid"))?;
    let to = date(&q.to, on)?;
    let meetings = app.store.list_meetings(&actor.access, org.id, from, to).await.map_err(err)?;
    let requirements = app.engine.read().await.requirements(&actor.access, org.id, on, &app.rules());
    Ok(Json(j!({
        "org_id": org.id.0,
        "requirements": requirements.iter().map(json::requirement).collect::<Vec<_>>(),
        "meetings": meetings.iter().map(json::meeting_summary).collect::<Vec<_>>(),
    })))
}

pub async fn get(
    actor: crate::auth::Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json::meeting(&app.store.get_meeting(&actor.access, MeetingId(id)).await.map_err(err)?)))
}

/// The member behind the token confirms their own attendance.
pub async fn confirm(
    actor: crate::auth::Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    app.store.confirm_attendance(&actor.access, MeetingId(id)).await.map_err(err)?;
    Ok(Json(json::meeting(&app.store.get_meeting(&actor.access, MeetingId(id)).await.map_err(err)?)))
}

/// The early-warning board of the organization's subtree: one view (`view`) 100 items a page.
pub async fn warnings(
    actor: crate::auth::Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Query(q): Query<board::PageQuery>,
) -> ApiResult<Json<Value>> {
    let org = app.store.get_org(&actor.access, OrgId(id)).await.map_err(err)?;
    let board = app.board(&actor.access, org.id, today()).await;
    let items: Vec<Value> = match board::items(&app, &actor.access, &board, q.view, q.offset).await.map_err(err)? {
        board::Items::Requirements(rows) => rows
            .iter()
            .map(|(w, org_name)| {
                let mut v = json::requirement(&w.requirement);
                v["org_id"] = j!(w.org.0);
                v["org_name"] = j!(org_name);
                v
            })
            .collect(),
        board::Items::Structure(rows) => rows
            .iter()
            .map(|a| j!({ "org_id": a.org_id, "org_name": a.org_name, "code": a.advisory.code, "message": a.advisory.message }))
            .collect(),
        board::Items::Absence(rows) => rows
            .iter()
            .map(|a| j!({
                "member_id": a.member_id, "member_name": a.member_name, "org_id": a.org_id, "org_name": a.org_name,
                "months": a.months, "level": a.level_code,
            }))
            .collect(),
    };
    Ok(Json(j!({
        "on": board.on.to_string(),
        "orgs": board.orgs,
        "summaries": board.summaries.iter().map(|s| j!({
            "requirement": s.kind.code(), "period": s.period.code(),
            "current": { "met": s.current[0], "pending": s.current[1], "overdue": s.current[2] },
            "earlier": { "owed": s.earlier_owed, "met": s.earlier_met },
        })).collect::<Vec<_>>(),
        "counts": {
            "requirements": board.warnings.len(),
            "structure": board.advisories.len(),
            "absence": board.absences.len(),
            "absence_levels": board::absence_levels(&board).iter().map(|(code, _, n)| (code.to_string(), j!(n))).collect::<serde_json::Map<_, _>>(),
        },
        "view": q.view.code(),
        "total": q.view.total(&board),
        "offset": q.offset,
        "limit": board::PAGE_SIZE,
        "items": items,
    })))
}

/// Every version of every rule, numbered as the set's positions, with how each stands today.
pub async fn rules(_actor: crate::auth::Actor, State(app): State<Arc<App>>) -> ApiResult<Json<Value>> {
    let stored = app.store.stored_rules().await.map_err(err)?;
    let set = qiangji_store::orglife_rules::rule_set_of(&stored);
    let items: Vec<Value> = crate::orglife::rules::versions(&set, &stored, today())
        .iter()
        .map(|v| {
            let r = v.rule;
            let mut item = j!({
                "position": v.position, "requirement": r.requirement.code(),
                "org_kinds": r.org_kinds.iter().map(|k| k.code()).collect::<Vec<_>>(),
                "period": r.period.code(), "min_count": r.min_count,
                "effective_from": (r.effective_from != qiangji_domain::Date::MIN).then(|| r.effective_from.to_string()),
                "standing": v.standing,
            });
            if let Some(s) = v.stored {
                item["added_at"] = j!(s.added_at);
                item["added_by"] = j!(s.added_by);
                item["reason"] = j!(s.reason);
            }
            item
        })
        .collect();
    Ok(Json(j!({ "version": set.version, "rules": items })))
}

#[derive(Deserialize)]
pub struct RuleBody {
    #[serde(default)]
    requirement: String,
    #[serde(default)]
    org_kinds: Vec<String>,
    #[serde(default)]
    period: String,
    #[serde(default)]
    min_count: Option<i64>,
    #[serde(default)]
    effective_from: String,
    #[serde(default)]
    reason: String,
}

/// Adds a version of a rule; answers with the whole set.
pub async fn add_rule(
    actor: crate::auth::Actor,
    State(app): State<Arc<App>>,
    Body(b): Body<RuleBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let input = qiangji_domain::orglife::RuleInput {
        requirement: b.requirement,
        org_kinds: b.org_kinds,
        period: b.period,
        min_count: b.min_count.map(|n| n.to_string()).unwrap_or_default(),
        effective_from: b.effective_from,
    };
    let root = app.store.root_org_path().await.map_err(err)?;
    if !actor.access.may_set_rules(&root) {
        return Err(err(qiangji_store::StoreError::Forbidden));
    }
    let rule = input
        .validate(today())
        .map_err(|e| AppError::new(StatusCode::UNPROCESSABLE_ENTITY, e.code(), e.to_string()).json())?;
    app.store.add_rule(&actor.access, &rule, &b.reason).await.map_err(err)?;
    app.refresh().await.map_err(err)?;
    let Json(set) = rules(actor, State(app)).await?;
    Ok((StatusCode::CREATED, Json(set)))
}

/// Attaches the multipart field `file` to the record; answers the record with its attachments.
pub async fn add_attachment(
    actor: crate::auth::Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    req: axum::extract::Request,
) -> ApiResult<(StatusCode, Json<Value>)> {
    app.store.get_meeting(&actor.access, MeetingId(id)).await.map_err(err)?;
    let (name, bytes) = crate::orglife::attachment::read_file(req).await.map_err(AppError::json)?;
    app.store.add_attachment(&actor.access, MeetingId(id), &name, &bytes).await.map_err(err)?;
    let m = app.store.get_meeting(&actor.access, MeetingId(id)).await.map_err(err)?;
    Ok((StatusCode::CREATED, Json(json::meeting(&m))))
}

/// The checks for formalism of the organization's subtree (需核实), 50 items a page.
pub async fn verification(
    actor: crate::auth::Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Query(q): Query<board::PageQuery>,
) -> ApiResult<Json<Value>> {
    let org = app.store.get_org(&actor.access, OrgId(id)).await.map_err(err)?;
    let checked = app.checked(&actor.access, org.id).await.map_err(err)?;
    let items = verify::page_of(&app, &actor.access, &checked, q.offset).await.map_err(err)?;
    Ok(Json(j!({
        "org_id": org.id.0,
        "pending": checked.pending,
        "as_of": (!checked.as_of.is_empty()).then_some(&checked.as_of),
        "counts": checked.counts.iter().map(|(s, n)| (s.code().to_owned(), j!(n))).collect::<serde_json::Map<_, _>>(),
        "total": checked.items.len(),
        "offset": q.offset,
        "limit": verify::PAGE_SIZE,
        "items": items.iter().map(|i| j!({
            "signal": i.signal.code(),
            "label": i.signal.label(),
            "reason": i.reason,
            "similarity": i.similarity,
            "records": i.records.iter().map(|r| j!({
                "meeting_id": (r.meeting_id != 0).then_some(r.meeting_id),
                "org_id": (r.org_id != 0).then_some(r.org_id), "org_name": r.org_name, "kind": r.kind,
                "held_on": r.held_on, "recorded_on": r.recorded_on, "times": r.times,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })))
}
