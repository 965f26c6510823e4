//! The questions both SQL engines answer about an exported dataset, and their answers.
//!
//! The statistics engine exports `orgs.csv`, `members.csv` and `past.csv` (see `ARCHITECTURE.md`);
//! PostgreSQL ([`super::postgres`]) and DuckDB ([`super::duckdb`]) load them and answer the same
//! list of [`Question`]s, so [`super::compare`] can set their times and counts side by side.
//!
//! Counting semantics shared by every engine: a member is counted in the subtree `[lo, hi)` on
//! date D through their current membership (`lo <= org_pos < hi AND since <= D`) and through each
//! past membership (`lo <= org_pos < hi AND valid_from <= D < valid_to`), and only when their
//! status is `active` or `suspended`. The export has no status history, so today's status stands
//! for every date.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One question about the subtree `[lo, hi)` of pre-order positions on the date `on`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub name: String,
    pub lo: u32,
    pub hi: u32,
    /// `YYYY-MM-DD`.
    pub on: String,
    pub ask: Ask,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ask {
    /// The total and the counts by every dimension in [`DIMENSIONS`].
    Dashboard,
    /// How many counted members match every given condition (`education_in` empty = any).
    Count { sex: Option<String>, education_in: Vec<String>, age_max: Option<i32> },
}

/// The dashboard's dimensions, as they appear in the keys of [`Answer::counts`].
pub const DIMENSIONS: [&str; 10] =
    ["sex", "minority", "education", "age_band", "join_period", "occupation", "kind", "status", "floating", "sector"];

/// Upper bounds of the age bands below `ge61`: an age at most `AGE_BANDS[i].0` is in band
/// `AGE_BANDS[i].1` unless it belongs to an earlier band.
pub const AGE_BANDS: [(i32, &str); 7] =
    [(30, "le30"), (35, "31_35"), (40, "36_40"), (45, "41_45"), (50, "46_50"), (55, "51_55"), (60, "56_60")];
pub const OLDEST_AGE_BAND: &str = "ge61";

/// Join periods: joined before `JOIN_PERIODS[i].0` and not in an earlier period.
pub const JOIN_PERIODS: [(&str, &str); 3] =
    [("1949-10-01", "before_1949_10"), ("1978-12-18", "to_1978_12"), ("2012-11-08", "to_2012_11")];
pub const LATEST_JOIN_PERIOD: &str = "since_2012_11";

/// One question's answer from one engine.
///
/// `counts` keys are `"total"` and, for a dashboard, `"dimension=code"` with the code as it
/// appears in the CSV (`"sex=female"`, `"minority=1"`, `"age_band=le30"`, `"kind=full"`). Zero
/// counts may be left out; [`super::compare`] reads a missing key as zero.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    pub name: String,
    /// Wall-clock time of each timed repetition (the warm-up run is not included).
    pub millis: Vec<f64>,
    pub counts: BTreeMap<String, u64>,
}

impl Answer {
    /// Median of the repetitions; `NaN` when there were none.
    pub fn median_millis(&self) -> f64 {
        let mut v = self.millis.clone();
        v.sort_by(f64::total_cmp);
        match v.len() {
            0 => f64::NAN,
            n if n % 2 == 1 => v[n / 2],
            n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
        }
    }
}

/// The latest birth date of someone at least `years` old on `on`.
///
/// Age is in full years (see `qiangji_domain::date::age_on`), so `age >= years` exactly when the
/// birth date is on or before `on` moved back `years` years, with 29 February moved back into a
/// common year read as 28 February (someone born on 1 March is not yet a year older on 29
/// February). Comparing the birth date column with these dates is cheaper in both databases than
/// computing each member's age, and avoids DuckDB's `date_diff('year', …)`, which counts year
/// boundaries rather than full years.
pub fn born_by(on: NaiveDate, years: i32) -> NaiveDate {
    let y = on.year() - years;
    NaiveDate::from_ymd_opt(y, on.month(), on.day())
        .or_else(|| NaiveDate::from_ymd_opt(y, on.month(), on.day() - 1))
        .expect("only 29 February can be missing in another year")
}

/// Parses the question's date.
pub fn parse_on(q: &Question) -> Result<NaiveDate, String> {
    qiangji_domain::date::parse(&q.on).ok_or_else(|| format!("问题“{}”的日期“{}”不是 YYYY-MM-DD", q.name, q.on))
}

/// Codes are spliced into SQL text (literals give the planner exact selectivities), so they are
/// restricted to what the code sets use.
pub fn check_code(code: &str) -> Result<&str, String> {
    if !code.is_empty() && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        Ok(code)
    } else {
        Err(format!("代码“{code}”只能由字母、数字和下划线组成"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use qiangji_domain::date::{age_on, parse};

    #[test]
    fn born_by_agrees_with_age_on_around_birthdays_and_leap_days() {
        let days = ["2024-02-28", "2024-02-29", "2024-03-01", "2023-02-28", "2023-03-01", "2026-11-23", "2025-12-31"];
        let births = ["2000-02-29", "2001-02-28", "2001-03-01", "1993-02-28", "1995-11-23", "1995-11-24", "1962-01-01"];
        for on in days.map(|d| parse(d).unwrap()) {
            for born in births.map(|d| parse(d).unwrap()) {
                for years in [18, 22, 23, 24, 30, 31, 61, 64] {
                    assert_eq!(born <= born_by(on, years), age_on(born, on) >= years, "{born} on {on}, {years} years");
                }
            }
        }
    }

    #[test]
    fn questions_read_as_plain_json() {
        let q: Vec<Question> = serde_json::from_str(
            r#"[{"name":"a","lo":0,"hi":9,"on":"2026-01-01","ask":"dashboard"},
                {"name":"b","lo":1,"hi":2,"on":"2026-01-01",
                 "ask":{"count":{"sex":"female","education_in":["college"],"age_max":35}}}]"#,
        )
        .unwrap();
        assert_eq!(q[0].ask, Ask::Dashboard);
        assert_eq!(
            q[1].ask,
            Ask::Count { sex: Some("female".into()), education_in: vec!["college".into()], age_max: Some(35) }
        );
    }

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        let a = |m: &[f64]| Answer { name: String::new(), millis: m.to_vec(), counts: BTreeMap::new() };
        assert_eq!(a(&[3.0, 1.0, 2.0]).median_millis(), 2.0);
        assert_eq!(a(&[4.0, 1.0, 2.0, 3.0]).median_millis(), 2.5);
        assert!(a(&[]).median_millis().is_nan());
    }
}
