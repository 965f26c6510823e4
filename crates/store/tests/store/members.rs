use crate::fixture::{Backend, d, member, tree};
use crate::on_both;
use qiangji_domain::member::StatusChange;
use qiangji_domain::member::{MemberKind, MemberStatus};
use qiangji_store::StoreError;

async fn a_duplicate_id_number_is_refused_and_nothing_is_written(b: Backend) {
    let t = tree(b).await;
    let before = t.head().await;
    let mut copy = member("张三丰", "1980-05-01", 11);
    copy.name = "张三丰".into();
    let err = t.store().create_member(&t.system, t.b, &copy, d("2021-01-01"), "").await.unwrap_err();
    assert!(matches!(err, StoreError::DuplicateIdNumber(_)), "{err:?}");
    assert_eq!(err.code(), "member.id_number_duplicate");
    assert_eq!(t.head().await, before);
    // Editing another member to carry the same number is refused too.
    let mut li = t.store().get_member(&t.system, t.li).await.unwrap().fields;
    li.id_number = copy.id_number.clone();
    li.birth_date = copy.birth_date;
    li.sex = copy.sex;
    assert_eq!(
        t.store().update_member(&t.system, t.li, &li, "").await.unwrap_err().code(),
        "member.id_number_duplicate"
    );
    assert_eq!(t.head().await, before);
}
on_both!(a_duplicate_id_number_is_refused_and_nothing_is_written);

async fn an_edit_is_recorded_with_old_and_new_values(b: Backend) {
    let t = tree(b).await;
    let s = t.store();
    let mut f = s.get_member(&t.system, t.zhang).await.unwrap().fields;
    f.phone = "13911112222".into();
    s.update_member(&t.system, t.zhang, &f, "本人申请").await.unwrap();
    let m = s.get_member(&t.system, t.zhang).await.unwrap();
    assert_eq!(m.fields.phone, "13911112222");
    let h = s.member_history(&t.system, t.zhang).await.unwrap();
    let last = h.entries.last().unwrap();
    assert_eq!(last.kind, "member.updated");
    assert_eq!(last.reason, "本人申请");
    let payload: serde_json::Value = serde_json::from_str(&last.payload).unwrap();
    assert_eq!(payload["changes"]["phone"], serde_json::json!(["138****0000", "139****2222"]), "masked for display");
    // Saving the same values again records nothing.
    let before = t.head().await;
    s.update_member(&t.system, t.zhang, &m.fields, "").await.unwrap();
    assert_eq!(t.head().await, before);
}
on_both!(an_edit_is_recorded_with_old_and_new_values);

async fn membership_is_effective_dated_across_a_move(b: Backend) {
    let t = tree(b).await;
    let s = t.store();
    s.move_member(&t.system, t.zhang, t.b, d("2024-03-01"), "工作调动").await.unwrap();
    let h = s.member_history(&t.system, t.zhang).await.unwrap();
    let spans: Vec<_> = h.memberships.iter().map(|m| (m.org_id, m.valid_from, m.valid_to)).collect();
    assert_eq!(spans, [(t.a, d("2020-01-01"), Some(d("2024-03-01"))), (t.b, d("2024-03-01"), None)]);
    let states: Vec<_> = h.states.iter().map(|s| (s.kind, s.status, s.valid_from, s.valid_to)).collect();
    assert_eq!(
        states,
        [
            (MemberKind::Probationary, MemberStatus::Active, d("2010-07-01"), Some(d("2011-07-01"))),
            (MemberKind::Full, MemberStatus::Active, d("2011-07-01"), None)
        ]
    );
    // A move dated before the current membership began would invert an interval.
    let err = s.move_member(&t.system, t.zhang, t.a, d("2024-01-01"), "").await.unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    // Members never sit in a 党小组.
    assert!(s.move_member(&t.system, t.zhang, t.a1, d("2025-01-01"), "").await.is_err());
}
on_both!(membership_is_effective_dated_across_a_move);

async fn a_member_can_be_found_by_exact_id_number(b: Backend) {
    let t = tree(b).await;
    let wang = t.store().get_member(&t.system, t.wang).await.unwrap();
    let found = t.store().find_member_by_id_number(&t.system, &wang.fields.id_number).await.unwrap();
    assert_eq!(found.map(|m| m.id), Some(t.wang));
}
on_both!(a_member_can_be_found_by_exact_id_number);

async fn a_status_change_is_dated_reasoned_and_final_once_left(b: Backend) {
    let t = tree(b).await;
    let s = t.store();
    let before = t.head().await;
    let no_reason = s
        .change_status(
            &t.system,
            t.zhang,
            &StatusChange::new(MemberStatus::Suspended, d("2024-05-01"), " ").approved("上级党委", d("2024-05-01")),
        )
        .await;
    assert_eq!(no_reason.unwrap_err().code(), "member.reason_missing");
    let unapproved = StatusChange::new(MemberStatus::LeftExpelled, d("2024-05-01"), "严重违纪");
    let unapproved = s.change_status(&t.system, t.zhang, &unapproved).await;
    assert_eq!(unapproved.unwrap_err().code(), "member.approval_missing");
    assert_eq!(t.head().await, before, "a refused change writes nothing");
    s.change_status(
        &t.system,
        t.zhang,
        &StatusChange::new(MemberStatus::Suspended, d("2024-05-01"), "受到留党察看处分")
            .approved("上级党委", d("2024-05-01")),
    )
    .await
    .unwrap();
    s.change_status(
        &t.system,
        t.zhang,
        &StatusChange::new(MemberStatus::Active, d("2025-05-01"), "恢复党员权利").approved("上级党委", d("2025-05-01")),
    )
    .await
    .unwrap();
    s.change_status(&t.system, t.zhang, &StatusChange::new(MemberStatus::Deceased, d("2026-01-10"), "因病去世"))
        .await
        .unwrap();
    let h = s.member_history(&t.system, t.zhang).await.unwrap();
    let states: Vec<_> = h.states.iter().map(|s| (s.status, s.valid_from, s.valid_to)).collect();
    assert_eq!(
        &states[states.len() - 3..],
        [
            (MemberStatus::Suspended, d("2024-05-01"), Some(d("2025-05-01"))),
            (MemberStatus::Active, d("2025-05-01"), Some(d("2026-01-10"))),
            (MemberStatus::Deceased, d("2026-01-10"), None),
        ]
    );
    assert_eq!(s.get_member(&t.system, t.zhang).await.unwrap().status, MemberStatus::Deceased);
    assert_eq!(h.entries.last().unwrap().kind, "member.status_changed");
    let after = t.head().await;
    let again = s
        .change_status(
            &t.system,
            t.zhang,
            &StatusChange::new(MemberStatus::Active, d("2026-02-01"), "误操作").approved("上级党委", d("2026-02-01")),
        )
        .await;
    assert_eq!(again.unwrap_err().code(), "member.status_illegal");
    assert_eq!(t.head().await, after);
}
on_both!(a_status_change_is_dated_reasoned_and_final_once_left);
