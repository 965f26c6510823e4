//! The SQL side of the statistics benchmark counts exactly what the engine counts: a hand-made
//! export with every edge of the semantics, and counts worked out by hand.
//!
//! PostgreSQL always runs (a throwaway cluster from the testkit). DuckDB comes from PyPI, so that
//! part runs only with `QIANGJI_TEST_DUCKDB=1` (the venv is created under the target directory).

use qiangji::bench::compare::compare;
use qiangji::bench::postgres::{ask_postgres, load_postgres};
use qiangji::bench::sql::{Answer, Ask, Question};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Root 0 with two subtrees: A = [1, 3) (a committee and its branch, state enterprise) and
/// B = [3, 5) (rural).
const ORGS: &str = "pos,end_pos,parent_pos,kind,sector
0,5,,committee,government
1,3,0,committee,state_enterprise
2,3,1,branch,state_enterprise
3,5,0,committee,rural
4,5,3,branch,rural
";

/// The as-of date is 2023-02-28; the comment after each member says how it counts then.
const MEMBERS: &str = "id,org_pos,sex,minority,education,occupation,status,floating,birth_date,joined_on,full_on,since
1,2,female,0,university,professional,active,0,1992-02-29,2015-06-01,2016-06-01,2015-06-01
2,2,male,1,postgraduate,manager,active,0,1987-02-28,2010-07-01,2011-07-01,2010-07-01
3,2,female,0,college,worker,suspended,1,1992-02-28,2022-09-01,,2022-09-01
4,2,male,0,high_school,farmer,deceased,0,1950-01-01,1970-01-01,1971-01-01,1970-01-01
5,2,male,0,university,civil_servant,active,0,1990-05-05,2023-01-10,,2023-03-01
6,1,female,1,junior_or_below,retired,active,0,1940-10-01,1949-09-30,1950-09-30,1949-09-30
7,4,male,0,technical_secondary,farmer,active,1,1970-03-01,1978-12-17,1979-12-17,1978-12-17
8,4,female,0,university,student,active,0,2000-01-01,2022-03-01,2023-02-28,2022-03-01
9,4,female,0,college,other,active,0,1988-03-01,2012-11-08,2013-11-08,2012-11-08
10,4,male,0,university,worker,active,0,1980-06-15,2012-11-07,2013-11-07,2012-11-07
11,4,male,0,college,worker,left_removed,0,1975-05-05,2001-01-01,2002-01-01,2023-03-15
12,3,female,0,postgraduate,professional,active,0,1976-01-01,1999-01-01,2000-01-01,2021-05-01
13,4,male,0,high_school,retired,active,0,1966-02-28,1990-01-01,1991-01-01,1990-01-01
14,0,male,0,junior_or_below,retired,active,0,1962-02-28,1985-01-01,1986-01-01,1985-01-01
15,2,female,0,university,professional,active,0,1995-02-28,2023-02-28,,2023-02-28
16,4,male,0,university,manager,suspended,0,1961-03-01,1979-01-01,1980-01-01,1979-01-01
17,2,male,0,college,worker,active,0,1984-02-29,2005-01-01,2006-01-01,2005-01-01
18,4,female,0,college,farmer,active,0,1972-12-31,1995-07-01,1996-07-01,1995-07-01
19,2,male,0,university,professional,active,0,1979-02-28,2000-01-01,2001-01-01,2023-06-01
20,4,female,0,high_school,worker,active,0,1985-08-08,2010-01-01,2011-01-01,2023-02-28
";
// On 2023-02-28: 1 is 30 (born on 29 February, no birthday this year yet), 3 turned 31 that day,
// 2 turned 36, 14 turned 61; 4 (deceased) and 11 (removed) are never counted; 5 and 19 joined
// their current organization after the date and count through their past membership in B; 8
// became a full member that day; 15 joined that day; 20 arrived in B that day and left A then.

const PAST: &str = "member_id,org_pos,valid_from,valid_to
5,4,2023-01-10,2023-03-01
12,2,1999-01-01,2021-05-01
19,4,2000-01-01,2023-06-01
20,2,2010-01-01,2023-02-28
11,2,2001-01-01,2023-03-15
";

fn write_dataset(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("qiangji-sqlbench-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, text) in [("orgs.csv", ORGS), ("members.csv", MEMBERS), ("past.csv", PAST)] {
        std::fs::write(dir.join(name), text).unwrap();
    }
    dir
}

fn q(name: &str, (lo, hi): (u32, u32), on: &str, ask: Ask) -> Question {
    Question { name: name.into(), lo, hi, on: on.into(), ask }
}

fn count(sex: Option<&str>, education_in: &[&str], age_max: Option<i32>) -> Ask {
    Ask::Count {
        sex: sex.map(Into::into),
        education_in: education_in.iter().map(|e| (*e).to_owned()).collect(),
        age_max,
    }
}

