//! Verifies the hash chain entry by entry, and against the signed checkpoints that anchor it.

use super::{COLUMNS, entry_of, hash_of};
use crate::db::Db;
use crate::error::StoreError;
use crate::params;
use std::fmt;

/// A checkpoint whose signature has been verified: the chain must hash to `hash` at `seq`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub id: i64,
    pub seq: i64,
    pub hash: String,
    pub at: String,
}

/// The first place the ledger is broken, and what differs there. `seq()` is the first entry that
/// is missing or altered (or, after a consistent rewrite, the first that may be).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// Entry `seq` is not there; the next stored one is `next`.
    Missing { seq: i64, next: i64 },
    /// Entry `seq` does not point at the entry before it.
    Link { seq: i64, stored_prev: String, expected_prev: String },
    /// Entry `seq`'s content no longer hashes to its stored hash.
    Content { seq: i64, kind: String, subject: String, stored: String, recomputed: String },
    /// The chain is consistent but the entry at `checkpoint.seq` is not the one signed: some entry
    /// from `first` (just after the last checkpoint that still matches) to there was rewritten and
    /// every later hash recomputed.
    Rewritten { first: i64, checkpoint: Anchor, found: String },
    /// The ledger ends at `entries`, before an entry a checkpoint signed: its tail was deleted.
    Truncated { entries: i64, checkpoint: Anchor },
    /// The head row does not name the last entry.
    Head { head_seq: i64, entries: i64 },
}

impl ChainBreak {
    pub fn seq(&self) -> i64 {
        match self {
            ChainBreak::Missing { seq, .. } | ChainBreak::Link { seq, .. } | ChainBreak::Content { seq, .. } => *seq,
            ChainBreak::Rewritten { first, .. } => *first,
            ChainBreak::Truncated { entries, .. } => entries + 1,
            ChainBreak::Head { head_seq, entries } => (*head_seq).min(*entries) + 1,
        }
    }
}

/// Enough of a hash to tell two apart in a message.
fn short(hash: &str) -> &str {
    hash.get(..16).unwrap_or(hash)
}

impl fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChainBreak::Missing { seq, next } => write!(f, "账本第{seq}条缺失（下一条是第{next}条）：记录被删除"),
            ChainBreak::Link { seq, stored_prev, expected_prev } => write!(
                f,
                "账本第{seq}条记下的前序哈希为 {}…，而第{}条的哈希为 {}…：链接断开，链条被改动",
                short(stored_prev),
                seq - 1,
                short(expected_prev)
            ),
            ChainBreak::Content { seq, kind, subject, stored, recomputed } => write!(
                f,
                "账本第{seq}条（{kind}，{subject}）存储的哈希为 {}…，按内容重算为 {}…：该记录在写入后被改动",
                short(stored),
                short(recomputed)
            ),
            ChainBreak::Rewritten { first, checkpoint: c, found } => write!(
                f,
                "账本第{}条的哈希为 {}…，与 {} 签署的检查点（编号{}）所签的 {}… 不符：第{first}条至第{}条之间有记录被改动，\
                 其后各条的哈希被重新计算（第{}条及以前与签名一致）",
                c.seq,
                short(found),
                c.at,
                c.id,
                short(&c.hash),
                c.seq,
                first - 1
            ),
            ChainBreak::Truncated { entries, checkpoint: c } => write!(
                f,
                "{} 签署的检查点（编号{}）签的是账本第{}条，但账本只有{entries}条：第{}条起的记录被删除（账本末尾被截断）",
                c.at,
                c.id,
                c.seq,
                entries + 1
            ),
            ChainBreak::Head { head_seq, entries } => {
                write!(f, "账本链头记录为第{head_seq}条，但账本实际有{entries}条：账本末尾被截断或链头被改动")
            }
        }
    }
}

/// Walks the whole ledger in batches against the verified checkpoints (`anchors`); returns the
/// first break found, or the number of entries.
pub async fn verify_chain(db: &Db, anchors: &[Anchor]) -> Result<Result<i64, ChainBreak>, StoreError> {
    walk(db, 1, anchors, None).await
}

/// Walks entries `first..=last` (to the end if `last` is `None`, then compares the head row) and
/// returns the last seq. The first entry's link is checked only when it is entry 1. `anchors` are
/// sorted by seq; those before `first` are ignored.
pub(crate) async fn walk(
    db: &Db,
    first: i64,
    anchors: &[Anchor],
    last: Option<i64>,
) -> Result<Result<i64, ChainBreak>, StoreError> {
    // An index, not an iterator adapter: a closure held across `.await` makes the future not `Send`.
    let mut next = anchors.partition_point(|a| a.seq < first);
    let mut prev_hash = (first == 1).then(|| "0".repeat(64));
    let mut expected_seq = first;
    // The last entry this walk saw match a checkpoint: after a consistent rewrite, the change is
    // after it. Entries before `first` are not seen, so they vouch for nothing.
    let mut anchored = 0;
    let end = last.unwrap_or(i64::MAX);
    while expected_seq <= end {
        let rows = db
            .all(
                &format!("SELECT {COLUMNS} FROM ledger WHERE seq >= ? AND seq <= ? ORDER BY seq LIMIT 20000"),
                params![expected_seq, end],
            )
            .await?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let e = entry_of(r);
            if e.seq != expected_seq {
                return Ok(Err(ChainBreak::Missing { seq: expected_seq, next: e.seq }));
            }
            if let Some(expected) = prev_hash.as_ref().filter(|p| **p != e.prev_hash) {
                return Ok(Err(ChainBreak::Link {
                    seq: e.seq,
                    stored_prev: e.prev_hash,
                    expected_prev: expected.clone(),
                }));
            }
            let recomputed = hash_of(&e);
            if recomputed != e.hash {
                return Ok(Err(ChainBreak::Content {
                    seq: e.seq,
                    kind: e.kind,
                    subject: e.subject,
                    stored: e.hash,
                    recomputed,
                }));
            }
            while let Some(a) = anchors.get(next).filter(|a| a.seq == e.seq) {
                next += 1;
                if a.hash != e.hash {
                    return Ok(Err(ChainBreak::Rewritten {
                        first: anchored + 1,
                        checkpoint: a.clone(),
                        found: e.hash,
                    }));
                }
                anchored = e.seq;
            }
            prev_hash = Some(e.hash);
            expected_seq += 1;
        }
    }
    let entries = expected_seq - 1;
    if let Some(a) = anchors.get(next) {
        return Ok(Err(ChainBreak::Truncated { entries, checkpoint: a.clone() }));
    }
    if let Some(last) = last
        && entries < last
    {
        return Ok(Err(ChainBreak::Head { head_seq: last, entries }));
    }
    if last.is_none() {
        let head = db.one("SELECT seq, hash FROM ledger_head WHERE id = 1", params![]).await?;
        let last_hash = prev_hash.unwrap_or_else(|| "0".repeat(64));
        if head.int(0) != entries || head.text(1) != last_hash {
            return Ok(Err(ChainBreak::Head { head_seq: head.int(0), entries }));
        }
    }
    Ok(Ok(entries))
}
