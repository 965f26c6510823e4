//! Sealing stored personal numbers (again): what an older version wrote in the clear, when a
//! database first takes a key, and everything outside the ledger when the key is rotated.

use super::{Field, Keyring, is_sealed};
use crate::db::Tx;
use crate::error::StoreError;
use crate::params;

/// Which values to seal.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rows {
    /// Only values in the clear (rows without a blind index): a database taking its first key.
    InTheClear,
    /// Every value, sealed or not, under the keyring's key with a fresh index: a rotation.
    All,
}

/// Seals the identity and phone numbers of members, developees and floating registrations (with
/// their blind index), second-factor secrets, SMS recipients waiting in the outbox and the
/// before-images imports keep for rollback, under `ring`'s key. `ring` must open whatever is
/// sealed already; a value that does not open stops everything (the transaction is dropped).
/// Returns how many values changed. Ledger entries are never touched: the chain forbids it.
pub(crate) async fn reseal(tx: &mut Tx, ring: &Keyring, rows: Rows) -> Result<u64, StoreError> {
    let plain = |field: Field, stored: &str| -> Result<String, StoreError> {
        if is_sealed(stored) { ring.open(field, stored) } else { Ok(stored.to_owned()) }
    };
    let wanted = |stored: &str| rows == Rows::All || !is_sealed(stored);
    let mut changed = 0;
    for table in ["member", "developee", "floating"] {
        let filter = if rows == Rows::All { "" } else { " WHERE id_number_index IS NULL" };
        for r in tx.all(&format!("SELECT id, id_number, phone FROM {table}{filter}"), params![]).await? {
            let (id_number, phone) = (r.text(1), r.text(2));
            if !wanted(&id_number) {
                continue;
            }
            let id_plain = plain(Field::IdNumber, &id_number)?;
            let phone = if wanted(&phone) { ring.seal(Field::Phone, &plain(Field::Phone, &phone)?) } else { phone };
            tx.exec(
                &format!("UPDATE {table} SET id_number = ?, phone = ?, id_number_index = ? WHERE id = ?"),
                params![ring.seal(Field::IdNumber, &id_plain), phone, ring.index(Field::IdNumber, &id_plain), r.int(0)],
            )
            .await?;
            changed += 1;
        }
    }
    for column in ["totp_secret", "totp_pending"] {
        let rows = tx.all(&format!("SELECT id, {column} FROM app_user WHERE {column} IS NOT NULL"), params![]).await?;
        for r in rows.iter().filter(|r| wanted(&r.text(1))) {
            let secret = plain(Field::TotpSecret, &r.text(1))?;
            tx.exec(
                &format!("UPDATE app_user SET {column} = ? WHERE id = ?"),
                params![ring.seal(Field::TotpSecret, &secret), r.int(0)],
            )
            .await?;
            changed += 1;
        }
    }
    let outbox =
        tx.all("SELECT reminder_id, recipient FROM reminder_delivery WHERE channel = 'sms'", params![]).await?;
    for r in outbox.iter().filter(|r| wanted(&r.text(1))) {
        let recipient = r.text(1);
        tx.exec(
            "UPDATE reminder_delivery SET recipient = ? WHERE reminder_id = ? AND channel = 'sms' AND recipient = ?",
            params![ring.seal(Field::Phone, &plain(Field::Phone, &recipient)?), r.int(0), recipient.clone()],
        )
        .await?;
        changed += 1;
    }
    let kept = tx.all("SELECT batch_id, subject_id, before FROM import_row WHERE before <> ''", params![]).await?;
    for r in kept {
        let before = r.text(2);
        let Ok(mut v) = serde_json::from_str::<serde_json::Value>(&before) else { continue };
        match rows {
            Rows::All => ring.reseal_payload(&mut v),
            Rows::InTheClear => ring.seal_payload(&mut v),
        }
        let after = v.to_string();
        if after != before {
            tx.exec(
                "UPDATE import_row SET before = ? WHERE batch_id = ? AND subject_id = ? AND before = ?",
                params![after, r.int(0), r.int(1), before],
            )
            .await?;
            changed += 1;
        }
    }
    Ok(changed)
}
