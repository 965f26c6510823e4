//! The route × role × scope matrix, derived from the route table: a route added to `ROUTES`
//! without an expectation here fails the test, so no route escapes the check.

use crate::harness::{Backend, TestApp};
use qiangji_testkit::http::Client;
use qiangji_web::routes::{ROUTES, RouteInfo};
use serde_json::json;

/// What a route must do for an actor confined to one branch.
#[derive(Debug, PartialEq)]
enum Expect {
    /// Works without logging in; nothing to scope.
    Public,
    /// Takes an organization or member id: an id outside the branch answers 404, like a missing one.
    ScopedById,
    /// Lists or searches: must not mention anything outside the branch.
    Listing,
    /// Redirects to the actor's own place.
    Home,
    /// Ends the session; checked last.
    EndsSession,
    /// A deployment-wide setting only an administrator of the whole tree may change: refused (403).
    WholeTreeOnly,
    /// Acts on the actor's own account (password, sessions): no id that could point elsewhere.
    OwnAccount,
}

fn expectation(r: &RouteInfo) -> Expect {
    if r.public {
        return Expect::Public;
    }
    if [
        "{org_id}",
        "{member_id}",
        "{meeting_id}",
        "{notification_id}",
        "{transfer_id}",
        "{developee_id}",
        "{batch_id}",
        "{host_entity_id}",
        "{reconciliation_id}",
    ]
    .iter()
    .any(|id| r.path.contains(id))
    {
        return Expect::ScopedById;
    }
    match (r.method, r.path) {
        ("GET", "/") => Expect::Home,
        (
            "GET",
            "/orgs/search"
            | "/audit"
            | "/api/v1/me"
            | "/api/v1/orgs"
            | "/api/v1/audit"
            | "/notifications"
            | "/api/v1/notifications"
            | "/account"
            | "/api/v1/me/sessions",
        ) => Expect::Listing,
        (
            "POST",
            "/account/password"
            | "/account/sessions/end"
            | "/account/totp/start"
            | "/account/totp/confirm"
            | "/account/totp/disable",
        )
        | ("PUT", "/api/v1/me/password")
        | ("DELETE", "/api/v1/me/sessions") => Expect::OwnAccount,
        ("POST", "/logout") | ("DELETE", "/api/v1/session") => Expect::EndsSession,
        ("GET", "/orglife/rules" | "/api/v1/orglife/rules") => Expect::Listing,
        ("POST", "/orglife/rules" | "/api/v1/orglife/rules") => Expect::WholeTreeOnly,
        _ => panic!("route {} {} has no scope expectation: add one to this matrix", r.method, r.path),
    }
}

pub(crate) struct Ids {
    pub(crate) own_org: i64,
    pub(crate) own_member: i64,
    pub(crate) own_meeting: (i64, i64),
    pub(crate) foreign_orgs: Vec<(i64, String)>,
    pub(crate) foreign_member: (i64, String),
    pub(crate) foreign_meeting: (i64, i64),
    /// Another user's notification, of a reminder of the sibling branch.
    pub(crate) foreign_notification: i64,
    /// A transfer out of the branch with its letter issued, and one between two other branches.
    pub(crate) own_transfer: i64,
    pub(crate) foreign_transfer: i64,
    /// Applicants for membership (发展党员) of the branch and of the sibling branch.
    pub(crate) own_developee: i64,
    pub(crate) foreign_developee: i64,
    /// Roster import batches of the branch and of the sibling branch.
    pub(crate) own_batch: i64,
    pub(crate) foreign_batch: i64,
    /// Host entities (两新组织) in the registries of the branch and of the sibling branch, and a
    /// reconciliation of each.
    pub(crate) own_entities: (i64, i64),
    pub(crate) foreign_entities: (i64, i64),
}

