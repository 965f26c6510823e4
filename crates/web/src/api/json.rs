//! JSON shapes of organizations, members and ledger entries.

use qiangji_store::ledger::Entry;
use qiangji_store::member::{History, Member};
use qiangji_store::org::Org;
use serde_json::{Value, json};

pub fn org(o: &Org) -> Value {
    let f = &o.fields;
    json!({
        "id": o.id.0,
        "parent_id": o.parent_id.map(|p| p.0),
        "name": f.name,
        "short_name": f.short_name,
        "kind": f.kind.code(),
        "kind_label": f.kind.label(),
        "sector": f.sector.code(),
        "formation_mode": f.formation_mode.code(),
        "regional": f.regional,
        "joint": f.joint,
        "temporary": f.temporary,
        "founded_on": f.founded_on.map(|d| d.to_string()),
        "term_start": f.term_start.map(|d| d.to_string()),
        "term_years": f.term_years,
        "term_end": f.term_end().map(|d| d.to_string()),
        "host_units": f.host_units,
        "contact": f.contact,
        "phone": f.phone,
        "address": f.address,
        "dissolved_on": o.dissolved_on.map(|d| d.to_string()),
    })
}

/// A member; the identity number is masked, as on the pages.
pub fn member(m: &Member) -> Value {
    let f = &m.fields;
    json!({
        "id": m.id.0,
        "org_id": m.org_id.0,
        "org_name": m.org_name,
        "status": m.status.code(),
        "name": f.name,
        "initials": f.initials,
        "sex": f.sex.code(),
        "ethnicity": format!("{:02}", f.ethnicity.code()),
        "ethnicity_label": f.ethnicity.label(),
        "birth_date": f.birth_date.to_string(),
        "native_place": f.native_place,
        "id_number_masked": f.id_number.masked(),
        "education": f.education.code(),
        "school": f.school,
        "major": f.major,
        "degree": f.degree,
        "occupation": f.occupation.code(),
        "work_unit": f.work_unit,
        "job_title": f.job_title,
        "work_started_on": f.work_started_on.map(|d| d.to_string()),
        "phone": crate::member::mask_phone(&f.phone),
        "address": f.address,
        "joined_on": f.joined_on.to_string(),
        "full_on": f.full_on.map(|d| d.to_string()),
        "kind": f.kind.code(),
        "floating": f.floating,
        "lost_contact": f.lost_contact,
        "hardship": f.hardship,
        "postless": f.postless,
    })
}

pub fn entry(e: &Entry) -> Value {
    json!({
        "seq": e.seq,
        "at": e.at,
        "actor_name": e.actor_name,
        "kind": e.kind,
        "subject": e.subject,
        "payload": serde_json::from_str::<Value>(&e.payload).unwrap_or(Value::Null),
        "reason": e.reason,
        "hash": e.hash,
    })
}

pub fn history(h: &History) -> Value {
    json!({
        "memberships": h.memberships.iter().map(|s| json!({
            "org_id": s.org_id.0, "org_name": s.org_name,
            "valid_from": s.valid_from.to_string(), "valid_to": s.valid_to.map(|d| d.to_string()),
        })).collect::<Vec<_>>(),
        "states": h.states.iter().map(|s| json!({
            "kind": s.kind.code(), "status": s.status.code(),
            "valid_from": s.valid_from.to_string(), "valid_to": s.valid_to.map(|d| d.to_string()),
        })).collect::<Vec<_>>(),
        // Personal numbers in the history come masked from the store, as everywhere in the API.
        "entries": h.entries.iter().map(entry).collect::<Vec<_>>(),
    })
}

pub fn requirement(r: &qiangji_domain::orglife::Requirement) -> Value {
    json!({
        "requirement": r.kind.code(),
        "label": r.kind.label(),
        "period": r.period.period().code(),
        "period_start": r.period.first_day().to_string(),
        "period_end": r.period.last_day().to_string(),
        "held": r.held,
        "required": r.required,
        "due": r.due().to_string(),
        "status": r.status.code(),
        "days_left": r.days_left,
    })
}

pub fn meeting_summary(m: &qiangji_store::orglife::MeetingSummary) -> Value {
    json!({
        "id": m.id.0,
        "org_id": m.org_id.0,
        "kind": m.kind.code(),
        "held_on": m.held_on.to_string(),
        "topic": m.topic,
        "recorded_on": m.recorded_on.to_string(),
        "present": m.attendance[0],
        "leave": m.attendance[1],
        "absent": m.attendance[2],
    })
}

