//! Party members: who sits in each branch, drawn from the fitted mix so that the whole matches the
//! bulletin, with consistent dates (birth, joining, becoming a full member, starting work), unique
//! ID numbers, and addresses and work units that fit the branch.

use crate::DemoMember;
use crate::careers;
use crate::mix::{self, FLAVOURS, Flavour, Mix};
use crate::names;
use crate::sample::{add_days, chance, date_between, day_number, iso, pick, uniform, weighted};
use crate::tree::{Slot, Tree, mobile};
use chrono::{Datelike, NaiveDate};
use qiangji_domain::Date;
use qiangji_domain::date;
use qiangji_domain::id_number::IdNumber;
use qiangji_domain::member::{Education, Ethnicity, MemberInput, Occupation, Sex};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A minority group among Zhejiang's members: GB/T 3304 code, relative weight, typical native places.
struct Minority {
    code: u8,
    weight: f64,
    homes: &'static [&'static str],
}

const fn minority(code: u8, weight: f64, homes: &'static [&'static str]) -> Minority {
    Minority { code, weight, homes }
}

/// 畲族 first (Zhejiang's own minority), then the groups of migrants from the southwest and north.
const MINORITIES: &[Minority] = &[
    minority(22, 0.35, &["浙江景宁", "浙江丽水", "福建宁德", "浙江苍南", "浙江武义"]),
    minority(15, 0.18, &["湖南张家界", "湖北恩施", "重庆石柱", "贵州铜仁"]),
    minority(6, 0.14, &["贵州黔东南", "湖南湘西", "云南文山"]),
    minority(3, 0.10, &["宁夏银川", "河南郑州", "甘肃临夏", "浙江宁波"]),
    minority(8, 0.05, &["广西南宁", "广西柳州"]),
    minority(9, 0.05, &["贵州黔南", "贵州安顺"]),
    minority(12, 0.04, &["贵州黔东南", "湖南怀化"]),
    minority(11, 0.04, &["辽宁沈阳", "河北承德", "北京"]),
    minority(7, 0.02, &["四川凉山", "云南楚雄"]),
    minority(2, 0.015, &["内蒙古呼和浩特", "辽宁阜新"]),
    minority(10, 0.01, &["吉林延边"]),
    minority(14, 0.005, &["云南大理"]),
];

/// Where members from outside the city come from.
const OTHER_ZHEJIANG: &[&str] = &[
    "浙江温州",
    "浙江台州",
    "浙江绍兴",
    "浙江金华",
    "浙江丽水",
    "浙江衢州",
    "浙江杭州",
    "浙江舟山",
    "浙江嘉兴",
    "浙江湖州",
];
const OTHER_PROVINCES: &[&str] = &[
    "安徽阜阳",
    "安徽安庆",
    "江西上饶",
    "江西九江",
    "河南信阳",
    "河南周口",
    "四川达州",
    "四川南充",
    "贵州毕节",
    "湖南邵阳",
    "湖北黄冈",
    "江苏南通",
    "山东临沂",
    "福建宁德",
    "重庆万州",
    "甘肃天水",
    "黑龙江哈尔滨",
    "上海",
];

/// Members of all branches, in the order of `tree.slots`.
///
/// Districts are independent (a member's previous branch is in the same district, and every district
/// has its own ID region code), so they are generated on all cores, each with its own random stream
/// derived from `seed`: the result does not depend on the number of threads or their timing.
pub(crate) fn generate(seed: u64, today: Date, tree: &Tree) -> Vec<DemoMember> {
    let mut by_flavour = [0.0; FLAVOURS];
    for s in &tree.slots {
        by_flavour[s.flavour as usize] += f64::from(s.size);
    }
    let mix = Mix::fit(&by_flavour);
    let districts = tree.places.len();
    // Largest districts first, so that the last ones to finish are small and the cores stay busy.
    let mut queue: Vec<usize> = (0..districts).collect();
    queue.sort_by_key(|&d| std::cmp::Reverse(tree.places[d].slots.len()));
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(districts);
    let mut done: Vec<Vec<DemoMember>> = (0..districts).map(|_| Vec::new()).collect();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let Some(&d) = queue.get(next.fetch_add(1, Ordering::Relaxed)) else {
                            return out;
                        };
                        out.push((d, district(seed, d, today, tree, &mix)));
                    }
                })
            })
            .collect();
        for w in workers {
            for (d, members) in w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)) {
                done[d] = members;
            }
        }
    });
    let mut members = Vec::with_capacity(done.iter().map(Vec::len).sum());
    for d in done {
        members.extend(d);
    }
    members
}

