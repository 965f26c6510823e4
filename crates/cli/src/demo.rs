//! `qiangji demo`: the deterministic demo dataset and one account for every role.

use qiangji_demo::{Dataset, Scale};
use qiangji_domain::org::OrgKind;
use qiangji_domain::org::Post;
use qiangji_store::bulk::{self, BulkMeeting, BulkMember, BulkOrg, BulkPost};
use qiangji_store::user::NewUser;
use qiangji_store::{Access, Role, Store};
use std::time::Instant;

/// The password of every demo account. Demo data only: a real deployment creates its own accounts.
pub const DEMO_PASSWORD: &str = "qiangji2026";

/// The demo accounts: username, display name, role.
pub const ACCOUNTS: [(&str, &str, Role); 5] = [
    ("admin", "系统管理员", Role::SystemAdmin),
    ("zuzhibu", "市委组织部管理员", Role::DepartmentAdmin),
    ("dangwei", "街道党工委管理员", Role::CommitteeAdmin),
    ("shuji", "支部书记", Role::BranchSecretary),
    ("dangyuan", "党员", Role::Member),
];

pub async fn run(db: &str, scale: &str) -> Result<(), String> {
    crate::serve::ensure_data_dir(db)?;
    let store = Store::open(db).await.map_err(|e| e.to_string())?;
    load(&store, scale).await?;
    print_accounts();
    Ok(())
}

/// Generates the dataset, loads it and creates the accounts.
pub async fn load(store: &Store, scale: &str) -> Result<(), String> {
    let scale: Scale = scale.parse().map_err(|_| format!("未知的规模 `{scale}`，可选 small、city、province"))?;
    let today = qiangji_domain::date::today();
    let t = Instant::now();
    let data = qiangji_demo::generate(scale, 2026, today);
    println!(
        "已生成演示数据：{}个组织，{}名党员，用时{:.1}秒",
        data.orgs.len(),
        data.members.len(),
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let access = Access::system("载入演示数据", 1);
    let orgs: Vec<BulkOrg> = data.orgs.iter().map(|o| BulkOrg { parent: o.parent, fields: &o.fields }).collect();
    let members: Vec<BulkMember> = data
        .members
        .iter()
        .map(|m| BulkMember { org: m.org, fields: &m.fields, since: m.org_since, previous: m.previous_org })
        .collect();
    let posts = leadership(&data);
    let mut secretary = vec![None; data.orgs.len()];
    for p in posts.iter().filter(|p| p.post == Post::Secretary) {
        secretary[p.org] = Some(p.member);
    }
    // The demo secretary's branch owes its last quarter's 党员大会, so that their board shows something to do.
    let behind = [placements(&data)?[3].0 as usize - 1];
    // A province's year would be about 7 million records: its demo (a load-time measurement) has none.
    let records = match scale {
        Scale::Province => Vec::new(),
        _ => qiangji_demo::orglife::meetings(&data, &secretary, &behind, 2026, today),
    };
    println!("已生成组织生活记录：{}条（近12个月）", records.len());
    let meetings: Vec<BulkMeeting> = records
        .iter()
        .map(|m| BulkMeeting {
            org: m.org,
            fields: &m.fields,
            lecturer_is_secretary: m.lecturer_is_secretary,
            recorded_on: m.recorded_on,
            attendance: &m.attendance,
        })
        .collect();
    bulk::load(store, &access, &orgs, &members, &posts, &meetings, &mut |stage, done, total| {
        println!("  载入{stage}：{done}/{total}");
    })
    .await
    .map_err(|e| e.to_string())?;
    println!("已写入数据库，用时{:.1}秒", t.elapsed().as_secs_f64());
    create_accounts(store, &access, &data).await
}

/// Each branch's leadership from its own members: a secretary; with 7 or more members a committee
/// of secretary, organization member and propaganda member (支部工作条例). Sorted by organization.
fn leadership(data: &Dataset) -> Vec<BulkPost> {
    let mut by_org: Vec<Vec<usize>> = vec![Vec::new(); data.orgs.len()];
    for (i, m) in data.members.iter().enumerate() {
        if m.fields.kind == qiangji_domain::member::MemberKind::Full {
            by_org[m.org].push(i);
        }
    }
    let mut out = Vec::new();
    for (org, members) in by_org.iter().enumerate() {
        let posts: &[Post] = match members.len() {
            0 => &[],
            1..=6 => &[Post::Secretary],
            _ => &[Post::Secretary, Post::OrganizationMember, Post::PropagandaMember],
        };
        for (post, &member) in posts.iter().zip(members) {
            let since = data.orgs[org]
                .fields
                .term_start
                .unwrap_or(data.members[member].org_since)
                .max(data.members[member].org_since);
            out.push(BulkPost { org, post: *post, member, since });
        }
    }
    out
}

/// Where each demo account sits: the city, a street working committee, one of its branches and a member there.
fn placements(data: &Dataset) -> Result<[(i64, Option<i64>); 5], String> {
    let id = |i: usize| i as i64 + 1;
    let committee = data
        .orgs
        .iter()
        .position(|o| o.fields.kind == OrgKind::WorkingCommittee && o.fields.name.contains("街道"))
        .ok_or("演示数据中没有街道党工委")?;
    let count = |b: usize| data.members.iter().filter(|m| m.org == b).count();
    let under = |b: usize| {
        let mut p = data.orgs[b].parent;
        while let Some(x) = p {
            if x == committee {
                return true;
            }
            p = data.orgs[x].parent;
        }
        false
    };
    let branch = (committee..data.orgs.len())
        .find(|&b| data.orgs[b].fields.kind == OrgKind::Branch && under(b) && (12..=40).contains(&count(b)))
        .ok_or("演示数据中没有合适的支部")?;
    let member = data.members.iter().position(|m| m.org == branch).ok_or("支部没有党员")?;
    Ok([(1, None), (1, None), (id(committee), None), (id(branch), None), (id(branch), Some(id(member)))])
}

async fn create_accounts(store: &Store, access: &Access, data: &Dataset) -> Result<(), String> {
    for ((username, name, role), (org, member)) in ACCOUNTS.into_iter().zip(placements(data)?) {
        store
            .create_user(
                access,
                &NewUser {
                    username,
                    display_name: name,
                    password: DEMO_PASSWORD,
                    role,
                    scope_org_id: org,
                    member_id: member,
                    email: "",
                },
            )
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

pub fn print_accounts() {
    println!("演示账户（密码均为 {DEMO_PASSWORD}）：");
    for (username, name, role) in ACCOUNTS {
        println!("  {username:<10} {}（{name}）", role.label());
    }
}
