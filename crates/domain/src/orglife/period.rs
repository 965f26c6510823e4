//! Calendar periods of the rules: months, quarters, half-years and years, always aligned to the
//! calendar year (Q2 is April–June whatever day a branch was founded), because that is how the
//! documents and every supervising level count them.

use std::fmt;

use chrono::Datelike;

use crate::code_enum;
use crate::date::Date;

code_enum!(
    /// How often a rule's count starts over.
    Period, "period", {
    Month = ("month", "每月"),
    Quarter = ("quarter", "每季度"),
    HalfYear = ("half_year", "每半年"),
    Year = ("year", "每年"),
});

impl Period {
    /// Length in calendar months.
    pub fn months(self) -> u32 {
        match self {
            Period::Month => 1,
            Period::Quarter => 3,
            Period::HalfYear => 6,
            Period::Year => 12,
        }
    }

    /// The period of this kind that contains `day`.
    pub fn containing(self, day: Date) -> PeriodSpan {
        let len = self.months();
        let first_month = (day.month0() / len) * len + 1;
        let first_day = Date::from_ymd_opt(day.year(), first_month, 1).expect("the first of a month of `day`'s year");
        PeriodSpan { period: self, first_day }
    }

    /// Every period of this kind that shares at least one day with `from..=to`, in order; empty
    /// when `from` is after `to`.
    pub fn overlapping(self, from: Date, to: Date) -> Vec<PeriodSpan> {
        let mut out = Vec::new();
        if from > to {
            return out;
        }
        let mut span = Some(self.containing(from));
        while let Some(s) = span.filter(|s| s.first_day <= to) {
            out.push(s);
            span = s.next();
        }
        out
    }
}

/// One concrete period, such as 2024年第1季度.
///
/// Invariant: `first_day` is the first day of a period of kind `period`; the only constructor is
/// [`Period::containing`] (and [`PeriodSpan::next`], which goes through it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PeriodSpan {
    period: Period,
    first_day: Date,
}

impl PeriodSpan {
    pub fn period(self) -> Period {
        self.period
    }

    pub fn first_day(self) -> Date {
        self.first_day
    }

    /// The last day, which is also the day the period's meetings are due by.
    pub fn last_day(self) -> Date {
        // Computed inside the year rather than as "next period minus one day", so that it cannot
        // overflow even in the last year chrono can represent.
        let year = self.first_day.year();
        let last_month = self.first_day.month() + self.period.months() - 1;
        if last_month == 12 {
            Date::from_ymd_opt(year, 12, 31).expect("31 December of a representable year")
        } else {
            Date::from_ymd_opt(year, last_month + 1, 1)
                .and_then(|d| d.pred_opt())
                .expect("the day before the first of a later month in the same year")
        }
    }

    /// The period right after this one; `None` only past the last date chrono can represent.
    pub fn next(self) -> Option<PeriodSpan> {
        self.last_day().succ_opt().map(|d| self.period.containing(d))
    }

    pub fn contains(self, day: Date) -> bool {
        self.first_day <= day && day <= self.last_day()
    }
}

