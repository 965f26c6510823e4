-- Import batches (SPEC §12): the uploaded file kept as uploaded, so that the preview and the commit
-- read the same bytes; its state (previewed → committed, or failed) and what it did. The members a
-- batch created carry its id in their ledger entries.
CREATE TABLE import_batch (
    id BIGINT PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES org(id),
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    content BYTEA NOT NULL,
    mode TEXT NOT NULL,
    -- previewed → committed → (rolled_back)
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    committed_at TEXT,
    created_members BIGINT NOT NULL DEFAULT 0,
    updated_members BIGINT NOT NULL DEFAULT 0,
    skipped_rows BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX import_batch_org ON import_batch (org_id, id);

-- What a committed batch did to each member: created, or updated (with the attributes before, so
-- that rolling the batch back can restore them).
CREATE TABLE import_row (
    batch_id BIGINT NOT NULL REFERENCES import_batch(id),
    member_id BIGINT NOT NULL,
    action TEXT NOT NULL,
    before TEXT NOT NULL DEFAULT ''
);
CREATE INDEX import_row_batch ON import_row (batch_id);
