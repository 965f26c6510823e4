//! Floating members through the API and the pages: refused steps come back with stable codes and
//! write nothing; an outflow is registered, shows its warnings, is counted as floating by the
//! statistics, gets a contact and ends; an organization registers an inflow; a registry extract
//! is matched — on SQLite and PostgreSQL.

use crate::harness::{Backend, TestApp};
use qiangji_testkit::http::Client;
use serde_json::{Value, json};

fn post(c: &Client, csrf: &str, path: &str, body: &Value) -> qiangji_testkit::http::Response {
    c.request("POST", path, &[("content-type", "application/json"), ("x-csrf-token", csrf)], body.to_string())
}

/// How many members of `org` the statistics count as floating today.
fn floating_count(c: &Client, org: i64) -> u64 {
    let stats = c.get(&format!("/api/v1/orgs/{org}/stats")).json();
    let dim = stats["tables"].as_array().unwrap().iter().find(|d| d["dimension"] == "floating").unwrap().clone();
    dim["rows"].as_array().unwrap().iter().find(|r| r["code"] == "yes").unwrap()["count"].as_u64().unwrap()
}

fn flow(backend: Backend) {
    let app = TestApp::spawn(backend);
    let me = app.access_of("dangyuan").self_member_id().unwrap();
    let row = app
        .rt
        .block_on(app.store.db().one("SELECT org_id, id_number FROM member WHERE id = ?", vec![me.into()]))
        .unwrap();
    let (branch, id_number) = (row.int(0), app.clear_id_number(&row.text(1)));
    let (officer, csrf) = app.login("zuzhibu");
    let path = format!("/api/v1/members/{me}/floating");
    let today = qiangji_domain::date::today();
    let head = app.head();

    let r = post(
        &officer,
        &csrf,
        &path,
        &json!({ "action": "contact", "on": today.to_string(), "way": "phone", "note": "电话" }),
    );
    assert_eq!((r.status, r.json()["code"].as_str()), (422, Some("floating.not_out")), "{}", r.body);
    let r = post(&officer, &csrf, &path, &json!({ "action": "fly" }));
    assert_eq!(r.json()["code"], "floating.action_unknown");
    let r = post(
        &officer,
        &csrf,
        &path,
        &json!({ "action": "outflow", "place": "深圳", "outflow_reason": "holiday", "since": "2026-01-01" }),
    );
    assert_eq!(r.json()["code"], "floating.code_unknown");
    assert_eq!(app.head(), head, "nothing written by refused steps");

    let floating_before = floating_count(&officer, branch);
    let since = (today - chrono::Days::new(200)).to_string();
    let outflow = json!({
        "action": "outflow", "place": "广东省深圳市南山区", "unit": "深圳某科技有限公司", "outflow_reason": "business",
        "fixed_place": true, "since": since, "activity_card": "浙甬001", "reason": "外出务工",
    });
    let r = post(&officer, &csrf, &path, &outflow);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["floating"][0]["warnings"], json!(["should_transfer", "no_recent_contact"]));
    let r = post(&officer, &csrf, &path, &outflow);
    assert_eq!((r.status, r.json()["code"].as_str()), (422, Some("floating.already_out")));
    assert_eq!(officer.get(&format!("/api/v1/members/{me}")).json()["floating"], true);
    assert_eq!(floating_count(&officer, branch), floating_before + 1, "the statistics follow the flag");

    let list = officer.get(&format!("/api/v1/orgs/{branch}/floating")).json();
    assert_eq!(list["outflows"].as_array().unwrap().iter().filter(|o| o["member_id"] == me).count(), 1);
    let r = post(
        &officer,
        &csrf,
        &path,
        &json!({ "action": "contact", "on": today.to_string(), "way": "online", "note": "微信联系，工作稳定" }),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["floating"][0]["warnings"], json!(["should_transfer"]));
    assert_eq!(r.json()["contacts"][0]["way"], "online");

    let page = officer.get(&format!("/orgs/{branch}/floating"));
    assert_eq!(page.status, 200);
    assert!(page.body.contains("should_transfer") && page.body.contains("深圳某科技有限公司"));
    let page = officer.get(&format!("/members/{me}/floating"));
    assert!(page.status == 200 && page.body.contains("微信联系，工作稳定") && page.body.contains("end-form"));
    assert!(officer.get(&format!("/orgs/{branch}")).body.contains(&format!("/orgs/{branch}/floating")));

    // A registry extract: the member's unit differs; a bad ID number is reported.
    let csv = format!(
        "身份证号,姓名,统一社会信用代码,单位名称,登记地,日期\n{},本人,91330200MA2X,某新公司,广东省深圳市,2026-03-01\n123,某人,,,,\n",
        id_number.to_lowercase()
    );
    let r = officer.request(
        "POST",
        &format!("/api/v1/orgs/{branch}/registry?source=tax&area=宁波"),
        &[("content-type", "text/csv"), ("x-csrf-token", &csrf)],
        csv,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let report = r.json();
    assert_eq!((report["rows"].as_u64(), report["matched"].as_u64()), (Some(2), Some(1)));
    assert_eq!(report["flagged"][0]["flags"], json!(["unit_change"]), "out and registered: no departure");
    assert_eq!(report["invalid"][0]["line"], 3);
    let batch = report["batch_id"].as_i64().unwrap();
    let page = officer.get(&format!("/orgs/{branch}/registry?batch={batch}"));
    assert!(page.status == 200 && page.body.contains("工作单位变化"), "{}", page.status);
    let r = officer.request(
        "POST",
        &format!("/api/v1/orgs/{branch}/registry?source=nowhere"),
        &[("content-type", "text/csv"), ("x-csrf-token", &csrf)],
        "x",
    );
    assert_eq!(r.json()["code"], "registry.source_unknown");

    let r =
        post(&officer, &csrf, &path, &json!({ "action": "end", "on": today.to_string(), "end_reason": "returned" }));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(officer.get(&format!("/api/v1/members/{me}")).json()["floating"], false);
    assert_eq!(floating_count(&officer, branch), floating_before);

    // Someone from elsewhere, hosted by the branch.
    let outsider =
        qiangji_domain::id_number::IdNumber::compose(340100, qiangji_domain::date::parse("1990-01-01").unwrap(), 7);
    let org_path = format!("/api/v1/orgs/{branch}/floating");
    let inflow = json!({ "action": "inflow", "name": "外来党员", "id_number": outsider.to_string(), "origin_org": "中共某村支部", "since": today.to_string() });
    let r = post(&officer, &csrf, &org_path, &inflow);
    assert_eq!(r.status, 200, "{}", r.body);
    let fid = r.json()["id"].as_i64().unwrap();
    assert_eq!(post(&officer, &csrf, &org_path, &inflow).json()["code"], "floating.already_in");
    let r = post(
        &officer,
        &csrf,
        &org_path,
        &json!({ "action": "end", "floating_id": fid, "on": today.to_string(), "end_reason": "returned" }),
    );
    assert_eq!(r.json()["end_reason"], "returned", "{}", r.body);
}

