//! The dimensions a member is counted by, their values, and conditions over any combination of
//! them. Every dimension's values are small integers (`0..size`), so a tally is an array and a
//! condition is one bitmask per dimension.

use crate::day::Day;
use qiangji_domain::Date;
use qiangji_domain::member::{AgeBand, Education, JoinPeriod, MemberKind, MemberStatus, Occupation, Sex};
use qiangji_domain::org::Sector;

/// A dimension of the 党内统计公报's member tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dim {
    Sex,
    Ethnicity,
    Education,
    AgeBand,
    JoinPeriod,
    Occupation,
    Kind,
    Status,
    Floating,
    Sector,
}

/// The statuses of counted members: only these hold a membership.
const COUNTED_STATUS: [MemberStatus; 2] = [MemberStatus::Active, MemberStatus::Suspended];

impl Dim {
    pub const ALL: [Dim; 10] = [
        Dim::Kind,
        Dim::Sex,
        Dim::Ethnicity,
        Dim::Education,
        Dim::AgeBand,
        Dim::JoinPeriod,
        Dim::Occupation,
        Dim::Status,
        Dim::Floating,
        Dim::Sector,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Dim::Sex => "sex",
            Dim::Ethnicity => "ethnicity",
            Dim::Education => "education",
            Dim::AgeBand => "age_band",
            Dim::JoinPeriod => "join_period",
            Dim::Occupation => "occupation",
            Dim::Kind => "kind",
            Dim::Status => "status",
            Dim::Floating => "floating",
            Dim::Sector => "sector",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Dim::Sex => "性别",
            Dim::Ethnicity => "民族",
            Dim::Education => "学历",
            Dim::AgeBand => "年龄",
            Dim::JoinPeriod => "入党时间",
            Dim::Occupation => "职业",
            Dim::Kind => "党员类别",
            Dim::Status => "党籍状态",
            Dim::Floating => "流动党员",
            Dim::Sector => "所在领域",
        }
    }

    pub fn parse(code: &str) -> Option<Dim> {
        Dim::ALL.into_iter().find(|d| d.code() == code)
    }

    /// Where this dimension's counts start in a [`crate::Tally`]'s flat array (literal: this is on
    /// the path of every counted member).
    pub(crate) fn offset(self) -> usize {
        match self {
            Dim::Kind => 0,
            Dim::Sex => 2,
            Dim::Ethnicity => 4,
            Dim::Education => 6,
            Dim::AgeBand => 12,
            Dim::JoinPeriod => 20,
            Dim::Occupation => 24,
            Dim::Status => 32,
            Dim::Floating => 34,
            Dim::Sector => 36,
        }
    }

    pub fn size(self) -> usize {
        self.values().len()
    }

    /// `(code, label)` of each value, in index order.
    pub fn values(self) -> Vec<(&'static str, &'static str)> {
        fn of<T: Copy>(
            all: &[T],
            code: fn(T) -> &'static str,
            label: fn(T) -> &'static str,
        ) -> Vec<(&'static str, &'static str)> {
            all.iter().map(|&v| (code(v), label(v))).collect()
        }
        match self {
            Dim::Sex => of(Sex::ALL, Sex::code, Sex::label),
            Dim::Ethnicity => vec![("han", "汉族"), ("minority", "少数民族")],
            Dim::Education => of(Education::ALL, Education::code, Education::label),
            Dim::AgeBand => of(AgeBand::ALL, AgeBand::code, AgeBand::label),
            Dim::JoinPeriod => of(JoinPeriod::ALL, JoinPeriod::code, JoinPeriod::label),
            Dim::Occupation => of(Occupation::ALL, Occupation::code, Occupation::label),
            Dim::Kind => of(MemberKind::ALL, MemberKind::code, MemberKind::label),
            Dim::Status => of(&COUNTED_STATUS, MemberStatus::code, MemberStatus::label),
            Dim::Floating => vec![("no", "非流动党员"), ("yes", "流动党员")],
            Dim::Sector => of(Sector::ALL, Sector::code, Sector::label),
        }
    }

    /// The index of the value spelt `code`.
    pub fn value_of(self, code: &str) -> Option<u8> {
        self.values().iter().position(|&(c, _)| c == code).map(|i| i as u8)
    }
}

