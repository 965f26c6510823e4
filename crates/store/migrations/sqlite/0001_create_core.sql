-- Organizations: `path` is the materialized path of fixed-width id segments ('/00000001/00000007/'),
-- so a subtree is the index range [path, path || '~').
CREATE TABLE org (
    id INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES org(id),
    path TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    short_name TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    sector TEXT NOT NULL,
    formation_mode TEXT NOT NULL,
    regional INTEGER NOT NULL DEFAULT 0,
    joint INTEGER NOT NULL DEFAULT 0,
    temporary INTEGER NOT NULL DEFAULT 0,
    founded_on TEXT,
    term_start TEXT,
    term_years INTEGER,
    host_units TEXT NOT NULL DEFAULT '',
    contact TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    dissolved_on TEXT
);
CREATE INDEX org_parent ON org (parent_id);

CREATE TABLE member (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES org(id),
    name TEXT NOT NULL,
    initials TEXT NOT NULL,
    sex TEXT NOT NULL,
    ethnicity INTEGER NOT NULL,
    birth_date TEXT NOT NULL,
    native_place TEXT NOT NULL DEFAULT '',
    id_number TEXT NOT NULL UNIQUE,
    education TEXT NOT NULL,
    school TEXT NOT NULL DEFAULT '',
    major TEXT NOT NULL DEFAULT '',
    degree TEXT NOT NULL DEFAULT '',
    occupation TEXT NOT NULL,
    work_unit TEXT NOT NULL DEFAULT '',
    job_title TEXT NOT NULL DEFAULT '',
    work_started_on TEXT,
    phone TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    joined_on TEXT NOT NULL,
    full_on TEXT,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    floating INTEGER NOT NULL DEFAULT 0,
    lost_contact INTEGER NOT NULL DEFAULT 0,
    hardship INTEGER NOT NULL DEFAULT 0,
    postless INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX member_org ON member (org_id);

-- Effective-dated facts: organization membership, kind and status are intervals [valid_from, valid_to).
CREATE TABLE membership (
    id INTEGER PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES member(id),
    org_id INTEGER NOT NULL REFERENCES org(id),
    valid_from TEXT NOT NULL,
    valid_to TEXT
);
CREATE INDEX membership_member ON membership (member_id);
CREATE INDEX membership_org ON membership (org_id);

CREATE TABLE member_state (
    id INTEGER PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES member(id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT
);
CREATE INDEX member_state_member ON member_state (member_id);

CREATE TABLE org_post (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES org(id),
    post TEXT NOT NULL,
    person_name TEXT NOT NULL,
    member_id INTEGER REFERENCES member(id),
    since TEXT
);
CREATE INDEX org_post_org ON org_post (org_id);

-- The ledger: every change, hash-chained, append-only. `subject` is 'org:N' or 'member:N'.
CREATE TABLE ledger (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_id INTEGER,
    actor_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    org_path TEXT NOT NULL,
    subject TEXT NOT NULL,
    payload TEXT NOT NULL,
    reason TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX ledger_subject ON ledger (subject, seq);
CREATE INDEX ledger_org_path ON ledger (org_path, seq);
CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;

-- One row: the newest ledger entry. Every write transaction updates it first, which serialises writers
-- (the row lock on PostgreSQL, the write lock on SQLite) so the hash chain never forks.
CREATE TABLE ledger_head (
    id INTEGER PRIMARY KEY,
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO ledger_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE app_user (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    scope_org_id INTEGER REFERENCES org(id),
    member_id INTEGER REFERENCES member(id),
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    active INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE user_session (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES app_user(id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
);
CREATE INDEX user_session_user ON user_session (user_id);
