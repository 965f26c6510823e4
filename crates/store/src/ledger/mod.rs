//! The ledger: one append-only, hash-chained record of every change.
//!
//! An entry is appended in the same transaction as the state it changes (through `Write`); the
//! chain head row serialises writers. The ledger is the audit log, the source of member history,
//! and the feed the in-memory index follows.

pub mod checkpoint;
mod verify;

pub use verify::{Anchor, ChainBreak, verify_chain};

use crate::access::Access;
use crate::db::{Db, Row, Tx};
use crate::error::StoreError;
use crate::params;
use sha2::{Digest, Sha256};

/// A stored ledger entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub seq: i64,
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub kind: String,
    pub org_path: String,
    pub subject: String,
    pub payload: String,
    pub reason: String,
    pub prev_hash: String,
    pub hash: String,
}

/// What a change appends: `kind` is a stable event name (never reused), `subject` is `org:N` or
/// `member:N`, `org_path` is the organization the change belongs to (for scoped audit reading).
pub struct NewEntry<'a> {
    pub kind: &'static str,
    pub org_path: &'a str,
    pub subject: String,
    pub payload: serde_json::Value,
    pub reason: &'a str,
}

pub(crate) const COLUMNS: &str =
    "seq, at, actor_id, actor_name, kind, org_path, subject, payload, reason, prev_hash, hash";

pub(crate) fn entry_of(r: &Row) -> Entry {
    Entry {
        seq: r.int(0),
        at: r.text(1),
        actor_id: r.opt_int(2),
        actor_name: r.text(3),
        kind: r.text(4),
        org_path: r.text(5),
        subject: r.text(6),
        payload: r.text(7),
        reason: r.text(8),
        prev_hash: r.text(9),
        hash: r.text(10),
    }
}

/// The hash of an entry: SHA-256 over every field and the previous hash, newline-separated.
pub fn hash_of(e: &Entry) -> String {
    let mut h = Sha256::new();
    let actor = e.actor_id.map(|a| a.to_string()).unwrap_or_default();
    for part in [
        e.seq.to_string().as_str(),
        &e.at,
        &actor,
        &e.actor_name,
        &e.kind,
        &e.org_path,
        &e.subject,
        &e.payload,
        &e.reason,
        &e.prev_hash,
    ] {
        h.update(part.as_bytes());
        h.update(b"\n");
    }
    hex::encode(h.finalize())
}

/// The chain head read at the start of a write transaction and advanced by each append.
pub struct Head {
    seq: i64,
    hash: String,
}

/// Locks and reads the chain head. Must be the first statement of every write transaction.
pub(crate) async fn lock_head(tx: &mut Tx) -> Result<Head, StoreError> {
    // The no-op UPDATE takes the row lock on PostgreSQL before anything else is read.
    tx.exec("UPDATE ledger_head SET seq = seq WHERE id = 1", params![]).await?;
    let r = tx.one("SELECT seq, hash FROM ledger_head WHERE id = 1", params![]).await?;
    Ok(Head { seq: r.int(0), hash: r.text(1) })
}

/// The next entry of the chain: numbered, timed, hashed; advances `head`. Not yet stored.
fn next_entry(head: &mut Head, access: &Access, e: NewEntry<'_>) -> Entry {
    let mut entry = Entry {
        seq: head.seq + 1,
        at: now(),
        actor_id: access.actor_id(),
        actor_name: access.actor_name().to_owned(),
        kind: e.kind.to_owned(),
        org_path: e.org_path.to_owned(),
        subject: e.subject,
        payload: e.payload.to_string(),
        reason: e.reason.trim().to_owned(),
        prev_hash: head.hash.clone(),
        hash: String::new(),
    };
    entry.hash = hash_of(&entry);
    head.seq = entry.seq;
    head.hash = entry.hash.clone();
    entry
}

pub(crate) fn entry_params(e: Entry) -> Vec<crate::db::Value> {
    params![
        e.seq,
        e.at,
        e.actor_id,
        e.actor_name,
        e.kind,
        e.org_path,
        e.subject,
        e.payload,
        e.reason,
        e.prev_hash,
        e.hash
    ]
}

/// Writes the advanced head back. Called once before commit.
pub(crate) async fn store_head(tx: &mut Tx, head: &Head) -> Result<(), StoreError> {
    tx.exec("UPDATE ledger_head SET seq = ?, hash = ? WHERE id = 1", params![head.seq, head.hash.clone()]).await?;
    Ok(())
}

/// Current time, RFC 3339 in UTC with milliseconds; shown in +08:00 by the web layer.
pub fn now() -> String {
    stamp(chrono::Utc::now())
}