/// Registers a host entity under `org` and reconciles an extract naming it (as the system);
/// returns (entity, reconciliation).
async fn host_entity(app: &TestApp, org: i64, serial: u32) -> (i64, i64) {
    use qiangji_domain::host_entity::reconcile::ReconcileSource;
    use qiangji_domain::host_entity::{CreditCode, EntityStatus, HostEntityFields, HostEntityKind};
    let code = CreditCode::compose(&format!("91330203MA2{serial:05}0")).unwrap();
    let fields = HostEntityFields {
        credit_code: code.clone(),
        name: "越权测试有限公司".into(),
        kind: HostEntityKind::Enterprise,
        registered_on: None,
        legal_rep: String::new(),
        address: String::new(),
        employees: None,
        status: EntityStatus::Active,
        party_org_id: None,
    };
    let org = qiangji_domain::org::OrgId(org);
    let (s, system) = (&app.store, app.system());
    let id = s.create_host_entities(&system, org, &[fields], "").await.unwrap()[0].0;
    let csv = format!("统一社会信用代码,企业名称\n{code},越权测试有限公司\n");
    let run = s.reconcile_extract(&system, org, ReconcileSource::Market, "越权测试.csv", csv.as_bytes()).await.unwrap();
    (id, run.0)
}

/// Keeps a small roster for import under `org` (as the system) and returns the batch id.
async fn batch(app: &TestApp, org: i64) -> i64 {
    let csv = "姓名,身份证号,入党日期\n越权测试,110101200101010011,2020-07-01\n";
    let mode = qiangji_domain::import::DedupeMode::Skip;
    let org = qiangji_domain::org::OrgId(org);
    app.store
        .create_import_batch(
            &app.system(),
            org,
            qiangji_domain::import::ImportKind::Members,
            "越权测试.csv",
            csv.as_bytes(),
            mode,
        )
        .await
        .unwrap()
        .0
}

/// Starts a transfer of `member` to `to` and issues its letter (as the system); returns its id.
async fn transfer(app: &TestApp, member: i64, to: i64) -> i64 {
    use qiangji_domain::transfer::TransferAction;
    use qiangji_store::transfer::{Destination, LetterInput};
    let (s, system, today) = (&app.store, app.system(), qiangji_domain::date::today());
    let to = Destination::Org(qiangji_domain::org::OrgId(to));
    let id =
        s.request_transfer(&system, qiangji_domain::member::MemberId(member), &to, "越权测试", today).await.unwrap();
    let letter = LetterInput { valid_months: 3, dues_paid_to: today.format("%Y-%m").to_string() };
    for action in [TransferAction::Approve, TransferAction::IssueLetter] {
        s.transfer_step(&system, id, action, today, "", Some(&letter)).await.unwrap();
    }
    id.0
}

/// Registers an application with `org` (as the system) and returns the developee's id.
async fn developee(app: &TestApp, org: i64, seq: u16) -> i64 {
    let born = qiangji_domain::date::parse("2001-01-01").unwrap();
    let input = qiangji_domain::development::ApplicantInput {
        name: "越权测试申请人".into(),
        id_number: qiangji_domain::id_number::IdNumber::compose(110101, born, seq).to_string(),
        ethnicity: "01".into(),
        education: "university".into(),
        occupation: "worker".into(),
        applied_on: "2025-01-02".into(),
        ..Default::default()
    };
    app.store.register_applicant(&app.system(), qiangji_domain::org::OrgId(org), &input, "").await.unwrap().0
}

/// Enqueues a reminder of `org` (as the server does) and notifies `user` of it in the application;
/// returns the notification's id.
async fn notification(app: &TestApp, org: i64, user: i64) -> i64 {
    use qiangji_domain::orglife::{MeetingKind, Period, Requirement, RequirementKind, Stage, Status};
    use qiangji_store::reminder::{Channel, Delivery, NewReminder};
    let on = qiangji_domain::date::parse("2026-03-28").unwrap();
    let requirement = Requirement {
        kind: RequirementKind::Meeting(MeetingKind::GeneralMeeting),
        period: Period::Quarter.containing(on),
        required: 1,
        held: 0,
        days_left: Some(3),
        status: Status::Pending,
    };
    let r = NewReminder {
        org: qiangji_domain::org::OrgId(org),
        requirement,
        stage: Stage::Days3,
        title: "越权测试用提醒".into(),
        body: String::new(),
    };
    let now = chrono::Utc::now();
    app.store.enqueue_reminders(&app.system(), std::slice::from_ref(&r), &[Channel::InApp], now).await.unwrap();
    let reminder =
        app.store.db().one("SELECT id FROM reminder WHERE dedupe_key = ?", vec![r.key().into()]).await.unwrap().int(0);
    let d = Delivery {
        reminder_id: reminder,
        key: r.key(),
        channel: Channel::InApp,
        recipient: user.to_string(),
        attempts: 1,
        title: r.title.clone(),
        body: String::new(),
    };
    app.store.deliver_in_app(&app.system(), &d, now).await.unwrap();
    app.store.db().one("SELECT MAX(id) FROM notification", vec![]).await.unwrap().int(0)
}

