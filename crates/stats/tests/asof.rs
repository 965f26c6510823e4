//! Property test: the engine's "as of" tallies equal a plain SQL computation over the
//! effective-dated tables, for random trees, members, member moves, organization moves and kind
//! changes, at random dates including the change dates themselves — on SQLite and PostgreSQL,
//! for an index built from scratch and for one that followed the ledger.

use qiangji_domain::Date;
use qiangji_domain::date::parse;
use qiangji_domain::id_number::IdNumber;
use qiangji_domain::member::{Education, MemberId, MemberInput, MemberKind, Occupation, Sex};
use qiangji_domain::org::{OrgId, OrgInput};
use qiangji_stats::{Counted, MemberIndex, Tally};
use qiangji_store::{Access, Store};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

fn d(s: &str) -> Date {
    parse(s).unwrap()
}

fn org(name: &str, kind: &str) -> qiangji_domain::org::OrgFields {
    OrgInput {
        name: name.into(),
        kind: kind.into(),
        sector: "community".into(),
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
async fn random_history(store: &Store, seed: u64, index: &mut MemberIndex) -> (Vec<OrgId>, Vec<Date>) {
    let sys = Access::system("测试", 1);
    let mut rng = SmallRng::seed_from_u64(seed);
    let today = qiangji_domain::date::today();
    let root = store.create_root_org(&sys, &org("中共某市委组织部", "department"), "").await.unwrap();
    let mut committees = Vec::new();
    let mut branches = Vec::new();
    for c in 0..rng.random_range(2..=4) {
        let cid = store.create_org(&sys, root, &org(&format!("第{c}党委"), "committee"), "").await.unwrap();
        committees.push(cid);
        for b in 0..rng.random_range(1..=4) {
            branches
                .push(store.create_org(&sys, cid, &org(&format!("第{c}党委第{b}支部"), "branch"), "").await.unwrap());
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
    }
    for _ in 0..50 {
        match rng.random_range(0..10) {
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
                store.move_org(&sys, b, c, "划转").await.unwrap();
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
    index.catch_up(store, &sys).await.unwrap();
    let mut orgs = vec![root];
    orgs.extend(committees);
    orgs.extend(branches);
    (orgs, dates)
}

/// The same question in plain SQL: who held a membership in the subtree on `on`, with which kind.
async fn sql_tally(store: &Store, org: OrgId, on: Date) -> Tally {
    let path = store.get_org(&Access::system("测试", 1), org).await.unwrap().path;
    let on_s = on.to_string();
    let rows = store
        .db()
        .all(
            "SELECT m.sex, m.ethnicity, m.education, m.birth_date, m.joined_on, m.occupation, st.kind \
             FROM membership ms JOIN member m ON m.id = ms.member_id JOIN org o ON o.id = ms.org_id \
             JOIN member_state st ON st.member_id = m.id \
             WHERE ms.valid_from <= ? AND (ms.valid_to IS NULL OR ms.valid_to > ?) \
             AND st.valid_from <= ? AND (st.valid_to IS NULL OR st.valid_to > ?) \
             AND st.status IN ('active', 'suspended') AND o.path >= ? AND o.path < ?",
            vec![
                on_s.clone().into(),
                on_s.clone().into(),
                on_s.clone().into(),
                on_s.into(),
                path.clone().into(),
                format!("{path}~").into(),
            ],
        )
        .await
        .unwrap();
    let mut t = Tally::default();
    for r in rows {
        let m = Counted {
            sex: Sex::parse(&r.text(0)).unwrap(),
            minority: r.int(1) != 1,
            education: Education::parse(&r.text(2)).unwrap(),
            birth_date: r.opt_date(3).unwrap(),
            joined_on: r.opt_date(4).unwrap(),
            occupation: Occupation::parse(&r.text(5)).unwrap(),
            kind: MemberKind::parse(&r.text(6)).unwrap(),
        };
        t.add(&m, on);
    }
    t
}

async fn check(url: &str, seed: u64) {
    let store = Store::open(url).await.unwrap();
    let sys = Access::system("测试", 1);
    // An index that exists before anything happens and follows the ledger through every change.
    let mut followed = MemberIndex::build(&store, &sys).await.unwrap();
    let (orgs, dates) = random_history(&store, seed, &mut followed).await;
    let fresh = MemberIndex::build(&store, &sys).await.unwrap();
    let mut nonzero = 0;
    for &o in &orgs {
        for &on in &dates {
            let want = sql_tally(&store, o, on).await;
            assert_eq!(fresh.tally(&sys, o, on), want, "seed {seed}, org {o:?}, {on}: fresh index");
            assert_eq!(
                followed.tally(&sys, o, on),
                want,
                "seed {seed}, org {o:?}, {on}: index that followed the ledger"
            );
            nonzero += usize::from(want.total > 0);
        }
    }
    assert!(nonzero > orgs.len(), "the probes found members ({nonzero} non-empty tallies)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn as_of_tallies_equal_sql_on_sqlite() {
    for seed in 1..=4 {
        let f = qiangji_testkit::sqlite::fresh_file("asof");
        check(&f.url(), seed).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn as_of_tallies_equal_sql_on_postgres() {
    for seed in 11..=13 {
        let db = qiangji_testkit::pg::fresh_database("asof");
        check(&db.url, seed).await;
    }
}
