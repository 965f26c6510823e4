//! Signed checkpoints: an attacker who can write the database but does not hold the key can
//! rewrite the ledger consistently, and `check` still names where.

use crate::fixture::{Backend, Tree, org, tree};
use crate::on_both;
use qiangji_store::db::Db;
use qiangji_store::ledger::checkpoint::{self, CheckpointError, CheckpointKey, PublicKey};
use qiangji_store::ledger::{self, Anchor, ChainBreak, hash_of, verify_chain};
use qiangji_store::params;

/// A fresh key file in a private directory (kept alive by the returned guard).
fn new_key() -> (CheckpointKey, qiangji_testkit::sqlite::TempFile) {
    let dir = qiangji_testkit::sqlite::fresh_file("checkpoint-key");
    let (key, created) = CheckpointKey::load_or_create(&dir.dir().join("checkpoint-key")).unwrap();
    assert!(created);
    (key, dir)
}

/// `n` more ledger entries: new party groups under branch B.
async fn more(t: &Tree, n: usize) {
    for i in 0..n {
        let g = org(&format!("第{}党小组", i + 2), "group", "community", false);
        t.store().create_org(&t.system, t.b, &g, "").await.unwrap();
    }
}

/// What an attacker with write access does first: removes the append-only guards.
async fn unguard(db: &Db, b: Backend) {
    for (table, trigger) in [
        ("ledger", "ledger_no_update"),
        ("ledger", "ledger_no_delete"),
        ("ledger_checkpoint", "ledger_checkpoint_no_update"),
    ] {
        let sql = match b {
            Backend::Sqlite => format!("DROP TRIGGER {trigger}"),
            Backend::Postgres => format!("DROP TRIGGER {trigger} ON {table}"),
        };
        db.exec(&sql, params![]).await.unwrap();
    }
}

/// Rewrites entry `seq`'s reason and recomputes every hash from there on, and the head: a chain
/// that verifies on its own.
async fn rewrite_consistently(db: &Db, seq: i64) {
    let mut prev = db.one("SELECT hash FROM ledger WHERE seq = ?", params![seq - 1]).await.unwrap().text(0);
    for mut e in ledger::since(db, seq - 1, 1_000).await.unwrap() {
        if e.seq == seq {
            e.reason = "篡改".into();
        }
        e.prev_hash = prev;
        e.hash = hash_of(&e);
        db.exec(
            "UPDATE ledger SET reason = ?, prev_hash = ?, hash = ? WHERE seq = ?",
            params![e.reason, e.prev_hash, e.hash.clone(), e.seq],
        )
        .await
        .unwrap();
        db.exec("UPDATE ledger_head SET seq = ?, hash = ? WHERE id = 1", params![e.seq, e.hash.clone()]).await.unwrap();
        prev = e.hash;
    }
}

/// The checkpoints `key` signed, as anchors.
async fn anchors(db: &Db, key: &PublicKey) -> Vec<Anchor> {
    checkpoint::list(db).await.unwrap().iter().filter(|c| c.is_signed_by(key)).map(|c| c.anchor()).collect()
}

async fn problems(db: &Db, key: &PublicKey) -> Vec<String> {
    qiangji_store::check::run_pinned(db, Some(key)).await.unwrap().problems
}