/// Records a meeting of `org` with a photo (as the system) and returns the ids of both.
async fn meeting(app: &TestApp, org: i64) -> (i64, i64) {
    let fields = qiangji_domain::orglife::MeetingInput {
        kind: "general_meeting".into(),
        held_on: qiangji_domain::date::today().to_string(),
        place: "会议室".into(),
        host: "书记".into(),
        recorder: "委员".into(),
        topic: "越权测试用会议".into(),
        content: "内容".into(),
        ..Default::default()
    }
    .validate(qiangji_domain::date::today())
    .unwrap();
    let id = app.store.record_meeting(&app.system(), qiangji_domain::org::OrgId(org), &fields, &[]).await.unwrap();
    let photo = app.store.add_attachment(&app.system(), id, "照片.png", &qiangji_demo::orglife::png(1)).await.unwrap();
    (id.0, photo.0)
}

pub(crate) fn ids(app: &TestApp, username: &str) -> Ids {
    let access = app.access_of(username);
    app.rt.block_on(async {
        let db = app.store.db();
        let own = app.store.get_org(&app.system(), qiangji_domain::org::OrgId(access.scope_org_id())).await.unwrap();
        let own_member = db
            .one("SELECT id FROM member WHERE org_id = ? ORDER BY id LIMIT 1", vec![own.id.0.into()])
            .await
            .unwrap()
            .int(0);
        // The root, the branch's own parent, and a sibling branch: everything around the branch.
        let sibling = db
            .one(
                "SELECT id, name FROM org WHERE kind = 'branch' AND id <> ? ORDER BY id LIMIT 1",
                vec![own.id.0.into()],
            )
            .await
            .unwrap();
        let parent = own.parent_id.unwrap();
        let parent_name = app.store.get_org(&app.system(), parent).await.unwrap().fields.name;
        let root_name = app.store.get_org(&app.system(), qiangji_domain::org::OrgId(1)).await.unwrap().fields.name;
        let zuzhibu = db.one("SELECT id FROM app_user WHERE username = 'zuzhibu'", vec![]).await.unwrap().int(0);
        let fm = db
            .one("SELECT id, name FROM member WHERE org_id = ? ORDER BY id LIMIT 1", vec![sibling.int(0).into()])
            .await
            .unwrap();
        let member_after =
            |org: i64| db.one("SELECT id FROM member WHERE org_id = ? ORDER BY id LIMIT 1 OFFSET 1", vec![org.into()]);
        let third = db
            .one(
                "SELECT id FROM org WHERE kind = 'branch' AND id <> ? AND id <> ? ORDER BY id LIMIT 1",
                vec![own.id.0.into(), sibling.int(0).into()],
            )
            .await
            .unwrap()
            .int(0);
        let own_transfer = transfer(app, member_after(own.id.0).await.unwrap().int(0), third).await;
        let foreign_transfer = transfer(app, member_after(sibling.int(0)).await.unwrap().int(0), third).await;
        Ids {
            own_org: own.id.0,
            own_member,
            own_meeting: meeting(app, own.id.0).await,
            foreign_orgs: vec![(1, root_name), (parent.0, parent_name), (sibling.int(0), sibling.text(1))],
            foreign_member: (fm.int(0), fm.text(1)),
            foreign_meeting: meeting(app, sibling.int(0)).await,
            foreign_notification: notification(app, sibling.int(0), zuzhibu).await,
            own_transfer,
            foreign_transfer,
            own_developee: developee(app, own.id.0, 991).await,
            foreign_developee: developee(app, sibling.int(0), 993).await,
            own_batch: batch(app, own.id.0).await,
            foreign_batch: batch(app, sibling.int(0)).await,
            own_entities: host_entity(app, own.id.0, 99_001).await,
            foreign_entities: host_entity(app, sibling.int(0), 99_002).await,
        }
    })
}

