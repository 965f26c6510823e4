use crate::fixture::{Backend, open, tree};
use crate::on_both;
use qiangji_store::params;

async fn check_passes_on_a_consistent_database(b: Backend) {
    let t = tree(b).await;
    let report = qiangji_store::check::run(t.store().db()).await.unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
    assert_eq!((report.orgs, report.members), (8, 4));
    assert_eq!(report.ledger_entries, 8 + 4, "one entry per org and member");
}
on_both!(check_passes_on_a_consistent_database);

async fn the_ledger_refuses_updates_and_deletes(b: Backend) {
    let t = tree(b).await;
    let db = t.store().db();
    assert!(db.exec("UPDATE ledger SET reason = 'x' WHERE seq = 3", params![]).await.is_err());
    assert!(db.exec("DELETE FROM ledger WHERE seq = 3", params![]).await.is_err());
}
on_both!(the_ledger_refuses_updates_and_deletes);

async fn check_names_the_ledger_entry_altered_behind_its_back(b: Backend) {
    let t = tree(b).await;
    let db = t.store().db();
    // An attacker with the database file removes the guard and rewrites history.
    match b {
        Backend::Sqlite => db.exec("DROP TRIGGER ledger_no_update", params![]).await.unwrap(),
        Backend::Postgres => db.exec("DROP TRIGGER ledger_no_update ON ledger", params![]).await.unwrap(),
    };
    db.exec("UPDATE ledger SET payload = REPLACE(payload, '张三', '张叁') WHERE seq = 9", params![]).await.unwrap();
    let report = qiangji_store::check::run(db).await.unwrap();
    assert!(!report.is_ok());
    assert!(report.problems[0].contains("账本第9条"), "{:?}", report.problems);
    assert!(report.problems[0].contains("被改动"), "{:?}", report.problems);
}
on_both!(check_names_the_ledger_entry_altered_behind_its_back);

async fn check_finds_state_changed_outside_the_ledger(b: Backend) {
    let t = tree(b).await;
    let db = t.store().db();
    db.exec("UPDATE membership SET valid_to = '2021-01-01' WHERE member_id = ?", params![t.li.0]).await.unwrap();
    db.exec("UPDATE org SET path = '/00000001/' || '00000099/' WHERE id = ?", params![t.c.0]).await.unwrap();
    let problems = qiangji_store::check::run(db).await.unwrap().problems;
    assert!(problems.iter().any(|p| p.contains("李四") && p.contains("0段")), "{problems:?}");
    assert!(problems.iter().any(|p| p.contains("中共某公司委员会") && p.contains("路径")), "{problems:?}");
}
on_both!(check_finds_state_changed_outside_the_ledger);

async fn migrations_are_idempotent(b: Backend) {
    let t = open(b).await;
    let count = |s: &qiangji_store::Store| {
        let db = s.db().clone();
        async move { db.one("SELECT COUNT(*) FROM schema_migration", params![]).await.unwrap().int(0) }
    };
    let applied = count(&t.store).await;
    assert!(applied >= 2, "every migration is recorded once ({applied})");
    // Opening again runs the migrator again; it must find nothing to do and keep the data.
    let again = qiangji_store::Store::open_with_key(&t.url, &t.key).await.expect("reopen");
    assert_eq!(count(&again).await, applied);
    assert!(qiangji_store::check::run(again.db()).await.unwrap().is_ok());
}
on_both!(migrations_are_idempotent);
