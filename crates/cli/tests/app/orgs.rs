//! Organization operations through the UI, as an officer does them.

use crate::harness::{Backend, TestApp};

fn count_on_page(body: &str) -> i64 {
    body.split("id=\"member-count\">").nth(1).and_then(|s| s.split('<').next()).and_then(|s| s.parse().ok()).unwrap()
}

#[test]
fn dissolving_a_branch_in_the_ui_moves_its_members_to_the_regional_org_and_counts_follow() {
    let app = TestApp::spawn(Backend::Sqlite);
    let (c, csrf) = app.login("dangwei");
    // A branch under the street working committee (itself regional) with members and no children.
    let committee = app.access_of("dangwei").scope_org_id();
    let (branch, members): (i64, i64) = app
        .rt
        .block_on(app.store.db().one(
            "SELECT o.id, COUNT(m.id) FROM org o JOIN member m ON m.org_id = o.id \
             WHERE o.parent_id = ? AND o.kind = 'branch' AND NOT EXISTS (SELECT 1 FROM org k WHERE k.parent_id = o.id) \
             GROUP BY o.id ORDER BY o.id LIMIT 1",
            vec![committee.into()],
        ))
        .map(|r| (r.int(0), r.int(1)))
        .unwrap();
    let before = count_on_page(&c.get(&format!("/orgs/{committee}")).body);
    let direct_before = app
        .rt
        .block_on(app.store.db().one("SELECT COUNT(*) FROM member WHERE org_id = ?", vec![committee.into()]))
        .unwrap()
        .int(0);
    let form = c.get(&format!("/orgs/{branch}/dissolve"));
    assert!(form.body.contains("转入上级区域性党组织"), "the page says where members go");
    let today = qiangji_domain::date::today().to_string();
    let r =
        c.post_form(&format!("/orgs/{branch}/dissolve"), &[("csrf", &csrf), ("on", &today), ("reason", "单位注销")]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.header("location"), Some(format!("/orgs/{committee}").as_str()), "lands on the receiver");
    let page = c.get(&format!("/orgs/{committee}"));
    assert_eq!(count_on_page(&page.body), before, "the subtree total is unchanged: nobody lost, nobody counted twice");
    let direct_after = app
        .rt
        .block_on(app.store.db().one("SELECT COUNT(*) FROM member WHERE org_id = ?", vec![committee.into()]))
        .unwrap()
        .int(0);
    assert_eq!(direct_after, direct_before + members);
    let dissolved = c.get(&format!("/orgs/{branch}"));
    assert_eq!(dissolved.status, 200, "the dissolved branch stays readable as history");
    assert!(dissolved.body.contains(&format!("已于{today}撤销")));
    assert!(c.get(&format!("/orgs/{branch}/members")).body.contains("共 0 人"));
}
