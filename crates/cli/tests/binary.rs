//! The `qiangji` binary itself, as a user runs it.

use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_qiangji");

fn qiangji(db: &str, args: &[&str]) -> (bool, String) {
    qiangji_with(db, args, &[])
}

/// `qiangji --db DB ARGS…` with `env` set besides: whether it succeeded, and everything it printed.
fn qiangji_with(db: &str, args: &[&str], env: &[(&str, &std::ffi::OsStr)]) -> (bool, String) {
    let mut cmd = Command::new(BIN);
    cmd.arg("--db").arg(db).args(args).env("QIANGJI_LOG", "error");
    cmd.envs(env.iter().copied());
    let out = cmd.output().unwrap();
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

/// The first row of `sql` on the database at `url`, read by `read`.
fn query<T>(url: &str, sql: &str, read: impl FnOnce(&qiangji_store::db::Row) -> T) -> T {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = qiangji_store::Store::open(url).await.unwrap();
        let v = read(&store.db().one(sql, vec![]).await.unwrap());
        store.close().await;
        v
    })
}

/// One number from the database at `url`.
fn scalar(url: &str, sql: &str) -> i64 {
    query(url, sql, |r| r.int(0))
}

/// `qiangji serve` on `url` (the small demo loaded first if the database is empty), signing
/// checkpoints every 0.3 s, on a free port. Killed (SIGKILL) on drop.
struct Server {
    child: std::process::Child,
    address: String,
}

impl Server {
    fn start(url: &str) -> Server {
        let mut child = Command::new(BIN)
            .args(["--db", url, "serve", "--demo", "--scale", "small", "--addr", "127.0.0.1:0"])
            .args(["--checkpoint-interval", "0.3"])
            .env("QIANGJI_LOG", "error")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let (_, address) = qiangji_testkit::serve::until_listening(&mut child);
        Server { child, address }
    }

    /// A client logged in over the JSON API as `dangwei`, and the organization its scope starts at.
    fn login(&self) -> (qiangji_testkit::http::Client, String, i64) {
        let c = qiangji_testkit::http::Client::new(&self.address);
        let r = c.post_json(
            "/api/v1/session",
            &serde_json::json!({"username": "dangwei", "password": qiangji::demo::DEMO_PASSWORD}),
        );
        assert_eq!(r.status, 200, "{}", r.body);
        let body = r.json();
        (c, format!("Bearer {}", body["token"].as_str().unwrap()), body["user"]["scope_org_id"].as_i64().unwrap())
    }

