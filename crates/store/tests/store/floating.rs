use crate::fixture::{Backend, d, tree};
use crate::on_both;
use qiangji_domain::floating::registry::{RegistryFlag, RegistrySource, parse};
use qiangji_domain::floating::{
    ContactInput, Direction, EndInput, EndReason, FloatingError, Inflow, InflowInput, Outflow, OutflowInput,
};
use qiangji_domain::id_number::IdNumber;
use qiangji_store::floating::registry::Import;
use qiangji_store::{Role, StoreError};

fn today() -> qiangji_domain::Date {
    qiangji_domain::date::today()
}

fn outflow(since: &str) -> Outflow {
    OutflowInput {
        place: "广东省深圳市南山区".into(),
        unit: "深圳某科技有限公司".into(),
        reason: "business".into(),
        fixed_place: true,
        since: since.into(),
        activity_card: "浙甬2026001".into(),
        ..Default::default()
    }
    .validate(today())
    .unwrap()
}

fn inflow(id_number: &str, since: &str) -> Inflow {
    InflowInput {
        name: "外来党员".into(),
        id_number: id_number.into(),
        origin_org: "中共某县某村支部委员会".into(),
        origin_place: "安徽省某县".into(),
        since: since.into(),
        ..Default::default()
    }
    .validate(today())
    .unwrap()
}

fn contact(on: &str) -> qiangji_domain::floating::Contact {
    ContactInput { on: on.into(), way: "phone".into(), note: "电话联系，工作稳定".into() }.validate(today()).unwrap()
}

fn end(on: &str, reason: &str) -> qiangji_domain::floating::End {
    EndInput { on: on.into(), reason: reason.into() }.validate(today()).unwrap()
}

async fn an_outflow_sets_the_floating_flag_until_it_ends_and_every_step_is_in_the_ledger(b: Backend) {
    let t = tree(b).await;
    let s = t.store();
    let id = s.register_outflow(&t.system, t.zhang, &outflow("2026-01-10"), "外出务工").await.unwrap();
    assert!(s.get_member(&t.system, t.zhang).await.unwrap().fields.floating);
    let before = t.head().await;
    let err = s.register_outflow(&t.system, t.zhang, &outflow("2026-02-01"), "").await.unwrap_err();
    assert_eq!(err.code(), "floating.already_out");
    assert_eq!(t.head().await, before, "a refused step writes nothing");
    let err = s.record_contact(&t.system, t.zhang, &contact("2026-01-09"), "").await.unwrap_err();
    assert_eq!(err.code(), "floating.date_order");
    s.record_contact(&t.system, t.zhang, &contact("2026-02-01"), "").await.unwrap();
    let (regs, contacts) = s.member_floating(&t.system, t.zhang).await.unwrap();
    assert_eq!(regs.len(), 1);
    assert_eq!((regs[0].id, regs[0].direction, regs[0].last_contact), (id, Direction::Outflow, Some(d("2026-02-01"))));
    assert_eq!(contacts.len(), 1);
    let err = s.end_floating(&t.system, id, &end("2026-01-31", "returned"), "").await.unwrap_err();
    assert_eq!(err.code(), "floating.date_order", "not before the last contact");
    s.end_floating(&t.system, id, &end("2026-03-01", "returned"), "返乡").await.unwrap();
    assert!(!s.get_member(&t.system, t.zhang).await.unwrap().fields.floating);
    assert_eq!(s.get_floating(&t.system, id).await.unwrap().ended, Some((d("2026-03-01"), EndReason::Returned)));
    let err = s.end_floating(&t.system, id, &end("2026-03-02", "returned"), "").await.unwrap_err();
    assert!(matches!(err, StoreError::Floating(FloatingError::NotOut)), "{err:?}");
    assert_eq!(
        s.record_contact(&t.system, t.zhang, &contact("2026-03-02"), "").await.unwrap_err().code(),
        "floating.not_out"
    );
    let h = s.member_history(&t.system, t.zhang).await.unwrap();
    let kinds: Vec<&str> = h.entries.iter().map(|e| e.kind.as_str()).filter(|k| k.starts_with("floating.")).collect();
    assert_eq!(kinds, ["floating.outflow_registered", "floating.contact_recorded", "floating.ended"]);
    let first: serde_json::Value =
        serde_json::from_str(&h.entries.iter().find(|e| e.kind == "floating.outflow_registered").unwrap().payload)
            .unwrap();
    assert_eq!(first["changes"]["floating"], serde_json::json!(["0", "1"]));
    // The flag follows the registrations: it cannot be cleared by hand while out, and a flag set
    // by hand without a registration is listed for someone to register.
    s.register_outflow(&t.system, t.li, &outflow("2026-01-10"), "").await.unwrap();
    let mut li = s.get_member(&t.system, t.li).await.unwrap().fields;
    li.floating = false;
    assert_eq!(s.update_member(&t.system, t.li, &li, "").await.unwrap_err().code(), "invalid");
    assert!(s.list_unregistered_floating(&t.system, t.a).await.unwrap().is_empty());
    let mut wang = s.get_member(&t.system, t.wang).await.unwrap().fields;
    wang.floating = true;
    s.update_member(&t.system, t.wang, &wang, "").await.unwrap();
    let listed = s.list_unregistered_floating(&t.system, t.street).await.unwrap();
    assert_eq!(listed.iter().map(|r| r.0).collect::<Vec<_>>(), [t.wang]);
    // Out again after returning.
    s.register_outflow(&t.system, t.zhang, &outflow("2026-04-01"), "").await.unwrap();
    assert_eq!(s.list_floating(&t.system, t.a, false).await.unwrap().len(), 2, "张三 and 李四");
    assert_eq!(s.list_floating(&t.system, t.a, true).await.unwrap().len(), 3);
}
on_both!(an_outflow_sets_the_floating_flag_until_it_ends_and_every_step_is_in_the_ledger);

