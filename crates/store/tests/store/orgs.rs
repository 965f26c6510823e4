use crate::fixture::{Backend, org, tree};
use crate::on_both;
use qiangji_domain::org::{OrgError, OrgKind};
use qiangji_store::StoreError;

async fn moving_an_org_moves_its_subtree_and_keeps_paths_consistent(b: Backend) {
    let t = tree(b).await;
    let s = t.store();
    s.move_org(&t.system, t.a, t.c, "划转").await.unwrap();
    let a = s.get_org(&t.system, t.a).await.unwrap();
    let a1 = s.get_org(&t.system, t.a1).await.unwrap();
    let c = s.get_org(&t.system, t.c).await.unwrap();
    assert_eq!(a.parent_id, Some(t.c));
    assert!(a.path.starts_with(&c.path));
    assert!(a1.path.starts_with(&a.path), "the group follows its branch");
    assert!(qiangji_store::check::run(s.db()).await.unwrap().is_ok());
}
on_both!(moving_an_org_moves_its_subtree_and_keeps_paths_consistent);

async fn moving_an_org_under_its_own_descendant_is_refused_and_nothing_is_written(b: Backend) {
    let t = tree(b).await;
    let before = t.head().await;
    let err = t.store().move_org(&t.system, t.street, t.a, "").await.unwrap_err();
    assert!(matches!(err, StoreError::Org(OrgError::MoveIntoOwnSubtree)), "{err:?}");
    assert_eq!(err.code(), "org.move_into_own_subtree");
    let err = t.store().move_org(&t.system, t.street, t.street, "").await.unwrap_err();
    assert_eq!(err.code(), "org.move_into_own_subtree");
    assert_eq!(t.head().await, before);
    assert_eq!(t.store().get_org(&t.system, t.street).await.unwrap().parent_id, Some(t.district));
}
on_both!(moving_an_org_under_its_own_descendant_is_refused_and_nothing_is_written);

async fn kinds_must_fit_the_tree(b: Backend) {
    let t = tree(b).await;
    let err = t
        .store()
        .create_org(&t.system, t.a1, &org("小组下的支部", "branch", "community", false), "")
        .await
        .unwrap_err();
    assert_eq!(err.code(), "org.kind_not_allowed_under_parent");
    let mut changed = t.store().get_org(&t.system, t.a).await.unwrap().fields;
    changed.kind = OrgKind::Committee;
    let err = t.store().update_org(&t.system, t.a, &changed, "").await.unwrap_err();
    assert_eq!(err.code(), "org.kind_not_allowed_under_parent", "a committee cannot hold a group directly");
}
on_both!(kinds_must_fit_the_tree);

async fn dissolving_moves_members_to_the_nearest_regional_org_and_keeps_history(b: Backend) {
    let t = tree(b).await;
    let s = t.store();
    let on = crate::fixture::d("2026-01-15");
    let (receiver, moved) = s.dissolve_org(&t.system, t.b, None, on, "社区合并").await.unwrap();
    assert_eq!((receiver, moved), (t.street, 1));
    let b_org = s.get_org(&t.system, t.b).await.unwrap();
    assert_eq!(b_org.dissolved_on, Some(on), "the org stays, marked dissolved");
    let wang = s.get_member(&t.system, t.wang).await.unwrap();
    assert_eq!(wang.org_id, t.street);
    let h = s.member_history(&t.system, t.wang).await.unwrap();
    assert_eq!(h.memberships.len(), 2);
    assert_eq!((h.memberships[0].org_id, h.memberships[0].valid_to), (t.b, Some(on)));
    assert_eq!((h.memberships[1].org_id, h.memberships[1].valid_from), (t.street, on));
    assert!(h.entries.iter().any(|e| e.kind == "member.moved"));
    assert!(qiangji_store::check::run(s.db()).await.unwrap().is_ok());
}
on_both!(dissolving_moves_members_to_the_nearest_regional_org_and_keeps_history);

async fn dissolving_needs_children_handled_first_and_a_receiver_outside_itself(b: Backend) {
    let t = tree(b).await;
    let s = t.store();
    let on = crate::fixture::d("2026-01-15");
    let before = t.head().await;
    assert_eq!(s.dissolve_org(&t.system, t.c, None, on, "撤并").await.unwrap_err().code(), "org.has_children");
    // C1 has no regional ancestor: the district and city are not regional, the company committee neither.
    assert_eq!(
        s.dissolve_org(&t.system, t.c1, None, on, "撤并").await.unwrap_err().code(),
        "org.no_regional_org_above"
    );
    assert_eq!(
        s.dissolve_org(&t.system, t.c1, Some(t.c1), on, "撤并").await.unwrap_err().code(),
        "org.receiver_inside_dissolved"
    );
    assert_eq!(t.head().await, before, "refusals write nothing");
    assert_eq!(
        s.dissolve_org(&t.system, t.c1, Some(t.a), on, " ").await.unwrap_err().code(),
        "invalid",
        "a reason is required"
    );
    let (to, moved) = s.dissolve_org(&t.system, t.c1, Some(t.a), on, "并入甲社区").await.unwrap();
    assert_eq!((to, moved), (t.a, 1));
    assert_eq!(s.dissolve_org(&t.system, t.c1, Some(t.a), on, "再次撤销").await.unwrap_err().code(), "org.dissolved");
}
on_both!(dissolving_needs_children_handled_first_and_a_receiver_outside_itself);

async fn leadership_posts_are_replaced_as_a_whole_and_recorded(b: Backend) {
    use qiangji_domain::org::Post;
    use qiangji_store::org::posts::PostHolder;
    let t = tree(b).await;
    let s = t.store();
    let holder = |post, name: &str, member: Option<qiangji_domain::member::MemberId>| PostHolder {
        post,
        person_name: name.into(),
        member_id: member.map(|m| m.0),
        since: Some(crate::fixture::d("2024-05-01")),
    };
    let posts =
        vec![holder(Post::OrganizationMember, "李四", Some(t.li)), holder(Post::Secretary, "张三", Some(t.zhang))];
    s.set_posts(&t.system, t.a, &posts, "换届").await.unwrap();
    let got = s.list_posts(&t.system, t.a).await.unwrap();
    assert_eq!(
        got.iter().map(|p| p.post).collect::<Vec<_>>(),
        [Post::Secretary, Post::OrganizationMember],
        "secretary first"
    );
    let before = t.head().await;
    let two = vec![holder(Post::Secretary, "张三", None), holder(Post::Secretary, "李四", None)];
    assert_eq!(s.set_posts(&t.system, t.a, &two, "").await.unwrap_err().code(), "invalid");
    // A member outside the officer's scope cannot be named.
    let sec = t.login_as(qiangji_store::Role::CommitteeAdmin, t.street, None).await;
    let outsider = vec![holder(Post::Secretary, "赵六", Some(t.zhao))];
    assert!(matches!(s.set_posts(&sec, t.a, &outsider, "").await, Err(StoreError::NotFound)));
    assert_eq!(t.head().await, before + 1, "only the login's user record was added");
    let audit = qiangji_store::ledger::list(s, &t.system, None, 5).await.unwrap();
    assert!(audit.iter().any(|e| e.kind == "org.posts_changed" && e.reason == "换届"));
}
on_both!(leadership_posts_are_replaced_as_a_whole_and_recorded);
