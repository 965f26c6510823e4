//! Rotating the data key: every personal number outside the ledger sealed and indexed again under a
//! new key, the ledger's history still opening with the retired one, a stale process refused, an
//! interrupted rotation harmless and finished by a second run.

use crate::fixture::{Backend, Tree, tree};
use crate::on_both;
use qiangji_store::params;
use qiangji_store::seal::{DataKey, Field, KeyFile, Suite};
use qiangji_store::user::NewUser;
use qiangji_store::{Role, Store};

fn key_path(key: &DataKey) -> std::path::PathBuf {
    match key {
        DataKey::File { path, .. } => path.clone(),
        DataKey::Ephemeral => unreachable!("test databases have key files"),
    }
}

async fn stored_member(s: &Store, t: &Tree) -> (String, String, String) {
    let r = s.db().one("SELECT id_number, phone, id_number_index FROM member WHERE id = ?", params![t.zhang.0]);
    let r = r.await.unwrap();
    (r.text(0), r.text(1), r.text(2))
}

/// A user with a second factor being enrolled, and the secret it was given.
async fn enrolling_user(t: &Tree) -> (i64, Vec<u8>) {
    let s = t.store();
    let user = NewUser {
        username: "shuji-totp",
        display_name: "测试书记",
        password: "password-123",
        role: Role::BranchSecretary,
        scope_org_id: t.a.0,
        member_id: None,
        email: "",
    };
    s.create_user(&t.system, &user).await.unwrap();
    let token = s.login("shuji-totp", "password-123").await.unwrap();
    let session = s.session(&token).await.unwrap().unwrap();
    let secret = s.totp_begin(&session).await.unwrap();
    (session.user_id, secret)
}

async fn rotation_seals_everything_outside_the_ledger_again_and_history_still_opens(b: Backend) {
    let t = tree(b).await;
    let s = t.store();
    let zhang = s.get_member(&t.system, t.zhang).await.unwrap();
    let (user, secret) = enrolling_user(&t).await;
    let before = stored_member(s, &t).await;
    let old_key_file = std::fs::read_to_string(key_path(&t.t.key)).unwrap();

    let done = s.rotate_data_key(&t.system, &t.t.key, None).await.unwrap();
    assert_eq!(done.from, s.keys().fingerprint());
    assert_ne!(done.to, done.from);
    assert!(!done.resumed && done.suite == Suite::Standard);
    assert!(done.values >= 5, "four members and a second-factor secret: {}", done.values);

    // The process that still holds the old key may not write (it would index under it), and what
    // the new key sealed does not open for it.
    let newcomer = crate::fixture::member("孙七", "1992-01-05", 55);
    let since = crate::fixture::d("2026-01-01");
    let err = s.create_member(&t.system, t.a, &newcomer, since, "").await.unwrap_err();
    assert!(err.to_string().contains("数据密钥已轮换") && err.to_string().contains("重启"), "{err}");
    let err = s.get_member(&t.system, t.zhang).await.unwrap_err();
    assert!(err.to_string().contains("重启服务"), "{err}");
    let mut f = zhang.fields.clone();
    f.phone = "13922223333".into();

    let again = Store::open_with_key(&t.t.url, &t.t.key).await.unwrap();
    assert_eq!(again.keys().fingerprint(), done.to);
    let after = stored_member(&again, &t).await;
    assert!(after.0 != before.0 && after.1 != before.1 && after.2 != before.2, "sealed and indexed anew");
    assert_eq!(after.2, again.keys().index(Field::IdNumber, zhang.fields.id_number.as_str()));
    let found = again.find_member_by_id_number(&t.system, &zhang.fields.id_number).await.unwrap();
    assert_eq!(found.map(|m| m.fields), Some(zhang.fields.clone()), "found through the new index, opened whole");
    assert_eq!(again.totp_pending(user).await.unwrap(), Some(secret), "the second-factor secret opens");
    again.update_member(&t.system, t.zhang, &f, "核对电话").await.unwrap();

    // The ledger kept what the old key sealed; the retired key still opens it for the history.
    let history = again.member_history(&t.system, t.zhang).await.unwrap();
    let shown: String = history.entries.iter().map(|e| e.payload.clone()).collect();
    assert!(shown.contains(&zhang.fields.id_number.masked()), "{shown}");
    assert!(shown.contains("138****0000") && shown.contains("139****3333"), "{shown}");
    let entry = again.db().one("SELECT payload, actor_name FROM ledger WHERE kind = 'data_key.rotated'", params![]);
    let entry = entry.await.unwrap();
    assert!(entry.text(0).contains(&done.to) && entry.text(1).contains("测试"), "{}", entry.text(0));
    let report = qiangji_store::check::run(again.db()).await.unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);

    // The old key alone no longer opens the database; the key file stays private.
    let old = key_path(&t.t.key).with_extension("old-key");
    std::fs::write(&old, old_key_file).unwrap();
    let err = Store::open_with_key(&t.t.url, &DataKey::file(&old)).await.unwrap_err();
    assert!(err.to_string().contains("数据密钥与数据库不符"), "{err}");
    std::fs::remove_file(&old).unwrap();
    let text = std::fs::read_to_string(key_path(&t.t.key)).unwrap();
    assert_eq!(text.matches("\nretired = ").count(), 1, "{text}");
    use std::os::unix::fs::PermissionsExt as _;
    assert_eq!(std::fs::metadata(key_path(&t.t.key)).unwrap().permissions().mode() & 0o777, 0o600);
}
on_both!(rotation_seals_everything_outside_the_ledger_again_and_history_still_opens);

