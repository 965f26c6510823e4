//! What the checks for formalism (形式主义核查) read of one record: its text, when it was held and
//! entered, who was present, and the fingerprints of its photos. Built by the store from the
//! database and by the demo benchmark from generated data, so both feed the same detector.

use super::{MeetingId, MeetingKind, MeetingTimes};
use crate::Date;
use crate::member::MemberId;
use crate::org::OrgId;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub meeting: MeetingId,
    pub org: OrgId,
    pub kind: MeetingKind,
    pub held_on: Date,
    pub recorded_on: Date,
    pub times: Option<MeetingTimes>,
    /// The minutes: content and decisions.
    pub text: String,
    /// The organization's name and short name: a copier replaces them first, so the checks
    /// compare the minutes with them masked.
    pub org_names: Vec<String>,
    /// Members recorded as present (出席).
    pub present: Vec<MemberId>,
    /// sha256 (hex) of each attached photo.
    pub photos: Vec<String>,
}

impl Evidence {
    /// The minutes as the checks read them: the content, then the decisions if any.
    pub fn minutes(content: &str, decisions: &str) -> String {
        if decisions.is_empty() { content.to_owned() } else { format!("{content}\n{decisions}") }
    }
}

crate::code_enum!(
    /// What makes a record worth checking (需核实). A signal asks the supervising level to look,
    /// never decides anything about the record.
    Signal, "verification_signal", {
    NearDuplicate = ("near_duplicate", "会议记录内容雷同"),
    LateEntry = ("late_entry", "活动结束很久后才录入"),
    OverlappingAttendance = ("overlapping_attendance", "同一党员同时出席两场活动"),
    ReusedPhoto = ("reused_photo", "同一张照片用于不同活动"),
});