/// The path with its ids: an organization, a member, a meeting and one of its attachments, a
/// notification, a transfer, a developee, an import batch, a host entity and a reconciliation.
pub(crate) fn fill(
    path: &str,
    org: i64,
    member: i64,
    (meeting, attachment): (i64, i64),
    (notification, transfer, developee, batch): (i64, i64, i64, i64),
    (entity, reconciliation): (i64, i64),
) -> String {
    path.replace("{org_id}", &org.to_string())
        .replace("{host_entity_id}", &entity.to_string())
        .replace("{reconciliation_id}", &reconciliation.to_string())
        .replace("{developee_id}", &developee.to_string())
        .replace("{member_id}", &member.to_string())
        .replace("{meeting_id}", &meeting.to_string())
        .replace("{attachment_id}", &attachment.to_string())
        .replace("{notification_id}", &notification.to_string())
        .replace("{transfer_id}", &transfer.to_string())
        .replace("{batch_id}", &batch.to_string())
}

/// Sends a request the way the UI or an API client would, with a valid CSRF token.
fn send(c: &Client, csrf: &str, r: &RouteInfo, path: &str, own_org: i64) -> qiangji_testkit::http::Response {
    if r.method == "GET" {
        return c.get(path);
    }
    if r.is_api() {
        let body = json!({
            "name": "越权测试", "kind": "branch", "sector": "community", "parent_id": own_org, "org_id": own_org,
            "receiver_id": own_org, "reason": "越权测试", "items": [],
        });
        return c.request(
            r.method,
            path,
            &[("content-type", "application/json"), ("x-csrf-token", csrf)],
            body.to_string(),
        );
    }
    c.post_form(
        path,
        &[
            ("csrf", csrf),
            ("name", "越权测试"),
            ("kind", "branch"),
            ("sector", "community"),
            ("formation_mode", "single"),
            ("target_id", &own_org.to_string()),
            ("on", "2025-01-01"),
            ("reason", "越权测试"),
        ],
    )
}

