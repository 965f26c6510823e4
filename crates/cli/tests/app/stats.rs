//! The statistics page: totals equal the database to the person, today and as of a past date,
//! and a move shows in both organizations' statistics at once.

use crate::harness::{Backend, TestApp};

fn total(body: &str) -> i64 {
    body.split("id=\"stats-total\">").nth(1).and_then(|s| s.split('<').next()).and_then(|s| s.parse().ok()).unwrap()
}

fn sql_count(app: &TestApp, org: i64, on: &str) -> i64 {
    let path =
        app.rt.block_on(app.store.db().one("SELECT path FROM org WHERE id = ?", vec![org.into()])).unwrap().text(0);
    app.rt
        .block_on(app.store.db().one(
            "SELECT COUNT(*) FROM membership ms JOIN org o ON o.id = ms.org_id JOIN member_state st ON st.member_id = ms.member_id \
             WHERE ms.valid_from <= ? AND (ms.valid_to IS NULL OR ms.valid_to > ?) AND st.valid_from <= ? \
             AND (st.valid_to IS NULL OR st.valid_to > ?) AND st.status IN ('active', 'suspended') AND o.path >= ? AND o.path < ?",
            vec![on.into(), on.into(), on.into(), on.into(), path.clone().into(), format!("{path}~").into()],
        ))
        .unwrap()
        .int(0)
}

#[test]
fn statistics_match_the_database_today_and_as_of_a_past_date() {
    let app = TestApp::spawn(Backend::Sqlite);
    let (c, _) = app.login("zuzhibu");
    let today = qiangji_domain::date::today().to_string();
    let page = c.get("/orgs/1/stats");
    assert_eq!(page.status, 200);
    assert_eq!(total(&page.body), sql_count(&app, 1, &today));
    assert!(page.body.contains("61岁及以上") && page.body.contains("2012年11月以来"), "the bulletin's bands are shown");
    let past = c.get("/orgs/1/stats?on=2010-06-30");
    assert_eq!(total(&past.body), sql_count(&app, 1, "2010-06-30"));
    assert!(total(&past.body) < total(&page.body), "fewer members then than now");
    let bad = c.get("/orgs/1/stats?on=2099-01-01");
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("统计日期不能晚于今天"));
    let api = c.get("/api/v1/orgs/1/stats?on=2010-06-30").json();
    assert_eq!(api["total"].as_i64(), Some(sql_count(&app, 1, "2010-06-30")));
}

#[test]
fn a_member_moved_in_the_ui_shows_at_once_in_both_organizations_statistics() {
    let app = TestApp::spawn(Backend::Sqlite);
    let (c, csrf) = app.login("zuzhibu");
    let (member, from): (i64, i64) = app
        .rt
        .block_on(app.store.db().one("SELECT id, org_id FROM member ORDER BY id LIMIT 1", vec![]))
        .map(|r| (r.int(0), r.int(1)))
        .unwrap();
    let to: i64 =
        app.rt
            .block_on(app.store.db().one(
                "SELECT id FROM org WHERE kind = 'branch' AND id <> ? ORDER BY id DESC LIMIT 1",
                vec![from.into()],
            ))
            .unwrap()
            .int(0);
    let before_from = total(&c.get(&format!("/orgs/{from}/stats")).body);
    let before_to = total(&c.get(&format!("/orgs/{to}/stats")).body);
    let today = qiangji_domain::date::today().to_string();
    let r = c.post_form(
        &format!("/members/{member}/move"),
        &[("csrf", &csrf), ("target_id", &to.to_string()), ("on", &today), ("reason", "工作调动")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(total(&c.get(&format!("/orgs/{from}/stats")).body), before_from - 1);
    assert_eq!(total(&c.get(&format!("/orgs/{to}/stats")).body), before_to + 1);
    let yesterday = (qiangji_domain::date::today() - chrono::Duration::days(1)).to_string();
    assert_eq!(total(&c.get(&format!("/orgs/{from}/stats?on={yesterday}")).body), before_from, "the past is unchanged");
}

#[test]
fn a_cell_of_todays_statistics_drills_down_to_exactly_those_members() {
    let app = TestApp::spawn(Backend::Sqlite);
    let (c, _) = app.login("zuzhibu");
    let page = c.get("/orgs/1/stats").body;
    let mut followed = 0;
    for filter in ["sex=female", "kind=probationary", "education=university", "age_band=ge61"] {
        let href = format!("/orgs/1/members?{filter}\"");
        let cell = page.split(&href).nth(1).unwrap_or_else(|| panic!("no link for {filter}"));
        let count: i64 = cell.split('>').nth(1).and_then(|s| s.split('<').next()).and_then(|s| s.parse().ok()).unwrap();
        let list = c.get(&format!("/orgs/1/members?{filter}")).body;
        assert!(list.contains(&format!("共 {count} 人")), "{filter}: the cell says {count}");
        followed += 1;
    }
    assert_eq!(followed, 4);
    assert!(
        !c.get("/orgs/1/stats?on=2015-01-01").body.contains("/orgs/1/members?sex="),
        "no drill-down into a past date"
    );
}
