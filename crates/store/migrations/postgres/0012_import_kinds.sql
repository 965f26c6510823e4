-- Imports of organizations and of meeting records besides rosters: a batch's rows name the record
-- they created or updated, whatever it is, and its counts are of records, not only members.
ALTER TABLE import_row RENAME COLUMN member_id TO subject_id;
ALTER TABLE import_batch RENAME COLUMN created_members TO created_count;
ALTER TABLE import_batch RENAME COLUMN updated_members TO updated_count;

-- The lowest id a table may give next. Records a rolled-back import removed keep their ids: a
-- ledger subject such as 'member:17' must always mean one record.
CREATE TABLE id_floor (
    tbl TEXT PRIMARY KEY,
    next_id BIGINT NOT NULL
);
