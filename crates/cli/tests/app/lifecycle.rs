//! Members' lifecycle over HTTP: status changes from the form and the API, transfers through the
//! API by the two sides, a member asking for their own transfer, and the refusals people see.

use crate::harness::{Backend, TestApp};
use serde_json::json;

/// A member of `org` other than the first (the demo's member account is the first of its branch).
fn member_of(app: &TestApp, org: i64, nth: i64) -> i64 {
    app.rt
        .block_on(
            app.store.db().one(
                "SELECT id FROM member WHERE org_id = ? ORDER BY id LIMIT 1 OFFSET ?",
                vec![org.into(), nth.into()],
            ),
        )
        .unwrap()
        .int(0)
}

#[test]
fn a_secretary_changes_a_status_only_with_reason_and_approval() {
    let app = TestApp::spawn(Backend::Sqlite);
    let branch = app.access_of("shuji").scope_org_id();
    let m = member_of(&app, branch, 2);
    let (c, csrf) = app.login("shuji");
    let form = c.get(&format!("/members/{m}/status"));
    assert_eq!(form.status, 200);
    assert!(form.body.contains("停止党籍") && !form.body.contains("value=\"active\""), "only allowed changes offered");
    let head = app.head();
    let today = qiangji_domain::date::today().to_string();
    // Suspended yesterday, so that restoring today comes after it.
    let yesterday = (qiangji_domain::date::today() - chrono::Days::new(1)).to_string();
    let post = |extra: &[(&str, &str)]| {
        let mut f = vec![
            ("csrf", csrf.as_str()),
            ("status", "suspended"),
            ("on", yesterday.as_str()),
            ("reason", "失去联系超过六个月"),
        ];
        f.extend_from_slice(extra);
        c.post_form(&format!("/members/{m}/status"), &f)
    };
    let refused = post(&[]);
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("member.approval_missing") && refused.body.contains("批准机关"), "{}", refused.body);
    assert_eq!(app.head(), head, "nothing written");
    let done = post(&[("approved_by", "中共某街道工作委员会"), ("approved_on", today.as_str())]);
    assert_eq!(done.status, 303, "{}", done.body);
    let page = c.get(&format!("/members/{m}"));
    assert!(
        page.body.contains("停止党籍") && page.body.contains("中共某街道工作委员会"),
        "the history shows the approval"
    );
    // Restoring through the API; restoring twice is refused with a stable code.
    let api = |body: serde_json::Value| {
        c.request(
            "POST",
            &format!("/api/v1/members/{m}/status"),
            &[("content-type", "application/json"), ("x-csrf-token", &csrf)],
            body.to_string(),
        )
    };
    let body = json!({"status": "active", "reason": "恢复联系", "approved_by": "中共某街道工作委员会"});
    let r = api(body.clone());
    assert_eq!((r.status, r.json()["status"].as_str()), (200, Some("active")), "{}", r.body);
    let again = api(body);
    assert_eq!((again.status, again.json()["code"].as_str()), (422, Some("member.status_illegal")));
}

