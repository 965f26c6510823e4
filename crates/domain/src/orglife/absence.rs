//! Absence streaks: 党章第九条 — a member who, without proper reason, does not take part in the
//! Party's organizational life for six consecutive months is regarded as having left the Party.
//! The streak and its levels are warnings for the officer to verify (the reason may simply be
//! unrecorded); nothing here changes a member's standing.

use std::collections::BTreeMap;

use chrono::Datelike;

use super::Attendance;
use crate::code_enum;
use crate::date::Date;

code_enum!(
    /// How long a member has gone without organizational life: 3 and 5 months call for a talk
    /// (五个必访: 不参加活动必访), 6 months is the 党章's threshold.
    AbsenceLevel, "absence_level", {
    ThreeMonths = ("3_months", "连续3个月未参加组织生活"),
    FiveMonths = ("5_months", "连续5个月未参加组织生活"),
    SixMonths = ("6_months", "连续6个月未参加组织生活，按党章第九条可视为自行脱党，请核实"),
});

impl AbsenceLevel {
    /// The streak, in months, at which this level begins.
    pub fn months(self) -> u32 {
        match self {
            AbsenceLevel::ThreeMonths => 3,
            AbsenceLevel::FiveMonths => 5,
            AbsenceLevel::SixMonths => 6,
        }
    }
}

/// The highest level a streak of `months` has reached.
pub fn absence_level(months: u32) -> Option<AbsenceLevel> {
    AbsenceLevel::ALL.iter().rev().copied().find(|level| months >= level.months())
}

/// Consecutive months, counting back from the month of `on`, in which the member missed
/// organizational life without a reason. `records` are the member's attendance at the records they
/// were expected at, in any order; those before `member_since` or after `on` are ignored.
///
/// Each month with records is one of:
/// - attended (any `Present`): the streak stops;
/// - excused (only `Leave`): the streak stops — a reason was given, so the months around it are
///   not consecutive months *without reason*;
/// - missed (no `Present`, at least one `Absent`): counts one month, however many meetings.
///
/// A month without records (nothing held that the member was expected at, including the current
/// month before its meetings) neither counts nor stops the streak: the member is not blamed for a
/// branch that held nothing, and a branch that stops meeting must not wipe its members' streaks.
pub fn absence_streak(records: &[(Date, Attendance)], member_since: Date, on: Date) -> u32 {
    #[derive(Default)]
    struct Month {
        present: bool,
        absent: bool,
    }
    let mut months: BTreeMap<(i32, u32), Month> = BTreeMap::new();
    for &(day, attendance) in records.iter().filter(|(day, _)| member_since <= *day && *day <= on) {
        let month = months.entry((day.year(), day.month())).or_default();
        match attendance {
            Attendance::Present => month.present = true,
            Attendance::Absent => month.absent = true,
            // A month of leave alone is neither present nor absent, which stops the streak below.
            Attendance::Leave => {}
        }
    }
    let missed = months.values().rev().take_while(|m| m.absent && !m.present).count();
    u32::try_from(missed).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date;
    use Attendance::*;

    fn d(s: &str) -> Date {
        date::parse(s).unwrap()
    }

    fn monthly(attendance: Attendance, months: &[&str]) -> Vec<(Date, Attendance)> {
        months.iter().map(|m| (d(&format!("{m}-10")), attendance)).collect()
    }

    const FIRST_HALF: [&str; 6] = ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"];

    fn streak(records: &[(Date, Attendance)], on: &str) -> u32 {
        absence_streak(records, d("2000-01-01"), d(on))
    }

    #[test]
    fn six_months_absent_without_reason_reaches_the_partys_threshold() {
        let records = monthly(Absent, &FIRST_HALF);
        assert_eq!(streak(&records, "2024-06-30"), 6);
        assert_eq!(absence_level(streak(&records, "2024-06-30")), Some(AbsenceLevel::SixMonths));
        assert_eq!(streak(&records, "2024-06-09"), 5);
        assert_eq!(streak(&records, "2024-06-10"), 6);
        assert_eq!(streak(&[], "2024-06-30"), 0);
    }

    #[test]
    fn attending_once_in_a_month_ends_the_streak_there() {
        let mut records = monthly(Absent, &FIRST_HALF);
        records.push((d("2024-04-20"), Present));
        assert_eq!(streak(&records, "2024-06-30"), 2);
        records.push((d("2024-06-01"), Present));
        assert_eq!(streak(&records, "2024-06-30"), 0);
    }

    #[test]
    fn a_month_of_leave_only_ends_the_streak_but_leave_beside_an_absence_does_not() {
        let mut records = monthly(Absent, &["2024-01", "2024-02", "2024-04", "2024-05", "2024-06"]);
        records.push((d("2024-03-10"), Leave));
        assert_eq!(streak(&records, "2024-06-30"), 3);
        records.push((d("2024-03-20"), Absent));
        assert_eq!(streak(&records, "2024-06-30"), 6);
    }

    #[test]
    fn a_month_with_nothing_to_attend_neither_counts_nor_breaks_the_streak() {
        let records = monthly(Absent, &["2024-01", "2024-02", "2024-04"]);
        assert_eq!(streak(&records, "2024-04-30"), 3);
        // Nor does the current month before anything has been held in it.
        assert_eq!(streak(&monthly(Absent, &FIRST_HALF[..5]), "2024-06-01"), 5);
    }

    #[test]
    fn months_are_counted_not_meetings_across_the_year_end_and_the_leap_day() {
        let records = [
            (d("2024-01-31"), Absent),
            (d("2024-02-29"), Absent),
            (d("2024-03-01"), Absent),
            (d("2024-03-31"), Absent),
        ];
        assert_eq!(streak(&records, "2024-03-31"), 3);
        let records = [(d("2025-01-01"), Absent), (d("2024-12-31"), Absent), (d("2024-11-30"), Absent)];
        assert_eq!(streak(&records, "2025-01-01"), 3);
    }

    #[test]
    fn only_the_months_of_membership_up_to_the_evaluation_day_count() {
        let records = monthly(Absent, &["2023-11", "2023-12", "2024-01", "2024-02", "2024-03", "2024-04"]);
        assert_eq!(absence_streak(&records, d("2024-01-10"), d("2024-04-30")), 4);
        assert_eq!(absence_streak(&records, d("2024-01-11"), d("2024-04-30")), 3);
        let mut later = records.clone();
        later.push((d("2024-05-10"), Present));
        assert_eq!(absence_streak(&later, d("2020-01-01"), d("2024-04-30")), 6);
    }

    #[test]
    fn levels_begin_at_three_five_and_six_months() {
        let levels: Vec<_> = (0..=8).map(absence_level).collect();
        use AbsenceLevel::*;
        assert_eq!(
            levels,
            [
                None,
                None,
                None,
                Some(ThreeMonths),
                Some(ThreeMonths),
                Some(FiveMonths),
                Some(SixMonths),
                Some(SixMonths),
                Some(SixMonths)
            ]
        );
        assert_eq!(absence_level(u32::MAX), Some(SixMonths));
        assert!(SixMonths.label().contains("自行脱党"));
    }
}
