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
    // Newest first: the record sits among the latest (demo records of the last three days may precede it).
    let listed = list["meetings"].as_array().unwrap();
    assert!(listed.iter().any(|m| m["id"] == id), "the branch's list shows the record: {list}");
    assert!(listed.windows(2).all(|w| w[0]["held_on"].as_str() >= w[1]["held_on"].as_str()), "newest first");
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
    structure_and_absences(&app, &officer);
    rule_versions(&app, &officer, &csrf);
}

/// The rule set through the API and the page: a retroactive version is refused, a future one is
/// listed as not yet in force, a branch secretary may not add one.
fn rule_versions(app: &TestApp, officer: &Client, csrf: &str) {
    let set = officer.get("/api/v1/orglife/rules").json();
    assert_eq!(set["version"], 1);
    assert!(set["rules"].as_array().unwrap().iter().all(|r| r["standing"] == "现行"), "{set}");
    let today = qiangji_domain::date::today();
    let next_month =
        chrono::NaiveDate::from_ymd_opt(chrono::Datelike::year(&today), chrono::Datelike::month(&today), 1).unwrap()
            + chrono::Months::new(1);
    let mut body = json!({
        "requirement": "theme_day", "org_kinds": ["branch"], "period": "month", "min_count": 2,
        "effective_from": (today - chrono::Days::new(1)).to_string(), "reason": "市委组织部通知",
    });
    let head = app.head();
    let r = post(officer, csrf, "/api/v1/orglife/rules", &body);
    assert_eq!((r.status, r.json()["code"].as_str()), (422, Some("orglife.rule_retroactive")), "{}", r.body);
    body["effective_from"] = json!(next_month.to_string());
    let (secretary, secretary_csrf) = app.login("shuji");
    assert_eq!(post(&secretary, &secretary_csrf, "/api/v1/orglife/rules", &body).status, 403);
    assert_eq!(app.head(), head, "nothing written by refused versions");
    let r = post(officer, csrf, "/api/v1/orglife/rules", &body);
    assert_eq!(r.status, 201, "{}", r.body);
    let set = r.json();
    assert_eq!(set["version"], 2);
    let last = set["rules"].as_array().unwrap().last().unwrap().clone();
    assert_eq!((last["standing"].as_str(), last["min_count"].as_i64()), (Some("尚未生效"), Some(2)), "{last}");
    let page = officer.get("/orglife/rules");
    assert!(page.body.contains("尚未生效") && page.body.contains("市委组织部通知"), "the page lists it");
    assert!(!secretary.get("/orglife/rules").body.contains("新增规则版本"), "no form for a secretary");
}

/// The board's other views: organizations set up against the rules or due for 换届, and members on
/// an absence streak — each checked against the stored data.
fn structure_and_absences(app: &TestApp, officer: &Client) {
    let structure = officer.get("/api/v1/orgs/1/warnings?view=structure").json();
    assert_eq!(
        (structure["view"].as_str(), &structure["total"]),
        (Some("structure"), &structure["counts"]["structure"])
    );
    let items = structure["items"].as_array().unwrap();
    assert!(!items.is_empty(), "the demo has terms ending and small branches: {structure}");
    for i in items {
        assert!(i["code"].as_str().unwrap().starts_with("org.") && !i["message"].as_str().unwrap().is_empty(), "{i}");
    }

    let absence = officer.get("/api/v1/orgs/1/warnings?view=absence").json();
    let items = absence["items"].as_array().unwrap();
    assert!(!items.is_empty(), "the demo has members who stopped coming: {absence}");
    let levels = &absence["counts"]["absence_levels"];
    let sum: u64 = ["3_months", "5_months", "6_months"].iter().map(|l| levels[l].as_u64().unwrap()).sum();
    assert_eq!(Some(sum), absence["total"].as_u64());
    let today = qiangji_domain::date::today();
    for i in items {
        let months = i["months"].as_u64().unwrap();
        let level = match months {
            3..=4 => "3_months",
            5 => "5_months",
            _ => "6_months",
        };
        assert_eq!(i["level"], level, "{i}");
        // Every record the member was on in those months, the member missed.
        let from = chrono::NaiveDate::from_ymd_opt(chrono::Datelike::year(&today), chrono::Datelike::month(&today), 1)
            .unwrap()
            - chrono::Months::new(months as u32 - 1);
        let rows = app
            .rt
            .block_on(app.store.db().all(
                "SELECT a.attendance FROM meeting_attendance a JOIN meeting g ON g.id = a.meeting_id \
                 WHERE a.member_id = ? AND g.held_on >= ?",
                vec![i["member_id"].as_i64().unwrap().into(), from.to_string().into()],
            ))
            .unwrap();
        assert!(!rows.is_empty() && rows.iter().all(|r| r.text(0) == "absent"), "{i}");
    }
    let stale = officer.get("/api/v1/orgs/1/warnings?view=behind").json();
    assert_eq!(stale["view"], "requirements", "an unknown view shows the main one");
    let page = officer.get("/orgs/1/warnings?view=absence");
    assert_eq!(page.status, 200);
    let first = items[0]["member_name"].as_str().unwrap();
    assert!(page.body.contains("id=\"absent\"") && page.body.contains(first), "the page lists them too");
}

#[test]
fn a_record_through_the_api_on_sqlite() {
    flow(Backend::Sqlite);
}

#[test]
fn a_record_through_the_api_on_postgres() {
    flow(Backend::Postgres);
}
