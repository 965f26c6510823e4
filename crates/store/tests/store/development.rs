use crate::fixture::{Backend, Tree, d, member, tree};
use crate::on_both;
use qiangji_domain::development::{ApplicantInput, DevAction, DevStage, DevelopeeId, Recommendation, Vote};
use qiangji_domain::id_number::IdNumber;
use qiangji_domain::member::StatusChange;
use qiangji_domain::member::{MemberKind, MemberStatus};
use qiangji_store::development::PlanInput;
use qiangji_store::{Access, Role, StoreError};

fn application(born: &str, applied_on: &str, seq: u16) -> ApplicantInput {
    ApplicantInput {
        name: "陈小明".into(),
        id_number: IdNumber::compose(330203, d(born), seq).to_string(),
        ethnicity: "01".into(),
        education: "university".into(),
        occupation: "worker".into(),
        work_unit: "某公司".into(),
        phone: "13800001111".into(),
        applied_on: applied_on.into(),
    }
}

fn vote() -> Vote {
    Vote { voting_members: 20, present: 15, in_favour: 14 }
}

async fn step(t: &Tree, who: &Access, id: DevelopeeId, a: DevAction, on: &str) -> Result<DevStage, StoreError> {
    t.store().record_dev_step(who, id, &a, d(on), 5, "支部研究").await
}

/// Applies and goes as far as the admission meeting.
async fn to_meeting(t: &Tree, who: &Access) -> DevelopeeId {
    let id = t.store().register_applicant(who, t.a, &application("1998-03-04", "2020-03-02", 71), "").await.unwrap();
    let mentors = vec!["张三".to_string(), "李四".to_string()];
    for (a, on) in [
        (DevAction::Talk, "2020-03-20"),
        (DevAction::ChooseActivist { recommendation: Recommendation::PartyMembers, mentors }, "2020-04-01"),
        (DevAction::ChooseCandidate, "2021-04-01"),
        (DevAction::ReportCandidate, "2021-04-02"),
        (DevAction::PoliticalReview, "2021-04-20"),
        (DevAction::AssignSponsors { sponsors: vec![t.zhang, t.li] }, "2021-04-21"),
        (DevAction::Train { days: 3, hours: 0 }, "2021-05-10"),
        (DevAction::PreReview, "2021-05-20"),
        (DevAction::Publicize { working_days: 5 }, "2021-05-24"),
        (DevAction::AdmissionMeeting(vote()), "2021-06-01"),
    ] {
        step(t, who, id, a, on).await.unwrap();
    }
    id
}

