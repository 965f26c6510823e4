//! The early-warning board follows the ledger: a record entered after the engine was built turns
//! an overdue requirement into a met one, for the branch and every level above it, and survives a
//! change of the tree (which lays the engine out again).

use chrono::Datelike;
use qiangji_domain::date::{parse, today};
use qiangji_domain::org::{OrgId, OrgInput};
use qiangji_domain::orglife::{MeetingInput, RequirementKind, RuleSet, Status};
use qiangji_stats::Engine;
use qiangji_store::{Access, Store};

fn org(name: &str, kind: &str) -> qiangji_domain::org::OrgFields {
    OrgInput {
        name: name.into(),
        kind: kind.into(),
        sector: "community".into(),
        formation_mode: "single".into(),
        ..Default::default()
    }
    .validate(today())
    .unwrap()
}

/// Overdue 支部党员大会 periods of `branch` on the board of `at`.
fn overdue_general_meetings(e: &Engine, sys: &Access, at: OrgId, branch: OrgId) -> Vec<String> {
    let rules = RuleSet::default_rules();
    e.board(sys, at, today(), &rules)
        .of_org(branch)
        .filter(|r| r.status == Status::Overdue)
        .filter(|r| r.kind == RequirementKind::Meeting(qiangji_domain::orglife::MeetingKind::GeneralMeeting))
        .map(|r| r.period.first_day().to_string())
        .collect()
}

async fn check(url: &str) {
    let store = Store::open(url).await.unwrap();
    let sys = Access::system("测试", 1);
    let root = store.create_root_org(&sys, &org("中共某市委组织部", "department"), "").await.unwrap();
    let street = store.create_org(&sys, root, &org("中共某街道工作委员会", "working_committee"), "").await.unwrap();
    let other = store.create_org(&sys, root, &org("中共某镇委员会", "committee"), "").await.unwrap();
    let branch = store.create_org(&sys, street, &org("中共某社区支部委员会", "branch"), "").await.unwrap();
    let mut engine = Engine::build(&store, &sys).await.unwrap();
    let before = overdue_general_meetings(&engine, &sys, root, branch);
    assert!(!before.is_empty(), "a branch without records is behind on its 党员大会");
    assert_eq!(before, overdue_general_meetings(&engine, &sys, branch, branch), "the same on every level");

    // The first overdue quarter's meeting is entered late.
    let quarter = parse(&before[0]).unwrap();
    let fields = MeetingInput {
        kind: "general_meeting".into(),
        held_on: (quarter + chrono::Days::new(20)).to_string(),
        place: "党群服务中心".into(),
        host: "书记".into(),
        recorder: "委员".into(),
        topic: "季度党员大会".into(),
        content: "讨论本季度工作".into(),
        ..Default::default()
    }
    .validate(today())
    .unwrap();
    store.record_meeting(&sys, branch, &fields, &[]).await.unwrap();
    engine.catch_up(&store, &sys).await.unwrap();
    let after = overdue_general_meetings(&engine, &sys, root, branch);
    assert_eq!(after, before[1..], "exactly that quarter is no longer overdue");
    assert_eq!(after, overdue_general_meetings(&engine, &sys, street, branch));

    // Moving the street under the town lays the engine out again; the record stays.
    store.move_org(&sys, street, other, "区划调整").await.unwrap();
    engine.catch_up(&store, &sys).await.unwrap();
    assert_eq!(overdue_general_meetings(&engine, &sys, other, branch), after);
    // A fresh engine reads the record from the database.
    let fresh = Engine::build(&store, &sys).await.unwrap();
    assert_eq!(overdue_general_meetings(&fresh, &sys, root, branch), after);
    // The branch's own page covers the calendar year; the board, the last twelve months.
    let own = fresh.requirements(&sys, branch, today(), &RuleSet::default_rules());
    let that_quarter: Vec<_> =
        own.iter().filter(|r| r.period.first_day() == quarter).map(|r| (r.held, r.status)).collect();
    if quarter.year() == today().year() {
        assert!(that_quarter.contains(&(1, Status::Met)), "{that_quarter:?}");
    } else {
        assert!(that_quarter.is_empty(), "last year's quarter is not on this year's page");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_follows_records_on_sqlite() {
    let f = qiangji_testkit::sqlite::fresh_file("orglife");
    check(&f.url()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_follows_records_on_postgres() {
    let db = qiangji_testkit::pg::fresh_database("orglife");
    check(&db.url).await;
}
