-- Evidence of a record (组织生活记录的佐证): when the meeting began and ended ('HH:MM', both empty
-- on records entered without them), and attached photos and files. The times let the checks for
-- formalism see members present at two meetings at once; the files' sha256 lets them see a photo
-- reused on another record.
ALTER TABLE meeting ADD COLUMN starts_at TEXT NOT NULL DEFAULT '';
ALTER TABLE meeting ADD COLUMN ends_at TEXT NOT NULL DEFAULT '';

CREATE TABLE meeting_attachment (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meeting(id),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    bytes BLOB NOT NULL,
    uploaded_on TEXT NOT NULL,
    uploaded_by TEXT NOT NULL
);
CREATE INDEX meeting_attachment_meeting ON meeting_attachment (meeting_id);
CREATE INDEX meeting_attachment_sha256 ON meeting_attachment (sha256);
