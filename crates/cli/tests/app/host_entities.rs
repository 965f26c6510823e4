//! Host entities (两新组织) and the reconciliation of registry extracts, over HTTP on SQLite and
//! PostgreSQL: a messy workbook written by openpyxl (a title row, a merged header cell, a
//! full-width and a lower-case credit code, trailing spaces, a duplicate row, an invalid code, a
//! 注销 row, a name mismatch) and a GBK CSV written by Python's csv module are reconciled with the
//! exact count and codes of every section; the report downloads as xlsx and GBK CSV equal to the
//! JSON report; new registrations are taken in, closed ones changed and missing ones noted, all
//! with ledger entries and nothing deleted; another area's branch secretary sees none of it.

use crate::export::{csv_tables, gbk_csv, workbook};
use crate::harness::{Backend, TestApp};
use qiangji_domain::host_entity::CreditCode;
use qiangji_testkit::http::{Client, Response};
use serde_json::{Value, json};

fn code(n: u32) -> String {
    CreditCode::compose(&format!("91330203MA3{n:05}0")).unwrap().to_string()
}

fn full_width(s: &str) -> String {
    s.chars().map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap()).collect()
}

fn send(c: &Client, csrf: &str, method: &str, path: &str, body: &Value) -> Response {
    c.request(method, path, &[("content-type", "application/json"), ("x-csrf-token", csrf)], body.to_string())
}

/// Writes `rows` as an extract: `xlsx` with openpyxl (a merged title, a note, the header in row 3
/// with the cells `merge` merged; cells `D:yyyy-mm-dd` become real dates), `csv` with Python's csv
/// module in GBK (a title line above the header).
pub(crate) fn python_extract(kind: &str, header: &[&str], merge: &str, rows: &[Vec<String>]) -> Vec<u8> {
    let python =
        std::env::var("QIANGJI_PYTHON").expect("QIANGJI_PYTHON: a Python with openpyxl (scripts/test.sh sets it)");
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("qiangji-extract-{}-{n}.{kind}", std::process::id()));
    let script = r#"
import csv, datetime, json, sys
path, kind, header, merge, rows = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4], json.loads(sys.argv[5])
def cell(v):
    if isinstance(v, str) and v.startswith("D:"):
        return datetime.datetime.strptime(v[2:], "%Y-%m-%d")
    return v
if kind == "xlsx":
    import openpyxl
    wb = openpyxl.Workbook(); ws = wb.active; ws.title = "登记信息"
    ws.append(["宁波市海曙区登记信息（截至2026年11月）"]); ws.merge_cells("A1:H1")
    ws.append(["数据来源：宁波市有关部门"])
    ws.append(header)
    if merge: ws.merge_cells(merge)
    for r in rows:
        ws.append([cell(v) for v in r])
    for row in ws.iter_rows(min_row=4):
        for c in row:
            if isinstance(c.value, datetime.datetime):
                c.number_format = "yyyy/m/d"
    wb.save(path)
else:
    with open(path, "w", encoding="gbk", newline="") as f:
        w = csv.writer(f)
        w.writerow(["宁波市海曙区社会组织登记信息"])
        w.writerow(header)
        w.writerows(rows)
"#;
    let out = std::process::Command::new(&python)
        .args(["-c", script])
        .arg(&path)
        .arg(kind)
        .arg(serde_json::to_string(header).unwrap())
        .arg(merge)
        .arg(serde_json::to_string(rows).unwrap())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    assert!(out.status.success(), "python: {}", String::from_utf8_lossy(&out.stderr));
    let bytes = std::fs::read(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    bytes
}

pub(crate) fn row(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|s| (*s).to_owned()).collect()
}

/// The registry of `org` through the API: (credit code, kind, status) of each entity.
fn registry(c: &Client, org: i64) -> Vec<(String, String, String)> {
    let r = c.get(&format!("/api/v1/orgs/{org}/host-entities?limit=500"));
    assert_eq!(r.status, 200, "{}", r.body);
    let list = r.json();
    assert!(list["total"].as_u64().unwrap() < 500);
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap().to_owned();
            (s("credit_code"), s("kind"), s("status"))
        })
        .collect()
}