async fn a_developee_goes_from_application_to_full_member(b: Backend) {
    let t = tree(b).await;
    let s = t.store();
    let sec = t.login_as(Role::BranchSecretary, t.a, None).await;
    let id = to_meeting(&t, &sec).await;
    let rec = s.get_developee(&sec, id).await.unwrap();
    assert_eq!(rec.developee.state.stage, DevStage::Candidate);
    assert_eq!(rec.steps.len(), 11);
    assert!(rec.developee.member_id.is_none());

    // Approval: a probationary member from the meeting, in the same transaction.
    let before = t.head().await;
    assert_eq!(step(&t, &sec, id, DevAction::ApproveAdmission, "2021-06-20").await.unwrap(), DevStage::Probationary);
    assert_eq!(t.head().await, before + 2, "the step and member.created");
    let rec = s.get_developee(&sec, id).await.unwrap();
    let member = rec.developee.member_id.expect("a member record");
    let m = s.get_member(&sec, member).await.unwrap();
    assert_eq!((m.fields.kind, m.fields.joined_on, m.org_id), (MemberKind::Probationary, d("2021-06-01"), t.a));

    // A year later: full from the end of probation.
    step(&t, &sec, id, DevAction::FullMeeting(vote()), "2022-06-10").await.unwrap();
    assert_eq!(step(&t, &sec, id, DevAction::ApproveFull, "2022-07-01").await.unwrap(), DevStage::Full);
    let m = s.get_member(&sec, member).await.unwrap();
    assert_eq!((m.fields.kind, m.fields.full_on), (MemberKind::Full, Some(d("2022-06-01"))));
    let h = s.member_history(&sec, member).await.unwrap();
    let states: Vec<_> = h.states.iter().map(|s| (s.kind, s.status, s.valid_from, s.valid_to)).collect();
    assert_eq!(
        states,
        [
            (MemberKind::Probationary, MemberStatus::Active, d("2021-06-01"), Some(d("2022-06-01"))),
            (MemberKind::Full, MemberStatus::Active, d("2022-06-01"), None),
        ]
    );
    // The member's timeline: how they were developed, then their own record's entries.
    let kinds: Vec<&str> = h.entries.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds.first(), Some(&"development.applied"));
    let own: Vec<&str> = kinds.iter().copied().filter(|k| k.starts_with("member.")).collect();
    assert_eq!(own, ["member.created", "member.updated"]);
    assert!(h.entries.windows(2).all(|w| w[0].seq < w[1].seq), "in ledger order");
    assert!(qiangji_store::check::run(s.db()).await.unwrap().problems.is_empty());
    let steps = s.get_developee(&sec, id).await.unwrap().steps;
    assert_eq!(steps.last().unwrap().actor, "测试用户");
    assert_eq!(steps[6].details["sponsors"], serde_json::json!([t.zhang.0, t.li.0]));
}
on_both!(a_developee_goes_from_application_to_full_member);

async fn refused_steps_write_nothing(b: Backend) {
    let t = tree(b).await;
    let s = t.store();
    let id = s.register_applicant(&t.system, t.a, &application("1998-03-04", "2020-03-02", 71), "").await.unwrap();
    step(&t, &t.system, id, DevAction::Talk, "2020-03-20").await.unwrap();
    let mentors = vec!["张三".to_string(), "李四".to_string()];
    let a = DevAction::ChooseActivist { recommendation: Recommendation::MassOrganization, mentors };
    step(&t, &t.system, id, a, "2020-04-01").await.unwrap();
    let before = t.head().await;
    let e = step(&t, &t.system, id, DevAction::ChooseCandidate, "2020-12-01").await.unwrap_err();
    assert_eq!(e.code(), "development.too_early");
    let e = step(&t, &t.system, id, DevAction::ApproveFull, "2021-12-01").await.unwrap_err();
    assert_eq!(e.code(), "development.illegal_step");
    assert_eq!(t.head().await, before);
    assert_eq!(s.get_developee(&t.system, id).await.unwrap().steps.len(), 3);
}
on_both!(refused_steps_write_nothing);

async fn sponsors_must_be_full_members_the_actor_can_see(b: Backend) {
    let t = tree(b).await;
    let s = t.store();
    let sec = t.login_as(Role::BranchSecretary, t.a, None).await;
    let id = s.register_applicant(&sec, t.a, &application("1998-03-04", "2020-03-02", 71), "").await.unwrap();
    let mentors = vec!["张三".to_string(), "李四".to_string()];
    step(&t, &sec, id, DevAction::Talk, "2020-03-20").await.unwrap();
    step(
        &t,
        &sec,
        id,
        DevAction::ChooseActivist { recommendation: Recommendation::PartyMembers, mentors },
        "2020-04-01",
    )
    .await
    .unwrap();
    step(&t, &sec, id, DevAction::ChooseCandidate, "2021-04-01").await.unwrap();
    let before = t.head().await;
    // 王五 is in branch B, outside the secretary's scope.
    let e = step(&t, &sec, id, DevAction::AssignSponsors { sponsors: vec![t.zhang, t.wang] }, "2021-04-02").await;
    assert_eq!(e.unwrap_err().code(), "development.sponsor_not_full");
    // A probationary member cannot sponsor.
    let mut f = member("刘七", "1992-01-01", 77);
    f.kind = MemberKind::Probationary;
    f.full_on = None;
    let liu = s.create_member(&t.system, t.a, &f, d("2020-01-01"), "").await.unwrap();
    let before_liu = t.head().await;
    assert_eq!(before_liu, before + 1);
    let e = step(&t, &sec, id, DevAction::AssignSponsors { sponsors: vec![t.zhang, liu] }, "2021-04-02").await;
    assert!(matches!(e, Err(StoreError::SponsorNotFull(ref n)) if n == "刘七"), "{e:?}");
    assert_eq!(t.head().await, before_liu);
}
on_both!(sponsors_must_be_full_members_the_actor_can_see);

