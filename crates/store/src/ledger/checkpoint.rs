//! Signed checkpoints that anchor the hash chain.
//!
//! The chain alone proves only that the ledger is self-consistent: someone who can write the
//! database can rewrite an entry and recompute every later hash. A checkpoint records
//! (seq, hash of the entry at seq, time) signed with an Ed25519 key that lives outside the
//! database, so such a rewrite no longer matches a signature its author cannot make. `qiangji
//! check` verifies every checkpoint against the configured (pinned) public key and the chain
//! against every valid checkpoint (see `verify`). Key files and signing belong here; when to
//! write a checkpoint is the server's business.

use super::verify::{Anchor, ChainBreak, walk};
use crate::db::Db;
use crate::error::StoreError;
use crate::params;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use std::fmt;
use std::path::{Path, PathBuf};

/// What can go wrong with the key or with writing a checkpoint.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    #[error("无法读写检查点密钥文件 {path}：{source}")]
    KeyFile { path: PathBuf, source: std::io::Error },
    #[error("检查点密钥文件 {0} 的内容不是64位十六进制的 Ed25519 私钥")]
    KeyMalformed(PathBuf),
    #[error("检查点公钥应为64位十六进制，收到的是 `{0}`")]
    PublicKeyMalformed(String),
    /// The chain since the last checkpoint is broken: signing it would bless the damage.
    #[error("不签署检查点：{0}")]
    ChainBroken(ChainBreak),
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// The signing key. The only constructors read or create a key file; the key never enters the
/// database (only its public half does, with each checkpoint).
pub struct CheckpointKey {
    signing: SigningKey,
}

impl CheckpointKey {
    /// Reads the key file: the 32-byte seed as 64 hex digits.
    pub fn load(path: &Path) -> Result<CheckpointKey, CheckpointError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| CheckpointError::KeyFile { path: path.into(), source })?;
        let seed: [u8; 32] = hex::decode(text.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| CheckpointError::KeyMalformed(path.into()))?;
        warn_if_readable_by_others(path);
        Ok(CheckpointKey { signing: SigningKey::from_bytes(&seed) })
    }

    /// Reads the key file, or creates it (mode 0600, never overwriting) with a fresh key.
    /// Returns whether it was created.
    pub fn load_or_create(path: &Path) -> Result<(CheckpointKey, bool), CheckpointError> {
        if path.exists() {
            return Ok((CheckpointKey::load(path)?, false));
        }
        let mut seed = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut seed);
        let key = CheckpointKey { signing: SigningKey::from_bytes(&seed) };
        write_new_private_file(path, format!("{}\n", hex::encode(seed)).as_bytes())
            .map_err(|source| CheckpointError::KeyFile { path: path.into(), source })?;
        Ok((key, true))
    }

    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.signing.verifying_key())
    }

    fn sign(&self, seq: i64, hash: &str, at: &str) -> String {
        hex::encode(self.signing.sign(&message(seq, hash, at)).to_bytes())
    }
}

/// Creates `path` readable and writable by its owner only, failing if it exists.
fn write_new_private_file(path: &Path, content: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(path)?;
    f.write_all(content)?;
    f.sync_all()
}

fn warn_if_readable_by_others(path: &Path) {
    #[cfg(unix)]
    if let Ok(meta) = std::fs::metadata(path) {
        let mode = std::os::unix::fs::PermissionsExt::mode(&meta.permissions());
        if mode & 0o077 != 0 {
            tracing::warn!("检查点密钥文件 {} 的权限为 {:o}，其他用户可读：应为 600", path.display(), mode & 0o777);
        }
    }
}

/// An Ed25519 public key, shown and stored as 64 hex digits.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    pub fn parse(text: &str) -> Result<PublicKey, CheckpointError> {
        let bad = || CheckpointError::PublicKeyMalformed(text.to_owned());
        let bytes: [u8; 32] = hex::decode(text.trim()).ok().and_then(|b| b.try_into().ok()).ok_or_else(bad)?;
        VerifyingKey::from_bytes(&bytes).map(PublicKey).map_err(|_| bad())
    }

    /// Whether `signature` (hex) is this key's signature of the checkpoint (seq, hash, at).
    fn verifies(&self, seq: i64, hash: &str, at: &str, signature: &str) -> bool {
        let Some(bytes) = hex::decode(signature).ok().and_then(|b| <[u8; 64]>::try_from(b).ok()) else {
            return false;
        };
        self.0.verify_strict(&message(seq, hash, at), &Signature::from_bytes(&bytes)).is_ok()
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0.to_bytes()))
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({self})")
    }
}

