//! A real headless Chromium: log in, browse the tree, find a member by pinyin initials, edit a
//! field, and see the change in the member's history.

use crate::harness::{Backend, DEMO_PASSWORD, TestApp};
use qiangji_testkit::webdriver::Browser;
use std::time::Duration;

/// Browser tests run wherever Chromium is; without it they fail unless `QIANGJI_SKIP_BROWSER` is set.
fn skipped() -> bool {
    let skip = !qiangji_testkit::webdriver::available() && std::env::var("QIANGJI_SKIP_BROWSER").is_ok();
    if skip {
        eprintln!("skipped: no chromium (QIANGJI_SKIP_BROWSER set)");
    }
    skip
}

/// Logs in through the login page as a demo account.
fn log_in(b: &Browser, app: &TestApp, username: &str) {
    b.goto(&format!("{}/login", app.base));
    b.find("#username").send_keys(username);
    b.find("#password").send_keys(DEMO_PASSWORD);
    b.find("#login").click();
}

#[test]
fn an_officer_browses_the_tree_finds_a_member_by_initials_and_edits_the_phone() {
    if skipped() {
        return;
    }
    let app = TestApp::spawn(Backend::Sqlite);
    let branch = app.access_of("shuji").scope_org_id();
    let (member_id, name, initials): (i64, String, String) = app
        .rt
        .block_on(
            app.store
                .db()
                .one("SELECT id, name, initials FROM member WHERE org_id = ? ORDER BY id LIMIT 1", vec![branch.into()]),
        )
        .map(|r| (r.int(0), r.text(1), r.text(2)))
        .unwrap();
    let b = Browser::start();
    log_in(&b, &app, "zuzhibu");
    b.wait_for_text("#org-name", "中共宁波市委组织部", Duration::from_secs(10));

    // Expand the first district in place, then walk down to the branch.
    b.find("ul.tree button.expand").click();
    b.wait_for_text("ul.tree ul.tree", "中共", Duration::from_secs(10));
    b.goto(&format!("{}/orgs/{branch}", app.base));
    b.find("a[href$='/members']").click();
    b.wait_for_text("#total", "共", Duration::from_secs(10));

    b.find("#q").send_keys(&initials);
    b.find("#search").click();
    b.wait_for_text("table.list", &name, Duration::from_secs(10));
    b.find(&format!("a[href='/members/{member_id}']")).click();
    b.wait_for_text("#member-name", &name, Duration::from_secs(10));

    b.find("#edit-member").click();
    let phone = b.find("#phone");
    phone.clear();
    phone.send_keys("13912345678");
    b.find("#reason").send_keys("本人来电更正");
    b.find("#save").click();
    b.wait_for_text("#member-phone", "139****5678", Duration::from_secs(10));
    let history = b.wait_for_text("#history", "联系电话", Duration::from_secs(10));
    assert!(history.contains("139****5678"), "{history}");
    assert!(history.contains("本人来电更正"), "{history}");
    let shot = std::env::temp_dir().join("qiangji-member-history.png");
    assert!(b.screenshot_png(&shot).starts_with(b"\x89PNG"));
}

/// Not a check: writes screenshots of the main pages, desktop and phone width, to
/// `target/screenshots/` for people reviewing UI changes. `cargo test -p qiangji --test app -- --ignored`.
#[test]
#[ignore]
fn screenshots_of_the_main_pages() {
    let app = TestApp::spawn(Backend::Sqlite);
    let branch = app.access_of("shuji").scope_org_id();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let b = Browser::start();
    b.goto(&format!("{}/login", app.base));
    b.screenshot_png(dir.join("login.png"));
    b.find("#username").send_keys("zuzhibu");
    b.find("#password").send_keys(DEMO_PASSWORD);
    b.find("#login").click();
    b.wait_for_text("#org-name", "中共", Duration::from_secs(10));
    let pages = [
        ("org", "/orgs/1".to_owned()),
        ("branch", format!("/orgs/{branch}")),
        ("members", "/orgs/1/members?sex=female".to_owned()),
        ("audit", "/audit".to_owned()),
        ("stats", "/orgs/1/stats".to_owned()),
        ("warnings", "/orgs/1/warnings".to_owned()),
        ("orglife", format!("/orgs/{branch}/orglife")),
        ("meeting-form", format!("/orgs/{branch}/orglife/new")),
        ("transfers", "/orgs/1/transfers".to_owned()),
        ("transfers-all", "/orgs/1/transfers?all=true".to_owned()),
        ("transfer", "/transfers/1".to_owned()),
        ("letter", "/transfers/1/letter".to_owned()),
        ("member", "/members/1".to_owned()),
        ("account", "/account".to_owned()),
        ("development", "/orgs/1/development".to_owned()),
        ("floating", "/orgs/1/floating".to_owned()),
    ];
    for (width, suffix) in [(1280, "desktop"), (390, "phone")] {
        b.set_window_size(width, 900);
        for (name, path) in &pages {
            b.goto(&format!("{}{path}", app.base));
            b.screenshot_png(dir.join(format!("{name}-{suffix}.png")));
        }
    }
}