/// The members of district `d`'s branches.
fn district(seed: u64, d: usize, today: Date, tree: &Tree, mix: &Mix) -> Vec<DemoMember> {
    let place = &tree.places[d];
    let mut rng = SmallRng::seed_from_u64(seed ^ (d as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let mut people = People {
        rng: &mut rng,
        today,
        mix,
        ids: IssuedIds::new(today),
        full_bound: add_days(date::birthday(today, -1), -45),
        old_ages: (61..=MAX_AGE).map(old_age_weight).collect(),
        minority_weights: MINORITIES.iter().map(|m| m.weight).collect(),
    };
    let size: usize = tree.slots[place.slots.clone()].iter().map(|s| s.size as usize).sum();
    let mut members = Vec::with_capacity(size);
    for i in place.slots.clone() {
        for _ in 0..tree.slots[i].size {
            members.push(people.member(tree, i));
        }
    }
    members
}

/// The earliest day each organization had a member: joined it (or moved in), or was in it before moving on.
pub(crate) fn earliest_days(orgs: usize, members: &[DemoMember]) -> Vec<i32> {
    let mut earliest = vec![i32::MAX; orgs];
    for m in members {
        earliest[m.org] = earliest[m.org].min(day_number(m.org_since));
        if let Some(p) = m.previous_org {
            earliest[p] = earliest[p].min(day_number(m.fields.joined_on));
        }
    }
    earliest
}

/// Share of members (among those who joined after branches like theirs existed) who moved in from
/// another branch; with those who joined earlier it makes about 8% of all members.
const MOVED: f64 = 0.012;

/// The oldest age generated.
pub(crate) const MAX_AGE: i32 = 100;

/// Ages of student members (all under 31).
pub(crate) const STUDENT_AGES: std::ops::RangeInclusive<i32> = 19..=25;

/// Other members under 31: the first age and the relative numbers at each age from it to 30. Few are
/// under 22 unless they are students: most join at college or work.
pub(crate) const YOUNG_AGES: (i32, [f64; 9]) = (22, [0.5, 0.7, 0.85, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]);

/// ID numbers issued in one district: one bit per (birth date, sequence), since the region is fixed.
/// A bitset is both smaller and much faster than a hash set of half a million numbers.
struct IssuedIds {
    first_day: i32,
    bits: Vec<u64>,
}

impl IssuedIds {
    fn new(today: Date) -> Self {
        let first_day = day_number(date::birthday(today, -(MAX_AGE + 1)));
        let days = (day_number(today) - first_day + 1) as usize;
        IssuedIds { first_day, bits: vec![0; days * 1000 / 64 + 1] }
    }

    /// Records (born, sequence); false if it was already issued.
    fn insert(&mut self, born: Date, sequence: u16) -> bool {
        let i = (day_number(born) - self.first_day) as usize * 1000 + usize::from(sequence);
        let (word, bit) = (i / 64, 1u64 << (i % 64));
        let fresh = self.bits[word] & bit == 0;
        self.bits[word] |= bit;
        fresh
    }
}

/// Relative number of members aged `age` among those 61 and over: fewer each year, fewer still past 80.
pub(crate) fn old_age_weight(age: i32) -> f64 {
    let decline = 0.975_f64.powi(age.min(80) - 61);
    if age <= 80 { decline } else { decline * 0.8_f64.powi(age - 80) }
}

struct People<'r> {
    rng: &'r mut SmallRng,
    today: Date,
    mix: &'r Mix,
    ids: IssuedIds,
    /// The latest joining date that leaves room for a full year's probation and the vote on it.
    full_bound: Date,
    old_ages: Vec<f64>,
    minority_weights: Vec<f64>,
}

/// Years after the 18th birthday at which people join, by occupation: students at college,
/// professionals mostly at college or early in their career, farmers often in middle age.
fn join_offset(rng: &mut SmallRng, occupation: Occupation) -> f64 {
    let (a, b, c) = match occupation {
        Occupation::Professional | Occupation::CivilServant | Occupation::Manager => (0.62, 0.26, 0.12),
        Occupation::Farmer => (0.2, 0.45, 0.35),
        Occupation::Retired => (0.4, 0.45, 0.15),
        _ => (0.35, 0.47, 0.18),
    };
    let ranges = match occupation {
        Occupation::Farmer => [(2.0, 10.0), (10.0, 22.0), (22.0, 40.0)],
        Occupation::Professional | Occupation::CivilServant | Occupation::Manager => {
            [(1.0, 5.0), (5.0, 12.0), (12.0, 25.0)]
        }
        _ => [(1.0, 7.0), (7.0, 17.0), (17.0, 30.0)],
    };
    let (lo, hi) = ranges[weighted(rng, &[a, b, c])];
    uniform(rng, lo, hi)
}

/// Typical age on starting work, by education.
fn work_start_age(rng: &mut SmallRng, education: Education) -> f64 {
    let (lo, hi) = match education {
        Education::Postgraduate => (25.0, 27.5),
        Education::University => (22.0, 23.5),
        Education::College => (20.0, 21.5),
        Education::TechnicalSecondary => (18.0, 19.5),
        Education::HighSchool => (18.0, 20.5),
        Education::JuniorOrBelow => (16.0, 18.5),
    };
    uniform(rng, lo, hi)
}

impl People<'_> {
    fn age(&mut self, band: usize, occupation: Occupation) -> i32 {
        match band {
            0 if occupation == Occupation::Student => self.rng.random_range(STUDENT_AGES),
            0 => YOUNG_AGES.0 + weighted(self.rng, &YOUNG_AGES.1) as i32,
            1..=6 => 31 + 5 * (band as i32 - 1) + self.rng.random_range(0..5),
            _ => 61 + weighted(self.rng, &self.old_ages) as i32,
        }
    }

    /// A birth date at which someone is exactly `age` today.
    fn born(&mut self, age: i32) -> Date {
        let earliest = add_days(date::birthday(self.today, -(age + 1)), 1);
        let latest = date::birthday(self.today, -age);
        date_between(self.rng, earliest, latest)
    }

    /// A GB 11643 number never issued before in this run (odd sequence for men, even for women).
    /// Districts have distinct region codes, so uniqueness within the district is enough.
    fn id_number(&mut self, region: u32, born: Date, sex: Sex) -> IdNumber {
        let parity = u16::from(sex == Sex::Male);
        loop {
            let sequence = self.rng.random_range(0..500u16) * 2 + parity;
            if self.ids.insert(born, sequence) {
                return IdNumber::compose(region, born, sequence);
            }
        }
    }

    fn native_place(&mut self, slot: &Slot, tree: &Tree, minority: Option<&'static [&'static str]>) -> String {
        if let Some(places) = minority {
            return pick(self.rng, places).to_string();
        }
        let place = &tree.places[usize::from(slot.place)];
        let outside = match slot.flavour {
            Flavour::Village => 0.03,
            Flavour::PrivateFirm | Flavour::Regional => 0.3,
            Flavour::Students => 0.35,
            Flavour::Community => 0.1,
            _ => 0.12,
        };
        if chance(self.rng, outside) {
            if chance(self.rng, 0.45) { pick(self.rng, OTHER_ZHEJIANG) } else { pick(self.rng, OTHER_PROVINCES) }
                .to_string()
        } else if place.district.is_city_district() {
            format!("浙江{}", place.city.short())
        } else {
            format!("浙江{}", place.district.short())
        }
    }

    fn address(&mut self, slot: &Slot, tree: &Tree) -> String {
        let place = &tree.places[usize::from(slot.place)];
        let (city, district) = (place.city.name, place.district.name);
        let township = match slot.township {
            Some(t) if chance(self.rng, 0.8) => &place.townships[usize::from(t)],
            _ => pick(self.rng, &place.townships),
        };
        if slot.flavour == Flavour::Village
            && let Some(village) = &slot.locality
        {
            return format!("浙江省{city}{district}{township}{village}{}号", self.rng.random_range(1..=400));
        }
        let road = pick(self.rng, &place.roads);
        if chance(self.rng, 0.6) {
            let (lane, no, floor, room) = (
                self.rng.random_range(1..=600),
                self.rng.random_range(1..=40),
                self.rng.random_range(1..=18),
                self.rng.random_range(1..=4),
            );
            format!("浙江省{city}{district}{township}{road}{lane}弄{no}号{floor}0{room}室")
        } else {
            format!("浙江省{city}{district}{township}{road}{}号", self.rng.random_range(1..=999))
        }
    }

    /// The member's employer as the registry records it; consistent with the branch.
    fn work_unit(&mut self, slot: &Slot, occupation: Occupation) -> String {
        let unit = pick(self.rng, &slot.units).to_string();
        match (slot.flavour, occupation) {
            (Flavour::Village, Occupation::Farmer) => unit,
            (
                Flavour::Village | Flavour::Community | Flavour::Regional,
                Occupation::Retired | Occupation::Other | Occupation::Farmer,
            ) => String::new(),
            (Flavour::Village, _) => String::new(),
            (Flavour::Community, Occupation::Professional) => unit,
            (Flavour::Community, _) => String::new(),
            _ => unit,
        }
    }

    fn member(&mut self, tree: &Tree, slot_index: usize) -> DemoMember {
        let slot = &tree.slots[slot_index];
        let f = slot.flavour as usize;
        let o = weighted(self.rng, &self.mix.occupation[f]);
        let b = weighted(self.rng, &self.mix.band[o]);
        let e = weighted(self.rng, &self.mix.education[o][b]);
        let (occupation, education) = (mix::occupation(o), mix::education(e));

        let age = self.age(b, occupation);
        let born = self.born(age);
        let sex = if chance(self.rng, self.mix.woman[f][o][b]) { Sex::Female } else { Sex::Male };
        let minority = chance(self.rng, mix::MINORITIES).then(|| {
            let i = weighted(self.rng, &self.minority_weights);
            &MINORITIES[i]
        });
        let ethnicity = minority.map_or(Ethnicity::HAN, |m| Ethnicity::from_code(m.code).expect("valid code"));

        // Joining: probationary members joined within the past year; full members at least a year
        // and some weeks ago, so that the vote on their full membership is already behind them.
        let adult = date::birthday(born, 18);
        let today = self.today;
        let probationary = chance(self.rng, self.mix.probationary[o][b]) || adult > self.full_bound;
        let joined = if probationary {
            date_between(self.rng, adult.max(add_days(today, -364)), today)
        } else if occupation == Occupation::Student {
            date_between(self.rng, add_days(adult, 365).min(self.full_bound), self.full_bound)
        } else {
            let offset = join_offset(self.rng, occupation);
            let mut j = add_days(adult, (offset * 365.25) as i32);
            if j > self.full_bound {
                j = date_between(self.rng, adult, self.full_bound);
            }
            // Recruitment was slower before the reform era than after it (and early members are
            // dying out): a share of early joiners joined in the 1980s instead.
            let reform = NaiveDate::from_ymd_opt(1978, 12, 18).expect("valid");
            if j < reform && chance(self.rng, 0.3) {
                let latest = NaiveDate::from_ymd_opt(1992, 12, 31).expect("valid").min(self.full_bound);
                j = date_between(self.rng, adult.max(reform), latest);
            }
            j
        };
        let full_on =
            (!probationary).then(|| add_days(date::birthday(joined, 1), self.rng.random_range(0..=40)).min(today));

        let work_started_on = match occupation {
            Occupation::Student => None,
            Occupation::Farmer if chance(self.rng, 0.7) => None,
            _ => {
                let start = add_days(born, (work_start_age(self.rng, education) * 365.25) as i32);
                let latest = add_days(today, -self.rng.random_range(30..200));
                Some(start.min(latest).max(date::birthday(born, 16)))
            }
        };

        let (school, major, degree) = careers::studies(self.rng, education, occupation, slot.flavour, born.year());
        let joined_before_1949 = joined < NaiveDate::from_ymd_opt(1949, 10, 1).expect("valid");
        let job_title = careers::job_title(self.rng, occupation, slot.flavour, education, age, joined_before_1949);
        let region = tree.places[usize::from(slot.place)].district.region;
        let id_number = self.id_number(region, born, sex);
        let name = names::person(self.rng, sex, born.year());
        let floating = chance(self.rng, self.mix.floating[o][b]);
        let lost_contact = (floating && chance(self.rng, 0.08)) || chance(self.rng, 0.001);
        let hardship = chance(self.rng, self.mix.hardship[o][b]);
        let postless = matches!(occupation, Occupation::Farmer | Occupation::Other | Occupation::Retired)
            && matches!(slot.flavour, Flavour::Village | Flavour::Community | Flavour::Regional)
            && chance(self.rng, 0.6);

        let input = MemberInput {
            name,
            sex: sex.code().into(),
            ethnicity: format!("{:02}", ethnicity.code()),
            // Left empty as the registry form allows: the ID number carries the birth date, and
            // parsing one date fewer per member matters at half a million members.
            birth_date: String::new(),
            native_place: self.native_place(slot, tree, minority.map(|m| m.homes)),
            id_number: id_number.to_string(),
            education: education.code().into(),
            school: school.into(),
            major: major.into(),
            degree: degree.into(),
            occupation: occupation.code().into(),
            work_unit: self.work_unit(slot, occupation),
            job_title: job_title.into(),
            work_started_on: work_started_on.map(iso).unwrap_or_default(),
            phone: mobile(self.rng),
            address: self.address(slot, tree),
            joined_on: iso(joined),
            full_on: full_on.map(iso).unwrap_or_default(),
            kind: if probationary { "probationary" } else { "full" }.into(),
            floating,
            lost_contact,
            hardship,
            postless,
        };
        let fields =
            input.validate(today).unwrap_or_else(|errors| panic!("generated member is invalid: {errors:?}\n{input:?}"));

        let (org_since, previous_org) = self.history(tree, slot_index, joined, probationary);
        DemoMember { org: slot.org, fields, org_since, previous_org }
    }

    /// Whether the member came from another branch of the district, and when. Members who joined the
    /// Party before their branch was planned to exist are the likeliest to have moved in.
    fn history(&mut self, tree: &Tree, slot_index: usize, joined: Date, probationary: bool) -> (Date, Option<usize>) {
        let slot = &tree.slots[slot_index];
        let planned = tree.orgs[slot.org].founded_on;
        let today = self.today;
        if probationary || joined > add_days(today, -60) {
            return (joined, None);
        }
        // Members who joined before branches like theirs existed transferred in.
        if joined.year() >= slot.flavour.since_year() && !chance(self.rng, MOVED) {
            return (joined, None);
        }
        // The previous branch must have existed when the member joined.
        let range = tree.places[usize::from(slot.place)].slots.clone();
        for _ in 0..40 {
            let candidate = self.rng.random_range(range.clone());
            let c = &tree.slots[candidate];
            if candidate != slot_index
                && c.flavour.since_year() <= joined.year()
                && tree.orgs[c.org].founded_on <= joined
            {
                let since = date_between(self.rng, add_days(joined, 30).max(planned), add_days(today, -1));
                return (since, Some(c.org));
            }
        }
        (joined, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_age_weights_decline() {
        assert!(old_age_weight(61) > old_age_weight(70));
        assert!(old_age_weight(80) > 5.0 * old_age_weight(90));
    }

    #[test]
    fn minority_weights_add_up_to_one() {
        let total: f64 = MINORITIES.iter().map(|m| m.weight).sum();
        assert!((total - 1.0).abs() < 0.01, "{total}");
        for m in MINORITIES {
            assert!(Ethnicity::from_code(m.code).unwrap().is_minority());
        }
    }
}
