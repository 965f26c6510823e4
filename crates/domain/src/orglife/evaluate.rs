//! Evaluation: which requirements an organization owes for each period from `since` to `on`, and
//! how far it has got. Pure; the caller gathers the facts.
//!
//! The decisions, as an officer checking a branch expects them:
//! - A period is owed only if the organization existed on its first day and was not dissolved
//!   before its last day. A branch founded on 15 February owes no February 支委会; one dissolved
//!   on 10 June owes no second-quarter 党员大会. Half a period is not a period.
//! - The rule version in force on a period's first day governs the whole period, so a rule
//!   changed mid-year takes effect from the first period that begins on or after its
//!   `effective_from`; nobody is judged by a rule that did not exist when the period began.
//! - Meetings dated after `on` are ignored (a future date is a data error, not a meeting held),
//!   and so are meetings dated before the organization was founded.
//! - A merger hands periods over rather than losing them: see [`MergedOrg`].

use super::{MeetingKind, PeriodSpan, RequirementKind, RuleSet};
use crate::code_enum;
use crate::date::Date;
use crate::org::{OrgKind, Post};

/// What evaluation needs to know about an organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgLifeFacts {
    pub kind: OrgKind,
    /// `None` when unknown, which is taken as "long before": many old records lack the date, and
    /// a missing date must not quietly excuse an organization from everything.
    pub founded_on: Option<Date>,
    pub dissolved_on: Option<Date>,
    /// Whether a 党支部 has elected a 支部委员会 (7 or more full members). Read only for 党支部:
    /// a 党总支 always has its committee. Today's answer is used for every period evaluated.
    pub has_committee: bool,
    /// Whether the 党支部 has 党小组; their meetings are counted at the branch, so any one
    /// group's meeting in a month meets the branch's monthly 党小组会.
    pub has_groups: bool,
    /// Organizations merged into this one.
    pub merged_from: Vec<MergedOrg>,
}

/// An organization merged into the one being evaluated on `merged_on` (and dissolved that day).
///
/// The merged organization stops owing every period it is dissolved before the end of (see the
/// first decision above); the organization it merged into takes exactly those periods over, if
/// the merged one existed on their first day — so a branch formed on 20 May by merging two others
/// still owes the year's 组织生活会 and the second quarter's 党员大会. In every period that
/// contains `merged_on`, the merged organization's meetings held up to that day count for the one
/// it merged into: the members who held them are now its members. Earlier periods stay with
/// whichever organization owed them. One level only: a chain of mergers is the caller's to flatten.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergedOrg {
    pub founded_on: Option<Date>,
    pub merged_on: Date,
    pub meetings: Vec<MeetingFact>,
}

/// One organizational-life record, as far as counting goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeetingFact {
    pub kind: MeetingKind,
    pub date: Date,
    /// For a 党课, the lecturer's post in the organization evaluated; `Some(Post::Secretary)` is
    /// what counts as 书记讲党课. The caller supplies, for a 党委, the 党课 its secretary gave
    /// wherever they were held.
    pub lecturer_post: Option<Post>,
}

code_enum!(
    /// Where a requirement stands on the evaluation day.
    Status, "requirement_status", {
    Met = ("met", "已完成"),
    Pending = ("pending", "待完成"),
    Overdue = ("overdue", "逾期未完成"),
});

/// One rule applied to one period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub kind: RequirementKind,
    pub period: PeriodSpan,
    pub required: u32,
    pub held: u32,
    /// Days from the evaluation day to the due date, for the current period only (0 on its last day).
    pub days_left: Option<i64>,
    pub status: Status,
}

impl Requirement {
    /// Everything a period requires is due by its last day.
    pub fn due(&self) -> Date {
        self.period.last_day()
    }
}

/// Every requirement `org` owes under `rules` for the periods from the one containing `since` to
/// the one containing `on`, ordered by requirement kind and then by period.
pub fn evaluate(
    org: &OrgLifeFacts,
    rules: &RuleSet,
    meetings: &[MeetingFact],
    since: Date,
    on: Date,
) -> Vec<Requirement> {
    Plan::new(rules, since, on).evaluate(org, meetings)
}

/// One period a kind of organization may owe: the rule version that governs it and its days.
#[derive(Debug, Clone, Copy)]
struct Planned {
    kind: RequirementKind,
    span: PeriodSpan,
    first: Date,
    last: Date,
    min_count: u32,
}

/// The periods each kind of organization may owe from `since` to `on` under one rule set, and
/// which version governs each. They are the same for every organization of a kind, so a board of
/// tens of thousands of organizations works them out once; what differs per organization (when
/// it was founded, whether it has a committee, its records) is left to [`Plan::evaluate`].
#[derive(Debug, Clone)]
pub struct Plan {
    on: Date,
    by_kind: Vec<(OrgKind, Vec<Planned>)>,
}

