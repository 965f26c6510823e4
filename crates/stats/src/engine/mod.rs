//! The engine's memory layout. Organizations are numbered in pre-order, so a subtree is a range of
//! positions `[pos, end)`. Members are column rows grouped by organization position ("base"), so a
//! subtree's members are one contiguous run of rows. A change never shifts the base: the member's
//! old row is marked gone and a new row is appended to a small "delta" area kept in (org, id)
//! order; when the delta grows past a fraction of the base, everything is laid out again.
//! Earlier memberships ("past") are kept sorted by organization position, pointing at their
//! member's row; kind/status histories that the dates do not imply are kept aside by row.

mod follow;
mod load;
pub(crate) mod rows;
pub(crate) mod scan;
mod visit;

pub use load::Loader;

use crate::day::Day;
use crate::facts::OrgFacts;
use crate::names::Names;
use crate::rollup::Rollups;
use qiangji_domain::org::OrgId;
use rows::Rows;
use std::collections::HashMap;

/// Marks a row reference as pointing into the delta area.
pub(crate) const DELTA: u32 = 1 << 31;
pub(crate) const NO_ROW: u32 = u32::MAX;
pub(crate) const NO_POS: u32 = u32::MAX;

/// Organizations by pre-order position.
#[derive(Debug, Default, Clone)]
pub(crate) struct Orgs {
    pub id: Vec<OrgId>,
    pub parent: Vec<u32>,
    /// One past the last position of the subtree.
    pub end: Vec<u32>,
    pub kind: Vec<u8>,
    pub sector: Vec<u8>,
    pub founded: Vec<Day>,
    /// [`Day::OPEN`] while not dissolved.
    pub dissolved: Vec<Day>,
    /// [`ORG_JOINT`] and [`ORG_COMMITTEE`].
    pub flags: Vec<u8>,
    /// The end of the current term; [`Day::OPEN`] when no term is on record.
    pub term_end: Vec<Day>,
    pos_by_id: Vec<u32>,
}

/// A joint branch (联合党支部).
pub(crate) const ORG_JOINT: u8 = 1;
/// Committee members besides the secretaries are on record.
pub(crate) const ORG_COMMITTEE: u8 = 2;

impl Orgs {
    pub fn new(facts: &[OrgFacts]) -> Result<Orgs, String> {
        let n = facts.len();
        let max_id = facts.iter().map(|f| f.id.0).max().unwrap_or(0);
        let max_id = usize::try_from(max_id).map_err(|_| "组织编号无效".to_string())?;
        let mut o = Orgs {
            id: Vec::with_capacity(n),
            parent: Vec::with_capacity(n),
            end: (1..=n as u32).collect(),
            kind: Vec::with_capacity(n),
            sector: Vec::with_capacity(n),
            founded: Vec::with_capacity(n),
            dissolved: Vec::with_capacity(n),
            flags: Vec::with_capacity(n),
            term_end: Vec::with_capacity(n),
            pos_by_id: vec![NO_POS; max_id + 1],
        };
        for (i, f) in facts.iter().enumerate() {
            let slot = usize::try_from(f.id.0).map_err(|_| format!("组织编号{}无效", f.id.0))?;
            if o.pos_by_id[slot] != NO_POS {
                return Err(format!("组织{}重复", f.id.0));
            }
            o.pos_by_id[slot] = i as u32;
            let parent = match f.parent {
                None if i == 0 => NO_POS,
                None => return Err(format!("组织{}没有上级，但不是根组织", f.id.0)),
                Some(p) => o.pos(p).ok_or_else(|| format!("组织{}的上级不在它之前", f.id.0))?,
            };
            o.id.push(f.id);
            o.parent.push(parent);
            o.kind.push(f.kind.index());
            o.sector.push(f.sector.index());
            o.founded.push(f.founded_on.and_then(Day::of).unwrap_or(Day(0)));
            o.dissolved.push(f.dissolved_on.and_then(Day::of).unwrap_or(Day::OPEN));
            o.flags.push(if f.joint { ORG_JOINT } else { 0 } | if f.committee { ORG_COMMITTEE } else { 0 });
            o.term_end.push(f.term_end.and_then(Day::of).unwrap_or(Day::OPEN));
        }
        for i in (1..n).rev() {
            let p = o.parent[i] as usize;
            o.end[p] = o.end[p].max(o.end[i]);
        }
        // Pre-order: each organization follows its parent or a descendant of its parent.
        for i in 1..n {
            let p = o.parent[i] as usize;
            if !(p < i && i < o.end[p] as usize) {
                return Err(format!("组织{}不按先序排列", o.id[i].0));
            }
        }
        Ok(o)
    }

    pub fn len(&self) -> usize {
        self.id.len()
    }

    pub fn pos(&self, id: OrgId) -> Option<u32> {
        usize::try_from(id.0).ok().and_then(|i| self.pos_by_id.get(i)).copied().filter(|&p| p != NO_POS)
    }

    /// Positions of `pos` and its ancestors, nearest first.
    pub fn up(&self, pos: u32) -> impl Iterator<Item = u32> + '_ {
        std::iter::successors(Some(pos), |&p| Some(self.parent[p as usize]).filter(|&q| q != NO_POS))
    }

    pub fn bytes(&self) -> usize {
        self.id.capacity() * 8
            + (self.parent.capacity() + self.end.capacity() + self.pos_by_id.capacity()) * 4
            + self.kind.capacity()
            + self.sector.capacity()
            + self.flags.capacity()
            + (self.founded.capacity() + self.dissolved.capacity() + self.term_end.capacity()) * 2
    }
}

