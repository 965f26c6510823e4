use crate::fixture::{Backend, d, member, org, tree};
use crate::on_both;
use qiangji_store::{Role, StoreError};

async fn a_branch_secretary_reads_and_changes_nothing_outside_the_branch(b: Backend) {
    let t = tree(b).await;
    let s = t.store();
    let sec = t.login_as(Role::BranchSecretary, t.a, None).await;
    // Inside: the branch, its group and its members.
    assert!(s.get_org(&sec, t.a).await.is_ok());
    assert!(s.get_org(&sec, t.a1).await.is_ok());
    assert!(s.get_member(&sec, t.zhang).await.is_ok());
    // Outside: indistinguishable from missing.
    for o in [t.city, t.district, t.street, t.b, t.c, t.c1] {
        assert!(matches!(s.get_org(&sec, o).await, Err(StoreError::NotFound)), "org {o:?}");
    }
    for m in [t.wang, t.zhao] {
        assert!(matches!(s.get_member(&sec, m).await, Err(StoreError::NotFound)));
        assert!(matches!(s.member_history(&sec, m).await, Err(StoreError::NotFound)));
    }
    assert_eq!(s.get_members(&sec, &[t.zhang, t.wang, t.zhao]).await.unwrap().len(), 1);
    assert!(s.search_orgs(&sec, "社区", 50).await.unwrap().iter().all(|o| o.id == t.a));
    assert!(matches!(s.list_children(&sec, t.street).await, Err(StoreError::NotFound)));
    let wang = s.get_member(&t.system, t.wang).await.unwrap();
    assert!(s.find_member_by_id_number(&sec, &wang.fields.id_number).await.unwrap().is_none());
    let audit = qiangji_store::ledger::list(s, &sec, None, 1000).await.unwrap();
    assert!(!audit.is_empty());
    assert!(audit.iter().all(|e| sec.sees_path(&e.org_path)), "audit shows only the branch");

    // Writes outside scope, and org management inside it, change nothing.
    let before = t.head().await;
    let mut f = wang.fields.clone();
    f.phone = "13700000000".into();
    assert!(matches!(s.update_member(&sec, t.wang, &f, "").await, Err(StoreError::NotFound)));
    assert!(matches!(s.move_member(&sec, t.zhang, t.b, d("2025-01-01"), "").await, Err(StoreError::NotFound)));
    assert!(matches!(s.move_member(&sec, t.wang, t.a, d("2025-01-01"), "").await, Err(StoreError::NotFound)));
    assert!(matches!(
        s.create_member(&sec, t.b, &member("新人", "1979-01-01", 55), d("2025-01-01"), "").await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        s.create_org(&sec, t.a, &org("第二党小组", "group", "community", false), "").await,
        Err(StoreError::Forbidden)
    ));
    assert!(matches!(s.dissolve_org(&sec, t.b, None, d("2025-01-01"), "").await, Err(StoreError::Forbidden)));
    assert_eq!(t.head().await, before);
    // Inside the branch the secretary keeps the records.
    let mut own = s.get_member(&sec, t.li).await.unwrap().fields;
    own.address = "鼓楼街道1号".into();
    s.update_member(&sec, t.li, &own, "").await.unwrap();
}
on_both!(a_branch_secretary_reads_and_changes_nothing_outside_the_branch);

async fn a_member_account_sees_only_its_own_record(b: Backend) {
    let t = tree(b).await;
    let s = t.store();
    let me = t.login_as(Role::Member, t.a, Some(t.zhang)).await;
    assert!(s.get_member(&me, t.zhang).await.is_ok());
    assert!(matches!(s.get_member(&me, t.li).await, Err(StoreError::NotFound)), "not even a branch mate");
    assert!(matches!(s.get_org(&me, t.a1).await, Err(StoreError::NotFound)));
    let mut f = s.get_member(&me, t.zhang).await.unwrap().fields;
    f.phone = "13600000000".into();
    assert!(matches!(s.update_member(&me, t.zhang, &f, "").await, Err(StoreError::Forbidden)));
    assert!(matches!(qiangji_store::ledger::list(s, &me, None, 10).await, Err(StoreError::Forbidden)));
}
on_both!(a_member_account_sees_only_its_own_record);

async fn repeated_wrong_passwords_lock_the_account(b: Backend) {
    let t = tree(b).await;
    t.login_as(Role::CommitteeAdmin, t.street, None).await;
    let name = format!("committee_admin-{}", t.street.0);
    for _ in 0..4 {
        assert_eq!(t.store().login(&name, "wrong").await.unwrap_err(), qiangji_store::user::LoginError::BadCredentials);
    }
    assert!(matches!(t.store().login(&name, "wrong").await, Err(qiangji_store::user::LoginError::Locked { .. })));
    assert!(
        matches!(t.store().login(&name, "password-123").await, Err(qiangji_store::user::LoginError::Locked { .. })),
        "even the right password waits"
    );
    assert_eq!(t.store().login("nobody", "x").await.unwrap_err(), qiangji_store::user::LoginError::BadCredentials);
}
on_both!(repeated_wrong_passwords_lock_the_account);

/// The audit log pages newest first through exactly the entries in scope, for the whole tree (which
/// walks the ledger) and for a subtree (which goes through the path index).
async fn audit_pages_hold_every_entry_in_scope_once_newest_first(b: Backend) {
    let t = tree(b).await;
    let s = t.store();
    let whole = t.login_as(Role::DepartmentAdmin, t.city, None).await;
    let street = t.login_as(Role::CommitteeAdmin, t.street, None).await;
    let all = s.db().all("SELECT seq, org_path FROM ledger ORDER BY seq DESC", qiangji_store::params![]).await;
    let all = all.unwrap();
    for access in [&t.system, &whole, &street] {
        let expected: Vec<i64> = all.iter().filter(|r| access.sees_path(&r.text(1))).map(|r| r.int(0)).collect();
        let (mut seen, mut before) = (Vec::new(), None);
        loop {
            let page = qiangji_store::ledger::list(s, access, before, 3).await.unwrap();
            let Some(last) = page.last() else { break };
            before = Some(last.seq);
            seen.extend(page.iter().map(|e| e.seq));
        }
        assert!(!expected.is_empty());
        assert_eq!(seen, expected, "{access:?}");
    }
    let in_street = all.iter().filter(|r| street.sees_path(&r.text(1))).count();
    assert!(in_street < all.len(), "the subtree is a real subset");
}
on_both!(audit_pages_hold_every_entry_in_scope_once_newest_first);
