//! The city (宁波) and province (浙江) datasets: their size, and the structure of the membership
//! against the 2023 中国共产党党内统计公报.
//!
//! The city test runs in every `cargo test` (about ten seconds in a debug build). The province test
//! generates five million members; run it with `cargo test --release -p qiangji-demo -- --ignored`.

use qiangji_demo::{Dataset, Scale, generate};
use qiangji_domain::Date;
use qiangji_domain::date;
use qiangji_domain::member::{AgeBand, MemberKind, Occupation, Sex};
use qiangji_domain::org::OrgKind;
use std::collections::HashSet;
use std::time::Instant;

fn today() -> Date {
    date::parse("2026-06-30").unwrap()
}

/// Percentage of `items` for which `f` holds.
fn share<T>(items: &[T], f: impl Fn(&T) -> bool) -> f64 {
    100.0 * items.iter().filter(|x| f(x)).count() as f64 / items.len() as f64
}

fn assert_near(what: &str, got: f64, want: f64, tolerance: f64) {
    assert!((got - want).abs() <= tolerance, "{what}: {got:.2}% (bulletin {want}%)");
}

fn kind_counts(data: &Dataset) -> [usize; 6] {
    let mut counts = [0; 6];
    for o in &data.orgs {
        counts[o.fields.kind.index() as usize] += 1;
    }
    counts
}

#[test]
fn the_city_has_ningbos_size_and_the_bulletins_structure() {
    let today = today();
    let started = Instant::now();
    let data = generate(Scale::City, 20_240_701, today);
    println!("city generated in {:?}", started.elapsed());
    let (orgs, members) = (&data.orgs, &data.members);
    assert!((24_000..=26_500).contains(&orgs.len()), "{} organizations", orgs.len());
    assert!((440_000..=480_000).contains(&members.len()), "{} members", members.len());

    // Grassroots organizations by kind: committees ≈6%, general branches ≈6%, branches ≈88%.
    let grassroots: Vec<OrgKind> =
        orgs.iter().map(|o| o.fields.kind).filter(|k| !matches!(k, OrgKind::Department | OrgKind::Group)).collect();
    assert_near(
        "committees",
        share(&grassroots, |k| matches!(k, OrgKind::Committee | OrgKind::WorkingCommittee)),
        6.0,
        2.0,
    );
    assert_near("general branches", share(&grassroots, |k| *k == OrgKind::GeneralBranch), 6.0, 2.0);
    assert_near("branches", share(&grassroots, |k| *k == OrgKind::Branch), 88.0, 2.0);
    let [departments, .., groups] = kind_counts(&data);
    assert_eq!(departments, 11, "the city and its ten districts");
    assert!(groups > 0);

    // Branch sizes: about 20 on average, mostly 8-40, a few oversized and a few tiny ones.
    let mut sizes = vec![0usize; orgs.len()];
    for m in members {
        assert_eq!(orgs[m.org].fields.kind, OrgKind::Branch);
        sizes[m.org] += 1;
    }
    let branch_sizes: Vec<usize> =
        orgs.iter().zip(&sizes).filter(|(o, _)| o.fields.kind == OrgKind::Branch).map(|(_, s)| *s).collect();
    let mean = members.len() as f64 / branch_sizes.len() as f64;
    assert!((18.0..=22.0).contains(&mean), "mean branch size {mean:.1}");
    assert!(share(&branch_sizes, |s| (8..=40).contains(s)) > 70.0);
    let oversized = branch_sizes.iter().filter(|s| **s > 50).count();
    assert!((10..=500).contains(&oversized), "{oversized} branches over 50");
    assert!(branch_sizes.iter().any(|s| *s < 3));

    // Members, against the bulletin (±2 percentage points).
    let women = share(members, |m| m.fields.sex == Sex::Female);
    let minorities = share(members, |m| m.fields.ethnicity.is_minority());
    let college = share(members, |m| m.fields.education.is_college_or_above());
    let over_60 = share(members, |m| AgeBand::of(m.fields.birth_date, today) == AgeBand::From61);
    let retired = share(members, |m| m.fields.occupation == Occupation::Retired);
    println!(
        "women {women:.1}%, minorities {minorities:.1}%, 大专及以上 {college:.1}%, ≥61 {over_60:.1}%, retired {retired:.1}%"
    );
    assert_near("women", women, 30.4, 2.0);
    assert_near("minorities", minorities, 7.8, 2.0);
    assert_near("大专及以上", college, 56.0, 2.0);
    assert_near("61 and over", over_60, 29.0, 2.0);
    assert_near("retired", retired, 20.3, 2.0);
    assert_near("probationary", share(members, |m| m.fields.kind == MemberKind::Probationary), 2.4, 1.0);
    assert_near("moved", share(members, |m| m.previous_org.is_some()), 8.0, 2.0);
    assert!(members.iter().all(|m| m.fields.occupation != Occupation::Retired
        || AgeBand::of(m.fields.birth_date, today) >= AgeBand::From56To60));

    let mut ids = HashSet::with_capacity(members.len());
    assert!(members.iter().all(|m| ids.insert(m.fields.id_number.as_str())), "ID numbers are unique");
}

#[test]
#[ignore = "five million members: run with --release"]
fn the_province_has_eleven_cities_and_five_million_members() {
    let started = Instant::now();
    let data = generate(Scale::Province, 1, today());
    println!(
        "province generated in {:?}: {} organizations, {} members",
        started.elapsed(),
        data.orgs.len(),
        data.members.len()
    );
    assert_eq!(data.orgs[0].fields.name, "中共浙江省委组织部");
    let cities: Vec<&str> = data.orgs.iter().filter(|o| o.parent == Some(0)).map(|o| o.fields.name.as_str()).collect();
    assert_eq!(cities.len(), 11, "{cities:?}");
    assert!(cities.contains(&"中共宁波市委组织部") && cities.contains(&"中共杭州市委组织部"));
    assert!((200_000..=300_000).contains(&data.orgs.len()), "{} organizations", data.orgs.len());
    assert!((4_500_000..=5_500_000).contains(&data.members.len()), "{} members", data.members.len());
    for (i, o) in data.orgs.iter().enumerate().skip(1) {
        assert!(o.parent.is_some_and(|p| p < i));
    }
    let mut ids = HashSet::with_capacity(data.members.len());
    assert!(data.members.iter().all(|m| ids.insert(m.fields.id_number.as_str())), "ID numbers are unique");
    assert_near("women", share(&data.members, |m| m.fields.sex == Sex::Female), 30.4, 2.0);
    assert_near("retired", share(&data.members, |m| m.fields.occupation == Occupation::Retired), 20.3, 2.0);
}
