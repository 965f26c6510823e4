//! Property test: the engine's "as of" answers — bulletin tallies, cross tabulations, filtered
//! counts, the members behind a count, organization counts — equal a plain SQL computation over
//! the effective-dated tables, for random trees, members, member moves, organization moves and
//! dissolutions, kind changes and status changes, at random dates including the change dates
//! themselves — on SQLite and PostgreSQL, for an engine built from scratch and for one that
//! followed the ledger.

use qiangji_domain::Date;
use qiangji_domain::date::parse;
use qiangji_domain::id_number::IdNumber;
use qiangji_domain::member::StatusChange;
use qiangji_domain::member::{Education, MemberId, MemberInput, MemberKind, MemberStatus, Occupation};
use qiangji_domain::org::{OrgId, OrgInput, OrgKind, Sector, SizeBand};
use qiangji_stats::{Condition, Dim, Engine, OrgTally};
use qiangji_store::seal::DataKey;
use qiangji_store::{Access, Store};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use recount::{Counted, sql_counted};
use std::collections::BTreeSet;

mod recount;

fn d(s: &str) -> Date {
    parse(s).unwrap()
}

fn org(name: &str, kind: &str, sector: Sector) -> qiangji_domain::org::OrgFields {
    OrgInput {
        name: name.into(),
        kind: kind.into(),
        sector: sector.code().into(),
        formation_mode: "single".into(),
        ..Default::default()
    }
    .validate(d("2026-01-01"))
    .unwrap()
}

fn day(rng: &mut SmallRng, from: Date, to: Date) -> Date {
    let span = (to - from).num_days().max(0);
    from + chrono::Duration::days(rng.random_range(0..=span))
}