/// Size of a tally's flat array: the sum of all dimensions' sizes.
pub(crate) const VALUES: usize = 2 + 2 + 6 + 8 + 4 + 8 + 2 + 2 + 2 + 9;

/// What is known of a member counted on a date: packed attributes and the facts of that day.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Seen {
    pub id: u32,
    pub attrs: u16,
    pub born: Day,
    pub joined: Day,
    pub kind: u8,
    pub status: u8,
    pub sector: u8,
}

/// Bit layout of the packed attributes (see `engine::rows`).
pub(crate) mod bits {
    pub const SEX: u16 = 0;
    pub const MINORITY: u16 = 1;
    pub const EDUCATION: u16 = 2;
    pub const OCCUPATION: u16 = 5;
    pub const STATUS: u16 = 8;
    pub const FLOATING: u16 = 11;
    /// The row was superseded by a newer one of the same member.
    pub const GONE: u16 = 12;
    /// The member's kind/status history is not the plain one implied by the dates.
    pub const IRREGULAR: u16 = 13;

    pub fn get(attrs: u16, at: u16, width: u16) -> u8 {
        ((attrs >> at) & ((1 << width) - 1)) as u8
    }
}

/// Per-date thresholds, so that a member's age band and join period are a few comparisons.
#[derive(Debug, Clone)]
pub(crate) struct Probe {
    pub on: Day,
    /// `born <= age_at[k]` ⇔ aged at least 31, 36, …, 61 on `on`.
    age_at: [Day; 7],
    /// `joined >= join_from[k]` ⇔ joined in period k+1 or later.
    join_from: [Day; 3],
}

impl Probe {
    pub fn new(on: Date) -> Probe {
        use chrono::Datelike;
        let day = |d: Date| Day::of(d).unwrap_or(if d.year() < 1900 { Day(0) } else { Day::OPEN });
        // Aged ≥ a on `on` ⇔ born on or before the same month-day a years earlier; when that is
        // 29 February of a common year, no one is born on it, so the 28th is the same bound.
        let back = |years: i32| {
            let y = on.year() - years;
            Date::from_ymd_opt(y, on.month(), on.day()).unwrap_or_else(|| Date::from_ymd_opt(y, 2, 28).expect("valid"))
        };
        let age_at = [31, 36, 41, 46, 51, 56, 61].map(|a| day(back(a)));
        let bound = |y, m, d| day(Date::from_ymd_opt(y, m, d).expect("valid boundary"));
        let join_from = [bound(1949, 10, 1), bound(1978, 12, 18), bound(2012, 11, 8)];
        Probe { on: day(on), age_at, join_from }
    }

    pub fn age_band(&self, born: Day) -> u8 {
        self.age_at.iter().map(|&t| u8::from(born <= t)).sum()
    }

    pub fn join_period(&self, joined: Day) -> u8 {
        self.join_from.iter().map(|&t| u8::from(joined >= t)).sum()
    }
}

impl Seen {
    pub fn value(&self, dim: Dim, probe: &Probe) -> u8 {
        use bits::get;
        match dim {
            Dim::Sex => get(self.attrs, bits::SEX, 1),
            Dim::Ethnicity => get(self.attrs, bits::MINORITY, 1),
            Dim::Education => get(self.attrs, bits::EDUCATION, 3),
            Dim::AgeBand => probe.age_band(self.born),
            Dim::JoinPeriod => probe.join_period(self.joined),
            Dim::Occupation => get(self.attrs, bits::OCCUPATION, 3),
            Dim::Kind => self.kind,
            Dim::Status => self.status,
            Dim::Floating => get(self.attrs, bits::FLOATING, 1),
            Dim::Sector => self.sector,
        }
    }
}

/// A condition over any combination of dimensions: for each, the set of values allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    terms: Vec<(Dim, u16)>,
}

impl Default for Condition {
    fn default() -> Self {
        Condition::all()
    }
}

impl Condition {
    /// No restriction.
    pub fn all() -> Condition {
        Condition { terms: Vec::new() }
    }