/// The signed bytes. A domain prefix keeps the signature from meaning anything else.
fn message(seq: i64, hash: &str, at: &str) -> Vec<u8> {
    format!("qiangji ledger checkpoint v1\n{seq}\n{hash}\n{at}\n").into_bytes()
}

/// A stored checkpoint, as read: nothing about it is trusted until `verify` says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub id: i64,
    pub seq: i64,
    pub hash: String,
    pub at: String,
    /// Hex, as stored; may differ from the pinned key if the checkpoint is forged.
    pub public_key: String,
    pub signature: String,
}

impl Checkpoint {
    /// Whether `key` signed exactly this checkpoint.
    pub fn is_signed_by(&self, key: &PublicKey) -> bool {
        self.public_key == key.to_string() && key.verifies(self.seq, &self.hash, &self.at, &self.signature)
    }

    pub fn anchor(&self) -> Anchor {
        Anchor { id: self.id, seq: self.seq, hash: self.hash.clone(), at: self.at.clone() }
    }
}

const CHECKPOINT_COLUMNS: &str = "id, seq, hash, at, public_key, signature";

fn checkpoint_of(r: &crate::db::Row) -> Checkpoint {
    Checkpoint {
        id: r.int(0),
        seq: r.int(1),
        hash: r.text(2),
        at: r.text(3),
        public_key: r.text(4),
        signature: r.text(5),
    }
}

/// Every checkpoint, oldest ledger position first.
pub async fn list(db: &Db) -> Result<Vec<Checkpoint>, StoreError> {
    let sql = format!("SELECT {CHECKPOINT_COLUMNS} FROM ledger_checkpoint ORDER BY seq, id");
    Ok(db.all(&sql, params![]).await?.iter().map(checkpoint_of).collect())
}

/// The newest checkpoint `key` really signed, among its latest hundred claims (rows claiming the
/// key with a bad signature are skipped; past a hundred of them, the signer starts from scratch).
async fn latest_signed_by(db: &Db, key: &PublicKey) -> Result<Option<Checkpoint>, StoreError> {
    let sql = format!(
        "SELECT {CHECKPOINT_COLUMNS} FROM ledger_checkpoint WHERE public_key = ? ORDER BY seq DESC, id DESC LIMIT 100"
    );
    let rows = db.all(&sql, params![key.to_string()]).await?;
    Ok(rows.iter().map(checkpoint_of).find(|c| c.is_signed_by(key)))
}

/// Signs the current chain head, unless it is already signed by this key. Before signing it
/// verifies the chain from this key's latest valid checkpoint (or from the start) to the head, so a
/// checkpoint never blesses history rewritten since the last one.
pub async fn write(db: &Db, key: &CheckpointKey) -> Result<Option<Checkpoint>, CheckpointError> {
    let public = key.public_key();
    let last = latest_signed_by(db, &public).await?;
    let head = db.one("SELECT seq, hash FROM ledger_head WHERE id = 1", params![]).await?;
    let (seq, hash) = (head.int(0), head.text(1));
    if seq == 0 || last.as_ref().is_some_and(|c| c.seq == seq) {
        return Ok(None);
    }
    let anchors: Vec<Anchor> = last.iter().map(Checkpoint::anchor).collect();
    let from = last.as_ref().map_or(0, |c| c.seq);
    if let Err(b) = walk(db, from.max(1), &anchors, Some(seq)).await? {
        return Err(CheckpointError::ChainBroken(b));
    }
    let at = super::now();
    let signature = key.sign(seq, &hash, &at);
    let sql = format!(
        "INSERT INTO ledger_checkpoint (seq, hash, at, public_key, signature) VALUES (?, ?, ?, ?, ?) \
         RETURNING {CHECKPOINT_COLUMNS}"
    );
    let row = db.one(&sql, params![seq, hash, at, public.to_string(), signature]).await?;
    Ok(Some(checkpoint_of(&row)))
}
