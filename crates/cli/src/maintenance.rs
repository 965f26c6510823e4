//! `check`, `migrate`, `rotate-data-key` and `user`: maintenance commands with a system access.

use qiangji_store::user::NewUser;
use qiangji_store::{Access, Store};

pub async fn check(db: &str, keys: &crate::checkpoint::Keys) -> Result<(), String> {
    let pinned = keys.pinned(db)?;
    let store = Store::open(db).await.map_err(|e| e.to_string())?;
    let report = qiangji_store::check::run_pinned(store.db(), pinned.as_ref()).await.map_err(|e| e.to_string())?;
    println!("已检查：账本{}条，组织{}个，党员{}名", report.ledger_entries, report.orgs, report.members);
    match pinned {
        Some(key) => {
            println!("签名检查点：{}个有效（公钥 {key}），锚定至账本第{}条", report.checkpoints, report.anchored_seq)
        }
        None => println!("签名检查点：{}个（未配置公钥，未固定密钥）", report.checkpoints),
    }
    for n in &report.notes {
        println!("提示：{n}");
    }
    if report.is_ok() {
        println!("检查通过：账本哈希链完整，组织树与组织关系一致");
        Ok(())
    } else {
        for p in &report.problems {
            println!("问题：{p}");
        }
        Err(format!("发现{}个问题", report.problems.len()))
    }
}

pub async fn migrate(db: &str) -> Result<(), String> {
    crate::serve::ensure_data_dir(db)?;
    Store::open(db).await.map_err(|e| e.to_string())?;
    println!("数据库结构已是最新");
    Ok(())
}

pub async fn rotate_data_key(db: &str, suite: Option<&str>) -> Result<(), String> {
    use qiangji_store::seal::{DataKey, Suite};
    let suite = suite.map(Suite::parse).transpose().map_err(|e| e.to_string())?;
    let key = DataKey::for_url(db).map_err(|e| e.to_string())?;
    let store = Store::open_with_key(db, &key).await.map_err(|e| e.to_string())?;
    let root = store.root_org_id().await.map_err(|e| e.to_string())?.unwrap_or(0);
    let access = Access::system("轮换数据密钥", root);
    let done = store.rotate_data_key(&access, &key, suite).await.map_err(|e| e.to_string())?;
    if done.resumed {
        println!("完成了上次中断的轮换");
    }
    println!("数据密钥已轮换：指纹 {} → {}（{}），重新加密{}项", done.from, done.to, done.suite.code(), done.values);
    println!("旧密钥仍留在密钥文件中（retired），用于打开台账中的历史记录；请重新备份密钥文件，并重启服务");
    Ok(())
}

pub async fn add_user(db: &str, u: &NewUser<'_>) -> Result<(), String> {
    let store = Store::open(db).await.map_err(|e| e.to_string())?;
    let root = store.root_org_id().await.map_err(|e| e.to_string())?.ok_or("数据库中还没有组织")?;
    let access = Access::system("命令行创建用户", root);
    let id = store.create_user(&access, u).await.map_err(|e| e.to_string())?;
    println!("已创建用户 {}（编号{id}，{}）", u.username, u.role.label());
    Ok(())
}
