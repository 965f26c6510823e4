//! The member index: organizations in tree (path) order, members sorted by (organization
//! position, id), so that every subtree's members are one contiguous slice.

use qiangji_domain::Date;
use qiangji_domain::member::{AgeBand, Education, MemberId, MemberKind, MemberStatus, Occupation, Sex};
use qiangji_domain::org::{OrgId, Sector};
use qiangji_store::member::{MemberSummary, Span};
use qiangji_store::org::Org;
use qiangji_store::{Access, Store, StoreError, ledger};
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone)]
struct OrgNode {
    id: OrgId,
    path: String,
    sector: Sector,
    /// One past the last descendant's position.
    end: u32,
}

/// A membership interval `[from, to)` by organization position.
pub(crate) type OrgSpan = (u32, Date, Option<Date>);
/// A kind-and-status interval `[from, to)`.
pub(crate) type StateSpan = (MemberKind, MemberStatus, Date, Option<Date>);

#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) id: MemberId,
    pub(crate) org_pos: u32,
    pub(crate) birth_date: Date,
    pub(crate) joined_on: Date,
    pub(crate) sex: Sex,
    pub(crate) minority: bool,
    pub(crate) education: Education,
    pub(crate) occupation: Occupation,
    kind: MemberKind,
    status: MemberStatus,
    name: Box<str>,
    initials: Box<str>,
    pub(crate) orgs: Box<[OrgSpan]>,
    pub(crate) states: Box<[StateSpan]>,
}

/// Which statuses a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StatusFilter {
    /// Members who hold a membership (正常 and 停止党籍): the roster.
    #[default]
    Current,
    Only(MemberStatus),
    All,
}

/// A member-list question. Empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub kind: Option<MemberKind>,
    pub sex: Option<Sex>,
    pub education: Option<Education>,
    pub age_band: Option<AgeBand>,
    pub sector: Option<Sector>,
    pub status: StatusFilter,
    /// A name fragment ("张"), or pinyin initials ("zs").
    pub query: String,
}

/// One page of a list: the total matching and the ids to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub total: usize,
    pub ids: Vec<MemberId>,
}

/// Counts of current members in a subtree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OrgCounts {
    pub members: u32,
    pub full_members: u32,
    /// Members whose organization is this one itself (not a descendant).
    pub direct_members: u32,
    pub direct_full_members: u32,
}

/// The in-memory index. Cheap to query; rebuilt or patched from the ledger after changes.
#[derive(Debug, Default)]
pub struct MemberIndex {
    orgs: Vec<OrgNode>,
    org_pos: HashMap<OrgId, u32>,
    members: Vec<Entry>,
    seq: i64,
}

fn entry_of(s: MemberSummary, org_pos: u32) -> Entry {
    Entry {
        id: s.id,
        org_pos,
        birth_date: s.birth_date,
        joined_on: s.joined_on,
        sex: s.sex,
        minority: s.ethnicity.is_minority(),
        education: s.education,
        occupation: s.occupation,
        kind: s.kind,
        status: s.status,
        name: s.name.into_boxed_str(),
        initials: s.initials.into_boxed_str(),
        orgs: Box::new([]),
        states: Box::new([]),
    }
}

impl Filter {
    fn matches(&self, e: &Entry, sector: Sector, today: Date) -> bool {
        let status_ok = match self.status {
            StatusFilter::Current => e.status.holds_membership(),
            StatusFilter::Only(s) => e.status == s,
            StatusFilter::All => true,
        };
        status_ok
            && self.kind.is_none_or(|k| e.kind == k)
            && self.sex.is_none_or(|s| e.sex == s)
            && self.education.is_none_or(|x| e.education == x)
            && self.sector.is_none_or(|s| sector == s)
            && self.age_band.is_none_or(|b| AgeBand::of(e.birth_date, today) == b)
            && query_matches(&self.query, e)
    }
}

/// Lower-case ASCII letters match pinyin initials from the start; anything else matches the name.
fn query_matches(query: &str, e: &Entry) -> bool {
    let q = query.trim();
    if q.is_empty() {
        return true;
    }
    if q.chars().all(|c| c.is_ascii_alphabetic()) {
        e.initials.starts_with(&q.to_ascii_lowercase())
    } else {
        e.name.contains(q)
    }
}

