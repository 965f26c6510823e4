//! Hostile input, swept rather than listed: every free-text field of every form the UI serves
//! (found by walking the route table's pages), attachment names that look like paths or headers,
//! bodies just over each upload route's limit, and where the client's address and the cookies'
//! `Secure` come from behind a proxy.

use crate::harness::{Backend, TestApp};
use crate::scope::{Ids, fill, ids};
use qiangji_testkit::http::{Client, Response, form_urlencode};
use qiangji_web::routes::{ROUTES, RouteInfo};
use std::collections::{BTreeMap, BTreeSet};

/// Markup an attacker would store; each use is prefixed with a unique marker to find it again.
const PAYLOAD: &str = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>";

/// What must never reach a page: the payload's markup, live.
fn raw_markup(page: &str) -> Option<&str> {
    ["<script>alert", "<img src=x"].into_iter().find(|m| page.contains(m))
}

/// Whether `marker`'s payload shows on `page`, escaped.
fn shown_escaped(page: &str, marker: &str) -> bool {
    ["&lt;script&gt;alert(1)", "&#60;script&#62;alert(1)"].iter().any(|e| page.contains(&format!("{marker}{e}")))
}

/// One `<form method=post>` of a page: where it posts and the fields it would send as it stands.
#[derive(Debug, Clone)]
struct Form {
    action: String,
    /// (name, value) in document order; `free` marks text inputs and textareas.
    fields: Vec<Field>,
}

#[derive(Debug, Clone)]
struct Field {
    name: String,
    value: String,
    free: bool,
}

/// The attributes of the tag starting at `html[at]` (after `<name`), lowercased names, values
/// unescaped; and the offset just past its `>`.
fn attributes(html: &str, at: usize) -> (BTreeMap<String, String>, usize) {
    let bytes = html.as_bytes();
    let (mut attrs, mut i) = (BTreeMap::new(), at);
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        if i >= bytes.len() || bytes[i] == b'>' {
            return (attrs, (i + 1).min(bytes.len()));
        }
        let start = i;
        while i < bytes.len() && !matches!(bytes[i], b'=' | b'>') && !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let name = html[start..i].to_ascii_lowercase();
        let mut value = String::new();
        if i < bytes.len() && bytes[i] == b'=' {
            i += 1;
            if i < bytes.len() && (bytes[i] == b'"' || bytes[i] == b'\'') {
                let quote = bytes[i];
                let from = i + 1;
                i = from;
                while i < bytes.len() && bytes[i] != quote {
                    i += 1;
                }
                value = html[from..i].to_owned();
                i += 1;
            } else {
                let from = i;
                while i < bytes.len() && bytes[i] != b'>' && !bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                value = html[from..i].to_owned();
            }
        }
        attrs.insert(name, unescape(&value));
    }
}

fn unescape(s: &str) -> String {
    let mut out = s.replace("&#34;", "\"").replace("&quot;", "\"").replace("&#39;", "'").replace("&#60;", "<");
    out = out.replace("&lt;", "<").replace("&#62;", ">").replace("&gt;", ">");
    out.replace("&#38;", "&").replace("&amp;", "&")
}

