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
    /// 开始时间 and 结束时间, 'HH:MM'; both or neither.
    pub starts_at: String,
    pub ends_at: String,
}

/// A time of day in minutes after midnight. The only constructor is [`ClockTime::parse`] (or
/// [`ClockTime::from_minutes`] for generated data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClockTime(u16);

impl ClockTime {
    /// 'HH:MM' (or 'H:MM') on a 24-hour clock.
    pub fn parse(s: &str) -> Option<ClockTime> {
        let (h, m) = s.trim().split_once(':')?;
        let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
        (h < 24 && m < 60 && s.trim().len() <= 5).then_some(ClockTime(h * 60 + m))
    }

    /// Minutes after midnight, below 24 hours.
    pub fn from_minutes(minutes: u16) -> Option<ClockTime> {
        (minutes < 24 * 60).then_some(ClockTime(minutes))
    }

    pub fn minutes(self) -> u16 {
        self.0
    }
}

impl std::fmt::Display for ClockTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

/// When a meeting began and ended on its day. The only constructor is [`MeetingTimes::new`]: the end
/// comes after the start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MeetingTimes {
    starts_at: ClockTime,
    ends_at: ClockTime,
}

impl MeetingTimes {
    pub fn new(starts_at: ClockTime, ends_at: ClockTime) -> Option<MeetingTimes> {
        (ends_at > starts_at).then_some(MeetingTimes { starts_at, ends_at })
    }

    pub fn starts_at(self) -> ClockTime {
        self.starts_at
    }

    pub fn ends_at(self) -> ClockTime {
        self.ends_at
    }

    /// Whether the two share a moment (meetings that only touch, one ending as the next begins, do not).
    pub fn overlaps(self, other: MeetingTimes) -> bool {
        self.starts_at < other.ends_at && other.starts_at < self.ends_at
    }
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
    /// Older records and records entered without them have no times.
    pub times: Option<MeetingTimes>,
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
    #[error("{field_label}格式应为 时:分，例如 14:30")]
    TimeInvalid { field: &'static str, field_label: &'static str },
    #[error("开始时间和结束时间须同时填写或同时不填")]
    TimesIncomplete,
    #[error("结束时间应晚于开始时间")]
    TimesOutOfOrder,
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
            MeetingError::TimeInvalid { .. } => "meeting.time_invalid",
            MeetingError::TimesIncomplete => "meeting.times_incomplete",
            MeetingError::TimesOutOfOrder => "meeting.times_out_of_order",
        }
    }

    /// The form field the error belongs to.
    pub fn field(&self) -> &'static str {
        match self {
            MeetingError::Missing { field, .. }
            | MeetingError::TooLong { field, .. }
            | MeetingError::TimeInvalid { field, .. } => field,
            MeetingError::TimesIncomplete | MeetingError::TimesOutOfOrder => "ends_at",
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
        let times = self.times(&mut errors);
        match (kind, held_on) {
            (Some(kind), Some(held_on)) if errors.is_empty() => {
                Ok(MeetingFields { kind, held_on, place, host, recorder, lecturer, topic, content, decisions, times })
            }
            _ => Err(errors),
        }
    }

    /// Both times or neither; the end after the start.
    fn times(&self, errors: &mut Vec<MeetingError>) -> Option<MeetingTimes> {
        let mut clock = |value: &str, field: &'static str, field_label: &'static str| match value.trim() {
            "" => None,
            v => {
                let t = ClockTime::parse(v);
                if t.is_none() {
                    errors.push(MeetingError::TimeInvalid { field, field_label });
                }
                Some(t)
            }
        };
        let starts_at = clock(&self.starts_at, "starts_at", "开始时间");
        let ends_at = clock(&self.ends_at, "ends_at", "结束时间");
        match (starts_at, ends_at) {
            (None, None) => None,
            (Some(Some(s)), Some(Some(e))) => MeetingTimes::new(s, e).or_else(|| {
                errors.push(MeetingError::TimesOutOfOrder);
                None
            }),
            (Some(_), None) | (None, Some(_)) => {
                errors.push(MeetingError::TimesIncomplete);
                None
            }
            _ => None,
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
            starts_at: "14:30".into(),
            ends_at: "16:00".into(),
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

    #[test]
    fn times_are_both_or_neither_and_the_end_comes_after_the_start() {
        let mut input = lecture();
        let t = input.validate(today()).unwrap().times.unwrap();
        assert_eq!((t.starts_at().to_string(), t.ends_at().to_string()), ("14:30".into(), "16:00".into()));
        input.ends_at.clear();
        assert_eq!(input.validate(today()).unwrap_err(), [MeetingError::TimesIncomplete]);
        input.starts_at.clear();
        assert_eq!(input.validate(today()).unwrap().times, None, "neither is allowed");
        input.starts_at = "16:00".into();
        input.ends_at = "16:00".into();
        assert_eq!(input.validate(today()).unwrap_err()[0].code(), "meeting.times_out_of_order");
        input.ends_at = "24:00".into();
        assert_eq!(
            input.validate(today()).unwrap_err(),
            [MeetingError::TimeInvalid { field: "ends_at", field_label: "结束时间" }]
        );
        input.ends_at = "下午四点".into();
        assert_eq!(input.validate(today()).unwrap_err()[0].to_string(), "结束时间格式应为 时:分，例如 14:30");
    }

    #[test]
    fn meetings_that_only_touch_do_not_overlap() {
        let at =
            |s: &str, e: &str| MeetingTimes::new(ClockTime::parse(s).unwrap(), ClockTime::parse(e).unwrap()).unwrap();
        assert!(at("14:00", "16:00").overlaps(at("15:30", "17:00")));
        assert!(at("14:00", "16:00").overlaps(at("14:30", "15:00")), "one inside the other");
        assert!(!at("14:00", "16:00").overlaps(at("16:00", "17:00")));
    }
}
