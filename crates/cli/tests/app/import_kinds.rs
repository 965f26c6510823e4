//! Importing organizations and meeting records over HTTP, from files written by independent tools
//! (openpyxl, Python's csv in GBK): every problem named with its code, a batch committed whole or
//! not at all, rolled back whole while nothing has happened to what it created.

use crate::harness::{Backend, TestApp};
use serde_json::Value;

/// Runs `script` with the test Python (openpyxl installed) and `args`.
fn python(script: &str, args: &[&str]) {
    let python =
        std::env::var("QIANGJI_PYTHON").expect("QIANGJI_PYTHON: a Python with openpyxl (scripts/test.sh sets it)");
    let out = std::process::Command::new(python).arg("-c").arg(script).args(args).output().expect("run python");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// A directory of its own for each test (tests run in parallel in one process).
fn temp_dir(name: &str) -> std::path::PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("qiangji-{name}-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn count(app: &TestApp, sql: &str, p: Vec<qiangji_store::db::Value>) -> i64 {
    app.rt.block_on(app.store.db().one(sql, p)).unwrap().int(0)
}

fn check_passes(app: &TestApp) {
    let check = app.rt.block_on(qiangji_store::check::run(app.store.db())).unwrap();
    assert!(check.problems.is_empty(), "{:?}", check.problems);
}

/// The codes of the issues of `line` in an API preview.
pub fn codes(preview: &Value, line: i64) -> Vec<String> {
    preview["rows_with_issues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["line"] == line)
        .map(|r| r["issues"].as_array().unwrap().iter().map(|i| i["code"].as_str().unwrap().to_owned()).collect())
        .unwrap_or_default()
}

/// Organizations: a workbook with a title row and a merged header, whose rows build a subtree.
const ORGS_XLSX: &str = r#"
import sys, datetime, openpyxl
path, existing = sys.argv[1:]
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "党组织"
ws.append(["新建党组织登记表"]); ws.merge_cells("A1:F1")
ws.append(["党组织名称", "组织类别", "上级组织", "所属领域", "成立时间", "是否联合"])
ws.append(["测试社区党委", "党委", None, "社区", datetime.date(2020, 3, 1), "否"])
ws.append(["测试社区第一党支部 ", "党支部", "测试社区党委", None, "2020.5", None])
ws.append(["第一党小组", "党小组", "测试社区第一党支部", None, None, None])
ws.append([existing, "党支部", None, None, None, None])
wb.save(path)
"#;

/// The same rows with problems, as GBK CSV the way Excel's "CSV" save writes it.
const ORGS_BAD_CSV: &str = r#"
import sys, csv
path = sys.argv[1]
with open(path, "w", encoding="gbk", newline="") as f:
    w = csv.writer(f)
    w.writerow(["组织名称", "组织类别", "上级党组织", "成立日期"])
    w.writerow(["倒置的支部", "党支部", "后面的党委", ""])
    w.writerow(["后面的党委", "党委", "", ""])
    w.writerow(["坏类别", "党小队", "", ""])
    w.writerow(["党委下的党委", "党委", "测试用不存在的组织", ""])
    w.writerow(["未来成立", "党支部", "", "2099-01-01"])
"#;

fn organizations_come_in_as_a_subtree_and_go_out_whole(backend: Backend) {
    let app = TestApp::spawn(backend);
    let committee = app.access_of("dangwei").scope_org_id();
    let (c, csrf) = app.login("dangwei");
    let existing: String = app
        .rt
        .block_on(app.store.db().one(
            "SELECT name FROM org WHERE parent_id = ? AND dissolved_on IS NULL ORDER BY id LIMIT 1",
            vec![committee.into()],
        ))
        .unwrap()
        .text(0);
    let dir = temp_dir("orgs");
    let (xlsx, bad) = (dir.join("orgs.xlsx"), dir.join("orgs.csv"));
    python(ORGS_XLSX, &[xlsx.to_str().unwrap(), &existing]);
    python(ORGS_BAD_CSV, &[bad.to_str().unwrap()]);
    let upload = |c: &qiangji_testkit::http::Client, csrf: &str, name: &str, bytes: Vec<u8>| {
        c.request(
            "POST",
            &format!("/api/v1/orgs/{committee}/imports?kind=orgs&file_name={name}"),
            &[("content-type", "application/octet-stream"), ("x-csrf-token", csrf)],
            bytes,
        )
    };

    // The form and the template for organizations; a branch secretary may not import them.
    let form = c.get(&format!("/orgs/{committee}/import?kind=orgs"));
    assert!(form.status == 200 && form.body.contains("导入党组织"), "{}", form.status);
    let template = c.get(&format!("/orgs/{committee}/import/template?kind=orgs"));
    assert!(template.status == 200 && template.body.as_bytes().starts_with(b"PK"));
    let (s, s_csrf) = app.login("shuji");
    let branch = app.access_of("shuji").scope_org_id();
    assert_eq!(s.get(&format!("/orgs/{branch}/import?kind=orgs")).status, 403);
    let r = s.request(
        "POST",
        &format!("/api/v1/orgs/{branch}/imports?kind=orgs"),
        &[("content-type", "text/csv"), ("x-csrf-token", &s_csrf)],
        std::fs::read(&xlsx).unwrap(),
    );
    assert_eq!(r.status, 403, "{}", r.body);

    // Problems: each named with its code, and the batch cannot be committed.
    let orgs_before = count(&app, "SELECT COUNT(*) FROM org", vec![]);
    let r = upload(&c, &csrf, "bad.csv", std::fs::read(&bad).unwrap());
    assert_eq!(r.status, 201, "{}", r.body);
    let preview = r.json();
    assert_eq!(preview["kind"], "orgs");
    assert_eq!(codes(&preview, 2), ["import.parent_below"]);
    assert!(codes(&preview, 3).is_empty(), "{preview}");
    assert_eq!(codes(&preview, 4), ["org.code_unknown"]);
    assert_eq!(codes(&preview, 5), ["import.org_unknown"]);
    assert_eq!(codes(&preview, 6), ["org.date_in_future"]);
    assert_eq!(preview["summary"]["errors"], 4);
    let batch = preview["batch_id"].as_i64().unwrap();
    let r = c.request("POST", &format!("/api/v1/imports/{batch}/commit"), &[("x-csrf-token", &csrf)], "");
    assert_eq!((r.status, r.json()["code"].as_str()), (422, Some("import.has_errors")));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM org", vec![]), orgs_before, "nothing half-applied");

    // The clean workbook: three new organizations, one below the other; the registered one skipped.
    let r = upload(&c, &csrf, "orgs.xlsx", std::fs::read(&xlsx).unwrap());
    assert_eq!(r.status, 201, "{}", r.body);
    let preview = r.json();
    assert_eq!(codes(&preview, 4), ["import.date_month_only", "import.normalized"], "{preview}");
    assert_eq!(codes(&preview, 6), ["import.org_exists"]);
    assert_eq!((preview["summary"]["create"].as_i64(), preview["summary"]["existing"].as_i64()), (Some(3), Some(1)));
    let batch = preview["batch_id"].as_i64().unwrap();
    let r = c.request("POST", &format!("/api/v1/imports/{batch}/commit"), &[("x-csrf-token", &csrf)], "");
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!((r.json()["created"].as_i64(), r.json()["skipped"].as_i64()), (Some(3), Some(1)));
    let id_of = |name: &str| {
        app.rt
            .block_on(app.store.db().opt("SELECT id FROM org WHERE name = ?", vec![name.into()]))
            .unwrap()
            .map(|r| r.int(0))
    };
    let (top, branch_new, group) =
        (id_of("测试社区党委").unwrap(), id_of("测试社区第一党支部").unwrap(), id_of("第一党小组").unwrap());
    let parent_of = |id: i64| count(&app, "SELECT parent_id FROM org WHERE id = ?", vec![id.into()]);
    assert_eq!((parent_of(top), parent_of(branch_new), parent_of(group)), (committee, top, branch_new));
    let children = c.get(&format!("/api/v1/orgs/{committee}/children")).json();
    assert!(children.to_string().contains("测试社区党委"), "the tree shows it at once: {children}");
    let page = c.get(&format!("/orgs/{branch_new}"));
    assert!(page.status == 200 && page.body.contains("测试社区第一党支部"));
    check_passes(&app);

    // Rolled back: all three removed (deepest first), the ledger keeps them, their ids never reused.
    let url = format!("/api/v1/imports/{batch}/rollback");
    let r = c.request(
        "POST",
        &url,
        &[("x-csrf-token", &csrf), ("content-type", "application/json")],
        r#"{"reason":"导错"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["removed"], 3);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM org", vec![]), orgs_before);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM ledger WHERE kind = 'org.removed'", vec![]), 3);
    assert_eq!(c.get(&format!("/orgs/{branch_new}")).status, 404);
    check_passes(&app);

    // Imported again, and a group set up under the new branch since: no longer undone whole.
    let r = upload(&c, &csrf, "orgs.xlsx", std::fs::read(&xlsx).unwrap());
    let batch = r.json()["batch_id"].as_i64().unwrap();
    let r = c.request("POST", &format!("/api/v1/imports/{batch}/commit"), &[("x-csrf-token", &csrf)], "");
    assert_eq!(r.status, 200, "{}", r.body);
    let again = id_of("测试社区第一党支部").unwrap();
    assert!(again > group, "a removed organization's id is not given again: {again} after {group}");
    let fields = qiangji_domain::org::OrgInput {
        name: "第二党小组".into(),
        kind: "group".into(),
        sector: "community".into(),
        formation_mode: "single".into(),
        ..Default::default()
    }
    .validate(qiangji_domain::date::today())
    .unwrap();
    app.rt.block_on(app.store.create_org(&app.system(), qiangji_domain::org::OrgId(again), &fields, "新建")).unwrap();
    let url = format!("/api/v1/imports/{batch}/rollback");
    let r = c.request(
        "POST",
        &url,
        &[("x-csrf-token", &csrf), ("content-type", "application/json")],
        r#"{"reason":"导错"}"#,
    );
    assert_eq!((r.status, r.json()["code"].as_str()), (422, Some("import.rollback_blocked")), "{}", r.body);
    assert!(id_of("测试社区第一党支部").is_some(), "nothing removed");
    check_passes(&app);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn organizations_come_in_as_a_subtree_and_go_out_whole_on_sqlite() {
    organizations_come_in_as_a_subtree_and_go_out_whole(Backend::Sqlite);
}

#[test]
fn organizations_come_in_as_a_subtree_and_go_out_whole_on_postgres() {
    organizations_come_in_as_a_subtree_and_go_out_whole(Backend::Postgres);
}

/// Meeting records as a branch keeps them in Excel: a title row, synonyms for the columns, times
/// written three ways, attendance as names with reasons in brackets.
const MEETINGS_XLSX: &str = r#"
import sys, datetime, openpyxl
path, a, b, c, broken = sys.argv[1:]
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "三会一课台账"
ws.append(["2026年三会一课登记台账"]); ws.merge_cells("A1:K1")
ws.append(["会议类型", "会议日期", "开始时间", "结束时间", "会议地点", "主持人", "记录人", "主讲人", "会议主题", "会议内容", "参会人员", "请假人员", "缺席人员"])
ws.append(["支委会", datetime.date(2026, 11, 3), "9:00", "10时30分", "党员活动室", a, b, None, "研究发展党员工作", "讨论确定入党积极分子", a + "、" + b, c + "（出差）", None])
ws.append(["党课", "2026-11-10", "14：30", "16:00", "党员活动室", a, b, b, "学习党章", "逐条学习党章", a + "，" + c, None, b])
if broken == "1":
    ws.append(["党课", "2026-11-17", None, None, "党员活动室", a, b, None, "没有授课人的党课", "内容", "查无此人", None, None])
wb.save(path)
"#;

#[test]
fn meeting_records_come_in_with_attendance_read_from_names_and_go_out_whole() {
    let app = TestApp::spawn(Backend::Sqlite);
    let branch = app.access_of("shuji").scope_org_id();
    let (c, csrf) = app.login("shuji");
    // Three members of the branch with names no one else there has.
    let names: Vec<String> = app
        .rt
        .block_on(app.store.db().all(
            "SELECT m.name FROM member m JOIN membership s ON s.member_id = m.id AND s.org_id = ? \
             AND s.valid_from <= '2026-11-01' AND s.valid_to IS NULL GROUP BY m.name HAVING COUNT(*) = 1 \
             ORDER BY MIN(m.id) LIMIT 3",
            vec![branch.into()],
        ))
        .unwrap()
        .iter()
        .map(|r| r.text(0))
        .collect();
    assert_eq!(names.len(), 3);
    let dir = temp_dir("meetings");
    let (good, bad) = (dir.join("good.xlsx"), dir.join("bad.xlsx"));
    let (a, b, cc) = (names[0].as_str(), names[1].as_str(), names[2].as_str());
    python(MEETINGS_XLSX, &[good.to_str().unwrap(), a, b, cc, "0"]);
    python(MEETINGS_XLSX, &[bad.to_str().unwrap(), a, b, cc, "1"]);
    assert!(c.get(&format!("/orgs/{branch}/import?kind=meetings")).body.contains("导入组织生活记录"));
    let upload = |name: &str, path: &std::path::Path| {
        c.request(
            "POST",
            &format!("/api/v1/orgs/{branch}/imports?kind=meetings&file_name={name}"),
            &[("content-type", "application/octet-stream"), ("x-csrf-token", &csrf)],
            std::fs::read(path).unwrap(),
        )
    };
    let meetings = || count(&app, "SELECT COUNT(*) FROM meeting WHERE org_id = ?", vec![branch.into()]);
    let before = meetings();

    let r = upload("bad.xlsx", &bad);
    assert_eq!(r.status, 201, "{}", r.body);
    let preview = r.json();
    assert_eq!(codes(&preview, 5), ["import.value_missing", "import.attendee_unknown"], "{preview}");
    assert_eq!(preview["summary"]["errors"], 1);
    let batch = preview["batch_id"].as_i64().unwrap();
    // The preview page lists the row with its problem.
    let page = c.get(&format!("/imports/{batch}"));
    assert!(page.body.contains("没有授课人的党课") && page.body.contains("import.attendee_unknown"));
    let r = c.request("POST", &format!("/api/v1/imports/{batch}/commit"), &[("x-csrf-token", &csrf)], "");
    assert_eq!((r.status, r.json()["code"].as_str()), (422, Some("import.has_errors")));
    assert_eq!(meetings(), before);

    let r = upload("good.xlsx", &good);
    let preview = r.json();
    assert_eq!(preview["summary"]["create"], 2, "{preview}");
    assert_eq!(preview["summary"]["errors"], 0, "{preview}");
    let batch = preview["batch_id"].as_i64().unwrap();
    let r = c.request("POST", &format!("/api/v1/imports/{batch}/commit"), &[("x-csrf-token", &csrf)], "");
    assert_eq!((r.status, r.json()["created"].as_i64()), (200, Some(2)), "{}", r.body);
    assert_eq!(meetings(), before + 2);
    let id = count(&app, "SELECT id FROM meeting WHERE topic = '研究发展党员工作'", vec![]);
    let record = c.get(&format!("/api/v1/meetings/{id}")).json();
    assert_eq!(record["kind"], "committee_meeting", "{record}");
    assert_eq!((record["starts_at"].as_str(), record["ends_at"].as_str()), (Some("09:00"), Some("10:30")));
    let attendance = record["attendance"].to_string();
    assert!(attendance.contains(a) && attendance.contains(b) && attendance.contains("出差"), "{attendance}");
    let lecture = count(&app, "SELECT id FROM meeting WHERE topic = '学习党章'", vec![]);
    let absent = count(
        &app,
        "SELECT COUNT(*) FROM meeting_attendance a JOIN member m ON m.id = a.member_id \
         WHERE a.meeting_id = ? AND a.attendance = 'absent' AND m.name = ?",
        vec![lecture.into(), b.into()],
    );
    assert_eq!(absent, 1, "the absent list is read too");
    // The same file again: both records there, skipped.
    let r = upload("good.xlsx", &good);
    assert_eq!(r.json()["summary"]["existing"], 2, "{}", r.body);
    check_passes(&app);

    // Rolled back: the records and their attendance removed, the board follows, the ledger keeps them.
    let url = format!("/api/v1/imports/{batch}/rollback");
    let r = c.request(
        "POST",
        &url,
        &[("x-csrf-token", &csrf), ("content-type", "application/json")],
        r#"{"reason":"重复登记"}"#,
    );
    assert_eq!((r.status, r.json()["removed"].as_i64()), (200, Some(2)), "{}", r.body);
    assert_eq!(meetings(), before);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM meeting_attendance WHERE meeting_id = ?", vec![id.into()]), 0);
    assert_eq!(c.get(&format!("/api/v1/meetings/{id}")).status, 404);
    assert_eq!(c.get(&format!("/orgs/{branch}/orglife")).status, 200);
    check_passes(&app);
    let _ = std::fs::remove_dir_all(dir);
}
