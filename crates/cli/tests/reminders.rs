//! Reminders through the real binary: a real SMTP receiver and a real HTTP SMS hook (small servers
//! in this test that record what they get), the server stopped and started again over the same
//! database on the same day — and every reminder arrives exactly once on every channel.

use qiangji_domain::date::parse;
use qiangji_domain::id_number::IdNumber;
use qiangji_domain::member::MemberInput;
use qiangji_domain::org::{OrgId, OrgInput, Post};
use qiangji_store::org::posts::PostHolder;
use qiangji_store::user::NewUser;
use qiangji_store::{Access, Role, Store};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const BIN: &str = env!("CARGO_BIN_EXE_qiangji");
/// The day the server schedules for: three days before March's and the first quarter's
/// requirements fall due. Injected, so the test does not depend on today's date.
const DAY: &str = "2026-03-28";
const FROM: &str = "qiangji@example.org";

type Log = Arc<Mutex<Vec<String>>>;

/// An SMTP receiver that accepts every message and records its text.
async fn smtp_receiver(log: Log) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let log = log.clone();
            tokio::spawn(async move {
                let (r, mut w) = stream.into_split();
                let mut lines = tokio::io::BufReader::new(r).lines();
                w.write_all(b"220 test ESMTP\r\n").await.unwrap();
                while let Ok(Some(line)) = lines.next_line().await {
                    let answer: &[u8] = match line.get(..4).unwrap_or("").to_ascii_uppercase().as_str() {
                        "EHLO" => b"250-test\r\n250 8BITMIME\r\n",
                        "DATA" => {
                            w.write_all(b"354 go ahead\r\n").await.unwrap();
                            let mut message = String::new();
                            while let Ok(Some(l)) = lines.next_line().await {
                                if l == "." {
                                    break;
                                }
                                message.push_str(&l);
                                message.push('\n');
                            }
                            log.lock().unwrap().push(message);
                            b"250 queued\r\n"
                        }
                        "QUIT" => {
                            let _ = w.write_all(b"221 bye\r\n").await;
                            return;
                        }
                        _ => b"250 OK\r\n",
                    };
                    w.write_all(answer).await.unwrap();
                }
            });
        }
    });
    addr
}

/// An SMS hook on `listener` that answers 200 and records each request's Idempotency-Key and body.
fn sms_receiver(listener: TcpListener, log: Log) {
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let log = log.clone();
            tokio::spawn(async move {
                let mut r = tokio::io::BufReader::new(stream);
                let (mut key, mut length) = (String::new(), 0usize);
                loop {
                    let mut line = String::new();
                    r.read_line(&mut line).await.unwrap();
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some((name, value)) = line.split_once(':') {
                        match name.to_ascii_lowercase().as_str() {
                            "idempotency-key" => key = value.trim().to_owned(),
                            "content-length" => length = value.trim().parse().unwrap(),
                            _ => {}
                        }
                    }
                }
                let mut body = vec![0; length];
                r.read_exact(&mut body).await.unwrap();
                log.lock().unwrap().push(format!("{key}\n{}", String::from_utf8(body).unwrap()));
                r.into_inner()
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    .await
                    .unwrap();
            });
        }
    });
}

/// A city with one branch whose secretary 张三 has a phone and an account with an email address.
async fn branch_with_secretary(store: &Store) -> (OrgId, i64) {
    let on = parse("2026-01-01").unwrap();
    let system = Access::system("测试", 1);
    let org = |name: &str, kind: &str| {
        OrgInput {
            name: name.into(),
            kind: kind.into(),
            sector: "community".into(),
            formation_mode: "single".into(),
            ..Default::default()
        }
        .validate(on)
        .unwrap()
    };
    let city = store.create_root_org(&system, &org("中共测试市委组织部", "department"), "建库").await.unwrap();
    let branch = store.create_org(&system, city, &org("中共甲社区支部委员会", "branch"), "").await.unwrap();
    let id = IdNumber::compose(330203, parse("1980-05-01").unwrap(), 11);
    let member = MemberInput {
        name: "张三".into(),
        sex: id.sex().code().into(),
        ethnicity: "01".into(),
        id_number: id.to_string(),
        education: "university".into(),
        occupation: "professional".into(),
        joined_on: "2010-07-01".into(),
        full_on: "2011-07-01".into(),
        kind: "full".into(),
        phone: "13800000000".into(),
        ..Default::default()
    }
    .validate(on)
    .unwrap();
    let zhang = store.create_member(&system, branch, &member, parse("2020-01-01").unwrap(), "").await.unwrap();
    let post =
        PostHolder { post: Post::Secretary, person_name: "张三".into(), member_id: Some(zhang.0), since: None };
    store.set_posts(&system, branch, &[post], "").await.unwrap();
    let user = NewUser {
        username: "zhangsan",
        display_name: "张三",
        password: "password-123",
        role: Role::Member,
        scope_org_id: branch.0,
        member_id: Some(zhang.0),
        email: "zhang@example.org",
    };
    (branch, store.create_user(&system, &user).await.unwrap())
}

