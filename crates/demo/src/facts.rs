//! National-scale facts: the whole Party (99,185,000 members, 5,177,000 grassroots organizations) as a
//! stream of compact records, for benchmarking the statistics engine.
//!
//! Full member records (names, ID numbers, addresses) for a hundred million people would need tens of
//! gigabytes and hours; the statistics need only the coded attributes and dates. So [`facts`] emits
//! organizations and members through callbacks and keeps nothing but the plan of the tree (one entry
//! per department) and the organizations of the county being generated: memory grows with the number
//! of organizations, never with the number of members.
//!
//! Sources, all from the 2023 中国共产党党内统计公报 (中共中央组织部, published by Xinhua on
//! 2024-06-30 and in 人民日报 on 2024-07-01, p. 4; its text is not among `../shared/seeds/`):
//! - totals: 党员 9918.5万; 基层党委 29.8万, 总支部 32.5万, 支部 455.4万 (opening paragraphs);
//! - grassroots organizations by field (section 三): 机关 77.1万, 事业单位 99.7万, 企业 160.0万,
//!   社会组织 18.3万; the remaining 162.5万 are those of 29,620 乡镇, 9,125 街道, 488,959 行政村 and
//!   119,437 社区;
//! - members' sex, ethnicity, education, age and occupation (section 一): the shares `mix` holds and
//!   fits, reused here. They are within 1.2 points of the 2023 figures (其他职业人员 9.0% against
//!   7.8%, 61岁及以上 29.0% against 28.1%, …);
//! - joining periods (section 一): before 1949-10 6.8万, to 1978-12 1286.3万, to 2012-11 6014.2万,
//!   since then 2611.2万.
//!
//! The bulletin does not split the fields by kind of organization, nor enterprises into state and
//! private ones, nor give provincial totals: those figures below are estimates, marked as such.

use crate::mix::{BANDS, EDUCATIONS, FLAVOURS, Flavour, MINORITIES, Mix, OCCUPATIONS};
use crate::people::{MAX_AGE, STUDENT_AGES, YOUNG_AGES, old_age_weight};
use crate::sample::{day_number, from_day_number, normal};
use chrono::Datelike;
use qiangji_domain::Date;
use qiangji_domain::date;
use qiangji_domain::member::{Education, Occupation, Sex};
use qiangji_domain::org::{OrgKind, Sector};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

/// One organization, emitted in pre-order (every parent before its children); `parent` is the index
/// of an earlier emitted organization (`None` for the root, 中共中央组织部).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FactOrg {
    pub parent: Option<u32>,
    pub kind: OrgKind,
    pub sector: Sector,
}

/// One member of organization `org` (the index of an emitted [`FactOrg`], always an `OrgKind::Branch`)
/// since `org_since`. Before that, from `joined_on`, the member was in `previous_org` if set (another
/// branch of the same county, `joined_on < org_since`); otherwise `org_since == joined_on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FactMember {
    pub org: u32,
    pub sex: Sex,
    pub minority: bool,
    pub education: Education,
    pub occupation: Occupation,
    pub floating: bool,
    pub birth_date: Date,
    pub joined_on: Date,
    /// `None` for a probationary member (预备党员); otherwise a year after `joined_on`.
    pub full_on: Option<Date>,
    pub org_since: Date,
    pub previous_org: Option<u32>,
}

/// How much of the Party to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FactScale {
    /// All of it: 99,185,000 members in 4,554,000 branches.
    National,
    /// Every count of the bulletin divided by this (at least 1), for tests: `Fraction(1000)` is about
    /// 99,000 members and 5,300 organizations. Provinces stay 31; cities and counties shrink, but every
    /// province keeps at least one county.
    Fraction(u32),
}

impl FactScale {
    fn divisor(self) -> u64 {
        match self {
            FactScale::National => 1,
            FactScale::Fraction(n) => {
                assert!(n > 0, "FactScale::Fraction(0): the divisor must be at least 1");
                u64::from(n)
            }
        }
    }
}

// ----- the bulletin ------------------------------------------------------------------------------------

/// 党员总数.
const MEMBERS: u64 = 99_185_000;
/// 基层党委, 总支部, 支部 (the same order as `Sector::orgs`). They add up to 517.7万; the bulletin's
/// 517.6万 total is rounded.
const KINDS: [u64; 3] = [298_000, 325_000, 4_554_000];
/// Members by joining period (万), in the order of `JoinPeriod::ALL`.
const JOIN_PERIODS: [f64; 4] = [6.8, 1286.3, 6014.2, 2611.2];

/// A field of work (领域) and how its organizations are built.
struct SectorDef {
    sector: Sector,
    /// Committees, general branches and branches, in thousands. Per field the bulletin gives only the
    /// total: 机关 77.1万 = 771, 事业单位 99.7万 = 997, 企业 160.0万 = 700 state + 901 private (our split),
    /// 社会组织 18.3万 = 183, and villages, townships, communities and streets the remaining 162.5万 =
    /// 1230 rural + 395 urban (our split, by the number of villages and communities). The split by kind is
    /// ours, chosen so that each kind adds up to the bulletin's total: 29,620 township and 9,125 street
    /// committees plus unit committees; big villages with general branches.
    orgs: [u32; 3],
    /// Relative members per branch: village and community branches are large, firms' small.
    size: f64,
    /// Share of committees under another committee of the field (a township's over a village's, a
    /// group company's over its subsidiaries', a university's over its schools').
    nested: f64,
    /// Share of general branches under a committee rather than directly under the department.
    general_under_committee: f64,
    /// Share of the branches, beyond those every committee and general branch needs, that stand alone
    /// directly under the department (small firms and social organizations above all).
    direct: f64,
    /// The branches' characters: (flavour, share of the field's branches, relative size).
    flavours: &'static [(Flavour, f64, f64)],
}

