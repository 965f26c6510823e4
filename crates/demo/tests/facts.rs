//! The national fact stream: a thousandth of the Party checked against the 2023 中国共产党党内统计公报,
//! and (ignored by default) the whole of it, timed:
//! `cargo test --release -p qiangji-demo --test facts -- --ignored --nocapture`.

use qiangji_demo::{FactMember, FactOrg, FactScale, facts};
use qiangji_domain::Date;
use qiangji_domain::date;
use qiangji_domain::member::{AgeBand, Education, JoinPeriod, Occupation, Sex};
use qiangji_domain::org::{OrgKind, Sector};
use std::cell::{Cell, RefCell};
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::OnceLock;
use std::time::Instant;

fn today() -> Date {
    date::parse("2026-06-30").unwrap()
}

struct Stream {
    orgs: Vec<FactOrg>,
    members: Vec<FactMember>,
}

fn collect(scale: FactScale, seed: u64, today: Date) -> Stream {
    let mut orgs = Vec::new();
    let mut members = Vec::new();
    let emitted = Cell::new(0);
    facts(
        scale,
        seed,
        today,
        |i, o| {
            assert_eq!(i as usize, orgs.len(), "organizations are numbered in emission order");
            orgs.push(*o);
            emitted.set(orgs.len());
        },
        |m| {
            let emitted = emitted.get();
            assert!((m.org as usize) < emitted, "a member's branch is emitted before the member");
            assert!(m.previous_org.is_none_or(|p| (p as usize) < emitted));
            members.push(*m);
        },
    );
    Stream { orgs, members }
}

/// A thousandth of the Party, generated once for all tests.
fn thousandth() -> &'static Stream {
    static STREAM: OnceLock<Stream> = OnceLock::new();
    STREAM.get_or_init(|| collect(FactScale::Fraction(1000), 2024, today()))
}

/// Percentage of `items` for which `f` holds.
fn share<T>(items: &[T], f: impl Fn(&T) -> bool) -> f64 {
    100.0 * items.iter().filter(|x| f(x)).count() as f64 / items.len() as f64
}

/// Bulletin figures are in 万 out of 9918.5万 members.
fn bulletin(wan: f64) -> f64 {
    100.0 * wan / 9918.5
}

fn assert_near(what: &str, got: f64, want: f64, tolerance: f64) {
    assert!((got - want).abs() <= tolerance, "{what}: {got:.2}% (bulletin {want:.2}%)");
}

fn within_one_percent(what: &str, got: usize, want: f64) {
    assert!((got as f64 - want).abs() <= want / 100.0, "{what}: {got}, expected {want}");
}

/// The nearest department above organization `i` (itself if it is one).
fn department_of(orgs: &[FactOrg], mut i: usize) -> usize {
    while orgs[i].kind != OrgKind::Department {
        i = orgs[i].parent.unwrap() as usize;
    }
    i
}

#[test]
fn a_thousandth_has_the_bulletins_totals() {
    let Stream { orgs, members } = thousandth();
    let count = |kind| orgs.iter().filter(|o| o.kind == kind).count();
    within_one_percent("members", members.len(), 99_185.0);
    within_one_percent("基层党委", count(OrgKind::Committee), 298.0);
    within_one_percent("党总支", count(OrgKind::GeneralBranch), 325.0);
    within_one_percent("党支部", count(OrgKind::Branch), 4_554.0);
    assert_eq!(orgs.len(), count(OrgKind::Department) + count(OrgKind::Committee) + 325 + 4_554);

    // The root, 31 provinces, then cities and counties: at least one county per province.
    let provinces: Vec<usize> = (0..orgs.len()).filter(|&i| orgs[i].parent == Some(0)).collect();
    assert!(provinces.iter().filter(|&&i| orgs[i].kind == OrgKind::Department).count() == 31);
    let departments = count(OrgKind::Department);
    assert!((31 + 31 + 1..=200).contains(&departments), "{departments} departments");

    // Fields of the grassroots organizations (bulletin: 机关 77.1万, 事业单位 99.7万, 企业 160.0万,
    // 社会组织 18.3万 of 517.7万; the rest are villages, townships, communities and streets).
    let grassroots: Vec<&FactOrg> = orgs.iter().filter(|o| o.kind != OrgKind::Department).collect();
    let field = |sectors: &[Sector]| share(&grassroots, |o| sectors.contains(&o.sector));
    let of = |wan: f64| 100.0 * wan / 517.7;
    assert_near("机关", field(&[Sector::Government]), of(77.1), 3.0);
    assert_near("事业单位", field(&[Sector::PublicInstitution]), of(99.7), 3.0);
    assert_near("企业", field(&[Sector::StateEnterprise, Sector::PrivateEnterprise]), of(160.0), 3.0);
    assert_near("社会组织", field(&[Sector::SocialOrganization]), of(18.3), 2.0);
    assert_near("农村和社区", field(&[Sector::Rural, Sector::Community]), of(162.6), 3.0);
}

