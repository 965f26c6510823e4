//! The small dataset (two districts of 宁波) is what other crates' tests load: everything in it must be
//! valid under the domain's rules and consistent with itself.

use qiangji_demo::{Dataset, Scale, generate};
use qiangji_domain::Date;
use qiangji_domain::date;
use qiangji_domain::member::MemberKind;
use qiangji_domain::org::{FormationMode, OrgFields, OrgInput, OrgKind, Sector, check_placement};
use std::collections::HashSet;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

fn today() -> Date {
    date::parse("2026-06-30").unwrap()
}

fn small() -> &'static Dataset {
    static DATA: OnceLock<Dataset> = OnceLock::new();
    DATA.get_or_init(|| generate(Scale::Small, 42, today()))
}

/// The input that produces `f` again (the domain has `to_input` for members only).
fn org_input(f: &OrgFields) -> OrgInput {
    let opt = |d: Option<Date>| d.map(|d| d.to_string()).unwrap_or_default();
    OrgInput {
        name: f.name.clone(),
        short_name: f.short_name.clone(),
        kind: f.kind.code().into(),
        sector: f.sector.code().into(),
        formation_mode: f.formation_mode.code().into(),
        regional: f.regional,
        joint: f.joint,
        temporary: f.temporary,
        founded_on: opt(f.founded_on),
        term_start: opt(f.term_start),
        term_years: f.term_years.map(|y| y.to_string()).unwrap_or_default(),
        host_units: f.host_units.clone(),
        contact: f.contact.clone(),
        phone: f.phone.clone(),
        address: f.address.clone(),
    }
}

fn assert_all_valid(data: &Dataset, today: Date) {
    for o in &data.orgs {
        assert_eq!(org_input(&o.fields).validate(today).as_ref(), Ok(&o.fields), "{}", o.fields.name);
    }
    for m in &data.members {
        assert_eq!(m.fields.to_input().validate(today).as_ref(), Ok(&m.fields), "{}", m.fields.name);
    }
}

#[test]
fn every_organization_and_member_passes_the_domain_validation_again() {
    let data = small();
    assert!((50..=120).contains(&data.orgs.len()), "{} organizations", data.orgs.len());
    assert!((950..=1050).contains(&data.members.len()), "{} members", data.members.len());
    assert_all_valid(data, today());
}

#[test]
fn data_generated_on_other_days_is_valid_on_those_days() {
    for day in ["2024-02-29", "2031-01-01"] {
        let today = date::parse(day).unwrap();
        assert_all_valid(&generate(Scale::Small, 7, today), today);
    }
}

fn check_pre_order(data: &Dataset, _today: Date) {
    let orgs = &data.orgs;
    assert_eq!(orgs[0].parent, None);
    assert_eq!(orgs[0].fields.name, "中共宁波市委组织部");
    assert_eq!(check_placement(orgs[0].fields.kind, None), Ok(()));
    for (i, o) in orgs.iter().enumerate().skip(1) {
        let p = o.parent.expect("only the root has no parent");
        assert!(p < i, "{} comes before its parent", o.fields.name);
        assert_eq!(check_placement(o.fields.kind, Some(orgs[p].fields.kind)), Ok(()), "{}", o.fields.name);
        // In pre-order, the parent is the previous organization or one of its ancestors.
        let mut a = Some(i - 1);
        while a != Some(p) {
            a = orgs[a.expect("the root is an ancestor of all")].parent;
            assert!(a.is_some(), "{} breaks the pre-order", o.fields.name);
        }
    }
}

fn check_names(data: &Dataset, _today: Date) {
    let orgs = &data.orgs;
    let mut seen = HashSet::new();
    for o in orgs {
        assert!(seen.insert((o.parent, o.fields.name.as_str())), "duplicate {}", o.fields.name);
        match o.fields.kind {
            OrgKind::Group => assert!(o.fields.name.ends_with("党小组")),
            OrgKind::Department => {
                assert!(o.fields.name.starts_with("中共") && o.fields.name.ends_with("委组织部"))
            }
            OrgKind::Branch => {
                assert!(o.fields.name.starts_with("中共") && o.fields.name.ends_with("支部委员会"), "{}", o.fields.name)
            }
            OrgKind::GeneralBranch => {
                assert!(o.fields.name.ends_with("总支部委员会"), "{}", o.fields.name)
            }
            _ => assert!(o.fields.name.starts_with("中共"), "{}", o.fields.name),
        }
    }
    let names: Vec<&str> = orgs.iter().map(|o| o.fields.name.as_str()).collect();
    assert!(names.contains(&"中共海曙区委组织部") && names.contains(&"中共江北区委组织部"));
}

