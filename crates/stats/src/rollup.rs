//! Tallies, and the rollups that make today's dashboard of a large subtree a lookup: every
//! organization with at least [`ROLLUP_MIN`] member rows in its subtree keeps today's tally of that
//! subtree, adjusted on every change; everything smaller is counted on demand.

use crate::day::Day;
use crate::dim::{Dim, Probe, Seen, VALUES};
use crate::engine::scan::{self, STATUS_KEYS};
use crate::engine::{Engine, NO_POS, Orgs};
use qiangji_domain::Date;
use qiangji_domain::org::{OrgKind, Sector, SizeBand};
use std::collections::HashMap;

/// Subtrees with fewer member rows are cheaper to count than to maintain.
pub const ROLLUP_MIN: u32 = 2000;

/// Subtrees with at least this many member rows also keep today's members by joint key (256 KiB
/// each), so that today's filtered counts and cross-tabs there are a pass over 65,536 keys instead
/// of a scan; below it a scan takes under a millisecond.
pub const KEY_ROLLUP_MIN: u32 = 200_000;

/// Counted members by every dimension of [`Dim`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    pub total: u32,
    pub(crate) counts: [u32; VALUES],
}

impl Default for Tally {
    fn default() -> Self {
        Tally { total: 0, counts: [0; VALUES] }
    }
}

impl Tally {
    /// Counts by each value of `dim`, in value order.
    pub fn by(&self, dim: Dim) -> &[u32] {
        &self.counts[dim.offset()..dim.offset() + dim.size()]
    }

    pub fn count(&self, dim: Dim, value: u8) -> u32 {
        self.by(dim)[value as usize]
    }

    #[inline]
    pub(crate) fn add(&mut self, s: &Seen, probe: &Probe) {
        self.total += 1;
        for d in Dim::ALL {
            self.counts[d.offset() + s.value(d, probe) as usize] += 1;
        }
    }

    fn sub(&mut self, s: &Seen, probe: &Probe) {
        self.total -= 1;
        for d in Dim::ALL {
            self.counts[d.offset() + s.value(d, probe) as usize] -= 1;
        }
    }

    pub(crate) fn merge(&mut self, other: &Tally) {
        self.total += other.total;
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
    }
}

/// Organizations existing on a day, by kind and sector, and branches by [`SizeBand`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrgTally {
    pub total: u32,
    pub kind: [u32; 6],
    pub sector: [u32; 9],
    /// 党支部 only, by the members they hold directly.
    pub branch_size: [u32; 6],
}

impl OrgTally {
    pub(crate) fn add(&mut self, orgs: &Orgs, p: usize, direct: u32, sign: i32) {
        let bump = |n: &mut u32| *n = n.wrapping_add_signed(sign);
        bump(&mut self.total);
        bump(&mut self.kind[orgs.kind[p] as usize]);
        bump(&mut self.sector[orgs.sector[p] as usize]);
        if orgs.kind[p] == OrgKind::Branch.index() {
            bump(&mut self.branch_size[SizeBand::of(direct).index() as usize]);
        }
    }

    fn merge(&mut self, other: &OrgTally) {
        self.total += other.total;
        let pairs = self.kind.iter_mut().zip(&other.kind);
        let pairs = pairs.chain(self.sector.iter_mut().zip(&other.sector));
        for (a, b) in pairs.chain(self.branch_size.iter_mut().zip(&other.branch_size)) {
            *a += b;
        }
    }
}

const _: () = assert!(OrgKind::ALL.len() == 6 && Sector::ALL.len() == 9 && SizeBand::ALL.len() == 6);

pub(crate) fn exists(orgs: &Orgs, p: usize, on: Day) -> bool {
    orgs.founded[p] <= on && on < orgs.dissolved[p]
}

/// Today's tallies of the large subtrees and every organization's direct member count.
#[derive(Debug, Default)]
pub(crate) struct Rollups {
    pub date: Option<Date>,
    pub probe: Option<Probe>,
    /// Per organization position: index into `members`/`orgs`, or [`NO_POS`].
    pub slot: Vec<u32>,
    pub members: Vec<Tally>,
    pub orgs: Vec<OrgTally>,
    /// Members counted today directly in each organization.
    pub direct: Vec<u32>,
    /// Today's members by joint key ([`scan::key_of`]) of the subtrees of at least
    /// [`KEY_ROLLUP_MIN`] rows, by position.
    pub keys: HashMap<u32, Box<[u32]>>,
}