/// Builds a random history through the store API; returns the orgs and the dates worth probing.
async fn random_history(store: &Store, seed: u64, engine: &mut Engine) -> (Vec<OrgId>, Vec<Date>) {
    let sys = Access::system("测试", 1);
    let mut rng = SmallRng::seed_from_u64(seed);
    let today = qiangji_domain::date::today();
    let sector = |rng: &mut SmallRng| Sector::ALL[rng.random_range(0..Sector::ALL.len())];
    let root = store.create_root_org(&sys, &org("中共某市委组织部", "department", Sector::Mixed), "").await.unwrap();
    let mut committees = Vec::new();
    let mut branches = Vec::new();
    for c in 0..rng.random_range(2..=4) {
        let cid =
            store.create_org(&sys, root, &org(&format!("第{c}党委"), "committee", sector(&mut rng)), "").await.unwrap();
        committees.push(cid);
        for b in 0..rng.random_range(1..=4) {
            let fields = org(&format!("第{c}党委第{b}支部"), "branch", sector(&mut rng));
            branches.push(store.create_org(&sys, cid, &fields, "").await.unwrap());
        }
    }
    let mut dates = vec![today, d("2000-01-01"), d("2015-06-30")];
    let mut members: Vec<(MemberId, Date, Date, bool)> = Vec::new(); // id, joined, current-from, probationary
    for i in 0..40u16 {
        let born = day(&mut rng, d("1940-01-01"), d("2000-12-31"));
        let adult = qiangji_domain::date::birthday(born, 18);
        let joined = day(&mut rng, adult, today - chrono::Duration::days(30));
        let full_on = qiangji_domain::date::birthday(joined, 1);
        let probationary = full_on > today || rng.random_bool(0.2);
        let id = IdNumber::compose(330203, born, i * 2 + u16::from(rng.random_bool(0.5)));
        let input = MemberInput {
            name: format!("党员{i}"),
            sex: id.sex().code().into(),
            ethnicity: if rng.random_bool(0.1) { "22".into() } else { "01".into() },
            floating: rng.random_bool(0.2),
            id_number: id.to_string(),
            education: Education::ALL[rng.random_range(0..6)].code().into(),
            occupation: Occupation::ALL[rng.random_range(0..8)].code().into(),
            joined_on: joined.to_string(),
            full_on: if probationary { String::new() } else { full_on.to_string() },
            kind: if probationary { "probationary".into() } else { "full".into() },
            ..Default::default()
        };
        let fields = input.validate(today).unwrap();
        let since = day(&mut rng, joined, today);
        let branch = branches[rng.random_range(0..branches.len())];
        let mid = store.create_member(&sys, branch, &fields, since, "").await.unwrap();
        members.push((mid, joined, since, probationary));
        dates.extend([joined, since]);
        if !probationary {
            dates.push(full_on); // the first day counted as a full member
        }
    }
    engine.catch_up(store, &sys).await.unwrap();
    for _ in 0..60 {
        // Follow each change as it happens, so the engine's upkeep (not just its build) is tested.
        engine.catch_up(store, &sys).await.unwrap();
        match rng.random_range(0..13) {
            0..=5 => {
                let k = rng.random_range(0..members.len());
                let (mid, _, from, _) = members[k];
                let on = day(&mut rng, from, today);
                let to = branches[rng.random_range(0..branches.len())];
                if store.move_member(&sys, mid, to, on, "调动").await.is_ok() {
                    members[k].2 = on;
                    dates.extend([on, on - chrono::Duration::days(1)]);
                }
            }
            6..=7 => {
                let b = branches[rng.random_range(0..branches.len())];
                let c = committees[rng.random_range(0..committees.len())];
                // Refused for a dissolved branch; everything else must work.
                let _ = store.move_org(&sys, b, c, "划转").await;
            }
            8..=9 => {
                // Suspend, restore, leave or die, from a random day after joining (refused if not after
                // the current status began — then nothing changes).
                let k = rng.random_range(0..members.len());
                let (mid, joined, _, _) = members[k];
                let status = MemberStatus::ALL[rng.random_range(0..MemberStatus::ALL.len())];
                let on = day(&mut rng, joined, today);
                if store
                    .change_status(&sys, mid, &StatusChange::new(status, on, "状态变更").approved("上级党委", on))
                    .await
                    .is_ok()
                {
                    dates.extend([on, on - chrono::Duration::days(1)]);
                }
            }
            10 => {
                let b = branches[rng.random_range(0..branches.len())];
                let on = day(&mut rng, d("2020-01-01"), today);
                if store.dissolve_org(&sys, b, Some(branches[0]), on, "撤销").await.is_ok() {
                    dates.extend([on, on - chrono::Duration::days(1)]);
                }
            }
            _ => {
                let k = rng.random_range(0..members.len());
                let (mid, joined, _, probationary) = members[k];
                let full_on = qiangji_domain::date::birthday(joined, 1);
                if probationary && full_on <= today {
                    let mut f = store.get_member(&sys, mid).await.unwrap().fields;
                    f.kind = MemberKind::Full;
                    f.full_on = Some(full_on);
                    store.update_member(&sys, mid, &f, "转正").await.unwrap();
                    members[k].3 = false;
                    dates.extend([full_on, full_on - chrono::Duration::days(1)]);
                }
            }
        }
    }
    engine.catch_up(store, &sys).await.unwrap();
    let mut orgs = vec![root];
    orgs.extend(committees);
    orgs.extend(branches);
    (orgs, dates)
}

/// Organizations existing on `on` in the subtree, counted the plain way.
async fn sql_org_tally(store: &Store, path: &str, on: Date, counted: &[Counted]) -> OrgTally {
    let rows = store
        .db()
        .all(
            "SELECT id, kind, sector, founded_on, dissolved_on FROM org WHERE path >= ? AND path < ?",
            vec![path.to_owned().into(), format!("{path}~").into()],
        )
        .await
        .unwrap();
    let mut t = OrgTally::default();
    for r in rows {
        let exists = r.opt_date(3).is_none_or(|f| f <= on) && r.opt_date(4).is_none_or(|x| on < x);
        if !exists {
            continue;
        }
        let kind = OrgKind::parse(&r.text(1)).unwrap();
        t.total += 1;
        t.kind[kind.index() as usize] += 1;
        t.sector[Sector::parse(&r.text(2)).unwrap().index() as usize] += 1;
        if kind == OrgKind::Branch {
            let direct = counted.iter().filter(|c| c.org == r.int(0)).count() as u32;
            t.branch_size[SizeBand::of(direct).index() as usize] += 1;
        }
    }
    t
}

/// A random condition over one or two random dimensions.
fn random_condition(rng: &mut SmallRng) -> Condition {
    let mut c = Condition::all();
    for _ in 0..rng.random_range(1..=2) {
        let dim = Dim::ALL[rng.random_range(0..Dim::ALL.len())];
        let values: Vec<u8> = (0..dim.size() as u8).filter(|_| rng.random_bool(0.6)).collect();
        c = c.and(dim, &values);
    }
    c
}