const SECTORS: usize = 7;

const SECTOR_DEFS: [SectorDef; SECTORS] = [
    SectorDef {
        sector: Sector::Rural,
        orgs: [45, 110, 1_075],
        size: 27.0,
        nested: 0.35,
        general_under_committee: 0.95,
        direct: 0.02,
        // Villages, and the township offices' own branches.
        flavours: &[(Flavour::Village, 0.94, 1.0), (Flavour::Organ, 0.06, 0.7)],
    },
    SectorDef {
        sector: Sector::Community,
        orgs: [30, 40, 325],
        size: 30.0,
        nested: 0.5,
        general_under_committee: 0.9,
        direct: 0.03,
        flavours: &[(Flavour::Community, 0.72, 1.0), (Flavour::Regional, 0.12, 0.8), (Flavour::Retirees, 0.16, 1.1)],
    },
    SectorDef {
        sector: Sector::Government,
        orgs: [55, 45, 671],
        size: 15.0,
        nested: 0.3,
        general_under_committee: 0.6,
        direct: 0.08,
        flavours: &[(Flavour::Organ, 0.86, 1.0), (Flavour::Retirees, 0.14, 1.0)],
    },
    SectorDef {
        sector: Sector::PublicInstitution,
        orgs: [70, 55, 872],
        size: 22.0,
        nested: 0.35,
        general_under_committee: 0.6,
        direct: 0.08,
        flavours: &[
            (Flavour::School, 0.52, 1.0),
            (Flavour::Hospital, 0.22, 1.0),
            (Flavour::Students, 0.13, 1.6),
            (Flavour::Retirees, 0.13, 1.0),
        ],
    },
    SectorDef {
        sector: Sector::StateEnterprise,
        orgs: [65, 45, 590],
        size: 22.0,
        nested: 0.45,
        general_under_committee: 0.7,
        direct: 0.05,
        flavours: &[(Flavour::StateFirm, 0.85, 1.0), (Flavour::Retirees, 0.15, 1.0)],
    },
    SectorDef {
        sector: Sector::PrivateEnterprise,
        orgs: [28, 25, 848],
        size: 11.0,
        nested: 0.15,
        general_under_committee: 0.3,
        direct: 0.25,
        flavours: &[(Flavour::PrivateFirm, 1.0, 1.0)],
    },
    SectorDef {
        sector: Sector::SocialOrganization,
        orgs: [5, 5, 173],
        size: 10.0,
        nested: 0.1,
        general_under_committee: 0.4,
        direct: 0.3,
        flavours: &[(Flavour::SocialOrg, 1.0, 1.0)],
    },
];

/// Fields of the organizations kept directly by the central, provincial and city departments (organs,
/// universities and hospitals, state enterprises, a few large private firms and associations); none
/// are villages or communities.
const DIRECT_SECTORS: [f64; SECTORS] = [0.0, 0.0, 0.33, 0.36, 0.26, 0.02, 0.03];

/// Provinces: membership (万; our rough estimates, not published figures, used only as relative sizes:
/// the largest 5-6 million, the smallest a few hundred thousand) and the number of prefecture-level
/// cities and county-level divisions (2023; 333 and 2,842 in all). The four
/// municipalities have no city level: their districts sit directly under them. The members the
/// provinces leave over (about 12%) belong to central organs and enterprises, under the root.
const PROVINCES: [(f64, u32, u32); 31] = [
    (260.0, 0, 16),   // 北京
    (130.0, 0, 16),   // 天津
    (440.0, 11, 167), // 河北
    (280.0, 11, 117), // 山西
    (180.0, 12, 103), // 内蒙古
    (350.0, 14, 100), // 辽宁
    (200.0, 9, 60),   // 吉林
    (250.0, 13, 121), // 黑龙江
    (240.0, 0, 16),   // 上海
    (570.0, 13, 95),  // 江苏
    (450.0, 11, 90),  // 浙江
    (340.0, 16, 104), // 安徽
    (250.0, 9, 84),   // 福建
    (270.0, 11, 100), // 江西
    (580.0, 16, 136), // 山东
    (560.0, 17, 157), // 河南
    (370.0, 13, 103), // 湖北
    (400.0, 14, 122), // 湖南
    (520.0, 21, 122), // 广东
    (240.0, 14, 111), // 广西
    (60.0, 4, 25),    // 海南
    (125.0, 0, 38),   // 重庆
    (460.0, 21, 183), // 四川
    (200.0, 9, 88),   // 贵州
    (260.0, 16, 129), // 云南
    (45.0, 7, 74),    // 西藏
    (290.0, 10, 107), // 陕西
    (140.0, 14, 86),  // 甘肃
    (38.0, 8, 44),    // 青海
    (37.0, 5, 22),    // 宁夏
    (180.0, 14, 106), // 新疆
];

/// Shares of a province's and of a city's members in the organizations the department keeps itself.
const PROVINCE_DIRECT: f64 = 0.06;
const CITY_DIRECT: f64 = 0.10;

