//! Importing a roster over HTTP: the preview names every problem with its code, a file with errors
//! cannot be committed, a clean one is committed whole, once, and counted at once.

use crate::harness::{Backend, TestApp};
use qiangji_domain::id_number::IdNumber;

fn id(seq: u16) -> String {
    IdNumber::compose(330203, qiangji_domain::date::parse("1990-01-02").unwrap(), seq).to_string()
}

/// A multipart body with the file and the mode.
fn multipart(name: &str, bytes: &[u8], mode: &str) -> (String, Vec<u8>) {
    let boundary = "----qiangji-test-boundary";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"mode\"\r\n\r\n{mode}\r\n").as_bytes(),
    );
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Follows a preview page until its batch is committed (the page says so), for up to ten seconds.
fn wait_until_committed(c: &qiangji_testkit::http::Client, url: &str) {
    for _ in 0..100 {
        let page = c.get(url).body;
        if page.contains("id=\"committed\"") {
            return;
        }
        assert!(!page.contains("data-code"), "the commit failed: {page}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("the batch at {url} was not committed within ten seconds");
}

fn count(app: &TestApp, sql: &str) -> i64 {
    app.rt.block_on(app.store.db().one(sql, vec![])).unwrap().int(0)
}

#[test]
fn a_roster_is_previewed_with_every_problem_and_committed_whole_or_not_at_all() {
    let app = TestApp::spawn(Backend::Sqlite);
    let branch = app.access_of("shuji").scope_org_id();
    let (c, csrf) = app.login("shuji");
    let upload = |name: &str, csv: &str, mode: &str| {
        let (ct, body) = multipart(name, csv.as_bytes(), mode);
        c.request("POST", &format!("/orgs/{branch}/import?csrf={csrf}"), &[("content-type", &ct)], body)
    };
    assert_eq!(c.get(&format!("/orgs/{branch}/import")).status, 200);
    let template = c.get(&format!("/orgs/{branch}/import/template"));
    assert_eq!(template.status, 200);
    assert!(template.body.as_bytes().starts_with(b"PK"), "an xlsx");
    let members_before = count(&app, "SELECT COUNT(*) FROM member");
    let head = app.head();

    // A file with errors: listed with codes, and nothing can be committed.
    let bad = format!(
        "党员花名册\n姓名,身份证号,民族,学历,职业,入党日期\n张一,{},汉族,本科,学生,2015-07-01\n李二,123,汉族,本科,学生,2015-07-01\n王三,{},汉族,本科,学生,2015年13月\n张一,{},汉族,本科,学生,2015-07-01\n",
        id(1),
        id(3),
        id(1)
    );
    let r = upload("有错误.csv", &bad, "skip");
    assert_eq!(r.status, 303, "{}", r.body);
    let preview_url = r.header("location").unwrap().to_owned();
    let page = c.get(&preview_url).body;
    for code in ["member.id_number_invalid", "import.date_invalid", "import.duplicate_in_file"] {
        assert!(page.contains(code), "{code} missing from the preview");
    }
    assert!(page.contains("id=\"cannot-commit\"") && !page.contains("id=\"commit\""));
    let refused = c.post_form(&format!("{preview_url}/commit"), &[("csrf", &csrf)]);
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("import.has_errors"));
    assert_eq!((count(&app, "SELECT COUNT(*) FROM member"), app.head()), (members_before, head), "nothing written");

    // A clean file with messy cells: committed whole, once, and counted at once.
    let good = format!(
        "姓名,性别,民族,身份证号,学历,职业,入党时间,转正时间\n 张一 ,男,汉,{},大学本科,学生,2015.07,2016-07-01\n李二,,汉族,{},大专,工人（工勤技能人员）,2018年3月5日,\n",
        id(1),
        id(5).to_lowercase()
    );
    let r = upload("花名册.csv", &good, "skip");
    let preview_url = r.header("location").unwrap().to_owned();
    let page = c.get(&preview_url).body;
    assert!(page.contains("<dd id=\"create\">2</dd>"), "{page}");
    assert!(page.contains("import.date_month_only") && page.contains("import.normalized"));
    let total_before = c.get(&format!("/api/v1/orgs/{branch}/members")).json()["total"].as_i64().unwrap();
    let done = c.post_form(&format!("{preview_url}/commit"), &[("csrf", &csrf)]);
    assert_eq!(done.status, 303, "{}", done.body);
    // Written in the background; the preview follows it until it is done.
    wait_until_committed(&c, &preview_url);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM member"), members_before + 2);
    let total_after = c.get(&format!("/api/v1/orgs/{branch}/members")).json()["total"].as_i64().unwrap();
    assert_eq!(total_after, total_before + 2, "the list counts them at once");
    let again = c.post_form(&format!("{preview_url}/commit"), &[("csrf", &csrf)]);
    assert!(again.body.contains("import.already_committed"), "a batch is committed once");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM ledger WHERE kind = 'import.committed'"), 1);
    let check = app.rt.block_on(qiangji_store::check::run(app.store.db())).unwrap();
    assert!(check.problems.is_empty(), "{:?}", check.problems);

    // The same file again: every row registered now, skipped; through the API.
    let r = c.request(
        "POST",
        &format!("/api/v1/orgs/{branch}/imports?file_name=again.csv&mode=skip"),
        &[("content-type", "text/csv"), ("x-csrf-token", &csrf)],
        good.clone(),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["summary"]["existing"], 2);
    let batch = r.json()["batch_id"].as_i64().unwrap();
    let r = c.request("POST", &format!("/api/v1/imports/{batch}/commit"), &[("x-csrf-token", &csrf)], "");
    assert_eq!((r.json()["created"].as_i64(), r.json()["skipped"].as_i64()), (Some(0), Some(2)), "{}", r.body);

    // Rolling the first batch back removes its members, everywhere and at once; the ledger keeps them.
    let no_reason = c.post_form(&format!("{preview_url}/rollback"), &[("csrf", &csrf), ("reason", " ")]);
    assert!(no_reason.body.contains("import.reason_missing"));
    let r = c.post_form(&format!("{preview_url}/rollback"), &[("csrf", &csrf), ("reason", "导错了文件")]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(c.get(&preview_url).body.contains("id=\"rolled-back\""));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM member"), members_before);
    let total = c.get(&format!("/api/v1/orgs/{branch}/members")).json()["total"].as_i64().unwrap();
    assert_eq!(total, total_before, "the list no longer counts them");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM ledger WHERE kind = 'member.removed'"), 2);
    let check = app.rt.block_on(qiangji_store::check::run(app.store.db())).unwrap();
    assert!(check.problems.is_empty(), "{:?}", check.problems);
    let twice = c.post_form(&format!("{preview_url}/rollback"), &[("csrf", &csrf), ("reason", "再撤")]);
    assert!(twice.body.contains("import.not_committed"));

    // Imported again, and one of them edited since: the batch can no longer be undone whole.
    let r = upload("花名册.csv", &good, "skip");
    let url = r.header("location").unwrap().to_owned();
    assert_eq!(c.post_form(&format!("{url}/commit"), &[("csrf", &csrf)]).status, 303);
    wait_until_committed(&c, &url);
    let m = count(&app, "SELECT MAX(id) FROM member");
    let mut body = c.get(&format!("/api/v1/members/{m}")).json();
    body["phone"] = serde_json::json!("13900000000");
    body["reason"] = serde_json::json!("更正电话");
    // The API shows identity numbers masked; an edit sends the number in full.
    let number = app
        .rt
        .block_on(app.store.db().one("SELECT id_number FROM member WHERE id = ?", vec![m.into()]))
        .map(|r| app.clear_id_number(&r.text(0)))
        .unwrap();
    body["id_number"] = serde_json::json!(number);
    let edited = c.request(
        "PUT",
        &format!("/api/v1/members/{m}"),
        &[("content-type", "application/json"), ("x-csrf-token", &csrf)],
        body.to_string(),
    );
    assert_eq!(edited.status, 200, "{}", edited.body);
    let blocked = c.post_form(&format!("{url}/rollback"), &[("csrf", &csrf), ("reason", "导错了文件")]);
    assert!(blocked.body.contains("import.rollback_blocked"), "{}", blocked.body);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM member"), members_before + 2);
}

/// Writes a roster as openpyxl does (an independent tool): title rows, a merged header, real and
/// serial and text dates, full-width digits, a lowercase x, a shifted row, a bad ID and a month.
fn openpyxl_roster(path: &std::path::Path, ids: &[String]) {
    let python =
        std::env::var("QIANGJI_PYTHON").expect("QIANGJI_PYTHON: a Python with openpyxl (scripts/test.sh sets it)");
    let script = r#"
import sys, datetime, openpyxl
path, a, b, c, d, e = sys.argv[1:]
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "花名册"
ws.append(["某某社区党支部党员花名册"]); ws.merge_cells("A1:G1")
ws.append(["填报单位：某某社区党支部", None, None, None, None, "填报日期：2026年12月"])
ws.append(["基本信息", None, None, "学历职业", None, "党籍", None]); ws.merge_cells("A3:C3"); ws.merge_cells("D3:E3"); ws.merge_cells("F3:G3")
ws.append(["姓 名", "公民身份号码", "民族", "文化程度", "职业", "入党时间", "转正时间"])
ws.append(["张一", a, "汉族", "大学本科", "学生", datetime.date(2015, 7, 1), datetime.date(2016, 7, 1)])
ws.append(["李二 ", b.lower(), "汉", "大专", "学生", 42186, None])
ws["F6"].number_format = "General"
ws.append(["王三", "".join(chr(ord(ch) + 0xFEE0) if ch.isdigit() else ch for ch in c), "回族", "研究生", "学生", "2015年7月", ""])
ws.append(["赵四", "", d, "汉族", "本科", "学生", "2015-07-01"])
ws.append(["钱五", "12345", "汉族", "本科", "学生", "2015.07.01", ""])
ws.append(["孙六", e, "汉族", "本科", "学生", "2015-13-01", ""])
wb.save(path)
"#;
    let out =
        std::process::Command::new(python).arg("-c").arg(script).arg(path).args(ids).output().expect("run python");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_messy_workbook_written_by_openpyxl_is_read_with_the_expected_problems() {
    let app = TestApp::spawn(Backend::Sqlite);
    let branch = app.access_of("shuji").scope_org_id();
    let (c, csrf) = app.login("shuji");
    let ids: Vec<String> = (0..5).map(|k| id(101 + 2 * k)).collect();
    let dir = std::env::temp_dir().join(format!("qiangji-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("roster.xlsx");
    openpyxl_roster(&path, &ids);
    let bytes = std::fs::read(&path).unwrap();
    let r = c.request(
        "POST",
        &format!("/api/v1/orgs/{branch}/imports?file_name=roster.xlsx&mode=skip"),
        &[("content-type", "application/octet-stream"), ("x-csrf-token", &csrf)],
        bytes,
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let preview = r.json();
    let issues = |line: i64| crate::import_kinds::codes(&preview, line);
    assert_eq!(preview["summary"]["rows"], 6, "{preview}");
    assert!(issues(5).is_empty(), "a clean row under a merged two-row header: {:?}", issues(5));
    assert_eq!(issues(6), ["import.normalized"], "lowercase x and a trailing space; the serial date read as a date");
    assert_eq!(issues(7), ["import.date_month_only", "import.normalized"], "full-width digits and a month");
    assert_eq!(issues(8)[0], "import.column_shift");
    assert!(issues(9).contains(&"member.id_number_invalid".to_owned()), "{:?}", issues(9));
    assert!(issues(10).contains(&"import.date_invalid".to_owned()), "{:?}", issues(10));
    assert_eq!(preview["summary"]["errors"], 3);
    assert_eq!(preview["summary"]["create"], 3);
    let batch = preview["batch_id"].as_i64().unwrap();
    let r = c.request("POST", &format!("/api/v1/imports/{batch}/commit"), &[("x-csrf-token", &csrf)], "");
    assert_eq!((r.status, r.json()["code"].as_str()), (422, Some("import.has_errors")), "all or nothing");
    let _ = std::fs::remove_dir_all(dir);
}
