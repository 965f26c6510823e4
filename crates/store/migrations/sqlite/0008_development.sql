-- 发展党员: people being developed (not members until admitted), their dated steps, and yearly
-- development plans per organization. stage is derived from the steps and kept for listing.
CREATE TABLE developee (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES org(id),
    name TEXT NOT NULL,
    sex TEXT NOT NULL,
    ethnicity INTEGER NOT NULL,
    birth_date TEXT NOT NULL,
    id_number TEXT NOT NULL UNIQUE,
    education TEXT NOT NULL,
    occupation TEXT NOT NULL,
    work_unit TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    applied_on TEXT NOT NULL,
    stage TEXT NOT NULL,
    member_id INTEGER REFERENCES member(id)
);
CREATE INDEX developee_org ON developee (org_id);

CREATE TABLE development_step (
    id INTEGER PRIMARY KEY,
    developee_id INTEGER NOT NULL REFERENCES developee(id),
    kind TEXT NOT NULL,
    step_on TEXT NOT NULL,
    details TEXT NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX development_step_developee ON development_step (developee_id);

CREATE TABLE development_plan (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES org(id),
    year INTEGER NOT NULL,
    quota INTEGER NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    UNIQUE (org_id, year)
);
