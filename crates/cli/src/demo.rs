//! `qiangji demo`: the deterministic demo dataset and one account for every role.

use qiangji_demo::orglife::OrgLifeYear;
use qiangji_demo::{Dataset, Scale};
use qiangji_domain::Date;
use qiangji_domain::org::OrgKind;
use qiangji_domain::org::Post;
use qiangji_store::bulk::{self, BulkAttachment, BulkData, BulkMeeting, BulkMember, BulkOrg, BulkPost};
use qiangji_store::user::NewUser;
use qiangji_store::{Access, Role, Store};
use std::path::Path;
use std::time::Instant;

/// The password of every demo account. Demo data only: a real deployment creates its own accounts.
pub const DEMO_PASSWORD: &str = "Qiangji@2026";

/// The demo accounts: username, display name, role.
pub const ACCOUNTS: [(&str, &str, Role); 6] = [
    ("admin", "系统管理员", Role::SystemAdmin),
    ("zuzhibu", "市委组织部管理员", Role::DepartmentAdmin),
    ("dangwei", "街道党工委管理员", Role::CommitteeAdmin),
    ("shuji", "支部书记", Role::BranchSecretary),
    ("dangyuan", "党员", Role::Member),
    ("shuji2", "另一区县的支部书记", Role::BranchSecretary),
];

pub async fn run(db: &str, scale: &str, truth: Option<&Path>) -> Result<(), String> {
    crate::serve::ensure_data_dir(db)?;
    let store = Store::open(db).await.map_err(|e| e.to_string())?;
    let year = load(&store, scale).await?;
    if let Some(path) = truth {
        std::fs::write(path, truth_json(&year)).map_err(|e| format!("无法写入 {}：{e}", path.display()))?;
        println!("已写入植入的形式主义案例（{}例）：{}", year.planted.len(), path.display());
    }
    print_accounts();
    Ok(())
}

/// The demo dataset of `scale` as of `today`, timed.
pub fn generate(scale: &str, today: Date) -> Result<(Scale, Dataset), String> {
    let scale: Scale = scale.parse().map_err(|_| format!("未知的规模 `{scale}`，可选 small、city、province"))?;
    let t = Instant::now();
    let data = qiangji_demo::generate(scale, 2026, today);
    println!(
        "已生成演示数据：{}个组织，{}名党员，用时{:.1}秒",
        data.orgs.len(),
        data.members.len(),
        t.elapsed().as_secs_f64()
    );
    Ok((scale, data))
}

/// The leadership of every organization and the year of organizational life with its planted cases.
pub fn org_life(scale: Scale, data: &Dataset, today: Date) -> Result<(Vec<BulkPost>, OrgLifeYear), String> {
    let posts = leadership(data);
    let mut secretary = vec![None; data.orgs.len()];
    for p in posts.iter().filter(|p| p.post == Post::Secretary) {
        secretary[p.org] = Some(p.member);
    }
    // The demo secretary's branch owes its last quarter's 党员大会, so that their board shows something to do.
    let behind = [placements(data)?[3].0 as usize - 1];
    // A province's year would be about 7 million records: its demo (a load-time measurement) has none.
    let year = match scale {
        Scale::Province => OrgLifeYear { records: Vec::new(), planted: Vec::new() },
        _ => qiangji_demo::orglife::meetings(data, &secretary, &behind, 2026, today),
    };
    let since = year.records.iter().map(|r| r.fields.held_on.to_string()).min().unwrap_or_default();
    println!(
        "已生成组织生活记录：{}条（{since}以来），其中植入形式主义案例{}例",
        year.records.len(),
        year.planted.len()
    );
    Ok((posts, year))
}

/// The planted cases as JSON, each record named as stored by the demo load: meeting and organization
/// ids (the load numbers them in order from 1), kind, day and times.
pub fn truth_json(year: &OrgLifeYear) -> String {
    let key = |i: usize| {
        let r = &year.records[i];
        let (starts_at, ends_at) =
            r.fields.times.map_or_else(Default::default, |t| (t.starts_at().to_string(), t.ends_at().to_string()));
        serde_json::json!({
            "meeting_id": i + 1, "org_id": r.org + 1, "kind": r.fields.kind.code(),
            "held_on": r.fields.held_on.to_string(), "starts_at": starts_at, "ends_at": ends_at,
        })
    };
    let cases: Vec<_> = year
        .planted
        .iter()
        .map(|p| serde_json::json!({ "signal": p.signal.code(), "records": p.records.iter().map(|&i| key(i)).collect::<Vec<_>>() }))
        .collect();
    serde_json::to_string_pretty(&cases).expect("JSON of plain values")
}

