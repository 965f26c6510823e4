//! A small tree on a fresh database of either kind.

use qiangji_domain::Date;
use qiangji_domain::date::parse;
use qiangji_domain::id_number::IdNumber;
use qiangji_domain::member::{MemberFields, MemberId, MemberInput};
use qiangji_domain::org::{OrgFields, OrgId, OrgInput};
use qiangji_store::user::NewUser;
use qiangji_store::{Access, Role, Store};
use qiangji_testkit::{pg, sqlite};

#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// An open store and the temporary database behind it (removed on drop).
pub struct TestStore {
    pub store: Store,
    pub url: String,
    /// The data key the store was opened with (to open it again).
    pub key: qiangji_store::seal::DataKey,
    _sqlite: Option<sqlite::TempFile>,
    _pg: Option<pg::TestDatabase>,
}

pub async fn open(backend: Backend) -> TestStore {
    match backend {
        Backend::Sqlite => {
            let f = sqlite::fresh_file("store");
            let key = qiangji_store::seal::DataKey::for_url(&f.url()).unwrap();
            let store = Store::open_with_key(&f.url(), &key).await.expect("open sqlite");
            TestStore { store, url: f.url(), key, _sqlite: Some(f), _pg: None }
        }
        Backend::Postgres => {
            let d = pg::fresh_database("store");
            let key = qiangji_store::seal::DataKey::file(d.key_file());
            let store = Store::open_with_key(&d.url, &key).await.expect("open postgres");
            TestStore { store, url: d.url.clone(), key, _sqlite: None, _pg: Some(d) }
        }
    }
}

pub fn d(s: &str) -> Date {
    parse(s).expect("test date")
}

pub fn org(name: &str, kind: &str, sector: &str, regional: bool) -> OrgFields {
    OrgInput {
        name: name.into(),
        kind: kind.into(),
        sector: sector.into(),
        formation_mode: "single".into(),
        regional,
        ..Default::default()
    }
    .validate(d("2026-11-23"))
    .expect("valid org")
}

/// A valid member born on `born`; `seq` makes the identity number unique (odd = male).
pub fn member(name: &str, born: &str, seq: u16) -> MemberFields {
    let id = IdNumber::compose(330203, d(born), seq);
    MemberInput {
        name: name.into(),
        sex: id.sex().code().into(),
        ethnicity: "01".into(),
        id_number: id.to_string(),
        education: "university".into(),
        occupation: "professional".into(),
        joined_on: "2010-07-01".into(),
        full_on: "2011-07-01".into(),
        kind: "full".into(),
        phone: "13800000000".into(),
        ..Default::default()
    }
    .validate(d("2026-11-23"))
    .expect("valid member")
}

/// The tree: city → district → street (regional) → branches A (with group A1) and B;
/// district → company committee C → branch C1. Members: 张三, 李四 in A; 王五 in B; 赵六 in C1.
pub struct Tree {
    pub t: TestStore,
    pub system: Access,
    pub city: OrgId,
    pub district: OrgId,
    pub street: OrgId,
    pub a: OrgId,
    pub a1: OrgId,
    pub b: OrgId,
    pub c: OrgId,
    pub c1: OrgId,
    pub zhang: MemberId,
    pub li: MemberId,
    pub wang: MemberId,
    pub zhao: MemberId,
}

pub async fn tree(backend: Backend) -> Tree {
    let t = open(backend).await;
    let s = &t.store;
    let system = Access::system("测试", 1);
    let city =
        s.create_root_org(&system, &org("中共测试市委组织部", "department", "mixed", false), "建库").await.unwrap();
    let district =
        s.create_org(&system, city, &org("中共某区委组织部", "department", "mixed", false), "").await.unwrap();
    let street = s
        .create_org(&system, district, &org("中共鼓楼街道工作委员会", "working_committee", "community", true), "")
        .await
        .unwrap();
    let a =
        s.create_org(&system, street, &org("中共甲社区支部委员会", "branch", "community", false), "").await.unwrap();
    let a1 = s.create_org(&system, a, &org("第一党小组", "group", "community", false), "").await.unwrap();
    let b =
        s.create_org(&system, street, &org("中共乙社区支部委员会", "branch", "community", false), "").await.unwrap();
    let c = s
        .create_org(&system, district, &org("中共某公司委员会", "committee", "private_enterprise", false), "")
        .await
        .unwrap();
    let c1 = s
        .create_org(&system, c, &org("中共某公司第一支部委员会", "branch", "private_enterprise", false), "")
        .await
        .unwrap();
    let since = d("2020-01-01");
    let zhang = s.create_member(&system, a, &member("张三", "1980-05-01", 11), since, "").await.unwrap();
    let li = s.create_member(&system, a, &member("李四", "1985-06-02", 22), since, "").await.unwrap();
    let wang = s.create_member(&system, b, &member("王五", "1990-07-03", 33), since, "").await.unwrap();
    let zhao = s.create_member(&system, c1, &member("赵六", "1975-08-04", 44), since, "").await.unwrap();
    Tree { t, system, city, district, street, a, a1, b, c, c1, zhang, li, wang, zhao }
}

impl Tree {
    pub fn store(&self) -> &Store {
        &self.t.store
    }

    /// Logs in a new user with `role` over `org` and returns their access.
    pub async fn login_as(&self, role: Role, org: OrgId, member: Option<MemberId>) -> Access {
        let username = format!("{}-{}", role.code(), org.0);
        self.store()
            .create_user(
                &self.system,
                &NewUser {
                    username: &username,
                    display_name: "测试用户",
                    password: "password-123",
                    role,
                    scope_org_id: org.0,
                    member_id: member.map(|m| m.0),
                    email: "",
                },
            )
            .await
            .unwrap();
        let token = self.store().login(&username, "password-123").await.unwrap();
        self.store().session(&token).await.unwrap().unwrap().access
    }

    pub async fn head(&self) -> i64 {
        qiangji_store::ledger::head_seq(self.store().db()).await.unwrap()
    }
}