/// Share of members (among full members) who moved in from another branch of the county.
const MOVED: f64 = 0.082;
/// Share of probationary members whose probation was extended to a second year.
const EXTENDED_PROBATION: f64 = 0.05;

// ----- the plan: departments and what each county holds --------------------------------------------

/// Where organizations are built: a department's own grassroots organizations. A county's members
/// move only between its branches.
struct Place {
    /// Index into `Plan::departments`.
    department: usize,
    /// Committees, general branches and branches of each field.
    orgs: [[u32; 3]; SECTORS],
    members: u64,
}

enum Step {
    Department(usize),
    Place(usize),
}

struct Plan {
    /// Each department's parent department.
    departments: Vec<Option<usize>>,
    places: Vec<Place>,
    /// Departments and places in emission order.
    steps: Vec<Step>,
}

/// `n` divided by `divisor`, rounded.
fn scaled(n: u64, divisor: u64) -> u64 {
    (n + divisor / 2) / divisor
}

/// `total` split in proportion to `weights` by largest remainders: the parts add up to `total` exactly
/// (all to the first part if no weight is positive).
fn apportion(total: u64, weights: &[f64]) -> Vec<u64> {
    let sum: f64 = weights.iter().sum();
    if sum <= 0.0 {
        let mut parts = vec![0; weights.len()];
        if let Some(first) = parts.first_mut() {
            *first = total;
        }
        return parts;
    }
    let exact: Vec<f64> = weights.iter().map(|w| total as f64 * w / sum).collect();
    let mut parts: Vec<u64> = exact.iter().map(|x| x.floor() as u64).collect();
    let given: u64 = parts.iter().sum();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())).then(a.cmp(&b)));
    for &i in order.iter().cycle().take(total.saturating_sub(given) as usize) {
        parts[i] += 1;
    }
    parts
}

/// Moves committees and general branches from groups that cannot house them to groups that can, so
/// that in every group each general branch can have two branches and each committee one:
/// `branches >= 2 * general + committees`. Totals are unchanged.
fn make_room(committees: &mut [u64], general: &mut [u64], branches: &[u64]) {
    let slack = |i: usize, c: &[u64], g: &[u64]| branches[i] as i64 - 2 * g[i] as i64 - c[i] as i64;
    loop {
        let n = branches.len();
        let Some(short) = (0..n).find(|&i| slack(i, committees, general) < 0) else {
            return;
        };
        let roomy = (0..n).max_by_key(|&i| (slack(i, committees, general), std::cmp::Reverse(i))).expect("groups");
        let room = slack(roomy, committees, general);
        if committees[short] > 0 && room >= 1 {
            committees[short] -= 1;
            committees[roomy] += 1;
        } else if general[short] > 0 && room >= 2 {
            general[short] -= 1;
            general[roomy] += 1;
        } else {
            // Not enough branches anywhere (only at absurd fractions): leave it.
            return;
        }
    }
}

/// A right-skewed weight with median 1.
fn lognormal(rng: &mut SmallRng, sigma: f64) -> f64 {
    (sigma * normal(rng)).exp()
}

/// Expected relative weight of a branch of field `s` (its members per branch).
fn branch_weight(s: &SectorDef) -> f64 {
    s.size * s.flavours.iter().map(|(_, share, size)| share * size).sum::<f64>()
}