#[test]
fn a_transfer_runs_through_the_api_and_a_member_can_ask_for_their_own() {
    let app = TestApp::spawn(Backend::Sqlite);
    let from = app.access_of("shuji").scope_org_id();
    let to = app.access_of("shuji2").scope_org_id();
    let m = member_of(&app, from, 3);
    let (sender, s_csrf) = app.login("shuji");
    let (receiver, r_csrf) = app.login("shuji2");
    let call = |c: &qiangji_testkit::http::Client, csrf: &str, path: &str, body: serde_json::Value| {
        c.request("POST", path, &[("content-type", "application/json"), ("x-csrf-token", csrf)], body.to_string())
    };
    let r = call(
        &sender,
        &s_csrf,
        &format!("/api/v1/members/{m}/transfers"),
        json!({"to_org_id": to, "reason": "工作调动"}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let t = r.json()["id"].as_i64().unwrap();
    assert_eq!(r.json()["next_actions"], json!(["approve", "send_back", "withdraw", "reject"]));
    let step = |c: &qiangji_testkit::http::Client, csrf: &str, body: serde_json::Value| {
        call(c, csrf, &format!("/api/v1/transfers/{t}/steps"), body)
    };
    let wrong = step(&receiver, &r_csrf, json!({"action": "approve"}));
    assert_eq!((wrong.status, wrong.json()["code"].as_str()), (422, Some("transfer.wrong_side")));
    let unknown = step(&sender, &s_csrf, json!({"action": "teleport"}));
    assert_eq!((unknown.status, unknown.json()["code"].as_str()), (422, Some("transfer.action_unknown")));
    assert_eq!(step(&sender, &s_csrf, json!({"action": "approve"})).status, 200);
    let bad_letter =
        step(&sender, &s_csrf, json!({"action": "issue_letter", "valid_months": 12, "dues_paid_to": "2026-11"}));
    assert_eq!(bad_letter.json()["code"], "transfer.validity_invalid");
    let issued = step(&sender, &s_csrf, json!({"action": "issue_letter", "dues_paid_to": "2026-11"}));
    assert_eq!(issued.json()["state"], "letter_issued", "{}", issued.body);
    assert!(issued.json()["letter_serial"].as_str().unwrap().contains("第"));
    // The receiving side lists it, takes the member in, and then reads the record.
    let incoming = receiver.get(&format!("/api/v1/orgs/{to}/transfers")).json();
    assert_eq!(incoming["items"][0]["id"], t);
    assert_eq!(receiver.get(&format!("/api/v1/members/{m}")).status, 404);
    for action in ["receive", "report", "return_receipt"] {
        let r = step(&receiver, &r_csrf, json!({"action": action}));
        assert_eq!(r.status, 200, "{action}: {}", r.body);
    }
    assert_eq!(receiver.get(&format!("/api/v1/members/{m}")).json()["org_id"], to);
    let detail = receiver.get(&format!("/api/v1/transfers/{t}")).json();
    assert_eq!(detail["state"], "completed");
    assert_eq!(detail["steps"].as_array().unwrap().len(), 6);

    // A member asks to move their own membership out of the deployment; only the branch approves.
    let me = app.access_of("dangyuan").self_member_id().unwrap();
    let (c, csrf) = app.login("dangyuan");
    let page = c.get(&format!("/members/{me}"));
    assert!(page.body.contains("id=\"request-transfer\""), "the member may start their own transfer");
    let r = c.post_form(
        &format!("/members/{me}/transfer"),
        &[
            ("csrf", &csrf),
            ("to_outside", "中共某省某县委组织部"),
            ("reason", "回原籍工作"),
            ("on", &qiangji_domain::date::today().to_string()),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let own = r.header("location").unwrap().to_owned();
    let shown = c.get(&own);
    assert!(
        shown.body.contains("待转出方审批") && !shown.body.contains("id=\"step-approve\""),
        "members cannot approve"
    );
    let t = own.trim_start_matches("/transfers/");
    let branch = app.access_of("dangyuan").scope_org_id();
    let listed = c.get(&format!("/api/v1/orgs/{branch}/transfers?all=true")).json();
    let ids: Vec<String> = listed["items"].as_array().unwrap().iter().map(|i| i["id"].to_string()).collect();
    assert_eq!(ids, [t], "a member's account lists only its own transfers");
    let others = c.get(&format!("/transfers/{}", listed["items"][0]["id"].as_i64().unwrap() - 1));
    assert_eq!(others.status, 404, "nor opens another member's");
    let r = call(&c, &csrf, &format!("/api/v1/transfers/{t}/steps"), json!({"action": "approve"}));
    assert_eq!(r.status, 403);
    let r = call(&sender, &s_csrf, &format!("/api/v1/transfers/{t}/steps"), json!({"action": "approve"}));
    assert_eq!(r.status, 200, "{}", r.body);
}

/// Two officers approve the same transfer at the same moment, then the receiving side's receive
/// races the sending side's manual move of the member: over HTTP, on both databases, one of each
/// pair succeeds and the loser gets a clear refusal.
fn concurrent_requests_have_one_winner(backend: Backend) {
    let app = TestApp::spawn(backend);
    let from = app.access_of("shuji").scope_org_id();
    let to = app.access_of("shuji2").scope_org_id();
    let m = member_of(&app, from, 2);
    let (a, a_csrf) = app.login("shuji");
    let (b, b_csrf) = app.login("zuzhibu");
    let (r, r_csrf) = app.login("shuji2");
    let post = |c: &qiangji_testkit::http::Client, csrf: &str, path: &str, body: serde_json::Value| {
        c.request("POST", path, &[("content-type", "application/json"), ("x-csrf-token", csrf)], body.to_string())
    };
    let t = post(&a, &a_csrf, &format!("/api/v1/members/{m}/transfers"), json!({"to_org_id": to, "reason": "调动"}));
    let t = t.json()["id"].as_i64().unwrap();
    let steps = format!("/api/v1/transfers/{t}/steps");
    let (x, y) = std::thread::scope(|s| {
        let x = s.spawn(|| post(&a, &a_csrf, &steps, json!({"action": "approve"})));
        let y = s.spawn(|| post(&b, &b_csrf, &steps, json!({"action": "approve"})));
        (x.join().unwrap(), y.join().unwrap())
    });
    let mut statuses = [x.status, y.status];
    statuses.sort();
    assert_eq!(statuses, [200, 422], "{} / {}", x.body, y.body);
    let loser = if x.status == 422 { x } else { y };
    assert_eq!(loser.json()["code"], "transfer.illegal_step");
    assert_eq!(post(&a, &a_csrf, &steps, json!({"action": "issue_letter", "dues_paid_to": "2026-11"})).status, 200);
    let third: i64 = app
        .rt
        .block_on(app.store.db().one(
            "SELECT id FROM org WHERE kind = 'branch' AND id <> ? AND id <> ? ORDER BY id LIMIT 1",
            vec![from.into(), to.into()],
        ))
        .unwrap()
        .int(0);
    let (x, y) = std::thread::scope(|s| {
        let x = s.spawn(|| post(&r, &r_csrf, &steps, json!({"action": "receive"})));
        let y = s.spawn(|| {
            post(&b, &b_csrf, &format!("/api/v1/members/{m}/move"), json!({"org_id": third, "reason": "手工调整"}))
        });
        (x.join().unwrap(), y.join().unwrap())
    });
    assert_eq!((x.status, y.status), (200, 422), "{} / {}", x.body, y.body);
    assert_eq!(y.json()["code"], "member.in_transfer");
    let member = app.rt.block_on(app.store.get_member(&app.system(), qiangji_domain::member::MemberId(m))).unwrap();
    assert_eq!(member.org_id.0, to, "moved once, by the transfer");
}

#[test]
fn concurrent_requests_have_one_winner_on_sqlite() {
    concurrent_requests_have_one_winner(Backend::Sqlite);
}

#[test]
fn concurrent_requests_have_one_winner_on_postgres() {
    concurrent_requests_have_one_winner(Backend::Postgres);
}
