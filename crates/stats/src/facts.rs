//! What the engine is built from: organizations in pre-order and members with their effective-dated
//! history, read from the store or generated straight into the engine by the benchmark.

use qiangji_domain::Date;
use qiangji_domain::member::{Education, MemberId, MemberKind, MemberStatus, Occupation, Sex};
use qiangji_domain::org::{OrgId, OrgKind, Sector};
use qiangji_store::member::{MemberSummary, Span};
use qiangji_store::org::Org;
use qiangji_store::{Access, Store, StoreError};
use std::collections::HashMap;

/// An organization; facts come parent before child (pre-order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgFacts {
    pub id: OrgId,
    pub parent: Option<OrgId>,
    pub kind: OrgKind,
    pub sector: Sector,
    pub founded_on: Option<Date>,
    pub dissolved_on: Option<Date>,
    /// A joint branch (联合党支部) of several units: fewer than three full members is no defect.
    pub joint: bool,
    /// The day the current term ends (换届 due), if a term is on record.
    pub term_end: Option<Date>,
    /// Committee members besides the secretaries are on record.
    pub committee: bool,
}

/// A kind-and-status interval `[from, to)`; `to: None` is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateSpan {
    pub kind: MemberKind,
    pub status: MemberStatus,
    pub from: Date,
    pub to: Option<Date>,
}

/// A member as the engine counts them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberFacts {
    pub id: MemberId,
    /// Name and pinyin initials, for list searches; empty when generated for a benchmark.
    pub name: String,
    pub initials: String,
    /// The current organization.
    pub org: OrgId,
    pub sex: Sex,
    pub minority: bool,
    pub education: Education,
    pub occupation: Occupation,
    pub status: MemberStatus,
    pub floating: bool,
    pub birth_date: Date,
    pub joined_on: Date,
    /// The first day as a full member; `None` while probationary.
    pub full_on: Option<Date>,
    /// Start of the open membership in `org`; `None` if no membership is open.
    pub since: Option<Date>,
    /// Closed memberships `(org, from, to)`.
    pub past: Vec<(OrgId, Date, Date)>,
    /// The kind/status history; empty means the plain one implied by the dates
    /// (probationary from joining, full from `full_on`, always 正常).
    pub states: Vec<StateSpan>,
}

impl MemberFacts {
    /// The kind/status history implied by the dates alone.
    pub fn plain_states(&self) -> Vec<StateSpan> {
        let active = MemberStatus::Active;
        match self.full_on {
            Some(f) if f > self.joined_on => vec![
                StateSpan { kind: MemberKind::Probationary, status: active, from: self.joined_on, to: Some(f) },
                StateSpan { kind: MemberKind::Full, status: active, from: f, to: None },
            ],
            Some(_) => vec![StateSpan { kind: MemberKind::Full, status: active, from: self.joined_on, to: None }],
            None => vec![StateSpan { kind: MemberKind::Probationary, status: active, from: self.joined_on, to: None }],
        }
    }
}

/// Organizations as facts, in path (pre-) order.
pub fn org_facts(orgs: Vec<Org>, committees: &[OrgId]) -> Vec<OrgFacts> {
    let committees: std::collections::HashSet<OrgId> = committees.iter().copied().collect();
    orgs.into_iter()
        .map(|o| OrgFacts {
            id: o.id,
            parent: o.parent_id,
            kind: o.fields.kind,
            sector: o.fields.sector,
            founded_on: o.fields.founded_on,
            dissolved_on: o.dissolved_on,
            joint: o.fields.joint,
            term_end: o.fields.term_end(),
            committee: committees.contains(&o.id),
        })
        .collect()
}

/// The organizations `access` sees, with what the engine keeps of each.
pub async fn load_org_facts(store: &Store, access: &Access) -> Result<Vec<OrgFacts>, StoreError> {
    let committees = store.committee_org_ids(access).await?;
    Ok(org_facts(store.list_orgs(access).await?, &committees))
}

/// Joins summaries with their spans into facts.
fn member_facts(summaries: Vec<MemberSummary>, spans: Vec<Span>) -> Result<Vec<MemberFacts>, StoreError> {
    let mut facts: Vec<MemberFacts> = summaries
        .into_iter()
        .map(|s| MemberFacts {
            id: s.id,
            name: s.name,
            initials: s.initials,
            org: s.org_id,
            sex: s.sex,
            minority: s.ethnicity.is_minority(),
            education: s.education,
            occupation: s.occupation,
            status: s.status,
            floating: s.floating,
            birth_date: s.birth_date,
            joined_on: s.joined_on,
            // A full member recorded without a 转正 date counts as full from joining.
            full_on: match s.kind {
                MemberKind::Full => Some(s.full_on.unwrap_or(s.joined_on)),
                MemberKind::Probationary => None,
            },
            since: None,
            past: Vec::new(),
            states: Vec::new(),
        })
        .collect();
    let at: HashMap<MemberId, usize> = facts.iter().enumerate().map(|(i, f)| (f.id, i)).collect();
    let mut states: HashMap<usize, Vec<StateSpan>> = HashMap::new();
    for span in spans {
        match span {
            Span::Org { member, org, from, to } => {
                let f = &mut facts[*at.get(&member).ok_or(StoreError::NotFound)?];
                match to {
                    None if org == f.org => f.since = Some(from),
                    None => return Err(StoreError::Other(format!("党员{}的组织关系与所在组织不一致", member.0))),
                    Some(to) => f.past.push((org, from, to)),
                }
            }
            Span::State { member, kind, status, from, to } => {
                let i = *at.get(&member).ok_or(StoreError::NotFound)?;
                states.entry(i).or_default().push(StateSpan { kind, status, from, to });
            }
        }
    }
    for (i, mut spans) in states {
        spans.sort_by_key(|s| s.from);
        // Keep the history only where it says more than the dates do.
        if spans != facts[i].plain_states() {
            facts[i].states = spans;
        }
    }
    Ok(facts)
}

/// Reads every member `access` sees, with history, calling `each` in batches of facts.
pub async fn scan_member_facts(
    store: &Store,
    access: &Access,
    mut each: impl FnMut(MemberFacts),
) -> Result<(), StoreError> {
    let mut summaries = Vec::new();
    store.scan_members(access, |s| summaries.push(s)).await?;
    let mut spans = Vec::new();
    store.scan_spans(access, |s| spans.push(s)).await?;
    for f in member_facts(summaries, spans)? {
        each(f);
    }
    Ok(())
}

/// The facts of the given members, as they stand now.
pub async fn member_facts_of(store: &Store, access: &Access, ids: &[MemberId]) -> Result<Vec<MemberFacts>, StoreError> {
    let summaries = store.member_summaries(access, ids).await?;
    let spans = store.spans_of(access, ids).await?;
    member_facts(summaries, spans)
}
