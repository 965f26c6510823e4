//! Membership development (发展党员): the pipeline of the 中国共产党发展党员工作细则 (2014) as a
//! pure state machine over dated steps.
//!
//! A person being developed (`Developee`) is not a Party member until the higher committee approves
//! their admission, so they are not a member record until then. Their state is the fold of their
//! dated steps through [`apply`]; every illegal or badly dated step is refused with a typed
//! [`DevError`] carrying a stable code and a Chinese message. [`next_steps`] says what is owed next,
//! between which dates, and what is overdue.
//!
//! What does not belong here: storing developees and steps, checking that sponsors are full members
//! (the store does that against member records), pages and JSON.

mod applicant;
mod calendar;
mod machine;
mod next;
#[cfg(test)]
mod tests;

pub use applicant::{Applicant, ApplicantError, ApplicantInput};
pub use calendar::{add_months, add_working_days};
pub use machine::{DevAction, DevError, DevFacts, DevState, Vote, apply, start};
pub use next::{DevWarning, Due, legal_steps, next_steps};

use crate::code_enum;

/// Typed id of a stored developee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DevelopeeId(pub i64);

code_enum!(
    /// Where a person stands in the pipeline. `Cancelled` (取消预备党员资格) ends it.
    DevStage, "dev_stage", {
    Applicant = ("applicant", "入党申请人"),
    Activist = ("activist", "入党积极分子"),
    Candidate = ("candidate", "发展对象"),
    Probationary = ("probationary", "预备党员"),
    Full = ("full", "正式党员"),
    Cancelled = ("cancelled", "已取消预备党员资格"),
});

code_enum!(
    /// The dated steps of the 细则, in their usual order. `Applied` is the first step of everyone.
    StepKind, "dev_step", {
    Applied = ("applied", "递交入党申请书"),
    Talked = ("talked", "党组织派人谈话"),
    ActivistChosen = ("activist_chosen", "确定为入党积极分子"),
    CandidateChosen = ("candidate_chosen", "支委会确定为发展对象"),
    CandidateReported = ("candidate_reported", "报上级党委备案"),
    PoliticalReview = ("political_review", "政治审查"),
    SponsorsAssigned = ("sponsors_assigned", "确定入党介绍人"),
    Trained = ("trained", "集中培训"),
    PreReviewed = ("pre_reviewed", "上级党委预审"),
    Publicized = ("publicized", "公示"),
    AdmissionMeeting = ("admission_meeting", "支部大会讨论接收预备党员"),
    AdmissionApproved = ("admission_approved", "上级党委审批（接收预备党员）"),
    ProbationExtended = ("probation_extended", "延长预备期"),
    FullMeeting = ("full_meeting", "支部大会讨论转正"),
    FullApproved = ("full_approved", "上级党委审批（转为正式党员）"),
    Cancelled = ("cancelled", "取消预备党员资格"),
});

code_enum!(
    /// How an activist was put forward (推荐).
    Recommendation, "dev_recommendation", {
    PartyMembers = ("party_members", "党员推荐"),
    MassOrganization = ("mass_organization", "群团组织推优"),
});
