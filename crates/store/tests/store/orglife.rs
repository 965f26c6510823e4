use crate::fixture::{Backend, d, tree};
use crate::on_both;
use qiangji_domain::orglife::{Attendance, MeetingInput, MeetingKind};
use qiangji_store::orglife::AttendanceEntry;
use qiangji_store::{Role, StoreError};

fn lecture(held_on: &str, lecturer: &str) -> qiangji_domain::orglife::MeetingFields {
    MeetingInput {
        kind: "party_lecture".into(),
        held_on: held_on.into(),
        place: "社区党群服务中心".into(),
        host: "张三".into(),
        recorder: "李四".into(),
        lecturer: lecturer.into(),
        topic: "学习党章".into(),
        content: "逐章学习党章，交流体会。".into(),
        decisions: String::new(),
        starts_at: "14:30".into(),
        ends_at: "16:00".into(),
    }
    .validate(d("2026-11-23"))
    .unwrap()
}

fn entry(m: qiangji_domain::member::MemberId, a: Attendance, reason: &str) -> AttendanceEntry {
    AttendanceEntry { member_id: m, attendance: a, reason: reason.into() }
}

async fn a_meeting_is_recorded_with_attendance_and_read_back(b: Backend) {
    let t = tree(b).await;
    let s = t.store();
    let posts = [qiangji_store::org::posts::PostHolder {
        post: qiangji_domain::org::Post::Secretary,
        person_name: "张三".into(),
        member_id: Some(t.zhang.0),
        since: None,
    }];
    s.set_posts(&t.system, t.a, &posts, "").await.unwrap();
    let before = t.head().await;
    let attendance = [entry(t.zhang, Attendance::Present, ""), entry(t.li, Attendance::Leave, "出差")];
    let id = s.record_meeting(&t.system, t.a, &lecture("2026-11-20", "张三"), &attendance).await.unwrap();
    assert_eq!(t.head().await, before + 1, "one ledger entry");
    let m = s.get_meeting(&t.system, id).await.unwrap();
    assert_eq!((m.org_id, m.fields.kind, m.fields.held_on), (t.a, MeetingKind::PartyLecture, d("2026-11-20")));
    assert!(m.lecturer_is_secretary, "the secretary gave the lecture");
    let got: Vec<_> = m.attendance.iter().map(|a| (a.member_name.as_str(), a.attendance, a.reason.as_str())).collect();
    assert_eq!(got, [("李四", Attendance::Leave, "出差"), ("张三", Attendance::Present, "")]);
    let list = s.list_meetings(&t.system, t.a, d("2026-01-01"), d("2026-12-31")).await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].attendance, [1, 1, 0]);
    let facts = s.meeting_facts(&t.system, d("2026-01-01")).await.unwrap();
    assert_eq!(facts.len(), 1);
    assert!(facts[0].lecturer_is_secretary);
    // Another lecturer is not the secretary.
    let other = s.record_meeting(&t.system, t.a, &lecture("2026-11-21", "李四"), &[]).await.unwrap();
    assert!(!s.get_meeting(&t.system, other).await.unwrap().lecturer_is_secretary);
    assert!(qiangji_store::check::run(s.db()).await.unwrap().problems.is_empty());
}
on_both!(a_meeting_is_recorded_with_attendance_and_read_back);

async fn bad_attendance_is_refused_and_nothing_is_written(b: Backend) {
    let t = tree(b).await;
    let s = t.store();
    let before = t.head().await;
    let f = lecture("2026-11-20", "张三");
    let cases = [
        (vec![entry(t.wang, Attendance::Present, "")], "党员“王五”在2026-11-20不是本组织的党员"),
        (vec![entry(t.zhang, Attendance::Present, ""), entry(t.zhang, Attendance::Absent, "")], "填写了两次"),
        (vec![entry(t.li, Attendance::Leave, "  ")], "请假须填写原因"),
        (vec![entry(t.li, Attendance::Absent, &"因".repeat(201))], "原因过长"),
    ];
    for (attendance, want) in cases {
        let err = s.record_meeting(&t.system, t.a, &f, &attendance).await.unwrap_err();
        assert!(matches!(&err, StoreError::Invalid(m) if m.contains(want)), "{err:?} should say {want}");
    }
    // Before the member joined the branch (2020-01-01) they cannot have attended it.
    let early = lecture("2019-12-31", "张三");
    let err = s.record_meeting(&t.system, t.a, &early, &[entry(t.zhang, Attendance::Present, "")]).await.unwrap_err();
    assert!(matches!(&err, StoreError::Invalid(m) if m.contains("2019-12-31")), "{err:?}");
    assert_eq!(t.head().await, before, "nothing written");
    assert!(s.list_meetings(&t.system, t.a, d("2000-01-01"), d("2026-12-31")).await.unwrap().is_empty());
}
on_both!(bad_attendance_is_refused_and_nothing_is_written);

