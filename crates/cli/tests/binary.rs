//! The `qiangji` binary itself, as a user runs it.

use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_qiangji");

fn qiangji(db: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(BIN).arg("--db").arg(db).args(args).env("QIANGJI_LOG", "error").output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

#[test]
fn check_passes_on_the_demo_database_and_names_a_ledger_row_altered_in_the_file() {
    let f = qiangji_testkit::sqlite::fresh_file("binary-check");
    let url = f.url();
    let (ok, out) = qiangji(&url, &["demo", "--scale", "small"]);
    assert!(ok, "{out}");
    assert!(out.contains("zuzhibu") && out.contains("qiangji2026"), "the logins are printed: {out}");
    let (ok, out) = qiangji(&url, &["check"]);
    assert!(ok, "{out}");
    assert!(out.contains("检查通过"), "{out}");

    // Someone edits the database file directly: removes the guard and rewrites a ledger row.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = qiangji_store::Store::open(&url).await.unwrap();
        let db = store.db();
        db.exec("DROP TRIGGER ledger_no_update", vec![]).await.unwrap();
        db.exec("UPDATE ledger SET reason = '篡改' WHERE seq = 42", vec![]).await.unwrap();
        store.close().await;
    });
    let (ok, out) = qiangji(&url, &["check"]);
    assert!(!ok, "check must fail: {out}");
    assert!(out.contains("账本第42条") && out.contains("被改动"), "{out}");
}

#[test]
fn serve_with_demo_creates_the_database_and_prints_the_address_and_logins() {
    let f = qiangji_testkit::sqlite::fresh_file("binary-serve");
    let mut child = Command::new(BIN)
        .args(["--db", &f.url(), "serve", "--demo", "--scale", "small", "--addr", "127.0.0.1:0"])
        .env("QIANGJI_LOG", "error")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let (seen, address) = qiangji_testkit::serve::until_listening(&mut child);
    assert!(seen.contains("zuzhibu"), "logins printed before the address: {seen}");
    let page = qiangji_testkit::http::Client::new(&address).get("/login");
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(page.status, 200);
    assert!(page.body.contains("登录"));
}
