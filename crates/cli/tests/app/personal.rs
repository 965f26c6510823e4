//! Identity and phone numbers: masked on every page and answer, shown in full only to those allowed,
//! with a purpose, and every showing recorded in the member's history.

use crate::harness::{Backend, TestApp};
use qiangji_domain::member::MemberId;
use qiangji_testkit::http::Client;
use serde_json::json;

fn api(c: &Client, csrf: &str, method: &str, path: &str, body: serde_json::Value) -> qiangji_testkit::http::Response {
    c.request(method, path, &[("content-type", "application/json"), ("x-csrf-token", csrf)], body.to_string())
}

fn full_numbers(app: &TestApp, member: i64) -> (String, String) {
    let m = app.rt.block_on(app.store.get_member(&app.system(), MemberId(member))).unwrap();
    (m.fields.id_number.as_str().to_owned(), m.fields.phone)
}

#[test]
fn numbers_are_masked_everywhere_and_shown_in_full_only_with_a_purpose_and_a_trace() {
    let app = TestApp::spawn(Backend::Sqlite);
    let me = app.access_of("dangyuan").self_member_id().unwrap();
    let (id_number, _) = full_numbers(&app, me);
    let (c, csrf) = app.login("shuji");
    let page = format!("/members/{me}");
    // A new phone number: the newest ledger entry carries it (sealed).
    let phone = "13912345678".to_owned();
    let mut body: serde_json::Value =
        serde_json::from_str(&api(&c, &csrf, "GET", &format!("/api/v1/members/{me}"), json!(null)).body).unwrap();
    body["phone"] = json!(phone);
    assert_eq!(api(&c, &csrf, "PUT", &format!("/api/v1/members/{me}"), body).status, 200);

    // Masked on the page, the edit form, the list, the API and the audit log.
    let shown = c.get(&page).body;
    assert!(!shown.contains(&id_number) && shown.contains(&id_number[..3]), "masked on the page");
    assert!(!shown.contains(&phone) && shown.contains("reveal-personal"));
    let form = c.get(&format!("{page}/edit")).body;
    assert!(!form.contains(&id_number) && !form.contains(&phone), "the edit form does not carry them");
    assert!(form.contains("不修改请留空"));
    let api_member = api(&c, &csrf, "GET", &format!("/api/v1/members/{me}"), json!(null)).body;
    assert!(!api_member.contains(&id_number) && !api_member.contains(&phone), "{api_member}");
    let (boss, boss_csrf) = app.login("zuzhibu");
    let audit = api(&boss, &boss_csrf, "GET", "/api/v1/audit", json!(null)).body;
    assert!(audit.contains("member.updated") && audit.contains("139****5678"), "{audit}");
    assert!(!audit.contains(&phone) && !audit.contains("a1$"), "the audit log masks them too");

    // Without a purpose: refused, nothing recorded.
    let head = app.head();
    let refused = c.post_form(&format!("{page}/reveal"), &[("csrf", &csrf), ("purpose", " ")]);
    assert!(refused.body.contains("须填写事由") && !refused.body.contains(&id_number), "{}", refused.status);
    let r = api(&c, &csrf, "POST", &format!("/api/v1/members/{me}/personal"), json!({ "purpose": "" }));
    assert!(r.status >= 400 && r.body.contains("personal.purpose_required"), "{} {}", r.status, r.body);
    assert_eq!(app.head(), head);

    // With one: in full, once, and the member's history says who looked and why.
    let revealed = c.post_form(&format!("{page}/reveal"), &[("csrf", &csrf), ("purpose", "办理组织关系转接")]);
    assert!(revealed.body.contains(&id_number) && revealed.body.contains(&phone), "{}", revealed.status);
    assert!(revealed.body.contains("已记入该党员档案"));
    assert!(!c.get(&page).body.contains(&id_number), "the next view is masked again");
    let r = api(&c, &csrf, "POST", &format!("/api/v1/members/{me}/personal"), json!({ "purpose": "核对党费" }));
    assert_eq!(r.status, 200, "{}", r.body);
    let body: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!((body["id_number"].as_str(), body["phone"].as_str()), (Some(id_number.as_str()), Some(phone.as_str())));
    assert_eq!(app.head(), head + 2, "each showing is a ledger entry");
    let history = c.get(&page).body;
    assert!(history.contains("查看完整身份证号和电话") && history.contains("办理组织关系转接"), "in the timeline");

    // The member may see their own; a system administrator runs accounts and sees them masked.
    let (own, own_csrf) = app.login("dangyuan");
    let r = api(&own, &own_csrf, "POST", &format!("/api/v1/members/{me}/personal"), json!({ "purpose": "本人核对" }));
    assert_eq!(r.status, 200, "{}", r.body);
    let (admin, admin_csrf) = app.login("admin");
    assert!(!admin.get(&page).body.contains("reveal-personal"), "no button for the administrator");
    let r = api(&admin, &admin_csrf, "POST", &format!("/api/v1/members/{me}/personal"), json!({ "purpose": "看看" }));
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(app.head(), head + 3);
}

#[test]
fn an_edit_that_leaves_the_numbers_empty_keeps_them() {
    let app = TestApp::spawn(Backend::Sqlite);
    let me = app.access_of("dangyuan").self_member_id().unwrap();
    let before = full_numbers(&app, me);
    let (c, csrf) = app.login("shuji");
    // Through the API: the member as the API gives it (numbers masked, so not sent back), renamed.
    let mut body: serde_json::Value =
        serde_json::from_str(&api(&c, &csrf, "GET", &format!("/api/v1/members/{me}"), json!(null)).body).unwrap();
    body["name"] = json!("改名后");
    body["reason"] = json!("更正姓名");
    body.as_object_mut().unwrap().remove("phone");
    let r = api(&c, &csrf, "PUT", &format!("/api/v1/members/{me}"), body);
    assert_eq!(r.status, 200, "{}", r.body);
    let m = app.rt.block_on(app.store.get_member(&app.system(), MemberId(me))).unwrap();
    assert_eq!((m.fields.name.as_str(), (m.fields.id_number.as_str().to_owned(), m.fields.phone)), ("改名后", before));
}