#[test]
fn the_tree_is_in_pre_order_and_well_formed() {
    let Stream { orgs, members } = thousandth();
    assert_eq!(orgs[0], FactOrg { parent: None, kind: OrgKind::Department, sector: Sector::Mixed });
    let mut children = vec![0usize; orgs.len()];
    let mut branch_children = vec![0usize; orgs.len()];
    for (i, o) in orgs.iter().enumerate().skip(1) {
        let p = o.parent.expect("only the root has no parent") as usize;
        assert!(p < i, "organization {i} comes after its parent");
        assert!(o.kind.may_be_child_of(Some(orgs[p].kind)), "{:?} under {:?}", o.kind, orgs[p].kind);
        assert_eq!(o.kind == OrgKind::Department, o.sector == Sector::Mixed);
        // In pre-order, the parent is the previous organization or one of its ancestors.
        let mut a = i - 1;
        while a != p {
            a = orgs[a].parent.expect("the parent is an ancestor of the previous organization") as usize;
        }
        children[p] += 1;
        if o.kind == OrgKind::Branch {
            branch_children[p] += 1;
        }
    }
    for (i, o) in orgs.iter().enumerate() {
        match o.kind {
            OrgKind::Committee => assert!(children[i] > 0, "committee {i} is empty"),
            OrgKind::GeneralBranch => assert!(branch_children[i] >= 2, "general branch {i} has no two branches"),
            _ => {}
        }
    }
    // Nesting goes a few levels deep below the county.
    let depth = |mut i: usize| {
        let mut d = 0;
        while orgs[i].kind != OrgKind::Department {
            i = orgs[i].parent.unwrap() as usize;
            d += 1;
        }
        d
    };
    let deepest = (0..orgs.len()).map(depth).max().unwrap();
    assert!((3..=6).contains(&deepest), "deepest branch {deepest} levels below its department");
    let direct = (0..orgs.len()).filter(|&i| orgs[i].kind == OrgKind::Branch && depth(i) == 1).count();
    assert!(direct > 50, "only {direct} branches directly under a department");

    // Members sit in branches only; branches hold about 22 members, spread out.
    let mut sizes = vec![0usize; orgs.len()];
    for m in members {
        assert_eq!(orgs[m.org as usize].kind, OrgKind::Branch);
        sizes[m.org as usize] += 1;
    }
    let branch_sizes: Vec<usize> =
        (0..orgs.len()).filter(|&i| orgs[i].kind == OrgKind::Branch).map(|i| sizes[i]).collect();
    assert!(branch_sizes.iter().all(|&s| s >= 3), "every branch has three members");
    assert!(share(&branch_sizes, |s| (8..=40).contains(s)) > 60.0);
    assert!(branch_sizes.iter().any(|&s| s > 80), "no large branches");
    assert!(share(&branch_sizes, |&s| s < 10) > 5.0, "no small branches");
}

#[test]
fn provinces_differ_in_size_like_the_real_ones() {
    let Stream { orgs, members } = thousandth();
    let mut province_of = vec![usize::MAX; orgs.len()];
    for (i, o) in orgs.iter().enumerate().skip(1) {
        let p = o.parent.unwrap() as usize;
        province_of[i] = if p == 0 { i } else { province_of[p] };
    }
    let mut by_province = std::collections::BTreeMap::new();
    for m in members {
        *by_province.entry(province_of[m.org as usize]).or_insert(0usize) += 1;
    }
    // Province departments have members through their own units; the root's own units are central organs.
    let provinces: Vec<usize> =
        by_province.iter().filter(|&(&p, _)| orgs[p].kind == OrgKind::Department).map(|(_, &n)| n).collect();
    assert_eq!(provinces.len(), 31);
    let (max, min) = (*provinces.iter().max().unwrap(), *provinces.iter().min().unwrap());
    // In millions at national scale: the largest about 5-6, the smallest a few hundred thousand.
    assert!((4_500..=7_000).contains(&max), "largest province {max}");
    assert!((200..=600).contains(&min), "smallest province {min}");
}