/// Every urlencoded `<form method="post">` of a page, with its inputs, textareas, selects (first
/// option) and the named submit button, as a browser would send it untouched.
fn forms(html: &str) -> Vec<Form> {
    let lower = html.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(found) = lower[from..].find("<form") {
        let at = from + found + "<form".len();
        let (attrs, body_start) = attributes(html, at);
        let end = lower[body_start..].find("</form>").map_or(html.len(), |e| body_start + e);
        from = end;
        let multipart = attrs.get("enctype").is_some_and(|e| e.contains("multipart"));
        if !attrs.get("method").is_some_and(|m| m.eq_ignore_ascii_case("post")) || multipart {
            continue;
        }
        let mut fields = Vec::new();
        let mut radios = BTreeSet::new();
        let mut button = false;
        let (body, lbody) = (&html[body_start..end], &lower[body_start..end]);
        let mut i = 0;
        while let Some(lt) = lbody[i..].find('<') {
            let tag_at = i + lt + 1;
            let tag: String = lbody[tag_at..].chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
            let (a, next) = attributes(body, tag_at + tag.len());
            i = next.max(tag_at);
            let name = a.get("name").cloned().unwrap_or_default();
            if name.is_empty() || a.contains_key("disabled") {
                continue;
            }
            let value = a.get("value").cloned().unwrap_or_default();
            match tag.as_str() {
                "input" => {
                    let kind = a.get("type").map_or("text".to_owned(), |t| t.to_ascii_lowercase());
                    match kind.as_str() {
                        "checkbox" if a.contains_key("checked") => fields.push(Field { name, value, free: false }),
                        "radio" if a.contains_key("checked") || !radios.contains(&name) => {
                            // The checked one, else the first of the group.
                            if a.contains_key("checked") {
                                fields.retain(|f| f.name != name);
                            }
                            if radios.insert(name.clone()) || a.contains_key("checked") {
                                fields.push(Field { name, value, free: false });
                            }
                        }
                        "submit" if !button => {
                            button = true;
                            fields.push(Field { name, value, free: false });
                        }
                        "checkbox" | "radio" | "submit" | "file" | "button" | "reset" => {}
                        "text" | "search" => fields.push(Field { name, value, free: true }),
                        _ => fields.push(Field { name, value, free: false }),
                    }
                }
                "button" if !button => {
                    button = true;
                    fields.push(Field { name, value, free: false });
                }
                "textarea" => {
                    let close = lbody[i..].find("</textarea>").map_or(lbody.len(), |e| i + e);
                    fields.push(Field { name, value: unescape(&body[i..close]), free: true });
                    i = close;
                }
                "select" => {
                    let close = lbody[i..].find("</select>").map_or(lbody.len(), |e| i + e);
                    let options = &lbody[i..close];
                    let first = options.find("<option").map(|o| {
                        let (oa, _) = attributes(&body[i..close], o + "<option".len());
                        oa.get("value").cloned().unwrap_or_default()
                    });
                    // A select with a preselected option keeps it; otherwise the first option.
                    let selected = options.find(" selected").and_then(|s| options[..s].rfind("<option")).map(|o| {
                        let (oa, _) = attributes(&body[i..close], o + "<option".len());
                        oa.get("value").cloned().unwrap_or_default()
                    });
                    fields.push(Field { name, value: selected.or(first).unwrap_or_default(), free: false });
                    i = close;
                }
                _ => {}
            }
        }
        out.push(Form { action: unescape(attrs.get("action").map_or("", String::as_str)), fields });
    }
    out
}

/// A plausible value for a structured field the form leaves empty, so that the free-text field
/// under test is what decides whether the form is accepted.
fn filler(name: &str, n: u32) -> Option<String> {
    let born = qiangji_domain::date::parse("1990-03-04").unwrap();
    Some(match name {
        "id_number" => qiangji_domain::id_number::IdNumber::compose(330203, born, 300 + n as u16).to_string(),
        "credit_code" => {
            qiangji_domain::host_entity::CreditCode::compose(&format!("91330203MA3{n:05}0")).ok()?.to_string()
        }
        "phone" => "13800138000".into(),
        "birth_date" => "1990-03-04".into(),
        "year" => qiangji_domain::date::today().format("%Y").to_string(),
        "held_on" | "on" | "ended_on" | "left_on" | "contact_on" | "approved_on" | "effective_from" | "term_start" => {
            qiangji_domain::date::today().to_string()
        }
        "joined_on" | "since" | "applied_on" | "founded_on" | "registered_on" | "started_on" => "2015-07-01".into(),
        "employees" | "quota" | "term_years" | "min_count" | "valid_months" | "months" => "5".into(),
        "name" => format!("测试名称{n}"),
        "reason" | "host" | "recorder" | "topic" | "content" | "place" => format!("测试{n}"),
        _ => return None,
    })
}

/// Forms whose effect ends what other forms act on: submitted after the others.
fn destructive(action: &str) -> bool {
    ["/dissolve", "/status", "/move", "/transfer", "/steps", "/rollback", "/commit", "/apply"]
        .iter()
        .any(|a| action.ends_with(a))
}

/// The HTML pages of the route table a user can open, with the demo's ids (the branch's, and
/// for `orgs` each organization given).
fn pages(ids: &Ids, orgs: &[i64]) -> Vec<String> {
    let html = |r: &&RouteInfo| {
        r.method == "GET"
            && !r.is_api()
            && !["/", "/login"].contains(&r.path)
            && !["export", "print", "/assets/", "template", "/attachments/", "/letter"]
                .iter()
                .any(|x| r.path.contains(x))
    };
    let mut out = BTreeSet::new();
    for r in ROUTES.iter().filter(html) {
        for org in orgs {
            let others = (0, ids.own_transfer, ids.own_developee, ids.own_batch);
            out.insert(fill(r.path, *org, ids.own_member, ids.own_meeting, others, ids.own_entities));
        }
    }
    out.into_iter().collect()
}