fn plan(divisor: u64, rng: &mut SmallRng) -> Plan {
    let mut p = Plan { departments: vec![None], places: Vec::new(), steps: vec![Step::Department(0)] };
    // (department, member weight, kept by a central/provincial/city department)
    let mut places: Vec<(usize, f64, bool)> = Vec::new();
    let mut place = |p: &mut Plan, department: usize, weight: f64, direct: bool| {
        p.steps.push(Step::Place(places.len()));
        places.push((department, weight, direct));
    };
    let department = |p: &mut Plan, parent: usize| {
        p.departments.push(Some(parent));
        p.steps.push(Step::Department(p.departments.len() - 1));
        p.departments.len() - 1
    };

    let provinces: f64 = PROVINCES.iter().map(|(m, ..)| m).sum();
    place(&mut p, 0, MEMBERS as f64 / 1e4 - provinces, true);
    for &(members, cities, counties) in &PROVINCES {
        let province = department(&mut p, 0);
        place(&mut p, province, members * PROVINCE_DIRECT, true);
        let rest = members * (1.0 - PROVINCE_DIRECT);
        let counties = scaled(counties.into(), divisor).clamp(1, counties.into());
        let cities = scaled(cities.into(), divisor).clamp(u64::from(cities).min(1), cities.into()).min(counties);
        if cities == 0 {
            let weights: Vec<f64> = (0..counties).map(|_| lognormal(rng, 0.55)).collect();
            let total: f64 = weights.iter().sum();
            for w in weights {
                let county = department(&mut p, province);
                place(&mut p, county, rest * w / total, false);
            }
            continue;
        }
        let city_weights: Vec<f64> = (0..cities).map(|_| lognormal(rng, 0.45)).collect();
        let city_total: f64 = city_weights.iter().sum();
        let extra_counties = apportion(counties - cities, &city_weights);
        for (cw, extra) in city_weights.iter().zip(extra_counties) {
            let city_members = rest * cw / city_total;
            let city = department(&mut p, province);
            place(&mut p, city, city_members * CITY_DIRECT, true);
            let weights: Vec<f64> = (0..=extra).map(|_| lognormal(rng, 0.55)).collect();
            let total: f64 = weights.iter().sum();
            for w in weights {
                let county = department(&mut p, city);
                place(&mut p, county, city_members * (1.0 - CITY_DIRECT) * w / total, false);
            }
        }
    }

    // Organizations of each kind, in proportion to the places' members.
    let weights: Vec<f64> = places.iter().map(|(_, w, _)| *w).collect();
    let [mut committees, mut general, branches] = KINDS.map(|k| apportion(scaled(k, divisor), &weights));
    make_room(&mut committees, &mut general, &branches);

    // Fields: directly kept organizations are organs, institutions and enterprises; counties get the
    // rest of the bulletin's fields, more villages in rural counties and more communities in urban ones.
    let total_weight: f64 = weights.iter().sum();
    let direct_share = places.iter().filter(|(_, _, d)| *d).map(|(_, w, _)| w).sum::<f64>() / total_weight;
    let county_shares: [[f64; SECTORS]; 3] = std::array::from_fn(|k| {
        let total: f64 = SECTOR_DEFS.iter().map(|s| f64::from(s.orgs[k])).sum();
        std::array::from_fn(|s| {
            let national = f64::from(SECTOR_DEFS[s].orgs[k]) / total;
            (national - direct_share * DIRECT_SECTORS[s]).max(0.0) / (1.0 - direct_share)
        })
    });
    let mut member_weights = Vec::with_capacity(places.len());
    for (i, &(department, _, direct)) in places.iter().enumerate() {
        // Rural and Community are the first two fields.
        let rural = rng.random_range(0.3..1.7);
        let shares: [[f64; SECTORS]; 3] = std::array::from_fn(|k| {
            if direct {
                return DIRECT_SECTORS;
            }
            let mut s = county_shares[k];
            s[0] *= rural;
            s[1] *= 2.0 - rural;
            s
        });
        let mut by_kind: [Vec<u64>; 3] = std::array::from_fn(|k| {
            let total = [committees[i], general[i], branches[i]][k];
            apportion(total, &shares[k])
        });
        let [c, g, b] = &mut by_kind;
        make_room(c, g, b);
        let orgs: [[u32; 3]; SECTORS] = std::array::from_fn(|s| std::array::from_fn(|k| by_kind[k][s] as u32));
        member_weights.push(orgs.iter().zip(&SECTOR_DEFS).map(|(o, s)| f64::from(o[2]) * branch_weight(s)).sum());
        p.places.push(Place { department, orgs, members: 0 });
    }
    for (place, members) in p.places.iter_mut().zip(apportion(scaled(MEMBERS, divisor), &member_weights)) {
        place.members = members;
    }
    p
}

// ----- members -----------------------------------------------------------------------------------------

/// A small categorical distribution drawn by a linear scan of cumulative bounds.
#[derive(Clone, Copy)]
struct Cumulative<const N: usize> {
    bounds: [f64; N],
    /// The last index with a positive weight (what rounding at the top of the range falls into).
    last: usize,
}

impl<const N: usize> Cumulative<N> {
    fn new(weights: &[f64; N]) -> Self {
        let total: f64 = weights.iter().sum();
        let mut acc = 0.0;
        let bounds = weights.map(|w| {
            acc += w / total;
            acc
        });
        let last = weights.iter().rposition(|&w| w > 0.0).unwrap_or(N - 1);
        Cumulative { bounds, last }
    }

    fn sample(&self, rng: &mut SmallRng) -> usize {
        let x: f64 = rng.random();
        self.bounds.iter().position(|&b| x < b).unwrap_or(self.last)
    }
}

/// Occupation groups with their own ages at joining.
const CAREER: usize = 0;
const STUDENT: usize = 1;
const FARMER: usize = 2;
const OTHER: usize = 3;
const GROUPS: usize = 4;

fn group(o: Occupation) -> usize {
    match o {
        Occupation::Professional | Occupation::Manager | Occupation::CivilServant => CAREER,
        Occupation::Student => STUDENT,
        Occupation::Farmer => FARMER,
        Occupation::Worker | Occupation::Other | Occupation::Retired => OTHER,
    }
}

/// Relative chance of joining at `age`, by occupation group: professionals and officials mostly at
/// college or early in their careers, farmers often in middle age.
fn join_prior(group: usize, age: i32) -> f64 {
    match group {
        CAREER => match age {
            ..=22 => 1.0,
            23..=30 => 0.9,
            31..=40 => 0.3,
            41..=50 => 0.08,
            _ => 0.02,
        },
        STUDENT => 1.0,
        FARMER => match age {
            ..=25 => 0.5,
            26..=40 => 0.8,
            41..=55 => 0.5,
            _ => 0.1,
        },
        _ => match age {
            ..=25 => 1.0,
            26..=35 => 0.8,
            36..=45 => 0.35,
            46..=55 => 0.12,
            _ => 0.03,
        },
    }
}

/// Where the bulletin's joining periods end, in fractional years: 1949-10-01, 1978-12-18, 2012-11-08.
const PERIOD_ENDS: [f64; 3] = [1949.0 + 273.0 / 365.0, 1978.0 + 351.0 / 365.0, 2012.0 + 312.0 / 365.0];