/// Generates the dataset, loads it and creates the accounts; returns the year of records.
pub async fn load(store: &Store, scale: &str) -> Result<OrgLifeYear, String> {
    let today = qiangji_domain::date::today();
    let (scale, data) = generate(scale, today)?;
    let (posts, year) = org_life(scale, &data, today)?;
    let t = Instant::now();
    let access = Access::system("载入演示数据", 1);
    let orgs: Vec<BulkOrg> = data.orgs.iter().map(|o| BulkOrg { parent: o.parent, fields: &o.fields }).collect();
    let members: Vec<BulkMember> = data
        .members
        .iter()
        .map(|m| BulkMember { org: m.org, fields: &m.fields, since: m.org_since, previous: m.previous_org })
        .collect();
    let records = &year.records;
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
    let attachments: Vec<BulkAttachment> = records
        .iter()
        .enumerate()
        .flat_map(|(i, m)| {
            m.photos.iter().enumerate().map(move |(k, bytes)| BulkAttachment {
                meeting: i,
                file_name: PHOTO_NAMES[k % PHOTO_NAMES.len()],
                bytes,
            })
        })
        .collect();
    let all =
        BulkData { orgs: &orgs, members: &members, posts: &posts, meetings: &meetings, attachments: &attachments };
    bulk::load(store, &access, &all, &mut |stage, done, total| {
        println!("  载入{stage}：{done}/{total}");
    })
    .await
    .map_err(|e| e.to_string())?;
    println!("已写入数据库，用时{:.1}秒", t.elapsed().as_secs_f64());
    create_accounts(store, &access, &data).await?;
    load_development(store, &access, &data, today).await?;
    load_transfers(store, &access, &data, today).await?;
    load_host_entities(store, &access, &data, today).await?;
    Ok(year)
}

/// 两新组织 in every township's and street's registry, one transaction per township through the
/// store like any entry (each with its ledger entry).
async fn load_host_entities(store: &Store, access: &Access, data: &Dataset, today: Date) -> Result<(), String> {
    let t = Instant::now();
    let entities = qiangji_demo::host_entities::host_entities(data, 1, today);
    for group in entities.chunk_by(|a, b| a.org == b.org) {
        let org = qiangji_domain::org::OrgId(group[0].org as i64 + 1);
        let fields: Vec<_> = group.iter().map(|e| e.fields.clone()).collect();
        store.create_host_entities(access, org, &fields, "演示数据").await.map_err(|e| format!("演示两新组织：{e}"))?;
    }
    println!("已登记两新组织演示数据：{}个，用时{:.1}秒", entities.len(), t.elapsed().as_secs_f64());
    Ok(())
}

/// 发展党员 in the demo secretary's branch and two others, through the store like any entry
/// (each step checked by the 细则's rules; admissions create their member records).
async fn load_development(store: &Store, access: &Access, data: &Dataset, today: Date) -> Result<(), String> {
    use qiangji_domain::development::{DevFacts, DevelopeeId};
    let own = placements(data)?[3].0 as usize - 1;
    let size = |b: usize| data.members.iter().filter(|m| m.org == b).count();
    let others =
        (0..data.orgs.len()).filter(|&b| b != own && data.orgs[b].fields.kind == OrgKind::Branch && size(b) >= 8);
    let branches: Vec<usize> = std::iter::once(own).chain(others.take(2)).collect();
    let people = qiangji_demo::development::developees(data, &branches, today);
    for p in &people {
        let org = qiangji_domain::org::OrgId(p.org as i64 + 1);
        let id: DevelopeeId =
            store.register_applicant(access, org, &p.input, "演示数据").await.map_err(|e| e.to_string())?;
        for (action, on) in &p.steps {
            store
                .record_dev_step(access, id, action, *on, DevFacts::DEFAULT_PUBLICITY_DAYS, "演示数据")
                .await
                .map_err(|e| format!("演示发展党员“{}”：{e}", p.input.name))?;
        }
    }
    println!("已登记发展党员演示数据：{}个支部，{}人", branches.len(), people.len());
    Ok(())
}

