//! The fast path of a scan. Almost every base row has a plain history (正常 throughout, kind
//! given by the 转正 date), so on a given day each of its dimensions is a comparison or a bit
//! field of its columns: a filtered count is a few ALU operations a row, and a tally is one
//! increment a row into a histogram over the joint key of every member dimension but the sector
//! (the sector belongs to the organization and is added once per organization). Irregular rows,
//! the delta area and earlier memberships keep the general path of [`super::visit`].

use super::Engine;
use crate::day::Day;
use crate::dim::{Condition, Dim, Probe, Seen, bits};
use crate::query::Bounds;
use crate::rollup::Tally;

/// The joint key of a plain row: sex, ethnicity, education, occupation (the low 8 attribute bits),
/// floating, age band, join period and kind. Status is 正常 for every plain row.
const KEY_BITS: u32 = 15;
const KEYS: usize = 1 << KEY_BITS;
/// The joint key of any counted member: a plain row's key and the status (正常 or 停止党籍) above it.
pub(crate) const STATUS_KEYS: usize = 2 * KEYS;

/// Where each dimension sits in a key: `(shift, width)`.
fn key_field(dim: Dim) -> Option<(u32, u32)> {
    match dim {
        Dim::Sex => Some((0, 1)),
        Dim::Ethnicity => Some((1, 1)),
        Dim::Education => Some((2, 3)),
        Dim::Occupation => Some((5, 3)),
        Dim::Floating => Some((8, 1)),
        Dim::AgeBand => Some((9, 3)),
        Dim::JoinPeriod => Some((12, 2)),
        Dim::Kind => Some((14, 1)),
        Dim::Status => Some((15, 1)),
        Dim::Sector => None,
    }
}

/// A key's value of `dim` (the sector is not in the key; a plain row's key has status 正常, 0).
fn key_value(key: usize, dim: Dim) -> u8 {
    key_field(dim).map_or(0, |(shift, width)| ((key >> shift) & ((1 << width) - 1)) as u8)
}

/// Scans of fewer base rows stay on one thread: at about 5 ns a row, a second thread's start
/// (tens of microseconds) pays off from here.
const SPLIT_MIN: u32 = 100_000;

/// The key of what a member counts as on the probe's day, status included.
pub(crate) fn key_of(s: &Seen, probe: &Probe) -> usize {
    compose(s.attrs, probe.age_band(s.born), probe.join_period(s.joined), s.kind) | usize::from(s.status) << KEY_BITS
}

/// The key of a plain row from its attributes and the day's values.
#[inline(always)]
fn compose(attrs: u16, band: u8, period: u8, kind: u8) -> usize {
    (attrs & 0xff) as usize
        | usize::from(bits::get(attrs, bits::FLOATING, 1)) << 8
        | usize::from(band) << 9
        | usize::from(period) << 12
        | usize::from(kind) << 14
}

/// Gone or irregular rows leave the fast path.
const SPECIAL: u16 = 1 << bits::GONE | 1 << bits::IRREGULAR;

/// A condition and a day, prepared for the fast path.
pub(crate) struct Plain<'a> {
    pub probe: &'a Probe,
    cond: &'a Condition,
    /// Bit `k` of word `k / 64`: whether the key's low 9 bits (the member's own attributes) `k`
    /// match.
    low: [u64; 8],
    /// Bit `k`: whether the key's next 6 bits (age band, join period, kind) `k` match.
    high: u64,
    /// Allowed statuses (bit 0: 正常, which every plain row has).
    statuses: u16,
    sectors: u16,
}

const LOW_DIMS: [Dim; 5] = [Dim::Sex, Dim::Ethnicity, Dim::Education, Dim::Occupation, Dim::Floating];
const HIGH_DIMS: [Dim; 3] = [Dim::AgeBand, Dim::JoinPeriod, Dim::Kind];

