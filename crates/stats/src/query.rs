//! The questions the engine answers for an actor: the bulletin tally of a subtree on a date,
//! organization counts, cross tabulations, filtered counts and the members behind any cell. Every
//! question is bounded by the actor's scope first; outside it the answer is empty.

use crate::day::Day;
use crate::dim::{Condition, Dim, Probe, Seen};
use crate::engine::Engine;
use crate::engine::scan::{Plain, add_cells};
use crate::rollup::{OrgTally, Tally, exists};
use qiangji_domain::Date;
use qiangji_domain::member::MemberId;
use qiangji_domain::org::OrgId;
use qiangji_store::Access;

/// Below this many base rows a histogram's fixed cost (32,768 keys to clear and read) outweighs
/// its saving, and tallies take the general path.
const HISTOGRAM_MIN: u32 = 4096;

/// The positions `[lo, hi)` an answer may cover, and the one member a self-only access may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Bounds {
    pub lo: u32,
    pub hi: u32,
    pub only: Option<u32>,
    /// The bounds are exactly the subtree of `org` (so its rollup applies).
    pub whole: bool,
}

/// A two-way table: `cells[row value][column value]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrossTab {
    pub rows: Dim,
    pub columns: Dim,
    pub cells: Vec<Vec<u32>>,
}

/// One page of member ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub total: usize,
    pub ids: Vec<MemberId>,
}

impl Engine {
    /// Organizations in `org`'s subtree as `access` sees it (0 when out of sight).
    pub fn subtree_size(&self, access: &Access, org: OrgId) -> usize {
        self.bounds(access, org).map_or(0, |b| (b.hi - b.lo) as usize)
    }

    /// Whether `candidate` lies in `org`'s subtree as `access` sees it.
    pub fn within(&self, access: &Access, org: OrgId, candidate: OrgId) -> bool {
        let (Some(b), Some(p)) = (self.bounds(access, org), self.orgs.pos(candidate)) else { return false };
        b.only.is_none() && (b.lo..b.hi).contains(&p)
    }

    pub(crate) fn bounds(&self, access: &Access, org: OrgId) -> Option<Bounds> {
        let pos = self.orgs.pos(org)?;
        let end = self.orgs.end[pos as usize];
        let only = access.self_member_id().map(|m| u32::try_from(m).unwrap_or(u32::MAX));
        let (slo, shi) = if access.path_range().0 == "/" {
            (0, self.orgs.len() as u32)
        } else {
            let s = self.orgs.pos(OrgId(access.scope_org_id()))?;
            // A member sees their own organization, not its subtree.
            (s, if only.is_some() { s + 1 } else { self.orgs.end[s as usize] })
        };
        let (lo, hi) = (pos.max(slo), end.min(shi));
        (lo < hi).then_some(Bounds { lo, hi, only, whole: only.is_none() && (lo, hi) == (pos, end) })
    }

    fn probe(on: Date) -> Probe {
        Probe::new(on)
    }

    /// The rollup of `org` when it answers the question exactly: today, the whole subtree.
    fn rollup_of(&self, b: &Bounds, on: Date) -> Option<usize> {
        if !b.whole || !self.rollups.fresh(on) {
            return None;
        }
        let k = *self.rollups.slot.get(b.lo as usize)?;
        (k != crate::engine::NO_POS).then_some(k as usize)
    }

    /// Today's members by joint key of `b`, when they answer a question about `on` under `plain`
    /// exactly: today, the whole subtree, no sector term.
    fn key_rollup(&self, b: &Bounds, on: Date, plain: &Plain) -> Option<&[u32]> {
        if !b.whole || !self.rollups.fresh(on) || plain.restricts_sector() {
            return None;
        }
        self.rollups.keys.get(&b.lo).map(|h| &h[..])
    }

    /// The bulletin tally of `org`'s subtree as of `on`, restricted by `cond`.
    pub fn tally(&self, access: &Access, org: OrgId, on: Date, cond: &Condition) -> Tally {
        let t = Tally::default();
        let Some(b) = self.bounds(access, org) else { return t };
        if cond.is_all()
            && let Some(k) = self.rollup_of(&b, on)
        {
            return self.rollups.members[k].clone();
        }
        let probe = Engine::probe(on);
        let add = |t: &mut Tally, s: &Seen| {
            if cond.matches(s, &probe) {
                t.add(s, &probe);
            }
        };
        if let Some(plain) = self.fast(&b, cond, &probe, self.tuning.histogram_min.unwrap_or(HISTOGRAM_MIN)) {
            let mut t = self.histogram(b, &plain).into_tally(Tally::default(), &probe);
            self.visit_extra(b.lo, b.hi, None, probe.on, &mut |_, s| add(&mut t, &s));
            return t;
        }
        self.fold_counted(
            b,
            probe.on,
            Tally::default,
            |t, _, s| add(t, &s),
            |mut a, b| {
                a.merge(&b);
                a
            },
        )
    }

