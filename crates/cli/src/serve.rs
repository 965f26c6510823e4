//! `qiangji serve`: open (and with `--demo`, fill) the database, build the statistics engine, start
//! the reminder worker, listen.

use std::time::Instant;

pub async fn run(
    db: &str,
    addr: &str,
    demo_scale: Option<&str>,
    reminders: qiangji_web::reminder::Settings,
) -> Result<(), String> {
    ensure_data_dir(db)?;
    let started = Instant::now();
    let store = qiangji_store::Store::open(db).await.map_err(|e| e.to_string())?;
    if let Some(scale) = demo_scale {
        if store.root_org_id().await.map_err(|e| e.to_string())?.is_none() {
            crate::demo::load(&store, scale).await?;
        }
        crate::demo::print_accounts();
    }
    let t = Instant::now();
    let app = qiangji_web::App::new(store).await.map_err(|e| e.to_string())?;
    {
        let engine = app.engine.read().await;
        println!(
            "统计引擎已建立：{}个组织，{}名党员，用时{:.1}秒",
            engine.org_count(),
            engine.member_count(),
            t.elapsed().as_secs_f64()
        );
    }
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| format!("无法监听 {addr}：{e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    println!("启动用时{:.1}秒。请在浏览器打开：http://{local}/", started.elapsed().as_secs_f64());
    let worker = qiangji_web::reminder::spawn(app.clone(), reminders);
    let served = qiangji_web::serve(app, listener, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await;
    worker.stop().await;
    served.map_err(|e| e.to_string())
}

/// SQLite creates the file but not its folder.
pub fn ensure_data_dir(db: &str) -> Result<(), String> {
    if let Some(rest) = db.strip_prefix("sqlite://").or_else(|| db.strip_prefix("sqlite:")) {
        let path = rest.split('?').next().unwrap_or(rest);
        if let Some(dir) = std::path::Path::new(path).parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| format!("无法创建数据目录 {}：{e}", dir.display()))?;
        }
    }
    Ok(())
}