/// How the joining days of one cell of the join table (members of one age who joined in one year of
/// their life) fall into the bulletin's periods. Birth day and joining day are each uniform over a year,
/// so the joining time is spread over two years as a triangle around `centre`; near a period's end a
/// cell straddles it, and fitting the periods without counting that would miss them by a point.
fn period_shares(centre: f64) -> [f64; 4] {
    let before = |x: f64| {
        let d = x - centre;
        if d <= -1.0 {
            0.0
        } else if d <= 0.0 {
            (d + 1.0) * (d + 1.0) / 2.0
        } else if d < 1.0 {
            1.0 - (1.0 - d) * (1.0 - d) / 2.0
        } else {
            1.0
        }
    };
    let [a, b, c] = PERIOD_ENDS.map(before);
    [a, b - a, c - b, 1.0 - c]
}

/// The period of a fractional year.
fn period_of(year: f64) -> usize {
    PERIOD_ENDS.iter().position(|&end| year < end).unwrap_or(3)
}

const FIRST_AGE: i32 = 18;

/// For each occupation group and age, how many whole years after their 18th birthday full members
/// joined: a prior by occupation, reweighted by joining period so that the whole membership matches
/// the bulletin's periods.
struct JoinTable {
    /// Per (group, age): the range of `bounds` holding its cumulative distribution over years.
    rows: Vec<(u32, u32)>,
    bounds: Vec<f64>,
    ages: i32,
}

impl JoinTable {
    fn row(&self, group: usize, age: i32) -> (u32, u32) {
        self.rows[group * self.ages as usize + (age - FIRST_AGE) as usize]
    }

    /// Years after the 18th birthday; `None` if no full member of that age could have joined.
    fn years(&self, rng: &mut SmallRng, group: usize, age: i32) -> Option<i32> {
        let (start, len) = self.row(group, age);
        if len == 0 {
            return None;
        }
        let row = &self.bounds[start as usize..(start + len) as usize];
        let x = rng.random::<f64>() * row[row.len() - 1];
        Some(row.partition_point(|&b| b <= x).min(row.len() - 1) as i32)
    }
}

/// Everything a member is drawn from, computed once per run.
struct People {
    occupation: [Cumulative<OCCUPATIONS>; FLAVOURS],
    band: [Cumulative<BANDS>; OCCUPATIONS],
    education: [[Cumulative<EDUCATIONS>; BANDS]; OCCUPATIONS],
    woman: [[[f64; BANDS]; OCCUPATIONS]; FLAVOURS],
    probationary: [[f64; BANDS]; OCCUPATIONS],
    floating: [[f64; BANDS]; OCCUPATIONS],
    /// Ages within each band (index `BANDS` for students under 31): (first age, cumulative weights).
    ages: Vec<(i32, Vec<f64>)>,
    /// Per age from `FIRST_AGE`: the day number of the earliest birth date at that age today, and the
    /// number of such days.
    born: Vec<(i32, i32)>,
    join: JoinTable,
    today: i32,
    /// The latest joining day whose first anniversary (becoming a full member) is not after today.
    full_bound: i32,
}

impl People {
    fn new(today: Date, flavour_members: &[f64; FLAVOURS]) -> People {
        let mix = Mix::fit(flavour_members);
        // Born in 1920 or later, whatever `today` is.
        let max_age = MAX_AGE.min(today.year() - 1921);
        let young: Vec<f64> = YOUNG_AGES.1.to_vec();
        let mut ages: Vec<(i32, Vec<f64>)> = vec![(YOUNG_AGES.0, young)];
        for b in 1..BANDS - 1 {
            ages.push((31 + 5 * (b as i32 - 1), vec![1.0; 5]));
        }
        ages.push((61, (61..=max_age).map(old_age_weight).collect()));
        ages.push((*STUDENT_AGES.start(), vec![1.0; STUDENT_AGES.count()]));
        for (_, weights) in &mut ages {
            let mut acc = 0.0;
            for w in weights.iter_mut() {
                acc += *w;
                *w = acc;
            }
        }
        let born = (FIRST_AGE..=max_age)
            .map(|age| {
                let earliest = day_number(date::birthday(today, -(age + 1))) + 1;
                let latest = day_number(date::birthday(today, -age));
                (earliest, latest - earliest + 1)
            })
            .collect();
        let mut full_bound = day_number(date::birthday(today, -1));
        while date::birthday(from_day_number(full_bound), 1) > today {
            full_bound -= 1;
        }

        let total: f64 = flavour_members.iter().sum();
        let occupation_share: [f64; OCCUPATIONS] = std::array::from_fn(|o| {
            (0..FLAVOURS).map(|f| flavour_members[f] / total * mix.occupation[f][o]).sum::<f64>()
        });
        let mut people = People {
            occupation: mix.occupation.map(|w| Cumulative::new(&w)),
            band: mix.band.map(|w| Cumulative::new(&w)),
            education: mix.education.map(|by_band| by_band.map(|w| Cumulative::new(&w))),
            woman: mix.woman,
            probationary: mix.probationary,
            floating: mix.floating,
            ages,
            born,
            join: JoinTable { rows: Vec::new(), bounds: Vec::new(), ages: 0 },
            today: day_number(today),
            full_bound,
        };
        people.join = people.join_table(today, max_age, &occupation_share);
        people
    }

    /// The ages table of band `b` for an occupation.
    fn age_table(&self, b: usize, o: Occupation) -> &(i32, Vec<f64>) {
        if b == 0 && o == Occupation::Student { &self.ages[BANDS] } else { &self.ages[b] }
    }

