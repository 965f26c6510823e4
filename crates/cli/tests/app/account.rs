//! Accounts over HTTP: security headers on every answer, the password policy, a password change
//! ending the other sessions, the sessions a user can see and end, security events, and the rate
//! limits on logins and API requests.

use crate::harness::{Backend, DEMO_PASSWORD, TestApp};
use qiangji_web::security::Limits;

const NEW_PASSWORD: &str = "Neu-Kennwort-2026";

/// Logs in over the API; the token and the CSRF token.
fn api_login(app: &TestApp, username: &str, password: &str) -> (u16, String) {
    let body = format!(r#"{{"username":"{username}","password":"{password}"}}"#);
    let r = app.client().request("POST", "/api/v1/session", &[("content-type", "application/json")], body);
    let token = if r.status == 200 { r.json()["token"].as_str().unwrap().to_owned() } else { String::new() };
    (r.status, token)
}

#[test]
fn every_answer_carries_the_security_headers() {
    let app = TestApp::spawn(Backend::Sqlite);
    let (c, _) = app.login("shuji");
    let page = c.get("/account");
    assert_eq!(page.status, 200);
    for (name, value) in [
        ("x-frame-options", "DENY"),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "same-origin"),
        ("cache-control", "no-store"),
    ] {
        assert_eq!(page.header(name), Some(value), "{name}");
    }
    let csp = page.header("content-security-policy").unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(c.get("/api/v1/me").header("x-frame-options"), Some("DENY"), "the API too");
    assert_eq!(app.client().get("/login").header("x-content-type-options"), Some("nosniff"), "before login too");
    let css = c.get("/assets/app.css");
    assert_eq!(css.header("cache-control"), Some("public, max-age=3600"), "assets keep their own caching");
}

#[test]
fn changing_the_password_follows_the_policy_and_ends_the_other_sessions() {
    let app = TestApp::spawn(Backend::Sqlite);
    let (c, csrf) = app.login("shuji");
    let (other, _) = app.login("shuji");
    let (status, token) = api_login(&app, "shuji", DEMO_PASSWORD);
    assert_eq!(status, 200);
    let sessions = c.get("/api/v1/me/sessions").json();
    let listed = sessions["sessions"].as_array().unwrap();
    assert_eq!(listed.len(), 3, "{sessions}");
    assert_eq!(listed.iter().filter(|s| s["current"] == true).count(), 1);
    assert!(listed.iter().all(|s| s["address"] == "127.0.0.1"), "{sessions}");

    let change = |current: &str, new: &str, confirm: &str| {
        c.post_form("/account/password", &[("csrf", &csrf), ("current", current), ("new", new), ("confirm", confirm)])
    };
    for (current, new, confirm, code) in [
        ("wrong-Password-1", NEW_PASSWORD, NEW_PASSWORD, "password.current_wrong"),
        (DEMO_PASSWORD, "short1!", "short1!", "password.too_short"),
        (DEMO_PASSWORD, "alllowercase12", "alllowercase12", "password.too_simple"),
        (DEMO_PASSWORD, "Shuji-2026-x", "Shuji-2026-x", "password.contains_username"),
        (DEMO_PASSWORD, NEW_PASSWORD, "Other-2026-x", "password.confirm_mismatch"),
        (DEMO_PASSWORD, DEMO_PASSWORD, DEMO_PASSWORD, "password.unchanged"),
    ] {
        let r = change(current, new, confirm);
        assert_eq!(r.status, 422, "{code}: {}", r.status);
        assert!(r.body.contains(&format!("data-code=\"{code}\"")), "{code}");
    }
    assert_eq!(other.get("/account").status, 200, "nothing changed yet");

    let r = change(DEMO_PASSWORD, NEW_PASSWORD, NEW_PASSWORD);
    assert_eq!((r.status, r.header("location")), (303, Some("/account?done=password")), "{}", r.body);
    assert_eq!(c.get("/account").status, 200, "this session goes on");
    assert_eq!(other.get("/account").status, 303, "the other browser is logged out");
    let r = app.client().request("GET", "/api/v1/me", &[("authorization", &format!("Bearer {token}"))], "");
    assert_eq!(r.status, 401, "and the API token");
    assert_eq!(api_login(&app, "shuji", DEMO_PASSWORD).0, 401, "the old password is gone");
    assert_eq!(api_login(&app, "shuji", NEW_PASSWORD).0, 200);
    let payload: String =
        app.rt
            .block_on(app.store.db().one(
                "SELECT payload FROM ledger WHERE kind = 'user.password_changed' ORDER BY seq DESC LIMIT 1",
                vec![],
            ))
            .unwrap()
            .text(0);
    assert!(payload.contains("shuji") && !payload.contains("argon2"), "the ledger says it changed, not to what");

    // The account page lists what happened; ending every other session leaves only this one.
    let page = c.get("/account");
    let events = page.body.split("id=\"events\"").nth(1).unwrap();
    assert!(events.contains("修改密码") && events.contains("登录失败"), "security events shown: {events}");
    let r = c.request("DELETE", "/api/v1/me/sessions", &[("x-csrf-token", &csrf)], "");
    assert_eq!((r.status, r.json()["ended"].as_i64()), (200, Some(1)), "{}", r.body);
    assert_eq!(c.get("/api/v1/me/sessions").json()["sessions"].as_array().unwrap().len(), 1);
}

