//! Laying the engine out: from facts at start, and again from its own rows when the delta area has
//! grown or the tree has changed shape.

use super::rows::{Row, Rows, day};
use super::{DELTA, Engine, NO_ROW, Orgs, Past, State, Tuning};
use crate::day::Day;
use crate::facts::{MemberFacts, OrgFacts};
use crate::names::Names;
use crate::rollup::Rollups;
use qiangji_domain::Date;

/// Rows waiting to be laid out, in arrival order, with their organization positions.
#[derive(Default)]
struct Staged {
    rows: Rows,
    org: Vec<u32>,
    /// Past memberships with `row` as an index into `rows`.
    past: Vec<Past>,
    states: Vec<(u32, Box<[State]>)>,
}

/// Builds an engine from facts: organizations first (pre-order), then members in any order.
pub struct Loader {
    orgs: Orgs,
    staged: Staged,
    names: Names,
    seq: i64,
}

pub(crate) fn states_of(f: &MemberFacts) -> Result<Box<[State]>, String> {
    f.states
        .iter()
        .map(|s| {
            Ok(State {
                kind: s.kind.index(),
                status: s.status.index(),
                from: day(s.from, "状态开始日期", f.id.0)?,
                to: match s.to {
                    Some(t) => day(t, "状态结束日期", f.id.0)?,
                    None => Day::OPEN,
                },
            })
        })
        .collect()
}

impl Loader {
    pub fn new(orgs: &[OrgFacts], seq: i64) -> Result<Loader, String> {
        Ok(Loader { orgs: Orgs::new(orgs)?, staged: Staged::default(), names: Names::default(), seq })
    }

    pub fn reserve(&mut self, members: usize) {
        self.staged.rows = Rows::with_capacity(members);
        self.staged.org.reserve_exact(members);
    }

    pub fn add(&mut self, f: &MemberFacts) -> Result<(), String> {
        let at = self.staged.rows.len() as u32;
        let org = self.orgs.pos(f.org).ok_or_else(|| format!("党员{}的组织{}不存在", f.id.0, f.org.0))?;
        let row = Row::of(f)?;
        for &(o, from, to) in &f.past {
            let org = self.orgs.pos(o).ok_or_else(|| format!("党员{}曾在的组织{}不存在", f.id.0, o.0))?;
            let (from, to) = (day(from, "组织关系开始日期", f.id.0)?, day(to, "组织关系结束日期", f.id.0)?);
            self.staged.past.push(Past { org, from, to, row: at });
        }
        if row.irregular() {
            self.staged.states.push((at, states_of(f)?));
        }
        self.names.set(row.id, &f.name, &f.initials);
        self.staged.rows.push(row);
        self.staged.org.push(org);
        Ok(())
    }

    /// Lays everything out; rollups are computed for `today`.
    pub fn finish(self, today: Date) -> Engine {
        assemble(self.orgs, self.staged, self.names, self.seq, Tuning::default(), today)
    }
}

fn assemble(orgs: Orgs, staged: Staged, names: Names, seq: i64, tuning: Tuning, today: Date) -> Engine {
    let n = staged.rows.len();
    // Counting sort by organization position, then by id within each organization.
    let mut base_start = vec![0u32; orgs.len() + 1];
    for &o in &staged.org {
        base_start[o as usize + 1] += 1;
    }
    for i in 1..base_start.len() {
        base_start[i] += base_start[i - 1];
    }
    let mut next = base_start.clone();
    let mut order = vec![0u32; n];
    for (i, &o) in staged.org.iter().enumerate() {
        order[next[o as usize] as usize] = i as u32;
        next[o as usize] += 1;
    }
    for w in base_start.windows(2) {
        order[w[0] as usize..w[1] as usize].sort_unstable_by_key(|&i| staged.rows.id[i as usize]);
    }
    let mut base = Rows::with_capacity(n);
    let mut placed = vec![0u32; n];
    let max_id = staged.rows.id.iter().copied().max().map_or(0, |m| m as usize + 1);
    let mut row_of = vec![NO_ROW; max_id];
    for (at, &i) in order.iter().enumerate() {
        let row = staged.rows.get(i as usize);
        row_of[row.id as usize] = at as u32;
        placed[i as usize] = at as u32;
        base.push(row);
    }
    drop(order);
    let mut past = staged.past;
    for p in &mut past {
        p.row = placed[p.row as usize];
    }
    past.sort_unstable_by_key(|p| (p.org, p.row));
    let states = staged.states.into_iter().map(|(i, s)| (placed[i as usize], s)).collect();
    let mut engine = Engine { orgs, base, base_start, row_of, past, states, names, seq, tuning, ..Default::default() };
    engine.rollups = Rollups::build(&engine, today);
    engine
}

impl Engine {
    /// Lays the engine out again with `orgs` (the same organizations as now, possibly reordered or
    /// with new ones): folds the delta area into the base and drops superseded rows.
    pub(crate) fn relayout(&mut self, orgs: Option<Orgs>, today: Date) -> Result<(), String> {
        let old = std::mem::take(self);
        let orgs = orgs.unwrap_or_else(|| old.orgs.clone());
        let mut staged = Staged::default();
        let mut staged_ref = vec![NO_ROW; old.row_of.len()];
        let new_pos = |p: u32| {
            let id = old.orgs.id[p as usize];
            orgs.pos(id).ok_or_else(|| format!("组织{}不在新的组织树中", id.0))
        };
        let mut stage = |rows: &Rows, i: usize, org: u32, r: u32, staged: &mut Staged| -> Result<(), String> {
            let row = rows.get(i);
            let at = staged.rows.len() as u32;
            staged_ref[row.id as usize] = at;
            if row.irregular() {
                staged.states.push((at, old.states[&r].clone()));
            }
            staged.rows.push(row);
            staged.org.push(new_pos(org)?);
            Ok(())
        };
        for p in 0..old.orgs.len() {
            for i in old.base_start[p] as usize..old.base_start[p + 1] as usize {
                if !old.base.is_gone(i) {
                    stage(&old.base, i, p as u32, i as u32, &mut staged)?;
                }
            }
        }
        for &(org, _, i) in &old.delta_order {
            stage(&old.delta, i as usize, org, i | DELTA, &mut staged)?;
        }
        for p in old.past.iter().chain(&old.past_delta) {
            let (rows, i) = old.rows_of(p.row);
            if !rows.is_gone(i) {
                let row = staged_ref[rows.id[i] as usize];
                staged.past.push(Past { org: new_pos(p.org)?, row, ..*p });
            }
        }
        *self = assemble(orgs, staged, old.names, old.seq, old.tuning, today);
        self.meetings = old.meetings;
        self.absences = old.absences;
        Ok(())
    }
}