/// The tables a report's download must hold, from its JSON: (title, rows).
fn expected_tables(r: &Value) -> Vec<(String, Vec<Vec<String>>)> {
    let s = |v: &Value| match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        v => v.to_string(),
    };
    let list = |k: &str| r[k].as_array().unwrap().clone();
    let (then, now) = (&r["counts_at_run"], &r["counts"]);
    let summary = [
        ("名单行数", "rows"),
        ("一致", "equal"),
        ("信息不一致", "mismatched"),
        ("名单显示注销或吊销", "closed"),
        ("台账中没有（新登记）", "new"),
        ("台账有、名单中没有", "missing"),
        ("无法读取", "unreadable"),
    ]
    .iter()
    .map(|(label, k)| vec![(*label).to_owned(), s(&then[k]), s(&now[k])])
    .collect();
    let mismatched = list("mismatched")
        .iter()
        .flat_map(|m| {
            m["diffs"].as_array().unwrap().iter().map(|d| {
                vec![s(&m["line"]), s(&m["credit_code"]), s(&m["name"]), s(&d["label"]), s(&d["ours"]), s(&d["theirs"])]
            })
        })
        .collect::<Vec<_>>();
    let status = |c: &Value| match c.as_str() {
        Some("deregistered") => "注销".to_owned(),
        Some("revoked") => "吊销".to_owned(),
        _ => String::new(),
    };
    let closed = list("closed")
        .iter()
        .map(|m| vec![s(&m["line"]), s(&m["credit_code"]), s(&m["name"]), status(&m["extract_status"])])
        .collect();
    let new = list("new")
        .iter()
        .map(|n| {
            let note = if n["elsewhere"] == true {
                "已在其他组织的台账中登记，不收录"
            } else if n["takeable"] == true {
                "可收录"
            } else {
                "名单显示已注销或吊销，不收录"
            };
            let fields = ["line", "credit_code", "name", "legal_rep", "address", "registered_on", "status"];
            fields.iter().map(|k| s(&n[*k])).chain([note.to_owned()]).collect()
        })
        .collect();
    let missing = list("missing")
        .iter()
        .map(|e| vec![s(&e["credit_code"]), s(&e["name"]), s(&e["kind_label"]), s(&e["address"])])
        .collect();
    let unreadable =
        list("unreadable").iter().map(|u| vec![s(&u["line"]), s(&u["raw"]), s(&u["code"]), s(&u["reason"])]).collect();
    let equal = list("equal").iter().map(|m| vec![s(&m["line"]), s(&m["credit_code"]), s(&m["name"])]).collect();
    [
        ("汇总", summary),
        ("信息不一致", mismatched),
        ("注销或吊销", closed),
        ("新登记", new),
        ("名单中没有", missing),
        ("无法读取", unreadable),
        ("一致", equal),
    ]
    .into_iter()
    .map(|(t, rows)| (t.to_owned(), rows))
    .collect()
}

/// The report's download as xlsx and as GBK CSV, each equal to the JSON report.
fn downloads_equal_the_report(c: &Client, id: i64) {
    let report = c.get(&format!("/api/v1/reconciliations/{id}")).json();
    let expected = expected_tables(&report);
    let xlsx = workbook(c, &format!("/reconciliations/{id}/export?format=xlsx"));
    let csv = csv_tables(gbk_csv(c, &format!("/reconciliations/{id}/export?format=csv&encoding=gbk")));
    for (name, tables) in [("xlsx", xlsx), ("csv", csv)] {
        let got: Vec<(String, Vec<Vec<String>>)> = tables.into_iter().map(|(t, _, rows)| (t, rows)).collect();
        assert_eq!(got, expected, "{name} download of reconciliation {id}");
    }
}

fn counts(r: &Value, key: &str) -> [u64; 7] {
    let c = &r[key];
    ["rows", "equal", "mismatched", "closed", "new", "missing", "unreadable"].map(|k| c[k].as_u64().unwrap())
}