async fn checkpoints_sign_the_head_once_and_anchor_the_chain(b: Backend) {
    let t = tree(b).await;
    let db = t.store().db();
    let (key, dir) = new_key();
    let first = checkpoint::write(db, &key).await.unwrap().expect("a first checkpoint");
    assert_eq!(first.seq, 12);
    assert!(checkpoint::write(db, &key).await.unwrap().is_none(), "the head has not moved");
    more(&t, 3).await;
    assert_eq!(checkpoint::write(db, &key).await.unwrap().unwrap().seq, 15);

    let pk = key.public_key();
    let report = qiangji_store::check::run_pinned(db, Some(&pk)).await.unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
    assert_eq!((report.checkpoints, report.anchored_seq, report.ledger_entries), (2, 15, 15));
    assert!(report.notes.is_empty(), "{:?}", report.notes);
    // The key file is the owner's alone, and reading it again gives the same key.
    let path = dir.dir().join("checkpoint-key");
    #[cfg(unix)]
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&path).unwrap().permissions()) & 0o777,
        0o600
    );
    assert_eq!(CheckpointKey::load_or_create(&path).unwrap().0.public_key(), pk);
    assert_eq!(PublicKey::parse(&pk.to_string()).unwrap(), pk);
    // Unpinned, the same checkpoints verify, with a note that this proves little.
    let report = qiangji_store::check::run(db).await.unwrap();
    assert!(report.is_ok() && report.notes.iter().any(|n| n.contains("未配置检查点密钥")), "{:?}", report.notes);
}
on_both!(checkpoints_sign_the_head_once_and_anchor_the_chain);

async fn check_names_the_altered_entry_with_its_stored_and_recomputed_hash(b: Backend) {
    let t = tree(b).await;
    let db = t.store().db();
    let stored = db.one("SELECT hash FROM ledger WHERE seq = 9", params![]).await.unwrap().text(0);
    unguard(db, b).await;
    db.exec("UPDATE ledger SET payload = REPLACE(payload, '张三', '张叁') WHERE seq = 9", params![]).await.unwrap();
    match verify_chain(db, &[]).await.unwrap() {
        Err(ChainBreak::Content { seq: 9, stored: s, recomputed, .. }) => {
            assert_eq!(s, stored);
            assert_ne!(recomputed, stored);
        }
        other => panic!("expected entry 9's content to be named: {other:?}"),
    }
    let problems = qiangji_store::check::run(db).await.unwrap().problems;
    assert!(problems[0].contains("账本第9条") && problems[0].contains(&stored[..16]), "{problems:?}");
    assert!(problems[0].contains("重算") && problems[0].contains("被改动"), "{problems:?}");

    // The signer refuses to sign over it.
    let (key, _dir) = new_key();
    assert!(matches!(
        checkpoint::write(db, &key).await,
        Err(CheckpointError::ChainBroken(ChainBreak::Content { seq: 9, .. }))
    ));
    assert!(checkpoint::list(db).await.unwrap().is_empty(), "nothing is signed over a broken chain");
}
on_both!(check_names_the_altered_entry_with_its_stored_and_recomputed_hash);

async fn a_prev_hash_link_broken_is_named_as_such(b: Backend) {
    let t = tree(b).await;
    let db = t.store().db();
    unguard(db, b).await;
    // Entry 7 points elsewhere, and its own hash is recomputed to match: only the link is wrong.
    let mut e = ledger::since(db, 6, 1).await.unwrap().remove(0);
    e.prev_hash = "f".repeat(64);
    e.hash = hash_of(&e);
    db.exec("UPDATE ledger SET prev_hash = ?, hash = ? WHERE seq = 7", params![e.prev_hash, e.hash]).await.unwrap();
    assert!(matches!(verify_chain(db, &[]).await.unwrap(), Err(ChainBreak::Link { seq: 7, .. })));
    let problems = qiangji_store::check::run(db).await.unwrap().problems;
    assert!(problems[0].contains("账本第7条") && problems[0].contains("ffffffffffffffff"), "{problems:?}");
}
on_both!(a_prev_hash_link_broken_is_named_as_such);

