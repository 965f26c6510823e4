-- 组织关系转接 (SPEC §4): one row per transfer with its current state, and the log of its steps.
-- Inside the deployment both organizations are known (from_org_id, to_org_id); to or from outside,
-- the other side is a name (to_outside / from_outside). `open` is 1 until a final state, and at
-- most one transfer per member is open — the index refuses a second one even under a race.
CREATE TABLE transfer (
    id INTEGER PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES member(id),
    direction TEXT NOT NULL,
    state TEXT NOT NULL,
    open INTEGER NOT NULL,
    from_org_id INTEGER REFERENCES org(id),
    from_outside TEXT NOT NULL DEFAULT '',
    to_org_id INTEGER REFERENCES org(id),
    to_outside TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL,
    requested_on TEXT NOT NULL,
    last_step_on TEXT NOT NULL,
    letter_year INTEGER,
    letter_no INTEGER,
    issued_on TEXT,
    valid_until TEXT,
    dues_paid_to TEXT,
    received_on TEXT,
    reported_on TEXT,
    closed_on TEXT
);
CREATE UNIQUE INDEX transfer_open_member ON transfer (member_id) WHERE open = 1;
CREATE UNIQUE INDEX transfer_letter ON transfer (letter_year, letter_no);
CREATE INDEX transfer_member ON transfer (member_id);
CREATE INDEX transfer_from_org ON transfer (from_org_id);
CREATE INDEX transfer_to_org ON transfer (to_org_id);

CREATE TABLE transfer_step (
    id INTEGER PRIMARY KEY,
    transfer_id INTEGER NOT NULL REFERENCES transfer(id),
    action TEXT NOT NULL,
    state TEXT NOT NULL,
    side TEXT NOT NULL,
    done_on TEXT NOT NULL,
    at TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    note TEXT NOT NULL
);
CREATE INDEX transfer_step_transfer ON transfer_step (transfer_id);