async fn applications_are_checked_and_scoped(b: Backend) {
    let t = tree(b).await;
    let s = t.store();
    let sec_a = t.login_as(Role::BranchSecretary, t.a, None).await;
    let sec_b = t.login_as(Role::BranchSecretary, t.b, None).await;
    let e = s.register_applicant(&sec_a, t.a, &application("2004-06-15", "2022-06-14", 71), "").await.unwrap_err();
    assert_eq!(e.code(), "development.under_age");
    let mut bad = application("1998-03-04", "2020-03-02", 71);
    bad.id_number = "330203199803040000".into();
    assert_eq!(s.register_applicant(&sec_a, t.a, &bad, "").await.unwrap_err().code(), "member.id_number_invalid");
    // Not in a 党小组, not outside scope.
    let e = s.register_applicant(&t.system, t.a1, &application("1998-03-04", "2020-03-02", 71), "").await;
    assert_eq!(e.unwrap_err().code(), "invalid");
    let e = s.register_applicant(&sec_b, t.a, &application("1998-03-04", "2020-03-02", 71), "").await;
    assert!(matches!(e, Err(StoreError::NotFound)));

    let id = s.register_applicant(&sec_a, t.a, &application("1998-03-04", "2020-03-02", 71), "").await.unwrap();
    let e = s.register_applicant(&sec_a, t.a, &application("1998-03-04", "2020-03-02", 71), "").await.unwrap_err();
    assert_eq!(e.code(), "development.id_number_duplicate");
    let zhang = s.get_member(&t.system, t.zhang).await.unwrap();
    let mut existing = application("1980-05-01", "2020-03-02", 11);
    existing.id_number = zhang.fields.id_number.to_string();
    assert_eq!(
        s.register_applicant(&sec_a, t.a, &existing, "").await.unwrap_err().code(),
        "member.id_number_duplicate"
    );
    let other = s.register_applicant(&sec_b, t.b, &application("1999-01-01", "2021-01-05", 73), "").await.unwrap();

    // Each secretary sees their own branch; the street sees both.
    assert!(matches!(s.get_developee(&sec_b, id).await, Err(StoreError::NotFound)));
    assert!(matches!(step(&t, &sec_b, id, DevAction::Talk, "2020-03-05").await, Err(StoreError::NotFound)));
    let listed: Vec<_> = s.list_developees(&sec_a, t.a).await.unwrap().iter().map(|d| d.id).collect();
    assert_eq!(listed, [id]);
    let listed: Vec<_> = s.list_developees(&t.system, t.street).await.unwrap().iter().map(|d| d.id).collect();
    assert_eq!(listed, [id, other]);
    assert!(matches!(s.list_developees(&sec_a, t.street).await, Err(StoreError::NotFound)));
    let member_access = t.login_as(Role::Member, t.a, Some(t.zhang)).await;
    assert!(matches!(s.list_developees(&member_access, t.a).await, Err(StoreError::Forbidden)));
    let entries = qiangji_store::ledger::list(s, &sec_a, None, 100).await.unwrap();
    let applied: Vec<&str> =
        entries.iter().filter(|e| e.kind == "development.applied").map(|e| e.subject.as_str()).collect();
    assert_eq!(applied, [format!("developee:{}", id.0)], "the other branch's application is not shown");
}
on_both!(applications_are_checked_and_scoped);

