//! Organizational life in the engine: every organization's records (kind, date, whether its
//! secretary gave the 党课), kept current from the ledger like the members, and the early-warning
//! board of any subtree — which organizations are behind on which requirement, how many days are
//! left, and the compliance rates — evaluated by the domain rules (`qiangji_domain::orglife`).

use crate::absence::Absence;
use crate::day::Day;
use crate::dim::{Condition, Dim, Probe};
use crate::engine::scan::Plain;
use crate::engine::{Engine, ORG_COMMITTEE, ORG_JOINT};
use crate::query::Bounds;
use qiangji_domain::Date;
use qiangji_domain::member::MemberKind;
use qiangji_domain::org::{Advisory, OrgId, OrgKind, OrgShape, Post, advisories};
use qiangji_domain::orglife::{
    MeetingFact, MeetingId, OrgLifeFacts, Period, Plan, Requirement, RequirementKind, RuleSet, Status,
};
use qiangji_store::orglife::MeetingFactRow;
use qiangji_store::{Access, Store, StoreError};
use std::collections::HashMap;
use std::ops::Range;

/// A pending requirement shows on the board once this few days are left.
pub const DUE_SOON_DAYS: i64 = 15;

/// Members and full members held directly by the organizations `lo..lo + full.len()`.
struct Direct {
    lo: usize,
    members: Vec<u32>,
    full: Vec<u32>,
}

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
    /// Organizations set up against the 支部工作条例 or due for 换届, in tree order.
    pub advisories: Vec<(OrgId, Advisory)>,
    /// Members on an absence streak, longest first.
    pub absences: Vec<Absence>,
}

impl WarningBoard {
    /// The requirements of one organization that are behind.
    pub fn of_org(&self, org: OrgId) -> impl Iterator<Item = &Requirement> {
        self.warnings.iter().filter(move |b| b.org == org).map(|b| &b.requirement)
    }
}

/// What a range of organizations adds to a board; two ranges' parts merge in range order.
#[derive(Default)]
struct Part {
    orgs: u32,
    summaries: Vec<RequirementSummary>,
    warnings: Vec<Warning>,
    advisories: Vec<(OrgId, Advisory)>,
}

impl Part {
    fn summary(&mut self, kind: RequirementKind, period: Period) -> &mut RequirementSummary {
        let at = match self.summaries.iter().position(|s| s.kind == kind && s.period == period) {
            Some(at) => at,
            None => {
                self.summaries.push(RequirementSummary {
                    kind,
                    period,
                    current: [0; 3],
                    earlier_owed: 0,
                    earlier_met: 0,
                });
                self.summaries.len() - 1
            }
        };
        &mut self.summaries[at]
    }

    fn add(&mut self, org: OrgId, requirements: Vec<Requirement>) {
        self.orgs += 1;
        for r in requirements {
            let s = self.summary(r.kind, r.period.period());
            if r.days_left.is_some() {
                s.current[status_index(r.status)] += 1;
            } else {
                s.earlier_owed += 1;
                s.earlier_met += u32::from(r.status == Status::Met);
            }
            let due_soon = r.status == Status::Pending && r.days_left.is_some_and(|d| d <= DUE_SOON_DAYS);
            if r.status == Status::Overdue || due_soon {
                self.warnings.push(Warning { org, requirement: r });
            }
        }
    }