#[test]
fn floating_members_through_the_api_on_sqlite() {
    flow(Backend::Sqlite);
}

#[test]
fn floating_members_through_the_api_on_postgres() {
    flow(Backend::Postgres);
}

/// `name=value` parts and one file, as a browser sends the registry form.
fn multipart(fields: &[(&str, &str)], file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "qiangji-test-boundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").into_bytes(),
        );
    }
    body.extend(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"税务.csv\"\r\nContent-Type: text/csv\r\n\r\n")
            .into_bytes(),
    );
    body.extend_from_slice(file);
    body.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[test]
fn the_pages_forms_refuse_with_the_code_shown_and_a_gbk_extract_is_matched() {
    let app = TestApp::spawn(Backend::Sqlite);
    let me = app.access_of("dangyuan").self_member_id().unwrap();
    let row = app
        .rt
        .block_on(app.store.db().one("SELECT org_id, id_number FROM member WHERE id = ?", vec![me.into()]))
        .unwrap();
    let (branch, id_number) = (row.int(0), app.clear_id_number(&row.text(1)));
    let (officer, csrf) = app.login("shuji");
    let path = format!("/members/{me}/floating");
    let head = app.head();
    let r = officer.post_form(
        &path,
        &[("csrf", &csrf), ("action", "outflow"), ("outflow_reason", "study"), ("since", "2026-01-01")],
    );
    assert_eq!(r.status, 422);
    assert!(r.body.contains("data-code=\"floating.field_missing\"") && r.body.contains("请填写流入地"), "{}", r.body);
    assert_eq!(app.head(), head);
    let today = qiangji_domain::date::today().to_string();
    let form = [
        ("csrf", csrf.as_str()),
        ("action", "outflow"),
        ("place", "杭州市西湖区"),
        ("outflow_reason", "study"),
        ("since", today.as_str()),
    ];
    let r = officer.post_form(&path, &form);
    assert_eq!((r.status, r.header("location")), (303, Some(path.as_str())), "{}", r.body);
    let page = officer.get(&path);
    assert!(page.body.contains("contact-form") && !page.body.contains("outflow-form"), "the next steps only");

    // "张三,某新公司" in GBK, as Excel saves a CSV on a Chinese Windows.
    let gbk = [0xd5, 0xc5, 0xc8, 0xfd, 0x2c, 0xc4, 0xb3, 0xd0, 0xc2, 0xb9, 0xab, 0xcb, 0xbe];
    let mut file = format!("{id_number},").into_bytes();
    file.extend(&gbk[..5]);
    file.extend(b",");
    file.extend(&gbk[5..]);
    file.extend(b",,2026-03-01\r\n");
    let (content_type, body) = multipart(&[("source", "tax"), ("area", ""), ("encoding", "auto")], &file);
    let r = officer.request(
        "POST",
        &format!("/orgs/{branch}/registry?csrf={csrf}"),
        &[("content-type", content_type.as_str())],
        body,
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let report = officer.get(r.header("location").unwrap());
    assert!(report.body.contains("data-code=\"unit_change\"") && report.body.contains("某新公司"), "{}", report.body);
    let (content_type, body) = multipart(&[("source", "tax")], b"");
    let r = officer.request(
        "POST",
        &format!("/orgs/{branch}/registry?csrf={csrf}"),
        &[("content-type", content_type.as_str())],
        body,
    );
    assert!(r.status == 422 && r.body.contains("registry.upload_invalid"), "{}", r.status);
}

#[test]
fn a_registry_extract_in_an_openpyxl_workbook_is_read_through_the_sheet_reader() {
    use crate::host_entities::{python_extract, row};
    let app = TestApp::spawn(Backend::Sqlite);
    let me = app.access_of("dangyuan").self_member_id().unwrap();
    let r = app
        .rt
        .block_on(app.store.db().one("SELECT org_id, id_number FROM member WHERE id = ?", vec![me.into()]))
        .unwrap();
    let (branch, id_number) = (r.int(0), app.clear_id_number(&r.text(1)));
    let (officer, csrf) = app.login("shuji");
    // The columns in another order than a headerless CSV's, under a title; a real date cell.
    let header = ["姓名", "公民身份号码", "登记地", "单位名称", "日期"];
    let rows = [
        row(&["本人", &id_number.to_lowercase(), "", "宁波某某新材料有限公司", "D:2026-03-01"]),
        row(&["某人", "12345", "", "", ""]),
    ];
    let xlsx = python_extract("xlsx", &header, "", &rows);
    let r = officer.request(
        "POST",
        &format!("/api/v1/orgs/{branch}/registry?source=police&file_name=公安.xlsx"),
        &[("content-type", "application/octet-stream"), ("x-csrf-token", &csrf)],
        &xlsx,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let report = r.json();
    assert_eq!((report["rows"].as_u64(), report["matched"].as_u64()), (Some(2), Some(1)), "{report}");
    assert_eq!(report["flagged"][0]["flags"], json!(["unit_change"]));
    assert!(report["flagged"][0]["detail"].as_str().unwrap().contains("宁波某某新材料有限公司"));
    assert_eq!(report["invalid"][0]["line"], 5, "the row as Excel numbers it, under the title and header");
}
