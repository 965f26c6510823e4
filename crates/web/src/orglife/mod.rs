//! Organizational life (组织生活): an organization's requirements and records, recording a meeting
//! with its attendance, a record's page (where members confirm their own attendance), and the
//! early-warning board of a subtree.

pub mod board;
pub mod record;
pub mod show;

use qiangji_domain::orglife::{Requirement, RuleSet, Status};

/// The rules in force: the documents' defaults (administrators' edits are not stored yet).
pub fn rules() -> RuleSet {
    RuleSet::default_rules()
}

/// A requirement as shown: what, which period, how far, and until when.
pub struct RequirementView {
    pub kind_code: &'static str,
    pub label: &'static str,
    /// The period's first day.
    pub from: String,
    pub period: String,
    pub held: u32,
    pub required: u32,
    pub due: String,
    pub status: &'static str,
    pub status_code: &'static str,
    /// "剩N天" for the current period, empty otherwise.
    pub left: String,
}

impl RequirementView {
    pub fn of(r: &Requirement) -> RequirementView {
        RequirementView {
            kind_code: r.kind.code(),
            label: r.kind.label(),
            from: r.period.first_day().to_string(),
            period: r.period.to_string(),
            held: r.held,
            required: r.required,
            due: r.due().to_string(),
            status: r.status.label(),
            status_code: r.status.code(),
            left: match (r.status, r.days_left) {
                (Status::Pending, Some(d)) => format!("剩{d}天"),
                _ => String::new(),
            },
        }
    }
}
