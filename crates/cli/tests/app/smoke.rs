use crate::harness::{Backend, TestApp};
use qiangji_web::routes::ROUTES;

#[test]
fn anonymous_visitors_are_sent_to_the_login_page_and_api_callers_get_401() {
    let app = TestApp::spawn(Backend::Sqlite);
    let c = app.client();
    let r = c.get("/orgs/1");
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), Some("/login?next=%2Forgs%2F1"));
    let r = c.get("/api/v1/orgs/1");
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["code"], "auth.required");
    assert!(c.get("/login").body.contains("登录"));
}

#[test]
fn a_wrong_password_is_refused_in_chinese() {
    let app = TestApp::spawn(Backend::Sqlite);
    let c = app.client();
    let csrf = qiangji_testkit::http::extract_csrf(&c.get("/login").body).unwrap();
    let r = c.post_form("/login", &[("csrf", &csrf), ("username", "zuzhibu"), ("password", "nope")]);
    assert_eq!(r.status, 401);
    assert!(r.body.contains("用户名或密码不正确"));
}

#[test]
fn the_openapi_document_lists_every_api_route() {
    let app = TestApp::spawn(Backend::Sqlite);
    let doc = app.client().get("/api/v1/openapi.json").json();
    for r in ROUTES.iter().filter(|r| r.is_api()) {
        let path = r.path.trim_start_matches("/api/v1");
        assert!(doc["paths"][path][r.method.to_ascii_lowercase()].is_object(), "{} {} missing", r.method, r.path);
    }
}

#[test]
fn every_error_code_is_documented() {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/errors.md")).expect("docs/errors.md");
    let mut seen = std::collections::HashSet::new();
    for code in qiangji_web::api::openapi::ERROR_CODES {
        assert!(seen.insert(code), "{code} listed twice");
        assert!(doc.contains(&format!("`{code}`")), "{code} is not in docs/errors.md");
    }
}

#[test]
fn the_city_admin_sees_the_tree_members_and_counts_that_match_the_store() {
    let app = TestApp::spawn(Backend::Sqlite);
    let (c, _) = app.login("zuzhibu");
    let page = c.get("/orgs/1");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("中共宁波市委组织部"), "root org shown");
    let total: i64 = app
        .rt
        .block_on(app.store.db().one("SELECT COUNT(*) FROM member WHERE status = 'active'", vec![]))
        .unwrap()
        .int(0);
    assert!(
        page.body.contains(&format!("id=\"member-count\">{total}<")),
        "the count on the page is the count in the database"
    );
    let list = c.get("/orgs/1/members?sex=female");
    let women: i64 = app
        .rt
        .block_on(app.store.db().one("SELECT COUNT(*) FROM member WHERE status = 'active' AND sex = 'female'", vec![]))
        .unwrap()
        .int(0);
    assert!(list.body.contains(&format!("共 {women} 人")), "filtered total matches the database");
}

#[test]
fn a_malformed_api_body_gets_a_json_error_with_a_code() {
    let app = TestApp::spawn(Backend::Sqlite);
    let c = app.client();
    let r = c.request("POST", "/api/v1/session", &[("content-type", "application/json")], "{\"username\": 1");
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["code"], "request.invalid_json");
    let r = c.post_json(
        "/api/v1/session",
        &serde_json::json!({"username": "zuzhibu", "password": crate::harness::DEMO_PASSWORD}),
    );
    assert_eq!(r.status, 200);
    let token = r.json()["token"].as_str().unwrap().to_owned();
    let me = c.request("GET", "/api/v1/me", &[("authorization", &format!("Bearer {token}"))], "");
    assert_eq!(me.json()["role"], "department_admin");
}
