//! The statistics page: totals equal the database to the person, today and as of a past date,
//! and a move shows in both organizations' statistics at once.

use crate::harness::{Backend, TestApp};

/// The number inside the element with `id`.
fn number(body: &str, id: &str) -> i64 {
    let after = body.split(&format!("id=\"{id}\"")).nth(1).unwrap_or_else(|| panic!("no #{id}"));
    after.split('>').nth(1).and_then(|s| s.split('<').next()).and_then(|s| s.trim().parse().ok()).unwrap()
}

fn total(body: &str) -> i64 {
    number(body, "stats-total")
}

/// Every `(href, count)` of links to the members behind a number, in page order.
fn drill_links(body: &str) -> Vec<(String, i64)> {
    body.split("<a href=\"/orgs/")
        .skip(1)
        .filter_map(|s| {
            let (href, rest) = s.split_once('"')?;
            let count = rest.split_once('>')?.1.split('<').next()?.parse().ok()?;
            href.contains("/stats/members?")
                .then(|| (format!("/orgs/{}", href.replace("&amp;", "&").replace("&#38;", "&")), count))
        })
        .collect()
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
fn every_number_drills_down_to_exactly_those_members_on_that_day() {
    let app = TestApp::spawn(Backend::Sqlite);
    let (c, _) = app.login("zuzhibu");
    let mut followed = 0;
    for query in ["", "on=2015-01-01", "sex=female&education=university&education=college&rows=age_band&cols=kind"] {
        let page = c.get(&format!("/orgs/1/stats?{query}"));
        assert_eq!(page.status, 200, "{query}");
        let links = drill_links(&page.body);
        assert!(links.len() >= 25, "{query}: the cells link ({} links)", links.len());
        // The total, and a spread of cells including empty ones and cross-tab cells.
        for (href, count) in links.iter().step_by(3) {
            assert_eq!(number(&c.get(href).body, "total"), *count, "{href}");
            followed += 1;
        }
    }
    assert!(followed > 30);
    let filtered = c.get("/orgs/1/stats?sex=female&education=university&education=college");
    assert!(filtered.body.contains("性别：女；学历：大学本科、大学专科"), "the condition is spelt out");
    let women: i64 = c.get("/api/v1/orgs/1/stats?sex=female").json()["total"].as_i64().unwrap();
    assert_eq!(total(&filtered.body), {
        let api = c.get("/api/v1/orgs/1/stats?sex=female&education=university&education=college").json();
        api["total"].as_i64().unwrap()
    });
    assert!(total(&filtered.body) < women);
    let bad = c.get("/api/v1/orgs/1/stats?sex=robot");
    assert_eq!((bad.status, bad.json()["code"].as_str()), (400, Some("stats.filter_invalid")));
}