impl MemberIndex {
    /// Builds the index from everything `access` may see (a system access at start-up).
    pub async fn build(store: &Store, access: &Access) -> Result<MemberIndex, StoreError> {
        // Read the ledger position first: changes made while loading are replayed by `catch_up`.
        let seq = ledger::head_seq(store.db()).await?;
        let mut index = MemberIndex { seq, ..Default::default() };
        index.set_orgs(store.list_orgs(access).await?);
        let mut members = Vec::new();
        let mut missing = 0usize;
        store
            .scan_members(access, |s| match index.org_pos.get(&s.org_id) {
                Some(&pos) => members.push(entry_of(s, pos)),
                None => missing += 1,
            })
            .await?;
        if missing > 0 {
            return Err(StoreError::Other(format!("{missing}名党员的组织不在索引中")));
        }
        members.sort_unstable_by_key(|e| (e.org_pos, e.id));
        let mut spans = Vec::new();
        store.scan_spans(access, |s| spans.push(s)).await?;
        attach(&mut members, &index.org_pos, spans)?;
        index.members = members;
        Ok(index)
    }

    /// Every member: a tally as of a past date must look beyond the slice of the current organization.
    pub(crate) fn all_members(&self) -> &[Entry] {
        &self.members
    }

    /// The positions `[lo, hi)` of `org`'s subtree within what `access` may see.
    pub(crate) fn position(&self, access: &Access, org: OrgId) -> Option<(u32, u32)> {
        self.subtree(access, org)
    }

    /// The ledger position the index reflects.
    pub fn seq(&self) -> i64 {
        self.seq
    }

    pub fn member_count(&self) -> usize {
        self.members.len()
    }

    pub fn org_count(&self) -> usize {
        self.orgs.len()
    }

    fn set_orgs(&mut self, orgs: Vec<Org>) {
        // `orgs` comes in path order, which is pre-order; compute each subtree's end with a stack.
        let mut nodes: Vec<OrgNode> =
            orgs.into_iter().map(|o| OrgNode { id: o.id, path: o.path, sector: o.fields.sector, end: 0 }).collect();
        let mut stack: Vec<usize> = Vec::new();
        for i in 0..nodes.len() {
            while let Some(&top) = stack.last() {
                if nodes[i].path.starts_with(&nodes[top].path) {
                    break;
                }
                nodes[top].end = i as u32;
                stack.pop();
            }
            stack.push(i);
        }
        for top in stack {
            nodes[top].end = nodes.len() as u32;
        }
        self.org_pos = nodes.iter().enumerate().map(|(i, n)| (n.id, i as u32)).collect();
        self.orgs = nodes;
    }

    /// Positions `[lo, hi)` of the organizations `access` may see.
    fn scope_range(&self, access: &Access) -> (u32, u32) {
        let (lo, hi) = access.path_range();
        let a = self.orgs.partition_point(|o| o.path.as_str() < lo.as_str());
        let b = self.orgs.partition_point(|o| o.path.as_str() < hi.as_str());
        (a as u32, b as u32)
    }

    /// Members whose organization position lies in `[lo, hi)`.
    fn slice(&self, lo: u32, hi: u32) -> &[Entry] {
        let a = self.members.partition_point(|e| e.org_pos < lo);
        let b = self.members.partition_point(|e| e.org_pos < hi);
        &self.members[a..b]
    }

    /// The subtree of `org`, intersected with what `access` may see.
    fn subtree(&self, access: &Access, org: OrgId) -> Option<(u32, u32)> {
        let &pos = self.org_pos.get(&org)?;
        let (lo, hi) = self.scope_range(access);
        let end = self.orgs[pos as usize].end;
        let (a, b) = (pos.max(lo), end.min(hi));
        (a < b).then_some((a, b))
    }

    /// A page of the members of `org`'s subtree matching `filter`, within `access`.
    /// An organization outside scope gives an empty page, as if it had no members.
    pub fn list(&self, access: &Access, org: OrgId, filter: &Filter, today: Date, offset: usize, limit: usize) -> Page {
        let Some((lo, hi)) = self.subtree(access, org) else {
            return Page { total: 0, ids: Vec::new() };
        };
        let only = access.self_member_id();
        let mut total = 0;
        let mut ids = Vec::with_capacity(limit);
        for e in self.slice(lo, hi) {
            if only.is_some_and(|m| m != e.id.0) || !filter.matches(e, self.orgs[e.org_pos as usize].sector, today) {
                continue;
            }
            if total >= offset && ids.len() < limit {
                ids.push(e.id);
            }
            total += 1;
        }
        Page { total, ids }
    }