impl Rollups {
    pub fn build(e: &Engine, today: Date) -> Rollups {
        let min = e.tuning.rollup_min.unwrap_or(ROLLUP_MIN);
        let probe = Probe::new(today);
        let orgs = &e.orgs;
        let n = orgs.len();
        let mut count = 0u32;
        let slot: Vec<u32> = (0..n)
            .map(|p| {
                if e.base_start[orgs.end[p] as usize] - e.base_start[p] < min {
                    return NO_POS;
                }
                count += 1;
                count - 1
            })
            .collect();
        // The nearest organization with a slot at or above each position (pre-order: parents first).
        let mut owner = vec![NO_POS; n];
        for p in 0..n {
            owner[p] = if slot[p] != NO_POS {
                p as u32
            } else if orgs.parent[p] != NO_POS {
                owner[orgs.parent[p] as usize]
            } else {
                NO_POS
            };
        }
        // Likewise for the key histograms of the largest subtrees.
        let key_min = e.tuning.key_rollup_min.unwrap_or(KEY_ROLLUP_MIN);
        let mut key_owner = vec![NO_POS; n];
        for p in 0..n {
            key_owner[p] = if e.base_start[orgs.end[p] as usize] - e.base_start[p] >= key_min {
                p as u32
            } else if orgs.parent[p] != NO_POS {
                key_owner[orgs.parent[p] as usize]
            } else {
                NO_POS
            };
        }
        let mut keys: HashMap<u32, Box<[u32]>> = (0..n as u32)
            .filter(|&p| key_owner[p as usize] == p)
            .map(|p| (p, vec![0u32; STATUS_KEYS].into_boxed_slice()))
            .collect();
        let mut members = vec![Tally::default(); count as usize];
        let mut direct = vec![0u32; n];
        e.visit_counted(0, n as u32, None, probe.on, |p, s| {
            direct[p as usize] += 1;
            let o = owner[p as usize];
            if o != NO_POS {
                members[slot[o as usize] as usize].add(&s, &probe);
            }
            let k = key_owner[p as usize];
            if k != NO_POS {
                keys.get_mut(&k).expect("a key owner has a histogram")[scan::key_of(&s, &probe)] += 1;
            }
        });
        for p in (0..n).rev() {
            let parent = orgs.parent[p];
            if key_owner[p] != p as u32 || parent == NO_POS || key_owner[parent as usize] == NO_POS {
                continue;
            }
            let child = keys.get(&(p as u32)).expect("owner").clone();
            for (x, y) in keys.get_mut(&key_owner[parent as usize]).expect("owner").iter_mut().zip(child.iter()) {
                *x += y;
            }
        }
        let mut org_tallies = vec![OrgTally::default(); count as usize];
        for (p, &o) in owner.iter().enumerate() {
            if o != NO_POS && exists(orgs, p, probe.on) {
                org_tallies[slot[o as usize] as usize].add(orgs, p, direct[p], 1);
            }
        }
        // Children's regions are complete before their parents' (reverse pre-order).
        for p in (0..n).rev() {
            let parent = orgs.parent[p];
            if slot[p] == NO_POS || parent == NO_POS || owner[parent as usize] == NO_POS {
                continue;
            }
            let (from, to) = (slot[p] as usize, slot[owner[parent as usize] as usize] as usize);
            let t = members[from].clone();
            members[to].merge(&t);
            let t = org_tallies[from].clone();
            org_tallies[to].merge(&t);
        }
        Rollups { date: Some(today), probe: Some(probe), slot, members, orgs: org_tallies, direct, keys }
    }

    /// Whether the rollups describe `on`.
    pub fn fresh(&self, on: Date) -> bool {
        self.date == Some(on)
    }

    /// Adds (`sign` 1) or removes (-1) a member counted today in organization `p`.
    pub fn apply(&mut self, orgs: &Orgs, p: u32, s: &Seen, sign: i32) {
        let Some(probe) = &self.probe else { return };
        let old = self.direct[p as usize];
        self.direct[p as usize] = old.wrapping_add_signed(sign);
        let branch_exists = exists(orgs, p as usize, probe.on);
        let key = scan::key_of(s, probe);
        for q in orgs.up(p) {
            if let Some(h) = self.keys.get_mut(&q) {
                h[key] = h[key].wrapping_add_signed(sign);
            }
            let k = self.slot[q as usize];
            if k == NO_POS {
                continue;
            }
            if sign > 0 {
                self.members[k as usize].add(s, probe);
            } else {
                self.members[k as usize].sub(s, probe);
            }
            if branch_exists {
                self.orgs[k as usize].add(orgs, p as usize, old, -1);
                self.orgs[k as usize].add(orgs, p as usize, self.direct[p as usize], 1);
            }
        }
    }

    pub fn bytes(&self) -> usize {
        self.slot.capacity() * 4
            + self.direct.capacity() * 4
            + self.members.capacity() * size_of::<Tally>()
            + self.orgs.capacity() * size_of::<OrgTally>()
            + self.keys.len() * (STATUS_KEYS * 4 + 24)
    }
}