#[test]
fn a_branch_secretary_can_reach_nothing_outside_the_branch_through_any_route() {
    let app = TestApp::spawn(Backend::Sqlite);
    let ids = ids(&app, "shuji");
    let (c, csrf) = app.login("shuji");
    let head = app.head();
    let mut checked = 0;
    for r in ROUTES {
        match expectation(r) {
            Expect::Public | Expect::EndsSession => {}
            Expect::ScopedById => {
                // An id outside the branch must answer exactly like an id that does not exist:
                // 404, or 403 where the role may not use the route at all.
                let missing = send(
                    &c,
                    &csrf,
                    r,
                    &fill(
                        r.path,
                        99_999_999,
                        99_999_999,
                        (99_999_999, 99_999_999),
                        (99_999_999, 99_999_999, 99_999_999, 99_999_999),
                        (99_999_999, 99_999_999),
                    ),
                    ids.own_org,
                );
                assert!(
                    missing.status == 404 || missing.status == 403,
                    "{} {}: {} {}",
                    r.method,
                    r.path,
                    missing.status,
                    missing.body
                );
                for (org, _) in &ids.foreign_orgs {
                    let foreign =
                        (ids.foreign_notification, ids.foreign_transfer, ids.foreign_developee, ids.foreign_batch);
                    let path =
                        fill(r.path, *org, ids.foreign_member.0, ids.foreign_meeting, foreign, ids.foreign_entities);
                    let resp = send(&c, &csrf, r, &path, ids.own_org);
                    assert_eq!(
                        resp.status,
                        missing.status,
                        "{} {path} as branch secretary: {}",
                        r.method,
                        &resp.body[..resp.body.len().min(300)]
                    );
                    if r.is_api() {
                        assert_eq!(resp.json()["code"], missing.json()["code"]);
                    }
                }
                if r.method == "GET" {
                    // The same route inside the branch works, so the 404 above is the scope at work.
                    let own = fill(
                        r.path,
                        ids.own_org,
                        ids.own_member,
                        ids.own_meeting,
                        (0, ids.own_transfer, ids.own_developee, ids.own_batch),
                        ids.own_entities,
                    );
                    // 403 where the role may not use the page at all (e.g. creating organizations).
                    let status = c.get(&own).status;
                    assert!(status == 200 || status == 403, "GET {own} inside the branch: {status}");
                }
                checked += 1;
            }
            Expect::Listing => {
                for q in ["", "?q=中共", "?q=党", "?q=宁波"] {
                    let resp = c.get(&format!("{}{q}", r.path));
                    assert_eq!(resp.status, 200, "{} {}", r.method, r.path);
                    for (_, name) in &ids.foreign_orgs {
                        assert!(!resp.body.contains(name.as_str()), "{}{q} mentions {name}", r.path);
                    }
                    assert!(
                        !resp.body.contains(&ids.foreign_member.1),
                        "{}{q} mentions member {}",
                        r.path,
                        ids.foreign_member.1
                    );
                }
                checked += 1;
            }
            Expect::WholeTreeOnly => {
                let resp = send(&c, &csrf, r, r.path, ids.own_org);
                assert_eq!(resp.status, 403, "{} {} as branch secretary: {}", r.method, r.path, resp.body);
                checked += 1;
            }
            Expect::OwnAccount => {
                // Sent without a body: refused as incomplete, or nothing to end; never another's.
                let resp = send(&c, &csrf, r, r.path, ids.own_org);
                assert!([200, 204, 303, 400, 422].contains(&resp.status), "{} {}: {}", r.method, r.path, resp.status);
                checked += 1;
            }
            Expect::Home => {
                let resp = c.get("/");
                assert_eq!(resp.header("location"), Some(format!("/orgs/{}", ids.own_org).as_str()));
                checked += 1;
            }
        }
    }
    assert!(checked > 30, "the matrix covered {checked} routes");
    assert_eq!(app.head(), head, "no request changed anything");
    for r in ROUTES.iter().filter(|r| expectation(r) == Expect::EndsSession) {
        let (c, csrf) = app.login("shuji");
        let resp = send(&c, &csrf, r, r.path, ids.own_org);
        assert!(resp.status == 303 || resp.status == 204, "{} {}", r.method, r.path);
        assert_eq!(c.get("/api/v1/me").status, 401, "{} {} ended the session", r.method, r.path);
    }
}

#[test]
fn a_member_account_reads_only_its_own_record() {
    let app = TestApp::spawn(Backend::Sqlite);
    let me = app.access_of("dangyuan").self_member_id().unwrap();
    let mate: i64 = app
        .rt
        .block_on(app.store.db().one(
            "SELECT id FROM member WHERE org_id = (SELECT org_id FROM member WHERE id = ?) AND id <> ? LIMIT 1",
            vec![me.into(), me.into()],
        ))
        .unwrap()
        .int(0);
    let (c, csrf) = app.login("dangyuan");
    assert_eq!(c.get("/").header("location"), Some(format!("/members/{me}").as_str()));
    assert_eq!(c.get(&format!("/members/{me}")).status, 200);
    assert_eq!(c.get(&format!("/members/{mate}")).status, 404);
    assert_eq!(c.get(&format!("/api/v1/members/{mate}")).status, 404);
    let r = c.post_form(&format!("/members/{me}/edit"), &[("csrf", &csrf), ("name", "改名")]);
    assert_eq!(r.status, 403, "members cannot edit records, not even their own");
}

#[test]
fn a_form_post_without_the_session_csrf_token_is_refused_and_changes_nothing() {
    let app = TestApp::spawn(Backend::Sqlite);
    let (c, csrf) = app.login("zuzhibu");
    let head = app.head();
    let r = c.post_form("/orgs/2/edit", &[("name", "被篡改的名称")]);
    assert_eq!(r.status, 403);
    assert!(r.body.contains("csrf.invalid"));
    let r = c.post_form("/orgs/2/edit", &[("csrf", "0000"), ("name", "被篡改的名称")]);
    assert_eq!(r.status, 403);
    let r =
        c.request("PUT", "/api/v1/orgs/2", &[("content-type", "application/json")], json!({"name": "x"}).to_string());
    assert_eq!((r.status, r.json()["code"].as_str()), (403, Some("csrf.invalid")));
    assert_eq!(app.head(), head);
    assert!(!csrf.is_empty());
}
