//! The organization tree: from the organization department of a city (or of the province) down to
//! townships, villages, communities, enterprises, schools, hospitals, their branches and a few Party
//! groups — together with how many members each branch will hold and what kind of branch it is.
//!
//! Sizes are budget-driven: a district gets its share of the city's members, a township its share of
//! the district's, and units (villages, firms …) are drawn with skewed sizes until the budget is spent.
//! A unit's size then decides its shape, as the 支部工作条例 suggests (one branch up to about 50
//! members, a general branch above, a committee for large units) — with the odd exception, because
//! real trees are messy.

use crate::Scale;
use crate::geo::{self, CityDef, DistrictDef, Level, NINGBO, PROVINCE, PROVINCE_AREA_CODE, ZHEJIANG};
use crate::mix::Flavour;
use crate::names;
use crate::sample::{chance, chinese_number, date_between, pick, skewed, uniform, years_before};
use crate::units::{self, Locale};
use chrono::{Datelike, NaiveDate};
use qiangji_domain::Date;
use qiangji_domain::member::Sex;
use qiangji_domain::org::{FormationMode, OrgFields, OrgInput, OrgKind, Sector};
use rand::Rng;
use rand::rngs::SmallRng;
use std::collections::HashSet;
use std::sync::Arc;

/// An organization before validation; dates stay typed until the founding dates are settled.
pub(crate) struct OrgDraft {
    pub parent: Option<usize>,
    pub name: String,
    pub short_name: String,
    pub kind: OrgKind,
    pub sector: Sector,
    pub formation: FormationMode,
    pub regional: bool,
    pub joint: bool,
    pub founded_on: Date,
    pub term_start: Option<Date>,
    pub term_years: Option<u8>,
    pub host_units: String,
    pub contact: String,
    pub phone: String,
    pub address: String,
}

impl OrgDraft {
    /// Goes through the domain's validation, like any organization entered by hand.
    pub(crate) fn validate(&self, today: Date) -> OrgFields {
        let opt = |d: Option<Date>| d.map(crate::sample::iso).unwrap_or_default();
        let input = OrgInput {
            name: self.name.clone(),
            short_name: self.short_name.clone(),
            kind: self.kind.code().into(),
            sector: self.sector.code().into(),
            formation_mode: self.formation.code().into(),
            regional: self.regional,
            joint: self.joint,
            temporary: false,
            founded_on: crate::sample::iso(self.founded_on),
            term_start: opt(self.term_start),
            term_years: self.term_years.map(|y| y.to_string()).unwrap_or_default(),
            host_units: self.host_units.clone(),
            contact: self.contact.clone(),
            phone: self.phone.clone(),
            address: self.address.clone(),
        };
        input.validate(today).unwrap_or_else(|e| panic!("generated organization {} is invalid: {e}", self.name))
    }
}

/// A county-level division and what members' addresses there are made of.
pub(crate) struct Place {
    pub city: &'static CityDef,
    pub district: &'static DistrictDef,
    /// Townships and streets with their suffix (横溪镇, 南门街道).
    pub townships: Vec<String>,
    pub roads: Vec<String>,
    /// The district's branches: a range of `Tree::slots` (a district's subtree is contiguous).
    pub slots: std::ops::Range<usize>,
}

/// A branch and the members it is to hold.
pub(crate) struct Slot {
    pub org: usize,
    pub flavour: Flavour,
    pub size: u32,
    pub place: u16,
    pub township: Option<u16>,
    /// The village or community the branch belongs to, for members' addresses and work units.
    pub locality: Option<Arc<str>>,
    /// Where its members work: one unit, or the several units of a joint branch.
    pub units: Vec<Arc<str>>,
}

pub(crate) struct Tree {
    pub orgs: Vec<OrgDraft>,
    pub slots: Vec<Slot>,
    pub places: Vec<Place>,
}

/// Builds the tree for `scale`.
pub(crate) fn build(scale: Scale, rng: &mut SmallRng, today: Date) -> Tree {
    let mut b = Builder {
        rng,
        today,
        tree: Tree { orgs: Vec::new(), slots: Vec::new(), places: Vec::new() },
        names: HashSet::new(),
    };
    match scale {
        Scale::Small => b.city(&NINGBO, &NINGBO.districts[..2], 1_000, None),
        Scale::City => b.city(&NINGBO, NINGBO.districts, NINGBO_MEMBERS, None),
        Scale::Province => {
            let root = b.top_department(format!("中共{PROVINCE}委组织部"), PROVINCE_AREA_CODE, None);
            for city in &ZHEJIANG {
                let members = (f64::from(NINGBO_MEMBERS) * city.weight).round() as u32;
                b.city(city, city.districts, members, Some(root));
            }
        }
    }
    b.found_after_parents();
    b.tree
}

/// Ningbo's Party membership, the size of `Scale::City`.
const NINGBO_MEMBERS: u32 = 460_000;

/// Members per township, on average, at city scale (Ningbo: about 156 townships and streets).
const MEMBERS_PER_TOWNSHIP: f64 = 1_900.0;

/// Shares of a district's members outside its townships.
const ORGANS_SHARE: f64 = 0.085;
const EDUCATION_SHARE: f64 = 0.06;
const HEALTH_SHARE: f64 = 0.035;
const STATE_SHARE: f64 = 0.05;
const TWO_NEW_SHARE: f64 = 0.10;
const COLLEGE_SHARE: f64 = 0.045;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TownshipKind {
    /// 镇
    Town,
    /// 街道
    Street,
    /// 乡
    Xiang,
}

impl TownshipKind {
    fn suffix(self) -> &'static str {
        match self {
            TownshipKind::Town => "镇",
            TownshipKind::Street => "街道",
            TownshipKind::Xiang => "乡",
        }
    }
}

/// Where, inside a district, an organization is being built.
#[derive(Clone)]
struct Ctx {
    loc: Locale<'static>,
    place: u16,
    township: Option<u16>,
}