struct Sweep {
    /// Markers submitted, with the form and field they went into.
    sent: BTreeMap<String, String>,
    /// Pages to look at again at the end: every page walked and every redirect target.
    pages: BTreeSet<String>,
    submitted: usize,
    accepted: usize,
}

/// Fails if `r` shows the payload as markup, or refused without a word of Chinese.
fn check_answer(r: &Response, what: &str) {
    assert!(r.status < 500, "{what}: {} {}", r.status, &r.body[..r.body.len().min(400)]);
    if let Some(m) = raw_markup(&r.body) {
        let at = r.body.find(m).unwrap();
        panic!("{what} answers {m:?} unescaped: …{}…", &r.body[at.saturating_sub(200)..(at + 100).min(r.body.len())]);
    }
    if r.status >= 400 {
        assert!(r.body.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{what}: refused without Chinese");
    }
}

fn sweep_as(app: &TestApp, user: &str, ids: &Ids, orgs: &[i64], sweep: &mut Sweep) {
    let (c, _) = app.login(user);
    let mut found: BTreeMap<String, Form> = BTreeMap::new();
    for page in pages(ids, orgs) {
        let r = c.get(&page);
        if r.status != 200 {
            continue;
        }
        sweep.pages.insert(page.clone());
        for f in forms(&r.body) {
            let skip = ["/login", "/logout", "/account"].iter().any(|a| f.action.starts_with(a));
            if !skip && !f.action.is_empty() && f.fields.iter().any(|x| x.free) {
                found.entry(f.action.clone()).or_insert(f);
            }
        }
    }
    assert!(found.len() >= 8, "{user}: only {} forms found: {:?}", found.len(), found.keys());
    let (first, last): (Vec<_>, Vec<_>) = found.into_values().partition(|f| !destructive(&f.action));
    for form in first.into_iter().chain(last) {
        let free: Vec<usize> = (0..form.fields.len()).filter(|&i| form.fields[i].free).collect();
        for target in free {
            // A fresh token each time: a form may end the session's page but never the session.
            let n = sweep.sent.len() as u32;
            let marker = format!("HX{n:03}");
            let mut fields = form.fields.clone();
            for (i, f) in fields.iter_mut().enumerate() {
                if i == target {
                    f.value = format!("{marker}{PAYLOAD}");
                } else if f.value.is_empty()
                    && let Some(v) = filler(&f.name, n)
                {
                    f.value = v;
                }
            }
            sweep.sent.insert(marker.clone(), format!("{user} {} {}", form.action, form.fields[target].name));
            let pairs: Vec<(&str, &str)> = fields.iter().map(|f| (f.name.as_str(), f.value.as_str())).collect();
            let r = c.request(
                "POST",
                &form.action,
                &[("content-type", "application/x-www-form-urlencoded")],
                form_urlencode(&pairs),
            );
            let what = format!("{user} POST {} with {} = payload", form.action, form.fields[target].name);
            check_answer(&r, &what);
            sweep.submitted += 1;
            if let Some(to) = r.header("location").filter(|_| r.status == 303) {
                sweep.accepted += 1;
                let to = to.split('#').next().unwrap().to_owned();
                check_answer(&c.get(&to), &format!("{what}, then GET {to}"));
                sweep.pages.insert(to);
            }
        }
    }
    // Everything stored is now in the lists, the entities' pages and the audit log: look again.
    let mut shown = BTreeSet::new();
    for page in &sweep.pages {
        let r = c.get(page);
        check_answer(&r, &format!("{user} GET {page} after the sweep"));
        for marker in sweep.sent.keys().filter(|m| r.body.contains(m.as_str())) {
            assert!(shown_escaped(&r.body, marker), "{page} shows {marker} ({}) but not escaped", sweep.sent[marker]);
            shown.insert(marker.clone());
        }
    }
    assert!(shown.len() >= 10, "{user}: only {} stored payloads seen again on any page: {shown:?}", shown.len());
}

#[test]
fn every_free_text_field_of_every_form_stores_markup_as_text_on_every_page_that_shows_it() {
    let app = TestApp::spawn(Backend::Sqlite);
    let ids = ids(&app, "shuji");
    let parent: i64 = app
        .rt
        .block_on(app.store.db().one("SELECT parent_id FROM org WHERE id = ?", vec![ids.own_org.into()]))
        .unwrap()
        .int(0);
    let mut sweep = Sweep { sent: BTreeMap::new(), pages: BTreeSet::new(), submitted: 0, accepted: 0 };
    sweep_as(&app, "shuji", &ids, &[ids.own_org], &mut sweep);
    sweep_as(&app, "zuzhibu", &ids, &[parent, ids.own_org], &mut sweep);
    assert!(sweep.submitted >= 40, "only {} submissions", sweep.submitted);
    assert!(sweep.accepted >= 10, "only {} of {} submissions were stored", sweep.accepted, sweep.submitted);
}

fn multipart(file_name: &str, bytes: &[u8], fields: &[(&str, &str)]) -> (String, Vec<u8>) {
    let boundary = "qiangji-hostile-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn upload(c: &Client, csrf: &str, path: &str, file_name: &str, bytes: &[u8], fields: &[(&str, &str)]) -> Response {
    let (content_type, body) = multipart(file_name, bytes, fields);
    c.request("POST", path, &[("content-type", content_type.as_str()), ("x-csrf-token", csrf)], body)
}

/// The files next to the database and in the working directory, to see that an upload adds none.
fn files_around(app: &TestApp) -> BTreeSet<std::path::PathBuf> {
    let db: String = app
        .rt
        .block_on(app.store.db().one("SELECT file FROM pragma_database_list WHERE name = 'main'", vec![]))
        .unwrap()
        .text(0);
    let dir = std::path::Path::new(&db).parent().unwrap().to_owned();
    let mut out = BTreeSet::new();
    for d in [dir, std::env::current_dir().unwrap()] {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            out.insert(e.path());
        }
    }
    out
}

