//! Lists downloaded over HTTP as xlsx and as GBK CSV, read back by independent readers (openpyxl,
//! Python's csv module with encoding='gbk'), equal what the pages and the API show; the printable
//! forms render with their fields.

use crate::harness::{Backend, TestApp};
use qiangji_testkit::http::Client;
use serde_json::Value;

/// Reads a downloaded file with Python: an xlsx with openpyxl (every sheet: title, note and the
/// rows from the header on), a CSV with the csv module in GBK (every line). Cells come back as
/// strings, numbers as their decimal digits, so both compare alike.
fn read_back(bytes: &[u8], kind: &str) -> Value {
    let python = std::env::var("QIANGJI_PYTHON").unwrap_or_else(|_| "python3".into());
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    // openpyxl goes by the extension.
    let file = std::env::temp_dir().join(format!("qiangji-export-{}-{n}.{kind}", std::process::id()));
    std::fs::write(&file, bytes).unwrap();
    let script = r#"
import csv, json, sys
path, kind = sys.argv[1], sys.argv[2]
def s(v):
    if v is None: return ""
    if isinstance(v, float) and v.is_integer(): return str(int(v))
    return str(v)
if kind == "xlsx":
    import openpyxl
    wb = openpyxl.load_workbook(path, read_only=True)
    out = []
    for ws in wb.worksheets:
        rows = [[s(v) for v in r] for r in ws.iter_rows(values_only=True)]
        out.append({"name": ws.title, "title": rows[0][0], "note": rows[1][0], "header": rows[3], "rows": rows[4:]})
else:
    with open(path, encoding="gbk", newline="") as f:
        out = [row for row in csv.reader(f)]
print(json.dumps(out, ensure_ascii=False))
"#;
    let run = std::process::Command::new(&python).args(["-c", script]).arg(&file).arg(kind).output();
    let out = run.unwrap_or_else(|e| panic!("cannot run {python}: {e} (scripts/test.sh sets QIANGJI_PYTHON)"));
    let _ = std::fs::remove_file(&file);
    assert!(out.status.success(), "python failed reading {kind}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect()
}

/// The tables of a workbook: (header, rows).
pub(crate) fn workbook(c: &Client, path: &str) -> Vec<(String, Vec<String>, Vec<Vec<String>>)> {
    let r = c.get(path);
    assert_eq!(r.status, 200, "{path}: {}", r.body);
    assert_eq!(r.header("content-type"), Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
    assert!(r.header("content-disposition").unwrap().contains(".xlsx"));
    read_back(&r.bytes, "xlsx")
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["title"].as_str().unwrap().to_owned(),
                strings(&s["header"]),
                s["rows"].as_array().unwrap().iter().map(strings).collect(),
            )
        })
        .collect()
}

/// The lines of a GBK CSV.
pub(crate) fn gbk_csv(c: &Client, path: &str) -> Vec<Vec<String>> {
    let r = c.get(path);
    assert_eq!(r.status, 200, "{path}: {}", r.body);
    assert_eq!(r.header("content-type"), Some("text/csv; charset=gbk"));
    assert!(std::str::from_utf8(&r.bytes).is_err(), "{path}: really GBK, not UTF-8");
    read_back(&r.bytes, "csv").as_array().unwrap().iter().map(strings).collect()
}

/// Splits a CSV of tables (title, note, header, rows; an empty line between tables) into
/// (title, header, rows), the shape of [`workbook`].
pub(crate) fn csv_tables(lines: Vec<Vec<String>>) -> Vec<(String, Vec<String>, Vec<Vec<String>>)> {
    lines.split(|l| l.is_empty()).map(|t| (t[0][0].clone(), t[2].clone(), t[3..].to_vec())).collect()
}

/// The text between `start` and the next `<` after it, for each occurrence.
fn texts_after<'a>(body: &'a str, start: &str) -> Vec<&'a str> {
    body.split(start).skip(1).map(|s| s.split_once('>').map_or(s, |(_, r)| r).split('<').next().unwrap()).collect()
}

fn unescape(s: &str) -> String {
    s.replace("&#38;", "&").replace("&amp;", "&").replace("&#40;", "(").replace("&#41;", ")")
}

