//! Binding a database to its data key, and sealing what an older version stored in the clear.

use super::reseal::{Rows, reseal};
use super::{DataKey, KeyFile, Keyring, Suite};
use crate::db::Db;
use crate::error::StoreError;
use crate::params;

/// The keyring for `db`: the key it records must be in the key file given — the current key, or
/// a retired one while a rotation is unfinished; a database without one adopts the current key.
pub(crate) async fn adopt(db: &Db, key: &DataKey) -> Result<Keyring, StoreError> {
    if let Some(r) = db.opt("SELECT fingerprint, suite FROM data_key WHERE id = 1", params![]).await? {
        let file = KeyFile::load(key, false)?;
        let (fingerprint, suite) = (r.text(0), Suite::parse(&r.text(1))?);
        return match file.matching(&fingerprint, suite) {
            Some((_, true)) if file.suite() != suite => Err(StoreError::Other(format!(
                "数据库的检索索引按 {} 算法套件计算，密钥文件却写着 {}：请改回原套件（更换套件请用 qiangji rotate-data-key --suite）",
                suite.code(),
                file.suite().code()
            ))),
            Some((ring, true)) => Ok(ring),
            Some((ring, false)) => {
                tracing::warn!(
                    database = %fingerprint,
                    "the database is still sealed under a retired data key: a rotation did not finish; run `qiangji rotate-data-key` again"
                );
                Ok(ring)
            }
            None => Err(StoreError::Other(format!(
                "数据密钥与数据库不符：数据库按指纹 {} 的密钥加密，给出的密钥文件中没有这把密钥（当前密钥指纹 {}）。请指定加密时所用的密钥文件（{}）",
                fingerprint,
                file.current().fingerprint(),
                super::DATA_KEY_ENV
            ))),
        };
    }
    let ring = KeyFile::load(key, true)?.current();
    let mut tx = db.begin_write().await?;
    let sealed = reseal(&mut tx, &ring, Rows::InTheClear).await?;
    tx.exec(
        "INSERT INTO data_key (id, fingerprint, suite, adopted_at) VALUES (1, ?, ?, ?)",
        params![ring.fingerprint(), ring.suite().code(), chrono::Utc::now().to_rfc3339()],
    )
    .await?;
    tx.commit().await?;
    if sealed > 0 {
        tracing::info!(sealed, "sealed personal numbers stored in the clear by an earlier version");
    }
    Ok(ring)
}