/// Reads every sheet of a workbook with openpyxl (an independent reader) as `{sheet: {row label: count}}`.
fn read_workbook(path: &std::path::Path) -> serde_json::Value {
    let python = std::env::var("QIANGJI_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = r#"
import json, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
out = {}
for ws in wb.worksheets:
    rows = list(ws.iter_rows(values_only=True))
    out[ws.title] = {str(r[0]): r[1] for r in rows[4:] if r and r[0] is not None and isinstance(r[1], (int, float))}
print(json.dumps(out, ensure_ascii=False))
"#;
    let run = std::process::Command::new(&python).args(["-c", script]).arg(path).output();
    let out = run.unwrap_or_else(|e| panic!("cannot run {python}: {e} (scripts/test.sh sets QIANGJI_PYTHON)"));
    assert!(out.status.success(), "openpyxl failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn an_officer_changes_the_statistics_date_and_downloads_the_same_numbers_as_xlsx() {
    if skipped() {
        return;
    }
    let app = TestApp::spawn(Backend::Sqlite);
    let b = Browser::start();
    log_in(&b, &app, "zuzhibu");
    b.wait_for_text("#org-name", "中共宁波市委组织部", Duration::from_secs(10));
    b.goto(&format!("{}/orgs/1/stats", app.base));
    let today_total: i64 = b.find("#stats-total").text().parse().unwrap();

    // Pick a date a year and a half back in the date field, then show it.
    let past = (qiangji_domain::date::today() - chrono::Duration::days(550)).to_string();
    b.execute("document.getElementById('on').value = arguments[0];", &[past.clone().into()]);
    b.find("#show").click();
    b.wait_for_text("#stats-date", &past, Duration::from_secs(10));
    let total: i64 = b.find("#stats-total").text().parse().unwrap();
    assert!(0 < total && total < today_total, "fewer members then ({total}) than today ({today_total})");
    let mut shown = std::collections::BTreeMap::new();
    for row in b.find_all("table[data-table='education'] tbody tr") {
        let text = row.text();
        let cells: Vec<&str> = text.split_whitespace().collect();
        shown.insert(cells[0].to_owned(), cells[1].parse::<i64>().unwrap());
    }
    assert_eq!(shown.values().sum::<i64>(), total, "the education table adds up to the total");

    b.find("#download-xlsx").click();
    let file = b.downloaded(Duration::from_secs(20));
    assert!(file.to_string_lossy().ends_with(".xlsx"), "{}", file.display());
    let book = read_workbook(&file);
    let education = &book["学历"];
    for (label, n) in &shown {
        assert_eq!(education[label].as_i64(), Some(*n), "学历 {label} in the workbook");
    }
    assert_eq!(education["合计"].as_i64(), Some(total), "the workbook's total is the page's");
    let sex = &book["性别"];
    assert_eq!(sex["男"].as_i64().unwrap() + sex["女"].as_i64().unwrap(), total);
    assert!(book.get("党支部规模").is_some(), "organization tables are in the workbook too");
}

/// The number after `id="behind-count">` on a warning board.
fn behind_count(page: &str) -> usize {
    let at = page.find("id=\"behind-count\">").expect("a warning board") + "id=\"behind-count\">".len();
    page[at..].split('<').next().unwrap().parse().unwrap()
}

#[test]
fn a_secretary_records_an_overdue_meeting_and_the_warning_disappears_up_to_the_city() {
    if skipped() {
        return;
    }
    let app = TestApp::spawn(Backend::Sqlite);
    let branch = app.access_of("shuji").scope_org_id();
    let (city, _) = app.login("zuzhibu");
    let city_before = behind_count(&city.get("/orgs/1/warnings").body);

    let b = Browser::start();
    log_in(&b, &app, "shuji");
    b.wait_for_text("#org-name", "", Duration::from_secs(10));
    b.goto(&format!("{}/orgs/{branch}/warnings", app.base));
    let before: usize = b.find("#behind-count").text().parse().unwrap();
    // The branch has kept no records, so its 支部党员大会 of an earlier quarter is overdue.
    let row = b.find(&format!("#behind tr[data-org='{branch}'][data-kind='general_meeting'][data-status='overdue']"));
    let from = qiangji_domain::date::parse(&row.attr("data-from").unwrap()).unwrap();
    let held_on = (from + chrono::Days::new(14)).to_string();
    assert!(city_before >= before && before > 0, "city {city_before}, branch {before}");

    // The secretary enters the meeting that was held but never recorded, with attendance.
    b.goto(&format!("{}/orgs/{branch}/orglife", app.base));
    b.find("#record").click();
    b.execute("document.querySelector('select[name=kind]').value = 'general_meeting';", &[]);
    b.execute("document.querySelector('input[name=held_on]').value = arguments[0];", &[held_on.clone().into()]);
    b.find("input[name=place]").send_keys("社区党群服务中心");
    b.find("input[name=host]").send_keys("支部书记");
    b.find("input[name=recorder]").send_keys("组织委员");
    b.find("input[name=topic]").send_keys("学习贯彻党的二十大精神");
    b.find("textarea[name=content]").send_keys("传达上级精神，讨论本季度工作。");
    // Members who joined the branch after that day were not there: leave them off the sheet.
    let later: Vec<i64> = app
        .rt
        .block_on(app.store.db().all(
            "SELECT member_id FROM membership WHERE org_id = ? AND valid_to IS NULL AND valid_from > ?",
            vec![branch.into(), held_on.clone().into()],
        ))
        .unwrap()
        .iter()
        .map(|r| r.int(0))
        .collect();
    for m in &later {
        b.execute(&format!("document.querySelector('select[name=att_{m}]').value = '';"), &[]);
    }
    let sheet = b.find_all("#attendance tbody tr").len();
    let absent_id = b
        .find_all("#attendance tbody tr select")
        .iter()
        .map(|s| s.attr("name").unwrap())
        .find(|n| !later.iter().any(|m| *n == format!("att_{m}")))
        .expect("someone was there");
    b.execute(&format!("document.querySelector('select[name={absent_id}]').value = 'leave';"), &[]);
    b.find(&format!("input[name=reason_{}]", absent_id.trim_start_matches("att_"))).send_keys("外出务工");
    b.find("#save").click();
    b.wait_for_text("#held-on", &held_on, Duration::from_secs(10));
    let listed = b.find_all("#attendance tbody tr").len();
    assert_eq!(listed, sheet - later.len(), "every member there that day is on the record");
    assert!(b.find("#attendance").text().contains("外出务工"));

    // The warning is gone from the branch's board and from the city's.
    b.goto(&format!("{}/orgs/{branch}/warnings", app.base));
    assert_eq!(b.find("#behind-count").text().parse::<usize>().unwrap(), before - 1);
    let still = b.find_all(&format!("#behind tr[data-kind='general_meeting'][data-from='{from}']"));
    assert!(still.is_empty(), "the quarter starting {from} is no longer behind");
    assert_eq!(behind_count(&city.get("/orgs/1/warnings").body), city_before - 1);
}

/// The toolbar's 打印 button of a printable page opens the print dialog. The CSP forbids inline
/// handlers, so this holds only through the page script's listener.
fn the_print_button_prints(b: &Browser) {
    b.execute("window.printed = 0; window.print = () => { window.printed += 1; };", &[]);
    b.find("#print").click();
    assert_eq!(b.execute("return window.printed;", &[]), serde_json::json!(1), "打印 opens the print dialog");
}

/// Where tests keep what people should be able to look at afterwards (the printed letter).
fn artifact(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/test-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn two_secretaries_of_different_counties_transfer_a_member_with_a_printed_letter() {
    if skipped() {
        return;
    }
    let app = TestApp::spawn(Backend::Sqlite);
    let from = app.access_of("shuji").scope_org_id();
    let to = app.access_of("shuji2").scope_org_id();
    let (member, name, id_number, to_name, counties): (i64, String, String, String, (String, String)) =
        app.rt.block_on(async {
            let db = app.store.db();
            let m = db
                .one(
                    "SELECT id, name, id_number FROM member WHERE org_id = ? ORDER BY id LIMIT 1 OFFSET 1",
                    vec![from.into()],
                )
                .await
                .unwrap();
            let county = |org: i64| async move {
                let path = db.one("SELECT path FROM org WHERE id = ?", vec![org.into()]).await.unwrap().text(0);
                path.split('/').nth(2).unwrap().to_owned()
            };
            let to_name = db.one("SELECT name FROM org WHERE id = ?", vec![to.into()]).await.unwrap().text(0);
            (m.int(0), m.text(1), app.clear_id_number(&m.text(2)), to_name, (county(from).await, county(to).await))
        });
    assert_ne!(counties.0, counties.1, "the two branches are in different counties");

    // The sending secretary starts the transfer from the member's page, finds the receiving
    // branch by name across the city, approves and issues the letter.
    let sender = Browser::start();
    log_in(&sender, &app, "shuji");
    sender.wait_for_text("#org-name", "", Duration::from_secs(10));
    sender.goto(&format!("{}/members/{member}", app.base));
    sender.find("#request-transfer").click();
    sender.find("input[name=q]").send_keys(&to_name);
    sender.find("#find-receiver").click();
    sender.find(&format!("input[name=to_org_id][value='{to}']")).click();
    sender.find("input[name=reason]").send_keys("工作调动");
    sender.find("button#request-transfer").click();
    sender.wait_for_text("#transfer-state", "待转出方审批", Duration::from_secs(10));
    sender.find("#step-approve button").click();
    sender.wait_for_text("#transfer-state", "待开介绍信", Duration::from_secs(10));
    sender.find("#step-issue_letter button").click();
    sender.wait_for_text("#transfer-state", "在途", Duration::from_secs(10));
    let serial = sender.find("#letter-serial").text();

    // The letter prints with its three parts, the serial number and both organizations.
    sender.find("#print-letter").click();
    let letter = sender.wait_for_text("#main-letter", &name, Duration::from_secs(10));
    assert!(letter.contains(&to_name), "{letter}");
    for part in ["#stub", "#main-letter", "#receipt"] {
        assert!(sender.find(part).text().contains(serial.split('，').next().unwrap()), "{part} carries the serial");
    }
    assert!(letter.contains(&format!("{}*", &id_number[..3])) && !letter.contains(&id_number), "masked: {letter}");
    the_print_button_prints(&sender);
    // The paper carries the whole number: shown on request, and recorded on the member's record.
    sender.find("#letter-in-full").click();
    sender.wait_for_text("#in-full-note", "已记入", Duration::from_secs(10));
    assert!(
        sender.find("#main-letter").text().contains(&id_number) && sender.find("#stub").text().contains(&id_number)
    );
    let traced = app.rt.block_on(app.store.db().one(
        "SELECT COUNT(*) FROM ledger WHERE kind = 'member.personal_shown' AND subject = ? AND reason LIKE '打印组织关系介绍信%'",
        vec![format!("member:{member}").into()],
    ));
    assert_eq!(traced.unwrap().int(0), 1, "the showing is on the member's record");
    sender.set_window_size(900, 1400);
    let shot = sender.screenshot_png(artifact("transfer-letter.png"));
    assert!(shot.starts_with(b"\x89PNG") && shot.len() > 10_000, "the letter was rendered");

    // In transit the member is still the sending branch's, marked 在途 on its roster.
    sender.goto(&format!("{}/orgs/{from}/members", app.base));
    sender.wait_for_text("table.list", &name, Duration::from_secs(10));
    assert!(sender.find(&format!("a[href='/members/{member}']")).text().contains(&name));
    assert!(!sender.find_all(".in-transit").is_empty(), "the roster marks the member in transit");

    // The receiving secretary, another user in another county, finds it among incoming
    // transfers and takes the member in.
    let receiver = Browser::start();
    log_in(&receiver, &app, "shuji2");
    receiver.wait_for_text("#org-name", "", Duration::from_secs(10));
    receiver.goto(&format!("{}/orgs/{to}/transfers", app.base));
    receiver.wait_for_text("#incoming", &name, Duration::from_secs(10));
    receiver.find("#incoming a").click();
    for (step, state) in [("receive", "待报到"), ("report", "待回执"), ("return_receipt", "已办结")] {
        receiver.find(&format!("#step-{step} button")).click();
        receiver.wait_for_text("#transfer-state", state, Duration::from_secs(10));
    }

    // The member is now in the new branch, with the whole history on their page.
    receiver.goto(&format!("{}/members/{member}", app.base));
    receiver.wait_for_text("#member-name", &name, Duration::from_secs(10));
    let page = receiver.page_source();
    assert!(page.contains(&to_name));
    let history = receiver.find("#history").text();
    for step in
        ["提出组织关系转接", "转出方审批同意", "开具介绍信", "转入方接收", "党员报到", "回执返回", "组织关系调整"]
    {
        assert!(history.contains(step), "{step} missing from the history: {history}");
    }
    let m = app.rt.block_on(app.store.get_member(&app.system(), qiangji_domain::member::MemberId(member))).unwrap();
    assert_eq!(m.org_id.0, to);
    // The sending secretary no longer reaches the record, but still sees the finished transfer.
    sender.goto(&format!("{}/members/{member}", app.base));
    assert!(sender.page_source().contains("not_found"));
    sender.goto(&format!("{}/orgs/{from}/transfers?all=true", app.base));
    sender.wait_for_text("#outgoing", "已办结", Duration::from_secs(10));
}

#[test]
fn a_secretary_prints_a_members_registration_form() {
    if skipped() {
        return;
    }
    let app = TestApp::spawn(Backend::Sqlite);
    let branch = app.access_of("shuji").scope_org_id();
    let (member, name): (i64, String) = app
        .rt
        .block_on(
            app.store.db().one("SELECT id, name FROM member WHERE org_id = ? ORDER BY id LIMIT 1", vec![branch.into()]),
        )
        .map(|r| (r.int(0), r.text(1)))
        .unwrap();
    let b = Browser::start();
    log_in(&b, &app, "shuji");
    b.wait_for_text("#org-name", "", Duration::from_secs(10));
    b.goto(&format!("{}/members/{member}", app.base));
    b.find("#print-form").click();
    b.wait_for_text("#form-name", &name, Duration::from_secs(10));
    let form = b.find("#registration-form").text();
    for field in ["党员信息登记表", "公民身份号码", "入党日期", "组织关系", "党员类别与党籍状态", "变更记录"]
    {
        assert!(form.contains(field), "{field} on the form: {form}");
    }
    assert!(b.find("#form-id-number").text().contains('*'), "the identity number is masked");
    assert!(!b.find_all("#form-memberships tbody tr").is_empty(), "the membership history is on the form");
    b.set_window_size(900, 1400);
    let shot = b.screenshot_png(artifact("member-registration-form.png"));
    assert!(shot.starts_with(b"\x89PNG") && shot.len() > 10_000, "the form was rendered");
    let pdf = b.print_pdf(artifact("member-registration-form.pdf"));
    assert!(pdf.starts_with(b"%PDF"), "the form prints");
    the_print_button_prints(&b);

    // The branch's roster, printed on A4: several pages for a longer list, the header on each.
    b.goto(&format!("{}/orgs/{branch}/members", app.base));
    b.find("#print-list").click();
    b.wait_for_text("#roster-table", &name, Duration::from_secs(10));
    let rows = b.find_all("#roster-table tbody tr").len();
    assert_eq!(b.find("#roster-total").text(), rows.to_string());
    the_print_button_prints(&b);
    let pdf = b.print_pdf(artifact("member-roster.pdf"));
    // The page tree's /Count: Chromium writes it uncompressed.
    let text = String::from_utf8_lossy(&pdf);
    let pages: usize = text
        .split("/Count ")
        .filter_map(|s| s.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok())
        .max()
        .unwrap_or(0);
    assert!(pdf.starts_with(b"%PDF") && pages >= 2, "the roster of {rows} members prints on {pages} A4 pages");
}