async fn an_interrupted_rotation_keeps_the_old_key_working_until_a_second_run_finishes_it(b: Backend) {
    let t = tree(b).await;
    let path = key_path(&t.t.key);
    // Stopped after the new key file reached the disk, before the database changed.
    let next = KeyFile::load(&t.t.key, false).unwrap().rotate(&path, Suite::Standard).unwrap();
    let target = next.current().fingerprint().to_owned();
    t.store().close().await;

    let s = Store::open_with_key(&t.t.url, &t.t.key).await.unwrap();
    assert_ne!(s.keys().fingerprint(), target, "still on the key the database records");
    let mut f = s.get_member(&t.system, t.zhang).await.unwrap().fields;
    f.phone = "13700001111".into();
    s.update_member(&t.system, t.zhang, &f, "").await.unwrap();

    let err = s.rotate_data_key(&t.system, &t.t.key, Some(Suite::National)).await.unwrap_err();
    assert!(err.to_string().contains("上次轮换尚未完成"), "the pending key is not replaced: {err}");
    let done = s.rotate_data_key(&t.system, &t.t.key, None).await.unwrap();
    assert!(done.resumed && done.to == target, "{done:?}");
    let again = Store::open_with_key(&t.t.url, &t.t.key).await.unwrap();
    assert_eq!(again.keys().fingerprint(), target);
    let back = again.find_member_by_id_number(&t.system, &f.id_number).await.unwrap().unwrap();
    assert_eq!(back.fields.phone, "13700001111");
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.matches("\nretired = ").count(), 1, "one new key, not two: {text}");
}
on_both!(an_interrupted_rotation_keeps_the_old_key_working_until_a_second_run_finishes_it);

#[tokio::test]
async fn a_rotation_can_move_to_the_national_suite() {
    let t = tree(Backend::Sqlite).await;
    let done = t.store().rotate_data_key(&t.system, &t.t.key, Some(Suite::National)).await.unwrap();
    assert_eq!(done.suite, Suite::National);
    let s = Store::open_with_key(&t.t.url, &t.t.key).await.unwrap();
    assert_eq!(s.keys().suite(), Suite::National);
    let (id_number, phone, _) = stored_member(&s, &t).await;
    assert!(id_number.starts_with("s1$") && phone.starts_with("s1$"), "SM4-GCM now");
    let zhang = s.get_member(&t.system, t.zhang).await.unwrap();
    assert_eq!(zhang.fields.phone, "13800000000");
    let history = s.member_history(&t.system, t.zhang).await.unwrap();
    assert!(history.entries.iter().any(|e| e.payload.contains("138****0000")), "AES-sealed history opens");
}