#[test]
fn attachment_names_are_names_only_and_never_paths_header_lines_or_markup() {
    let app = TestApp::spawn(Backend::Sqlite);
    let (c, csrf) = app.login("shuji");
    let meeting = crate::scope::ids(&app, "shuji").own_meeting.0;
    let png = qiangji_demo::orglife::png(7);
    let before = files_around(&app);
    // (sent in the multipart header, stored)
    let names = [
        ("../../etc/passwd", "passwd"),
        ("..\\\\..\\\\boot.ini", "boot.ini"),
        ("a/b/c.jpg", "c.jpg"),
        ("C:\\\\fakepath\\\\会议签到表.png", "会议签到表.png"),
        ("x%0D%0ASet-Cookie: a=b.jpg", "x%0D%0ASet-Cookie: a=b.jpg"),
        ("say \\\"hi\\\".png", "say \"hi\".png"),
        ("%00.png", "%00.png"),
        ("tab\there.png", "tabhere.png"),
        ("\\\"><img src=x onerror=alert(3)>.png", "\"><img src=x onerror=alert(3)>.png"),
    ];
    let api = format!("/api/v1/meetings/{meeting}/attachments");
    for (sent, _) in names {
        let r = upload(&c, &csrf, &api, sent, &png, &[]);
        assert_eq!(r.status, 201, "{sent}: {}", r.body);
    }
    // A name with a line break cannot come through a multipart header; through the store (an
    // import, a future API) it must not reach the download header either.
    app.rt
        .block_on(app.store.add_attachment(
            &app.system(),
            qiangji_domain::orglife::MeetingId(meeting),
            "y\r\nSet-Cookie: a=b\r\n\r\n.png",
            &png,
        ))
        .unwrap();
    let stored = c.get(&format!("/api/v1/meetings/{meeting}")).json()["attachments"].as_array().unwrap().clone();
    let stored_names: Vec<&str> = stored.iter().map(|a| a["file_name"].as_str().unwrap()).collect();
    for (sent, kept) in names {
        assert!(stored_names.contains(&kept), "{sent} stored as {kept}: {stored_names:?}");
    }
    assert!(stored_names.contains(&"ySet-Cookie: a=b.png"), "control characters dropped: {stored_names:?}");
    let ours = |name: &str| names.iter().any(|(_, kept)| *kept == name) || name == "ySet-Cookie: a=b.png";
    for a in stored.iter().filter(|a| ours(a["file_name"].as_str().unwrap())) {
        let name = a["file_name"].as_str().unwrap();
        assert!(!name.contains(['/', '\\', '\r', '\n', '\0']), "{name:?} is a name only");
        let file = c.get(a["url"].as_str().unwrap());
        assert_eq!(file.status, 200);
        assert!(file.bytes == png, "{name}: the stored bytes, whole");
        let cd = file.header("content-disposition").unwrap();
        let encoded = cd.split_once("filename*=UTF-8''").map(|(_, e)| e).unwrap_or_else(|| panic!("{cd}"));
        assert!(
            encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b"%._-".contains(&b)),
            "{name:?}: the header carries only percent-encoded text: {cd}"
        );
        assert!(!file.headers.iter().any(|(n, v)| n.eq_ignore_ascii_case("set-cookie") && v.contains("a=b")));
    }
    // The files are rows of the database: nothing was written beside it or in the working directory.
    assert_eq!(files_around(&app), before, "uploads wrote files");
    let in_db: i64 = app
        .rt
        .block_on(app.store.db().one(
            "SELECT COUNT(*) FROM meeting_attachment WHERE meeting_id = ? AND bytes = ?",
            vec![meeting.into(), png.as_slice().into()],
        ))
        .unwrap()
        .int(0);
    assert_eq!(in_db, names.len() as i64 + 1, "each file's bytes are in its row");
    let page = c.get(&format!("/meetings/{meeting}")).body;
    assert!(raw_markup(&page).is_none(), "the record's page shows names as markup");
    assert!(page.contains("onerror=alert(3)") && page.contains("会议签到表.png"), "names shown, escaped and readable");
}

