-- Versions of the organizational-life rules added by administrators, on top of the documents'
-- defaults (which live in the code). Only ever added to: a later effective_from supersedes.
-- org_kinds is a comma-separated list of organization kind codes.
CREATE TABLE orglife_rule (
    id INTEGER PRIMARY KEY,
    requirement TEXT NOT NULL,
    org_kinds TEXT NOT NULL,
    period TEXT NOT NULL,
    min_count INTEGER NOT NULL,
    effective_from TEXT NOT NULL,
    added_at TEXT NOT NULL,
    added_by TEXT NOT NULL,
    reason TEXT NOT NULL
);