/// A time as stored: RFC 3339 UTC with milliseconds, fixed width, so that text order is time order.
pub fn stamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Entries of the actor's subtree, newest first (the audit log), personal numbers masked.
pub async fn list(
    store: &crate::Store,
    access: &Access,
    before_seq: Option<i64>,
    limit: i64,
) -> Result<Vec<Entry>, StoreError> {
    access.require(access.may_read_audit())?;
    let (lo, hi) = access.path_range();
    let before = before_seq.unwrap_or(i64::MAX);
    let rows = if lo == "/" || lo == store.root_org_path().await? {
        // The whole tree: nearly every entry is in scope, so walking the ledger newest first fills a
        // page at once, where the path index would have every entry read and sorted (seconds at
        // city scale). `|| ''` keeps the planner off that index.
        let sql = format!(
            "SELECT {COLUMNS} FROM ledger WHERE seq < ? AND org_path || '' >= ? AND org_path || '' < ? \
             ORDER BY seq DESC LIMIT ?"
        );
        store.db.all(&sql, params![before, lo, hi, limit]).await?
    } else {
        // A subtree: its entries through the path index, which holds their numbers too, so only
        // numbers are sorted and only the page's rows are read.
        let sql = format!(
            "SELECT {COLUMNS} FROM ledger WHERE seq IN (SELECT seq FROM ledger WHERE org_path >= ? AND org_path < ? \
             AND seq < ? ORDER BY seq DESC LIMIT ?) ORDER BY seq DESC"
        );
        store.db.all(&sql, params![lo, hi, before, limit]).await?
    };
    let mut entries: Vec<Entry> = rows.iter().map(entry_of).collect();
    for e in &mut entries {
        e.payload = store.keys.mask_payload_text(&e.payload);
    }
    Ok(entries)
}

/// Entries about one subject (`member:N`), oldest first. The caller has checked the subject is in scope.
pub(crate) async fn of_subject(db: &Db, subject: &str) -> Result<Vec<Entry>, StoreError> {
    let rows =
        db.all(&format!("SELECT {COLUMNS} FROM ledger WHERE subject = ? ORDER BY seq"), params![subject]).await?;
    Ok(rows.iter().map(entry_of).collect())
}

/// Entries after `seq`, oldest first, unscoped: for the in-memory index that follows the ledger.
pub async fn since(db: &Db, seq: i64, limit: i64) -> Result<Vec<Entry>, StoreError> {
    let rows = db
        .all(&format!("SELECT {COLUMNS} FROM ledger WHERE seq > ? ORDER BY seq LIMIT ?"), params![seq, limit])
        .await?;
    Ok(rows.iter().map(entry_of).collect())
}

/// The newest sequence number.
pub async fn head_seq(db: &Db) -> Result<i64, StoreError> {
    Ok(db.one("SELECT seq FROM ledger_head WHERE id = 1", params![]).await?.int(0))
}

/// A write transaction with the chain head locked. Every state change goes through one.
pub(crate) struct Write {
    pub tx: Tx,
    head: Head,
    /// Seals personal numbers written in this transaction (and opens those it reads).
    pub keys: std::sync::Arc<crate::seal::Keyring>,
}

impl Write {
    pub async fn begin(store: &crate::Store) -> Result<Write, StoreError> {
        let mut tx = store.db.begin_write().await?;
        let head = lock_head(&mut tx).await?;
        // The head lock orders this against a rotation of the data key: a process still holding the
        // old key would index new numbers under it, where no lookup would find them again.
        let recorded = tx.opt("SELECT fingerprint FROM data_key WHERE id = 1", params![]).await?;
        if recorded.is_some_and(|r| r.text(0) != store.keys.fingerprint()) {
            return Err(StoreError::Other("数据密钥已轮换，本服务进程仍持有旧密钥：请重启服务".into()));
        }
        Ok(Write { tx, head, keys: store.keys.clone() })
    }

    /// Appends a ledger entry in this transaction.
    pub async fn record(&mut self, access: &Access, e: NewEntry<'_>) -> Result<i64, StoreError> {
        let entry = next_entry(&mut self.head, access, e);
        let seq = entry.seq;
        self.tx
            .exec(
                &format!("INSERT INTO ledger ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                entry_params(entry),
            )
            .await?;
        Ok(seq)
    }

    /// Chains an entry without storing it yet, for bulk loads that insert many rows per statement.
    pub fn chain(&mut self, access: &Access, e: NewEntry<'_>) -> Entry {
        next_entry(&mut self.head, access, e)
    }

    pub async fn commit(mut self) -> Result<(), StoreError> {
        store_head(&mut self.tx, &self.head).await?;
        self.tx.commit().await
    }
}

/// The fields that differ between two renderings of a record, as `{field: [old, new]}`.
pub(crate) fn diff(
    old: &[(&'static str, String)],
    new: &[(&'static str, String)],
) -> serde_json::Map<String, serde_json::Value> {
    old.iter()
        .zip(new)
        .filter(|(a, b)| a.1 != b.1)
        .map(|(a, b)| (a.0.to_owned(), serde_json::json!([a.1, b.1])))
        .collect()
}

/// A record rendered as a JSON object of its fields.
pub(crate) fn as_object(fields: &[(&'static str, String)]) -> serde_json::Value {
    serde_json::Value::Object(fields.iter().map(|(k, v)| ((*k).to_owned(), serde_json::json!(v))).collect())
}
