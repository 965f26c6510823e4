//! Walking the members of a range of organization positions: those counted on a day (for
//! statistics) and all live rows in list order (for member lists).

use super::rows::Rows;
use super::{DELTA, Engine, Past};
use crate::day::Day;
use crate::dim::{Seen, bits};
use crate::query::Bounds;

/// Statuses that hold a membership are the first two value indexes (正常, 停止党籍).
fn holds_membership(status: u8) -> bool {
    status <= 1
}

impl Engine {
    /// What the member at row `i` of `rows` (reference `r`) looked like on `on`, if they held a
    /// membership then; `sector` is that of the organization they are counted in.
    #[inline]
    pub(crate) fn seen(&self, rows: &Rows, i: usize, r: u32, sector: u8, on: Day) -> Option<Seen> {
        let attrs = rows.attrs[i];
        let (kind, status) = if attrs & (1 << bits::IRREGULAR) != 0 {
            let s = self.states.get(&r)?.iter().find(|s| s.from <= on && on < s.to)?;
            (s.kind, s.status)
        } else {
            if rows.joined[i] > on {
                return None;
            }
            // Plain history: 正常 throughout; MemberKind::ALL is [Full, Probationary].
            (u8::from(rows.full_on[i] > on), 0)
        };
        holds_membership(status).then_some(Seen {
            id: rows.id[i],
            attrs,
            born: rows.born[i],
            joined: rows.joined[i],
            kind,
            status,
            sector,
        })
    }

    /// Calls `f(org position, member)` for every member counted on `on` in an organization
    /// positioned in `[lo, hi)` that day; with `only`, just that member id.
    pub(crate) fn visit_counted(&self, lo: u32, hi: u32, only: Option<u32>, on: Day, mut f: impl FnMut(u32, Seen)) {
        self.visit_base(lo, hi, only, on, &mut f);
        self.visit_extra(lo, hi, only, on, &mut f);
    }

    /// Folds the members counted on `on` in `b` with both cores (see [`Engine::split_base`]).
    pub(crate) fn fold_counted<T: Send>(
        &self,
        b: Bounds,
        on: Day,
        init: impl Fn() -> T + Sync,
        f: impl Fn(&mut T, u32, Seen) + Sync,
        merge: impl Fn(T, T) -> T,
    ) -> T {
        let only = b.only;
        let mut acc =
            self.split_base(b, init, |acc, lo, hi| self.visit_base(lo, hi, only, on, &mut |p, s| f(acc, p, s)), merge);
        self.visit_extra(b.lo, b.hi, only, on, &mut |p, s| f(&mut acc, p, s));
        acc
    }

    /// The base rows of `visit_counted`.
    fn visit_base(&self, lo: u32, hi: u32, only: Option<u32>, on: Day, f: &mut impl FnMut(u32, Seen)) {
        let keep = |rows: &Rows, i: usize| !rows.is_gone(i) && only.is_none_or(|m| rows.id[i] == m);
        for p in lo..hi {
            let sector = self.orgs.sector[p as usize];
            for i in self.base_start[p as usize] as usize..self.base_start[p as usize + 1] as usize {
                if self.base.since[i] <= on
                    && keep(&self.base, i)
                    && let Some(s) = self.seen(&self.base, i, i as u32, sector, on)
                {
                    f(p, s);
                }
            }
        }
    }

    /// The delta rows and earlier memberships of `visit_counted`.
    pub(crate) fn visit_extra(&self, lo: u32, hi: u32, only: Option<u32>, on: Day, f: &mut impl FnMut(u32, Seen)) {
        let keep = |rows: &Rows, i: usize| !rows.is_gone(i) && only.is_none_or(|m| rows.id[i] == m);
        let a = self.delta_order.partition_point(|&(o, ..)| o < lo);
        for &(p, _, i) in self.delta_order[a..].iter().take_while(|&&(o, ..)| o < hi) {
            let sector = self.orgs.sector[p as usize];
            let i = i as usize;
            if self.delta.since[i] <= on
                && keep(&self.delta, i)
                && let Some(s) = self.seen(&self.delta, i, i as u32 | DELTA, sector, on)
            {
                f(p, s);
            }
        }
        for past in [&self.past, &self.past_delta] {
            let a = past.partition_point(|p| p.org < lo);
            for &Past { org, from, to, row } in past[a..].iter().take_while(|p| p.org < hi) {
                if from <= on && on < to {
                    let (rows, i) = self.rows_of(row);
                    if keep(rows, i)
                        && let Some(s) = self.seen(rows, i, row, self.orgs.sector[org as usize], on)
                    {
                        f(org, s);
                    }
                }
            }
        }
    }

    /// Calls `f(org position, row reference)` for every live member row whose current organization is
    /// in `[lo, hi)`, in (organization position, member id) order.
    pub(crate) fn visit_live(&self, lo: u32, hi: u32, mut f: impl FnMut(u32, u32)) {
        let a = self.delta_order.partition_point(|&(o, ..)| o < lo);
        let mut delta = self.delta_order[a..].iter().take_while(|&&(o, ..)| o < hi).peekable();
        for p in lo..hi {
            for i in self.base_start[p as usize]..self.base_start[p as usize + 1] {
                let id = self.base.id[i as usize];
                while let Some(&&(o, did, r)) = delta.peek()
                    && (o, did) < (p, id)
                {
                    f(o, r | DELTA);
                    delta.next();
                }
                if !self.base.is_gone(i as usize) {
                    f(p, i);
                }
            }
            while let Some(&&(o, _, r)) = delta.peek()
                && o == p
            {
                f(o, r | DELTA);
                delta.next();
            }
        }
    }
}
