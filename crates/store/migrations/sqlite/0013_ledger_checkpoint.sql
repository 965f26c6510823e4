-- Signed checkpoints: (seq, hash of the ledger entry at seq, time), signed with an Ed25519 key kept
-- outside the database. Someone who can write the database can rewrite the ledger and recompute
-- every hash, but cannot sign; `qiangji check` verifies the chain against these signatures.
-- `public_key` and `signature` are hex; the signed message is built by `ledger::checkpoint::message`.
CREATE TABLE ledger_checkpoint (
    id INTEGER PRIMARY KEY,
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL,
    at TEXT NOT NULL,
    public_key TEXT NOT NULL,
    signature TEXT NOT NULL
);
CREATE INDEX ledger_checkpoint_seq ON ledger_checkpoint (seq);
CREATE TRIGGER ledger_checkpoint_no_update BEFORE UPDATE ON ledger_checkpoint BEGIN SELECT RAISE(ABORT, 'ledger checkpoints are append-only'); END;
CREATE TRIGGER ledger_checkpoint_no_delete BEFORE DELETE ON ledger_checkpoint BEGIN SELECT RAISE(ABORT, 'ledger checkpoints are append-only'); END;
