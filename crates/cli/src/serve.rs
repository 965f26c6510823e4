//! `qiangji serve`: open (and with `--demo`, fill) the database, build the statistics engine, start
//! the reminder worker and the checkpoint signer, listen.

use std::time::Instant;

/// How `serve` signs checkpoints: with which keys, how often.
pub struct Checkpoints {
    pub keys: crate::checkpoint::Keys,
    pub interval: std::time::Duration,
}

pub async fn run(
    db: &str,
    addr: &str,
    demo_scale: Option<&str>,
    reminders: qiangji_web::reminder::Settings,
    checkpoints: Checkpoints,
    deployment: qiangji_web::security::Deployment,
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
    // A database that cannot be checkpointed still serves: the warning says what is missing.
    let signer = match checkpoints.keys.signing(&store, db).await {
        Ok(Some(key)) => Some(crate::checkpoint::spawn(store.clone(), key, checkpoints.interval)),
        Ok(None) => {
            tracing::warn!("未配置检查点密钥（--checkpoint-key 或 QIANGJI_CHECKPOINT_KEY）：不签署账本检查点");
            None
        }
        Err(e) => {
            tracing::warn!("不签署账本检查点：{e}");
            None
        }
    };
    let t = Instant::now();
    let app = qiangji_web::App::new(store).await.map_err(|e| e.to_string())?;
    app.set_deployment(deployment);
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
    if let Some(signer) = signer {
        signer.abort();
    }
    served.map_err(|e| e.to_string())
}

/// SQLite creates the file but not its folder.
pub fn ensure_data_dir(db: &str) -> Result<(), String> {
    if let Some(path) = sqlite_path(db)
        && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir).map_err(|e| format!("无法创建数据目录 {}：{e}", dir.display()))?;
    }
    Ok(())
}

/// The file of a `sqlite:` URL (percent-escapes decoded, as sqlx does); `None` for PostgreSQL.
pub fn sqlite_path(db: &str) -> Option<std::path::PathBuf> {
    let rest = db.strip_prefix("sqlite://").or_else(|| db.strip_prefix("sqlite:"))?;
    let encoded = rest.split('?').next().unwrap_or(rest).as_bytes();
    let mut bytes = Vec::with_capacity(encoded.len());
    let mut i = 0;
    while i < encoded.len() {
        let hex = encoded.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
        match (encoded[i], hex) {
            (b'%', Some(b)) => {
                bytes.push(b);
                i += 3;
            }
            (b, _) => {
                bytes.push(b);
                i += 1;
            }
        }
    }
    Some(std::path::PathBuf::from(String::from_utf8_lossy(&bytes).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::sqlite_path;
    use std::path::Path;

    #[test]
    fn the_sqlite_file_is_read_from_the_url_with_escapes_decoded() {
        assert_eq!(sqlite_path("sqlite://data/qiangji.db?mode=rwc").as_deref(), Some(Path::new("data/qiangji.db")));
        assert_eq!(sqlite_path("sqlite:///tmp/a%20b/db.sqlite").as_deref(), Some(Path::new("/tmp/a b/db.sqlite")));
        assert_eq!(sqlite_path("sqlite:x.db").as_deref(), Some(Path::new("x.db")));
        assert_eq!(sqlite_path("postgres://u@h/db"), None);
    }
}
