//! Bad input gets a clear Chinese error in the UI and a stable code in the API, and nothing is written.

use crate::harness::{Backend, TestApp};
use qiangji_testkit::http::Client;
use serde_json::json;

fn member_form<'a>(csrf: &'a str, id_number: &'a str, joined_on: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("name", "测试党员"),
        ("sex", "male"),
        ("ethnicity", "01"),
        ("id_number", id_number),
        ("education", "university"),
        ("occupation", "worker"),
        ("joined_on", joined_on),
        ("full_on", ""),
        ("kind", "probationary"),
        ("since", "2025-06-01"),
        ("reason", "测试"),
    ]
}

fn api_member(id_number: &str, joined_on: &str) -> String {
    json!({
        "name": "测试党员", "sex": "male", "ethnicity": "01", "id_number": id_number, "education": "university",
        "occupation": "worker", "joined_on": joined_on, "kind": "probationary", "since": "2025-06-01",
    })
    .to_string()
}

fn api_post(c: &Client, csrf: &str, path: &str, body: String) -> qiangji_testkit::http::Response {
    c.request("POST", path, &[("content-type", "application/json"), ("x-csrf-token", csrf)], body)
}

fn branch_of(app: &TestApp) -> i64 {
    app.access_of("shuji").scope_org_id()
}

fn existing_id_number(app: &TestApp) -> String {
    let row = app.rt.block_on(app.store.db().one("SELECT id_number FROM member ORDER BY id LIMIT 1", vec![])).unwrap();
    app.clear_id_number(&row.text(0))
}

fn check_all(backend: Backend) {
    let app = TestApp::spawn(backend);
    let (c, csrf) = app.login("zuzhibu");
    let branch = branch_of(&app);
    let head = app.head();
    let valid =
        qiangji_domain::id_number::IdNumber::compose(330203, qiangji_domain::date::parse("1990-03-04").unwrap(), 111)
            .to_string();
    let bad_checksum = format!("{}{}", &valid[..17], if valid.ends_with('0') { '1' } else { '0' });
    let duplicate = existing_id_number(&app);
    let cases = [
        (bad_checksum.as_str(), "2015-07-01", "身份证号校验位不正确", "member.id_number_invalid", 422),
        (valid.as_str(), "2099-07-01", "入党日期不能晚于今天", "member.date_in_future", 422),
        (valid.as_str(), "2005-07-01", "入党时未满18周岁", "member.joined_under_18", 422),
        (duplicate.as_str(), "2015-07-01", "已登记为其他党员", "member.id_number_duplicate", 409),
    ];
    for (id, joined, chinese, code, status) in cases {
        let ui = c.post_form(&format!("/orgs/{branch}/members/new"), &member_form(&csrf, id, joined));
        assert_eq!(ui.status, 422, "{code}: the form comes back");
        assert!(ui.body.contains(chinese), "{code}: the form explains in Chinese");
        let api = api_post(&c, &csrf, &format!("/api/v1/orgs/{branch}/members"), api_member(id, joined));
        assert_eq!((api.status, api.json()["code"].as_str()), (status, Some(code)), "{}", api.body);
        assert!(api.json()["message"].as_str().unwrap().contains(chinese));
    }
    // Moving an organization under its own descendant.
    let (parent, child): (i64, i64) = app
        .rt
        .block_on(app.store.db().one("SELECT parent_id, id FROM org WHERE kind = 'branch' ORDER BY id LIMIT 1", vec![]))
        .map(|r| (r.int(0), r.int(1)))
        .unwrap();
    let ui = c.post_form(
        &format!("/orgs/{parent}/move"),
        &[("csrf", &csrf), ("target_id", &child.to_string()), ("reason", "测试")],
    );
    assert_eq!(ui.status, 422);
    assert!(ui.body.contains("不能把组织移到它自己或它的下级组织之下"));
    let api = api_post(&c, &csrf, &format!("/api/v1/orgs/{parent}/move"), json!({ "parent_id": child }).to_string());
    assert_eq!((api.status, api.json()["code"].as_str()), (422, Some("org.move_into_own_subtree")));
    // A future founding date on an organization.
    let ui = c.post_form(
        &format!("/orgs/{parent}/new"),
        &[
            ("csrf", &csrf),
            ("name", "中共未来支部委员会"),
            ("kind", "branch"),
            ("sector", "community"),
            ("formation_mode", "single"),
            ("founded_on", "2099-01-01"),
        ],
    );
    assert_eq!(ui.status, 422);
    assert!(ui.body.contains("成立日期不能晚于今天"));
    assert_eq!(app.head(), head, "nothing was written by any of the refused requests");
}

#[test]
fn invalid_input_is_refused_with_chinese_messages_and_codes_on_sqlite() {
    check_all(Backend::Sqlite);
}

#[test]
fn invalid_input_is_refused_with_chinese_messages_and_codes_on_postgres() {
    check_all(Backend::Postgres);
}