    /// Raking on four numbers, the weights of the joining periods: a cell (occupation group, age, years
    /// after 18) is weighted by its prior times the periods' weights in proportion to how it falls into
    /// them, until the full members' periods match the bulletin once the probationary members (all
    /// recent) are added.
    fn join_table(&self, today: Date, max_age: i32, occupation_share: &[f64; OCCUPATIONS]) -> JoinTable {
        let ages = max_age - FIRST_AGE + 1;
        let now = f64::from(today.year()) + f64::from(today.ordinal0()) / 365.25;
        // Full members of each group and age, from the fitted mix and the age tables.
        let mut mass = vec![0.0; GROUPS * ages as usize];
        let mut probationary = 0.0;
        for (o, &share) in occupation_share.iter().enumerate() {
            let occupation = Occupation::ALL[o];
            for b in 0..BANDS {
                let p_band = self.band_probability(o, b);
                probationary += share * p_band * self.probationary[o][b].min(1.0);
                let full = share * p_band * (1.0 - self.probationary[o][b].min(1.0));
                let (first, cumulative) = self.age_table(b, occupation);
                let total = cumulative[cumulative.len() - 1];
                let mut prev = 0.0;
                for (i, &c) in cumulative.iter().enumerate() {
                    let age = first + i as i32;
                    if age <= max_age {
                        mass[group(occupation) * ages as usize + (age - FIRST_AGE) as usize] +=
                            full * (c - prev) / total;
                    }
                    prev = c;
                }
            }
        }
        let bulletin: f64 = JOIN_PERIODS.iter().sum();
        let target: [f64; 4] = std::array::from_fn(|p| {
            let share = JOIN_PERIODS[p] / bulletin - if p == 3 { probationary } else { 0.0 };
            share / (1.0 - probationary)
        });
        // A full member joined at least a year ago: at most (age - 20) whole years after turning 18.
        let cell = |g: usize, age: i32, k: i32| {
            let centre = now - f64::from(age - FIRST_AGE - k);
            (join_prior(g, FIRST_AGE + k), period_shares(centre))
        };
        // Members with no cell (too young for a full year) join any day since their 18th birthday.
        let recent = period_of(now - 1.0);
        let mut factor = [1.0; 4];
        for _ in 0..200 {
            let mut got = [0.0; 4];
            for g in 0..GROUPS {
                for age in FIRST_AGE..=max_age {
                    let m = mass[g * ages as usize + (age - FIRST_AGE) as usize];
                    if m == 0.0 {
                        continue;
                    }
                    // A cell is drawn by its weighted total, then spreads over the periods as it falls.
                    let mut row = [0.0; 4];
                    for k in 0..=(age - 20) {
                        let (w, shares) = cell(g, age, k);
                        let weight = w * (0..4).map(|p| shares[p] * factor[p]).sum::<f64>();
                        for p in 0..4 {
                            row[p] += weight * shares[p];
                        }
                    }
                    let sum: f64 = row.iter().sum();
                    if sum > 0.0 {
                        for p in 0..4 {
                            got[p] += m * row[p] / sum;
                        }
                    } else {
                        got[recent] += m;
                    }
                }
            }
            let total: f64 = got.iter().sum();
            for p in 0..4 {
                if got[p] > 0.0 {
                    factor[p] *= target[p] / (got[p] / total);
                }
            }
        }
        let weight = |g: usize, age: i32, k: i32| {
            let (w, shares) = cell(g, age, k);
            w * (0..4).map(|p| shares[p] * factor[p]).sum::<f64>()
        };
        let mut table = JoinTable { rows: Vec::with_capacity(GROUPS * ages as usize), bounds: Vec::new(), ages };
        for g in 0..GROUPS {
            for age in FIRST_AGE..=max_age {
                let start = table.bounds.len() as u32;
                let mut acc = 0.0;
                for k in 0..=(age - 20) {
                    acc += weight(g, age, k);
                    table.bounds.push(acc);
                }
                let len = table.bounds.len() as u32 - start;
                // A row of zeros (students have no prior past 25 … ) is as good as no row.
                table.rows.push(if acc > 0.0 { (start, len) } else { (start, 0) });
            }
        }
        table
    }

    fn band_probability(&self, o: usize, b: usize) -> f64 {
        let c = &self.band[o].bounds;
        if b == 0 { c[0] } else { c[b] - c[b - 1] }
    }

    fn age(&self, rng: &mut SmallRng, b: usize, o: Occupation) -> i32 {
        let (first, cumulative) = self.age_table(b, o);
        let x = rng.random::<f64>() * cumulative[cumulative.len() - 1];
        first + cumulative.partition_point(|&c| c <= x).min(cumulative.len() - 1) as i32
    }