fn lines(r: &Value, section: &str) -> Vec<u64> {
    r[section].as_array().unwrap().iter().map(|x| x["line"].as_u64().unwrap()).collect()
}

fn flow(backend: Backend) {
    let app = TestApp::spawn(backend);
    let street = app.access_of("dangwei").scope_org_id();
    let far_branch = app.access_of("shuji2").scope_org_id();
    let (c, csrf) = app.login("dangwei");
    let (city, city_csrf) = app.login("zuzhibu");

    // The street's registry: five entities of our own beside the demo's.
    let ours = [
        (1, "宁波甲科技有限公司", "enterprise", "张三", "宁波市海曙区中山西路100号", "2015-03-01"),
        (2, "宁波乙电子有限公司", "enterprise", "李四", "", ""),
        (3, "宁波丙模具有限公司", "enterprise", "", "", ""),
        (4, "宁波丁五金有限公司", "enterprise", "", "", ""),
        (5, "海曙区某某行业协会", "social_org", "", "", ""),
    ];
    for (n, name, kind, rep, address, on) in ours {
        let body = json!({ "credit_code": code(n), "name": name, "kind": kind, "legal_rep": rep, "address": address,
            "registered_on": on, "employees": 12 });
        let r = send(&c, &csrf, "POST", &format!("/api/v1/orgs/{street}/host-entities"), &body);
        assert_eq!(r.status, 201, "{}", r.body);
        assert_eq!(r.json()["credit_code"], code(n));
    }
    // Refusals with their codes, writing nothing.
    let head = app.head();
    let bad = |body: Value| send(&c, &csrf, "POST", &format!("/api/v1/orgs/{street}/host-entities"), &body);
    let r = bad(json!({ "credit_code": "91330203MA300001X0", "name": "某公司", "kind": "enterprise" }));
    assert_eq!((r.status, r.json()["code"].as_str()), (422, Some("host_entity.credit_code_invalid")), "{}", r.body);
    let r = bad(json!({ "credit_code": code(1).to_lowercase(), "name": "某公司", "kind": "enterprise" }));
    assert_eq!((r.status, r.json()["code"].as_str()), (409, Some("host_entity.credit_code_duplicate")), "{}", r.body);
    let r = bad(json!({ "credit_code": code(9), "name": "", "kind": "enterprise" }));
    assert_eq!(r.json()["code"], "host_entity.field_missing");
    assert_eq!(app.head(), head);
    // Registered under another county's branch: outside the street's area.
    let body = json!({ "credit_code": code(30), "name": "外区某公司", "kind": "enterprise" });
    let r = send(&city, &city_csrf, "POST", &format!("/api/v1/orgs/{far_branch}/host-entities"), &body);
    assert_eq!(r.status, 201, "{}", r.body);

    let before = registry(&c, street);
    let market_missing = before
        .iter()
        .filter(|(code_, kind, status)| {
            status == "active" && kind != "social_org" && ![code(1), code(2), code(3)].contains(code_)
        })
        .count() as u64;
    let social_missing = before
        .iter()
        .filter(|(code_, kind, status)| status == "active" && kind == "social_org" && *code_ != code(5))
        .count() as u64;
    assert!(market_missing >= 1, "our 宁波丁五金有限公司 at least");

    let header = ["序号", "统一社会信用代码", "企业名称", "法定代表人", "住所", "", "成立日期", "登记状态"];
    let rows = [
        row(&[
            "1",
            &format!("{}  ", full_width(&code(1))),
            "宁波甲科技有限公司  ",
            "张三",
            "宁波市海曙区中山西路１００号",
            "",
            "D:2015-03-01",
            "存续",
        ]),
        row(&["2", &code(2), "宁波乙电子股份有限公司", "李四 ", "", "", "", "在业"]),
        row(&["3", &code(3), "宁波丙模具有限公司", "", "", "", "", "注销"]),
        row(&["4", &code(10), "宁波新开贸易有限公司", "王五", "宁波市海曙区望春路8号", "", "D:2026-09-15", "存续"]),
        row(&["5", &code(11).to_lowercase(), "宁波新设网络科技有限公司", "赵六", "", "", "", "在业"]),
        row(&["6", &code(2), "宁波乙电子有限公司", "", "", "", "", "存续"]),
        row(&["7", "91330203MA300001X0", "代码错误公司", "", "", "", "", "存续"]),
        row(&["8", &code(30), "外区某公司", "", "", "", "", "存续"]),
        row(&["9", &code(12), "宁波已注销商贸有限公司", "", "", "", "", "注销"]),
    ];
    let xlsx = python_extract("xlsx", &header, "E3:F3", &rows);
    let head = app.head();
    let r = c.request(
        "POST",
        &format!("/api/v1/orgs/{street}/host-entities/reconcile?source=market&file_name=市场监管.xlsx"),
        &[("content-type", "application/octet-stream"), ("x-csrf-token", &csrf)],
        &xlsx,
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(app.head(), head + 1, "one host_entity.reconciled entry");
    let report = r.json();
    let market = report["id"].as_i64().unwrap();
    assert_eq!(counts(&report, "counts"), [9, 1, 1, 1, 4, market_missing, 2], "{report:#}");
    assert_eq!(counts(&report, "counts_at_run"), counts(&report, "counts"));
    assert_eq!(lines(&report, "equal"), [4], "full width, trailing spaces, a real date");
    assert_eq!(lines(&report, "mismatched"), [5]);
    assert_eq!(
        report["mismatched"][0]["diffs"],
        json!([{ "field": "name", "label": "名称", "ours": "宁波乙电子有限公司", "theirs": "宁波乙电子股份有限公司" }])
    );
    assert_eq!(
        (lines(&report, "closed"), report["closed"][0]["extract_status"].as_str()),
        (vec![6], Some("deregistered"))
    );
    assert_eq!(lines(&report, "new"), [7, 8, 11, 12]);
    let takeable: Vec<bool> = report["new"].as_array().unwrap().iter().map(|n| n["takeable"] == true).collect();
    assert_eq!(takeable, [true, true, false, false]);
    assert_eq!(report["new"][2]["elsewhere"], true);
    assert_eq!(report["new"][1]["credit_code"], code(11), "lower case read as upper");
    assert_eq!(report["new"][0]["registered_on"], "2026-09-15");
    let unreadable: Vec<(u64, &str)> = report["unreadable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["line"].as_u64().unwrap(), u["code"].as_str().unwrap()))
        .collect();
    assert_eq!(unreadable, [(9, "host_entity.duplicate_in_file"), (10, "host_entity.credit_code_invalid")]);
    let missing: Vec<&str> =
        report["missing"].as_array().unwrap().iter().map(|e| e["credit_code"].as_str().unwrap()).collect();
    assert!(missing.contains(&code(4).as_str()) && !missing.contains(&code(5).as_str()), "{missing:?}");
    downloads_equal_the_report(&c, market);

    // A GBK CSV of the civil-affairs registry, uploaded through the page's form.
    let header = ["统一社会信用代码", "社会组织名称", "负责人", "住所", "成立日期", "登记状态"];
    let rows = [
        row(&[&code(5), "海曙区某某行业协会", "", "", "", "正常"]),
        row(&[&code(20), "海曙区新建养老服务中心", "孙七", "宁波市海曙区", "2026-10-08", "正常"]),
        row(&["123", "代码不全的协会", "", "", "", "正常"]),
    ];
    let gbk = python_extract("csv", &header, "", &rows);
    assert!(std::str::from_utf8(&gbk).is_err(), "really GBK");
    let (content_type, body) = multipart("civil_affairs", "民政.csv", &gbk);
    let r = c.request(
        "POST",
        &format!("/orgs/{street}/host-entities/reconcile?csrf={csrf}"),
        &[("content-type", content_type.as_str())],
        body,
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let page = c.get(r.header("location").unwrap());
    assert!(page.status == 200 && page.body.contains("海曙区新建养老服务中心"), "{}", page.status);
    let civil = r.header("location").unwrap().rsplit('/').next().unwrap().parse::<i64>().unwrap();
    let report = c.get(&format!("/api/v1/reconciliations/{civil}")).json();
    assert_eq!(report["source"], "civil_affairs");
    assert_eq!(counts(&report, "counts"), [3, 1, 0, 0, 1, social_missing, 1], "{report:#}");
    assert_eq!(report["unreadable"][0]["code"], "host_entity.credit_code_invalid");
    downloads_equal_the_report(&c, civil);
    let runs = c.get(&format!("/orgs/{street}/host-entities/reconcile"));
    assert!(runs.body.contains("市场监管.xlsx") && runs.body.contains("民政.csv"));

    // Another county's branch secretary sees none of it and reconciles nothing here.
    let (far, far_csrf) = app.login("shuji2");
    assert_eq!(far.get(&format!("/api/v1/reconciliations/{market}")).status, 404);
    assert_eq!(far.get(&format!("/reconciliations/{market}/export?format=xlsx")).status, 404);
    assert_eq!(far.get(&format!("/api/v1/orgs/{street}/host-entities")).status, 404);
    let id = report["equal"][0]["id"].as_i64().unwrap();
    assert_eq!(far.get(&format!("/host-entities/{id}")).status, 404);
    let r = far.request(
        "POST",
        &format!("/api/v1/orgs/{street}/host-entities/reconcile?source=market"),
        &[("x-csrf-token", &far_csrf)],
        &xlsx,
    );
    assert_eq!(r.status, 404);
    assert_eq!(
        send(
            &far,
            &far_csrf,
            "POST",
            &format!("/api/v1/reconciliations/{market}/apply"),
            &json!({ "action": "take_in" })
        )
        .status,
        404
    );

    // Acting on the market report: all or nothing, a ledger entry per entity, nothing deleted.
    let apply = |action: &str| {
        send(&c, &csrf, "POST", &format!("/api/v1/reconciliations/{market}/apply"), &json!({ "action": action }))
    };
    let head = app.head();
    let r = apply("take_in");
    assert_eq!((r.status, r.json()["count"].as_u64()), (200, Some(2)), "{}", r.body);
    assert_eq!(app.head(), head + 2);
    let now = r.json()["report"].clone();
    assert_eq!(counts(&now, "counts")[..5], [9, 3, 1, 1, 2], "the two taken in now match");
    assert_eq!(counts(&now, "counts_at_run")[4], 4, "the run's own counts stay");
    let after = registry(&c, street);
    assert_eq!(after.len(), before.len() + 2);
    assert!(after.contains(&(code(10), "enterprise".into(), "active".into())));
    assert!(after.contains(&(code(11), "enterprise".into(), "active".into())));
    assert!(!after.iter().any(|e| e.0 == code(12) || e.0 == code(30)), "closed and elsewhere not taken in");
    let r = apply("take_in");
    assert_eq!((r.status, r.json()["code"].as_str()), (422, Some("host_entity.nothing_to_do")));
    assert_eq!(apply("sweep").json()["code"], "host_entity.action_unknown");

    let r = apply("deregister");
    assert_eq!(r.json()["count"], 1, "{}", r.body);
    let closed = registry(&c, street).into_iter().find(|e| e.0 == code(3)).unwrap();
    assert_eq!(closed.2, "deregistered");
    let head = app.head();
    let r = apply("mark_missing");
    assert_eq!(r.json()["count"].as_u64(), Some(market_missing), "{}", r.body);
    assert_eq!(app.head(), head + market_missing as i64);
    let list = c.get(&format!("/api/v1/orgs/{street}/host-entities?q={}", code(4))).json();
    assert_eq!(list["total"], 1);
    assert!(list["items"][0]["check_note"].as_str().unwrap().contains("待核实"));
    assert_eq!(registry(&c, street).len(), before.len() + 2, "nothing deleted");

    // Editing clears the note; the page shows the entity.
    let e4 = list["items"][0]["id"].as_i64().unwrap();
    let body =
        json!({ "credit_code": code(4), "name": "宁波丁五金制品有限公司", "kind": "enterprise", "status": "active" });
    let r = send(&c, &csrf, "PUT", &format!("/api/v1/host-entities/{e4}"), &body);
    assert_eq!((r.status, r.json()["check_note"].as_str()), (200, Some("")), "{}", r.body);
    let page = c.get(&format!("/host-entities/{e4}"));
    assert!(page.status == 200 && page.body.contains("宁波丁五金制品有限公司"));
    let list = c.get(&format!("/orgs/{street}/host-entities?q=宁波丁五金"));
    assert!(list.status == 200 && list.body.contains(&code(4)), "{}", list.status);
    let download = workbook(&c, &format!("/orgs/{street}/host-entities/export?format=xlsx&q={}", code(4)));
    assert_eq!(download[0].2.len(), 1);
    assert_eq!(download[0].2[0][..2], [code(4), "宁波丁五金制品有限公司".to_owned()]);

    // The pages' forms: a refusal shows its code beside the input; a saved form goes to the entity.
    let new = format!("/orgs/{street}/host-entities/new");
    let form = |credit_code: &str, employees: &str| {
        let fields = [
            ("csrf", csrf.as_str()),
            ("credit_code", credit_code),
            ("name", "宁波表单登记有限公司"),
            ("kind", "enterprise"),
            ("status", "active"),
            ("employees", employees),
            ("registered_on", "2020-05-06"),
        ];
        c.post_form(&new, &fields)
    };
    let r = form(&code(40)[..17], "30");
    assert!(r.status == 422 && r.body.contains("data-code=\"host_entity.credit_code_invalid\""), "{}", r.status);
    let r = form(&code(40), "三十");
    assert!(r.status == 422 && r.body.contains("data-code=\"host_entity.employees_invalid\""), "{}", r.status);
    let r = form(&code(40), "30");
    assert_eq!(r.status, 303, "{}", r.body);
    let page = r.header("location").unwrap().to_owned();
    let id = page.rsplit('/').next().unwrap();
    let e = c.get(&format!("/api/v1/host-entities/{id}")).json();
    assert_eq!((e["employees"].as_i64(), e["registered_on"].as_str()), (Some(30), Some("2020-05-06")));
    let fields = [
        ("csrf", csrf.as_str()),
        ("credit_code", &code(40)),
        ("name", "宁波表单登记有限公司"),
        ("kind", "sole_trader"),
        ("status", "revoked"),
        ("reason", "核实"),
    ];
    assert_eq!(c.post_form(&page, &fields).status, 303);
    let e = c.get(&format!("/api/v1/host-entities/{id}")).json();
    assert_eq!(
        (e["kind"].as_str(), e["status"].as_str(), e["employees"].as_i64()),
        (Some("sole_trader"), Some("revoked"), None)
    );
    let r = c.post_form(&format!("/reconciliations/{civil}/apply"), &[("csrf", csrf.as_str()), ("action", "take_in")]);
    assert_eq!(r.header("location"), Some(format!("/reconciliations/{civil}?applied=take_in&count=1").as_str()));
    assert!(c.get(r.header("location").unwrap()).body.contains("已完成"));
    assert!(
        registry(&c, street).contains(&(code(20), "social_org".into(), "active".into())),
        "民政 takes in social organizations"
    );
}

/// A browser's multipart body: the source and one file.
fn multipart(source: &str, file_name: &str, file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "qiangji-host-entity-boundary";
    let mut body =
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"source\"\r\n\r\n{source}\r\n").into_bytes();
    body.extend(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n")
            .into_bytes(),
    );
    body.extend_from_slice(file);
    body.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[test]
fn registry_extracts_are_reconciled_exported_and_acted_on_on_sqlite() {
    flow(Backend::Sqlite);
}

#[test]
fn registry_extracts_are_reconciled_exported_and_acted_on_on_postgres() {
    flow(Backend::Postgres);
}