/// A host unit about to be given its organization(s).
struct Unit {
    /// What precedes 支部委员会 in the full name: "大桥村", "宁波华盛电器有限公司".
    label: String,
    host: String,
    work_unit: Arc<str>,
    sector: Sector,
    flavour: Flavour,
    size: u32,
    locality: Option<Arc<str>>,
    /// The name of a separate retirees' branch ("离退休干部"), kept by large units that have one.
    retirees: Option<&'static str>,
    /// Functional names of its branches (内科, 生产); numbered branches otherwise.
    divisions: &'static [&'static str],
    /// The largest kind the unit's own organization may be (a township's offices stop at a general branch).
    max_kind: OrgKind,
}

impl Unit {
    fn new(label: String, sector: Sector, flavour: Flavour, size: u32) -> Unit {
        Unit {
            host: label.clone(),
            work_unit: Arc::from(label.as_str()),
            label,
            sector,
            flavour,
            size,
            locality: None,
            retirees: None,
            divisions: &[],
            max_kind: OrgKind::Committee,
        }
    }
}

/// An organization with its subtree, before it gets its place in the flat pre-order list.
struct Node {
    org: OrgDraft,
    slot: Option<Slot>,
    children: Vec<Node>,
}

impl Node {
    fn new(org: OrgDraft) -> Node {
        Node { org, slot: None, children: Vec::new() }
    }
}

/// Size thresholds per flavour: (largest single branch, largest general branch, mean branch size).
fn shape(f: Flavour) -> (u32, u32, f64) {
    match f {
        Flavour::Village => (50, 80, 22.0),
        Flavour::Community => (50, 90, 23.0),
        Flavour::Organ => (50, 80, 21.0),
        Flavour::School => (50, 100, 22.0),
        Flavour::Hospital | Flavour::StateFirm => (40, 70, 22.0),
        Flavour::PrivateFirm => (50, 100, 22.0),
        Flavour::SocialOrg | Flavour::Regional => (50, 100, 20.0),
        Flavour::Retirees => (50, 100, 23.0),
        Flavour::Students => (60, 200, 35.0),
    }
}

struct Builder<'r> {
    rng: &'r mut SmallRng,
    today: Date,
    tree: Tree,
    /// Names of enterprises, schools and organizations: unique across the whole run.
    names: HashSet<String>,
}

