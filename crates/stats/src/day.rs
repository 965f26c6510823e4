//! Calendar days packed into 16 bits: the number of days since 1900-01-01. Every date a member
//! record carries (birth from 1900, joining from 1921, up to 2079) fits, and 2 bytes a date is what
//! lets the engine hold 99 million members in memory.

use qiangji_domain::Date;

/// Days since 1900-01-01; [`Day::OPEN`] stands for "not yet" (an open end, no 转正 date).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub(crate) u16);

fn epoch() -> Date {
    Date::from_ymd_opt(1900, 1, 1).expect("valid epoch")
}

impl Day {
    /// Later than every representable date.
    pub const OPEN: Day = Day(u16::MAX);

    /// The day of `d`, or `None` outside 1900-01-01..=2079-06-05 (the day after is `OPEN`).
    pub fn of(d: Date) -> Option<Day> {
        let n = (d - epoch()).num_days();
        u16::try_from(n).ok().filter(|&n| n != u16::MAX).map(Day)
    }

    /// An optional end date: `None` is open.
    pub fn of_end(d: Option<Date>) -> Option<Day> {
        match d {
            Some(d) => Day::of(d),
            None => Some(Day::OPEN),
        }
    }

    pub fn date(self) -> Option<Date> {
        (self != Day::OPEN).then(|| epoch() + chrono::Duration::days(i64::from(self.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use qiangji_domain::date::parse;

    #[test]
    fn days_round_trip_and_keep_order() {
        for s in ["1900-01-01", "1921-07-01", "2000-02-29", "2026-11-23", "2079-06-05"] {
            let d = parse(s).unwrap();
            assert_eq!(Day::of(d).unwrap().date(), Some(d), "{s}");
        }
        assert!(Day::of(parse("1999-12-31").unwrap()) < Day::of(parse("2000-01-01").unwrap()));
        assert!(Day::of(parse("2079-06-06").unwrap()).is_none(), "the last value is reserved for OPEN");
        assert!(Day::of(parse("1899-12-31").unwrap()).is_none());
        assert_eq!(Day::of_end(None), Some(Day::OPEN));
        assert_eq!(Day::OPEN.date(), None);
    }
}