impl Plan {
    pub fn new(rules: &RuleSet, since: Date, on: Date) -> Plan {
        let by_kind = OrgKind::ALL
            .iter()
            .map(|&org_kind| {
                let mut kinds: Vec<RequirementKind> =
                    rules.rules.iter().filter(|r| r.org_kinds.contains(&org_kind)).map(|r| r.requirement).collect();
                kinds.sort();
                kinds.dedup();
                let mut planned = Vec::new();
                for kind in kinds {
                    // Each version of a rule lays its own periods over the range (a version may
                    // change the period itself), and keeps those whose first day it governs.
                    for rule in rules.rules.iter().filter(|r| r.applies_to(org_kind, kind)) {
                        for span in rule.period.overlapping(since, on) {
                            let governs =
                                rules.in_force(org_kind, kind, span.first_day()).is_some_and(|r| std::ptr::eq(r, rule));
                            if governs {
                                let (first, last) = (span.first_day(), span.last_day());
                                planned.push(Planned { kind, span, first, last, min_count: rule.min_count });
                            }
                        }
                    }
                }
                planned.sort_by_key(|p| (p.kind, p.first, p.span.period()));
                (org_kind, planned)
            })
            .collect();
        Plan { on, by_kind }
    }

    /// What `org` owes of the plan and how far it has got, ordered as [`evaluate`] says.
    pub fn evaluate(&self, org: &OrgLifeFacts, meetings: &[MeetingFact]) -> Vec<Requirement> {
        let on = self.on;
        let planned = self.by_kind.iter().find(|(k, _)| *k == org.kind).map_or(&[][..], |(_, p)| p.as_slice());
        let mut out = Vec::with_capacity(planned.len());
        // The dates of the organization's own records that count for one kind, gathered once per
        // kind (the plan is ordered by kind) rather than scanned for every period.
        let mut own: Vec<Date> = Vec::new();
        let mut own_kind = None;
        for p in planned.iter().filter(|p| org.may_hold(p.kind) && org.owes(p.span, p.first, p.last)) {
            if own_kind != Some(p.kind) {
                own.clear();
                own.extend(
                    meetings
                        .iter()
                        .filter(|m| counts_for(p.kind, m) && m.date <= on && existed_on(org.founded_on, m.date))
                        .map(|m| m.date),
                );
                own_kind = Some(p.kind);
            }
            let held = held(org, &own, p, on);
            let current = p.first <= on && on <= p.last;
            let status = match (held >= p.min_count, current) {
                (true, _) => Status::Met,
                (false, true) => Status::Pending,
                (false, false) => Status::Overdue,
            };
            out.push(Requirement {
                kind: p.kind,
                period: p.span,
                required: p.min_count,
                held,
                days_left: current.then(|| (p.last - on).num_days()),
                status,
            });
        }
        out
    }
}

impl OrgLifeFacts {
    fn may_hold(&self, kind: RequirementKind) -> bool {
        match kind {
            RequirementKind::Meeting(MeetingKind::CommitteeMeeting) => {
                self.kind != OrgKind::Branch || self.has_committee
            }
            RequirementKind::Meeting(MeetingKind::GroupMeeting) => self.has_groups,
            _ => true,
        }
    }

    /// Whether the period `span` (`first..=last`) is owed at all.
    fn owes(&self, span: PeriodSpan, first: Date, last: Date) -> bool {
        let existed = existed_on(self.founded_on, first) || self.merged_from.iter().any(|m| m.hands_over(span));
        existed && self.dissolved_on.is_none_or(|d| d >= last)
    }
}

impl MergedOrg {
    /// Whether this merger hands `span` over: exactly the periods the merged organization would
    /// have owed had it not been dissolved by the merger.
    fn hands_over(&self, span: PeriodSpan) -> bool {
        existed_on(self.founded_on, span.first_day())
            && span.first_day() <= self.merged_on
            && self.merged_on < span.last_day()
    }
}

fn existed_on(founded_on: Option<Date>, day: Date) -> bool {
    founded_on.is_none_or(|f| f <= day)
}

fn held(org: &OrgLifeFacts, own: &[Date], p: &Planned, on: Date) -> u32 {
    let own = own.iter().filter(|&&d| p.first <= d && d <= p.last).count();
    let (kind, span) = (p.kind, p.span);
    let counts = |m: &&MeetingFact| counts_for(kind, m) && span.contains(m.date) && m.date <= on;
    let inherited: usize = org
        .merged_from
        .iter()
        .filter(|merged| span.contains(merged.merged_on))
        .map(|merged| {
            merged
                .meetings
                .iter()
                .filter(counts)
                .filter(|m| m.date <= merged.merged_on && existed_on(merged.founded_on, m.date))
                .count()
        })
        .sum();
    u32::try_from(own + inherited).unwrap_or(u32::MAX)
}

fn counts_for(kind: RequirementKind, meeting: &MeetingFact) -> bool {
    match kind {
        RequirementKind::Meeting(k) => meeting.kind == k,
        RequirementKind::SecretaryLecture => {
            meeting.kind == MeetingKind::PartyLecture && meeting.lecturer_post == Some(Post::Secretary)
        }
    }
}

#[cfg(test)]
mod tests;