/// An earlier membership of the member at `row`, `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Past {
    pub org: u32,
    pub from: Day,
    pub to: Day,
    pub row: u32,
}

/// A kind/status interval, as value indexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct State {
    pub kind: u8,
    pub status: u8,
    pub from: Day,
    pub to: Day,
}

/// The statistics engine. See the module documentation for its layout.
#[derive(Debug, Default)]
pub struct Engine {
    pub(crate) orgs: Orgs,
    pub(crate) base: Rows,
    /// Base rows of organization `p` are `base_start[p]..base_start[p + 1]`.
    pub(crate) base_start: Vec<u32>,
    pub(crate) delta: Rows,
    pub(crate) delta_org: Vec<u32>,
    /// `(org, member id, delta row)` of the live delta rows, sorted.
    pub(crate) delta_order: Vec<(u32, u32, u32)>,
    /// Row reference of each member id ([`NO_ROW`] when unknown).
    pub(crate) row_of: Vec<u32>,
    pub(crate) past: Vec<Past>,
    pub(crate) past_delta: Vec<Past>,
    /// Irregular kind/status histories by row reference.
    pub(crate) states: HashMap<u32, Box<[State]>>,
    pub(crate) names: Names,
    pub(crate) rollups: Rollups,
    /// Each organization's organizational-life records.
    pub(crate) meetings: crate::orglife::Meetings,
    /// Members who may be on an absence streak, with their months.
    pub(crate) absences: crate::absence::Absences,
    /// Thresholds of the rollups and scans; tests lower them to exercise every path.
    pub(crate) tuning: Tuning,
    /// The ledger position reflected.
    pub(crate) seq: i64,
}

/// Where the engine switches strategies; `None` is the default of each.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Tuning {
    /// Subtree rows from which today's tallies are kept ([`crate::ROLLUP_MIN`]).
    pub rollup_min: Option<u32>,
    /// Subtree rows from which today's members are kept by joint key ([`crate::rollup::KEY_ROLLUP_MIN`]).
    pub key_rollup_min: Option<u32>,
    /// Base rows from which a scan is split over two threads (`scan::SPLIT_MIN`).
    pub split_min: Option<u32>,
    /// Base rows from which tallies count through a histogram (`query::HISTOGRAM_MIN`).
    pub histogram_min: Option<u32>,
}

/// What the engine holds, for `qiangji bench` and the start-up log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Footprint {
    pub members: usize,
    pub orgs: usize,
    /// Heap bytes of everything statistics need (organizational-life records included).
    pub stats_bytes: usize,
    /// Heap bytes of the name index for list searches.
    pub name_bytes: usize,
}

impl Engine {
    /// The ledger position the engine reflects.
    pub fn seq(&self) -> i64 {
        self.seq
    }

    /// Splits scans of at least `min` base rows over two threads (tests use 1 to exercise the split).
    pub fn set_split_min(&mut self, min: u32) {
        self.tuning.split_min = Some(min);
    }

    /// Tallies scans of at least `min` base rows through a histogram (tests use 0 to exercise it).
    pub fn set_histogram_min(&mut self, min: u32) {
        self.tuning.histogram_min = Some(min);
    }

    /// Keeps today's tallies for every subtree of at least `min` member rows, and today's members by
    /// joint key for every subtree of at least `key_min` (tests use 1 to exercise them on small
    /// trees; 0 would keep them even for empty subtrees).
    pub fn set_rollup_min(&mut self, min: u32, key_min: u32, today: qiangji_domain::Date) {
        (self.tuning.rollup_min, self.tuning.key_rollup_min) = (Some(min), Some(key_min));
        self.rollups = Rollups::build(self, today);
    }

    pub fn org_count(&self) -> usize {
        self.orgs.len()
    }

    /// Members held (current and former).
    pub fn member_count(&self) -> usize {
        self.base.len() - self.base.attrs.iter().filter(|&&a| a & (1 << crate::dim::bits::GONE) != 0).count()
            + self.delta_order.len()
    }

    pub fn footprint(&self) -> Footprint {
        let states: usize = self.states.values().map(|s| s.len() * size_of::<State>() + 16).sum();
        let stats_bytes = self.orgs.bytes()
            + self.base.bytes()
            + self.base_start.capacity() * 4
            + self.delta.bytes()
            + self.delta_org.capacity() * 4
            + self.delta_order.capacity() * 12
            + self.row_of.capacity() * 4
            + (self.past.capacity() + self.past_delta.capacity()) * size_of::<Past>()
            + self.states.capacity() * (size_of::<(u32, Box<[State]>)>() + 1)
            + states
            + self.rollups.bytes()
            + self.meetings.bytes()
            + self.absences.bytes();
        Footprint { members: self.member_count(), orgs: self.orgs.len(), stats_bytes, name_bytes: self.names.bytes() }
    }

    /// The row behind a reference.
    pub(crate) fn rows_of(&self, r: u32) -> (&Rows, usize) {
        if r & DELTA != 0 { (&self.delta, (r & !DELTA) as usize) } else { (&self.base, r as usize) }
    }

    /// The current organization position of the row behind `r`.
    pub(crate) fn org_of(&self, r: u32) -> u32 {
        if r & DELTA != 0 {
            self.delta_org[(r & !DELTA) as usize]
        } else {
            // The base is grouped by organization: find the group holding the row.
            (self.base_start.partition_point(|&s| s <= r) - 1) as u32
        }
    }

    pub(crate) fn row_ref(&self, id: u32) -> Option<u32> {
        self.row_of.get(id as usize).copied().filter(|&r| r != NO_ROW)
    }
}
