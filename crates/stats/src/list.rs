//! Member lists and head counts for pages: today's roster of a subtree, filtered and searched.

use crate::dim::{Condition, Dim, Probe, Seen, bits};
use crate::engine::Engine;
use crate::query::Page;
use qiangji_domain::Date;
use qiangji_domain::member::{AgeBand, Education, MemberId, MemberKind, MemberStatus, Sex};
use qiangji_domain::org::{OrgId, Sector};
use qiangji_store::Access;

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

impl Filter {
    fn condition(&self) -> Condition {
        let mut c = Condition::all();
        if let Some(k) = self.kind {
            c = c.and(Dim::Kind, &[k.index()]);
        }
        if let Some(s) = self.sex {
            c = c.and(Dim::Sex, &[s.index()]);
        }
        if let Some(e) = self.education {
            c = c.and(Dim::Education, &[e.index()]);
        }
        if let Some(a) = self.age_band {
            c = c.and(Dim::AgeBand, &[a.index()]);
        }
        if let Some(s) = self.sector {
            c = c.and(Dim::Sector, &[s.index()]);
        }
        c
    }
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

impl Engine {
    /// A page of today's members of `org`'s subtree matching `filter`, within `access`, in
    /// (organization, id) order. An organization outside scope gives an empty page.
    pub fn list(&self, access: &Access, org: OrgId, filter: &Filter, today: Date, offset: usize, limit: usize) -> Page {
        let mut page = Page { total: 0, ids: Vec::with_capacity(limit) };
        let Some(b) = self.bounds(access, org) else { return page };
        let probe = Probe::new(today);
        let cond = filter.condition();
        self.visit_live(b.lo, b.hi, |p, r| {
            let (rows, i) = self.rows_of(r);
            let row = rows.get(i);
            let status = MemberStatus::from_index(row.status()).unwrap_or(MemberStatus::Active);
            let shown = match filter.status {
                StatusFilter::Current => status.holds_membership(),
                StatusFilter::Only(s) => status == s,
                StatusFilter::All => true,
            };
            if !shown || b.only.is_some_and(|m| m != row.id) {
                return;
            }
            // Today's attributes: the current kind and status, the organization's sector.
            let seen = Seen {
                id: row.id,
                attrs: row.attrs,
                born: row.born,
                joined: row.joined,
                kind: u8::from(row.full_on > probe.on),
                status: bits::get(row.attrs, bits::STATUS, 3),
                sector: self.orgs.sector[p as usize],
            };
            if cond.matches(&seen, &probe) && self.names.matches(row.id, &filter.query) {
                if page.total >= offset && page.ids.len() < limit {
                    page.ids.push(MemberId(i64::from(row.id)));
                }
                page.total += 1;
            }
        });
        page
    }

    /// Today's member counts of `org`'s subtree and of `org` itself (zero outside scope).
    pub fn counts(&self, access: &Access, org: OrgId, today: Date) -> OrgCounts {
        let mut c = OrgCounts::default();
        let Some(b) = self.bounds(access, org) else { return c };
        let t = self.tally(access, org, today, &Condition::all());
        c.members = t.total;
        c.full_members = t.count(Dim::Kind, MemberKind::Full.index());
        let own = self.orgs.pos(org).expect("bounds found it");
        if (b.lo..b.hi).contains(&own) {
            let probe = Probe::new(today);
            self.visit_counted(own, own + 1, b.only, probe.on, |_, s| {
                c.direct_members += 1;
                c.direct_full_members += u32::from(s.kind == MemberKind::Full.index());
            });
        }
        c
    }
}