impl<'a> Plain<'a> {
    pub fn new(cond: &'a Condition, probe: &'a Probe) -> Plain<'a> {
        let matches = |key: usize, dims: &[Dim]| dims.iter().all(|&d| cond.mask(d) >> key_value(key, d) & 1 != 0);
        let mut low = [0u64; 8];
        for k in (0..512).filter(|&k| matches(k, &LOW_DIMS)) {
            low[k / 64] |= 1 << (k % 64);
        }
        let high = (0..64).filter(|&k| matches(k << 9, &HIGH_DIMS)).fold(0u64, |m, k| m | 1 << k);
        Plain { probe, cond, low, high, statuses: cond.mask(Dim::Status), sectors: cond.mask(Dim::Sector) }
    }

    /// Whether a key (status included) matches the condition's terms on member dimensions.
    #[inline(always)]
    pub fn matches_key(&self, key: usize) -> bool {
        let (low, high) = (key & 511, key >> 9 & 63);
        (self.low[low >> 6] >> (low & 63) & 1 != 0)
            & (self.high >> high & 1 != 0)
            & (self.statuses >> (key >> KEY_BITS) & 1 != 0)
    }

    /// Whether the condition restricts the sector (which keys do not hold).
    pub fn restricts_sector(&self) -> bool {
        self.sectors != u16::MAX
    }

    /// The key of a plain row and whether it is counted on the probe's day and matches.
    #[inline(always)]
    fn key(&self, attrs: u16, born: Day, joined: Day, full_on: Day, since: Day) -> (usize, bool) {
        let on = self.probe.on;
        let key = compose(attrs, self.probe.age_band(born), self.probe.join_period(joined), u8::from(full_on > on));
        (key, (since <= on) & (joined <= on) & self.matches_key(key))
    }
}

/// Partial results of a tally over base rows.
pub(crate) struct Histogram {
    keys: Vec<u32>,
    sector: [u32; 9],
    /// Irregular rows (few), counted the general way at the end.
    other: Vec<Seen>,
}

impl Histogram {
    pub fn new() -> Histogram {
        Histogram { keys: vec![0; KEYS], sector: [0; 9], other: Vec::new() }
    }

    pub fn merge(mut self, b: Histogram) -> Histogram {
        for (x, y) in self.keys.iter_mut().zip(&b.keys) {
            *x += y;
        }
        for (x, y) in self.sector.iter_mut().zip(&b.sector) {
            *x += y;
        }
        self.other.extend(b.other);
        self
    }

    /// Adds the histogram's counts to `t`.
    pub fn into_tally(self, mut t: Tally, probe: &Probe) -> Tally {
        for s in &self.other {
            t.add(s, probe);
        }
        for (key, &n) in self.keys.iter().enumerate().filter(|(_, n)| **n > 0) {
            t.total += n;
            for d in Dim::ALL.into_iter().filter(|&d| d != Dim::Sector) {
                t.counts[d.offset() + key_value(key, d) as usize] += n;
            }
        }
        for (s, &n) in self.sector.iter().enumerate() {
            t.counts[Dim::Sector.offset() + s] += n;
        }
        t
    }

    /// Adds the histogram's counts by `rows` × `columns` (neither the sector) to `cells`.
    pub fn into_cells(self, rows: Dim, columns: Dim, cells: &mut [Vec<u32>], probe: &Probe) {
        for s in &self.other {
            cells[s.value(rows, probe) as usize][s.value(columns, probe) as usize] += 1;
        }
        add_cells(&self.keys, |_| true, rows, columns, cells);
    }
}

/// Adds the counts of the keys of `keys` (indexed by key) for which `keep` holds to `cells`, by
/// `rows` × `columns` (neither the sector).
pub(crate) fn add_cells(keys: &[u32], keep: impl Fn(usize) -> bool, rows: Dim, columns: Dim, cells: &mut [Vec<u32>]) {
    for (key, &n) in keys.iter().enumerate().filter(|&(k, n)| *n > 0 && keep(k)) {
        cells[key_value(key, rows) as usize][key_value(key, columns) as usize] += n;
    }
}

impl Engine {
    /// Calls `plain_hit(key)` for each plain base row of organization `p` counted and matching,
    /// and `special(row)` for each gone or irregular one; returns the plain hits.
    #[inline(always)]
    fn scan_org(
        &self,
        p: usize,
        plain: &Plain,
        mut plain_hit: impl FnMut(usize),
        mut special: impl FnMut(usize),
    ) -> u32 {
        let (a, b) = (self.base_start[p] as usize, self.base_start[p + 1] as usize);
        let r = &self.base;
        let cols =
            r.attrs[a..b].iter().zip(&r.born[a..b]).zip(&r.joined[a..b]).zip(&r.full_on[a..b]).zip(&r.since[a..b]);
        let mut n = 0;
        for (i, ((((&attrs, &born), &joined), &full_on), &since)) in cols.enumerate() {
            if attrs & SPECIAL != 0 {
                special(a + i);
                continue;
            }
            let (key, ok) = plain.key(attrs, born, joined, full_on, since);
            if ok {
                plain_hit(key);
            }
            n += u32::from(ok);
        }
        n
    }