async fn records_stay_in_scope_and_members_confirm_only_their_own(b: Backend) {
    let t = tree(b).await;
    let s = t.store();
    let attendance = [entry(t.zhang, Attendance::Present, ""), entry(t.li, Attendance::Absent, "")];
    let id = s.record_meeting(&t.system, t.a, &lecture("2026-11-20", "张三"), &attendance).await.unwrap();
    // The secretary of branch B neither sees nor records for branch A.
    let other = t.login_as(Role::BranchSecretary, t.b, None).await;
    assert!(matches!(s.get_meeting(&other, id).await, Err(StoreError::NotFound)));
    assert!(s.record_meeting(&other, t.a, &lecture("2026-11-20", "王五"), &[]).await.is_err());
    assert!(s.meeting_facts(&other, d("2026-01-01")).await.unwrap().is_empty());
    // A member cannot record, but confirms their own attendance once.
    let zhang = t.login_as(Role::Member, t.a, Some(t.zhang)).await;
    assert!(matches!(
        s.record_meeting(&zhang, t.a, &lecture("2026-11-21", "张三"), &[]).await,
        Err(StoreError::Forbidden)
    ));
    let before = t.head().await;
    s.confirm_attendance(&zhang, id).await.unwrap();
    s.confirm_attendance(&zhang, id).await.unwrap();
    assert_eq!(t.head().await, before + 1, "confirming twice records once");
    let m = s.get_meeting(&t.system, id).await.unwrap();
    let confirmed: Vec<_> = m.attendance.iter().map(|a| (a.member_id, a.confirmed_at.is_some())).collect();
    assert_eq!(confirmed, [(t.li, false), (t.zhang, true)]);
    // 王五 was not listed at branch A's meeting.
    let wang = t.login_as(Role::Member, t.b, Some(t.wang)).await;
    assert!(s.confirm_attendance(&wang, id).await.is_err());
}
on_both!(records_stay_in_scope_and_members_confirm_only_their_own);

/// Versions of the rules are added by administrators of the whole tree only, read back as part of
/// the set, and a version clashing with another is refused with nothing written.
async fn rule_versions_are_added_by_whole_tree_administrators_only(b: Backend) {
    use qiangji_domain::orglife::{Period, RequirementKind, RuleInput, RuleSet};
    let t = tree(b).await;
    let s = t.store();
    let today = qiangji_domain::date::today();
    let next_year = chrono::NaiveDate::from_ymd_opt(chrono::Datelike::year(&today) + 1, 1, 1).unwrap();
    let rule = RuleInput {
        requirement: "theme_day".into(),
        org_kinds: vec!["branch".into()],
        period: "month".into(),
        min_count: "2".into(),
        effective_from: next_year.to_string(),
    }
    .validate(today)
    .unwrap();
    assert_eq!(s.rule_set().await.unwrap(), RuleSet::default_rules(), "nothing stored yet");
    let district_admin = t.login_as(Role::DepartmentAdmin, t.district, None).await;
    let city_admin = t.login_as(Role::DepartmentAdmin, t.city, None).await;
    let secretary = t.login_as(Role::BranchSecretary, t.a, None).await;
    let head = t.head().await;
    for who in [&district_admin, &secretary] {
        assert!(matches!(s.add_rule(who, &rule, "文件").await, Err(StoreError::Forbidden)));
    }
    assert!(matches!(s.add_rule(&city_admin, &rule, " ").await, Err(StoreError::Invalid(_))), "a reason is needed");
    assert_eq!(t.head().await, head, "nothing written");

    s.add_rule(&city_admin, &rule, "市委组织部2027年1号文件").await.unwrap();
    assert_eq!(t.head().await, head + 1, "one ledger entry");
    let set = s.rule_set().await.unwrap();
    assert_eq!(set.version, 2);
    let theme = RequirementKind::Meeting(MeetingKind::ThemeDay);
    let branch = qiangji_domain::org::OrgKind::Branch;
    assert_eq!(set.in_force(branch, theme, today).map(|r| r.min_count), Some(1), "the old version until then");
    assert_eq!(set.in_force(branch, theme, next_year).map(|r| (r.min_count, r.period)), Some((2, Period::Month)));
    let stored = s.stored_rules().await.unwrap();
    assert_eq!((stored.len(), stored[0].reason.as_str(), &stored[0].rule), (1, "市委组织部2027年1号文件", &rule));

    // The same rule from the same day again cannot be told apart from the first.
    let err = s.add_rule(&city_admin, &rule, "重复").await.unwrap_err();
    assert_eq!(err.code(), "orglife.rule_conflict", "{err}");
    assert_eq!(t.head().await, head + 1, "nothing written");
    assert_eq!(s.stored_rules().await.unwrap().len(), 1);
}
on_both!(rule_versions_are_added_by_whole_tree_administrators_only);

/// A member who moved away last month is still on the branch's sheet, for records of their time:
/// recorded present before the move, refused after it.
async fn a_former_member_is_on_the_sheet_for_records_of_their_time(b: Backend) {
    let t = tree(b).await;
    let s = t.store();
    let today = qiangji_domain::date::today();
    let moved = today - chrono::Days::new(30);
    s.move_member(&t.system, t.li, t.b, moved, "工作调动").await.unwrap();
    let sheet = s.attendance_sheet(&t.system, t.a).await.unwrap();
    let rows: Vec<_> = sheet.iter().map(|m| (m.member_id, m.left_on)).collect();
    assert_eq!(rows, [(t.zhang, None), (t.li, Some(moved))], "current members first, then who left");
    let theme = |held_on: qiangji_domain::Date| {
        MeetingInput {
            kind: "theme_day".into(),
            held_on: held_on.to_string(),
            place: "党群服务中心".into(),
            host: "张三".into(),
            recorder: "张三".into(),
            topic: "主题党日".into(),
            content: "学习".into(),
            ..Default::default()
        }
        .validate(today)
        .unwrap()
    };
    let li = [entry(t.li, Attendance::Present, "")];
    s.record_meeting(&t.system, t.a, &theme(moved - chrono::Days::new(5)), &li).await.unwrap();
    let head = t.head().await;
    let err = s.record_meeting(&t.system, t.a, &theme(moved + chrono::Days::new(5)), &li).await.unwrap_err();
    assert!(err.to_string().contains("李四"), "{err}");
    assert_eq!(t.head().await, head);
}
on_both!(a_former_member_is_on_the_sheet_for_records_of_their_time);
