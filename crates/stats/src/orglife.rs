//! Organizational life in the engine: every organization's records (kind, date, whether its
//! secretary gave the 党课), kept current from the ledger like the members, and the early-warning
//! board of any subtree — which organizations are behind on which requirement, how many days are
//! left, and the compliance rates — evaluated by the domain rules (`qiangji_domain::orglife`).

use crate::day::Day;
use crate::dim::{Condition, Dim, Probe};
use crate::engine::Engine;
use crate::engine::scan::Plain;
use qiangji_domain::Date;
use qiangji_domain::member::MemberKind;
use qiangji_domain::org::{OrgId, OrgKind, Post};
use qiangji_domain::orglife::{
    MeetingFact, MeetingId, OrgLifeFacts, Period, Requirement, RequirementKind, RuleSet, Status, evaluate,
};
use qiangji_store::orglife::MeetingFactRow;
use qiangji_store::{Access, Store, StoreError};
use std::collections::HashMap;

/// A pending requirement shows on the board once this few days are left.
pub const DUE_SOON_DAYS: i64 = 15;

/// Each organization's records, by organization id (ids survive a change of tree).
#[derive(Debug, Default)]
pub(crate) struct Meetings {
    by_org: HashMap<OrgId, Vec<MeetingFact>>,
}

impl Meetings {
    pub fn add(&mut self, rows: impl IntoIterator<Item = MeetingFactRow>) {
        for r in rows {
            let lecturer_post = r.lecturer_is_secretary.then_some(Post::Secretary);
            self.by_org.entry(r.org_id).or_default().push(MeetingFact { kind: r.kind, date: r.held_on, lecturer_post });
        }
    }

    pub fn bytes(&self) -> usize {
        self.by_org.capacity() * (size_of::<(OrgId, Vec<MeetingFact>)>() + 1)
            + self.by_org.values().map(|v| v.capacity() * size_of::<MeetingFact>()).sum::<usize>()
    }
}

/// How one requirement kind stands across the subtree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequirementSummary {
    pub kind: RequirementKind,
    pub period: Period,
    /// Organizations owing it in the current period, and of those: met, pending, overdue (an
    /// overdue current period cannot happen; the field keeps the three statuses side by side).
    pub current: [u32; 3],
    /// Earlier periods of the last twelve months owed, and of those met.
    pub earlier_owed: u32,
    pub earlier_met: u32,
}

/// A warning (预警): one organization behind on one requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub org: OrgId,
    pub requirement: Requirement,
}

/// The early-warning board of a subtree on a day, for the twelve months up to that day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarningBoard {
    pub on: Date,
    /// Organizations that owe anything in those months.
    pub orgs: u32,
    pub summaries: Vec<RequirementSummary>,
    /// Overdue periods, then current periods with at most [`DUE_SOON_DAYS`] left
    /// unmet; most urgent first.
    pub warnings: Vec<Warning>,
}

impl WarningBoard {
    /// The requirements of one organization that are behind.
    pub fn of_org(&self, org: OrgId) -> impl Iterator<Item = &Requirement> {
        self.warnings.iter().filter(move |b| b.org == org).map(|b| &b.requirement)
    }
}

fn status_index(s: Status) -> usize {
    match s {
        Status::Met => 0,
        Status::Pending => 1,
        Status::Overdue => 2,
    }
}

impl Engine {
    /// Loads every record in `access`'s scope (a whole-tree access at start-up).
    pub(crate) async fn load_meetings(&mut self, store: &Store, access: &Access) -> Result<(), StoreError> {
        let rows = store.meeting_facts(access, Date::MIN).await?;
        self.meetings.add(rows);
        Ok(())
    }

    /// Adds records written since the engine last looked.
    pub(crate) async fn follow_meetings(
        &mut self,
        store: &Store,
        access: &Access,
        ids: &[MeetingId],
    ) -> Result<(), StoreError> {
        if !ids.is_empty() {
            let rows = store.meeting_facts_of(access, ids).await?;
            self.meetings.add(rows);
        }
        Ok(())
    }