impl Builder<'_> {
    // ----- organizations -------------------------------------------------------------------------

    /// A plausible founding date for an organization of `sector` (villages' branches are old,
    /// social organizations' new).
    fn founding(&mut self, sector: Sector) -> Date {
        let (from, to) = match sector {
            Sector::Rural => (1950, 1995),
            Sector::Community => (1980, 2022),
            Sector::Government => (1950, 2015),
            Sector::PublicInstitution => (1952, 2018),
            Sector::StateEnterprise => (1953, 2020),
            Sector::PrivateEnterprise => (1990, 2025),
            Sector::SocialOrganization => (1995, 2025),
            Sector::Mixed | Sector::Other => (1950, 2000),
        };
        self.founded_between(from, to)
    }

    /// A date from 1 January `from` to 31 December `to`, and at least a month before today.
    fn founded_between(&mut self, from: i32, to: i32) -> Date {
        let latest = self.today - chrono::Days::new(30);
        let hi = NaiveDate::from_ymd_opt(to, 12, 31).expect("valid").min(latest);
        let lo = NaiveDate::from_ymd_opt(from, 1, 1).expect("valid").min(hi);
        date_between(self.rng, lo, hi)
    }

    /// The current term: village and community organizations elect every 5 years, others every 3;
    /// about one in twelve is overdue.
    fn term(&mut self, sector: Sector, founded: Date) -> (Date, u8) {
        let years: u8 = if matches!(sector, Sector::Rural | Sector::Community) { 5 } else { 3 };
        let y = f64::from(years);
        let ago =
            if chance(self.rng, 0.08) { uniform(self.rng, y, (y + 1.5).min(6.0)) } else { uniform(self.rng, 1.0, y) };
        (years_before(self.today, ago).max(founded), years)
    }

    fn contact(&mut self) -> String {
        let sex = if chance(self.rng, 0.65) { Sex::Male } else { Sex::Female };
        let year = self.rng.random_range(1962..=1995);
        names::person(self.rng, sex, year)
    }

    /// An office phone: a landline with the city's area code, sometimes the secretary's mobile.
    fn office_phone(&mut self, area_code: &str) -> String {
        if chance(self.rng, 0.7) {
            format!("{area_code}-8{:07}", self.rng.random_range(0..10_000_000))
        } else {
            mobile(self.rng)
        }
    }

    fn address(&mut self, ctx: &Ctx, locality: Option<&str>) -> String {
        let place = &self.tree.places[usize::from(ctx.place)];
        let township = match ctx.township {
            Some(t) => place.townships[usize::from(t)].as_str(),
            None => pick(self.rng, &place.townships).as_str(),
        };
        let n = self.rng.random_range(1..=300);
        match locality {
            Some(l) => format!("{PROVINCE}{}{}{township}{l}{n}号", place.city.name, place.district.name),
            None => {
                let road = pick(self.rng, &place.roads);
                format!("{PROVINCE}{}{}{township}{road}{n}号", place.city.name, place.district.name)
            }
        }
    }

    /// A grassroots organization with founding date, term, contact, phone and address filled in.
    fn draft(
        &mut self,
        ctx: &Ctx,
        name: String,
        short_name: String,
        kind: OrgKind,
        sector: Sector,
        locality: Option<&str>,
    ) -> OrgDraft {
        let founded_on = self.founding(sector);
        let (term_start, term_years) = self.term(sector, founded_on);
        OrgDraft {
            parent: None,
            name,
            short_name,
            kind,
            sector,
            formation: FormationMode::Single,
            regional: false,
            joint: false,
            founded_on,
            term_start: Some(term_start),
            term_years: Some(term_years),
            host_units: String::new(),
            contact: self.contact(),
            phone: self.office_phone(ctx.loc.city.area_code),
            address: self.address(ctx, locality),
        }
    }

    /// An organization department (province or city), pushed straight onto the tree.
    fn top_department(&mut self, name: String, area_code: &str, parent: Option<usize>) -> usize {
        let short_name = name.trim_start_matches("中共").to_owned();
        let org = OrgDraft {
            parent,
            name,
            short_name,
            kind: OrgKind::Department,
            sector: Sector::Mixed,
            formation: FormationMode::Single,
            regional: false,
            joint: false,
            founded_on: NaiveDate::from_ymd_opt(1949, 10, 1).expect("valid"),
            term_start: None,
            term_years: None,
            host_units: String::new(),
            contact: self.contact(),
            phone: format!("{area_code}-8{:07}", self.rng.random_range(0..10_000_000)),
            address: String::new(),
        };
        self.tree.orgs.push(org);
        self.tree.orgs.len() - 1
    }

    /// Pushes a subtree in pre-order: every organization right before its descendants.
    fn attach(&mut self, node: Node, parent: Option<usize>) {
        let Node { mut org, slot, children } = node;
        org.parent = parent;
        let index = self.tree.orgs.len();
        self.tree.orgs.push(org);
        if let Some(mut slot) = slot {
            slot.org = index;
            self.tree.slots.push(slot);
        }
        for child in children {
            self.attach(child, Some(index));
        }
    }

    /// Organizations are set up after their parent: a child planned earlier than its (non-department)
    /// parent is moved to within a few years after the parent's founding.
    fn found_after_parents(&mut self) {
        let latest = self.today - chrono::Days::new(30);
        for i in 0..self.tree.orgs.len() {
            let Some(p) = self.tree.orgs[i].parent else {
                continue;
            };
            let parent = &self.tree.orgs[p];
            if parent.kind == OrgKind::Department || self.tree.orgs[i].founded_on >= parent.founded_on {
                continue;
            }
            let from = parent.founded_on;
            let to = years_before(from, -8.0).min(latest);
            let founded = date_between(self.rng, from, to);
            let org = &mut self.tree.orgs[i];
            org.founded_on = founded;
            org.term_start = org.term_start.map(|t| t.max(founded));
        }
    }

    // ----- sizes ---------------------------------------------------------------------------------

    /// Unit sizes drawn until `budget` members are used; the last is cut to fit (a remainder too
    /// small to stand alone joins the previous unit).
    fn fill(&mut self, budget: u32, median: f64, sigma: f64, min: u32, max: u32) -> Vec<u32> {
        let mut out: Vec<u32> = Vec::new();
        let mut left = budget;
        while left > 0 {
            let s = skewed(self.rng, median, sigma, min, max);
            if s >= left {
                match out.last_mut() {
                    Some(last) if left < min => *last += left,
                    _ => out.push(left),
                }
                break;
            }
            out.push(s);
            left -= s;
        }
        out
    }

    /// `n` members split into branches of about `mean` (never fewer than 3 each).
    fn split(&mut self, n: u32, mean: f64) -> Vec<u32> {
        let target = uniform(self.rng, mean * 0.8, mean * 1.25);
        let k = ((f64::from(n) / target).round() as u32).clamp(1, (n / 3).max(1)) as usize;
        let weights: Vec<f64> = (0..k).map(|_| uniform(self.rng, 0.5, 1.5)).collect();
        let total: f64 = weights.iter().sum();
        let mut parts: Vec<u32> = weights.iter().map(|w| (f64::from(n) * w / total).floor() as u32).collect();
        // Flooring leaves fewer than k members over; hand them out one each.
        let rest = (n - parts.iter().sum::<u32>()) as usize;
        for p in parts.iter_mut().take(rest) {
            *p += 1;
        }
        // Even out parts below 3 members, taking from the largest.
        while k > 1 && parts.iter().any(|p| *p < 3) {
            let (lo, _) = parts.iter().enumerate().min_by_key(|(_, p)| **p).expect("non-empty");
            let (hi, _) = parts.iter().enumerate().max_by_key(|(_, p)| **p).expect("non-empty");
            parts[hi] -= 1;
            parts[lo] += 1;
        }
        parts
    }

    /// `items` chosen by weight (heaviest and luckiest first) and `budget` split between them.
    fn share_out(&mut self, items: Vec<(String, f64)>, budget: u32, per_item: f64) -> Vec<(String, u32)> {
        let n = ((f64::from(budget) / per_item).round() as usize).clamp(1, items.len());
        let mut keyed: Vec<(f64, String, f64)> =
            items.into_iter().map(|(name, w)| (w * uniform(self.rng, 0.5, 1.5), name, w)).collect();
        keyed.sort_by(|a, b| b.0.total_cmp(&a.0));
        keyed.truncate(n);
        let weights: Vec<f64> = keyed.iter().map(|(_, _, w)| w * uniform(self.rng, 0.7, 1.3)).collect();
        let total: f64 = weights.iter().sum();
        let mut used = 0;
        let mut out = Vec::with_capacity(n);
        for (i, ((_, name, _), w)) in keyed.into_iter().zip(&weights).enumerate() {
            let size = if i + 1 == n {
                budget - used
            } else {
                ((f64::from(budget) * w / total).round() as u32).min(budget - used)
            };
            used += size;
            if size > 0 {
                out.push((name, size));
            }
        }
        out
    }

    // ----- branches and units --------------------------------------------------------------------

    /// A branch holding `size` members of `flavour`; large ones sometimes keep Party groups.
    fn branch(
        &mut self,
        ctx: &Ctx,
        unit: &Unit,
        name: String,
        short_name: String,
        flavour: Flavour,
        size: u32,
    ) -> Node {
        let mut org = self.draft(ctx, name, short_name, OrgKind::Branch, unit.sector, unit.locality.as_deref());
        org.host_units = unit.host.clone();
        if org.founded_on.year() < flavour.since_year() {
            org.founded_on = self.founded_between(flavour.since_year(), 2025);
            org.term_start = org.term_start.map(|t| t.max(org.founded_on));
        }
        let mut node = Node::new(org);
        node.slot = Some(Slot {
            org: 0,
            flavour,
            size,
            place: ctx.place,
            township: ctx.township,
            locality: unit.locality.clone(),
            units: vec![unit.work_unit.clone()],
        });
        // Large branches often split their members into Party groups.
        let groups_chance = match size {
            ..30 => 0.0,
            30..40 => 0.02,
            _ => 0.12,
        };
        if chance(self.rng, groups_chance) {
            let groups = self.rng.random_range(2..=4);
            for i in 1..=groups {
                let name = format!("第{}党小组", chinese_number(i));
                let founded = date_between(self.rng, node.org.founded_on, self.today);
                let contact = self.contact();
                node.children.push(Node::new(OrgDraft {
                    parent: None,
                    short_name: name.clone(),
                    name,
                    kind: OrgKind::Group,
                    sector: unit.sector,
                    formation: FormationMode::Single,
                    regional: false,
                    joint: false,
                    founded_on: founded,
                    term_start: None,
                    term_years: None,
                    host_units: String::new(),
                    contact,
                    phone: String::new(),
                    address: String::new(),
                }));
            }
        }
        node
    }

    /// The organization(s) of one host unit, shaped by its size.
    fn unit(&mut self, ctx: &Ctx, u: Unit) -> Node {
        let (single_max, general_max, mean) = shape(u.flavour);
        let label = u.label.clone();
        // A handful of units keep one oversized branch instead of splitting it.
        let oversized = u.size <= single_max * 2 && chance(self.rng, 0.025);
        if u.size <= single_max || oversized {
            return self.branch(ctx, &u, format!("中共{label}支部委员会"), format!("{label}党支部"), u.flavour, u.size);
        }
        let kind = if u.size <= general_max || u.max_kind == OrgKind::GeneralBranch {
            OrgKind::GeneralBranch
        } else {
            OrgKind::Committee
        };
        let (name, short_name) = match kind {
            OrgKind::GeneralBranch => (format!("中共{label}总支部委员会"), format!("{label}党总支")),
            _ => (format!("中共{label}委员会"), format!("{label}党委")),
        };
        let mut org = self.draft(ctx, name, short_name, kind, u.sector, u.locality.as_deref());
        org.host_units = u.host.clone();
        let mut node = Node::new(org);
        let mut rest = u.size;
        if let Some(r) = u.retirees
            && u.size >= 60
            && chance(self.rng, 0.7)
        {
            let n = (f64::from(u.size) * uniform(self.rng, 0.08, 0.2)).round() as u32;
            node.children.push(self.branch(
                ctx,
                &u,
                format!("中共{label}{r}支部委员会"),
                format!("{label}{r}党支部"),
                Flavour::Retirees,
                n,
            ));
            rest -= n;
        }
        let mut labels = BranchLabels::new(u.divisions);
        if kind == OrgKind::Committee && rest > 600 {
            // A large committee groups its branches into general branches (departments, sections).
            let divisions = (f64::from(rest) / uniform(self.rng, 150.0, 300.0)).round().max(2.0) as u32;
            let parts = self.split_exact(rest, divisions);
            for part in parts {
                let division = labels.division();
                let prefix = format!("{label}{division}");
                if part > 60 {
                    let org = self.draft(
                        ctx,
                        format!("中共{prefix}总支部委员会"),
                        format!("{prefix}党总支"),
                        OrgKind::GeneralBranch,
                        u.sector,
                        u.locality.as_deref(),
                    );
                    let mut gb = Node::new(org);
                    gb.org.host_units = u.host.clone();
                    let sizes = self.split(part, mean);
                    let numbered = sizes.len() > 1;
                    for (i, s) in sizes.into_iter().enumerate() {
                        let tail =
                            if numbered { format!("第{}", chinese_number(i as u32 + 1)) } else { String::new() };
                        gb.children.push(self.branch(
                            ctx,
                            &u,
                            format!("中共{prefix}{tail}支部委员会"),
                            format!("{prefix}{tail}党支部"),
                            u.flavour,
                            s,
                        ));
                    }
                    node.children.push(gb);
                } else {
                    node.children.push(self.branch(
                        ctx,
                        &u,
                        format!("中共{prefix}支部委员会"),
                        format!("{prefix}党支部"),
                        u.flavour,
                        part,
                    ));
                }
            }
        } else {
            for s in self.split(rest, mean) {
                let tail = labels.branch(self.rng, u.flavour);
                node.children.push(self.branch(
                    ctx,
                    &u,
                    format!("中共{label}{tail}支部委员会"),
                    format!("{label}{tail}党支部"),
                    u.flavour,
                    s,
                ));
            }
        }
        node
    }

    /// `n` split into exactly `k` parts of random relative size.
    fn split_exact(&mut self, n: u32, k: u32) -> Vec<u32> {
        let weights: Vec<f64> = (0..k).map(|_| uniform(self.rng, 0.6, 1.4)).collect();
        let total: f64 = weights.iter().sum();
        let mut parts: Vec<u32> = weights.iter().map(|w| (f64::from(n) * w / total).floor() as u32).collect();
        let used: u32 = parts.iter().sum();
        parts[0] += n - used;
        parts
    }

    /// Joint branches for tiny units that cannot have a branch of their own (2 to 5 units each),
    /// named "中共{label}第N联合支部委员会" with `counter` numbering them.
    fn joint_branches(
        &mut self,
        ctx: &Ctx,
        pooled: Vec<(String, u32)>,
        label: &str,
        (sector, flavour): (Sector, Flavour),
        counter: &mut u32,
    ) -> Vec<Node> {
        let mut out = Vec::new();
        let mut rest = pooled.as_slice();
        while !rest.is_empty() {
            let take = self.rng.random_range(2..=5).min(rest.len());
            let (group, tail) = rest.split_at(take);
            rest = tail;
            *counter += 1;
            let n = chinese_number(*counter);
            let mut org = self.draft(
                ctx,
                format!("中共{label}第{n}联合支部委员会"),
                format!("{label}第{n}联合党支部"),
                OrgKind::Branch,
                sector,
                None,
            );
            org.joint = true;
            org.formation = FormationMode::Joint;
            org.host_units = group.iter().map(|(name, _)| name.as_str()).collect::<Vec<_>>().join("、");
            let mut node = Node::new(org);
            node.slot = Some(Slot {
                org: 0,
                flavour,
                size: group.iter().map(|(_, s)| s).sum(),
                place: ctx.place,
                township: ctx.township,
                locality: None,
                units: group.iter().map(|(name, _)| Arc::from(name.as_str())).collect(),
            });
            out.push(node);
        }
        out
    }

    // ----- cities and districts ------------------------------------------------------------------

    fn city(&mut self, city: &'static CityDef, districts: &'static [DistrictDef], members: u32, parent: Option<usize>) {
        let root = self.top_department(format!("中共{}委组织部", city.name), city.area_code, parent);
        let mut road_names = HashSet::new();
        self.tree.orgs[root].address = format!(
            "{PROVINCE}{}{}{}号",
            city.name,
            geo::road_name(self.rng, &mut road_names),
            self.rng.random_range(1..=999)
        );
        if parent.is_none() {
            self.tree.orgs[root].founded_on = NaiveDate::from_ymd_opt(1949, 5, 25).expect("valid");
        }
        let total: f64 = districts.iter().map(|d| d.weight).sum();
        let mut townships_used = HashSet::new();
        for d in districts {
            let budget = (f64::from(members) * d.weight / total).round() as u32;
            let node = self.district(city, d, budget, &mut townships_used);
            let first_slot = self.tree.slots.len();
            self.attach(node, Some(root));
            let place = self.tree.places.last_mut().expect("district pushed its place");
            place.slots = first_slot..self.tree.slots.len();
        }
    }

    fn district(
        &mut self,
        city: &'static CityDef,
        d: &'static DistrictDef,
        budget: u32,
        townships_used: &mut HashSet<String>,
    ) -> Node {
        let loc = Locale { city, district: d };
        let place = u16::try_from(self.tree.places.len()).expect("fewer than 65536 districts");
        let share = |s: f64| (f64::from(budget) * s).round() as u32;
        let township_budget = budget
            - share(ORGANS_SHARE)
            - share(EDUCATION_SHARE)
            - share(HEALTH_SHARE)
            - share(STATE_SHARE)
            - share(TWO_NEW_SHARE)
            - share(COLLEGE_SHARE);

        // Townships first: everything else refers to their names.
        let count = ((f64::from(township_budget) / MEMBERS_PER_TOWNSHIP).round() as usize).max(2);
        let kinds = township_kinds(d.level, count);
        let mut townships = Vec::with_capacity(count);
        for &kind in &kinds {
            let base = geo::township_name(self.rng, townships_used);
            townships.push((base, kind));
        }
        let mut road_names = HashSet::new();
        let roads = (0..(count * 4).max(12)).map(|_| geo::road_name(self.rng, &mut road_names)).collect();
        self.tree.places.push(Place {
            city,
            district: d,
            townships: townships.iter().map(|(b, k)| format!("{b}{}", k.suffix())).collect(),
            roads,
            slots: 0..0,
        });
        let ctx = Ctx { loc, place, township: None };

        let mut org = OrgDraft {
            parent: None,
            name: format!("中共{}委组织部", d.name),
            short_name: format!("{}委组织部", d.name),
            kind: OrgKind::Department,
            sector: Sector::Mixed,
            formation: FormationMode::Single,
            regional: false,
            joint: false,
            founded_on: date_between(
                self.rng,
                NaiveDate::from_ymd_opt(1949, 5, 1).expect("valid"),
                NaiveDate::from_ymd_opt(1958, 12, 31).expect("valid"),
            ),
            term_start: None,
            term_years: None,
            host_units: String::new(),
            contact: self.contact(),
            phone: self.office_phone(city.area_code),
            address: String::new(),
        };
        org.address = self.address(&ctx, None);
        let mut node = Node::new(org);

        let children = [
            self.organs(&ctx, share(ORGANS_SHARE)),
            self.education(&ctx, share(EDUCATION_SHARE)),
            self.health(&ctx, share(HEALTH_SHARE)),
            self.state_enterprises(&ctx, share(STATE_SHARE)),
            self.two_new(&ctx, share(TWO_NEW_SHARE)),
            self.college(&ctx, share(COLLEGE_SHARE)),
        ];
        node.children.extend(children);

        let weights: Vec<f64> = (0..count).map(|_| (0.35 * crate::sample::normal(self.rng)).exp()).collect();
        let total: f64 = weights.iter().sum();
        let mut used = 0;
        for (i, ((base, kind), w)) in townships.iter().zip(&weights).enumerate() {
            let b = if i + 1 == count {
                township_budget - used
            } else {
                (f64::from(township_budget) * w / total).round() as u32
            };
            used += b;
            let ctx = Ctx { township: Some(i as u16), ..ctx.clone() };
            let t = self.township(&ctx, base, *kind, b);
            node.children.push(t);
        }
        node
    }

    /// 直属机关工委: the district's government bodies and a general branch of retired cadres.
    fn organs(&mut self, ctx: &Ctx, budget: u32) -> Node {
        let d = ctx.loc.district;
        let org = self.draft(
            ctx,
            format!("中共{}直属机关工作委员会", d.name),
            format!("{}直属机关工委", d.name),
            OrgKind::WorkingCommittee,
            Sector::Government,
            None,
        );
        let mut node = Node::new(org);
        node.org.host_units = format!("{}委", d.name);
        let retired = (f64::from(budget) * 0.12).round() as u32;
        for (name, size) in self.share_out(units::organs(ctx.loc), budget - retired, 30.0) {
            let mut u = Unit::new(name, Sector::Government, Flavour::Organ, size);
            u.retirees = Some("离退休干部");
            let n = self.unit(ctx, u);
            node.children.push(n);
        }
        if retired > 0 {
            let label = format!("{}机关离退休干部", d.name);
            let mut u = Unit::new(label, Sector::Government, Flavour::Retirees, retired);
            u.host = format!("{}委老干部局", d.name);
            let n = self.unit(ctx, u);
            node.children.push(n);
        }
        node
    }

    /// 教育局党委: schools (with retired teachers' branches) and the bureau's own branch.
    fn education(&mut self, ctx: &Ctx, budget: u32) -> Node {
        let d = ctx.loc.district;
        let bureau = format!("{}教育局", d.name);
        let org = self.draft(
            ctx,
            format!("中共{bureau}委员会"),
            format!("{bureau}党委"),
            OrgKind::Committee,
            Sector::PublicInstitution,
            None,
        );
        let mut node = Node::new(org);
        node.org.host_units = bureau.clone();
        // The bureau's own staff have a branch once there are enough of them.
        let own = if budget >= 200 { (f64::from(budget) * 0.05).round() as u32 } else { 0 };
        if own > 0 {
            let u = Unit::new(format!("{bureau}机关"), Sector::PublicInstitution, Flavour::Organ, own);
            node.children.push(self.unit(ctx, u));
        }
        let places: Vec<String> = self.tree.places[usize::from(ctx.place)]
            .townships
            .iter()
            .map(|t| t.trim_end_matches("街道").trim_end_matches(['镇', '乡']).to_owned())
            .collect();
        for size in self.fill(budget - own, 28.0, 0.6, 4, 250) {
            let name = units::school(self.rng, ctx.loc, &places, &mut self.names);
            let mut u = Unit::new(name, Sector::PublicInstitution, Flavour::School, size);
            u.retirees = Some("退休教师");
            node.children.push(self.unit(ctx, u));
        }
        node
    }

    /// 卫生健康局党委: hospitals with departmental branches, township health centres.
    fn health(&mut self, ctx: &Ctx, budget: u32) -> Node {
        let d = ctx.loc.district;
        let bureau = format!("{}卫生健康局", d.name);
        let org = self.draft(
            ctx,
            format!("中共{bureau}委员会"),
            format!("{bureau}党委"),
            OrgKind::Committee,
            Sector::PublicInstitution,
            None,
        );
        let mut node = Node::new(org);
        node.org.host_units = bureau.clone();
        let own = if budget >= 200 { (f64::from(budget) * 0.04).round() as u32 } else { 0 };
        if own > 0 {
            node.children.push(
                self.unit(ctx, Unit::new(format!("{bureau}机关"), Sector::PublicInstitution, Flavour::Organ, own)),
            );
        }
        let townships = self.tree.places[usize::from(ctx.place)].townships.clone();
        for (name, size) in self.share_out(units::hospitals(ctx.loc, &townships), budget - own, 40.0) {
            let mut u = Unit::new(name, Sector::PublicInstitution, Flavour::Hospital, size);
            u.retirees = Some("离退休");
            u.divisions = units::HOSPITAL_DEPARTMENTS;
            node.children.push(self.unit(ctx, u));
        }
        node
    }

    /// The state-assets committee and the district's state-owned groups.
    fn state_enterprises(&mut self, ctx: &Ctx, budget: u32) -> Node {
        let d = ctx.loc.district;
        let org = self.draft(
            ctx,
            format!("中共{}国有资产管理委员会", d.name),
            format!("{}国资委党委", d.name),
            OrgKind::Committee,
            Sector::StateEnterprise,
            None,
        );
        let mut node = Node::new(org);
        node.org.host_units = format!("{}国有资产管理委员会", d.name);
        for size in self.fill(budget, 300.0, 0.7, 20, 5000) {
            let name = units::state_group(self.rng, ctx.loc, &mut self.names);
            let mut u = Unit::new(name, Sector::StateEnterprise, Flavour::StateFirm, size);
            u.retirees = Some("离退休党员");
            u.divisions = units::COMPANY_DEPARTMENTS;
            node.children.push(self.unit(ctx, u));
        }
        node
    }

    /// 两新工委: the larger private enterprises, the lawyers' committee and social organizations.
    fn two_new(&mut self, ctx: &Ctx, budget: u32) -> Node {
        let d = ctx.loc.district;
        let org = self.draft(
            ctx,
            format!("中共{}非公有制经济组织和社会组织工作委员会", d.name),
            format!("{}两新工委", d.name),
            OrgKind::WorkingCommittee,
            Sector::PrivateEnterprise,
            None,
        );
        let mut node = Node::new(org);
        node.org.host_units = format!("{}委", d.name);
        let lawyers = if budget >= 300 { (f64::from(budget) * 0.08).round() as u32 } else { 0 };
        let social = (f64::from(budget) * 0.15).round() as u32;
        for size in self.fill(budget - lawyers - social, 45.0, 1.0, 5, 3000) {
            let name = units::company(self.rng, ctx.loc, size, &mut self.names);
            let mut u = Unit::new(name, Sector::PrivateEnterprise, Flavour::PrivateFirm, size);
            u.divisions = units::COMPANY_DEPARTMENTS;
            node.children.push(self.unit(ctx, u));
        }
        if lawyers > 0 {
            let org = self.draft(
                ctx,
                format!("中共{}律师行业委员会", d.name),
                format!("{}律师行业党委", d.name),
                OrgKind::Committee,
                Sector::SocialOrganization,
                None,
            );
            let mut law = Node::new(org);
            law.org.formation = FormationMode::Industry;
            law.org.host_units = format!("{}律师协会", d.name);
            let mut pooled = Vec::new();
            for size in self.fill(lawyers, 7.0, 0.7, 1, 80) {
                let name = units::law_firm(self.rng, ctx.loc, &mut self.names);
                if size < 3 {
                    pooled.push((name, size));
                } else {
                    law.children
                        .push(self.unit(ctx, Unit::new(name, Sector::SocialOrganization, Flavour::SocialOrg, size)));
                }
            }
            let mut counter = 0;
            let prefix = format!("{}律师行业", d.name);
            law.children.extend(self.joint_branches(
                ctx,
                pooled,
                &prefix,
                (Sector::SocialOrganization, Flavour::SocialOrg),
                &mut counter,
            ));
            node.children.push(law);
        }
        let mut pooled = Vec::new();
        for size in self.fill(social, 6.0, 0.8, 1, 100) {
            let name = units::social_org(self.rng, ctx.loc, &mut self.names);
            if size < 4 && chance(self.rng, 0.85) {
                pooled.push((name, size));
            } else {
                node.children
                    .push(self.unit(ctx, Unit::new(name, Sector::SocialOrganization, Flavour::SocialOrg, size)));
            }
        }
        let mut counter = 0;
        node.children.extend(self.joint_branches(
            ctx,
            pooled,
            &format!("{}社会组织", d.name),
            (Sector::SocialOrganization, Flavour::SocialOrg),
            &mut counter,
        ));
        node
    }

    /// The district's vocational college: schools (二级学院) with teachers' and students' branches.
    fn college(&mut self, ctx: &Ctx, budget: u32) -> Node {
        let name = units::college(ctx.loc);
        let org = self.draft(
            ctx,
            format!("中共{name}委员会"),
            format!("{name}党委"),
            OrgKind::Committee,
            Sector::PublicInstitution,
            None,
        );
        let mut node = Node::new(org);
        node.org.host_units = name.clone();
        // A small college has no separate administration and retirees' branches.
        let (admin, retired) = if budget >= 100 {
            ((f64::from(budget) * 0.10).round() as u32, (f64::from(budget) * 0.05).round() as u32)
        } else {
            (0, 0)
        };
        let schools_budget = budget - admin - retired;
        let unit = |size, flavour| Unit::new(name.clone(), Sector::PublicInstitution, flavour, size);
        let admin_branches = if admin > 0 { self.split(admin, 20.0) } else { Vec::new() };
        for (i, s) in admin_branches.into_iter().enumerate() {
            let tail = format!("机关第{}", chinese_number(i as u32 + 1));
            node.children.push(self.branch(
                ctx,
                &unit(s, Flavour::School),
                format!("中共{name}{tail}支部委员会"),
                format!("{name}{tail}党支部"),
                Flavour::School,
                s,
            ));
        }
        if retired > 0 {
            node.children.push(self.branch(
                ctx,
                &unit(retired, Flavour::Retirees),
                format!("中共{name}离退休教职工支部委员会"),
                format!("{name}离退休教职工党支部"),
                Flavour::Retirees,
                retired,
            ));
        }
        let schools = ((f64::from(schools_budget) / 250.0).round() as usize).clamp(1, units::COLLEGE_SCHOOLS.len());
        let parts = self.split_exact(schools_budget, schools as u32);
        for (school, part) in units::COLLEGE_SCHOOLS.iter().zip(parts) {
            let teachers = (f64::from(part) * 0.3).round().max(1.0) as u32;
            let students = part - teachers;
            let prefix = format!("{name}{school}");
            let mut branches = vec![self.branch(
                ctx,
                &unit(teachers, Flavour::School),
                format!("中共{prefix}教工支部委员会"),
                format!("{prefix}教工党支部"),
                Flavour::School,
                teachers,
            )];
            let sizes = if students > 0 { self.split(students, 35.0) } else { Vec::new() };
            let numbered = sizes.len() > 1;
            for (i, s) in sizes.into_iter().enumerate() {
                let tail =
                    if numbered { format!("学生第{}", chinese_number(i as u32 + 1)) } else { "学生".to_owned() };
                branches.push(self.branch(
                    ctx,
                    &unit(s, Flavour::Students),
                    format!("中共{prefix}{tail}支部委员会"),
                    format!("{prefix}{tail}党支部"),
                    Flavour::Students,
                    s,
                ));
            }
            if part > 60 {
                let org = self.draft(
                    ctx,
                    format!("中共{prefix}总支部委员会"),
                    format!("{prefix}党总支"),
                    OrgKind::GeneralBranch,
                    Sector::PublicInstitution,
                    None,
                );
                let mut gb = Node::new(org);
                gb.org.host_units = name.clone();
                gb.children = branches;
                node.children.push(gb);
            } else {
                node.children.extend(branches);
            }
        }
        node
    }

    // ----- townships -----------------------------------------------------------------------------

    fn township(&mut self, ctx: &Ctx, base: &str, kind: TownshipKind, budget: u32) -> Node {
        let full = format!("{base}{}", kind.suffix());
        let (name, short_name, org_kind, host) = match kind {
            TownshipKind::Town => {
                (format!("中共{full}委员会"), format!("{full}党委"), OrgKind::Committee, format!("{full}人民政府"))
            }
            TownshipKind::Xiang => {
                (format!("中共{full}委员会"), format!("{full}党委"), OrgKind::Committee, format!("{full}人民政府"))
            }
            TownshipKind::Street => (
                format!("中共{full}工作委员会"),
                format!("{full}党工委"),
                OrgKind::WorkingCommittee,
                format!("{full}办事处"),
            ),
        };
        let mut org = self.draft(ctx, name, short_name, org_kind, Sector::Mixed, None);
        // Townships receive the members of organizations they dissolve (蓄水池).
        org.regional = true;
        org.host_units = host.clone();
        let mut node = Node::new(org);

        let with_villages = kind != TownshipKind::Street || chance(self.rng, 0.4);
        // Shares: offices, villages, communities, enterprises, social organizations; the rest is regional.
        let (offices, villages, communities, firms, social) = match kind {
            TownshipKind::Town => (0.06, 0.60, 0.08, 0.16, 0.02),
            TownshipKind::Xiang => (0.08, 0.72, 0.03, 0.08, 0.01),
            TownshipKind::Street if with_villages => (0.06, 0.08, 0.52, 0.16, 0.06),
            TownshipKind::Street => (0.06, 0.0, 0.60, 0.16, 0.06),
        };
        let share = |s: f64| (f64::from(budget) * s).round() as u32;

        if share(offices) > 0 {
            let mut u = Unit::new(format!("{full}机关"), Sector::Government, Flavour::Organ, share(offices));
            u.host = host;
            u.retirees = Some("离退休干部");
            u.max_kind = OrgKind::GeneralBranch;
            node.children.push(self.unit(ctx, u));
        }

        let mut local_names = HashSet::new();
        for size in self.fill(share(villages), 55.0, 0.5, 12, 400) {
            let v = geo::village_name(self.rng, &mut local_names);
            let mut u = Unit::new(v.clone(), Sector::Rural, Flavour::Village, size);
            u.host = format!("{v}村民委员会");
            u.work_unit = Arc::from(format!("{full}{v}"));
            u.locality = Some(Arc::from(v.as_str()));
            node.children.push(self.unit(ctx, u));
        }
        for size in self.fill(share(communities), 100.0, 0.55, 12, 800) {
            let c = geo::community_name(self.rng, &mut local_names);
            let mut u = Unit::new(c.clone(), Sector::Community, Flavour::Community, size);
            u.host = format!("{c}居民委员会");
            u.work_unit = Arc::from(u.host.as_str());
            u.locality = Some(Arc::from(c.as_str()));
            node.children.push(self.unit(ctx, u));
        }

        // Firms and social organizations too small for a branch of their own are pooled into joint branches.
        let mut pooled_firms = Vec::new();
        for size in self.fill(share(firms), 9.0, 1.0, 1, 1500) {
            let name = units::company(self.rng, ctx.loc, size, &mut self.names);
            if size <= 3 && chance(self.rng, 0.85) {
                pooled_firms.push((name, size));
            } else {
                let mut u = Unit::new(name, Sector::PrivateEnterprise, Flavour::PrivateFirm, size);
                u.divisions = units::COMPANY_DEPARTMENTS;
                node.children.push(self.unit(ctx, u));
            }
        }
        let mut pooled_social = Vec::new();
        for size in self.fill(share(social), 5.0, 0.7, 1, 80) {
            let name = units::social_org(self.rng, ctx.loc, &mut self.names);
            if size <= 4 && chance(self.rng, 0.9) {
                pooled_social.push((name, size));
            } else {
                node.children
                    .push(self.unit(ctx, Unit::new(name, Sector::SocialOrganization, Flavour::SocialOrg, size)));
            }
        }

        // The regional committee (区域性综合党委): joint branches, floating and self-employed members.
        let regional_budget =
            budget.saturating_sub(share(offices) + share(villages) + share(communities) + share(firms) + share(social));
        let mut regional = self.draft(
            ctx,
            format!("中共{full}区域性综合党委"),
            format!("{full}区域性综合党委"),
            OrgKind::Committee,
            Sector::Mixed,
            None,
        );
        regional.regional = true;
        regional.formation = FormationMode::Regional;
        // Regional committees are a 2000s invention (区域化党建).
        regional.founded_on = self.founded_between(Flavour::Regional.since_year(), 2022);
        regional.term_start = regional.term_start.map(|t| t.max(regional.founded_on));
        regional.host_units = format!("{full}辖区小微企业、社会组织和个体工商户");
        let mut regional = Node::new(regional);
        let cluster = *pick(self.rng, units::CLUSTERS);
        let mut counter = 0;
        let firms_joint = self.joint_branches(
            ctx,
            pooled_firms,
            &format!("{full}{cluster}"),
            (Sector::PrivateEnterprise, Flavour::PrivateFirm),
            &mut counter,
        );
        let social_joint = self.joint_branches(
            ctx,
            pooled_social,
            &format!("{full}社会组织"),
            (Sector::SocialOrganization, Flavour::SocialOrg),
            &mut counter,
        );
        for j in firms_joint.into_iter().chain(social_joint) {
            // Most joint branches sit under the regional committee, some directly under the township.
            if chance(self.rng, 0.7) { regional.children.push(j) } else { node.children.push(j) }
        }
        const OWN: [&str; 4] = ["流动党员", "个体劳动者", "新就业群体", "退休人员"];
        for (i, size) in self.fill(regional_budget, 22.0, 0.4, 5, 60).into_iter().enumerate() {
            let tail = match OWN.get(i) {
                Some(t) => (*t).to_owned(),
                None => format!("区域性综合党委第{}", chinese_number(i as u32 - OWN.len() as u32 + 1)),
            };
            let mut u = Unit::new(full.clone(), Sector::Mixed, Flavour::Regional, size);
            u.host = regional.org.host_units.clone();
            u.work_unit = Arc::from("");
            let flavour = if tail == "退休人员" { Flavour::Retirees } else { Flavour::Regional };
            let b = self.branch(
                ctx,
                &u,
                format!("中共{full}{tail}支部委员会"),
                format!("{full}{tail}党支部"),
                flavour,
                size,
            );
            regional.children.push(b);
        }
        node.children.push(regional);
        node
    }
}

