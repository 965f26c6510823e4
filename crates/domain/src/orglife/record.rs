//! A meeting record as entered → valid meeting fields. What a secretary must fill in for the record
//! to stand as the minutes of a 三会一课 or any other organizational-life activity.

use super::MeetingKind;
use crate::date::{self, Date};

/// A record as entered (form or API); strings so that every error can be reported.
#[derive(Debug, Clone, Default)]
pub struct MeetingInput {
    pub kind: String,
    pub held_on: String,
    pub place: String,
    pub host: String,
    pub recorder: String,
    pub lecturer: String,
    pub topic: String,
    pub content: String,
    pub decisions: String,
}

/// Valid meeting fields. The only constructor is [`MeetingInput::validate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingFields {
    pub kind: MeetingKind,
    pub held_on: Date,
    pub place: String,
    pub host: String,
    pub recorder: String,
    /// 授课人: required for a 党课, empty otherwise allowed.
    pub lecturer: String,
    pub topic: String,
    pub content: String,
    pub decisions: String,
}

/// Longest topic and longest text field, in characters: a topic is a line, minutes are pages.
const TOPIC_MAX: usize = 100;
const TEXT_MAX: usize = 20_000;

/// What is wrong with a record. Each variant names its field for the form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MeetingError {
    #[error("请填写{field_label}")]
    Missing { field: &'static str, field_label: &'static str },
    #[error("未知的活动类型：{0}")]
    UnknownKind(String),
    #[error("活动日期格式应为 年-月-日，例如 2026-07-01")]
    DateInvalid,
    #[error("活动日期不能晚于今天")]
    FutureDate,
    #[error("{field_label}过长（最多{max}字）")]
    TooLong { field: &'static str, field_label: &'static str, max: usize },
}

impl MeetingError {
    /// Stable machine code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            MeetingError::Missing { .. } => "meeting.field_missing",
            MeetingError::UnknownKind(_) => "meeting.kind_unknown",
            MeetingError::DateInvalid => "meeting.date_invalid",
            MeetingError::FutureDate => "meeting.date_in_future",
            MeetingError::TooLong { .. } => "meeting.field_too_long",
        }
    }

    /// The form field the error belongs to.
    pub fn field(&self) -> &'static str {
        match self {
            MeetingError::Missing { field, .. } | MeetingError::TooLong { field, .. } => field,
            MeetingError::UnknownKind(_) => "kind",
            MeetingError::DateInvalid | MeetingError::FutureDate => "held_on",
        }
    }
}

impl MeetingInput {
    /// Checks the record as of `today`; returns the first problem of each field.
    pub fn validate(&self, today: Date) -> Result<MeetingFields, Vec<MeetingError>> {
        let mut errors = Vec::new();
        let kind = match self.kind.trim() {
            "" => {
                errors.push(MeetingError::Missing { field: "kind", field_label: "活动类型" });
                None
            }
            k => MeetingKind::parse(k).map_err(|_| errors.push(MeetingError::UnknownKind(k.to_owned()))).ok(),
        };
        let held_on = match self.held_on.trim() {
            "" => {
                errors.push(MeetingError::Missing { field: "held_on", field_label: "活动日期" });
                None
            }
            s => match date::parse(s) {
                None => {
                    errors.push(MeetingError::DateInvalid);
                    None
                }
                Some(d) if d > today => {
                    errors.push(MeetingError::FutureDate);
                    None
                }
                Some(d) => Some(d),
            },
        };
        let mut text = |value: &str, field: &'static str, field_label: &'static str, required: bool, max: usize| {
            let v = value.trim();
            if required && v.is_empty() {
                errors.push(MeetingError::Missing { field, field_label });
            } else if v.chars().count() > max {
                errors.push(MeetingError::TooLong { field, field_label, max });
            }
            v.to_owned()
        };
        let place = text(&self.place, "place", "活动地点", true, TOPIC_MAX);
        let host = text(&self.host, "host", "主持人", true, TOPIC_MAX);
        let recorder = text(&self.recorder, "recorder", "记录人", true, TOPIC_MAX);
        let lecturer = text(&self.lecturer, "lecturer", "授课人", kind == Some(MeetingKind::PartyLecture), TOPIC_MAX);
        let topic = text(&self.topic, "topic", "主题", true, TOPIC_MAX);
        let content = text(&self.content, "content", "活动内容", true, TEXT_MAX);
        let decisions = text(&self.decisions, "decisions", "决定事项", false, TEXT_MAX);
        match (kind, held_on) {
            (Some(kind), Some(held_on)) if errors.is_empty() => {
                Ok(MeetingFields { kind, held_on, place, host, recorder, lecturer, topic, content, decisions })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lecture() -> MeetingInput {
        MeetingInput {
            kind: "party_lecture".into(),
            held_on: "2026-11-20".into(),
            place: "社区党群服务中心".into(),
            host: "王书记".into(),
            recorder: "李明".into(),
            lecturer: "王书记".into(),
            topic: "学习党章".into(),
            content: "逐章学习党章，交流体会。".into(),
            decisions: String::new(),
        }
    }

    fn today() -> Date {
        date::parse("2026-11-23").unwrap()
    }

    #[test]
    fn a_complete_record_is_valid_and_trimmed() {
        let mut input = lecture();
        input.topic = "  学习党章 ".into();
        let f = input.validate(today()).unwrap();
        assert_eq!(
            (f.kind, f.held_on, f.topic.as_str()),
            (MeetingKind::PartyLecture, today() - chrono::Days::new(3), "学习党章")
        );
        assert_eq!(f.decisions, "");
    }

    #[test]
    fn every_missing_field_is_reported_with_its_name() {
        let errors = MeetingInput::default().validate(today()).unwrap_err();
        let fields: Vec<_> = errors.iter().map(MeetingError::field).collect();
        assert_eq!(fields, ["kind", "held_on", "place", "host", "recorder", "topic", "content"]);
        assert_eq!(errors[0].to_string(), "请填写活动类型");
        assert!(errors.iter().all(|e| e.code() == "meeting.field_missing"));
    }

    #[test]
    fn a_lecture_needs_its_lecturer_and_other_kinds_do_not() {
        let mut input = lecture();
        input.lecturer.clear();
        let errors = input.validate(today()).unwrap_err();
        assert_eq!(errors, [MeetingError::Missing { field: "lecturer", field_label: "授课人" }]);
        input.kind = "general_meeting".into();
        assert!(input.validate(today()).is_ok());
    }

    #[test]
    fn dates_must_be_dates_and_not_in_the_future() {
        let mut input = lecture();
        input.held_on = "2026-11-24".into();
        assert_eq!(input.validate(today()).unwrap_err(), [MeetingError::FutureDate]);
        input.held_on = "2026-11-23".into();
        assert!(input.validate(today()).is_ok(), "today is allowed");
        input.held_on = "2026年11月".into();
        assert_eq!(input.validate(today()).unwrap_err()[0].code(), "meeting.date_invalid");
    }

    #[test]
    fn unknown_kinds_and_overlong_text_are_refused() {
        let mut input = lecture();
        input.kind = "party_meeting".into();
        input.topic = "学".repeat(101);
        let errors = input.validate(today()).unwrap_err();
        assert_eq!(errors[0], MeetingError::UnknownKind("party_meeting".into()));
        assert_eq!(errors[1].to_string(), "主题过长（最多100字）");
        input.kind = "party_lecture".into();
        input.topic = "学".repeat(100);
        assert!(input.validate(today()).is_ok(), "100 characters (not bytes) fit");
    }
}
