//! Random draws used throughout the generator: weighted choices, skewed sizes and dates.
//!
//! Everything takes the one `SmallRng` of a generation run, so that a seed fixes the dataset.

use chrono::{Datelike, NaiveDate};
use qiangji_domain::Date;
use rand::Rng;
use rand::rngs::SmallRng;

/// True with probability `p` (a `p` above 1 is always true, below 0 never, so calibrated weights may overshoot).
pub(crate) fn chance(rng: &mut SmallRng, p: f64) -> bool {
    rng.random::<f64>() < p
}

/// A uniformly chosen element of a non-empty slice.
pub(crate) fn pick<'a, T>(rng: &mut SmallRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// A uniformly chosen string of a non-empty list of literals.
pub(crate) fn pick_str(rng: &mut SmallRng, items: &[&'static str]) -> &'static str {
    items[rng.random_range(0..items.len())]
}

/// An index drawn with probability proportional to `weights` (at least one must be positive).
pub(crate) fn weighted(rng: &mut SmallRng, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut x = rng.random::<f64>() * total;
    let mut last = 0;
    for (i, &w) in weights.iter().enumerate() {
        if w <= 0.0 {
            continue;
        }
        if x < w {
            return i;
        }
        x -= w;
        last = i;
    }
    // Only reached through rounding at the very end of the range.
    last
}

/// An element of `(item, weight)` pairs drawn by weight.
pub(crate) fn pick_weighted<T: Copy>(rng: &mut SmallRng, items: &[(T, f64)]) -> T {
    let total: f64 = items.iter().map(|(_, w)| w).sum();
    let mut x = rng.random::<f64>() * total;
    for &(item, w) in items {
        if x < w {
            return item;
        }
        x -= w;
    }
    items[items.len() - 1].0
}

/// A long weighted table sampled by binary search (surnames, for instance, are drawn half a million times).
pub(crate) struct Cumulative<T: 'static> {
    items: &'static [(T, f64)],
    bounds: Vec<f64>,
}

impl<T: Copy> Cumulative<T> {
    pub(crate) fn new(items: &'static [(T, f64)]) -> Self {
        let mut acc = 0.0;
        let bounds = items
            .iter()
            .map(|(_, w)| {
                acc += w;
                acc
            })
            .collect();
        Cumulative { items, bounds }
    }

    pub(crate) fn sample(&self, rng: &mut SmallRng) -> T {
        let total = *self.bounds.last().expect("non-empty table");
        let x = rng.random::<f64>() * total;
        let i = self.bounds.partition_point(|&b| b <= x).min(self.items.len() - 1);
        self.items[i].0
    }
}

/// A standard normal draw (Box–Muller; `rand_distr` is deliberately not a dependency).
pub(crate) fn normal(rng: &mut SmallRng) -> f64 {
    let u1 = 1.0 - rng.random::<f64>(); // in (0, 1], so the logarithm is finite
    let u2 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// A right-skewed positive size: half the draws fall below `median`, a few far above it.
pub(crate) fn skewed(rng: &mut SmallRng, median: f64, sigma: f64, min: u32, max: u32) -> u32 {
    let x = median * (sigma * normal(rng)).exp();
    (x.round() as u32).clamp(min, max)
}

/// A uniform real in `lo..hi`.
pub(crate) fn uniform(rng: &mut SmallRng, lo: f64, hi: f64) -> f64 {
    lo + rng.random::<f64>() * (hi - lo)
}

/// Day number of a date, for cheap arithmetic and comparisons.
pub(crate) fn day_number(d: Date) -> i32 {
    d.num_days_from_ce()
}

pub(crate) fn from_day_number(n: i32) -> Date {
    NaiveDate::from_num_days_from_ce_opt(n).expect("day number within chrono's range")
}

/// A uniform date in `lo..=hi`; `lo` when the range is empty.
pub(crate) fn date_between(rng: &mut SmallRng, lo: Date, hi: Date) -> Date {
    let (a, b) = (day_number(lo), day_number(hi));
    if b <= a { lo } else { from_day_number(rng.random_range(a..=b)) }
}

/// The date `years` (fractional) before `d`.
pub(crate) fn years_before(d: Date, years: f64) -> Date {
    from_day_number(day_number(d) - (years * 365.25).round() as i32)
}

/// The date `days` after `d` (negative goes back).
pub(crate) fn add_days(d: Date, days: i32) -> Date {
    from_day_number(day_number(d) + days)
}

/// `YYYY-MM-DD`, the form the domain's input structs expect. Written digit by digit because it runs
/// millions of times and `format!` is slow in debug builds.
pub(crate) fn iso(d: Date) -> String {
    let mut s = String::with_capacity(10);
    push_digits(&mut s, d.year().unsigned_abs(), 4);
    s.push('-');
    push_digits(&mut s, d.month(), 2);
    s.push('-');
    push_digits(&mut s, d.day(), 2);
    s
}

/// Appends the last `width` decimal digits of `n`, zero-padded.
pub(crate) fn push_digits(s: &mut String, n: u32, width: u32) {
    for i in (0..width).rev() {
        s.push(char::from(b'0' + (n / 10u32.pow(i) % 10) as u8));
    }
}

/// 一, 二, … 九十九: ordinals in organization names ("第十二支部").
pub(crate) fn chinese_number(n: u32) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    debug_assert!((1..100).contains(&n), "ordinals up to 99 are enough for branches");
    let (tens, ones) = (n / 10, n % 10);
    let mut s = String::new();
    if tens > 1 {
        s.push_str(DIGITS[tens as usize]);
    }
    if tens > 0 {
        s.push('十');
    }
    if ones > 0 {
        s.push_str(DIGITS[ones as usize]);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals_read_as_in_chinese() {
        assert_eq!(chinese_number(1), "一");
        assert_eq!(chinese_number(10), "十");
        assert_eq!(chinese_number(12), "十二");
        assert_eq!(chinese_number(20), "二十");
        assert_eq!(chinese_number(47), "四十七");
    }
}