    /// Evaluates every organization of `[lo, hi)` existing on `on` (or only position `only`) for
    /// the periods from the one containing `since` to the one containing `on`, calling
    /// `f(position, requirements)` for those owing anything.
    #[allow(clippy::too_many_arguments)]
    fn evaluate_orgs(
        &self,
        lo: usize,
        hi: usize,
        since: Date,
        on: Date,
        rules: &RuleSet,
        only: Option<usize>,
        mut f: impl FnMut(usize, Vec<Requirement>),
    ) {
        let day = Day::of(on).unwrap_or(Day::OPEN);
        // 支部委员会 (7 or more full members, 党章第三十条) and 党小组, as they stand on the day.
        // Counted only where evaluated: one organization's page need not scan its whole subtree.
        let mut full = vec![0u32; hi - lo];
        let (full_only, probe) = (Condition::all().and(Dim::Kind, &[MemberKind::Full.index()]), Probe::new(on));
        let plain = Plain::new(&full_only, &probe);
        let (clo, chi) = only.map_or((lo, hi), |p| (p, p + 1));
        self.count_base(clo as u32, chi as u32, &plain, &mut |p, n| full[p as usize - lo] = n);
        self.visit_extra(clo as u32, chi as u32, None, day, &mut |p, s| {
            full[p as usize - lo] += u32::from(s.kind == 0)
        });
        let mut has_groups = vec![false; hi - lo];
        for p in lo..hi {
            let parent = self.orgs.parent[p] as usize;
            if self.orgs.kind[p] == OrgKind::Group.index() && (lo..hi).contains(&parent) {
                has_groups[parent - lo] = true;
            }
        }
        let no_meetings = Vec::new();
        for p in lo..hi {
            if only.is_some_and(|o| o != p) || !crate::rollup::exists(&self.orgs, p, day) {
                continue;
            }
            let founded = self.orgs.founded[p];
            let facts = OrgLifeFacts {
                kind: OrgKind::ALL[self.orgs.kind[p] as usize],
                founded_on: if founded == Day(0) { None } else { founded.date() },
                dissolved_on: self.orgs.dissolved[p].date(),
                has_committee: full[p - lo] >= 7,
                has_groups: has_groups[p - lo],
                merged_from: Vec::new(),
            };
            let meetings = self.meetings.by_org.get(&self.orgs.id[p]).unwrap_or(&no_meetings);
            let requirements = evaluate(&facts, rules, meetings, since, on);
            if !requirements.is_empty() {
                f(p, requirements);
            }
        }
    }

    /// What `org` itself owes in `on`'s year and how far it has got.
    pub fn requirements(&self, access: &Access, org: OrgId, on: Date, rules: &RuleSet) -> Vec<Requirement> {
        use chrono::Datelike;
        let since = Date::from_ymd_opt(on.year(), 1, 1).expect("1 January exists");
        let mut out = Vec::new();
        if let Some(b) = self.bounds(access, org).filter(|b| b.whole && b.only.is_none()) {
            let (lo, hi) = (b.lo as usize, b.hi as usize);
            self.evaluate_orgs(lo, hi, since, on, rules, Some(lo), |_, r| out = r);
        }
        out
    }

    /// The early-warning board of `org`'s subtree on `on`, for the periods of the last twelve
    /// months (so that in January last year's gaps still show).
    pub fn board(&self, access: &Access, org: OrgId, on: Date, rules: &RuleSet) -> WarningBoard {
        let mut board = WarningBoard { on, orgs: 0, summaries: Vec::new(), warnings: Vec::new() };
        let Some(b) = self.bounds(access, org) else { return board };
        if b.only.is_some() {
            return board; // a member account has no board
        }
        let mut summaries: Vec<RequirementSummary> = Vec::new();
        let since = on - chrono::Months::new(12) + chrono::Days::new(1);
        self.evaluate_orgs(b.lo as usize, b.hi as usize, since, on, rules, None, |p, requirements| {
            let id = self.orgs.id[p];
            board.orgs += 1;
            for r in requirements {
                let current = r.days_left.is_some();
                let at = match summaries.iter().position(|s| s.kind == r.kind && s.period == r.period.period()) {
                    Some(at) => at,
                    None => {
                        summaries.push(RequirementSummary {
                            kind: r.kind,
                            period: r.period.period(),
                            current: [0; 3],
                            earlier_owed: 0,
                            earlier_met: 0,
                        });
                        summaries.len() - 1
                    }
                };
                let s = &mut summaries[at];
                if current {
                    s.current[status_index(r.status)] += 1;
                } else {
                    s.earlier_owed += 1;
                    s.earlier_met += u32::from(r.status == Status::Met);
                }
                let due_soon = r.status == Status::Pending && r.days_left.is_some_and(|d| d <= DUE_SOON_DAYS);
                if r.status == Status::Overdue || due_soon {
                    board.warnings.push(Warning { org: id, requirement: r });
                }
            }
        });
        summaries.sort_by_key(|s| (s.period.months(), s.kind.label()));
        board.summaries = summaries;
        // Overdue first (oldest period first), then what is due soonest; ties by organization id.
        // The key is packed once per row: hundreds of thousands of rows at city scale.
        let key = |b: &Warning| {
            let r = &b.requirement;
            let left = r.days_left.map_or(0, |d| d.clamp(0, 0xffff) as u64);
            let from = Day::of(r.period.first_day()).map_or(0, |d| u64::from(d.0));
            u64::from(r.status != Status::Overdue) << 63 | left << 47 | from << 31 | (b.org.0 as u64 & 0x7fff_ffff)
        };
        let mut order: Vec<(u64, u32)> = board.warnings.iter().enumerate().map(|(i, b)| (key(b), i as u32)).collect();
        order.sort_unstable();
        let mut rows: Vec<Option<Warning>> = std::mem::take(&mut board.warnings).into_iter().map(Some).collect();
        board.warnings = order.into_iter().filter_map(|(_, i)| rows[i as usize].take()).collect();
        board
    }
}