fn satisfies(c: &Counted, cond: &Condition) -> bool {
    cond.terms().all(|(dim, values)| values.contains(&c.values[&dim]))
}

async fn compare(store: &Store, engine: &Engine, which: &str, org: OrgId, on: Date, rng: &mut SmallRng) -> usize {
    let sys = Access::system("测试", 1);
    let path = store.get_org(&sys, org).await.unwrap().path;
    let counted = sql_counted(store, &path, on).await;
    let ctx = format!("{which}, org {org:?}, {on}");
    let tally = engine.tally(&sys, org, on, &Condition::all());
    assert_eq!(tally.total as usize, counted.len(), "{ctx}: total");
    for dim in Dim::ALL {
        let mut want = vec![0u32; dim.size()];
        for c in &counted {
            want[c.values[&dim] as usize] += 1;
        }
        assert_eq!(tally.by(dim), want.as_slice(), "{ctx}: {}", dim.label());
    }
    let cond = random_condition(rng);
    let hits: Vec<&Counted> = counted.iter().filter(|c| satisfies(c, &cond)).collect();
    assert_eq!(engine.count(&sys, org, on, &cond) as usize, hits.len(), "{ctx}: count {cond:?}");
    assert_eq!(engine.tally(&sys, org, on, &cond).total as usize, hits.len(), "{ctx}: filtered tally {cond:?}");
    let page = engine.members(&sys, org, on, &cond, 0, usize::MAX);
    let got: BTreeSet<i64> = page.ids.iter().map(|m| m.0).collect();
    let want: BTreeSet<i64> = hits.iter().map(|c| c.id).collect();
    assert_eq!((page.total, got), (hits.len(), want), "{ctx}: members behind {cond:?}");
    let (rows, cols) = (Dim::ALL[rng.random_range(0..10)], Dim::ALL[rng.random_range(0..10)]);
    let mut want = vec![vec![0u32; cols.size()]; rows.size()];
    for c in &hits {
        want[c.values[&rows] as usize][c.values[&cols] as usize] += 1;
    }
    assert_eq!(engine.crosstab(&sys, org, on, rows, cols, &cond).cells, want, "{ctx}: {rows:?}×{cols:?} {cond:?}");
    assert_eq!(engine.org_tally(&sys, org, on), sql_org_tally(store, &path, on, &counted).await, "{ctx}: orgs");
    counted.len()
}

async fn check(url: &str, key: &DataKey, seed: u64) {
    let store = Store::open_with_key(url, key).await.unwrap();
    let sys = Access::system("测试", 1);
    let today = qiangji_domain::date::today();
    // An engine that exists before anything happens and follows the ledger through every change,
    // keeping today's tallies for every subtree (so their upkeep is checked too) and splitting every
    // scan over two threads (so the split is checked too).
    let mut followed = Engine::build(&store, &sys).await.unwrap();
    followed.set_rollup_min(1, 1, today);
    followed.set_split_min(1);
    let (orgs, dates) = random_history(&store, seed, &mut followed).await;
    // The fresh engine's base holds every member: it tallies through the fast path's histogram,
    // the followed one the general way.
    let mut fresh = Engine::build(&store, &sys).await.unwrap();
    fresh.set_histogram_min(0);
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut nonzero = 0;
    for &o in &orgs {
        for &on in &dates {
            let n = compare(&store, &fresh, "fresh", o, on, &mut rng).await;
            compare(&store, &followed, "followed", o, on, &mut rng).await;
            nonzero += usize::from(n > 0);
        }
    }
    assert!(nonzero > orgs.len(), "the probes found members ({nonzero} non-empty tallies)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn as_of_answers_equal_sql_on_sqlite() {
    for seed in 1..=4 {
        let f = qiangji_testkit::sqlite::fresh_file("asof");
        check(&f.url(), &DataKey::Ephemeral, seed).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn as_of_answers_equal_sql_on_postgres() {
    for seed in 11..=13 {
        let db = qiangji_testkit::pg::fresh_database("asof");
        check(&db.url, &DataKey::file(db.key_file()), seed).await;
    }
}