async fn another_branch_can_neither_see_nor_register_a_members_outflow(b: Backend) {
    let t = tree(b).await;
    let s = t.store();
    let id = s.register_outflow(&t.system, t.zhang, &outflow("2026-01-10"), "").await.unwrap();
    let other = t.login_as(Role::BranchSecretary, t.b, None).await;
    let before = t.head().await;
    assert!(matches!(s.register_outflow(&other, t.li, &outflow("2026-01-10"), "").await, Err(StoreError::NotFound)));
    assert!(matches!(s.record_contact(&other, t.zhang, &contact("2026-02-01"), "").await, Err(StoreError::NotFound)));
    assert!(matches!(s.end_floating(&other, id, &end("2026-02-01", "returned"), "").await, Err(StoreError::NotFound)));
    assert!(matches!(s.list_floating(&other, t.a, false).await, Err(StoreError::NotFound)));
    assert!(matches!(s.member_floating(&other, t.zhang).await, Err(StoreError::NotFound)));
    assert!(s.list_floating(&other, t.b, false).await.unwrap().is_empty());
    assert_eq!(t.head().await, before);
    let own = t.login_as(Role::BranchSecretary, t.a, None).await;
    assert_eq!(s.list_floating(&own, t.a, false).await.unwrap().len(), 1);
    let street = t.login_as(Role::CommitteeAdmin, t.street, None).await;
    assert_eq!(s.list_floating(&street, t.street, false).await.unwrap().len(), 1, "the subtree's outflows");
    let me = t.login_as(Role::Member, t.a, Some(t.li)).await;
    assert!(matches!(s.register_outflow(&me, t.li, &outflow("2026-01-10"), "").await, Err(StoreError::Forbidden)));
}
on_both!(another_branch_can_neither_see_nor_register_a_members_outflow);

