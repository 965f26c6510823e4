//! `qiangji backup` and `qiangji restore`: one file holding a consistent snapshot, taken while the
//! server runs, and restoring it into an empty database followed by `check`.
//!
//! SQLite: `VACUUM INTO` writes a snapshot of one read transaction (writers go on meanwhile in WAL
//! mode); restoring copies it into place. PostgreSQL: `pg_dump --format=custom` (one snapshot) and
//! `pg_restore`, from `PATH`.

use crate::checkpoint::Keys;
use qiangji_store::db::Db;
use qiangji_store::{Backend, params};
use std::path::{Path, PathBuf};
use std::process::Command;

/// `qiangji backup FILE`. Never overwrites a file.
pub async fn backup(db: &str, file: &Path) -> Result<(), String> {
    if file.exists() {
        return Err(format!("备份文件 {} 已存在：不覆盖，请换一个文件名", file.display()));
    }
    match Backend::of_url(db).map_err(|e| e.to_string())? {
        Backend::Sqlite => {
            let store = qiangji_store::Store::open(db).await.map_err(|e| e.to_string())?;
            let path = file.to_str().ok_or_else(|| format!("备份文件名 {} 不是 UTF-8", file.display()))?;
            store.db().exec("VACUUM INTO ?", params![path]).await.map_err(|e| format!("备份失败：{e}"))?;
            store.close().await;
        }
        Backend::Postgres => {
            let mut cmd = Command::new(pg_tool("pg_dump")?);
            cmd.args(["--format=custom", "--no-password", "--file"]).arg(file).arg("--dbname").arg(db);
            run_tool(cmd, "pg_dump")?;
        }
    }
    let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    println!("已备份到 {}（{:.1} MB）", file.display(), size as f64 / 1e6);
    // The key stays out of the backup on purpose: a stolen backup alone does not reveal personal numbers.
    if let Ok(qiangji_store::seal::DataKey::File { path, .. }) = qiangji_store::seal::DataKey::for_url(db) {
        println!("备份中的身份证号、电话已加密；数据密钥 {} 不在备份中，请另行保管，恢复时需要它", path.display());
    }
    Ok(())
}

/// `qiangji restore FILE`: into an empty database (any database with `force`), then `check`.
pub async fn restore(db: &str, file: &Path, force: bool, keys: &Keys) -> Result<(), String> {
    if !file.is_file() {
        return Err(format!("备份文件 {} 不存在", file.display()));
    }
    crate::serve::ensure_data_dir(db)?;
    let target = Db::connect(db).await.map_err(|e| e.to_string())?;
    let tables = match target.backend() {
        Backend::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'",
        Backend::Postgres => "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'",
    };
    let existing = target.one(tables, params![]).await.map_err(|e| e.to_string())?.int(0);
    target.close().await;
    if existing > 0 && !force {
        return Err(format!("目标数据库不是空的（有{existing}个表）：不恢复。确要覆盖时加 --force"));
    }
    match Backend::of_url(db).map_err(|e| e.to_string())? {
        Backend::Sqlite => {
            let path = crate::serve::sqlite_path(db).ok_or("无法从数据库地址得到文件路径")?;
            check_data_key(db, file).await?;
            restore_sqlite(file, &path)?;
        }
        Backend::Postgres => {
            let mut cmd = Command::new(pg_tool("pg_restore")?);
            cmd.args(["--exit-on-error", "--single-transaction", "--no-owner", "--no-password"]);
            if force {
                cmd.args(["--clean", "--if-exists"]);
            }
            cmd.arg("--dbname").arg(db).arg(file);
            run_tool(cmd, "pg_restore")?;
        }
    }
    println!("已从 {} 恢复，开始校验", file.display());
    crate::maintenance::check(db, keys).await
}

/// Refuses a snapshot whose personal numbers the target's data key cannot open, before anything is
/// copied (a PostgreSQL dump cannot be read before it is restored: `check` afterwards says so).
async fn check_data_key(db: &str, file: &Path) -> Result<(), String> {
    use sqlx::{Connection as _, Row as _};
    // Read-only and without the server's settings (WAL would write to the backup file).
    let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(file).read_only(true);
    let mut snapshot = sqlx::SqliteConnection::connect_with(&opts).await.map_err(|e| format!("无法读取备份：{e}"))?;
    let recorded: Option<(String, String)> = sqlx::query("SELECT fingerprint, suite FROM data_key WHERE id = 1")
        .fetch_optional(&mut snapshot)
        .await
        .ok()
        .flatten()
        .and_then(|r| Some((r.try_get(0).ok()?, r.try_get(1).ok()?)));
    let _ = snapshot.close().await;
    let Some((recorded, suite)) = recorded else { return Ok(()) };
    use qiangji_store::seal::{DATA_KEY_ENV, DataKey, KeyFile, Suite};
    let key = DataKey::for_url(db).map_err(|e| e.to_string())?;
    let file = KeyFile::load(&key, false).map_err(|e| format!("备份中的个人信息已加密：{e}"))?;
    // A backup from before a rotation is sealed under a key the file keeps as retired: it opens.
    if file.matching(&recorded, Suite::parse(&suite).map_err(|e| e.to_string())?).is_none() {
        return Err(format!(
            "备份按指纹 {} 的数据密钥加密，给出的密钥文件中没有这把密钥（当前密钥指纹 {}）：请用 {} 指定备份时所用的数据密钥文件",
            recorded,
            file.current().fingerprint(),
            DATA_KEY_ENV
        ));
    }
    Ok(())
}

/// Copies the snapshot beside the target and renames it into place, so a crash leaves either the
/// old file or the whole new one. The old file's WAL must go first: SQLite would replay it onto
/// the new file.
fn restore_sqlite(file: &Path, target: &Path) -> Result<(), String> {
    let mut header = [0u8; 16];
    let read = std::fs::File::open(file).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut header));
    if read.is_err() || &header != b"SQLite format 3\0" {
        return Err(format!("{} 不是 SQLite 数据库备份", file.display()));
    }
    let with = |suffix: &str| {
        let mut name = target.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    let temp = with(".restoring");
    std::fs::copy(file, &temp).map_err(|e| format!("无法复制备份到 {}：{e}", temp.display()))?;
    std::fs::File::open(&temp).and_then(|f| f.sync_all()).map_err(|e| e.to_string())?;
    for stale in [with("-wal"), with("-shm"), with("-journal")] {
        match std::fs::remove_file(&stale) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(format!("无法删除 {}：{e}", stale.display()));
            }
            _ => {}
        }
    }
    std::fs::rename(&temp, target).map_err(|e| format!("无法把备份放到 {}：{e}", target.display()))
}

/// A PostgreSQL client tool from `PATH`, or a message saying how to get it.
fn pg_tool(name: &str) -> Result<PathBuf, String> {
    std::env::var_os("PATH")
        .and_then(|path| std::env::split_paths(&path).map(|d| d.join(name)).find(|p| p.is_file()))
        .ok_or_else(|| {
            format!(
                "PATH 中没有 {name}：PostgreSQL 的备份与恢复需要 PostgreSQL 客户端工具（Debian：apt-get install \
                 postgresql-client，主版本不低于服务器）"
            )
        })
}

fn run_tool(mut cmd: Command, name: &str) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("无法运行 {name}：{e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("{name} 失败（{}）：{}", out.status, String::from_utf8_lossy(&out.stderr).trim()))
    }
}
