//! Deterministic, realistic demo data for 强基: the Party organizations and members of a Chinese city
//! modelled on 宁波 (about 25,000 organizations and 460,000 members), of a two-district slice of it
//! for tests, or of the whole of 浙江 (eleven such cities).
//!
//! Every organization and member goes through the domain's validation (`OrgInput::validate`,
//! `MemberInput::validate`), so the data is as valid as anything entered by hand. The membership
//! follows the structure of the 2023 中国共产党党内统计公报 (sex, ethnicity, education, age, joining
//! period, occupation), while each branch keeps the character of its host unit: a village branch is
//! mostly older farmers, a college's student branches are students.
//!
//! For benchmarks at national scale (99 million members), [`facts()`] streams compact records of the whole
//! Party instead: coded attributes and dates, no names, never all in memory.
//!
//! Modules: `tree` builds the organization tree and decides every branch's size and character;
//! `mix` fits the bulletin's proportions to that tree; `people` draws the members; `geo`, `units`,
//! `names` and `careers` hold the naming data; `sample` the random helpers; `facts` the national stream.

mod careers;
pub mod development;
mod facts;
mod geo;
pub mod host_entities;
mod mix;
mod names;
pub mod orglife;
mod people;
mod sample;
mod tree;
mod units;

pub use facts::{FactMember, FactOrg, FactScale, facts};

use qiangji_domain::Date;
use qiangji_domain::member::MemberFields;
use qiangji_domain::org::OrgFields;
use rand::SeedableRng;
use rand::rngs::SmallRng;

/// How much data to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scale {
    /// 宁波 with two districts (海曙, 江北): about 90 organizations and 1,000 members (for tests).
    Small,
    /// 宁波: about 25,000 organizations and 460,000 members.
    City,
    /// 浙江: a province department over eleven cities, about 270,000 organizations and 5 million members.
    Province,
}

impl std::str::FromStr for Scale {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "small" => Ok(Scale::Small),
            "city" => Ok(Scale::City),
            "province" => Ok(Scale::Province),
            other => Err(format!("unknown scale `{other}` (expected small, city or province)")),
        }
    }
}

impl std::fmt::Display for Scale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Scale::Small => "small",
            Scale::City => "city",
            Scale::Province => "province",
        })
    }
}

/// An organization; `parent` indexes an earlier element of [`Dataset::orgs`].
#[derive(Debug, Clone, PartialEq)]
pub struct DemoOrg {
    pub parent: Option<usize>,
    pub fields: OrgFields,
}

/// A member of the branch `orgs[org]` since `org_since`; before that (from joining) of `previous_org`
/// if set, otherwise of the same branch since joining (`org_since == joined_on`).
#[derive(Debug, Clone, PartialEq)]
pub struct DemoMember {
    /// Index into [`Dataset::orgs`]; always an `OrgKind::Branch`.
    pub org: usize,
    pub fields: MemberFields,
    /// The day the member joined the current organization (never before `joined_on`).
    pub org_since: Date,
    /// The branch the member was in from `joined_on` until `org_since` (about 8% of members moved).
    pub previous_org: Option<usize>,
}

/// Organizations in pre-order (every parent before its children, `orgs[0]` the root) and members.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    pub orgs: Vec<DemoOrg>,
    pub members: Vec<DemoMember>,
}

/// Generates the dataset of `scale`; the same `(scale, seed, today)` always gives the same data.
/// Ages, terms and "no future dates" are computed against `today`.
pub fn generate(scale: Scale, seed: u64, today: Date) -> Dataset {
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut tree = tree::build(scale, &mut rng, today);
    let members = people::generate(seed, today, &tree);
    let earliest = people::earliest_days(tree.orgs.len(), &members);
    tree::settle_founding(&mut tree.orgs, &earliest);
    let orgs = tree.orgs.iter().map(|o| DemoOrg { parent: o.parent, fields: o.validate(today) }).collect();
    Dataset { orgs, members }
}
