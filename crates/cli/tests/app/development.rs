//! 发展党员 through the API and the pages: an application, steps refused with stable codes and
//! Chinese messages (writing nothing), admission making a member record the statistics count, the
//! pages listing the pipeline — on SQLite.

use crate::harness::{Backend, TestApp};
use qiangji_testkit::http::Client;
use serde_json::{Value, json};

fn post(c: &Client, csrf: &str, path: &str, body: &Value) -> qiangji_testkit::http::Response {
    c.request("POST", path, &[("content-type", "application/json"), ("x-csrf-token", csrf)], body.to_string())
}

#[test]
fn a_secretary_develops_an_applicant_into_a_probationary_member() {
    let app = TestApp::spawn(Backend::Sqlite);
    let branch = app.access_of("shuji").scope_org_id();
    let (c, csrf) = app.login("shuji");
    let born = qiangji_domain::date::parse("1999-09-09").unwrap();
    let id_number = qiangji_domain::id_number::IdNumber::compose(110101, born, 995).to_string();
    let path = format!("/api/v1/orgs/{branch}/development");
    let mut body = json!({
        "name": "周申请", "id_number": id_number, "ethnicity": "01", "education": "university",
        "occupation": "worker", "applied_on": "2021-03-01",
    });
    let r = post(&c, &csrf, &path, &json!({ "name": "周申请" }));
    assert_eq!((r.status, r.json()["code"].as_str()), (422, Some("member.field_missing")), "{}", r.body);
    let r = post(&c, &csrf, &path, &body);
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();
    assert_eq!(r.json()["next"][0]["step"], "talked");
    assert_eq!(r.json()["warnings"][0]["code"], "overdue", "the talk was due a month after 2021-03-01");
    body["applied_on"] = json!("2021-03-02");
    let r = post(&c, &csrf, &path, &body);
    assert_eq!((r.status, r.json()["code"].as_str()), (409, Some("development.id_number_duplicate")));

    let steps = format!("/api/v1/developees/{id}/steps");
    let ok = |b: Value| {
        let r = post(&c, &csrf, &steps, &b);
        assert_eq!(r.status, 201, "{b}: {}", r.body);
        r.json()
    };
    ok(json!({ "step": "talked", "on": "2021-03-15" }));
    ok(
        json!({ "step": "activist_chosen", "on": "2021-04-01", "recommendation": "party_members", "mentors": ["甲", "乙"] }),
    );
    let head = app.head();
    let r = post(&c, &csrf, &steps, &json!({ "step": "candidate_chosen", "on": "2021-12-01" }));
    assert_eq!((r.status, r.json()["code"].as_str()), (422, Some("development.too_early")), "{}", r.body);
    assert!(r.json()["message"].as_str().unwrap().contains("1年以上培养教育"));
    let r = post(&c, &csrf, &steps, &json!({ "step": "no_such_step", "on": "2021-12-01" }));
    assert_eq!((r.status, r.json()["code"].as_str()), (422, Some("development.input_invalid")));
    assert_eq!(app.head(), head, "refused steps write nothing");

    let sponsors: Vec<i64> = app
        .rt
        .block_on(app.store.db().all(
            "SELECT id FROM member WHERE org_id = ? AND kind = 'full' AND status = 'active' ORDER BY id LIMIT 2",
            vec![branch.into()],
        ))
        .unwrap()
        .iter()
        .map(|r| r.int(0))
        .collect();
    ok(json!({ "step": "candidate_chosen", "on": "2022-04-01" }));
    ok(json!({ "step": "candidate_reported", "on": "2022-04-02" }));
    ok(json!({ "step": "political_review", "on": "2022-04-10" }));
    ok(json!({ "step": "sponsors_assigned", "on": "2022-04-11", "sponsors": sponsors }));
    ok(json!({ "step": "trained", "on": "2022-05-01", "days": "3" }));
    ok(json!({ "step": "pre_reviewed", "on": "2022-05-10" }));
    ok(json!({ "step": "publicized", "on": "2022-05-16", "working_days": "5" }));
    let r = post(
        &c,
        &csrf,
        &steps,
        &json!({ "step": "admission_meeting", "on": "2022-05-23", "voting_members": "10", "present": "5", "in_favour": "5" }),
    );
    assert_eq!((r.status, r.json()["code"].as_str()), (422, Some("development.quorum_not_met")), "{}", r.body);
    ok(
        json!({ "step": "admission_meeting", "on": "2022-05-23", "voting_members": "10", "present": "8", "in_favour": "7" }),
    );
    let d = ok(json!({ "step": "admission_approved", "on": "2022-06-10" }));
    assert_eq!(d["stage"], "probationary");
    let member = d["member_id"].as_i64().unwrap();
    let m = c.get(&format!("/api/v1/members/{member}")).json();
    assert_eq!(m["kind"], "probationary", "{m}");
    assert_eq!(m["joined_on"], "2022-05-23");
    // The member's timeline begins with how they were developed.
    let timeline = c.get(&format!("/members/{member}")).body;
    let history = &timeline[timeline.find("id=\"history\"").unwrap()..];
    for step in ["递交入党申请书", "确定为入党积极分子", "登记入库"] {
        assert!(history.contains(step), "{step} missing from the member's timeline");
    }

    // The pages: the pipeline of the branch, the person's timeline and the link from the branch.
    let page = c.get(&format!("/orgs/{branch}/development"));
    assert_eq!(page.status, 200);
    assert!(page.body.contains("周申请") && page.body.contains("预备党员"));
    let page = c.get(&format!("/developees/{id}"));
    assert_eq!(page.status, 200);
    assert!(page.body.contains("支部大会讨论接收预备党员") && page.body.contains("应到有表决权党员10人"));
    assert!(page.body.contains("value=\"full_meeting\""), "the legal next steps are offered");
    assert!(!page.body.contains("value=\"talked\""), "steps of other stages are not");
    let r = c.post_form(
        &format!("/developees/{id}/steps"),
        &[
            ("csrf", &csrf),
            ("step", "full_meeting"),
            ("on", "2022-06-11"),
            ("voting_members", "3"),
            ("present", "3"),
            ("in_favour", "3"),
        ],
    );
    assert_eq!(r.status, 422);
    assert!(r.body.contains("development.too_early") && r.body.contains("预备期满后方可讨论转正"), "{}", r.body);
    assert!(c.get(&format!("/orgs/{branch}")).body.contains(&format!("/orgs/{branch}/development")));
    let r =
        c.post_form(&format!("/orgs/{branch}/development/plan"), &[("csrf", &csrf), ("year", "2026"), ("quota", "3")]);
    assert_eq!(r.status, 303, "{}", r.body);
}
