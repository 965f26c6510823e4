//! Keeping the engine current: built from the store at start, then following the ledger — a
//! changed member gets a new row, a changed tree a new layout.

use super::load::states_of;
use super::rows::{Row, day};
use super::{DELTA, Engine, Loader, Orgs, Past};
use crate::dim::Seen;
use crate::facts::{MemberFacts, OrgFacts, load_org_facts, member_facts_of, scan_member_facts};
use crate::rollup::Rollups;
use qiangji_domain::Date;
use qiangji_domain::date::today;
use qiangji_domain::member::MemberId;
use qiangji_domain::orglife::MeetingId;
use qiangji_store::{Access, Store, StoreError, ledger};
use std::collections::BTreeSet;

impl Engine {
    /// Builds the engine from everything `access` may see (a system access at start-up).
    pub async fn build(store: &Store, access: &Access) -> Result<Engine, StoreError> {
        // Read the ledger position first: changes made while loading are replayed by `catch_up`.
        let seq = ledger::head_seq(store.db()).await?;
        let orgs = load_org_facts(store, access).await?;
        let mut loader = Loader::new(&orgs, seq).map_err(StoreError::Other)?;
        let mut failed = None;
        scan_member_facts(store, access, |f| {
            if failed.is_none()
                && let Err(e) = loader.add(&f)
            {
                failed = Some(e);
            }
        })
        .await?;
        let mut engine = match failed {
            Some(e) => return Err(StoreError::Other(e)),
            None => loader.finish(today()),
        };
        engine.load_meetings(store, access).await?;
        engine.load_absences(store, access).await?;
        Ok(engine)
    }

    /// Follows the ledger from where the engine stands. `access` must see everything.
    pub async fn catch_up(&mut self, store: &Store, access: &Access) -> Result<usize, StoreError> {
        let mut applied = 0;
        loop {
            let entries = ledger::since(store.db(), self.seq, 5000).await?;
            let Some(last) = entries.last().map(|e| e.seq) else {
                return Ok(applied);
            };
            applied += entries.len();
            let today = today();
            if entries.iter().any(|e| e.subject.starts_with("org:")) {
                self.set_orgs(&load_org_facts(store, access).await?, today).map_err(StoreError::Other)?;
            }
            let changed: BTreeSet<MemberId> = entries
                .iter()
                .filter_map(|e| e.subject.strip_prefix("member:"))
                .filter_map(|id| id.parse().ok())
                .map(MemberId)
                .collect();
            let meetings: Vec<MeetingId> = entries
                .iter()
                .filter(|e| e.kind == "meeting.recorded")
                .filter_map(|e| e.subject.strip_prefix("meeting:")?.parse().ok())
                .map(MeetingId)
                .collect();
            if entries.iter().any(|e| e.kind == "meeting.removed") {
                // Records removed by a rolled-back import: rare enough to read all records and
                // absence streaks again rather than keep ids on every record held.
                self.meetings = Default::default();
                self.absences = Default::default();
                self.load_meetings(store, access).await?;
                self.load_absences(store, access).await?;
            } else {
                self.follow_meetings(store, access, &meetings).await?;
            }
            let ids: Vec<MemberId> = changed.into_iter().collect();
            let mut gone: BTreeSet<MemberId> = ids.iter().copied().collect();
            for f in member_facts_of(store, access, &ids).await? {
                gone.remove(&f.id);
                self.upsert(&f, today).map_err(StoreError::Other)?;
            }
            for id in gone {
                self.remove(id, today);
            }
            self.seq = last;
        }
    }

    /// Takes the organizations as they now stand (same ids, any shape) and lays the members out again.
    pub fn set_orgs(&mut self, facts: &[OrgFacts], today: Date) -> Result<(), String> {
        let orgs = Orgs::new(facts)?;
        self.relayout(Some(orgs), today)
    }

    /// Whether today's rollups are for `today`.
    pub fn rollups_fresh(&self, today: Date) -> bool {
        self.rollups.fresh(today)
    }