pub fn meeting(m: &qiangji_store::orglife::Meeting) -> Value {
    let f = &m.fields;
    json!({
        "id": m.id.0,
        "org_id": m.org_id.0,
        "org_name": m.org_name,
        "kind": f.kind.code(),
        "held_on": f.held_on.to_string(),
        "starts_at": f.times.map(|t| t.starts_at().to_string()),
        "ends_at": f.times.map(|t| t.ends_at().to_string()),
        "place": f.place,
        "host": f.host,
        "recorder": f.recorder,
        "lecturer": f.lecturer,
        "lecturer_is_secretary": m.lecturer_is_secretary,
        "topic": f.topic,
        "content": f.content,
        "decisions": f.decisions,
        "recorded_on": m.recorded_on.to_string(),
        "attendance": m.attendance.iter().map(|a| json!({
            "member_id": a.member_id.0,
            "member_name": a.member_name,
            "attendance": a.attendance.code(),
            "reason": a.reason,
            "confirmed_at": a.confirmed_at,
        })).collect::<Vec<_>>(),
        "attachments": m.attachments.iter().map(|a| attachment(m.id, a)).collect::<Vec<_>>(),
    })
}

/// An attachment as listed, with the address of its file.
pub fn attachment(
    meeting: qiangji_domain::orglife::MeetingId,
    a: &qiangji_store::orglife::attachment::Attachment,
) -> Value {
    json!({
        "id": a.id.0,
        "file_name": a.file_name,
        "content_type": a.content_type.mime(),
        "size": a.size,
        "sha256": a.sha256,
        "uploaded_on": a.uploaded_on.to_string(),
        "uploaded_by": a.uploaded_by,
        "url": format!("/meetings/{}/attachments/{}", meeting.0, a.id.0),
    })
}

pub fn notification(n: &qiangji_store::reminder::Notification) -> Value {
    json!({
        "id": n.id,
        "org_id": n.org_id.0,
        "org_name": n.org_name,
        "title": n.title,
        "body": n.body,
        "stage": n.stage.code(),
        "due_on": n.due_on.to_string(),
        "created_at": n.created_at,
        "read_at": n.read_at,
    })
}

pub fn outbox_row(r: &qiangji_store::reminder::OutboxRow) -> Value {
    let deliveries: Vec<Value> = r
        .deliveries
        .iter()
        .map(|d| {
            json!({
                "channel": d.channel.code(),
                "recipient": d.recipient,
                "status": d.status.code(),
                "attempts": d.attempts,
                "last_error": d.last_error,
                "next_attempt_at": d.next_attempt_at,
                "delivered_at": d.delivered_at,
            })
        })
        .collect();
    json!({
        "id": r.id,
        "key": r.key,
        "org_id": r.org_id.0,
        "org_name": r.org_name,
        "title": r.title,
        "stage": r.stage.code(),
        "due_on": r.due_on.to_string(),
        "created_at": r.created_at,
        "deliveries": deliveries,
    })
}

/// A floating registration with its warnings on `today`; the identity number is masked.
pub fn floating(r: &qiangji_store::floating::Registration, today: qiangji_domain::Date) -> Value {
    let opt = |d: Option<qiangji_domain::Date>| d.map(|d| d.to_string());
    json!({
        "id": r.id.0,
        "direction": r.direction.code(),
        "member_id": r.member_id.map(|m| m.0),
        "org_id": r.org_id.0,
        "org_name": r.org_name,
        "name": r.name,
        "id_number": r.id_number,
        "place": r.place,
        "unit": r.unit,
        "outflow_reason": r.reason.map(|x| x.code()),
        "fixed_place": r.fixed_place,
        "origin_org": r.origin_org,
        "since": r.since.to_string(),
        "expected_return": opt(r.expected_return),
        "activity_card": r.activity_card,
        "last_contact": opt(r.last_contact),
        "ended_on": opt(r.ended.map(|e| e.0)),
        "end_reason": r.ended.map(|e| e.1.code()),
        "warnings": crate::floating::warnings_of(r, today).iter().map(|w| w.code()).collect::<Vec<_>>(),
    })
}

/// A contact record.
pub fn contact(c: &qiangji_store::floating::ContactRecord) -> Value {
    json!({
        "floating_id": c.floating_id.0,
        "on": c.on.to_string(),
        "way": c.way.code(),
        "note": c.note,
        "recorded_by": c.recorded_by,
        "recorded_at": c.recorded_at,
    })
}

/// The outcome of a registry import.
pub fn match_report(batch: i64, r: &qiangji_domain::floating::registry::MatchReport) -> Value {
    use qiangji_domain::floating::registry::RegistryFlag;
    json!({
        "batch_id": batch,
        "rows": r.rows,
        "matched": r.matched,
        "unknown": r.unknown,
        "arrivals": r.count(RegistryFlag::Arrival),
        "departures": r.count(RegistryFlag::Departure),
        "unit_changes": r.count(RegistryFlag::UnitChange),
        "flagged": r.flagged.iter().map(|m| json!({
            "line": m.line,
            "member_id": m.member.0,
            "name": m.member_name,
            "id_number": m.id_number.masked(),
            "flags": m.flags.iter().map(|f| f.code()).collect::<Vec<_>>(),
            "detail": m.detail,
        })).collect::<Vec<_>>(),
        "invalid": r.invalid.iter().map(|i| json!({ "line": i.line, "reason": i.reason })).collect::<Vec<_>>(),
    })
}
