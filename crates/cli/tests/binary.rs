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
    assert!(out.contains("zuzhibu") && out.contains("Qiangji@2026"), "the logins are printed: {out}");
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

/// A roster of `n` new members as CSV, all to be registered in the root's first branch.
fn big_roster(n: u32) -> String {
    let born = qiangji_domain::date::parse("1980-01-01").unwrap();
    let mut csv = String::from("姓名,身份证号,民族,学历,职业,入党日期,转正日期\n");
    for i in 0..n {
        let day = born + chrono::Days::new(u64::from(i % 5000));
        let id = qiangji_domain::id_number::IdNumber::compose(420100 + i / 5000, day, (i % 500) as u16 * 2 + 1);
        csv.push_str(&format!("导入{i},{id},汉族,本科,工人（工勤技能人员）,2015-07-01,2016-07-01\n"));
    }
    csv
}

#[test]
fn killing_the_process_in_the_middle_of_an_import_leaves_none_of_the_batch() {
    let f = qiangji_testkit::sqlite::fresh_file("binary-import-kill");
    let url = f.url();
    let (ok, out) = qiangji(&url, &["demo", "--scale", "small"]);
    assert!(ok, "{out}");
    let count = |sql: &str| -> i64 {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let store = qiangji_store::Store::open(&url).await.unwrap();
            let n = store.db().one(sql, vec![]).await.unwrap().int(0);
            store.close().await;
            n
        })
    };
    let members = count("SELECT COUNT(*) FROM member");
    let ledger = count("SELECT COUNT(*) FROM ledger");
    let dir = std::env::temp_dir().join(format!("qiangji-kill-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("roster.csv");
    std::fs::write(&file, big_roster(60_000)).unwrap();

    let mut child = Command::new(BIN)
        .arg("--db")
        .arg(&url)
        .args(["import", "--org", "1"])
        .arg(&file)
        .env("QIANGJI_LOG", "error")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the commit has started writing, then kill without warning.
    use std::io::BufRead;
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        seen.push(line.clone());
        if line.contains("开始写入数据库") {
            break;
        }
    }
    std::thread::sleep(std::time::Duration::from_millis(400));
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(
        !rest.iter().any(|l| l.contains("已导入")),
        "the import finished before it was killed; make the file bigger: {seen:?} {rest:?}"
    );
    assert!(seen.iter().any(|l| l.contains("将新登记60000人")), "{seen:?}");

    // Nothing of the batch is there, and the database is whole.
    assert_eq!(count("SELECT COUNT(*) FROM member"), members);
    assert_eq!(count("SELECT COUNT(*) FROM ledger"), ledger);
    assert_eq!(count("SELECT COUNT(*) FROM import_batch WHERE status = 'committed'"), 0);
    let (ok, out) = qiangji(&url, &["check"]);
    assert!(ok && out.contains("检查通过"), "{out}");
    // The same file imports whole afterwards.
    let (ok, out) = qiangji(&url, &["import", "--org", "1", file.to_str().unwrap()]);
    assert!(ok && out.contains("已导入：新登记60000人"), "{out}");
    assert_eq!(count("SELECT COUNT(*) FROM member"), members + 60_000);
    let (ok, out) = qiangji(&url, &["check"]);
    assert!(ok, "{out}");
    let _ = std::fs::remove_dir_all(dir);
}