/// The names, organizations and phones of the member rows on a list page.
fn member_rows(body: &str) -> Vec<(String, String, String)> {
    let names = texts_after(body, "<td data-label=\"姓名\"><a href=\"/members/");
    let orgs = texts_after(body, "<td data-label=\"所在组织\"><a href=\"/orgs/");
    let phones = texts_after(body, "<td data-label=\"电话\" class=\"secondary\"");
    assert_eq!((names.len(), orgs.len()), (phones.len(), phones.len()));
    (0..names.len()).map(|i| (unescape(names[i]), unescape(orgs[i]), unescape(phones[i]))).collect()
}

fn total_of(body: &str) -> usize {
    let t = texts_after(body, "id=\"total\"")[0];
    t.trim_start_matches("共").trim_end_matches("人").trim().parse().unwrap()
}

#[test]
fn the_member_list_downloads_every_matching_member_as_xlsx_and_gbk_csv() {
    member_list(Backend::Sqlite);
}

#[test]
fn the_member_list_downloads_every_matching_member_on_postgres() {
    member_list(Backend::Postgres);
}

fn member_list(backend: Backend) {
    let app = TestApp::spawn(backend);
    let (c, _) = app.login("zuzhibu");
    for filters in ["", "sex=female&education=university"] {
        let first = c.get(&format!("/orgs/1/members?{filters}"));
        let total = total_of(&first.body);
        assert!(total > 100, "{filters}: {total} members, more than two pages");
        assert!(first.body.contains("members/export?format=xlsx"), "the page links the download");
        let mut shown = member_rows(&first.body);
        shown.extend(member_rows(&c.get(&format!("/orgs/1/members?{filters}&offset=100")).body));

        let books = workbook(&c, &format!("/orgs/1/members/export?format=xlsx&{filters}"));
        let csv = csv_tables(gbk_csv(&c, &format!("/orgs/1/members/export?format=csv&encoding=gbk&{filters}")));
        for (title, header, rows) in [&books[0], &csv[0]] {
            assert!(title.starts_with("党员名册：中共宁波市委"), "{title}");
            assert_eq!(header[0], "姓名");
            assert_eq!(rows.len(), total, "{filters}: every matching member, not one page");
            let (name, org, phone) = (0, 9, 11);
            assert_eq!(header[org], "所在组织");
            assert_eq!(header[phone], "联系电话");
            for (i, (n, o, p)) in shown.iter().enumerate() {
                let at = if i < 50 { i } else { 100 + i - 50 };
                assert_eq!((&rows[at][name], &rows[at][org], &rows[at][phone]), (n, o, p), "row {at} of {filters}");
            }
            for r in rows {
                assert!(r[phone].is_empty() || r[phone].contains("****"), "phones masked: {}", r[phone]);
                assert!(r[10].contains("****"), "identity numbers masked: {}", r[10]);
            }
        }
        assert_eq!(books[0].2, csv[0].2, "{filters}: the workbook and the CSV hold the same cells");
    }
    // A search by identity number downloads that one member, as the list finds them.
    let (name, id_number): (String, String) = app
        .rt
        .block_on(app.store.db().one("SELECT name, id_number FROM member ORDER BY id LIMIT 1", vec![]))
        .map(|r| (r.text(0), app.clear_id_number(&r.text(1))))
        .unwrap();
    let found = csv_tables(gbk_csv(&c, &format!("/orgs/1/members/export?format=csv&encoding=gbk&q={id_number}")));
    assert_eq!(found[0].2.len(), 1);
    assert_eq!(found[0].2[0][0], name);
    let bad = c.get("/orgs/1/members/export?format=pdf");
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("export.format_invalid"));
    assert_eq!(c.get("/orgs/1/members/export?format=csv&encoding=big5").status, 400);
}

/// Downloads `path` as xlsx and as GBK CSV and checks both hold the same tables.
fn both(c: &Client, path: &str) -> Vec<(String, Vec<String>, Vec<Vec<String>>)> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let book = workbook(c, &format!("{path}{sep}format=xlsx"));
    let csv = csv_tables(gbk_csv(c, &format!("{path}{sep}format=csv&encoding=gbk")));
    assert_eq!(book, csv, "{path}: the workbook and the GBK CSV hold the same tables");
    book
}

fn column(rows: &[Vec<String>], j: usize) -> Vec<String> {
    rows.iter().map(|r| r[j].clone()).collect()
}

