//! The bulletin's tables (党内统计公报) for any subtree, as of any date: members counted by sex,
//! ethnicity, education, age band, join period, occupation and kind, from the effective-dated
//! intervals, so a past date gives the roster of that day exactly.

use crate::index::{Entry, MemberIndex};
use qiangji_domain::Date;
use qiangji_domain::member::{AgeBand, Education, JoinPeriod, MemberKind, Occupation, Sex};
use qiangji_domain::org::OrgId;
use qiangji_store::Access;

/// Member counts by each bulletin dimension. Arrays are indexed by the code sets' `index()`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub total: u32,
    pub sex: [u32; 2],
    pub minority: u32,
    pub education: [u32; 6],
    pub age_band: [u32; 8],
    pub join_period: [u32; 4],
    pub occupation: [u32; 8],
    pub kind: [u32; 2],
}

/// What one counted member contributes: attributes plus the kind they held on the day.
pub struct Counted {
    pub sex: Sex,
    pub minority: bool,
    pub education: Education,
    pub birth_date: Date,
    pub joined_on: Date,
    pub occupation: Occupation,
    pub kind: MemberKind,
}

impl Tally {
    /// Adds one member counted on `on`.
    pub fn add(&mut self, m: &Counted, on: Date) {
        self.total += 1;
        self.sex[m.sex.index() as usize] += 1;
        self.minority += u32::from(m.minority);
        self.education[m.education.index() as usize] += 1;
        self.age_band[AgeBand::of(m.birth_date, on).index() as usize] += 1;
        self.join_period[JoinPeriod::of(m.joined_on).index() as usize] += 1;
        self.occupation[m.occupation.index() as usize] += 1;
        self.kind[m.kind.index() as usize] += 1;
    }
}

fn holds(from: Date, to: Option<Date>, on: Date) -> bool {
    from <= on && to.is_none_or(|t| on < t)
}

/// The kind a member held on `on` if they were in an organization position `[lo, hi)` then and
/// held their membership (正常 or 停止党籍).
fn counted_kind(e: &Entry, lo: u32, hi: u32, on: Date) -> Option<MemberKind> {
    let in_subtree = e.orgs.iter().any(|&(pos, from, to)| (lo..hi).contains(&pos) && holds(from, to, on));
    if !in_subtree {
        return None;
    }
    e.states
        .iter()
        .find(|&&(_, status, from, to)| status.holds_membership() && holds(from, to, on))
        .map(|&(kind, ..)| kind)
}

impl MemberIndex {
    /// The bulletin tally of `org`'s subtree as of `on` (members inside `access` only).
    pub fn tally(&self, access: &Access, org: OrgId, on: Date) -> Tally {
        let mut t = Tally::default();
        let Some((lo, hi)) = self.position(access, org) else {
            return t;
        };
        let only = access.self_member_id();
        for e in self.all_members() {
            if only.is_some_and(|m| m != e.id.0) {
                continue;
            }
            if let Some(kind) = counted_kind(e, lo, hi, on) {
                let m = Counted {
                    sex: e.sex,
                    minority: e.minority,
                    education: e.education,
                    birth_date: e.birth_date,
                    joined_on: e.joined_on,
                    occupation: e.occupation,
                    kind,
                };
                t.add(&m, on);
            }
        }
        t
    }
}