#[test]
fn logins_and_api_requests_over_their_rate_are_refused_with_a_wait() {
    let app = TestApp::spawn(Backend::Sqlite);
    let (c, _) = app.login("zuzhibu");
    let (other, _) = app.login("shuji");
    // The two logins above count: five from this address this minute.
    app.app.rate_limits.set(Limits { logins_per_minute: 5, api_per_minute: 5 });
    for _ in 0..5 {
        assert_eq!(c.get("/api/v1/me").status, 200);
    }
    let r = c.get("/api/v1/me");
    assert_eq!((r.status, r.json()["code"].as_str()), (429, Some("rate.limited")));
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(c.get(&format!("/orgs/{}", app.access_of("zuzhibu").scope_org_id())).status, 200, "pages are not");
    assert_eq!(other.get("/api/v1/me").status, 200, "each token has its own count");

    // Logins from one address: a correct password is refused too once over the rate.
    for _ in 0..3 {
        assert_eq!(api_login(&app, "dangwei", "wrong-Password-1").0, 401);
    }
    let body = format!(r#"{{"username":"dangwei","password":"{DEMO_PASSWORD}"}}"#);
    let r = app.client().request("POST", "/api/v1/session", &[("content-type", "application/json")], body);
    assert_eq!((r.status, r.json()["code"].as_str()), (429, Some("rate.limited")));
    app.app.rate_limits.set(Limits { logins_per_minute: 0, api_per_minute: 0 });
    assert_eq!(api_login(&app, "dangwei", DEMO_PASSWORD).0, 200, "0 turns the limits off");
}

#[test]
fn a_second_factor_is_set_up_with_a_code_and_then_asked_at_every_login_once_per_code() {
    let app = TestApp::spawn(Backend::Sqlite);
    let (c, csrf) = app.login("shuji");
    assert!(c.get("/account").body.contains("id=\"totp-start\""));
    let r = c.post_form("/account/totp/start", &[("csrf", &csrf)]);
    assert_eq!(r.status, 303);
    let page = c.get("/account").body;
    let shown = page.split("id=\"totp-secret\">").nth(1).unwrap().split('<').next().unwrap();
    let secret = qiangji_domain::totp::from_base32(shown).expect("a base32 secret");
    assert_eq!(secret.len(), 20);
    assert!(page.contains("otpauth://totp/"), "the address for authenticator apps");
    // The clock is read at each use: the test may cross a 30-second step (the server accepts the
    // step before and after its own).
    let step_now = || u64::try_from(chrono::Utc::now().timestamp()).unwrap() / qiangji_domain::totp::STEP_SECONDS;
    let code = |step: u64| format!("{:06}", qiangji_domain::totp::code(&secret, step));
    let now = step_now();

    let wrong = format!("{:06}", (qiangji_domain::totp::code(&secret, now) + 1) % 1_000_000);
    let r = c.post_form("/account/totp/confirm", &[("csrf", &csrf), ("code", &wrong)]);
    assert!(r.status == 422 && r.body.contains("data-code=\"totp.code_wrong\""), "{}", r.status);
    let r = c.post_form("/account/totp/confirm", &[("csrf", &csrf), ("code", &code(now))]);
    assert_eq!(r.header("location"), Some("/account?done=totp_on"), "{}", r.body);

    let login = |password: &str, code: &str| {
        let body = serde_json::json!({ "username": "shuji", "password": password, "code": code }).to_string();
        let r = app.client().request("POST", "/api/v1/session", &[("content-type", "application/json")], body);
        (r.status, r.json()["code"].as_str().map(str::to_owned))
    };
    assert_eq!(login(DEMO_PASSWORD, ""), (401, Some("auth.code_required".into())));
    assert_eq!(login(DEMO_PASSWORD, &code(now)), (401, Some("auth.code_wrong".into())), "a code is good once");
    assert_eq!(login("wrong-Password-1", &code(step_now() + 1)), (401, Some("auth.bad_credentials".into())));
    assert_eq!(login(DEMO_PASSWORD, &code(step_now() + 1)).0, 200, "the next code, within a step of the clock");
    // The login form has the field too.
    let page = app.client().get("/login");
    assert!(page.body.contains("name=\"code\""));

    let r = c.post_form("/account/totp/disable", &[("csrf", &csrf), ("password", DEMO_PASSWORD), ("code", &wrong)]);
    assert!(r.body.contains("data-code=\"totp.code_wrong\""));
    let r = c.post_form(
        "/account/totp/disable",
        &[("csrf", &csrf), ("password", DEMO_PASSWORD), ("code", &code(step_now()))],
    );
    assert_eq!(r.header("location"), Some("/account?done=totp_off"), "{}", r.body);
    assert_eq!(login(DEMO_PASSWORD, "").0, 200, "no code asked any more");
    let kinds: Vec<String> = app
        .rt
        .block_on(app.store.db().all("SELECT kind FROM ledger WHERE kind LIKE 'user.totp_%' ORDER BY seq", vec![]))
        .unwrap()
        .iter()
        .map(|r| r.text(0))
        .collect();
    assert_eq!(kinds, ["user.totp_enabled", "user.totp_disabled"]);
}