#[test]
fn a_member_registered_in_the_ui_appears_in_the_list_at_once() {
    let app = TestApp::spawn(Backend::Sqlite);
    let (c, csrf) = app.login("shuji");
    let branch = branch_of(&app);
    let before = c.get(&format!("/orgs/{branch}/members")).body;
    let id =
        qiangji_domain::id_number::IdNumber::compose(330203, qiangji_domain::date::parse("1991-03-04").unwrap(), 211)
            .to_string();
    let r = c.post_form(&format!("/orgs/{branch}/members/new"), &member_form(&csrf, &id, "2015-07-01"));
    assert_eq!(r.status, 303, "{}", r.body);
    let list = c.get(&format!("/orgs/{branch}/members?q=csdy"));
    assert!(list.body.contains("测试党员"), "found by pinyin initials right after saving");
    assert_ne!(before, c.get(&format!("/orgs/{branch}/members")).body);
}

/// Markup and quotes people type (or an attacker stores) in free-text fields.
const HOSTILE: &str = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'";

/// A page shows `HOSTILE` as text: escaped, never as markup.
fn shows_as_text(page: &str, what: &str) {
    assert!(!page.contains("<script>alert(1)") && !page.contains("<img src=x"), "{what} renders stored markup");
    let at = page.find("alert(1)").map(|i| &page[i.saturating_sub(40)..(i + 60).min(page.len())]);
    let escaped = ["&lt;script&gt;alert(1)", "&#60;script&#62;alert(1)"];
    assert!(escaped.iter().any(|e| page.contains(e)), "{what} does not show the text at all: {at:?}");
}

#[test]
fn stored_markup_in_free_text_fields_is_shown_as_text_and_query_strings_are_only_data() {
    let app = TestApp::spawn(Backend::Sqlite);
    let branch = app.access_of("shuji").scope_org_id();
    let (c, csrf) = app.login("shuji");

    // A meeting record whose place, topic and content are markup: its page and the branch's list.
    let body = json!({
        "kind": "theme_day", "held_on": qiangji_domain::date::today().to_string(), "place": HOSTILE, "host": HOSTILE,
        "recorder": "记录人", "topic": HOSTILE, "content": HOSTILE, "decisions": HOSTILE,
    });
    let r = api_post(&c, &csrf, &format!("/api/v1/orgs/{branch}/meetings"), body.to_string());
    assert_eq!(r.status, 201, "{}", r.body);
    let meeting = r.json()["id"].as_i64().unwrap();
    shows_as_text(&c.get(&format!("/meetings/{meeting}")).body, "the meeting page");
    shows_as_text(&c.get(&format!("/orgs/{branch}/orglife")).body, "the organizational-life page");

    // A member whose work unit, post and address are markup: the member page and the roster.
    let id =
        qiangji_domain::id_number::IdNumber::compose(330203, qiangji_domain::date::parse("1991-05-06").unwrap(), 7)
            .to_string();
    let mut member: serde_json::Value = serde_json::from_str(&api_member(&id, "2015-07-01")).unwrap();
    for field in ["work_unit", "job_title", "address"] {
        member[field] = json!(HOSTILE);
    }
    let r = api_post(&c, &csrf, &format!("/api/v1/orgs/{branch}/members"), member.to_string());
    assert_eq!(r.status, 201, "{}", r.body);
    let member = r.json()["id"].as_i64().unwrap();
    shows_as_text(&c.get(&format!("/members/{member}")).body, "the member page");

    // An uploaded file's name: the import preview shows it.
    let name: String = qiangji_testkit::http::form_urlencode(&[("file_name", HOSTILE)]);
    let r = c.request(
        "POST",
        &format!("/api/v1/orgs/{branch}/imports?{name}"),
        &[("content-type", "text/csv"), ("x-csrf-token", &csrf)],
        "姓名,身份证号,入党日期\n",
    );
    assert_eq!(r.status, 201, "{}", r.body);
    shows_as_text(&c.get(&format!("/imports/{}", r.json()["batch_id"])).body, "the import preview");

    // Searches are data, never SQL: quotes and comment markers find nothing and break nothing.
    for q in ["' OR '1'='1", "%' OR 1=1 --", "\"; DROP TABLE member; --", "张%' UNION SELECT name FROM app_user --"] {
        let query = qiangji_testkit::http::form_urlencode(&[("q", q)]);
        let r = c.get(&format!("/api/v1/orgs/{branch}/members?{query}"));
        assert_eq!((r.status, r.json()["total"].as_i64()), (200, Some(0)), "{q}");
        let r = c.get(&format!("/api/v1/orgs?{query}"));
        assert_eq!(r.status, 200, "{q}");
        let page = c.get(&format!("/orgs/{branch}/members?{query}"));
        assert_eq!(page.status, 200, "{q}");
    }
    let members = app.rt.block_on(app.store.db().one("SELECT COUNT(*) FROM member", vec![])).unwrap().int(0);
    assert!(members > 1, "the member table is still there");
}
