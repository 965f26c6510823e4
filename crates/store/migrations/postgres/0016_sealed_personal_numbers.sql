-- Personal numbers encrypted at rest (see crates/store/src/seal): identity and phone numbers of
-- members, developees and floating registrations, and second-factor secrets, are stored sealed.
-- Equality goes through a keyed blind index beside the identity number: the one-person-one-record
-- rule moves from the (now randomised) column to the index. Rows an older version wrote in the
-- clear have no index yet; opening the database with its key seals them and fills it.

-- The data key this database is sealed with: its fingerprint (never the key) and its suite.
CREATE TABLE data_key (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint TEXT NOT NULL,
    suite TEXT NOT NULL,
    adopted_at TEXT NOT NULL
);

ALTER TABLE member ADD COLUMN id_number_index TEXT;
CREATE UNIQUE INDEX member_id_number_index ON member (id_number_index);
ALTER TABLE developee ADD COLUMN id_number_index TEXT;
CREATE UNIQUE INDEX developee_id_number_index ON developee (id_number_index);
ALTER TABLE floating ADD COLUMN id_number_index TEXT;
CREATE INDEX floating_id_number_index ON floating (id_number_index);