/// Chinese name of the period: 2024年2月, 2024年第1季度, 2024年上半年, 2024年.
impl fmt::Display for PeriodSpan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month) = (self.first_day.year(), self.first_day.month());
        match self.period {
            Period::Month => write!(f, "{year}年{month}月"),
            Period::Quarter => write!(f, "{year}年第{}季度", month.div_ceil(3)),
            Period::HalfYear if month == 1 => write!(f, "{year}年上半年"),
            Period::HalfYear => write!(f, "{year}年下半年"),
            Period::Year => write!(f, "{year}年"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date;

    fn d(s: &str) -> Date {
        date::parse(s).unwrap()
    }

    fn span(p: Period, day: &str) -> (Date, Date) {
        let s = p.containing(d(day));
        (s.first_day(), s.last_day())
    }

    #[test]
    fn quarter_boundaries_split_exactly_between_the_last_and_first_days() {
        use Period::*;
        assert_eq!(span(Quarter, "2025-03-31"), (d("2025-01-01"), d("2025-03-31")));
        assert_eq!(span(Quarter, "2025-04-01"), (d("2025-04-01"), d("2025-06-30")));
        assert_eq!(span(Quarter, "2025-06-30"), (d("2025-04-01"), d("2025-06-30")));
        assert_eq!(span(Quarter, "2025-07-01"), (d("2025-07-01"), d("2025-09-30")));
        assert_eq!(span(Quarter, "2025-12-31"), (d("2025-10-01"), d("2025-12-31")));
        assert_eq!(span(Quarter, "2026-01-01"), (d("2026-01-01"), d("2026-03-31")));
    }

    #[test]
    fn half_years_and_years_turn_over_on_the_first_of_july_and_of_january() {
        use Period::*;
        assert_eq!(span(HalfYear, "2025-06-30"), (d("2025-01-01"), d("2025-06-30")));
        assert_eq!(span(HalfYear, "2025-07-01"), (d("2025-07-01"), d("2025-12-31")));
        assert_eq!(span(HalfYear, "2025-12-31"), (d("2025-07-01"), d("2025-12-31")));
        assert_eq!(span(Year, "2025-12-31"), (d("2025-01-01"), d("2025-12-31")));
        assert_eq!(span(Year, "2026-01-01"), (d("2026-01-01"), d("2026-12-31")));
        assert_eq!(span(Month, "2025-12-31"), (d("2025-12-01"), d("2025-12-31")));
    }

    #[test]
    fn february_ends_on_the_29th_only_in_leap_years() {
        use Period::*;
        assert_eq!(span(Month, "2024-02-29"), (d("2024-02-01"), d("2024-02-29")));
        assert_eq!(span(Month, "2024-02-01").1, d("2024-02-29"));
        assert_eq!(span(Month, "2025-02-10").1, d("2025-02-28"));
        assert_eq!(span(Month, "2000-02-10").1, d("2000-02-29"));
        assert_eq!(span(Month, "2100-02-10").1, d("2100-02-28"));
        assert_eq!(span(Month, "2024-03-01").0, d("2024-03-01"));
        // The periods holding 29 February are one day longer than the same periods a year later.
        for (p, days_2024, days_2025) in [(Quarter, 91, 90), (HalfYear, 182, 181), (Year, 366, 365)] {
            let length = |day: &str| {
                let (first, last) = span(p, day);
                (last - first).num_days() + 1
            };
            assert_eq!((length("2024-02-29"), length("2025-02-28")), (days_2024, days_2025), "{p:?}");
        }
    }

    #[test]
    fn periods_tile_every_day_of_three_years_without_gap_or_overlap() {
        for &p in Period::ALL {
            let mut day = d("2023-01-01");
            while day <= d("2025-12-31") {
                let s = p.containing(day);
                assert!(s.contains(day), "{p:?} {day}");
                assert_eq!(s.first_day().day(), 1);
                assert_eq!(s.first_day().month0() % p.months(), 0);
                let next = s.next().unwrap();
                assert_eq!(next.first_day(), s.last_day().succ_opt().unwrap(), "{p:?} {day}");
                assert_eq!(p.containing(s.last_day()), s);
                assert!(!s.contains(next.first_day()));
                day = day.succ_opt().unwrap();
            }
        }
    }

    #[test]
    fn next_crosses_the_year_end() {
        let next = |p: Period, day: &str| p.containing(d(day)).next().unwrap().first_day();
        assert_eq!(next(Period::Month, "2024-12-15"), d("2025-01-01"));
        assert_eq!(next(Period::Quarter, "2024-11-30"), d("2025-01-01"));
        assert_eq!(next(Period::HalfYear, "2024-07-01"), d("2025-01-01"));
        assert_eq!(next(Period::HalfYear, "2024-06-30"), d("2024-07-01"));
        assert_eq!(next(Period::Year, "2024-02-29"), d("2025-01-01"));
    }

    #[test]
    fn the_last_representable_period_has_no_next_and_does_not_panic() {
        let s = Period::Quarter.containing(Date::MAX);
        assert_eq!(s.last_day(), Date::MAX);
        assert_eq!(s.next(), None);
        assert_eq!(Period::Year.overlapping(Date::MAX, Date::MAX).len(), 1);
    }

    #[test]
    fn overlapping_lists_every_period_sharing_a_day_with_the_range() {
        let firsts = |p: Period, from: &str, to: &str| -> Vec<Date> {
            p.overlapping(d(from), d(to)).into_iter().map(PeriodSpan::first_day).collect()
        };
        assert_eq!(firsts(Period::Month, "2024-02-29", "2024-03-01"), [d("2024-02-01"), d("2024-03-01")]);
        assert_eq!(firsts(Period::Quarter, "2024-12-31", "2025-01-01"), [d("2024-10-01"), d("2025-01-01")]);
        assert_eq!(firsts(Period::Quarter, "2024-04-01", "2024-06-30"), [d("2024-04-01")]);
        assert_eq!(firsts(Period::Quarter, "2024-03-31", "2024-07-01").len(), 3);
        assert_eq!(firsts(Period::HalfYear, "2024-01-01", "2025-12-31").len(), 4);
        assert_eq!(firsts(Period::Month, "2024-01-31", "2024-01-31"), [d("2024-01-01")]);
        assert_eq!(firsts(Period::Month, "2024-03-01", "2024-02-29"), []);
    }

    #[test]
    fn periods_are_named_the_way_officers_write_them() {
        let name = |p: Period, day: &str| p.containing(d(day)).to_string();
        assert_eq!(name(Period::Month, "2024-02-29"), "2024年2月");
        assert_eq!(name(Period::Quarter, "2024-12-31"), "2024年第4季度");
        assert_eq!(name(Period::Quarter, "2024-04-01"), "2024年第2季度");
        assert_eq!(name(Period::HalfYear, "2024-06-30"), "2024年上半年");
        assert_eq!(name(Period::HalfYear, "2024-07-01"), "2024年下半年");
        assert_eq!(name(Period::Year, "2024-07-01"), "2024年");
    }
}