/// How a file reaches an upload route.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Sent {
    /// A multipart form with the field `file` (the page's form, or the API's attachments).
    Multipart,
    /// The request body is the file.
    Body,
}

/// Every upload route: how it takes the file, the largest file it takes, and how it must refuse
/// one byte more (status, code). A route the table does not know fails the test below.
fn upload_limit(r: &RouteInfo) -> Option<(Sent, usize, u16, &'static str)> {
    let attachment = qiangji_domain::orglife::attachment::MAX_BYTES;
    // A registry extract is held to the whole upload request's limit (a file plus framing).
    let registry = attachment + 64 * 1024;
    let host = qiangji_store::host_entity::MAX_FILE_BYTES;
    let import = qiangji_store::import::MAX_FILE_BYTES;
    if !r.is_write() {
        return None;
    }
    Some(match r.path {
        "/meetings/{meeting_id}/attachments" | "/api/v1/meetings/{meeting_id}/attachments" => {
            (Sent::Multipart, attachment, 413, "attachment.too_large")
        }
        "/orgs/{org_id}/registry" => (Sent::Multipart, registry, 413, "import.file_too_large"),
        "/api/v1/orgs/{org_id}/registry" => (Sent::Body, registry, 413, "import.file_too_large"),
        // The page reads up to the import limit and the store refuses the extract: the form again.
        "/orgs/{org_id}/host-entities/reconcile" => (Sent::Multipart, host, 422, "import.file_too_large"),
        "/api/v1/orgs/{org_id}/host-entities/reconcile" => (Sent::Body, host, 413, "import.file_too_large"),
        "/orgs/{org_id}/import" => (Sent::Multipart, import, 413, "import.file_too_large"),
        "/api/v1/orgs/{org_id}/imports" => (Sent::Body, import, 413, "import.file_too_large"),
        _ => return None,
    })
}

/// Whether a route's own description says it takes a file: the routes that must be in the table.
fn takes_a_file(r: &RouteInfo) -> bool {
    r.is_write() && (r.summary.contains("multipart") || r.summary.contains("请求体为"))
}

/// Rows of everything an upload can write.
fn written(app: &TestApp) -> Vec<i64> {
    let count =
        |t: &str| app.rt.block_on(app.store.db().one(&format!("SELECT COUNT(*) FROM {t}"), vec![])).unwrap().int(0);
    let tables = ["meeting_attachment", "registry_batch", "registry_result", "import_batch", "import_row"];
    let mut out: Vec<i64> =
        tables.iter().chain(&["host_entity_reconciliation", "host_entity"]).map(|t| count(t)).collect();
    out.push(app.head());
    out
}