    /// Calls `f(position, count)` for each organization in `[lo, hi)` with the base rows
    /// counted on the probe's day and matching, `count` > 0 or not.
    pub(crate) fn count_base(&self, lo: u32, hi: u32, plain: &Plain, f: &mut impl FnMut(u32, u32)) {
        for p in lo..hi {
            let sector = self.orgs.sector[p as usize];
            if plain.sectors >> sector & 1 == 0 {
                continue;
            }
            let mut extra = 0;
            let n = self.scan_org(
                p as usize,
                plain,
                |_| {},
                |i| {
                    extra +=
                        u32::from(self.special(i, sector, plain).is_some_and(|s| plain.cond.matches(&s, plain.probe)));
                },
            );
            f(p, n + extra);
        }
    }

    /// Adds the base rows of `[lo, hi)` counted on the probe's day and matching to `h`.
    pub(crate) fn tally_base(&self, lo: u32, hi: u32, plain: &Plain, h: &mut Histogram) {
        for p in lo..hi {
            let sector = self.orgs.sector[p as usize];
            if plain.sectors >> sector & 1 == 0 {
                continue;
            }
            let Histogram { keys, other, .. } = h;
            let n = self.scan_org(
                p as usize,
                plain,
                |key| keys[key] += 1,
                |i| {
                    if let Some(s) = self.special(i, sector, plain)
                        && plain.cond.matches(&s, plain.probe)
                    {
                        other.push(s);
                    }
                },
            );
            h.sector[sector as usize] += n;
        }
    }

    /// The histogram of the base rows of `b` counted on the probe's day and matching, both cores.
    pub(crate) fn histogram(&self, b: Bounds, plain: &Plain) -> Histogram {
        self.split_base(b, Histogram::new, |h, lo, hi| self.tally_base(lo, hi, plain, h), Histogram::merge)
    }

    /// The general path for a base row that is gone (never counted) or irregular.
    fn special(&self, i: usize, sector: u8, plain: &Plain) -> Option<Seen> {
        if self.base.is_gone(i) || self.base.since[i] > plain.probe.on {
            return None;
        }
        self.seen(&self.base, i, i as u32, sector, plain.probe.on)
    }

    /// Runs `f` over the base rows of `b`, split at an organization boundary over both cores when
    /// there are at least `split_min` rows, and merges the two results.
    pub(crate) fn split_base<T: Send>(
        &self,
        b: Bounds,
        init: impl Fn() -> T + Sync,
        f: impl Fn(&mut T, u32, u32) + Sync,
        merge: impl Fn(T, T) -> T,
    ) -> T {
        let (lo, hi) = (b.lo, b.hi);
        let (a, z) = (self.base_start[lo as usize], self.base_start[hi as usize]);
        let mid = self.base_start.partition_point(|&s| s < a + (z - a) / 2).clamp(lo as usize, hi as usize) as u32;
        if z - a < self.tuning.split_min.unwrap_or(SPLIT_MIN) || mid <= lo || mid >= hi {
            let mut acc = init();
            f(&mut acc, lo, hi);
            return acc;
        }
        let (left, right) = std::thread::scope(|scope| {
            let left = scope.spawn(|| {
                let mut acc = init();
                f(&mut acc, lo, mid);
                acc
            });
            let mut acc = init();
            f(&mut acc, mid, hi);
            (left.join().expect("scan thread"), acc)
        });
        merge(left, right)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_fields_cover_the_key_without_overlap_and_fit_each_dimension() {
        let mut used = 0u32;
        for d in LOW_DIMS.into_iter().chain(HIGH_DIMS) {
            let (shift, width) = key_field(d).unwrap();
            let field = ((1u32 << width) - 1) << shift;
            assert_eq!(used & field, 0, "{d:?} overlaps");
            used |= field;
            assert!(d.size() <= 1 << width, "{d:?} has {} values", d.size());
        }
        assert_eq!(used, (1 << KEY_BITS) - 1);
        assert_eq!(key_field(Dim::Status), Some((KEY_BITS, 1)), "status sits above a plain row's key");
        assert_eq!(Dim::Status.size(), 2);
        // The low attribute bits are the key's first fields, as `Plain::key` assumes.
        assert_eq!((bits::SEX, bits::MINORITY, bits::EDUCATION, bits::OCCUPATION), (0, 1, 2, 5));
    }
}
