-- Absences (缺席) alone, for finding members who may be on an absence streak (党章第九条) without
-- reading every attendance row: about one row in twenty-five is an absence.
CREATE INDEX meeting_absence ON meeting_attendance (member_id, meeting_id) WHERE attendance = 'absent';
