//! `qiangji bench-import`: the demo city's members as one roster workbook, imported into a
//! database holding only its organizations — reading and checking, then the commit, timed.

use qiangji_domain::date::today;
use qiangji_domain::org::OrgId;
use qiangji_store::bulk::{self, BulkData, BulkOrg};
use qiangji_store::{Access, Store};
use rust_xlsxwriter::Workbook;
use std::path::Path;
use std::time::Instant;

/// The roster columns written, in order.
const HEADER: [&str; 13] = [
    "姓名",
    "性别",
    "民族",
    "身份证号",
    "学历",
    "职业",
    "工作单位",
    "联系电话",
    "入党日期",
    "转正日期",
    "党员类别",
    "所在党组织",
    "组织关系转入日期",
];

pub async fn run(scale: &str, work: &Path) -> Result<(), String> {
    let (_, data) = crate::demo::generate(scale, today())?;
    std::fs::create_dir_all(work).map_err(|e| e.to_string())?;
    let db = work.join("import.db");
    let _ = std::fs::remove_file(&db);
    let url = format!("sqlite://{}?mode=rwc", db.display());
    let store = Store::open(&url).await.map_err(|e| e.to_string())?;
    let access = Access::system("导入测速", 1);
    let orgs: Vec<BulkOrg> = data.orgs.iter().map(|o| BulkOrg { parent: o.parent, fields: &o.fields }).collect();
    let empty = BulkData { orgs: &orgs, members: &[], posts: &[], meetings: &[], attachments: &[] };
    bulk::load(&store, &access, &empty, &mut |_, _, _| {}).await.map_err(|e| e.to_string())?;

    // Each member's organization written with its ancestors below the city (区县/镇/村/支部), as
    // rosters spanning a city must: village branch names repeat across towns.
    let t = Instant::now();
    let path_name = |o: usize| {
        let mut chain = vec![data.orgs[o].fields.name.as_str()];
        let mut at = data.orgs[o].parent;
        while let Some(p) = at.filter(|&p| data.orgs[p].parent.is_some()) {
            chain.push(&data.orgs[p].fields.name);
            at = data.orgs[p].parent;
        }
        chain.reverse();
        chain.join("/")
    };
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.write_row(0, 0, HEADER).map_err(|e| e.to_string())?;
    for (i, m) in data.members.iter().enumerate() {
        let f = &m.fields;
        let row = [
            f.name.clone(),
            f.sex.label().to_owned(),
            f.ethnicity.label().to_owned(),
            f.id_number.to_string(),
            f.education.label().to_owned(),
            f.occupation.label().to_owned(),
            f.work_unit.clone(),
            f.phone.clone(),
            f.joined_on.to_string(),
            f.full_on.map(|d| d.to_string()).unwrap_or_default(),
            f.kind.label().to_owned(),
            path_name(m.org),
            m.org_since.to_string(),
        ];
        ws.write_row(i as u32 + 1, 0, row).map_err(|e| e.to_string())?;
    }
    let file = work.join("roster.xlsx");
    book.save(&file).map_err(|e| e.to_string())?;
    let size = std::fs::metadata(&file).map_err(|e| e.to_string())?.len();
    println!(
        "已写出花名册：{}名党员，{:.1}MB，用时{:.1}秒（不计入导入时间）",
        data.members.len(),
        size as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    store.close().await;
    println!("导入到只有组织、没有党员的数据库：{}", db.display());
    crate::import::run(&url, OrgId(1).0, "members", "skip", &file).await
}