fn check_shape(data: &Dataset, today: Date) {
    let orgs = &data.orgs;
    let find = |f: &dyn Fn(&OrgFields) -> bool| orgs.iter().filter(|o| f(&o.fields)).count();
    assert!(find(&|o| o.kind == OrgKind::Committee && o.regional && o.name.ends_with("镇委员会")) >= 2);
    assert!(find(&|o| o.kind == OrgKind::WorkingCommittee && o.regional && o.name.ends_with("街道工作委员会")) >= 2);
    assert!(
        find(&|o| o.regional && o.formation_mode == FormationMode::Regional && o.name.ends_with("区域性综合党委")) >= 4
    );
    assert!(find(&|o| o.joint && o.formation_mode == FormationMode::Joint && o.name.contains("联合支部")) >= 1);
    assert!(find(&|o| o.sector == Sector::Rural && o.name.contains("村")) >= 2);
    assert!(find(&|o| o.sector == Sector::Community && o.name.contains("社区")) >= 2);
    for o in orgs {
        let f = &o.fields;
        assert!(f.founded_on.is_some_and(|d| d <= today), "{}", f.name);
        if matches!(f.kind, OrgKind::Department | OrgKind::Group) {
            continue;
        }
        let years = if matches!(f.sector, Sector::Rural | Sector::Community) { 5 } else { 3 };
        assert_eq!(f.term_years, Some(years), "{}", f.name);
        assert!(f.term_start >= f.founded_on, "{}", f.name);
        assert!(
            !f.contact.is_empty() && !f.phone.is_empty() && !f.address.is_empty() && !f.host_units.is_empty(),
            "{}",
            f.name
        );
    }
}

fn check_history(data: &Dataset, today: Date) {
    let founded = |i: usize| data.orgs[i].fields.founded_on.unwrap();
    for m in &data.members {
        assert_eq!(data.orgs[m.org].fields.kind, OrgKind::Branch);
        assert!(m.org_since >= m.fields.joined_on && m.org_since <= today);
        assert!(founded(m.org) <= m.org_since, "{} predates {}", m.fields.name, data.orgs[m.org].fields.name);
        match m.previous_org {
            None => assert_eq!(m.org_since, m.fields.joined_on),
            Some(p) => {
                assert_eq!(data.orgs[p].fields.kind, OrgKind::Branch);
                assert_ne!(p, m.org);
                assert!(m.org_since > m.fields.joined_on);
                assert!(founded(p) <= m.fields.joined_on);
            }
        }
    }
    // Founded no later than any organization below it (departments excepted: they are levels).
    for o in &data.orgs {
        if let Some(p) = o.parent {
            let parent = &data.orgs[p].fields;
            if parent.kind != OrgKind::Department {
                assert!(parent.founded_on <= o.fields.founded_on, "{} after {}", parent.name, o.fields.name);
            }
        }
    }
}

fn check_member_dates(data: &Dataset, today: Date) {
    for m in &data.members {
        let f = &m.fields;
        assert!(f.joined_on >= date::birthday(f.birth_date, 18) && f.joined_on <= today);
        match f.kind {
            MemberKind::Probationary => {
                assert_eq!(f.full_on, None);
                assert!(f.joined_on > date::birthday(today, -1), "{} probationary since {}", f.name, f.joined_on);
            }
            MemberKind::Full => {
                let full = f.full_on.expect("full members have a full date");
                let year = date::birthday(f.joined_on, 1);
                assert!(full >= year && full <= year + chrono::Days::new(41) && full <= today, "{}: {full}", f.name);
            }
        }
        if let Some(w) = f.work_started_on {
            assert!(w >= date::birthday(f.birth_date, 16) && w <= today);
        }
        assert!(f.phone.len() == 11 && ["13", "15", "18"].contains(&&f.phone[..2]), "{}", f.phone);
        assert!(f.address.starts_with("浙江省宁波市"), "{}", f.address);
        assert!((2..=4).contains(&f.name.chars().count()));
    }
}

fn check_ids(data: &Dataset, _today: Date) {
    let mut seen = HashSet::new();
    for m in &data.members {
        let id = m.fields.id_number.as_str();
        assert!(seen.insert(id), "{id} issued twice");
        assert!(["330203", "330205"].contains(&&id[..6]), "{id}");
    }
}

#[test]
fn the_same_seed_gives_the_same_dataset_and_another_seed_another() {
    let a = generate(Scale::Small, 42, today());
    let b = small();
    assert_eq!(a.orgs.len(), b.orgs.len());
    assert_eq!(a.members.len(), b.members.len());
    let ends = |d: &Dataset| {
        let (first, last) = (&d.members[0].fields, &d.members[d.members.len() - 1].fields);
        (first.name.clone(), first.id_number.clone(), last.name.clone(), last.id_number.clone())
    };
    assert_eq!(ends(&a), ends(b));
    assert_eq!(&a, b);
    let c = generate(Scale::Small, 43, today());
    assert_ne!(ends(&c), ends(b));
}

#[test]
fn the_small_dataset_generates_in_under_a_second() {
    let started = Instant::now();
    generate(Scale::Small, 1, today());
    assert!(started.elapsed() < Duration::from_secs(1), "took {:?}", started.elapsed());
}

