//! Verifies the hash chain entry by entry.

use super::{COLUMNS, entry_of, hash_of};
use crate::db::Db;
use crate::error::StoreError;
use crate::params;

/// Where and how the chain is broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    pub seq: i64,
    pub message: String,
}

/// Walks the whole ledger in batches; returns the first break found, or the number of entries.
pub async fn verify_chain(db: &Db) -> Result<Result<i64, ChainBreak>, StoreError> {
    let mut prev_hash = "0".repeat(64);
    let mut expected_seq = 1;
    loop {
        let rows = db
            .all(
                &format!("SELECT {COLUMNS} FROM ledger WHERE seq >= ? ORDER BY seq LIMIT 20000"),
                params![expected_seq],
            )
            .await?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let e = entry_of(r);
            if e.seq != expected_seq {
                return Ok(Err(ChainBreak {
                    seq: expected_seq,
                    message: format!("账本第{expected_seq}条缺失（下一条是第{}条）：记录被删除", e.seq),
                }));
            }
            if e.prev_hash != prev_hash {
                return Ok(Err(ChainBreak {
                    seq: e.seq,
                    message: format!("账本第{}条的前序哈希与第{}条不符：链条被改动", e.seq, e.seq - 1),
                }));
            }
            if hash_of(&e) != e.hash {
                return Ok(Err(ChainBreak {
                    seq: e.seq,
                    message: format!(
                        "账本第{}条（{}，{}）的内容与其哈希不符：该记录在写入后被改动",
                        e.seq, e.kind, e.subject
                    ),
                }));
            }
            prev_hash = e.hash;
            expected_seq += 1;
        }
    }
    let head = db.one("SELECT seq, hash FROM ledger_head WHERE id = 1", params![]).await?;
    if head.int(0) != expected_seq - 1 || head.text(1) != prev_hash {
        return Ok(Err(ChainBreak {
            seq: head.int(0),
            message: format!(
                "账本链头记录为第{}条，但账本实际有{}条：账本末尾被截断或链头被改动",
                head.int(0),
                expected_seq - 1
            ),
        }));
    }
    Ok(Ok(expected_seq - 1))
}
