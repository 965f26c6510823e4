//! Personal numbers at rest: sealed in every table and ledger entry, found through the blind index,
//! opened only with the database's own key, masked wherever they are shown.

use crate::fixture::{Backend, tree};
use crate::on_both;
use qiangji_store::params;
use qiangji_store::seal::{DataKey, Suite};

/// Every stored text of the database that could hold a number, concatenated.
async fn everything_stored(s: &qiangji_store::Store) -> String {
    let mut all = String::new();
    for sql in [
        "SELECT id_number || '|' || phone || '|' || COALESCE(id_number_index, '') FROM member",
        "SELECT payload FROM ledger",
    ] {
        for r in s.db().all(sql, params![]).await.unwrap() {
            all.push_str(&r.text(0));
            all.push('\n');
        }
    }
    all
}

async fn numbers_are_sealed_at_rest_and_open_only_through_the_store(b: Backend) {
    let t = tree(b).await;
    let s = t.store();
    let zhang = s.get_member(&t.system, t.zhang).await.unwrap();
    let id = zhang.fields.id_number.as_str().to_owned();
    assert_eq!(zhang.fields.phone, "13800000000", "the store hands back the clear value");

    let stored = everything_stored(s).await;
    assert!(stored.contains("joined_on"), "the ledger was read");
    assert!(!stored.contains(&id), "the identity number is nowhere in the clear");
    assert!(!stored.contains("13800000000"), "nor the phone number");
    let row = s.db().one("SELECT id_number, phone, id_number_index FROM member WHERE id = ?", params![t.zhang.0]).await;
    let row = row.unwrap();
    assert!(row.text(0).starts_with("a1$") && row.text(1).starts_with("a1$"), "AES-256-GCM by default");
    assert_eq!(row.text(2), s.keys().index(qiangji_store::seal::Field::IdNumber, &id));

    // Found by the whole number through the index; the history shows it masked.
    let found = s.find_member_by_id_number(&t.system, &zhang.fields.id_number).await.unwrap().unwrap();
    assert_eq!(found.id, t.zhang);
    let mut f = zhang.fields.clone();
    f.phone = "13911112222".into();
    s.update_member(&t.system, t.zhang, &f, "").await.unwrap();
    let history = s.member_history(&t.system, t.zhang).await.unwrap();
    let shown: String = history.entries.iter().map(|e| e.payload.clone()).collect();
    assert!(shown.contains(&zhang.fields.id_number.masked()) && !shown.contains(&id), "{shown}");
    assert!(shown.contains("139****2222") && !shown.contains("13911112222"), "{shown}");
    assert!(!shown.contains("a1$"), "no sealed value reaches a page");
}
on_both!(numbers_are_sealed_at_rest_and_open_only_through_the_store);

async fn another_key_cannot_open_the_database(b: Backend) {
    let t = tree(b).await;
    let other = std::env::temp_dir().join(format!("qiangji-other-{}-{:?}.key", std::process::id(), b));
    let _ = std::fs::remove_file(&other);
    let err = qiangji_store::Store::open_with_key(&t.t.url, &DataKey::file(&other)).await.unwrap_err();
    assert!(err.to_string().contains("找不到数据密钥文件"), "no new key is made for a sealed database: {err}");
    assert!(!other.exists());
    std::fs::write(&other, format!("suite = standard\nkey = {}\n", "ab".repeat(32))).unwrap();
    let err = qiangji_store::Store::open_with_key(&t.t.url, &DataKey::file(&other)).await.unwrap_err();
    assert!(err.to_string().contains("数据密钥与数据库不符"), "{err}");
    std::fs::remove_file(&other).unwrap();
    // With its own key it opens and reads.
    let again = qiangji_store::Store::open_with_key(&t.t.url, &t.t.key).await.unwrap();
    assert_eq!(again.get_member(&t.system, t.zhang).await.unwrap().fields.phone, "13800000000");
}
on_both!(another_key_cannot_open_the_database);

async fn numbers_an_older_version_stored_in_the_clear_are_sealed_on_opening(b: Backend) {
    let t = tree(b).await;
    let s = t.store();
    let zhang = s.get_member(&t.system, t.zhang).await.unwrap();
    // As the database was before encryption: clear values, no index, no recorded key.
    s.db()
        .exec(
            "UPDATE member SET id_number = ?, phone = ?, id_number_index = NULL WHERE id = ?",
            params![zhang.fields.id_number.as_str(), "13800000000", t.zhang.0],
        )
        .await
        .unwrap();
    s.db().exec("DELETE FROM data_key", params![]).await.unwrap();
    let again = qiangji_store::Store::open_with_key(&t.t.url, &t.t.key).await.unwrap();
    let row = again.db().one("SELECT id_number, phone, id_number_index FROM member WHERE id = ?", params![t.zhang.0]);
    let row = row.await.unwrap();
    assert!(row.text(0).starts_with("a1$") && row.text(1).starts_with("a1$") && !row.text(2).is_empty());
    let found = again.find_member_by_id_number(&t.system, &zhang.fields.id_number).await.unwrap();
    assert_eq!(found.map(|m| m.fields.phone), Some("13800000000".into()));
}
on_both!(numbers_an_older_version_stored_in_the_clear_are_sealed_on_opening);

#[tokio::test]
async fn the_national_suite_seals_with_sm4_and_indexes_with_sm3() {
    let f = qiangji_testkit::sqlite::fresh_file("national");
    let key = DataKey::File { path: f.dir().join("national.key"), suite: Suite::National };
    let s = qiangji_store::Store::open_with_key(&f.url(), &key).await.unwrap();
    assert_eq!(s.keys().suite(), Suite::National);
    let system = qiangji_store::Access::system("测试", 1);
    let city = crate::fixture::org("中共测试市委组织部", "department", "mixed", false);
    let city = s.create_root_org(&system, &city, "建库").await.unwrap();
    let branch = crate::fixture::org("中共甲社区支部委员会", "branch", "community", false);
    let branch = s.create_org(&system, city, &branch, "").await.unwrap();
    let zhang = crate::fixture::member("张三", "1980-05-01", 11);
    let id = s.create_member(&system, branch, &zhang, crate::fixture::d("2020-01-01"), "").await.unwrap();
    let r = s.db().one("SELECT id_number, phone FROM member WHERE id = ?", params![id.0]).await.unwrap();
    assert!(r.text(0).starts_with("s1$") && r.text(1).starts_with("s1$"), "{} {}", r.text(0), r.text(1));
    let recorded = s.db().one("SELECT suite FROM data_key", params![]).await.unwrap().text(0);
    assert_eq!(recorded, "national");
    let back = s.get_member(&system, id).await.unwrap();
    assert_eq!((back.fields.id_number, back.fields.phone), (zhang.id_number, zhang.phone));
}
