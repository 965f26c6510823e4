//! Rotating the data key: a new key in the key file, then every stored personal number outside
//! the ledger sealed and indexed again under it, in one transaction.

use super::reseal::{Rows, reseal};
use super::{DataKey, KeyFile, Suite};
use crate::access::Access;
use crate::error::StoreError;
use crate::ledger::{NewEntry, Write};
use crate::{Store, params};

/// What a rotation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resealed {
    /// Fingerprints of the key the database was sealed with, and of the new one.
    pub from: String,
    pub to: String,
    pub suite: Suite,
    /// Values sealed again (identity and phone numbers count once per row).
    pub values: u64,
    /// Whether this finished a rotation an earlier run began (the key file already had the new key).
    pub resumed: bool,
}

impl Store {
    /// Rotates the data key of `key`'s file: writes a new current key (under `suite`, else the
    /// present one) keeping the old keys as retired — they still open the ledger's history — then
    /// seals and indexes every personal number outside the ledger under the new key and records
    /// the rotation in the ledger, in one transaction. Interrupted after the key file was written,
    /// the database stays on the old key (which the file still holds) and a second run finishes.
    ///
    /// A server running on the old key refuses writes afterwards (it would index under the old
    /// key) and must be restarted; run this with the server stopped.
    pub async fn rotate_data_key(
        &self,
        access: &Access,
        key: &DataKey,
        suite: Option<Suite>,
    ) -> Result<Resealed, StoreError> {
        access.require(access.is_system())?;
        let DataKey::File { path, .. } = key else {
            return Err(StoreError::Other("内存数据库的密钥随进程消失，无需轮换".into()));
        };
        let from = self.keys.fingerprint().to_owned();
        let file = KeyFile::load(key, false)?;
        let resumed = file.current().fingerprint() != from;
        let file = match (resumed, suite) {
            (false, _) => file.rotate(path, suite.unwrap_or(self.keys.suite()))?,
            (true, Some(s)) if s != file.suite() => {
                return Err(StoreError::Other(format!(
                    "上次轮换尚未完成，新密钥的算法套件是 {}：请先不带 --suite 再运行一次完成它",
                    file.suite().code()
                )));
            }
            (true, _) => file,
        };
        let next = file.current();
        let root = self.root_org_path().await?;
        let mut w = Write::begin(self).await?;
        let values = reseal(&mut w.tx, &next, Rows::All).await?;
        w.tx.exec(
            "UPDATE data_key SET fingerprint = ?, suite = ?, adopted_at = ? WHERE id = 1",
            params![next.fingerprint(), next.suite().code(), chrono::Utc::now().to_rfc3339()],
        )
        .await?;
        w.record(
            access,
            NewEntry {
                kind: "data_key.rotated",
                org_path: &root,
                subject: "data_key".into(),
                payload: serde_json::json!({
                    "from": from, "to": next.fingerprint(), "suite": next.suite().code(), "values": values
                }),
                reason: "轮换数据密钥",
            },
        )
        .await?;
        w.commit().await?;
        Ok(Resealed { from, to: next.fingerprint().to_owned(), suite: next.suite(), values, resumed })
    }
}