#[test]
fn transfers_download_as_the_page_shows_them() {
    let app = TestApp::spawn(Backend::Sqlite);
    let (c, _) = app.login("zuzhibu");
    let page = c.get("/orgs/1/transfers?all=true").body;
    assert!(page.contains("transfers/export?format=xlsx&amp;all=true"), "the page links the download");
    let (out_html, in_html) = page.split_once("id=\"incoming\"").unwrap_or((&page, ""));
    let names = |html: &str| -> Vec<String> {
        texts_after(html, "<td data-label=\"党员\"><a href=\"/transfers/").into_iter().map(unescape).collect()
    };
    let states = |html: &str| -> Vec<String> {
        texts_after(html, "<td data-label=\"状态\"").into_iter().map(unescape).collect()
    };
    let tables = both(&c, "/orgs/1/transfers/export?all=true");
    assert_eq!(tables.len(), 2);
    let (out, inc) = (&tables[0], &tables[1]);
    assert_eq!((out.0.as_str(), inc.0.as_str()), ("组织关系转出", "组织关系转入"));
    assert!(!out.2.is_empty(), "the demo has transfers");
    assert_eq!(column(&out.2, 0), names(out_html));
    assert_eq!(column(&out.2, 3), states(out_html));
    assert_eq!(column(&inc.2, 0), names(in_html));
    // Only the open ones without all=true, as on the page.
    let open = both(&c, "/orgs/1/transfers/export");
    let open_page = c.get("/orgs/1/transfers").body;
    assert_eq!(open[0].2.len() + open[1].2.len(), open_page.matches("<tr data-transfer=").count());
    assert!(open[0].2.len() < out.2.len());
}

#[test]
fn the_development_list_downloads_as_the_page_shows_it() {
    let app = TestApp::spawn(Backend::Sqlite);
    let (c, _) = app.login("zuzhibu");
    let page = c.get("/orgs/1/development").body;
    assert!(page.contains("development/export?format=xlsx"), "the page links the download");
    let tables = both(&c, "/orgs/1/development/export");
    let rows = &tables[0].2;
    let names: Vec<String> =
        texts_after(&page, "<td data-label=\"姓名\"><a href=\"/developees/").into_iter().map(unescape).collect();
    assert!(!names.is_empty(), "the demo has applicants");
    assert_eq!(column(rows, 0), names);
    let stages: Vec<String> = texts_after(&page, "<td data-label=\"阶段\"").into_iter().map(unescape).collect();
    assert_eq!(column(rows, 2), stages);
    let due: Vec<String> = texts_after(&page, "<td data-label=\"期限\"").into_iter().map(unescape).collect();
    assert_eq!(column(rows, 5), due);
    let api = c.get("/api/v1/orgs/1/development").json();
    assert_eq!(rows.len(), api["developees"].as_array().unwrap().len());
}

#[test]
fn floating_members_download_as_the_page_shows_them() {
    let app = TestApp::spawn(Backend::Sqlite);
    let me = app.access_of("dangyuan").self_member_id().unwrap();
    let branch = app.access_of("shuji").scope_org_id();
    let (c, csrf) = app.login("zuzhibu");
    let today = qiangji_domain::date::today();
    let post = |path: &str, body: Value| {
        let r =
            c.request("POST", path, &[("content-type", "application/json"), ("x-csrf-token", &csrf)], body.to_string());
        assert_eq!(r.status, 200, "{}", r.body);
    };
    post(
        &format!("/api/v1/members/{me}/floating"),
        serde_json::json!({
            "action": "outflow", "place": "广东省深圳市南山区", "unit": "深圳某科技有限公司", "outflow_reason": "business",
            "fixed_place": true, "since": (today - chrono::Days::new(200)).to_string(), "activity_card": "浙甬001", "reason": "外出务工",
        }),
    );
    let outsider =
        qiangji_domain::id_number::IdNumber::compose(340100, qiangji_domain::date::parse("1990-01-01").unwrap(), 7);
    post(
        &format!("/api/v1/orgs/{branch}/floating"),
        serde_json::json!({ "action": "inflow", "name": "外来党员", "id_number": outsider.to_string(), "origin_org": "中共某村支部", "since": today.to_string() }),
    );
    let page = c.get("/orgs/1/floating").body;
    assert!(page.contains("floating/export?format=xlsx"), "the page links the download");
    let tables = both(&c, "/orgs/1/floating/export");
    let (out, inc) = (&tables[0], &tables[1]);
    assert_eq!((out.0.as_str(), inc.0.as_str()), ("流出党员", "流入党员"));
    let api = c.get("/api/v1/orgs/1/floating").json();
    assert_eq!(out.2.len(), api["outflows"].as_array().unwrap().len());
    assert_eq!(inc.2.len(), api["inflows"].as_array().unwrap().len());
    let mine = out.2.iter().find(|r| r[3] == "深圳某科技有限公司").expect("the outflow is in the file");
    assert_eq!(mine[8], "浙甬001");
    assert!(page.contains(&mine[0]), "the same member as on the page");
    let hosted = inc.2.iter().find(|r| r[0] == "外来党员").expect("the inflow is in the file");
    let shown_id = texts_after(&page, "<td data-label=\"身份证号\"")[0];
    assert_eq!(hosted[1], shown_id, "the identity number masked as on the page");
    assert!(hosted[1].contains('*') && hosted[1] != outsider.to_string());
    assert_eq!(hosted[2], "中共某村支部");
}

