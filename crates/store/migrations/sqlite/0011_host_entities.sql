-- Host entities (两新组织, SPEC §8): the non-public enterprises, social organizations and sole
-- traders of an area, each under the Party organization whose registry (台账) it is in (`org_id`,
-- scoped by that organization's path like members). `credit_code` is the 统一社会信用代码, unique
-- across the deployment. `party_org_id` is the Party organization set up in it, if any.
-- `check_note` is set when a reconciliation found it missing from a registry extract (待核实);
-- nothing is ever deleted.
CREATE TABLE host_entity (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES org(id),
    credit_code TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    registered_on TEXT,
    legal_rep TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    employees BIGINT,
    status TEXT NOT NULL,
    party_org_id BIGINT REFERENCES org(id),
    check_note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);
CREATE UNIQUE INDEX host_entity_credit_code ON host_entity (credit_code);
CREATE INDEX host_entity_org ON host_entity (org_id);

-- One reconciliation of a registry extract (市场监管 or 民政) against the registry of `org_id`'s
-- area: the file kept as uploaded, so the report can be shown and exported again, and the size of
-- each section as of the run (the report itself is recomputed from the file against the registry
-- as it is now).
CREATE TABLE host_entity_reconciliation (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES org(id),
    source TEXT NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    row_count BIGINT NOT NULL,
    equal_count BIGINT NOT NULL,
    mismatched_count BIGINT NOT NULL,
    closed_count BIGINT NOT NULL,
    new_count BIGINT NOT NULL,
    missing_count BIGINT NOT NULL,
    unreadable_count BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX host_entity_reconciliation_org ON host_entity_reconciliation (org_id, id);