    /// Current-member counts of `org`'s subtree (zero outside scope).
    pub fn counts(&self, access: &Access, org: OrgId) -> OrgCounts {
        let mut c = OrgCounts::default();
        let Some((lo, hi)) = self.subtree(access, org) else {
            return c;
        };
        let own = self.org_pos[&org];
        let only = access.self_member_id();
        for e in self.slice(lo, hi) {
            if !e.status.holds_membership() || only.is_some_and(|m| m != e.id.0) {
                continue;
            }
            let full = u32::from(e.kind == MemberKind::Full);
            c.members += 1;
            c.full_members += full;
            if e.org_pos == own {
                c.direct_members += 1;
                c.direct_full_members += full;
            }
        }
        c
    }

    /// Follows the ledger from where the index stands: reloads organizations when any changed and
    /// re-reads the members that changed. `access` must see everything (a system access).
    pub async fn catch_up(&mut self, store: &Store, access: &Access) -> Result<usize, StoreError> {
        let mut applied = 0;
        loop {
            let entries = ledger::since(store.db(), self.seq, 5000).await?;
            let Some(last) = entries.last().map(|e| e.seq) else {
                return Ok(applied);
            };
            applied += entries.len();
            let orgs_changed = entries.iter().any(|e| e.subject.starts_with("org:"));
            let changed: HashSet<MemberId> = entries
                .iter()
                .filter_map(|e| e.subject.strip_prefix("member:"))
                .filter_map(|id| id.parse().ok())
                .map(MemberId)
                .collect();
            if orgs_changed {
                let old: HashMap<u32, OrgId> = self.orgs.iter().enumerate().map(|(i, o)| (i as u32, o.id)).collect();
                self.set_orgs(store.list_orgs(access).await?);
                for e in &mut self.members {
                    e.org_pos = self.org_pos[&old[&e.org_pos]];
                    for span in e.orgs.iter_mut() {
                        span.0 = self.org_pos[&old[&span.0]];
                    }
                }
            }
            let ids: Vec<MemberId> = changed.iter().copied().collect();
            let mut fresh = Vec::with_capacity(ids.len());
            for s in store.member_summaries(access, &ids).await? {
                let pos = *self.org_pos.get(&s.org_id).ok_or(StoreError::NotFound)?;
                fresh.push(entry_of(s, pos));
            }
            attach(&mut fresh, &self.org_pos, store.spans_of(access, &ids).await?)?;
            self.members.retain(|e| !changed.contains(&e.id));
            if orgs_changed {
                self.members.extend(fresh);
                self.members.sort_unstable_by_key(|e| (e.org_pos, e.id));
            } else {
                // The rest is still in order: put each changed member in its place.
                for e in fresh {
                    let at = self.members.partition_point(|x| (x.org_pos, x.id) < (e.org_pos, e.id));
                    self.members.insert(at, e);
                }
            }
            self.seq = last;
        }
    }
}

/// Hands each of `entries` its effective-dated intervals from `spans` (which may only concern them).
fn attach(entries: &mut [Entry], org_pos: &HashMap<OrgId, u32>, spans: Vec<Span>) -> Result<(), StoreError> {
    let at: HashMap<MemberId, usize> = entries.iter().enumerate().map(|(i, e)| (e.id, i)).collect();
    let mut orgs: HashMap<usize, Vec<OrgSpan>> = HashMap::new();
    let mut states: HashMap<usize, Vec<StateSpan>> = HashMap::new();
    for s in spans {
        match s {
            Span::Org { member, org, from, to } => {
                let pos = *org_pos.get(&org).ok_or(StoreError::NotFound)?;
                orgs.entry(at[&member]).or_default().push((pos, from, to));
            }
            Span::State { member, kind, status, from, to } => {
                states.entry(at[&member]).or_default().push((kind, status, from, to));
            }
        }
    }
    for (i, v) in orgs {
        entries[i].orgs = v.into_boxed_slice();
    }
    for (i, v) in states {
        entries[i].states = v.into_boxed_slice();
    }
    Ok(())
}
