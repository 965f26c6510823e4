//! Where the checkpoint key comes from, `qiangji checkpoint`, and the server's periodic
//! checkpoints. Signing and verifying themselves are `qiangji_store::ledger::checkpoint`.

use qiangji_store::Store;
use qiangji_store::ledger::checkpoint::{self, CheckpointKey, PublicKey};
use std::path::PathBuf;
use std::time::Duration;

/// The checkpoint key options, as given (`--checkpoint-key`, `--checkpoint-pubkey`).
#[derive(Debug, Clone, Default)]
pub struct Keys {
    /// The private key file; for SQLite it defaults to the database file's path plus
    /// `.checkpoint-key`, for PostgreSQL there is no default.
    pub key_file: Option<PathBuf>,
    /// The public key checkpoints must be signed with, for checking without the private key.
    pub public_key: Option<String>,
}

impl Keys {
    fn key_path(&self, db: &str) -> Option<PathBuf> {
        self.key_file.clone().or_else(|| {
            crate::serve::sqlite_path(db).map(|p| {
                let mut name = p.into_os_string();
                name.push(".checkpoint-key");
                PathBuf::from(name)
            })
        })
    }

    /// The public key `check` pins: `--checkpoint-pubkey`, else the key file's if it exists. Never
    /// creates a key.
    pub fn pinned(&self, db: &str) -> Result<Option<PublicKey>, String> {
        let given = self.public_key.as_deref().map(PublicKey::parse).transpose().map_err(|e| e.to_string())?;
        let from_file = match self.key_path(db).filter(|p| p.exists()) {
            Some(p) => Some(CheckpointKey::load(&p).map_err(|e| e.to_string())?.public_key()),
            None => None,
        };
        match (given, from_file) {
            (Some(g), Some(f)) if g != f => {
                Err(format!("--checkpoint-pubkey（{g}）与检查点密钥文件的公钥（{f}）不是同一把密钥"))
            }
            (g, f) => Ok(g.or(f)),
        }
    }

    /// The signing key for `serve` and `checkpoint`, created on first use. `None` when there is
    /// nowhere to keep one (PostgreSQL without `--checkpoint-key`). Refuses to create a new key for
    /// a database whose checkpoints another key signed: every one of them would then fail `check`.
    pub async fn signing(&self, store: &Store, db: &str) -> Result<Option<CheckpointKey>, String> {
        let Some(path) = self.key_path(db) else { return Ok(None) };
        if !path.exists()
            && let Some(c) = checkpoint::list(store.db()).await.map_err(|e| e.to_string())?.last()
        {
            return Err(format!(
                "检查点密钥文件 {} 不存在，而数据库中已有公钥 {} 签署的检查点：请以 --checkpoint-key 指定原来的密钥文件",
                path.display(),
                c.public_key
            ));
        }
        let (key, created) = CheckpointKey::load_or_create(&path).map_err(|e| e.to_string())?;
        if created {
            println!(
                "已生成检查点密钥 {}（仅本用户可读）。公钥：{}\n请把公钥另行保存：校验时以 --checkpoint-pubkey 指定，才能发现能改写数据库的人伪造的历史",
                path.display(),
                key.public_key()
            );
        }
        if let Some(pinned) = self.pinned(db)?
            && pinned != key.public_key()
        {
            return Err(format!("检查点密钥文件的公钥 {} 不是 --checkpoint-pubkey 指定的 {pinned}", key.public_key()));
        }
        Ok(Some(key))
    }
}

/// `qiangji checkpoint`: signs the current chain head now.
pub async fn run(db: &str, keys: &Keys) -> Result<(), String> {
    let store = Store::open(db).await.map_err(|e| e.to_string())?;
    let key = keys
        .signing(&store, db)
        .await?
        .ok_or("PostgreSQL 没有默认的检查点密钥位置：请以 --checkpoint-key 或 QIANGJI_CHECKPOINT_KEY 指定密钥文件")?;
    match checkpoint::write(store.db(), &key).await.map_err(|e| e.to_string())? {
        Some(c) => println!("已签署检查点：账本第{}条，哈希 {}，公钥 {}", c.seq, c.hash, c.public_key),
        None => println!("账本自上一个检查点以来没有变化（或还是空的），无需签署"),
    }
    Ok(())
}

/// Signs a checkpoint at start and then every `interval` when the ledger moved. Ended by aborting.
pub fn spawn(store: Store, key: CheckpointKey, interval: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match checkpoint::write(store.db(), &key).await {
                // Seq and hash in the log too: a copy of the log outside the database anchors the
                // chain even if someone deletes checkpoint rows.
                Ok(Some(c)) => tracing::info!("已签署检查点：账本第{}条，哈希 {}", c.seq, c.hash),
                Ok(None) => {}
                Err(e) => tracing::error!("检查点：{e}；请运行 qiangji check"),
            }
            tokio::time::sleep(interval).await;
        }
    })
}
