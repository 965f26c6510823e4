//! When a secretary is reminded of a requirement (提醒): 15, 7 and 3 days before it falls due, and
//! on the first day it is overdue. Each stage is reached on one calendar day; a reminder is owed
//! for the most urgent stage reached in the days since reminders were last scheduled.

use super::{Requirement, Status};
use crate::code_enum;
use crate::date::Date;

code_enum!(
    /// How close a requirement is to its due date when the secretary is reminded.
    Stage, "reminder_stage", {
    Days15 = ("15d", "15天"),
    Days7 = ("7d", "7天"),
    Days3 = ("3d", "3天"),
    Overdue = ("overdue", "逾期"),
});

impl Stage {
    /// The day a requirement due on `due` reaches this stage.
    pub fn reached_on(self, due: Date) -> Date {
        let before = |days: u64| due - chrono::Days::new(days);
        match self {
            Stage::Days15 => before(15),
            Stage::Days7 => before(7),
            Stage::Days3 => before(3),
            Stage::Overdue => due + chrono::Days::new(1),
        }
    }
}

/// The stage `r` (evaluated on `today`) reached after `last` and by `today`, the most urgent if
/// several were: a server down for a week sends one reminder, not three. `last` is the day
/// reminders were last scheduled; `None` (the first start) means only stages reached `today`, so
/// that turning reminders on does not remind of everything already behind.
pub fn stage_reached(r: &Requirement, last: Option<Date>, today: Date) -> Option<Stage> {
    let after = last.unwrap_or(today - chrono::Days::new(1));
    let candidates: &[Stage] = match r.status {
        Status::Met => &[],
        Status::Pending => &[Stage::Days3, Stage::Days7, Stage::Days15],
        Status::Overdue => &[Stage::Overdue],
    };
    candidates.iter().copied().find(|s| {
        let on = s.reached_on(r.due());
        after < on && on <= today
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::parse;
    use crate::orglife::{MeetingKind, Period, RequirementKind};

    fn d(s: &str) -> Date {
        parse(s).unwrap()
    }

    /// 支委会 of March 2026 (due 31 March) as it stands on `on`.
    fn monthly(on: &str, status: Status) -> Requirement {
        let on = d(on);
        let period = Period::Month.containing(d("2026-03-01"));
        let days_left = period.contains(on).then(|| (period.last_day() - on).num_days());
        Requirement {
            kind: RequirementKind::Meeting(MeetingKind::CommitteeMeeting),
            period,
            required: 1,
            held: 0,
            days_left,
            status,
        }
    }

    #[test]
    fn each_stage_is_reached_on_its_own_day_and_on_no_other() {
        let on = |s: &str, status| stage_reached(&monthly(s, status), Some(d(s) - chrono::Days::new(1)), d(s));
        assert_eq!(on("2026-03-16", Status::Pending), Some(Stage::Days15));
        assert_eq!(on("2026-03-17", Status::Pending), None);
        assert_eq!(on("2026-03-24", Status::Pending), Some(Stage::Days7));
        assert_eq!(on("2026-03-28", Status::Pending), Some(Stage::Days3));
        assert_eq!(on("2026-03-31", Status::Pending), None);
        assert_eq!(on("2026-04-01", Status::Overdue), Some(Stage::Overdue));
        assert_eq!(on("2026-04-02", Status::Overdue), None);
        assert_eq!(on("2026-03-28", Status::Met), None);
    }

    #[test]
    fn a_first_start_reminds_only_of_stages_reached_that_day() {
        let r = monthly("2026-03-26", Status::Pending);
        assert_eq!(stage_reached(&r, None, d("2026-03-26")), None, "7 days was yesterday, 3 days is to come");
        let r = monthly("2026-03-28", Status::Pending);
        assert_eq!(stage_reached(&r, None, d("2026-03-28")), Some(Stage::Days3));
        let r = monthly("2026-04-03", Status::Overdue);
        assert_eq!(stage_reached(&r, None, d("2026-04-03")), None, "overdue since 1 April: too late to remind");
    }

    #[test]
    fn days_the_server_was_down_are_caught_up_with_the_most_urgent_stage_only() {
        let r = monthly("2026-03-29", Status::Pending);
        assert_eq!(stage_reached(&r, Some(d("2026-03-10")), d("2026-03-29")), Some(Stage::Days3));
        assert_eq!(stage_reached(&r, Some(d("2026-03-28")), d("2026-03-29")), None, "already reminded on the 28th");
        let r = monthly("2026-04-05", Status::Overdue);
        assert_eq!(stage_reached(&r, Some(d("2026-03-30")), d("2026-04-05")), Some(Stage::Overdue));
    }
}