#[test]
fn members_follow_the_bulletin() {
    let today = today();
    let members = &thousandth().members;
    let women = share(members, |m| m.sex == Sex::Female);
    assert_near("women", women, bulletin(3018.5), 2.0);
    assert_near("minorities", share(members, |m| m.minority), bulletin(759.2), 2.0);
    assert_near("大专及以上", share(members, |m| m.education.is_college_or_above()), bulletin(5578.6), 2.0);
    assert!(share(members, |m| m.education == Education::Postgraduate) > 1.0);

    let ages = [1241.2, 1119.6, 1086.4, 945.9, 907.1, 940.5, 890.7, 2787.2];
    for (band, wan) in AgeBand::ALL.iter().zip(ages) {
        assert_near(band.label(), share(members, |m| AgeBand::of(m.birth_date, today) == *band), bulletin(wan), 2.0);
    }
    let periods = [6.8, 1286.3, 6014.2, 2611.2];
    for (period, wan) in JoinPeriod::ALL.iter().zip(periods) {
        assert_near(period.label(), share(members, |m| JoinPeriod::of(m.joined_on) == *period), bulletin(wan), 2.0);
    }
    assert!(members.iter().any(|m| JoinPeriod::of(m.joined_on) == JoinPeriod::Before1949));
    let occupations = [664.3, 2607.5, 1619.0, 1145.3, 764.5, 277.1, 776.4, 2064.4];
    for (occupation, wan) in Occupation::ALL.iter().zip(occupations) {
        assert_near(occupation.label(), share(members, |m| m.occupation == *occupation), bulletin(wan), 2.0);
    }
    // Retired members are 56 or older, students young.
    assert!(
        members
            .iter()
            .all(|m| m.occupation != Occupation::Retired || AgeBand::of(m.birth_date, today) >= AgeBand::From56To60)
    );
    assert!(
        members
            .iter()
            .all(|m| m.occupation != Occupation::Student || AgeBand::of(m.birth_date, today) == AgeBand::UpTo30)
    );

    assert_near("probationary", share(members, |m| m.full_on.is_none()), 2.5, 0.6);
    assert_near("floating", share(members, |m| m.floating), 2.75, 0.75);
    assert_near("moved", share(members, |m| m.previous_org.is_some()), 8.0, 1.0);
}

/// Every date invariant of `FactMember`, and moves staying inside the county.
fn check_dates(stream: &Stream, today: Date) {
    let earliest_birth = date::parse("1920-01-01").unwrap();
    for m in &stream.members {
        assert!(m.birth_date >= earliest_birth, "{m:?}");
        assert!(m.joined_on >= date::birthday(m.birth_date, 18), "joined before 18: {m:?}");
        assert!(m.joined_on <= today, "{m:?}");
        match m.full_on {
            Some(full) => {
                assert_eq!(full, date::birthday(m.joined_on, 1), "{m:?}");
                assert!(full <= today, "{m:?}");
            }
            // Probation lasts a year, two at most.
            None => assert!(m.joined_on > date::birthday(today, -2), "{m:?}"),
        }
        assert!(m.joined_on <= m.org_since && m.org_since <= today, "{m:?}");
        match m.previous_org {
            Some(p) => {
                assert_ne!(p, m.org);
                assert!(m.joined_on < m.org_since, "{m:?}");
                assert_eq!(stream.orgs[p as usize].kind, OrgKind::Branch);
                assert_eq!(
                    department_of(&stream.orgs, p as usize),
                    department_of(&stream.orgs, m.org as usize),
                    "moved from another county: {m:?}"
                );
            }
            None => assert_eq!(m.org_since, m.joined_on, "{m:?}"),
        }
    }
}

#[test]
fn dates_are_consistent() {
    check_dates(thousandth(), today());
    // A leap day and a day years ahead, at a smaller scale.
    for day in ["2024-02-29", "2031-01-01"] {
        let today = date::parse(day).unwrap();
        check_dates(&collect(FactScale::Fraction(20_000), 9, today), today);
    }
}

#[test]
fn the_same_seed_gives_the_same_stream() {
    let digest = |seed: u64| {
        // Both callbacks feed one hasher.
        let h = RefCell::new(DefaultHasher::new());
        facts(
            FactScale::Fraction(5_000),
            seed,
            today(),
            |i, o| (i, o).hash(&mut *h.borrow_mut()),
            |m| m.hash(&mut *h.borrow_mut()),
        );
        h.into_inner().finish()
    };
    assert_eq!(digest(3), digest(3));
    assert_ne!(digest(3), digest(4));
}

#[test]
#[ignore = "99 million members: run with --release"]
fn the_whole_party() {
    let started = Instant::now();
    let mut kinds = [0u64; 6];
    let mut members = 0u64;
    let mut probationary = 0u64;
    facts(
        FactScale::National,
        2024,
        today(),
        |_, o| kinds[o.kind.index() as usize] += 1,
        |m| {
            members += 1;
            probationary += u64::from(m.full_on.is_none());
        },
    );
    let elapsed = started.elapsed();
    println!(
        "national: {} organizations ({} departments, {} committees, {} general branches, {} branches), \
         {members} members ({probationary} probationary) in {elapsed:.1?}",
        kinds.iter().sum::<u64>(),
        kinds[OrgKind::Department.index() as usize],
        kinds[OrgKind::Committee.index() as usize],
        kinds[OrgKind::GeneralBranch.index() as usize],
        kinds[OrgKind::Branch.index() as usize],
    );
    assert_eq!(members, 99_185_000);
    assert_eq!(kinds[OrgKind::Committee.index() as usize], 298_000);
    assert_eq!(kinds[OrgKind::GeneralBranch.index() as usize], 325_000);
    assert_eq!(kinds[OrgKind::Branch.index() as usize], 4_554_000);
}