    /// A member of branch `org` (of flavour `f`); `branches` are the county's branches, among which
    /// those who moved came from.
    fn member(&self, rng: &mut SmallRng, org: u32, f: usize, branches: &[u32]) -> FactMember {
        let o = self.occupation[f].sample(rng);
        let b = self.band[o].sample(rng);
        let e = self.education[o][b].sample(rng);
        let occupation = Occupation::ALL[o];
        let sex = if rng.random::<f64>() < self.woman[f][o][b] { Sex::Female } else { Sex::Male };
        let minority = rng.random::<f64>() < MINORITIES;

        let age = self.age(rng, b, occupation);
        let (earliest, days) = self.born[(age - FIRST_AGE) as usize];
        let birth_date = from_day_number(earliest + rng.random_range(0..days));
        let adult = day_number(date::birthday(birth_date, 18));
        let today = self.today;

        let probationary = rng.random::<f64>() < self.probationary[o][b] || adult > self.full_bound;
        let joined = if probationary {
            // A year's probation, extended to two for a few.
            if rng.random::<f64>() < EXTENDED_PROBATION && adult <= today - 366 {
                rng.random_range(adult.max(today - 729)..=today - 366)
            } else {
                rng.random_range(adult.max(today - 364)..=today)
            }
        } else {
            let joined = self
                .join
                .years(rng, group(occupation), age)
                .map(|years| adult + (f64::from(years) * 365.2425) as i32 + rng.random_range(0..365));
            match joined {
                Some(j) if j <= self.full_bound => j,
                _ => rng.random_range(adult..=self.full_bound),
            }
        };
        let joined_on = from_day_number(joined);
        let full_on = (!probationary).then(|| date::birthday(joined_on, 1));
        let floating = rng.random::<f64>() < self.floating[o][b];

        let (org_since, previous_org) =
            if !probationary && branches.len() > 1 && joined + 30 < today && rng.random::<f64>() < MOVED {
                let mut previous = org;
                while previous == org {
                    previous = branches[rng.random_range(0..branches.len())];
                }
                (from_day_number(rng.random_range(joined + 30..today)), Some(previous))
            } else {
                (joined_on, None)
            };

        FactMember {
            org,
            sex,
            minority,
            education: Education::ALL[e],
            occupation,
            floating,
            birth_date,
            joined_on,
            full_on,
            org_since,
            previous_org,
        }
    }
}

// ----- one place's organizations -----------------------------------------------------------------------

const NO_PARENT: u32 = u32::MAX;

/// An organization of a place before emission; `parent` is a local index or `NO_PARENT` (the department).
struct Local {
    parent: u32,
    kind: OrgKind,
    sector: u8,
    /// For branches: flavour and relative size.
    flavour: u8,
    weight: f32,
}

/// The organizations of one place, field by field: committees (some nested), general branches (most
/// under a committee), and branches spread over them, a share standing alone.
fn build_place(rng: &mut SmallRng, place: &Place) -> Vec<Local> {
    let mut nodes: Vec<Local> = Vec::new();
    for (s, (def, &[c, g, b])) in SECTOR_DEFS.iter().zip(&place.orgs).enumerate() {
        let org = |parent: u32, kind: OrgKind| Local { parent, kind, sector: s as u8, flavour: 0, weight: 0.0 };
        let first = nodes.len() as u32;
        // Committees, nested at most three deep.
        let mut depth: Vec<u8> = Vec::with_capacity(c as usize);
        for i in 0..c {
            let mut parent = NO_PARENT;
            if i > 0 && rng.random::<f64>() < def.nested {
                let j = rng.random_range(0..i);
                if depth[j as usize] < 2 {
                    parent = first + j;
                }
            }
            depth.push(if parent == NO_PARENT { 0 } else { depth[(parent - first) as usize] + 1 });
            nodes.push(org(parent, OrgKind::Committee));
        }
        for _ in 0..g {
            let parent = if c > 0 && rng.random::<f64>() < def.general_under_committee {
                first + rng.random_range(0..c)
            } else {
                NO_PARENT
            };
            nodes.push(org(parent, OrgKind::GeneralBranch));
        }
        let higher = (c + g) as usize;
        let mut has_child = vec![false; higher];
        for n in &nodes[first as usize..] {
            if n.parent != NO_PARENT {
                has_child[(n.parent - first) as usize] = true;
            }
        }
        // Every general branch gets two branches and every childless committee one, as far as they go;
        // then the rest go where they fall.
        let mut parents: Vec<u32> = Vec::with_capacity(b as usize);
        let general = c as usize..higher;
        let needs = general.clone().chain((0..c as usize).filter(|&i| !has_child[i])).chain(general);
        parents.extend(needs.take(b as usize).map(|i| first + i as u32));
        if higher > 0 {
            let mut acc = 0.0;
            let bounds: Vec<f64> = (0..higher)
                .map(|i| {
                    acc += if i < c as usize { 3.5 } else { 1.0 } * lognormal(rng, 0.7);
                    acc
                })
                .collect();
            while parents.len() < b as usize {
                let parent = if rng.random::<f64>() < def.direct {
                    NO_PARENT
                } else {
                    let x = rng.random::<f64>() * acc;
                    first + bounds.partition_point(|&bound| bound <= x).min(higher - 1) as u32
                };
                parents.push(parent);
            }
        } else {
            parents.resize(b as usize, NO_PARENT);
        }
        let flavour_bounds: Vec<f64> = def
            .flavours
            .iter()
            .scan(0.0, |acc, (_, share, _)| {
                *acc += share;
                Some(*acc)
            })
            .collect();
        for parent in parents {
            let x = rng.random::<f64>() * flavour_bounds[flavour_bounds.len() - 1];
            let i = flavour_bounds.partition_point(|&bound| bound <= x).min(def.flavours.len() - 1);
            let (flavour, _, size) = def.flavours[i];
            let weight = (def.size * size * lognormal(rng, 0.6)) as f32;
            nodes.push(Local { parent, kind: OrgKind::Branch, sector: s as u8, flavour: flavour as u8, weight });
        }
    }
    nodes
}