    /// Recomputes today's rollups when the date has changed since they were made.
    pub fn refresh_rollups(&mut self, today: Date) {
        if !self.rollups.fresh(today) {
            self.rollups = Rollups::build(self, today);
        }
    }

    /// The organization and what the member at `r` counts as today, if counted today.
    fn counted_today(&self, r: u32) -> Option<(u32, Seen)> {
        let probe = self.rollups.probe.as_ref()?;
        let (rows, i) = self.rows_of(r);
        if rows.is_gone(i) || rows.since[i] > probe.on {
            return None;
        }
        let org = self.org_of(r);
        self.seen(rows, i, r, self.orgs.sector[org as usize], probe.on).map(|s| (org, s))
    }

    /// Marks the row the engine holds for member `id` gone, taking it out of today's rollups.
    fn forget(&mut self, id: u32) {
        let Some(old) = self.row_ref(id) else { return };
        if let Some((p, s)) = self.counted_today(old) {
            self.rollups.apply(&self.orgs, p, &s, -1);
        }
        if old & DELTA != 0 {
            let i = old & !DELTA;
            let key = (self.delta_org[i as usize], id, i);
            if let Ok(at) = self.delta_order.binary_search(&key) {
                self.delta_order.remove(at);
            }
            self.delta.set_gone(i as usize);
        } else {
            self.base.set_gone(old as usize);
        }
        self.states.remove(&old);
    }

    /// Forgets a member whose record no longer exists (an import rolled back): counted nowhere,
    /// on any date.
    pub fn remove(&mut self, id: MemberId, today: Date) {
        self.refresh_rollups(today);
        if let Ok(id) = u32::try_from(id.0) {
            self.forget(id);
            if let Some(r) = self.row_of.get_mut(id as usize) {
                *r = super::NO_ROW;
            }
        }
    }

    /// Puts a member's current facts in place of what the engine held for them: the old row is
    /// marked gone, the new one joins the delta area, and today's rollups move accordingly.
    pub fn upsert(&mut self, f: &MemberFacts, today: Date) -> Result<(), String> {
        self.refresh_rollups(today);
        let org = self.orgs.pos(f.org).ok_or_else(|| format!("党员{}的组织{}不存在", f.id.0, f.org.0))?;
        let row = Row::of(f)?;
        let states = if row.irregular() { Some(states_of(f)?) } else { None };
        let mut past = Vec::with_capacity(f.past.len());
        for &(o, from, to) in &f.past {
            let o = self.orgs.pos(o).ok_or_else(|| format!("党员{}曾在的组织{}不存在", f.id.0, o.0))?;
            past.push((o, day(from, "组织关系开始日期", f.id.0)?, day(to, "组织关系结束日期", f.id.0)?));
        }
        // Everything is checked: from here nothing fails, so nothing is half-applied.
        self.forget(row.id);
        let i = self.delta.len() as u32;
        let r = i | DELTA;
        self.delta.push(row);
        self.delta_org.push(org);
        let key = (org, row.id, i);
        let at = self.delta_order.partition_point(|k| *k < key);
        self.delta_order.insert(at, key);
        if self.row_of.len() <= row.id as usize {
            self.row_of.resize(row.id as usize + 1, super::NO_ROW);
        }
        self.row_of[row.id as usize] = r;
        if let Some(s) = states {
            self.states.insert(r, s);
        }
        for (org, from, to) in past {
            let p = Past { org, from, to, row: r };
            let at = self.past_delta.partition_point(|q| (q.org, q.row) < (p.org, p.row));
            self.past_delta.insert(at, p);
        }
        self.names.set(row.id, &f.name, &f.initials);
        if let Some((p, s)) = self.counted_today(r) {
            self.rollups.apply(&self.orgs, p, &s, 1);
        }
        if self.delta.len() > (self.base.len() / 32).max(65_536) {
            self.relayout(None, today)?;
        }
        Ok(())
    }
}
