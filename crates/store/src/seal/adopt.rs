//! Binding a database to its data key, and sealing what an older version stored in the clear.

use super::{DataKey, Field, Keyring, is_sealed};
use crate::db::{Db, Tx};
use crate::error::StoreError;
use crate::params;

/// The keyring for `db`: the recorded key must be the one given; a database without one adopts it.
pub(crate) async fn adopt(db: &Db, key: &DataKey) -> Result<Keyring, StoreError> {
    if let Some(r) = db.opt("SELECT fingerprint, suite FROM data_key WHERE id = 1", params![]).await? {
        let ring = Keyring::load(key, false)?;
        if ring.fingerprint() != r.text(0) {
            return Err(StoreError::Other(format!(
                "数据密钥与数据库不符：数据库按指纹 {} 的密钥加密，给出的密钥指纹为 {}。请指定加密时所用的密钥文件（{}）",
                r.text(0),
                ring.fingerprint(),
                super::DATA_KEY_ENV
            )));
        }
        if ring.suite().code() != r.text(1) {
            return Err(StoreError::Other(format!(
                "数据库的检索索引按 {} 算法套件计算，密钥文件却写着 {}：请改回原套件",
                r.text(1),
                ring.suite().code()
            )));
        }
        return Ok(ring);
    }
    let ring = Keyring::load(key, true)?;
    let mut tx = db.begin_write().await?;
    let sealed = seal_clear_rows(&mut tx, &ring).await?;
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

/// Seals the identity and phone numbers of rows without a blind index, and clear second-factor
/// secrets. Returns how many rows changed.
async fn seal_clear_rows(tx: &mut Tx, ring: &Keyring) -> Result<u64, StoreError> {
    let mut changed = 0;
    for table in ["member", "developee", "floating"] {
        let rows = tx
            .all(&format!("SELECT id, id_number, phone FROM {table} WHERE id_number_index IS NULL"), params![])
            .await?;
        for r in rows {
            let (id_number, phone) = (r.text(1), r.text(2));
            if is_sealed(&id_number) {
                continue;
            }
            tx.exec(
                &format!("UPDATE {table} SET id_number = ?, phone = ?, id_number_index = ? WHERE id = ?"),
                params![
                    ring.seal(Field::IdNumber, &id_number),
                    if is_sealed(&phone) { phone } else { ring.seal(Field::Phone, &phone) },
                    ring.index(Field::IdNumber, &id_number),
                    r.int(0)
                ],
            )
            .await?;
            changed += 1;
        }
    }
    for column in ["totp_secret", "totp_pending"] {
        let rows = tx.all(&format!("SELECT id, {column} FROM app_user WHERE {column} IS NOT NULL"), params![]).await?;
        for r in rows {
            let secret = r.text(1);
            if !is_sealed(&secret) {
                tx.exec(
                    &format!("UPDATE app_user SET {column} = ? WHERE id = ?"),
                    params![ring.seal(Field::TotpSecret, &secret), r.int(0)],
                )
                .await?;
                changed += 1;
            }
        }
    }
    Ok(changed)
}