#[test]
fn printable_roster_registration_form_and_statistics_show_their_fields() {
    let app = TestApp::spawn(Backend::Sqlite);
    let branch = app.access_of("shuji").scope_org_id();
    let (c, _) = app.login("zuzhibu");

    // The roster: every member the list counts, the header repeated on each printed page.
    let list = c.get(&format!("/orgs/{branch}/members"));
    assert!(list.body.contains(&format!("/orgs/{branch}/members/print?")), "the list links the roster");
    let roster = c.get(&format!("/orgs/{branch}/members/print"));
    assert_eq!(roster.status, 200);
    assert!(roster.body.contains("党员名册") && roster.body.contains("display: table-header-group"));
    assert!(roster.body.contains("size: A4"));
    assert_eq!(roster.body.matches("<tr><td class=\"n\">").count(), total_of(&list.body));
    for (name, org, phone) in member_rows(&list.body) {
        assert!(roster.body.contains(&format!("<td>{name}</td>")), "{name} on the roster");
        assert!(roster.body.contains(&org) && roster.body.contains(&phone));
    }
    let women = c.get("/orgs/1/members/print?sex=female");
    assert!(women.body.contains("性别：女"), "the condition is printed");

    // The registration form of one member: baseline fields and history.
    let (member, name, joined, id_number): (i64, String, String, String) = app
        .rt
        .block_on(app.store.db().one(
            "SELECT id, name, joined_on, id_number FROM member WHERE org_id = ? ORDER BY id LIMIT 1",
            vec![branch.into()],
        ))
        .map(|r| (r.int(0), r.text(1), r.text(2), app.clear_id_number(&r.text(3))))
        .unwrap();
    assert!(c.get(&format!("/members/{member}")).body.contains(&format!("/members/{member}/print")));
    let form = c.get(&format!("/members/{member}/print"));
    assert_eq!(form.status, 200);
    for field in [
        "党员信息登记表",
        &name,
        &joined,
        "公民身份号码",
        "籍贯",
        "工作单位及职务",
        "组织关系",
        "党籍状态",
        "变更记录",
        "登记入库",
    ] {
        assert!(form.body.contains(field), "{field} on the form");
    }
    assert!(!form.body.contains(&id_number), "the identity number is masked");
    assert!(form.body.contains(&format!("{}****", &id_number[..6])) || form.body.contains("****"));
    assert_eq!(c.get("/members/99999999/print").status, 404);

    // The statistical tables: the page's numbers.
    let stats = c.get("/orgs/1/stats").body;
    assert!(stats.contains("/orgs/1/stats/print?"), "the statistics page links the printout");
    let total: String = texts_after(&stats, "id=\"stats-total\"")[0].trim().to_owned();
    let print = c.get("/orgs/1/stats/print");
    assert_eq!(print.status, 200);
    for table in ["性别", "学历", "年龄", "党支部规模"] {
        assert!(print.body.contains(&format!("<h2>{table}")), "{table} printed");
    }
    assert!(print.body.contains(&format!("<td>合计</td><td class=\"n\">{total}</td>")), "the total {total} printed");
}