    fn merge(mut self, right: Part) -> Part {
        self.orgs += right.orgs;
        for r in right.summaries {
            let s = self.summary(r.kind, r.period);
            for (a, b) in s.current.iter_mut().zip(r.current) {
                *a += b;
            }
            s.earlier_owed += r.earlier_owed;
            s.earlier_met += r.earlier_met;
        }
        self.warnings.extend(right.warnings);
        self.advisories.extend(right.advisories);
        self
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

    /// Adds records written since the engine last looked, and their members' attendance.
    pub(crate) async fn follow_meetings(
        &mut self,
        store: &Store,
        access: &Access,
        ids: &[MeetingId],
    ) -> Result<(), StoreError> {
        if !ids.is_empty() {
            let rows = store.meeting_facts_of(access, ids).await?;
            self.meetings.add(rows);
            self.follow_absences(store, access, ids).await?;
        }
        Ok(())
    }

    /// Members and full members each organization of `[lo, hi)` holds directly on `on`.
    fn direct(&self, lo: usize, hi: usize, on: Date) -> Direct {
        let b = Bounds { lo: lo as u32, hi: hi as u32, only: None, whole: false };
        let mut full = vec![0; hi - lo];
        let (full_only, probe) = (Condition::all().and(Dim::Kind, &[MemberKind::Full.index()]), Probe::new(on));
        self.count_base(b.lo, b.hi, &Plain::new(&full_only, &probe), &mut |p, n| full[p as usize - lo] = n);
        self.visit_extra(b.lo, b.hi, None, probe.on, &mut |p, s| full[p as usize - lo] += u32::from(s.kind == 0));
        Direct { lo, members: self.direct_counts(b, on), full }
    }

    /// Whether the organization at `p` has a 党小组 existing on `day` among its children.
    fn has_group(&self, p: usize, day: Day) -> bool {
        let (end, mut q) = (self.orgs.end[p] as usize, p + 1);
        while q < end {
            if self.orgs.kind[q] == OrgKind::Group.index() && crate::rollup::exists(&self.orgs, q, day) {
                return true;
            }
            q = self.orgs.end[q] as usize; // the next child: skip this one's subtree
        }
        false
    }

    /// How the organization at `p` is set up, for the 支部工作条例 advisories.
    fn shape(&self, p: usize, direct: &Direct) -> OrgShape {
        OrgShape {
            kind: OrgKind::ALL[self.orgs.kind[p] as usize],
            joint: self.orgs.flags[p] & ORG_JOINT != 0,
            term_end: self.orgs.term_end[p].date(),
            members: direct.members[p - direct.lo],
            full_members: direct.full[p - direct.lo],
            committee: self.orgs.flags[p] & ORG_COMMITTEE != 0,
        }
    }

    /// The advisories of `org` itself on `on` (none once dissolved).
    pub fn advisories(&self, access: &Access, org: OrgId, on: Date) -> Vec<Advisory> {
        let Some(b) = self.bounds(access, org).filter(|b| b.whole && b.only.is_none()) else { return Vec::new() };
        let p = b.lo as usize;
        if !crate::rollup::exists(&self.orgs, p, Day::of(on).unwrap_or(Day::OPEN)) {
            return Vec::new();
        }
        advisories(&self.shape(p, &self.direct(p, p + 1, on)), on)
    }

    /// Evaluates every organization of `range` (within `direct`'s) existing on `on` by `plan`
    /// (made for the same `on`), calling `f(position, requirements)` for those owing anything.
    fn evaluate_orgs(
        &self,
        direct: &Direct,
        range: Range<usize>,
        plan: &Plan,
        on: Date,
        mut f: impl FnMut(usize, Vec<Requirement>),
    ) {
        let day = Day::of(on).unwrap_or(Day::OPEN);
        let lo = direct.lo;
        let no_meetings = Vec::new();
        for p in range {
            if !crate::rollup::exists(&self.orgs, p, day) {
                continue;
            }
            let founded = self.orgs.founded[p];
            let facts = OrgLifeFacts {
                kind: OrgKind::ALL[self.orgs.kind[p] as usize],
                founded_on: if founded == Day(0) { None } else { founded.date() },
                dissolved_on: self.orgs.dissolved[p].date(),
                // 支部委员会 (7 or more full members, 党章第三十条) and 党小组, as they stand on the day.
                has_committee: direct.full[p - lo] >= 7,
                has_groups: self.has_group(p, day),
                merged_from: Vec::new(),
            };
            let meetings = self.meetings.by_org.get(&self.orgs.id[p]).unwrap_or(&no_meetings);
            let requirements = plan.evaluate(&facts, meetings);
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
            // Counted only where evaluated: one organization's page need not scan its subtree.
            let lo = b.lo as usize;
            let direct = self.direct(lo, lo + 1, on);
            self.evaluate_orgs(&direct, lo..lo + 1, &Plan::new(rules, since, on), on, |_, r| out = r);
        }
        out
    }

    /// The early-warning board of `org`'s subtree on `on`, for the periods of the last twelve
    /// months (so that in January last year's gaps still show).
    pub fn board(&self, access: &Access, org: OrgId, on: Date, rules: &RuleSet) -> WarningBoard {
        let mut board = WarningBoard {
            on,
            orgs: 0,
            summaries: Vec::new(),
            warnings: Vec::new(),
            advisories: Vec::new(),
            absences: Vec::new(),
        };
        let Some(b) = self.bounds(access, org) else { return board };
        if b.only.is_some() {
            return board; // a member account has no board
        }
        let since = on - chrono::Months::new(12) + chrono::Days::new(1);
        let direct = self.direct(b.lo as usize, b.hi as usize, on);
        let plan = Plan::new(rules, since, on);
        let day = Day::of(on).unwrap_or(Day::OPEN);
        // Each half of a large subtree on its own core: a city's board evaluates 25,000
        // organizations, and an officer waits for it after every change.
        let part = self.split_base(
            b,
            Part::default,
            |part, lo, hi| {
                for p in lo as usize..hi as usize {
                    if crate::rollup::exists(&self.orgs, p, day) {
                        let id = self.orgs.id[p];
                        part.advisories.extend(advisories(&self.shape(p, &direct), on).into_iter().map(|a| (id, a)));
                    }
                }
                self.evaluate_orgs(&direct, lo as usize..hi as usize, &plan, on, |p, r| part.add(self.orgs.id[p], r));
            },
            Part::merge,
        );
        let (mut summaries, warnings) = (part.summaries, part.warnings);
        board.orgs = part.orgs;
        board.advisories = part.advisories;
        board.absences = self.absences_in(&b, on);
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
        let mut order: Vec<(u64, u32)> = warnings.iter().enumerate().map(|(i, b)| (key(b), i as u32)).collect();
        order.sort_unstable();
        let mut rows: Vec<Option<Warning>> = warnings.into_iter().map(Some).collect();
        board.warnings = order.into_iter().filter_map(|(_, i)| rows[i as usize].take()).collect();
        board
    }
}