/// How many towns, streets and 乡 a district of `level` with `count` townships has.
fn township_kinds(level: Level, count: usize) -> Vec<TownshipKind> {
    let (street_share, xiang_share) = match level {
        Level::Urban => (0.85, 0.0),
        Level::Suburban => (0.5, 0.0),
        Level::County => (0.25, 0.12),
    };
    let mut streets = (count as f64 * street_share).round() as usize;
    let xiangs = (count as f64 * xiang_share).round() as usize;
    // Every district keeps at least one town and one street, so that both shapes exist.
    streets = streets.clamp(1, count.saturating_sub(1 + xiangs).max(1));
    let towns = count - streets - xiangs;
    let mut out = vec![TownshipKind::Town; towns];
    out.extend(std::iter::repeat_n(TownshipKind::Street, streets));
    out.extend(std::iter::repeat_n(TownshipKind::Xiang, xiangs));
    out
}

/// Names of the branches of one unit: functional names first (内科, 生产), then numbers.
struct BranchLabels {
    divisions: &'static [&'static str],
    next_division: usize,
    next_number: u32,
}

impl BranchLabels {
    fn new(divisions: &'static [&'static str]) -> Self {
        BranchLabels { divisions, next_division: 0, next_number: 0 }
    }

    /// The next division name (a department, or 第N).
    fn division(&mut self) -> String {
        if let Some(d) = self.divisions.get(self.next_division) {
            self.next_division += 1;
            (*d).to_owned()
        } else {
            self.next_number += 1;
            format!("第{}", chinese_number(self.next_number))
        }
    }

    /// The next branch's name part between the unit and 支部委员会.
    fn branch(&mut self, rng: &mut SmallRng, flavour: Flavour) -> String {
        if flavour == Flavour::Community && chance(rng, 0.25) {
            // Grid branches (网格支部) follow the community's service grids.
            self.next_number += 1;
            return format!("第{}网格", chinese_number(self.next_number));
        }
        self.division()
    }
}

/// A mobile number (13x, 15x, 18x).
pub(crate) fn mobile(rng: &mut SmallRng) -> String {
    let mut s = String::with_capacity(11);
    s.push_str(crate::sample::pick_str(rng, &["13", "15", "18"]));
    crate::sample::push_digits(&mut s, rng.random_range(0..1_000_000_000), 9);
    s
}

/// Moves founding dates back where members joined an organization before it was planned to exist, and
/// keeps every grassroots organization founded no later than its descendants. Departments keep their
/// own dates: they are administrative levels, not where members are registered.
pub(crate) fn settle_founding(orgs: &mut [OrgDraft], earliest: &[i32]) {
    for (org, &day) in orgs.iter_mut().zip(earliest) {
        if day != i32::MAX {
            org.founded_on = org.founded_on.min(crate::sample::from_day_number(day));
        }
    }
    for i in (0..orgs.len()).rev() {
        if let Some(p) = orgs[i].parent
            && orgs[p].kind != OrgKind::Department
            && orgs[i].founded_on < orgs[p].founded_on
        {
            orgs[p].founded_on = orgs[i].founded_on;
        }
    }
}
