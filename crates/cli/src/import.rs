//! `qiangji import`: a roster, organizations or meeting records from the command line — the same
//! planning and all-or-nothing commit as the web preview, with the time each part takes (for
//! rosters too big for a browser).

use qiangji_store::import::BatchId;
use qiangji_store::{Access, Store};
use std::path::Path;
use std::time::Instant;

pub async fn run(db: &str, org: i64, kind: &str, mode: &str, file: &Path) -> Result<(), String> {
    let store = Store::open(db).await.map_err(|e| e.to_string())?;
    let root = store.root_org_id().await.map_err(|e| e.to_string())?.ok_or("数据库中还没有组织")?;
    let access = Access::system("命令行导入", root);
    let mode = qiangji_domain::import::DedupeMode::parse(mode).ok_or(format!("未知的重复处理方式 `{mode}`"))?;
    let kind = qiangji_domain::import::ImportKind::parse(kind).map_err(|_| format!("未知的导入内容 `{kind}`"))?;
    let t = Instant::now();
    let bytes = std::fs::read(file).map_err(|e| format!("无法读取 {}：{e}", file.display()))?;
    let name = file.file_name().map_or(kind.label().into(), |n| n.to_string_lossy().into_owned());
    let id = store
        .create_import_batch(&access, qiangji_domain::org::OrgId(org), kind, &name, &bytes, mode)
        .await
        .map_err(|e| e.to_string())?;
    let batch = store.get_import_batch(&access, id).await.map_err(|e| e.to_string())?;
    let plan = qiangji_web::import::plan_batch(&store, &access, &batch).await.map_err(|e| e.to_string())?;
    let rows = plan.rows();
    let s = qiangji_web::import::Summary::of(&rows);
    println!(
        "第{}批（{}）：{}行，将新登记{}{}，已登记{}，有错误{}行，有提示{}行（读取与检查用时{:.1}秒）",
        id.0,
        kind.label(),
        s.rows,
        s.create,
        kind.unit(),
        s.existing,
        s.errors,
        s.warnings,
        t.elapsed().as_secs_f64()
    );
    for r in rows.iter().filter(|r| r.has_errors()).take(20) {
        for i in r.issues().iter().filter(|i| i.error) {
            println!("  第{}行 {}：{}（{}）", r.line(), i.column, i.message, i.code);
        }
    }
    if s.errors > 0 {
        return Err(format!("有{}行错误，整批未导入", s.errors));
    }
    commit(&store, &access, id, &plan, kind.unit()).await?;
    println!("合计用时{:.1}秒", t.elapsed().as_secs_f64());
    Ok(())
}

async fn commit(
    store: &Store,
    access: &Access,
    id: BatchId,
    plan: &qiangji_web::import::Plan,
    unit: &str,
) -> Result<(), String> {
    let t = Instant::now();
    println!("开始写入数据库");
    let mut progress = |done: usize, total: usize| println!("  写入：{done}/{total}");
    let done =
        qiangji_web::import::commit_plan(store, access, id, plan, &mut progress).await.map_err(|e| e.to_string())?;
    println!(
        "已导入：新登记{}{unit}，更新{}{unit}，跳过{}行（写入用时{:.1}秒）",
        done.created,
        done.updated,
        done.skipped,
        t.elapsed().as_secs_f64()
    );
    Ok(())
}
