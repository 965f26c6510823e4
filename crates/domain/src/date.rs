//! Calendar dates in China Standard Time (UTC+8, no daylight saving).

use chrono::{Datelike, FixedOffset, NaiveDate, Utc};

pub type Date = NaiveDate;

/// China Standard Time.
pub fn cst() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

/// Today's date in China, which is what every "no future dates" rule means.
pub fn today() -> Date {
    Utc::now().with_timezone(&cst()).date_naive()
}

/// Parses `YYYY-MM-DD`.
pub fn parse(s: &str) -> Option<Date> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// Whole years from `born` to `on` (the age on that day).
pub fn age_on(born: Date, on: Date) -> i32 {
    let mut years = on.year() - born.year();
    if (on.month(), on.day()) < (born.month(), born.day()) {
        years -= 1;
    }
    years
}

/// The day someone born on `born` turns `years` old (29 February → 1 March in common years).
pub fn birthday(born: Date, years: i32) -> Date {
    let y = born.year() + years;
    NaiveDate::from_ymd_opt(y, born.month(), born.day())
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(y, 3, 1).expect("1 March exists"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        parse(s).unwrap()
    }

    #[test]
    fn age_counts_a_birthday_only_once_it_has_come() {
        assert_eq!(age_on(d("2000-06-15"), d("2018-06-14")), 17);
        assert_eq!(age_on(d("2000-06-15"), d("2018-06-15")), 18);
    }

    #[test]
    fn a_leap_day_birthday_falls_on_first_of_march_in_common_years() {
        assert_eq!(birthday(d("2004-02-29"), 18), d("2022-03-01"));
        assert_eq!(birthday(d("2004-02-29"), 20), d("2024-02-29"));
    }

    #[test]
    fn parse_refuses_impossible_dates() {
        assert!(parse("2023-02-30").is_none());
        assert!(parse("2023/02/01").is_none());
        assert_eq!(parse(" 2023-02-01 "), Some(d("2023-02-01")));
    }
}