async fn an_inflow_is_registered_once_at_a_host_and_linked_to_a_member_of_ours(b: Backend) {
    let t = tree(b).await;
    let s = t.store();
    let outsider = IdNumber::compose(340100, d("1988-03-03"), 55).to_string();
    let id = s.register_inflow(&t.system, t.b, &inflow(&outsider, "2026-02-01"), "来本地务工").await.unwrap();
    let err = s.register_inflow(&t.system, t.c1, &inflow(&outsider, "2026-03-01"), "").await.unwrap_err();
    assert_eq!(err.code(), "floating.already_in");
    let r = s.get_floating(&t.system, id).await.unwrap();
    assert_eq!((r.member_id, r.direction, r.org_id), (None, Direction::Inflow, t.b));
    assert!(r.id_number.contains("****"), "masked: {}", r.id_number);
    // Zhang of branch A is hosted by company branch C1; A's own registration is no inflow.
    let zhang = s.get_member(&t.system, t.zhang).await.unwrap().fields.id_number.to_string();
    let err = s.register_inflow(&t.system, t.a, &inflow(&zhang, "2026-02-01"), "").await.unwrap_err();
    assert_eq!(err.code(), "floating.host_is_home");
    let host = t.login_as(Role::BranchSecretary, t.c1, None).await;
    let linked = s.register_inflow(&host, t.c1, &inflow(&zhang, "2026-02-01"), "").await.unwrap();
    assert_eq!(s.get_floating(&host, linked).await.unwrap().member_id, Some(t.zhang));
    assert!(!s.get_member(&t.system, t.zhang).await.unwrap().fields.floating, "an inflow is not an outflow");
    let listed = s.list_floating(&host, t.c1, false).await.unwrap();
    assert_eq!(listed.iter().map(|r| r.id).collect::<Vec<_>>(), [linked]);
    s.end_floating(&host, linked, &end("2026-03-01", "transferred"), "").await.unwrap();
    assert_eq!(
        s.end_floating(&host, linked, &end("2026-03-01", "returned"), "").await.unwrap_err().code(),
        "floating.not_in"
    );
    s.end_floating(&t.system, id, &end("2026-03-01", "returned"), "").await.unwrap();
    s.register_inflow(&t.system, t.c1, &inflow(&outsider, "2026-03-05"), "").await.unwrap();
}
on_both!(an_inflow_is_registered_once_at_a_host_and_linked_to_a_member_of_ours);

async fn a_registry_import_flags_the_subtrees_members_and_counts_everyone_else(b: Backend) {
    let t = tree(b).await;
    let s = t.store();
    let mut zhang = s.get_member(&t.system, t.zhang).await.unwrap().fields;
    zhang.address = "测试市鼓楼街道甲社区1号".into();
    s.update_member(&t.system, t.zhang, &zhang, "").await.unwrap();
    let li = s.get_member(&t.system, t.li).await.unwrap().fields.id_number;
    let wang = s.get_member(&t.system, t.wang).await.unwrap().fields.id_number;
    let csv = format!(
        "身份证号,姓名,统一社会信用代码,单位名称,登记地,日期\n\
         {},张三,,,测试市江北区,2026-03-01\n\
         {},李四,91330200X,某新公司,,2026-03-01\n\
         {},王五,,,外省某市,2026-03-01\n\
         123,某人,,,,\n",
        zhang.id_number.as_str().to_lowercase(),
        li,
        wang
    );
    let (rows, invalid) = parse(csv.as_bytes()).unwrap();
    let own = t.login_as(Role::BranchSecretary, t.a, None).await;
    let before = t.head().await;
    let (batch, report) = s
        .import_registry(
            &own,
            t.a,
            Import { source: RegistrySource::Police, file_name: "公安.csv", area: "测试市", rows: &rows, invalid },
        )
        .await
        .unwrap();
    assert_eq!(t.head().await, before + 1, "one ledger entry");
    assert_eq!((report.rows, report.matched, report.unknown, report.invalid.len()), (4, 2, 1, 1));
    assert_eq!(report.count(RegistryFlag::Arrival), 1);
    assert_eq!(report.count(RegistryFlag::UnitChange), 1);
    let (stored, found) = s.get_registry_batch(&own, batch).await.unwrap();
    assert_eq!((stored.rows, stored.matched, stored.unknown, stored.invalid), (4, 2, 1, 1));
    assert_eq!((stored.arrivals, stored.departures, stored.unit_changes), (1, 0, 1));
    assert_eq!(found.len(), 3);
    assert_eq!(found[0].member_name, "张三");
    assert_eq!(found[0].flags, [RegistryFlag::Arrival]);
    assert_eq!(found[1].flags, [RegistryFlag::UnitChange]);
    assert!(found[2].member_id.is_none() && found[2].detail.contains("身份证号"));
    assert_eq!(s.list_registry_batches(&own, t.a).await.unwrap().len(), 1);
    let other = t.login_as(Role::BranchSecretary, t.b, None).await;
    assert!(matches!(s.get_registry_batch(&other, batch).await, Err(StoreError::NotFound)));
    assert!(s.list_registry_batches(&other, t.b).await.unwrap().is_empty());
    let entry = qiangji_store::ledger::since(s.db(), before, 10).await.unwrap();
    assert_eq!(entry[0].kind, "registry.imported");
    assert_eq!(entry[0].subject, format!("registry:{batch}"));
}
on_both!(a_registry_import_flags_the_subtrees_members_and_counts_everyone_else);
