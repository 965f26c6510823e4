-- Organizational life (组织生活): one record per meeting or activity, and each member's attendance.
-- `recorded_on` is the day the record was entered, so that records entered long after the fact
-- can be shown for verification.
CREATE TABLE meeting (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES org(id),
    kind TEXT NOT NULL,
    held_on TEXT NOT NULL,
    place TEXT NOT NULL,
    host TEXT NOT NULL,
    recorder TEXT NOT NULL,
    lecturer TEXT NOT NULL,
    lecturer_is_secretary INTEGER NOT NULL,
    topic TEXT NOT NULL,
    content TEXT NOT NULL,
    decisions TEXT NOT NULL,
    recorded_on TEXT NOT NULL
);
CREATE INDEX meeting_org ON meeting (org_id, held_on);

CREATE TABLE meeting_attendance (
    meeting_id INTEGER NOT NULL REFERENCES meeting(id),
    member_id INTEGER NOT NULL REFERENCES member(id),
    attendance TEXT NOT NULL,
    reason TEXT NOT NULL,
    confirmed_at TEXT,
    PRIMARY KEY (meeting_id, member_id)
);
CREATE INDEX meeting_attendance_member ON meeting_attendance (member_id);