async fn a_consistent_rewrite_passes_the_chain_but_not_the_checkpoint_after_it(b: Backend) {
    let t = tree(b).await;
    let db = t.store().db();
    let (key, _dir) = new_key();
    checkpoint::write(db, &key).await.unwrap(); // entry 12
    more(&t, 4).await;
    checkpoint::write(db, &key).await.unwrap(); // entry 16
    more(&t, 3).await;
    unguard(db, b).await;
    rewrite_consistently(db, 14).await;

    assert_eq!(verify_chain(db, &[]).await.unwrap(), Ok(19), "the chain alone cannot tell");
    let pk = key.public_key();
    let broken = verify_chain(db, &anchors(db, &pk).await).await.unwrap().unwrap_err();
    assert!(
        matches!(&broken, ChainBreak::Rewritten { first: 13, checkpoint, .. } if checkpoint.seq == 16),
        "{broken:?}"
    );
    assert_eq!(broken.seq(), 13, "the first entry after the last checkpoint that still matches");
    let problems = problems(db, &pk).await;
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("第13条至第16条") && problems[0].contains("重新计算"), "{problems:?}");

    // And the signer, which verifies only since its latest checkpoint, refuses to bless the
    // rewritten chain with a new one.
    match checkpoint::write(db, &key).await {
        Err(CheckpointError::ChainBroken(ChainBreak::Rewritten { checkpoint, .. })) => assert_eq!(checkpoint.seq, 16),
        other => panic!("expected a refusal: {other:?}"),
    }
    assert_eq!(checkpoint::list(db).await.unwrap().len(), 2);
}
on_both!(a_consistent_rewrite_passes_the_chain_but_not_the_checkpoint_after_it);

async fn a_checkpoint_signed_with_another_key_or_altered_is_reported(b: Backend) {
    let t = tree(b).await;
    let db = t.store().db();
    let (key, _dir) = new_key();
    let (forger, _dir2) = new_key();
    checkpoint::write(db, &key).await.unwrap();
    more(&t, 2).await;
    // The attacker signs the head with a key of their own...
    let forged = checkpoint::write(db, &forger).await.unwrap().unwrap();
    // ...and, claiming the real public key, copies a signature that is not for this checkpoint.
    let real = checkpoint::list(db).await.unwrap().remove(0);
    db.exec(
        "INSERT INTO ledger_checkpoint (seq, hash, at, public_key, signature) VALUES (?, ?, ?, ?, ?)",
        params![forged.seq, forged.hash.clone(), forged.at.clone(), real.public_key.clone(), real.signature.clone()],
    )
    .await
    .unwrap();

    let report = qiangji_store::check::run_pinned(db, Some(&key.public_key())).await.unwrap();
    assert_eq!(report.problems.len(), 2, "{:?}", report.problems);
    assert!(report.problems[0].contains("另一把密钥") && report.problems[0].contains("伪造"), "{:?}", report.problems);
    assert!(report.problems[0].contains(&forger.public_key().to_string()), "{:?}", report.problems);
    assert!(report.problems[1].contains("签名无效"), "{:?}", report.problems);
    assert_eq!((report.checkpoints, report.anchored_seq), (1, 12), "only the real checkpoint anchors");
}
on_both!(a_checkpoint_signed_with_another_key_or_altered_is_reported);

async fn deleting_the_newest_entries_is_detected_against_the_checkpoint(b: Backend) {
    let t = tree(b).await;
    let db = t.store().db();
    let (key, _dir) = new_key();
    more(&t, 3).await;
    checkpoint::write(db, &key).await.unwrap(); // entry 15
    unguard(db, b).await;
    // Delete entries 14 and 15 and make the head agree: the chain alone is whole again.
    db.exec("DELETE FROM ledger WHERE seq > 13", params![]).await.unwrap();
    db.exec("UPDATE ledger_head SET seq = 13, hash = (SELECT hash FROM ledger WHERE seq = 13) WHERE id = 1", params![])
        .await
        .unwrap();
    assert_eq!(verify_chain(db, &[]).await.unwrap(), Ok(13));

    let pk = key.public_key();
    let broken = verify_chain(db, &anchors(db, &pk).await).await.unwrap().unwrap_err();
    assert!(matches!(&broken, ChainBreak::Truncated { entries: 13, checkpoint } if checkpoint.seq == 15), "{broken:?}");
    assert_eq!(broken.seq(), 14);
    let problems = problems(db, &pk).await;
    assert!(problems.iter().any(|p| p.contains("第14条起的记录被删除")), "{problems:?}");
}
on_both!(deleting_the_newest_entries_is_detected_against_the_checkpoint);
