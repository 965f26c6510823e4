//! Organizational life through the API: a record's problems come back with stable codes and write
//! nothing; a valid record with its attendance is stored, shown, confirmed by the member and
//! counted on the board — on SQLite and PostgreSQL.

use crate::harness::{Backend, TestApp};
use qiangji_testkit::http::Client;
use serde_json::{Value, json};

fn post(c: &Client, csrf: &str, path: &str, body: &Value) -> qiangji_testkit::http::Response {
    c.request("POST", path, &[("content-type", "application/json"), ("x-csrf-token", csrf)], body.to_string())
}

fn flow(backend: Backend) {
    let app = TestApp::spawn(backend);
    let me = app.access_of("dangyuan").self_member_id().unwrap();
    let branch: i64 =
        app.rt.block_on(app.store.db().one("SELECT org_id FROM member WHERE id = ?", vec![me.into()])).unwrap().int(0);
    let (officer, csrf) = app.login("zuzhibu");
    let path = format!("/api/v1/orgs/{branch}/meetings");
    let head = app.head();

    let r = post(&officer, &csrf, &path, &json!({}));
    assert_eq!((r.status, r.json()["code"].as_str()), (422, Some("meeting.field_missing")), "{}", r.body);
    assert!(r.json()["message"].as_str().unwrap().contains("请填写活动类型"));
    let held_on = (qiangji_domain::date::today() - chrono::Days::new(3)).to_string();
    let mut body = json!({
        "kind": "theme_day", "held_on": held_on, "place": "党群服务中心", "host": "书记", "recorder": "组织委员",
        "topic": "主题党日：志愿服务", "content": "到社区开展志愿服务。",
        "attendance": [{ "member_id": me, "attendance": "maybe" }],
    });
    let r = post(&officer, &csrf, &path, &body);
    assert_eq!((r.status, r.json()["code"].as_str()), (422, Some("meeting.attendance_unknown")), "{}", r.body);
    body["attendance"] = json!([{ "member_id": me, "attendance": "leave", "reason": "" }]);
    let r = post(&officer, &csrf, &path, &body);
    assert_eq!((r.status, r.json()["code"].as_str()), (422, Some("invalid")), "{}", r.body);
    assert!(r.json()["message"].as_str().unwrap().contains("请假须填写原因"));
    assert_eq!(app.head(), head, "nothing written by refused records");

    body["attendance"] = json!([{ "member_id": me, "attendance": "present" }]);
    let before = officer.get(&path).json();
    let r = post(&officer, &csrf, &path, &body);
    assert_eq!(r.status, 201, "{}", r.body);
    let meeting = r.json();
    let id = meeting["id"].as_i64().unwrap();
    assert_eq!(meeting["attendance"][0]["attendance"], "present");
    assert_eq!(meeting["attendance"][0]["confirmed_at"], Value::Null);

    // The member sees it and confirms their attendance; another branch's officer does not see it.
    let (member, member_csrf) = app.login("dangyuan");
    let r = post(&member, &member_csrf, &format!("/api/v1/meetings/{id}/confirm"), &json!({}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.json()["attendance"][0]["confirmed_at"].is_string());
    let list = officer.get(&path).json();
    assert_eq!(list["meetings"][0]["id"], id);
    let this_month = |list: &Value| {
        list["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| {
                r["requirement"] == "theme_day"
                    && r["period_start"].as_str() <= Some(held_on.as_str())
                    && r["due"].as_str() >= Some(held_on.as_str())
            })
            .map(|r| (r["held"].as_i64().unwrap(), r["status"].as_str().unwrap().to_owned()))
    };
    if let (Some((before, _)), Some(after)) = (this_month(&before), this_month(&list)) {
        assert_eq!(after, (before + 1, "met".to_owned()), "the record counts towards this month's 主题党日");
    }
    let board = officer.get("/api/v1/orgs/1/warnings").json();
    assert!(board["total"].as_u64().unwrap() > 0 && board["orgs"].as_u64().unwrap() > 0, "{board}");
    let theme = board["summaries"].as_array().unwrap().iter().find(|s| s["requirement"] == "theme_day").unwrap();
    assert!(theme["current"]["met"].as_u64().unwrap() >= 1, "{theme}");
}

#[test]
fn a_record_through_the_api_on_sqlite() {
    flow(Backend::Sqlite);
}

#[test]
fn a_record_through_the_api_on_postgres() {
    flow(Backend::Postgres);
}