const ROOT: (u32, u32) = (0, 5);
const A: (u32, u32) = (1, 3);
const B: (u32, u32) = (3, 5);
const YOUNG_GRADUATE_WOMEN: (Option<&str>, &[&str], Option<i32>) =
    (Some("female"), &["postgraduate", "university", "college"], Some(35));

fn questions() -> Vec<Question> {
    let (sex, edu, age) = YOUNG_GRADUATE_WOMEN;
    vec![
        q("root dashboard", ROOT, "2023-02-28", Ask::Dashboard),
        q("B dashboard", B, "2023-02-28", Ask::Dashboard),
        q("root young graduate women", ROOT, "2023-02-28", count(sex, edu, age)),
        q("B young graduate women", B, "2023-02-28", count(sex, edu, age)),
        q("root 30 or younger", ROOT, "2023-02-28", count(None, &[], Some(30))),
        // A day later the 29-February child is 31, and 5 has moved from B to A.
        q("root 30 or younger next day", ROOT, "2023-03-01", count(None, &[], Some(30))),
        q("A next day", A, "2023-03-01", count(None, &[], None)),
        q("A", A, "2023-02-28", count(None, &[], None)),
        q("nobody is a code the data never used", ROOT, "2023-02-28", count(Some("unknown"), &[], None)),
    ]
}

fn counts(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|&(k, v)| (k.to_owned(), v)).collect()
}

fn expected() -> Vec<(&'static str, BTreeMap<String, u64>)> {
    let root = counts(&[
        ("total", 18),
        ("sex=female", 9),
        ("sex=male", 9),
        ("minority=0", 16),
        ("minority=1", 2),
        ("education=university", 7),
        ("education=postgraduate", 2),
        ("education=college", 4),
        ("education=junior_or_below", 2),
        ("education=technical_secondary", 1),
        ("education=high_school", 2),
        ("age_band=le30", 3),
        ("age_band=31_35", 3),
        ("age_band=36_40", 3),
        ("age_band=41_45", 2),
        ("age_band=46_50", 2),
        ("age_band=51_55", 1),
        ("age_band=56_60", 1),
        ("age_band=ge61", 3),
        ("join_period=before_1949_10", 1),
        ("join_period=to_1978_12", 1),
        ("join_period=to_2012_11", 10),
        ("join_period=since_2012_11", 6),
        ("occupation=professional", 4),
        ("occupation=manager", 2),
        ("occupation=worker", 4),
        ("occupation=civil_servant", 1),
        ("occupation=retired", 3),
        ("occupation=farmer", 2),
        ("occupation=student", 1),
        ("occupation=other", 1),
        ("kind=full", 15),
        ("kind=probationary", 3),
        ("status=active", 16),
        ("status=suspended", 2),
        ("floating=0", 16),
        ("floating=1", 2),
        ("sector=state_enterprise", 6),
        ("sector=rural", 11),
        ("sector=government", 1),
    ]);
    // B: 7, 8, 9, 10, 12, 13, 16, 18, 20 now, and 5 and 19 through their past membership.
    let b = counts(&[
        ("total", 11),
        ("sex=female", 5),
        ("sex=male", 6),
        ("minority=0", 11),
        ("education=university", 5),
        ("education=postgraduate", 1),
        ("education=college", 2),
        ("education=technical_secondary", 1),
        ("education=high_school", 2),
        ("age_band=le30", 1),
        ("age_band=31_35", 2),
        ("age_band=36_40", 1),
        ("age_band=41_45", 2),
        ("age_band=46_50", 2),
        ("age_band=51_55", 1),
        ("age_band=56_60", 1),
        ("age_band=ge61", 1),
        ("join_period=to_1978_12", 1),
        ("join_period=to_2012_11", 7),
        ("join_period=since_2012_11", 3),
        ("occupation=professional", 2),
        ("occupation=manager", 1),
        ("occupation=worker", 2),
        ("occupation=civil_servant", 1),
        ("occupation=retired", 1),
        ("occupation=farmer", 2),
        ("occupation=student", 1),
        ("occupation=other", 1),
        ("kind=full", 10),
        ("kind=probationary", 1),
        ("status=active", 10),
        ("status=suspended", 1),
        ("floating=0", 10),
        ("floating=1", 1),
        ("sector=rural", 11),
    ]);
    let total = |n| counts(&[("total", n)]);
    vec![
        ("root dashboard", root),
        ("B dashboard", b),
        // 1, 3, 8, 9 and 15; in B only 8 and 9.
        ("root young graduate women", total(5)),
        ("B young graduate women", total(2)),
        // 1, 8, 15; then 8 and 15.
        ("root 30 or younger", total(3)),
        ("root 30 or younger next day", total(2)),
        // 1, 2, 3, 6, 15, 17, and then 5 too.
        ("A next day", total(7)),
        ("A", total(6)),
        ("nobody is a code the data never used", total(0)),
    ]
}

