//! The early-warning board follows the ledger: a record entered after the engine was built turns
//! an overdue requirement into a met one, for the branch and every level above it, and survives a
//! change of the tree (which lays the engine out again).

use chrono::Datelike;
use qiangji_domain::date::{parse, today};
use qiangji_domain::member::StatusChange;
use qiangji_domain::org::{OrgId, OrgInput};
use qiangji_domain::orglife::{MeetingInput, RequirementKind, RuleSet, Status};
use qiangji_stats::Engine;
use qiangji_store::seal::DataKey;
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

async fn check(url: &str, key: &DataKey) {
    let store = Store::open_with_key(url, key).await.unwrap();
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

    // An administrator asks for two 主题党日 a month from next month: the stored set says so for
    // next month's period, this month's stays judged by the rule it began under.
    let next_month = month_start(0) + chrono::Months::new(1);
    let rule = qiangji_domain::orglife::RuleInput {
        requirement: "theme_day".into(),
        org_kinds: vec!["branch".into()],
        period: "month".into(),
        min_count: "2".into(),
        effective_from: next_month.to_string(),
    }
    .validate(today())
    .unwrap();
    store.add_rule(&sys, &rule, "市委组织部通知").await.unwrap();
    let set = store.rule_set().await.unwrap();
    let theme = RequirementKind::Meeting(qiangji_domain::orglife::MeetingKind::ThemeDay);
    let required = |on: qiangji_domain::Date| {
        fresh
            .requirements(&sys, branch, on, &set)
            .iter()
            .find(|r| r.kind == theme && r.period.contains(on))
            .map(|r| r.required)
    };
    assert_eq!(required(today()), Some(1));
    assert_eq!(required(next_month + chrono::Days::new(5)), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_follows_records_on_sqlite() {
    let f = qiangji_testkit::sqlite::fresh_file("orglife");
    check(&f.url(), &DataKey::Ephemeral).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_follows_records_on_postgres() {
    let db = qiangji_testkit::pg::fresh_database("orglife");
    check(&db.url, &DataKey::file(db.key_file())).await;
}

/// The first day of the month `back` months before today's.
fn month_start(back: u32) -> qiangji_domain::Date {
    let t = today();
    qiangji_domain::Date::from_ymd_opt(t.year(), t.month(), 1).unwrap() - chrono::Months::new(back)
}

fn full_member(name: &str, seq: u16) -> qiangji_domain::member::MemberFields {
    let id = qiangji_domain::id_number::IdNumber::compose(330203, parse("1980-05-01").unwrap(), seq);
    qiangji_domain::member::MemberInput {
        name: name.into(),
        sex: id.sex().code().into(),
        ethnicity: "01".into(),
        id_number: id.to_string(),
        education: "university".into(),
        occupation: "professional".into(),
        joined_on: "2010-07-01".into(),
        full_on: "2011-07-01".into(),
        kind: "full".into(),
        ..Default::default()
    }
    .validate(today())
    .unwrap()
}

fn theme_day(held_on: qiangji_domain::Date) -> qiangji_domain::orglife::MeetingFields {
    MeetingInput {
        kind: "theme_day".into(),
        held_on: held_on.to_string(),
        place: "党群服务中心".into(),
        host: "书记".into(),
        recorder: "委员".into(),
        topic: "主题党日".into(),
        content: "学习、交纳党费、议事".into(),
        ..Default::default()
    }
    .validate(today())
    .unwrap()
}

/// (member, months, level) on the board of `at`.
fn streaks(e: &Engine, sys: &Access, at: OrgId) -> Vec<(qiangji_domain::member::MemberId, u32, &'static str)> {
    let board = e.board(sys, at, today(), &RuleSet::default_rules());
    board.absences.iter().map(|a| (a.member, a.months, a.level.code())).collect()
}

fn advisories(e: &Engine, sys: &Access, at: OrgId, of: OrgId) -> Vec<&'static str> {
    let board = e.board(sys, at, today(), &RuleSet::default_rules());
    board.advisories.iter().filter(|(o, _)| *o == of).map(|(_, a)| a.code).collect()
}

async fn check_absences_and_structure(url: &str, key: &DataKey) {
    use qiangji_domain::orglife::Attendance::{Absent, Leave, Present};
    use qiangji_store::orglife::AttendanceEntry;
    let store = Store::open_with_key(url, key).await.unwrap();
    let sys = Access::system("测试", 1);
    let root = store.create_root_org(&sys, &org("中共某市委组织部", "department"), "").await.unwrap();
    let street = store.create_org(&sys, root, &org("中共某街道工作委员会", "working_committee"), "").await.unwrap();
    let branch = store.create_org(&sys, street, &org("中共甲社区支部委员会", "branch"), "").await.unwrap();
    let small = OrgInput {
        name: "中共乙社区支部委员会".into(),
        kind: "branch".into(),
        sector: "community".into(),
        formation_mode: "single".into(),
        term_start: (today() - chrono::Months::new(58)).to_string(),
        term_years: "5".into(),
        ..Default::default()
    }
    .validate(today())
    .unwrap();
    let small = store.create_org(&sys, root, &small, "").await.unwrap();
    let since = parse("2020-01-01").unwrap();
    let mut ids = Vec::new();
    for (i, name) in ["甲", "乙", "丙", "丁", "戊", "己", "庚", "壬"].iter().enumerate() {
        ids.push(store.create_member(&sys, branch, &full_member(name, 11 + 2 * i as u16), since, "").await.unwrap());
    }
    store.create_member(&sys, small, &full_member("辛", 99), since, "").await.unwrap();
    let [jia, yi, bing, ding] = [ids[0], ids[1], ids[2], ids[3]];
    // Six months back to last month, one 主题党日 a month: 甲 misses the last three, 乙 two apart,
    // 丙 three with a leave between, 丁 all six. Everyone else attends.
    for back in (1..=6).rev() {
        let a = |m, missed: bool| AttendanceEntry {
            member_id: m,
            attendance: if missed { Absent } else { Present },
            reason: String::new(),
        };
        let mut sheet = vec![
            a(jia, back <= 3),
            a(yi, back == 3 || back == 1),
            a(bing, back == 4 || back == 3 || back == 1),
            a(ding, true),
        ];
        if back == 2 {
            sheet[2] = AttendanceEntry { member_id: bing, attendance: Leave, reason: "住院".into() };
        }
        store.record_meeting(&sys, branch, &theme_day(month_start(back) + chrono::Days::new(9)), &sheet).await.unwrap();
    }
    let mut engine = Engine::build(&store, &sys).await.unwrap();
    let expected = vec![(ding, 6, "6_months"), (jia, 3, "3_months")];
    assert_eq!(streaks(&engine, &sys, root), expected);
    assert_eq!(streaks(&engine, &sys, street), expected, "the same on every level");
    assert!(streaks(&engine, &sys, small).is_empty());
    // The board of a subtree split over two cores is the board computed in one piece.
    let mut split = Engine::build(&store, &sys).await.unwrap();
    split.set_split_min(1);
    let rules = RuleSet::default_rules();
    let whole = engine.board(&sys, root, today(), &rules);
    assert!(!whole.warnings.is_empty() && !whole.advisories.is_empty());
    assert_eq!(split.board(&sys, root, today(), &rules), whole);

    // This month 甲 comes and 丁 stays away: followed from the ledger.
    let sheet = [
        AttendanceEntry { member_id: jia, attendance: Present, reason: String::new() },
        AttendanceEntry { member_id: ding, attendance: Absent, reason: String::new() },
    ];
    store.record_meeting(&sys, branch, &theme_day(month_start(0)), &sheet).await.unwrap();
    engine.catch_up(&store, &sys).await.unwrap();
    assert_eq!(streaks(&engine, &sys, root), vec![(ding, 7, "6_months")]);
    // 丁 moves to the other branch: counted where they now are.
    store.move_member(&sys, ding, small, today(), "工作调动").await.unwrap();
    engine.catch_up(&store, &sys).await.unwrap();
    assert!(streaks(&engine, &sys, street).is_empty());
    assert_eq!(streaks(&engine, &sys, small), vec![(ding, 7, "6_months")]);
    // A member who has died is no longer asked after.
    store
        .change_status(
            &sys,
            ding,
            &StatusChange::new(qiangji_domain::member::MemberStatus::Deceased, today(), "病故")
                .approved("上级党委", today()),
        )
        .await
        .unwrap();
    engine.catch_up(&store, &sys).await.unwrap();
    assert!(streaks(&engine, &sys, root).is_empty());

    // Structure: seven full members (after 丁 left) and no committee; one full member, not joint; a term ending.
    assert_eq!(advisories(&engine, &sys, root, branch), ["org.no_committee"]);
    assert_eq!(advisories(&engine, &sys, root, small), ["org.branch_too_few_full_members", "org.term_ending"]);
    assert_eq!(engine.advisories(&sys, branch, today()).len(), 1, "the organization's own page says the same");
    let posts = [
        qiangji_store::org::posts::PostHolder {
            post: qiangji_domain::org::Post::Secretary,
            person_name: "甲".into(),
            member_id: Some(jia.0),
            since: None,
        },
        qiangji_store::org::posts::PostHolder {
            post: qiangji_domain::org::Post::OrganizationMember,
            person_name: "乙".into(),
            member_id: Some(yi.0),
            since: None,
        },
    ];
    store.set_posts(&sys, branch, &posts, "支部换届选举").await.unwrap();
    engine.catch_up(&store, &sys).await.unwrap();
    assert!(advisories(&engine, &sys, root, branch).is_empty(), "a committee is on record now");
    let fresh = Engine::build(&store, &sys).await.unwrap();
    assert!(advisories(&fresh, &sys, root, branch).is_empty());
    assert!(streaks(&fresh, &sys, root).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn absences_and_structure_reach_the_board_on_sqlite() {
    let f = qiangji_testkit::sqlite::fresh_file("orglife_absence");
    check_absences_and_structure(&f.url(), &DataKey::Ephemeral).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn absences_and_structure_reach_the_board_on_postgres() {
    let db = qiangji_testkit::pg::fresh_database("orglife_absence");
    check_absences_and_structure(&db.url, &DataKey::file(db.key_file())).await;
}