async fn a_plan_is_set_replaced_and_counted(b: Backend) {
    let t = tree(b).await;
    let s = t.store();
    let plan = PlanInput { year: 2021, quota: 3, note: "重点发展青年".into() };
    s.set_dev_plan(&t.system, t.a, &plan, "").await.unwrap();
    s.set_dev_plan(&t.system, t.a, &PlanInput { quota: 4, ..plan.clone() }, "调整").await.unwrap();
    let found = s.find_dev_plan(&t.system, t.a, 2021).await.unwrap().unwrap();
    assert_eq!((found.quota, found.note.as_str()), (4, "重点发展青年"));
    assert!(s.find_dev_plan(&t.system, t.a, 2022).await.unwrap().is_none());
    let e = s.set_dev_plan(&t.system, t.a, &PlanInput { year: 1990, ..plan }, "").await.unwrap_err();
    assert_eq!(e.code(), "development.plan_invalid");
    let sec_b = t.login_as(Role::BranchSecretary, t.b, None).await;
    assert!(matches!(s.find_dev_plan(&sec_b, t.a, 2021).await, Err(StoreError::NotFound) | Ok(None)));
    let id = to_meeting(&t, &t.system).await;
    step(&t, &t.system, id, DevAction::ApproveAdmission, "2021-06-20").await.unwrap();
    assert_eq!(s.count_admitted(&t.system, t.a, 2021).await.unwrap(), 1);
    assert_eq!(s.count_admitted(&t.system, t.a, 2022).await.unwrap(), 0);
}
on_both!(a_plan_is_set_replaced_and_counted);

async fn a_cancelled_probationary_member_leaves_the_register(b: Backend) {
    let t = tree(b).await;
    let s = t.store();
    let id = to_meeting(&t, &t.system).await;
    step(&t, &t.system, id, DevAction::ApproveAdmission, "2021-06-20").await.unwrap();
    let member = s.get_developee(&t.system, id).await.unwrap().developee.member_id.unwrap();
    assert_eq!(step(&t, &t.system, id, DevAction::Cancel, "2022-01-10").await.unwrap(), DevStage::Cancelled);
    let m = s.get_member(&t.system, member).await.unwrap();
    assert_eq!(m.status, MemberStatus::LeftCancelled);
    let h = s.member_history(&t.system, member).await.unwrap();
    assert_eq!(h.memberships.last().unwrap().valid_to, Some(d("2022-01-10")));
    let last = h.states.last().unwrap();
    assert_eq!((last.status, last.valid_from), (MemberStatus::LeftCancelled, d("2022-01-10")));
    assert!(qiangji_store::check::run(s.db()).await.unwrap().problems.is_empty());
    // The status is not set by hand: only through the pipeline.
    let by_hand =
        StatusChange::new(MemberStatus::LeftCancelled, d("2024-01-01"), "测试").approved("上级党委", d("2024-01-01"));
    let e = s.change_status(&t.system, t.zhang, &by_hand).await;
    assert_eq!(e.unwrap_err().code(), "member.status_via_development");
}
on_both!(a_cancelled_probationary_member_leaves_the_register);

async fn a_developee_written_around_the_ledger_is_reported_by_check(b: Backend) {
    let t = tree(b).await;
    let s = t.store();
    s.register_applicant(&t.system, t.a, &application("1998-03-04", "2020-03-02", 71), "").await.unwrap();
    assert!(qiangji_store::check::run(s.db()).await.unwrap().problems.is_empty());
    s.db()
        .exec(
            "INSERT INTO developee (id, org_id, name, sex, ethnicity, birth_date, id_number, education, occupation, \
             applied_on, stage) SELECT 99, org_id, name, sex, ethnicity, birth_date, 'x', education, occupation, \
             applied_on, stage FROM developee WHERE id = 1",
            vec![],
        )
        .await
        .unwrap();
    let problems = qiangji_store::check::run(s.db()).await.unwrap().problems;
    assert!(problems.iter().any(|p| p.contains("发展党员表")), "{problems:?}");
}
on_both!(a_developee_written_around_the_ledger_is_reported_by_check);