#[test]
fn every_upload_route_refuses_one_byte_over_its_limit_clearly_and_writes_nothing() {
    let app = TestApp::spawn(Backend::Sqlite);
    let ids = crate::scope::ids(&app, "shuji");
    let (c, csrf) = app.login("zuzhibu");
    let uploads: Vec<&RouteInfo> = ROUTES.iter().filter(|r| takes_a_file(r)).collect();
    for r in &uploads {
        assert!(
            upload_limit(r).is_some(),
            "upload route {} {} has no limit test: add it to upload_limit",
            r.method,
            r.path
        );
    }
    let known = ROUTES.iter().filter(|r| upload_limit(r).is_some()).count();
    assert_eq!(known, uploads.len(), "every route in the table takes a file by its description");
    assert!(uploads.len() >= 7, "{} upload routes", uploads.len());
    let before = written(&app);
    for r in uploads {
        let (sent, max, status, code) = upload_limit(r).unwrap();
        let others = (0, ids.own_transfer, ids.own_developee, ids.own_batch);
        let path = fill(r.path, ids.own_org, ids.own_member, ids.own_meeting, others, ids.own_entities);
        // A JPEG's first bytes, so that only the size is wrong.
        let mut big = vec![b'x'; max + 1];
        big[..3].copy_from_slice(&[0xFF, 0xD8, 0xFF]);
        let fields = [("kind", "members"), ("mode", "skip"), ("source", "market"), ("area", "测试")];
        let resp = match sent {
            Sent::Multipart => {
                let q = if r.is_api() { String::new() } else { format!("?{}", form_urlencode(&[("csrf", &csrf)])) };
                upload(&c, &csrf, &format!("{path}{q}"), "大文件.csv", &big, &fields)
            }
            Sent::Body => c.request(
                "POST",
                &format!("{path}?kind=members&source=market&file_name=big.csv"),
                &[("content-type", "text/csv"), ("x-csrf-token", &csrf)],
                &big,
            ),
        };
        drop(big);
        let what = format!("{} {path} with {} bytes", r.method, max + 1);
        assert_eq!(resp.status, status, "{what}: {}", &resp.body[..resp.body.len().min(300)]);
        if r.is_api() {
            assert_eq!(resp.json()["code"].as_str(), Some(code), "{what}: {}", resp.body);
        } else {
            assert!(resp.body.contains(code), "{what}: the page names the code");
            assert!(resp.body.contains("过大") || resp.body.contains("超过"), "{what}: the page says why in Chinese");
        }
        assert_eq!(written(&app), before, "{what} wrote something");
    }
}

/// API routes that read no body (the request is the address): nothing sent is read into memory,
/// so there is no limit to hit. Not sent to, as they would act.
const BODILESS: &[&str] = &[
    "/api/v1/me/sessions",
    "/api/v1/meetings/{meeting_id}/confirm",
    "/api/v1/notifications/{notification_id}/read",
    "/api/v1/imports/{batch_id}/commit",
];

#[test]
fn a_json_body_over_the_limit_is_refused_with_413_and_a_code_on_every_api_write_route() {
    let app = TestApp::spawn(Backend::Sqlite);
    let ids = crate::scope::ids(&app, "shuji");
    let (c, csrf) = app.login("zuzhibu");
    let limit = qiangji_domain::orglife::attachment::MAX_BYTES + 64 * 1024;
    let body = format!("{{\"name\":\"{}\"}}", "长".repeat(limit / 3 + 1));
    let head = app.head();
    let (mut refused, mut bodiless, mut ignored) = (0, 0, Vec::new());
    for r in ROUTES.iter().filter(|r| r.is_api() && r.is_write() && !takes_a_file(r)) {
        if r.path == "/api/v1/session" && r.method == "DELETE" {
            continue; // ends the session the loop runs in; it reads no body either
        }
        if BODILESS.contains(&r.path) {
            bodiless += 1;
            continue;
        }
        let others = (0, ids.own_transfer, ids.own_developee, ids.own_batch);
        let path = fill(r.path, ids.own_org, ids.own_member, ids.own_meeting, others, ids.own_entities);
        let h = [("content-type", "application/json"), ("x-csrf-token", csrf.as_str())];
        // A route that reads no body may answer (and close) before the body is sent: no answer.
        let resp = c.try_request(r.method, &path, &h, body.as_str()).ok();
        let code =
            |r: &Response| serde_json::from_str::<serde_json::Value>(&r.body).ok()?["code"].as_str().map(str::to_owned);
        let got = resp.as_ref().map(|r| (r.status, code(r)));
        if got != Some((413, Some("request.too_large".to_owned()))) {
            ignored.push(format!("{} {path}: {got:?}", r.method));
            continue;
        }
        refused += 1;
    }
    assert!(ignored.is_empty(), "not refused with 413 request.too_large: {ignored:#?}");
    assert!(refused >= 20, "{refused} routes");
    assert_eq!(bodiless, BODILESS.len(), "every route said to read no body is still in the table");
    assert_eq!(app.head(), head, "nothing was written");
}

