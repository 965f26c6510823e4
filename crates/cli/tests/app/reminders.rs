//! Reminders in the application: scheduled from the board for a chosen day, delivered in the
//! application, shown to the branch's secretary with the unread count in the navigation, marked
//! read through the form, and listed in the outbox of the officers above — on SQLite and
//! PostgreSQL.

use crate::harness::{Backend, TestApp};
use qiangji_domain::Date;
use qiangji_domain::org::OrgId;
use qiangji_domain::orglife::{RuleSet, stage_reached};
use qiangji_web::reminder::{Settings, deliver, schedule};

/// The first day of 2026 on which a requirement of `org` reaches a reminder stage.
fn a_day_with_a_reminder(app: &TestApp, org: OrgId) -> Date {
    let access = app.access_of("shuji");
    let engine = app.rt.block_on(app.app.engine.read());
    let mut day = qiangji_domain::date::parse("2026-01-01").unwrap();
    loop {
        let board = engine.board(&access, org, day, &RuleSet::default_rules());
        if board.of_org(org).any(|r| stage_reached(r, None, day).is_some()) {
            return day;
        }
        day = day.succ_opt().unwrap();
        assert!(day < qiangji_domain::date::parse("2026-11-01").unwrap(), "no reminder stage all year");
    }
}

fn flow(backend: Backend) {
    let app = TestApp::spawn(backend);
    let branch = OrgId(app.access_of("shuji").scope_org_id());
    let day = a_day_with_a_reminder(&app, branch);
    let db = app.store.db();
    let count = |sql: &str| app.rt.block_on(db.one(sql, vec![])).unwrap().int(0);
    // No email or SMS channel configured: only in-app deliveries are queued.
    let channels = Settings::default().channels();
    let new = app.rt.block_on(schedule::run(&app.app, day, &channels)).unwrap();
    assert!(new.unwrap() > 0);
    assert_eq!(app.rt.block_on(schedule::run(&app.app, day, &channels)).unwrap(), None, "once a day");
    assert_eq!(count("SELECT COUNT(*) FROM reminder_delivery WHERE channel <> 'in_app'"), 0);
    let (_running, stopping) = tokio::sync::watch::channel(false);
    app.rt.block_on(deliver::run(&app.app, &Settings::default(), &stopping)).unwrap();
    let notified = count("SELECT COUNT(*) FROM notification");
    assert!(notified > 0, "someone was notified in the application");

    // The secretary of the branch (or, without an account of their own, the branch's secretary account).
    let recipient = app
        .rt
        .block_on(db.one(
            "SELECT u.username FROM notification n JOIN app_user u ON u.id = n.user_id JOIN reminder r ON r.id = n.reminder_id \
             WHERE r.org_id = ? ORDER BY n.id LIMIT 1",
            vec![branch.0.into()],
        ))
        .unwrap()
        .text(0);
    let (c, csrf) = app.login(&recipient);
    let page = c.get("/notifications");
    assert_eq!(page.status, 200);
    assert!(page.body.contains(r#"id="unread-count""#), "the count shows in the navigation");
    assert!(page.body.contains(&format!("/orgs/{}/orglife", branch.0)), "links to the organization's 组织生活");
    let api = c.get("/api/v1/notifications").json();
    let unread = api["unread"].as_i64().unwrap();
    assert!(unread > 0 && api["total"] == unread);
    let id = api["items"][0]["id"].as_i64().unwrap();
    let item = &api["items"][0];
    assert!(item["title"].as_str().unwrap().starts_with(item["org_name"].as_str().unwrap()), "{api}");

    let r = c.post_form(&format!("/notifications/{id}/read"), &[("csrf", "wrong")]);
    assert_eq!(r.status, 403, "the form needs the session's CSRF token");
    let r = c.post_form(&format!("/notifications/{id}/read"), &[("csrf", &csrf)]);
    assert_eq!(r.status, 303);
    assert_eq!(c.get("/api/v1/notifications").json()["unread"].as_i64(), Some(unread - 1));
    let (other, _) = app.login("dangyuan");
    if recipient != "dangyuan" {
        let r = other.request("POST", &format!("/api/v1/notifications/{id}/read"), &[], String::new());
        assert!(r.status == 403 || r.status == 404, "another user's notification: {}", r.status);
    }

    // The officers above see the outbox of their subtree, with what could not go by SMS or email.
    let (officer, _) = app.login("zuzhibu");
    let page = officer.get("/orgs/1/reminders");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("无手机号") && page.body.contains("无邮箱"));
    let outbox = officer.get("/api/v1/orgs/1/reminders").json();
    assert_eq!(outbox["total"].as_i64(), Some(count("SELECT COUNT(*) FROM reminder")));
    let in_app = outbox["items"].as_array().unwrap().iter().flat_map(|r| r["deliveries"].as_array().unwrap().clone());
    assert!(in_app.filter(|d| d["channel"] == "in_app").all(|d| d["status"] == "delivered"));
    let (member, _) = app.login("dangyuan");
    assert_eq!(member.get(&format!("/orgs/{}/reminders", branch.0)).status, 403, "members have no outbox");
}

#[test]
fn a_scheduled_reminder_reaches_the_secretary_in_the_application_on_sqlite() {
    flow(Backend::Sqlite);
}

#[test]
fn a_scheduled_reminder_reaches_the_secretary_in_the_application_on_postgres() {
    flow(Backend::Postgres);
}