    /// Also requires `dim` to take one of `values` (value indexes); repeated dims intersect.
    pub fn and(mut self, dim: Dim, values: &[u8]) -> Condition {
        let mask = values.iter().fold(0u16, |m, &v| m | (1 << v));
        match self.terms.iter_mut().find(|(d, _)| *d == dim) {
            Some((_, m)) => *m &= mask,
            None => self.terms.push((dim, mask)),
        }
        self
    }

    pub fn is_all(&self) -> bool {
        self.terms.is_empty()
    }

    /// The values of `dim` allowed, as a bit mask (all ones when `dim` is not restricted).
    pub(crate) fn mask(&self, dim: Dim) -> u16 {
        self.terms.iter().find(|(d, _)| *d == dim).map_or(u16::MAX, |&(_, m)| m)
    }

    /// `(dim, value indexes)` of each restriction.
    pub fn terms(&self) -> impl Iterator<Item = (Dim, Vec<u8>)> + '_ {
        self.terms.iter().map(|&(d, m)| (d, (0..16u8).filter(|v| m & (1 << v) != 0).collect()))
    }

    pub(crate) fn matches(&self, seen: &Seen, probe: &Probe) -> bool {
        self.terms.iter().all(|&(d, m)| m & (1 << seen.value(d, probe)) != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use qiangji_domain::date::{age_on, parse};

    #[test]
    fn sizes_add_up_and_offsets_do_not_overlap() {
        assert_eq!(Dim::ALL.iter().map(|d| d.size()).sum::<usize>(), VALUES);
        let offsets: Vec<_> = Dim::ALL.iter().map(|d| (d.offset(), d.size())).collect();
        assert_eq!(offsets[0].0, 0);
        for w in offsets.windows(2) {
            assert_eq!(w[0].0 + w[0].1, w[1].0, "offsets follow Dim::ALL without gaps");
        }
        for d in Dim::ALL {
            assert_eq!(Dim::parse(d.code()), Some(d));
            assert!(d.size() <= 16, "a condition mask is 16 bits");
        }
    }

    #[test]
    fn probe_age_bands_equal_the_domain_rule_on_every_edge() {
        // Birthdays on the probe date, a day either side, and 29 February on a common year's date.
        for on in ["2026-11-23", "2025-02-28", "2024-02-29", "2025-03-01", "2000-01-01"] {
            let on = parse(on).unwrap();
            let probe = Probe::new(on);
            for years in 25..70 {
                for shift in -2..=2 {
                    let born = qiangji_domain::date::birthday(on, -years) + chrono::Duration::days(shift);
                    let want = AgeBand::of_age(age_on(born, on)).index();
                    assert_eq!(probe.age_band(Day::of(born).unwrap()), want, "born {born} on {on}");
                }
            }
            for born in ["1960-02-29", "1964-02-29", "1991-02-28", "1991-03-01"] {
                let born = parse(born).unwrap();
                let want = AgeBand::of_age(age_on(born, on)).index();
                assert_eq!(probe.age_band(Day::of(born).unwrap()), want, "born {born} on {on}");
            }
        }
    }

    #[test]
    fn probe_join_periods_equal_the_domain_rule() {
        let probe = Probe::new(parse("2026-11-23").unwrap());
        for s in ["1949-09-30", "1949-10-01", "1978-12-17", "1978-12-18", "2012-11-07", "2012-11-08", "2020-01-01"] {
            let d = parse(s).unwrap();
            assert_eq!(probe.join_period(Day::of(d).unwrap()), JoinPeriod::of(d).index(), "{s}");
        }
    }

    #[test]
    fn conditions_combine_dimensions_and_intersect_repeats() {
        let probe = Probe::new(parse("2026-11-23").unwrap());
        let woman = Seen { id: 1, attrs: 1, born: Day(40000), joined: Day(40000), kind: 0, status: 0, sector: 2 };
        let c = Condition::all().and(Dim::Sex, &[1]).and(Dim::Sector, &[1, 2]);
        assert!(c.matches(&woman, &probe));
        assert!(!c.clone().and(Dim::Sector, &[1]).matches(&woman, &probe));
        assert!(!Condition::all().and(Dim::Sex, &[0]).matches(&woman, &probe));
        assert!(Condition::all().matches(&woman, &probe));
    }
}