#[test]
fn scales_parse_and_print_their_names() {
    for (s, scale) in [("small", Scale::Small), ("city", Scale::City), ("province", Scale::Province)] {
        assert_eq!(s.parse::<Scale>(), Ok(scale));
        assert_eq!(scale.to_string(), s);
    }
    assert!("nation".parse::<Scale>().is_err());
}

#[test]
fn organizations_come_in_pre_order_under_parents_of_an_allowed_kind() {
    check_pre_order(small(), today());
}

#[test]
fn names_are_unique_within_each_parent_and_read_as_on_seals() {
    check_names(small(), today());
}

#[test]
fn the_tree_has_townships_regional_and_joint_organizations_and_terms_by_sector() {
    check_shape(small(), today());
}

#[test]
fn members_belong_to_branches_and_their_history_is_consistent() {
    check_history(small(), today());
}

#[test]
fn member_dates_follow_the_membership_rules() {
    check_member_dates(small(), today());
}

#[test]
fn id_numbers_are_unique_and_from_the_members_district() {
    check_ids(small(), today());
}

#[test]
fn the_rules_hold_for_many_seeds() {
    let today = today();
    for seed in 0..12 {
        let data = generate(Scale::Small, seed, today);
        for check in [check_pre_order, check_names, check_shape, check_history, check_member_dates, check_ids] {
            check(&data, today);
        }
    }
}

/// A year of organizational life: every attendee belonged to the branch that day, nothing is dated
/// after today or before founding, the branch made to lag owes its last quarter's 党员大会, most
/// branches keep theirs, and the same seed gives the same records.
#[test]
fn a_year_of_organizational_life_is_consistent_and_repeatable() {
    use qiangji_demo::orglife::meetings;
    use qiangji_domain::orglife::{MeetingKind, Signal};
    let data = small();
    let branches: Vec<usize> = (0..data.orgs.len()).filter(|&o| data.orgs[o].fields.kind == OrgKind::Branch).collect();
    let behind = branches[0];
    let year = meetings(data, &vec![None; data.orgs.len()], &[behind], 7, today());
    assert_eq!(year, meetings(data, &vec![None; data.orgs.len()], &[behind], 7, today()));
    let records = &year.records;
    assert!(records.len() > branches.len() * 10, "{} records for {} branches", records.len(), branches.len());
    for r in records {
        assert!(r.fields.held_on <= today() && r.recorded_on <= today() && r.fields.held_on <= r.recorded_on);
        assert!(r.fields.times.is_some(), "every demo record has its times");
        assert!(data.orgs[r.org].fields.founded_on.is_none_or(|f| f <= r.fields.held_on));
        for &(m, _, _) in &r.attendance {
            let m = &data.members[m];
            assert!(m.org == r.org && m.org_since <= r.fields.held_on, "{} at {}", m.fields.name, r.fields.held_on);
        }
    }
    // The quarter before today's (2026-06-30): the first quarter of 2026.
    let general_in_q1 = |org: usize| {
        records.iter().any(|r| {
            r.org == org
                && r.fields.kind == MeetingKind::GeneralMeeting
                && r.fields.held_on >= date::parse("2026-01-01").unwrap()
                && r.fields.held_on < date::parse("2026-04-01").unwrap()
        })
    };
    assert!(!general_in_q1(behind), "the lagging branch owes its 党员大会");
    let kept = branches.iter().filter(|&&b| general_in_q1(b)).count();
    assert!(kept * 10 >= branches.len() * 6, "most branches keep it: {kept} of {}", branches.len());
    // One organization's meetings on one day follow each other, except where overlap was planted.
    let planted: Vec<&Vec<usize>> =
        year.planted.iter().filter(|p| p.signal == Signal::OverlappingAttendance).map(|p| &p.records).collect();
    for (i, a) in records.iter().enumerate() {
        for (j, b) in records.iter().enumerate().skip(i + 1) {
            let at_once = a.org == b.org
                && a.fields.held_on == b.fields.held_on
                && a.fields.times.unwrap().overlaps(b.fields.times.unwrap());
            assert_eq!(at_once, planted.iter().any(|p| p.contains(&i) && p.contains(&j)), "records {i} and {j}");
        }
    }
}

#[test]
fn last_years_annual_meetings_are_on_record_whatever_the_month_of_today() {
    use chrono::Datelike as _;
    use qiangji_demo::orglife::meetings;
    use qiangji_domain::orglife::MeetingKind;
    let data = small();
    let branches = (0..data.orgs.len()).filter(|&o| data.orgs[o].fields.kind == OrgKind::Branch).count();
    // In December the last twelve months start in January; last year's 组织生活会 fall in its December.
    for today in ["2026-12-07", "2026-11-23", "2027-01-15"] {
        let today = date::parse(today).unwrap();
        let year = meetings(data, &vec![None; data.orgs.len()], &[], 7, today);
        let held = year
            .records
            .iter()
            .filter(|r| r.fields.kind == MeetingKind::OrgLifeMeeting && r.fields.held_on.year() == today.year() - 1)
            .count();
        assert!(held * 2 >= branches, "{today}: {held} of last year's 组织生活会 for {branches} branches");
    }
}