    fn kill(mut self) {
        self.child.kill().unwrap(); // SIGKILL on Unix
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Registers a new branch under `parent` over the JSON API: one write, one ledger entry.
/// Returns the new organization's id if the server acknowledged it.
fn new_branch(
    c: &qiangji_testkit::http::Client,
    auth: &str,
    parent: i64,
    name: &str,
) -> std::io::Result<Result<i64, String>> {
    let body = serde_json::json!({
        "name": name, "kind": "branch", "sector": "community", "formation_mode": "single", "reason": "负载测试",
    });
    let r = c.try_request(
        "POST",
        &format!("/api/v1/orgs/{parent}/children"),
        &[("content-type", "application/json"), ("authorization", auth)],
        body.to_string(),
    )?;
    Ok(if (200..300).contains(&r.status) { Ok(r.json()["id"].as_i64().unwrap()) } else { Err(r.body) })
}

/// What one writer did: the (id, name) of every write the server acknowledged, and whether it
/// ended on a network error (the server went away) rather than being told to stop.
struct Writes {
    acknowledged: Vec<(i64, String)>,
    cut_off: bool,
}

/// Writers registering branches until told to stop or the server goes away.
fn writers(
    server: &Server,
    n: usize,
    stop: &std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> Vec<std::thread::JoinHandle<Writes>> {
    (0..n)
        .map(|w| {
            let (c, auth, parent) = server.login();
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut acknowledged = Vec::new();
                for i in 0.. {
                    if stop.load(std::sync::atomic::Ordering::Relaxed) {
                        return Writes { acknowledged, cut_off: false };
                    }
                    let name = format!("中共负载测试第{w}-{i}支部委员会");
                    match new_branch(&c, &auth, parent, &name) {
                        Ok(Ok(id)) => acknowledged.push((id, name)),
                        Ok(Err(body)) => panic!("a write was refused: {body}"),
                        Err(_) => return Writes { acknowledged, cut_off: true },
                    }
                }
                unreachable!()
            })
        })
        .collect()
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !done() {
        assert!(std::time::Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn every_acknowledged_write_survives_killing_the_server_under_concurrent_load() {
    let f = qiangji_testkit::sqlite::fresh_file("binary-crash");
    let url = f.url();
    let server = Server::start(&url);
    let before = scalar(&url, "SELECT seq FROM ledger_head");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let handles = writers(&server, 4, &stop);
    // Load for a while, then kill without warning while the writers are still writing.
    wait_for("forty acknowledged writes", || scalar(&url, "SELECT seq FROM ledger_head") >= before + 40);
    std::thread::sleep(std::time::Duration::from_secs(2));
    server.kill();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert!(results.iter().all(|w| w.cut_off), "every writer was still writing when the server died");
    let acknowledged: Vec<(i64, String)> = results.into_iter().flat_map(|w| w.acknowledged).collect();
    assert!(acknowledged.len() >= 40, "{} writes acknowledged", acknowledged.len());

    // Restarted on the same database, the server has every acknowledged write.
    let server = Server::start(&url);
    let (c, auth, _) = server.login();
    for (id, name) in &acknowledged {
        let r = c.request("GET", &format!("/api/v1/orgs/{id}"), &[("authorization", &auth)], "");
        assert_eq!((r.status, r.json()["name"].as_str()), (200, Some(name.as_str())), "organization {id}");
    }
    let stored = scalar(&url, "SELECT COUNT(*) FROM org WHERE name LIKE '中共负载测试%'");
    assert!(stored >= acknowledged.len() as i64, "{stored} stored, {} acknowledged", acknowledged.len());
    assert!(stored <= acknowledged.len() as i64 + 4, "at most one unacknowledged write per writer was in flight");
    eprintln!("{} writes acknowledged before the kill, {stored} stored", acknowledged.len());
    // Checkpoints signed before the kill still anchor the chain, and the chain and data are whole.
    wait_for("a checkpoint after the restart", || {
        scalar(&url, "SELECT MAX(seq) FROM ledger_checkpoint") == scalar(&url, "SELECT seq FROM ledger_head")
    });
    server.kill();
    let (ok, out) = qiangji(&url, &["check"]);
    assert!(ok && out.contains("检查通过"), "{out}");
    assert!(out.contains("个有效") && !out.contains("未锚定"), "checkpoints pinned to the key file: {out}");
}

#[test]
fn a_backup_taken_while_the_server_writes_restores_into_a_fresh_database_that_checks() {
    let f = qiangji_testkit::sqlite::fresh_file("binary-backup");
    let url = f.url();
    let server = Server::start(&url);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let handles = writers(&server, 2, &stop);
    let head = || scalar(&url, "SELECT seq FROM ledger_head");
    let started = head();
    wait_for("writes before the backup", || head() >= started + 10);
    let file = f.dir().join("backup.sqlite");
    let at_backup = head();
    let (ok, out) = qiangji(&url, &["backup", file.to_str().unwrap()]);
    assert!(ok && out.contains("已备份到"), "{out}");
    let after_backup = head();
    wait_for("writes after the backup", || head() >= after_backup + 10);
    let (ok, out) = qiangji(&url, &["backup", file.to_str().unwrap()]);
    assert!(!ok && out.contains("已存在"), "a backup never overwrites: {out}");
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let acknowledged: usize = handles.into_iter().map(|h| h.join().unwrap().acknowledged.len()).sum();
    assert!(acknowledged >= 20);
    server.kill();

    // Without the data key the backup was sealed with, nothing is restored.
    let fresh = qiangji_testkit::sqlite::fresh_file("binary-restore");
    let key = format!("{}.checkpoint-key", f.path().display());
    let (ok, out) = qiangji(&fresh.url(), &["--checkpoint-key", key.as_str(), "restore", file.to_str().unwrap()]);
    assert!(!ok && out.contains("数据密钥"), "{out}");
    // (The first restore below succeeding proves the target was left empty.)

    // Restored with the original keys: the snapshot checks, signed checkpoints included.
    let data_key = format!("{}.data-key", f.path().display());
    let restore = |force: bool| {
        let mut args = vec!["--checkpoint-key", key.as_str(), "restore", file.to_str().unwrap()];
        args.extend(force.then_some("--force"));
        qiangji_with(&fresh.url(), &args, &[("QIANGJI_DATA_KEY", data_key.as_ref())])
    };
    let (ok, out) = restore(false);
    assert!(ok && out.contains("检查通过") && out.contains("个有效"), "{out}");
    let (ok, out) = restore(false);
    assert!(!ok && out.contains("不是空的"), "a database that is not empty is refused: {out}");
    let (ok, out) = restore(true);
    assert!(ok && out.contains("检查通过"), "unless forced: {out}");

    // The restored database keeps the key beside it from now on, like the original.
    std::fs::copy(&data_key, format!("{}.data-key", fresh.path().display())).unwrap();

    // The snapshot is one moment of the live database: a prefix of its ledger, taken while the
    // writes went on, with exactly the organizations that prefix created.
    let seq = scalar(&fresh.url(), "SELECT seq FROM ledger_head");
    assert!(at_backup <= seq && seq <= after_backup, "{at_backup} <= {seq} <= {after_backup}");
    let hash_at = |u: &str| query(u, &format!("SELECT hash FROM ledger WHERE seq = {seq}"), |r| r.text(0));
    assert_eq!(hash_at(&fresh.url()), hash_at(&url));
    let created = |u: &str| {
        scalar(u, &format!("SELECT COUNT(*) FROM ledger WHERE kind = 'org.created' AND seq <= {seq}"))
            - scalar(u, &format!("SELECT COUNT(*) FROM ledger WHERE kind = 'org.removed' AND seq <= {seq}"))
    };
    assert_eq!(scalar(&fresh.url(), "SELECT COUNT(*) FROM org"), created(&url));
    assert_eq!(scalar(&fresh.url(), "SELECT COUNT(*) FROM member"), scalar(&url, "SELECT COUNT(*) FROM member"));
    assert!(scalar(&url, "SELECT seq FROM ledger_head") > seq, "writes went on after the snapshot");
}

#[test]
fn a_postgresql_backup_restores_into_an_empty_database_with_its_checkpoints() {
    let (Some(dump), Some(_)) = (qiangji_testkit::pg::tool("pg_dump"), qiangji_testkit::pg::tool("pg_restore")) else {
        eprintln!("skipped: pg_dump and pg_restore are not installed next to the PostgreSQL server");
        return;
    };
    // The tools of the server's version first on PATH, as an operator would have them.
    let path = std::env::join_paths(
        std::iter::once(dump.parent().unwrap().to_path_buf())
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .unwrap();
    let (source, target) =
        (qiangji_testkit::pg::fresh_database("backup"), qiangji_testkit::pg::fresh_database("restore"));
    // PostgreSQL has no place beside it for the data key: both sides use the source's.
    let data_key = source.key_file();
    let run = |db: &str, args: &[&str]| {
        qiangji_with(db, args, &[("PATH", path.as_os_str()), ("QIANGJI_DATA_KEY", data_key.as_os_str())])
    };
    let dir = qiangji_testkit::sqlite::fresh_file("pg-backup");
    let key = dir.dir().join("checkpoint-key");
    let key = key.to_str().unwrap();
    let (ok, out) = run(&source.url, &["demo", "--scale", "small"]);
    assert!(ok, "{out}");
    let (ok, out) = run(&source.url, &["checkpoint"]);
    assert!(!ok && out.contains("--checkpoint-key"), "PostgreSQL has no default key: {out}");
    let (ok, out) = run(&source.url, &["--checkpoint-key", key, "checkpoint"]);
    assert!(ok && out.contains("已签署检查点"), "{out}");
    let file = dir.dir().join("backup.dump");
    let (ok, out) = run(&source.url, &["backup", file.to_str().unwrap()]);
    assert!(ok, "{out}");

    let (ok, out) = run(&target.url, &["--checkpoint-key", key, "restore", file.to_str().unwrap()]);
    assert!(ok && out.contains("检查通过") && out.contains("1个有效"), "{out}");
    for table in ["org", "member", "ledger", "ledger_checkpoint", "meeting", "app_user"] {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        assert_eq!(source.psql(&sql), target.psql(&sql), "{table}");
    }
    let (ok, out) = run(&target.url, &["restore", file.to_str().unwrap()]);
    assert!(!ok && out.contains("不是空的"), "{out}");
    // Without pg_dump on PATH the command says what is missing.
    let out = Command::new(BIN)
        .args(["--db", &source.url, "backup"])
        .arg(dir.dir().join("again.dump"))
        .env("PATH", "/nonexistent")
        .output()
        .unwrap();
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("PATH 中没有 pg_dump"));
}

#[test]
fn rotating_the_data_key_keeps_the_database_checking_and_older_backups_restorable() {
    let f = qiangji_testkit::sqlite::fresh_file("binary-rotate");
    let url = f.url();
    let (ok, out) = qiangji(&url, &["demo", "--scale", "small"]);
    assert!(ok, "{out}");
    let backup = f.dir().join("before-rotation.sqlite");
    let (ok, out) = qiangji(&url, &["backup", backup.to_str().unwrap()]);
    assert!(ok, "{out}");

    let (ok, out) = qiangji(&url, &["rotate-data-key"]);
    assert!(ok && out.contains("数据密钥已轮换") && out.contains("重新加密"), "{out}");
    let (ok, out) = qiangji(&url, &["rotate-data-key", "--suite", "national"]);
    assert!(ok && out.contains("national"), "{out}");
    let data_key = format!("{}.data-key", f.path().display());
    let text = std::fs::read_to_string(&data_key).unwrap();
    assert!(text.contains("suite = national") && text.matches("\nretired = ").count() == 2, "{text}");
    let (ok, out) = qiangji(&url, &["check"]);
    assert!(ok && out.contains("检查通过"), "{out}");
    let sealed = query(&url, "SELECT id_number FROM member ORDER BY id LIMIT 1", |r| r.text(0));
    assert!(sealed.starts_with("s1$"), "{sealed}");

    // A backup from before the rotation is sealed under a key the file keeps as retired.
    let fresh = qiangji_testkit::sqlite::fresh_file("binary-rotate-restore");
    let checkpoint_key = format!("{}.checkpoint-key", f.path().display());
    let env = [("QIANGJI_DATA_KEY", data_key.as_ref()), ("QIANGJI_CHECKPOINT_KEY", checkpoint_key.as_ref())];
    let (ok, out) = qiangji_with(&fresh.url(), &["restore", backup.to_str().unwrap()], &env);
    assert!(ok && out.contains("检查通过"), "{out}");
}