fn assert_counts(engine: &str, answers: &[Answer], repeat: usize) {
    let expected = expected();
    assert_eq!(answers.len(), expected.len(), "{engine}: one answer per question");
    for (answer, (name, counts)) in answers.iter().zip(&expected) {
        assert_eq!(answer.name, *name, "{engine}: answers come in question order");
        assert_eq!(answer.millis.len(), repeat, "{engine} {name}: one time per repetition");
        assert!(answer.millis.iter().all(|ms| *ms >= 0.0), "{engine} {name}: {:?}", answer.millis);
        assert_eq!(&answer.counts, counts, "{engine}: {name}");
    }
}

/// The dataset in a directory of its own for `test`, removed when the second value is dropped.
fn dataset(test: &str) -> (PathBuf, impl Drop) {
    struct Remove(PathBuf);
    impl Drop for Remove {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
    let dir = write_dataset(test);
    (dir.clone(), Remove(dir))
}

#[test]
fn postgres_counts_what_the_engine_counts() {
    let (dir, _cleanup) = dataset("postgres");
    let db = qiangji_testkit::pg::fresh_database("sqlbench");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let answers = rt.block_on(async {
        let report = load_postgres(&db.url, &dir).await.unwrap();
        assert_eq!((report.orgs, report.members, report.past), (5, 20, 5));
        assert!(report.table_bytes > 0 && report.index_bytes > 0, "{report:?}");
        ask_postgres(&db.url, &questions(), 2).await.unwrap()
    });
    assert_counts("PostgreSQL", &answers, 2);
    // The sector of each member was looked up from the organization's position during the load.
    assert_eq!(
        db.psql("SELECT count(*) FROM members m JOIN orgs o ON o.pos = m.org_pos WHERE o.sector = m.sector"),
        "20"
    );
}

#[test]
fn a_csv_with_the_wrong_header_is_refused_by_name() {
    let (dir, _cleanup) = dataset("header");
    std::fs::write(dir.join("past.csv"), "member,org_pos,valid_from,valid_to\n").unwrap();
    let db = qiangji_testkit::pg::fresh_database("sqlbench");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let err = rt.block_on(load_postgres(&db.url, &dir)).unwrap_err();
    assert!(err.contains("past.csv") && err.contains("member_id,org_pos"), "{err}");
}

#[test]
fn duckdb_counts_what_postgres_counts() {
    if std::env::var("QIANGJI_TEST_DUCKDB").as_deref() != Ok("1") {
        eprintln!("skipped: set QIANGJI_TEST_DUCKDB=1 to install DuckDB from PyPI and compare it too");
        return;
    }
    let (dir, _cleanup) = dataset("duckdb");
    // The target directory's venv, wherever the tests run from.
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap().join("bench-venv");
    let report = qiangji::bench::duckdb::ask_duckdb(&venv, &dir, &questions(), 2, None).unwrap();
    assert!(report.load_seconds > 0.0);
    assert_counts("DuckDB", &report.answers, 2);

    // The same dataset in a database file instead of memory.
    let file = dir.join("bench.duckdb");
    let on_disk = qiangji::bench::duckdb::ask_duckdb(&venv, &dir, &questions(), 1, Some(&file)).unwrap();
    assert_counts("DuckDB (file)", &on_disk.answers, 1);
    assert!(on_disk.database_bytes > 0);

    let (table, mismatches) = compare(&report.answers, &[("DuckDB file", on_disk.answers)]);
    assert!(mismatches.is_empty(), "{mismatches:?}");
    assert!(table.contains("| root dashboard |"), "{table}");
}

#[test]
fn default_questions_take_the_root_its_largest_child_and_its_child_and_a_branch() {
    let (dir, _cleanup) = dataset("defaults");
    let on = chrono::NaiveDate::from_ymd_opt(2023, 2, 28).unwrap();
    let questions = qiangji::bench::run_sql::default_questions(&dir, on).unwrap();
    let asked: Vec<(u32, u32, &str, bool)> =
        questions.iter().map(|q| (q.lo, q.hi, q.on.as_str(), q.ask == Ask::Dashboard)).collect();
    // A and B are the same size; the later one wins. B's only child is the branch at 4.
    assert_eq!(
        asked,
        [
            (0, 5, "2023-02-28", true),
            (0, 5, "2022-02-28", true),
            (3, 5, "2023-02-28", true),
            (3, 5, "2022-02-28", true),
            (4, 5, "2023-02-28", true),
            (4, 5, "2022-02-28", true),
            (4, 5, "2023-02-28", true),
            (4, 5, "2022-02-28", true),
            (0, 5, "2023-02-28", false),
            (0, 5, "2022-02-28", false),
            (3, 5, "2023-02-28", false),
            (3, 5, "2022-02-28", false),
        ]
    );
}