/// `qiangji serve` with both channels, looking every 200 ms; returns once it listens.
fn serve(db: &str, smtp: &str, sms_hook: &str) -> Child {
    let mut child = Command::new(BIN)
        .args(["--db", db, "serve", "--addr", "127.0.0.1:0", "--smtp", smtp, "--smtp-from", FROM])
        .args(["--sms-hook", sms_hook, "--reminder-interval", "0.2", "--reminder-retry", "0.2"])
        .env("QIANGJI_REMINDER_DAY", DAY)
        .env("QIANGJI_LOG", "error")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    qiangji_testkit::serve::until_listening(&mut child);
    child
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "waited in vain for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// How often each value occurs, by value.
fn counts(values: impl Iterator<Item = String>) -> std::collections::BTreeMap<String, usize> {
    let mut m = std::collections::BTreeMap::new();
    for v in values {
        *m.entry(v).or_default() += 1;
    }
    m
}

#[test]
fn every_reminder_is_delivered_exactly_once_across_a_restart_even_through_a_hook_that_was_down() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let f = qiangji_testkit::sqlite::fresh_file("reminders");
    let url = f.url();
    let store = rt.block_on(Store::open(&url)).unwrap();
    let (branch, user) = rt.block_on(branch_with_secretary(&store));
    let (mails, texts): (Log, Log) = Default::default();
    let smtp = rt.block_on(smtp_receiver(mails.clone()));
    // The SMS hook's port, with nothing listening on it yet: the gateway is down.
    let sms_port = rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap().local_addr().unwrap().port();
    let hook = format!("http://127.0.0.1:{sms_port}/send");
    let db = store.db();
    let query = |sql: &str| rt.block_on(db.all(sql, vec![])).unwrap();
    let one = |sql: &str| query(sql)[0].int(0);

    let mut first = serve(&url, &smtp, &hook);
    let reminders = || one("SELECT COUNT(*) FROM reminder");
    wait_until("the reminders", || reminders() > 0);
    wait_until("failed SMS attempts", || one("SELECT MIN(attempts) FROM reminder_delivery WHERE channel = 'sms'") >= 2);
    assert!(texts.lock().unwrap().is_empty());
    rt.block_on(async {
        let listener = TcpListener::bind(("127.0.0.1", sms_port)).await.unwrap();
        sms_receiver(listener, texts.clone());
    });
    let n = reminders() as usize;
    wait_until("every delivery", || one("SELECT COUNT(*) FROM reminder_delivery WHERE status <> 'delivered'") == 0);
    first.kill().unwrap();
    first.wait().unwrap();

    let mut second = serve(&url, &smtp, &hook);
    std::thread::sleep(Duration::from_millis(1500));
    second.kill().unwrap();
    second.wait().unwrap();

    // March's monthly requirements and the first quarter's, each at its 3-day stage, nothing else.
    let keys: Vec<String> =
        query("SELECT dedupe_key FROM reminder ORDER BY dedupe_key").iter().map(|r| r.text(0)).collect();
    assert_eq!(keys.len(), n, "no reminder was added by the restart");
    assert!(keys.iter().all(|k| k.starts_with(&format!("orglife/{}/", branch.0)) && k.ends_with("/3d")), "{keys:?}");
    assert!(
        keys.iter().any(|k| k.contains("/2026-03-01/")) && keys.iter().any(|k| k.contains("/2026-01-01/")),
        "{keys:?}"
    );

    let mails = mails.lock().unwrap();
    let ids = counts(
        mails.iter().map(|m| m.lines().find_map(|l| l.strip_prefix("Message-ID: ")).expect("a Message-ID").to_owned()),
    );
    let expected: std::collections::BTreeMap<String, usize> =
        keys.iter().map(|k| (qiangji_web::reminder::smtp::message_id(k, FROM), 1)).collect();
    assert_eq!(ids, expected, "one email per reminder");
    assert!(mails.iter().all(|m| m.contains("To: <zhang@example.org>") && m.contains("Subject: =?UTF-8?B?")));

    let texts = texts.lock().unwrap();
    let sms = counts(texts.iter().map(|t| t.lines().next().unwrap().to_owned()));
    assert_eq!(sms, keys.iter().map(|k| (k.clone(), 1)).collect(), "one SMS per reminder, by Idempotency-Key");
    let body: serde_json::Value = serde_json::from_str(texts[0].split_once('\n').unwrap().1).unwrap();
    assert_eq!(body["phone"], "13800000000");
    assert!(body["text"].as_str().unwrap().contains("还剩3天截止"), "{body}");

    let notified = counts(
        query(&format!("SELECT reminder_id FROM notification WHERE user_id = {user}"))
            .iter()
            .map(|r| r.int(0).to_string()),
    );
    assert_eq!((notified.len(), notified.values().max()), (n, Some(&1)), "one notification per reminder");
    assert_eq!(one("SELECT COUNT(*) FROM notification"), n as i64);
    assert!(one("SELECT MIN(attempts) FROM reminder_delivery WHERE channel = 'sms'") > 1, "the SMS was retried");
    assert_eq!(one("SELECT COUNT(*) FROM reminder_delivery WHERE status = 'delivered'"), 3 * n as i64);
}
