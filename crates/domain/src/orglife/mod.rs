//! Organizational life (组织生活): the kinds of record, the rule sets that say how often each is
//! owed (三会一课 and the rest), the pure evaluation of an organization against them, and members'
//! absence streaks (党章第九条), and when a secretary is reminded of a requirement.
//!
//! What does not belong here: storing records, rule sets or reminders, sending them, and the
//! early-warning board itself — those read these types and live in `store`, `stats` and `web`.

mod absence;
pub mod attachment;
mod evaluate;
mod evidence;
mod period;
mod record;
mod reminder;
mod rules;

pub use absence::{AbsenceLevel, absence_level, absence_streak};
pub use evaluate::{MeetingFact, MergedOrg, OrgLifeFacts, Plan, Requirement, Status, evaluate};
pub use evidence::{Evidence, Signal};
pub use period::{Period, PeriodSpan};
pub use record::{ClockTime, MeetingError, MeetingFields, MeetingInput, MeetingTimes};
pub use reminder::{Stage, stage_reached};
pub use rules::{RequirementKind, Rule, RuleError, RuleInput, RuleSet, RuleSetError};

use crate::code_enum;

/// A stored organizational-life record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MeetingId(pub i64);

code_enum!(
    /// The kinds of organizational-life record.
    ///
    /// 民主评议党员 (`Appraisal`) and 谈心谈话 (`HeartToHeartTalk`) are variants here rather than
    /// types of their own: each is recorded like a meeting (a date, who took part, what was said)
    /// and counted by the same rules, so one record kind keeps one name per thing, as in the
    /// glossary. A 组织生活会 that also holds the year's 民主评议 is two records, one of each kind.
    MeetingKind, "meeting_kind", {
    GeneralMeeting = ("general_meeting", "支部党员大会"),
    CommitteeMeeting = ("committee_meeting", "支部委员会会议"),
    GroupMeeting = ("group_meeting", "党小组会"),
    PartyLecture = ("party_lecture", "党课"),
    ThemeDay = ("theme_day", "主题党日"),
    OrgLifeMeeting = ("org_life_meeting", "组织生活会"),
    DemocraticLifeMeeting = ("democratic_life_meeting", "民主生活会"),
    Appraisal = ("appraisal", "民主评议党员"),
    HeartToHeartTalk = ("heart_to_heart_talk", "谈心谈话"),
});

code_enum!(
    /// A member's attendance at one record: 请假 is an absence with a reason given beforehand.
    Attendance, "attendance", {
    Present = ("present", "出席"),
    Leave = ("leave", "请假"),
    Absent = ("absent", "缺席"),
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_meeting_kind_and_attendance_code_parses_back_to_itself() {
        for &k in MeetingKind::ALL {
            assert_eq!(MeetingKind::parse(k.code()), Ok(k));
        }
        for &a in Attendance::ALL {
            assert_eq!(Attendance::parse(a.code()), Ok(a));
        }
        assert_eq!(MeetingKind::ALL.len(), 9);
        assert_eq!(Attendance::Leave.label(), "请假");
        assert!(MeetingKind::parse("party_meeting").is_err());
    }
}
