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
    app.rt.block_on(app.store.db().one("SELECT id_number FROM member ORDER BY id LIMIT 1", vec![])).unwrap().text(0)
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
