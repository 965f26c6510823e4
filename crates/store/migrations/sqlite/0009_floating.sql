-- Floating members (流动党员) and the registry matching of the 流动党员信息库.
--
-- `floating` holds both sides' registrations: an outflow (流出) by the member's own organization
-- (`org_id` is that organization, `place`/`unit` the destination, `reason` the outflow reason
-- code) and an inflow (流入) by the hosting organization (`org_id` the host, `place` the origin,
-- `origin_org` the organization the membership stays with). `member_id` is null for an inflow of a
-- member from outside this deployment; `name` and `id_number` are kept for every row so that such
-- a person can be found. A registration is open while `ended_on` is null. `last_contact` repeats
-- the latest `floating_contact` date so lists need no aggregate.
CREATE TABLE floating (
    id INTEGER PRIMARY KEY,
    direction TEXT NOT NULL,
    member_id BIGINT REFERENCES member(id),
    org_id BIGINT NOT NULL REFERENCES org(id),
    name TEXT NOT NULL,
    id_number TEXT NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    unit TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    fixed_place BIGINT NOT NULL DEFAULT 0,
    origin_org TEXT NOT NULL DEFAULT '',
    since TEXT NOT NULL,
    expected_return TEXT,
    activity_card TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    last_contact TEXT,
    ended_on TEXT,
    end_reason TEXT,
    registered_at TEXT NOT NULL,
    registered_by TEXT NOT NULL
);
CREATE INDEX floating_member ON floating (member_id);
CREATE INDEX floating_org ON floating (org_id);
CREATE INDEX floating_id_number ON floating (id_number);

-- Contact records (联系记录) kept by the sending organization with a member who is out.
CREATE TABLE floating_contact (
    id INTEGER PRIMARY KEY,
    floating_id BIGINT NOT NULL REFERENCES floating(id),
    contacted_on TEXT NOT NULL,
    way TEXT NOT NULL,
    note TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX floating_contact_floating ON floating_contact (floating_id);

-- One imported registry extract (公安、市场监管、税务) and its counts; `area` is the place name
-- rows were compared with. Results keep only the rows that matched a member and carry a flag,
-- and the invalid rows; people who are not members are counted, never stored.
CREATE TABLE registry_batch (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES org(id),
    source TEXT NOT NULL,
    file_name TEXT NOT NULL,
    area TEXT NOT NULL,
    row_count BIGINT NOT NULL,
    matched BIGINT NOT NULL,
    unknown BIGINT NOT NULL,
    invalid BIGINT NOT NULL,
    arrivals BIGINT NOT NULL,
    departures BIGINT NOT NULL,
    unit_changes BIGINT NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL
);
CREATE INDEX registry_batch_org ON registry_batch (org_id);

-- `member_id` null: an invalid row (`flags` empty, `detail` the reason). `id_number` is masked.
CREATE TABLE registry_result (
    id INTEGER PRIMARY KEY,
    batch_id BIGINT NOT NULL REFERENCES registry_batch(id),
    line BIGINT NOT NULL,
    member_id BIGINT REFERENCES member(id),
    id_number TEXT NOT NULL,
    flags TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX registry_result_batch ON registry_result (batch_id);