/// 组织关系转接 at every stage, through the store like any entry: finished ones months ago, letters
/// in transit (one about to expire, one expired), one taken in but not reported, requests waiting,
/// letters to outside, and one on its way into the demo secretary's branch. Members of the branches
/// the demo accounts and the tests work in are left alone, apart from that one coming in and one
/// request going out of the secretary's branch (its last member).
async fn load_transfers(store: &Store, access: &Access, data: &Dataset, today: Date) -> Result<(), String> {
    use qiangji_domain::transfer::TransferAction as A;
    use qiangji_store::transfer::{Destination, LetterInput};
    let places = placements(data)?;
    let (own, other) = (places[3].0 as usize - 1, places[5].0 as usize - 1);
    let branches: Vec<usize> = (0..data.orgs.len()).filter(|&b| data.orgs[b].fields.kind == OrgKind::Branch).collect();
    let spared: Vec<usize> = branches.iter().copied().take(3).chain([own, other]).collect();
    let ago = |days: u64| today - chrono::Days::new(days);
    let settled = |i: &usize| !spared.contains(&data.members[*i].org) && data.members[*i].org_since < ago(400);
    let mut movers = (0..data.members.len()).filter(settled).step_by(37);
    /// How many, days since the request, the steps as (action, days after the request), to outside.
    type Scenario = (usize, u64, &'static [(A, u64)], bool);
    let to_outside = ["中共杭州市西湖区委组织部", "中共上海市浦东新区委员会组织部", "中共江苏省苏州市委组织部"];
    let scenarios: [Scenario; 8] = [
        (
            12,
            150,
            &[(A::Approve, 1), (A::IssueLetter, 2), (A::Receive, 9), (A::Report, 11), (A::ReturnReceipt, 12)],
            false,
        ),
        (6, 20, &[(A::Approve, 1), (A::IssueLetter, 2)], false),
        (1, 88, &[(A::Approve, 0), (A::IssueLetter, 1)], false),
        (1, 130, &[(A::Approve, 0), (A::IssueLetter, 1)], false),
        (2, 60, &[(A::Approve, 1), (A::IssueLetter, 2), (A::Receive, 15)], false),
        (4, 3, &[], false),
        (3, 50, &[(A::Approve, 1), (A::IssueLetter, 2)], true),
        (2, 160, &[(A::Approve, 1), (A::IssueLetter, 2), (A::ReturnReceipt, 40)], true),
    ];
    let mut made = 0;
    let mut k = 0usize;
    let run = |member: usize, to: Destination, requested: u64, steps: &[(A, u64)]| {
        let (store, access) = (store, access);
        let steps = steps.to_vec();
        async move {
            let m = qiangji_domain::member::MemberId(member as i64 + 1);
            let on = ago(requested);
            let t = store.request_transfer(access, m, &to, "工作调动", on).await.map_err(|e| e.to_string())?;
            for (action, after) in steps {
                let day = on + chrono::Days::new(after);
                let letter = LetterInput { valid_months: 3, dues_paid_to: day.format("%Y-%m").to_string() };
                store.transfer_step(access, t, action, day, "", Some(&letter)).await.map_err(|e| e.to_string())?;
            }
            Ok::<(), String>(())
        }
    };
    for (count, requested, steps, outside) in scenarios {
        for _ in 0..count {
            let Some(member) = movers.next() else { break };
            k += 1;
            let to = if outside {
                Destination::Outside(to_outside[k % to_outside.len()].into())
            } else {
                let pick = branches.iter().copied().filter(|b| !spared.contains(b) && *b != data.members[member].org);
                let choices: Vec<usize> = pick.collect();
                Destination::Org(qiangji_domain::org::OrgId(choices[(k * 7919) % choices.len()] as i64 + 1))
            };
            run(member, to, requested, steps).await.map_err(|e| format!("演示转接：{e}"))?;
            made += 1;
        }
    }
    // The secretary's branch: a member on the way in, and its last member asking to leave.
    if let Some(member) = movers.next() {
        let to = Destination::Org(qiangji_domain::org::OrgId(own as i64 + 1));
        run(member, to, 5, &[(A::Approve, 0), (A::IssueLetter, 1)]).await.map_err(|e| format!("演示转接：{e}"))?;
        made += 1;
    }
    if let Some(last) = (0..data.members.len()).rev().find(|&i| data.members[i].org == own) {
        let to = Destination::Org(qiangji_domain::org::OrgId(other as i64 + 1));
        run(last, to, 2, &[]).await.map_err(|e| format!("演示转接：{e}"))?;
        made += 1;
    }
    println!("已登记组织关系转接演示数据：{made}项");
    Ok(())
}

/// File names of a record's photos, in order.
const PHOTO_NAMES: [&str; 2] = ["活动现场.png", "签到表.png"];

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

/// Where each demo account sits: the city, a street working committee, one of its branches and a
/// member there, and a branch of another county (the other side of a transfer between counties).
fn placements(data: &Dataset) -> Result<[(i64, Option<i64>); 6], String> {
    let id = |i: usize| i as i64 + 1;
    let committee = data
        .orgs
        .iter()
        .position(|o| o.fields.kind == OrgKind::WorkingCommittee && o.fields.name.contains("街道"))
        .ok_or("演示数据中没有街道党工委")?;
    let count = |b: usize| data.members.iter().filter(|m| m.org == b).count();
    let under = |b: usize, above: usize| {
        let mut p = data.orgs[b].parent;
        while let Some(x) = p {
            if x == above {
                return true;
            }
            p = data.orgs[x].parent;
        }
        false
    };
    // The county (district) of an organization: its ancestor just below the city.
    let county = |b: usize| {
        let mut x = b;
        while let Some(p) = data.orgs[x].parent.filter(|&p| data.orgs[p].parent.is_some()) {
            x = p;
        }
        x
    };
    let branch = (committee..data.orgs.len())
        .find(|&b| data.orgs[b].fields.kind == OrgKind::Branch && under(b, committee) && (12..=40).contains(&count(b)))
        .ok_or("演示数据中没有合适的支部")?;
    let member = data.members.iter().position(|m| m.org == branch).ok_or("支部没有党员")?;
    let elsewhere = (0..data.orgs.len())
        .find(|&b| {
            data.orgs[b].fields.kind == OrgKind::Branch && county(b) != county(branch) && (12..=40).contains(&count(b))
        })
        .ok_or("演示数据中没有另一区县的支部")?;
    Ok([
        (1, None),
        (1, None),
        (id(committee), None),
        (id(branch), None),
        (id(branch), Some(id(member))),
        (id(elsewhere), None),
    ])
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