    /// How many members of `org`'s subtree, counted on `on`, satisfy `cond`.
    pub fn count(&self, access: &Access, org: OrgId, on: Date, cond: &Condition) -> u32 {
        let Some(b) = self.bounds(access, org) else { return 0 };
        if cond.is_all()
            && let Some(k) = self.rollup_of(&b, on)
        {
            return self.rollups.members[k].total;
        }
        let probe = Engine::probe(on);
        if let Some(plain) = self.fast(&b, cond, &probe, 0) {
            if let Some(keys) = self.key_rollup(&b, on, &plain) {
                return keys.iter().enumerate().filter(|&(k, _)| plain.matches_key(k)).map(|(_, n)| n).sum();
            }
            let mut n = self.split_base(
                b,
                || 0,
                |n, lo, hi| self.count_base(lo, hi, &plain, &mut |_, c| *n += c),
                |x, y| x + y,
            );
            self.visit_extra(b.lo, b.hi, None, probe.on, &mut |_, s| n += u32::from(cond.matches(&s, &probe)));
            return n;
        }
        let count = |n: &mut u32, _, s| *n += u32::from(cond.matches(&s, &probe));
        self.fold_counted(b, probe.on, || 0, count, |a, b| a + b)
    }

    /// The fast path for `b` (see [`crate::engine::scan`]), when it holds at least `min` base rows
    /// and is not limited to one member.
    fn fast<'a>(&self, b: &Bounds, cond: &'a Condition, probe: &'a Probe, min: u32) -> Option<Plain<'a>> {
        let rows = self.base_start[b.hi as usize] - self.base_start[b.lo as usize];
        (b.only.is_none() && rows >= min).then(|| Plain::new(cond, probe))
    }

    /// Members of `org`'s subtree counted on `on` and satisfying `cond`, by `rows` × `columns`.
    pub fn crosstab(
        &self,
        access: &Access,
        org: OrgId,
        on: Date,
        rows: Dim,
        columns: Dim,
        cond: &Condition,
    ) -> CrossTab {
        let empty = || vec![vec![0u32; columns.size()]; rows.size()];
        let Some(b) = self.bounds(access, org) else { return CrossTab { rows, columns, cells: empty() } };
        let probe = Engine::probe(on);
        let add = |cells: &mut Vec<Vec<u32>>, s: &Seen| {
            if cond.matches(s, &probe) {
                cells[s.value(rows, &probe) as usize][s.value(columns, &probe) as usize] += 1;
            }
        };
        if rows != Dim::Sector && columns != Dim::Sector && b.only.is_none() {
            let plain = Plain::new(cond, &probe);
            if let Some(keys) = self.key_rollup(&b, on, &plain) {
                let mut cells = empty();
                add_cells(keys, |k| plain.matches_key(k), rows, columns, &mut cells);
                return CrossTab { rows, columns, cells };
            }
            if let Some(plain) = self.fast(&b, cond, &probe, self.tuning.histogram_min.unwrap_or(HISTOGRAM_MIN)) {
                let h = self.histogram(b, &plain);
                let mut cells = empty();
                self.visit_extra(b.lo, b.hi, None, probe.on, &mut |_, s| add(&mut cells, &s));
                h.into_cells(rows, columns, &mut cells, &probe);
                return CrossTab { rows, columns, cells };
            }
        }
        let cells = self.fold_counted(
            b,
            probe.on,
            empty,
            |cells, _, s| add(cells, &s),
            |mut a, b| {
                for (x, y) in a.iter_mut().flatten().zip(b.iter().flatten()) {
                    *x += y;
                }
                a
            },
        );
        CrossTab { rows, columns, cells }
    }

    /// Organizations of `org`'s subtree existing on `on`, by kind, sector and branch size.
    pub fn org_tally(&self, access: &Access, org: OrgId, on: Date) -> OrgTally {
        let mut t = OrgTally::default();
        let Some(b) = self.bounds(access, org) else { return t };
        if b.only.is_some() {
            return t; // a member account is not shown organization statistics
        }
        if let Some(k) = self.rollup_of(&b, on) {
            return self.rollups.orgs[k].clone();
        }
        let day = Day::of(on).unwrap_or(Day::OPEN);
        let direct = self.direct_counts(b, on);
        for p in b.lo..b.hi {
            if exists(&self.orgs, p as usize, day) {
                t.add(&self.orgs, p as usize, direct[(p - b.lo) as usize], 1);
            }
        }
        t
    }

    /// Members counted on `on` directly in each organization of `b`.
    pub(crate) fn direct_counts(&self, b: Bounds, on: Date) -> Vec<u32> {
        if self.rollups.fresh(on) {
            return self.rollups.direct[b.lo as usize..b.hi as usize].to_vec();
        }
        let mut direct = vec![0u32; (b.hi - b.lo) as usize];
        let (all, probe) = (Condition::all(), Engine::probe(on));
        self.count_base(b.lo, b.hi, &Plain::new(&all, &probe), &mut |p, n| direct[(p - b.lo) as usize] = n);
        self.visit_extra(b.lo, b.hi, None, probe.on, &mut |p, _| direct[(p - b.lo) as usize] += 1);
        direct
    }

    /// A page of the members behind a count: counted on `on` in `org`'s subtree and satisfying
    /// `cond`, in organization order.
    pub fn members(
        &self,
        access: &Access,
        org: OrgId,
        on: Date,
        cond: &Condition,
        offset: usize,
        limit: usize,
    ) -> Page {
        let mut page = Page { total: 0, ids: Vec::new() };
        let Some(b) = self.bounds(access, org) else { return page };
        let probe = Engine::probe(on);
        let mut hits = Vec::new();
        self.visit_counted(b.lo, b.hi, b.only, probe.on, |_, s| {
            if cond.matches(&s, &probe) {
                hits.push(s.id);
            }
        });
        page.total = hits.len();
        page.ids = hits.into_iter().skip(offset).take(limit).map(|id| MemberId(i64::from(id))).collect();
        page
    }
}