/// Local indices in pre-order (each organization before its descendants).
fn pre_order(nodes: &[Local]) -> Vec<u32> {
    let n = nodes.len();
    // Children lists in one array: `start[p]..start[p + 1]`, the department's at `n`.
    let slot = |parent: u32| if parent == NO_PARENT { n } else { parent as usize };
    let mut start = vec![0u32; n + 2];
    for node in nodes {
        start[slot(node.parent) + 1] += 1;
    }
    for i in 1..start.len() {
        start[i] += start[i - 1];
    }
    let mut fill = start.clone();
    let mut children = vec![0u32; n];
    for (i, node) in nodes.iter().enumerate() {
        let p = slot(node.parent);
        children[fill[p] as usize] = i as u32;
        fill[p] += 1;
    }
    let mut order = Vec::with_capacity(n);
    let mut stack: Vec<u32> = children[start[n] as usize..start[n + 1] as usize].iter().rev().copied().collect();
    while let Some(i) = stack.pop() {
        order.push(i);
        let i = i as usize;
        stack.extend(children[start[i] as usize..start[i + 1] as usize].iter().rev());
    }
    order
}

/// Splits `members` over branches in proportion to their weights, at least three each when there are
/// enough (a branch needs three full members), adding up exactly.
fn branch_sizes(members: u64, weights: &[f32]) -> Vec<u64> {
    let n = weights.len() as u64;
    if n == 0 {
        return Vec::new();
    }
    let floor = if members >= 3 * n { 3 } else { members / n };
    let extra = members - floor * n;
    let total: f64 = weights.iter().map(|&w| f64::from(w)).sum();
    let mut acc = 0.0;
    let mut given = 0;
    weights
        .iter()
        .enumerate()
        .map(|(i, &w)| {
            acc += f64::from(w);
            let upto = if i + 1 == weights.len() { extra } else { (extra as f64 * acc / total).round() as u64 };
            let size = floor + upto.saturating_sub(given);
            given = given.max(upto);
            size
        })
        .collect()
}

// ----- the stream --------------------------------------------------------------------------------------

/// Generates the organizations and members of `scale` and hands each to `org` (with its index, counting
/// from 0 in emission order) or `member`. The same `(scale, seed, today)` always gives the same stream.
///
/// Organizations come in pre-order: the root department (中共中央组织部), then for each department its
/// own grassroots organizations and their members, then its child departments (31 provinces, then cities
/// and counties). A county's organizations all come before its members, so a member's `previous_org` is
/// always already emitted. Memory is proportional to the organizations of one county (the central
/// organs' are the largest set, about 600,000), never to the members.
pub fn facts(
    scale: FactScale,
    seed: u64,
    today: Date,
    mut org: impl FnMut(u32, &FactOrg),
    mut member: impl FnMut(&FactMember),
) {
    let mut rng = SmallRng::seed_from_u64(seed);
    let plan = plan(scale.divisor(), &mut rng);

    // The members each flavour of branch will hold (in expectation), to which the mix is fitted.
    let mut flavour_members = [0.0; FLAVOURS];
    for (s, def) in SECTOR_DEFS.iter().enumerate() {
        let branches: f64 = plan.places.iter().map(|p| f64::from(p.orgs[s][2])).sum();
        for &(flavour, share, size) in def.flavours {
            flavour_members[flavour as usize] += branches * def.size * share * size;
        }
    }
    let people = People::new(today, &flavour_members);

    let mut department_index = vec![0u32; plan.departments.len()];
    let mut next: u32 = 0;
    for step in &plan.steps {
        match *step {
            Step::Department(d) => {
                let parent = plan.departments[d].map(|p| department_index[p]);
                org(next, &FactOrg { parent, kind: OrgKind::Department, sector: Sector::Mixed });
                department_index[d] = next;
                next += 1;
            }
            Step::Place(i) => {
                let place = &plan.places[i];
                // Each place has its own random stream, so places could be generated in parallel.
                let mut rng = SmallRng::seed_from_u64(seed ^ (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
                let nodes = build_place(&mut rng, place);
                let department = department_index[place.department];
                let mut global = vec![0u32; nodes.len()];
                let mut branch_orgs: Vec<u32> = Vec::new();
                let mut branch_nodes: Vec<u32> = Vec::new();
                for i in pre_order(&nodes) {
                    let node = &nodes[i as usize];
                    let parent = if node.parent == NO_PARENT { department } else { global[node.parent as usize] };
                    let sector = SECTOR_DEFS[usize::from(node.sector)].sector;
                    org(next, &FactOrg { parent: Some(parent), kind: node.kind, sector });
                    global[i as usize] = next;
                    if node.kind == OrgKind::Branch {
                        branch_orgs.push(next);
                        branch_nodes.push(i);
                    }
                    next += 1;
                }
                let weights: Vec<f32> = branch_nodes.iter().map(|&i| nodes[i as usize].weight).collect();
                let sizes = branch_sizes(place.members, &weights);
                for ((&o, &i), size) in branch_orgs.iter().zip(&branch_nodes).zip(sizes) {
                    let flavour = usize::from(nodes[i as usize].flavour);
                    for _ in 0..size {
                        member(&people.member(&mut rng, o, flavour, &branch_orgs));
                    }
                }
            }
        }
    }
}
