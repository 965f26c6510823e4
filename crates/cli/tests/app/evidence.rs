//! A record's evidence over HTTP: photos uploaded through the API and the page's form, refused
//! whole when over a limit (ledger head unchanged), served back with their type; and the checks for
//! formalism of a subtree, which find the demo's planted cases — on SQLite and PostgreSQL.

use crate::harness::{Backend, TestApp};
use qiangji_testkit::http::{Client, Response};

fn multipart(file_name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "qiangji-test-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn upload(c: &Client, csrf: &str, path: &str, file_name: &str, bytes: &[u8]) -> Response {
    let (content_type, body) = multipart(file_name, bytes);
    c.request("POST", path, &[("content-type", content_type.as_str()), ("x-csrf-token", csrf)], body)
}

fn flow(backend: Backend) {
    let app = TestApp::spawn(backend);
    let (officer, csrf) = app.login("zuzhibu");
    let meeting: i64 = app.rt.block_on(app.store.db().one("SELECT MIN(id) FROM meeting", vec![])).unwrap().int(0);
    let api = format!("/api/v1/meetings/{meeting}/attachments");
    let held: usize =
        officer.get(&format!("/api/v1/meetings/{meeting}")).json()["attachments"].as_array().unwrap().len();
    let png = qiangji_demo::orglife::png(424_242);
    let head = app.head();

    let mut big = vec![0u8; qiangji_domain::orglife::attachment::MAX_BYTES + 1];
    big[..3].copy_from_slice(&[0xFF, 0xD8, 0xFF]);
    let r = upload(&officer, &csrf, &api, "大.jpg", &big);
    assert_eq!((r.status, r.json()["code"].as_str()), (413, Some("attachment.too_large")), "{}", r.body);
    let r = upload(&officer, &csrf, &api, "纪要.png", b"PK\x03\x04 a word file");
    assert_eq!((r.status, r.json()["code"].as_str()), (422, Some("attachment.type_unknown")), "{}", r.body);
    assert!(r.json()["message"].as_str().unwrap().contains("JPEG、PNG"));
    assert_eq!(app.head(), head, "refused files write nothing");

    for i in held..20 {
        let r = upload(&officer, &csrf, &api, &format!("照片{i}.png"), &png);
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let full = app.head();
    assert_eq!(full, head + (20 - held) as i64, "one ledger entry per file");
    let r = upload(&officer, &csrf, &api, "第21张.png", &png);
    assert_eq!((r.status, r.json()["code"].as_str()), (422, Some("attachment.too_many")), "{}", r.body);
    assert_eq!(app.head(), full);

    let m = officer.get(&format!("/api/v1/meetings/{meeting}")).json();
    let last = &m["attachments"][19];
    assert_eq!((last["file_name"].as_str(), last["content_type"].as_str()), (Some("照片19.png"), Some("image/png")));
    let file = officer.get(last["url"].as_str().unwrap());
    assert_eq!((file.status, file.header("content-type")), (200, Some("image/png")));
    assert_eq!(file.header("content-length"), Some(png.len().to_string().as_str()), "the stored bytes, whole");
    let page = officer.get(&format!("/meetings/{meeting}"));
    assert!(page.body.contains(&format!("<img src=\"{}\"", last["url"].as_str().unwrap())), "thumbnails shown");
    assert!(!page.body.contains("id=\"upload\""), "no upload form on a full record");

    // The checks of the whole city find the demo's planted cases of every signal.
    let v = officer.get("/api/v1/orgs/1/verification").json();
    for signal in ["near_duplicate", "late_entry", "overlapping_attendance", "reused_photo"] {
        assert!(v["counts"][signal].as_u64().unwrap() > 0, "{signal}: {v}");
    }
    assert_eq!(v["items"][0]["records"].as_array().unwrap().len(), 2, "{}", v["items"][0]);
    let html = officer.get("/orgs/1/verification");
    assert_eq!(html.status, 200);
    assert!(html.body.contains("会议记录内容雷同") && html.body.contains("不作为扣分"));

    // A large subtree takes the whole tree's checks, run in the background: the same items, said
    // to be as of that run; a branch secretary's subtree gets only items involving the branch.
    app.app.set_large_subtree(1);
    app.rt.block_on(app.app.run_whole_checks()).unwrap();
    let whole = officer.get("/api/v1/orgs/1/verification").json();
    assert!(whole["as_of"].is_string(), "{}", whole["as_of"]);
    assert_eq!((&whole["counts"], &whole["total"]), (&v["counts"], &v["total"]));
    assert_eq!(whole["items"], v["items"]);
    let (secretary, _) = app.login("shuji");
    let own = app.access_of("shuji").scope_org_id();
    let mine = secretary.get(&format!("/api/v1/orgs/{own}/verification")).json();
    for item in mine["items"].as_array().unwrap() {
        let records = item["records"].as_array().unwrap();
        assert!(records.iter().any(|r| r["org_id"] == own), "{item}");
        assert!(records.iter().all(|r| r["org_id"] == own || r["org_id"].is_null()), "{item}");
    }
}

#[test]
fn evidence_and_its_checks_on_sqlite() {
    flow(Backend::Sqlite);
}

#[test]
fn evidence_and_its_checks_on_postgres() {
    flow(Backend::Postgres);
}

#[test]
fn the_pages_upload_form_sends_its_token_in_the_address_and_returns_to_the_record() {
    let app = TestApp::spawn(Backend::Sqlite);
    let (officer, csrf) = app.login("zuzhibu");
    let meeting: i64 = app.rt.block_on(app.store.db().one("SELECT MAX(id) FROM meeting", vec![])).unwrap().int(0);
    let page = officer.get(&format!("/meetings/{meeting}"));
    let action = format!("/meetings/{meeting}/attachments?csrf={csrf}");
    assert!(page.body.contains(&format!("action=\"{action}\"")), "the form carries the token");
    let (content_type, body) = multipart("合影.png", &qiangji_demo::orglife::png(7));
    let head = app.head();
    let path = format!("/meetings/{meeting}/attachments");
    let forged = officer.request("POST", &path, &[("content-type", content_type.as_str())], body.clone());
    assert_eq!(forged.status, 403, "without the token");
    let r = officer.request("POST", &action, &[("content-type", content_type.as_str())], body);
    assert_eq!((r.status, r.header("location")), (303, Some(format!("/meetings/{meeting}#attachments").as_str())));
    assert_eq!(app.head(), head + 1);
    assert!(officer.get(&format!("/meetings/{meeting}")).body.contains("合影.png"));
}

/// The whole tree's checks are not run until a large subtree's 需核实 is asked for; the first ask
/// says they are running, and the server's background task then fills the page in.
#[test]
fn a_large_subtrees_checks_start_when_first_asked_for() {
    let app = TestApp::spawn(Backend::Sqlite);
    app.app.set_large_subtree(1);
    std::thread::sleep(std::time::Duration::from_secs(2));
    assert!(!app.app.whole_checks_wanted(), "nobody asked yet");
    let (officer, _) = app.login("zuzhibu");
    let first = officer.get("/api/v1/orgs/1/verification").json();
    assert_eq!((first["pending"].as_bool(), &first["total"]), (Some(true), &serde_json::json!(0)), "{first}");
    assert!(officer.get("/orgs/1/verification").body.contains("id=\"checks-pending\""));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let done = loop {
        let v = officer.get("/api/v1/orgs/1/verification").json();
        if v["as_of"].is_string() || std::time::Instant::now() > deadline {
            break v;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    assert_eq!(done["pending"], false, "{done}");
    assert!(done["total"].as_u64().unwrap() > 0, "the demo's planted cases: {done}");
}