#[test]
fn secure_cookies_and_a_trusted_proxy_change_cookies_and_the_client_address_only_when_set() {
    let app = TestApp::spawn(Backend::Sqlite);
    let c = app.client();
    let secure = |r: &Response| {
        let cookies = r.header_all("set-cookie");
        assert!(!cookies.is_empty());
        cookies.iter().all(|v| v.split(';').any(|a| a.trim() == "Secure"))
    };
    let login = |c: &Client| {
        let csrf = qiangji_testkit::http::extract_csrf(&c.get("/login").body).unwrap();
        let form = [("csrf", csrf.as_str()), ("username", "shuji"), ("password", crate::harness::DEMO_PASSWORD)];
        c.post_form("/login", &form)
    };
    // Without a trusted proxy, X-Forwarded-For is the client's say-so: the limit counts the socket.
    let limits = app.app.rate_limits.limits();
    app.app.rate_limits.set(qiangji_web::security::Limits { logins_per_minute: 3, ..limits });
    app.app.set_deployment(Default::default());
    let attempt = |forwarded: &str| {
        let body = serde_json::json!({"username": "nobody", "password": "x"}).to_string();
        let h = [("content-type", "application/json"), ("x-forwarded-for", forwarded)];
        app.client().request("POST", "/api/v1/session", &h, body).status
    };
    let spoofed: Vec<u16> = (1..=5).map(|i| attempt(&format!("198.51.100.{i}"))).collect();
    assert_eq!(spoofed, [401, 401, 401, 429, 429], "a new forwarded address each time does not dodge the limit");

    // Behind a trusted proxy the address it saw counts: one client is limited, others are not.
    let trusted = qiangji_web::security::Deployment::parse_proxies("127.0.0.1").unwrap();
    app.app.set_deployment(qiangji_web::security::Deployment { secure_cookies: false, trusted_proxies: trusted });
    let one: Vec<u16> = (0..4).map(|_| attempt("6.6.6.6, 203.0.113.7")).collect();
    assert_eq!(one, [401, 401, 401, 429], "the right-most address, not the spoofable left one");
    assert_eq!(attempt("203.0.113.8"), 401, "another client behind the proxy");
    assert_eq!(attempt("203.0.113.7, 127.0.0.1"), 429, "a trusted hop is skipped");

    // The session list records the address the proxy saw.
    app.app.rate_limits.set(limits);
    let body = serde_json::json!({"username": "shuji", "password": crate::harness::DEMO_PASSWORD}).to_string();
    let h = [("content-type", "application/json"), ("x-forwarded-for", "203.0.113.99")];
    let token = app.client().request("POST", "/api/v1/session", &h, body).json()["token"].as_str().unwrap().to_owned();
    let auth = format!("Bearer {token}");
    let sessions = app.client().request("GET", "/api/v1/me/sessions", &[("authorization", auth.as_str())], "");
    assert!(sessions.body.contains("203.0.113.99"), "{}", sessions.body);

    // Plain HTTP by default: a Secure cookie would never come back.
    assert!(!secure(&c.get("/login")));
    assert!(!secure(&login(&c)));
    app.app.set_deployment(qiangji_web::security::Deployment { secure_cookies: true, trusted_proxies: vec![] });
    let c = app.client();
    assert!(secure(&c.get("/login")), "the login form's cookie");
    let r = login(&c);
    assert_eq!(r.status, 303);
    assert!(secure(&r), "the session cookie");
    let csrf = qiangji_testkit::http::extract_csrf(&c.get("/account").body).unwrap();
    assert!(secure(&c.post_form("/logout", &[("csrf", &csrf)])), "the cookie that ends the session");
}
