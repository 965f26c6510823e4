//! The state machine: a state, an action, its date and the facts of the day → the next state, or
//! the reason the step may not be taken.

use super::calendar::{add_months, add_working_days};
use super::{DevStage, Recommendation, StepKind};
use crate::date::{self, Date};
use crate::member::MemberId;

/// Counts of a branch general meeting's vote (支部党员大会表决).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vote {
    /// 应到会有表决权的党员.
    pub voting_members: u32,
    /// 实到会有表决权的党员.
    pub present: u32,
    /// 赞成 (only full members vote).
    pub in_favour: u32,
}

impl Vote {
    /// 细则 第三十一条: more than half of the voting members present, and more than half of them in
    /// favour.
    fn check(self) -> Result<(), DevError> {
        let Vote { voting_members, present, in_favour } = self;
        if voting_members == 0 || present > voting_members || in_favour > present {
            return Err(DevError::VoteInvalid { voting_members, present, in_favour });
        }
        if present * 2 <= voting_members {
            return Err(DevError::QuorumNotMet { voting_members, present });
        }
        if in_favour * 2 <= voting_members {
            return Err(DevError::MajorityNotMet { voting_members, in_favour });
        }
        Ok(())
    }
}

/// One step to record, with what it carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DevAction {
    /// 党组织派人谈话 (within a month of the application).
    Talk,
    /// 确定为入党积极分子: recommended, two mentors (培养联系人) assigned.
    ChooseActivist { recommendation: Recommendation, mentors: Vec<String> },
    /// 支部委员会 decides the activist becomes a candidate (after a year of training).
    ChooseCandidate,
    /// The decision is reported to the higher committee (报上级党委备案).
    ReportCandidate,
    /// 政治审查 concluded.
    PoliticalReview,
    /// Two full members as 入党介绍人.
    AssignSponsors { sponsors: Vec<MemberId> },
    /// 集中培训: at least three days or 24 hours.
    Train { days: u32, hours: u32 },
    /// 上级党委预审, after the report, review, sponsors and training.
    PreReview,
    /// 公示 starting on the step's date for `working_days` working days.
    Publicize { working_days: u32 },
    /// 支部党员大会 resolves to admit (the probation runs from this date).
    AdmissionMeeting(Vote),
    /// The higher committee approves the admission: the person becomes a probationary member.
    ApproveAdmission,
    /// 延长预备期, once, by 6 to 12 months, when the probation ends.
    ExtendProbation { months: u32 },
    /// 支部党员大会 resolves that the probationary member becomes a full member.
    FullMeeting(Vote),
    /// The higher committee approves: a full member from the end of probation.
    ApproveFull,
    /// 取消预备党员资格.
    Cancel,
}

impl DevAction {
    pub fn kind(&self) -> StepKind {
        match self {
            DevAction::Talk => StepKind::Talked,
            DevAction::ChooseActivist { .. } => StepKind::ActivistChosen,
            DevAction::ChooseCandidate => StepKind::CandidateChosen,
            DevAction::ReportCandidate => StepKind::CandidateReported,
            DevAction::PoliticalReview => StepKind::PoliticalReview,
            DevAction::AssignSponsors { .. } => StepKind::SponsorsAssigned,
            DevAction::Train { .. } => StepKind::Trained,
            DevAction::PreReview => StepKind::PreReviewed,
            DevAction::Publicize { .. } => StepKind::Publicized,
            DevAction::AdmissionMeeting(_) => StepKind::AdmissionMeeting,
            DevAction::ApproveAdmission => StepKind::AdmissionApproved,
            DevAction::ExtendProbation { .. } => StepKind::ProbationExtended,
            DevAction::FullMeeting(_) => StepKind::FullMeeting,
            DevAction::ApproveFull => StepKind::FullApproved,
            DevAction::Cancel => StepKind::Cancelled,
        }
    }
}

/// What the machine needs to know besides the state: the date it is today (no step may be dated
/// later) and how many working days a publicity lasts at least.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DevFacts {
    pub today: Date,
    pub min_publicity_days: u32,
}

impl DevFacts {
    /// The usual 5 working days of publicity.
    pub const DEFAULT_PUBLICITY_DAYS: u32 = 5;

    pub fn on(today: Date) -> DevFacts {
        DevFacts { today, min_publicity_days: Self::DEFAULT_PUBLICITY_DAYS }
    }
}

/// Where a person stands, with the date of every step taken so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevState {
    pub stage: DevStage,
    pub applied_on: Date,
    pub talked_on: Option<Date>,
    pub activist_on: Option<Date>,
    pub candidate_on: Option<Date>,
    pub reported_on: Option<Date>,
    pub reviewed_on: Option<Date>,
    pub sponsors: Vec<MemberId>,
    pub sponsors_on: Option<Date>,
    pub trained_on: Option<Date>,
    pub pre_reviewed_on: Option<Date>,
    /// First and last working day of the publicity.
    pub publicity: Option<(Date, Date)>,
    pub admission_meeting_on: Option<Date>,
    pub admitted_on: Option<Date>,
    /// The admission was approved more than 3 months after the meeting (recorded, but flagged).
    pub admission_late: bool,
    /// When probation ends (a year from the admission meeting, later if extended).
    pub probation_ends_on: Option<Date>,
    pub extended_months: Option<u32>,
    pub full_meeting_on: Option<Date>,
    pub full_approved_on: Option<Date>,
    /// The full membership was approved more than 3 months after the meeting.
    pub full_late: bool,
    /// 转正时间: the day probation ended.
    pub full_on: Option<Date>,
    pub cancelled_on: Option<Date>,
    /// Date of the latest step: no later step may be dated before it.
    pub last_step_on: Date,
}

/// What is wrong with a step. Each has a stable code for the API.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DevError {
    #[error("递交入党申请时未满18周岁（{adult_on}才满18周岁）")]
    UnderAge { adult_on: Date },
    #[error("{stage}不能进行“{step}”")]
    IllegalStep { stage: &'static str, step: &'static str },
    #[error("“{step}”须先完成“{missing}”")]
    StepMissing { step: &'static str, missing: &'static str },
    #[error("“{step}”已经记录过，不能重复")]
    AlreadyDone { step: &'static str },
    #[error("“{step}”过早：{rule}，最早{earliest}")]
    TooEarly { step: &'static str, rule: &'static str, earliest: Date },
    #[error("日期不能早于上一步骤的日期（{last}）")]
    DateBeforeLastStep { last: Date },
    #[error("日期不能晚于今天")]
    DateInFuture,
    #[error("应确定2名培养联系人，且不能重复")]
    MentorsRequired,
    #[error("应确定2名入党介绍人，且不能是同一人")]
    SponsorsRequired,
    #[error("集中培训时间不少于3天或24学时（现为{days}天、{hours}学时）")]
    TrainingTooShort { days: u32, hours: u32 },
    #[error("公示时间不少于{min}个工作日")]
    PublicityTooShort { min: u32 },
    #[error("表决人数不合理：应到{voting_members}人，实到{present}人，赞成{in_favour}人")]
    VoteInvalid { voting_members: u32, present: u32, in_favour: u32 },
    #[error("到会有表决权的党员（{present}人）未超过应到会人数（{voting_members}人）的半数，会议无效")]
    QuorumNotMet { voting_members: u32, present: u32 },
    #[error("赞成人数（{in_favour}人）未超过应到会有表决权的正式党员（{voting_members}人）的半数，不能通过")]
    MajorityNotMet { voting_members: u32, in_favour: u32 },
    #[error("延长预备期应为6至12个月（现为{months}个月）")]
    ExtensionOutOfRange { months: u32 },
    #[error("预备期只能延长一次")]
    ExtendedAlready,
}

impl DevError {
    /// Stable machine code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            DevError::UnderAge { .. } => "development.under_age",
            DevError::IllegalStep { .. } => "development.illegal_step",
            DevError::StepMissing { .. } => "development.step_missing",
            DevError::AlreadyDone { .. } => "development.already_done",
            DevError::TooEarly { .. } => "development.too_early",
            DevError::DateBeforeLastStep { .. } => "development.date_before_last_step",
            DevError::DateInFuture => "development.date_in_future",
            DevError::MentorsRequired => "development.mentors_required",
            DevError::SponsorsRequired => "development.sponsors_required",
            DevError::TrainingTooShort { .. } => "development.training_too_short",
            DevError::PublicityTooShort { .. } => "development.publicity_too_short",
            DevError::VoteInvalid { .. } => "development.vote_invalid",
            DevError::QuorumNotMet { .. } => "development.quorum_not_met",
            DevError::MajorityNotMet { .. } => "development.majority_not_met",
            DevError::ExtensionOutOfRange { .. } => "development.extension_out_of_range",
            DevError::ExtendedAlready => "development.extended_already",
        }
    }

    /// Every code, for the list of API errors.
    pub const CODES: &'static [&'static str] = &[
        "development.under_age",
        "development.illegal_step",
        "development.step_missing",
        "development.already_done",
        "development.too_early",
        "development.date_before_last_step",
        "development.date_in_future",
        "development.mentors_required",
        "development.sponsors_required",
        "development.training_too_short",
        "development.publicity_too_short",
        "development.vote_invalid",
        "development.quorum_not_met",
        "development.majority_not_met",
        "development.extension_out_of_range",
        "development.extended_already",
    ];
}

/// The state of someone born on `birth_date` who applied on `applied_on` (must be 18 by then).
pub fn start(birth_date: Date, applied_on: Date, today: Date) -> Result<DevState, DevError> {
    if applied_on > today {
        return Err(DevError::DateInFuture);
    }
    if date::age_on(birth_date, applied_on) < 18 {
        return Err(DevError::UnderAge { adult_on: date::birthday(birth_date, 18) });
    }
    Ok(DevState {
        stage: DevStage::Applicant,
        applied_on,
        talked_on: None,
        activist_on: None,
        candidate_on: None,
        reported_on: None,
        reviewed_on: None,
        sponsors: Vec::new(),
        sponsors_on: None,
        trained_on: None,
        pre_reviewed_on: None,
        publicity: None,
        admission_meeting_on: None,
        admitted_on: None,
        admission_late: false,
        probation_ends_on: None,
        extended_months: None,
        full_meeting_on: None,
        full_approved_on: None,
        full_late: false,
        full_on: None,
        cancelled_on: None,
        last_step_on: applied_on,
    })
}

/// The stage a step belongs to (in which it may be taken).
pub(crate) fn stage_of(step: StepKind) -> DevStage {
    use StepKind::*;
    match step {
        Applied | Talked | ActivistChosen => DevStage::Applicant,
        CandidateChosen => DevStage::Activist,
        CandidateReported | PoliticalReview | SponsorsAssigned | Trained | PreReviewed | Publicized
        | AdmissionMeeting | AdmissionApproved => DevStage::Candidate,
        ProbationExtended | FullMeeting | FullApproved | Cancelled => DevStage::Probationary,
    }
}

fn need(done: Option<Date>, step: StepKind, missing: StepKind) -> Result<Date, DevError> {
    done.ok_or(DevError::StepMissing { step: step.label(), missing: missing.label() })
}

fn not_yet(done: bool, step: StepKind) -> Result<(), DevError> {
    if done { Err(DevError::AlreadyDone { step: step.label() }) } else { Ok(()) }
}

fn no_earlier(on: Date, earliest: Date, step: StepKind, rule: &'static str) -> Result<(), DevError> {
    if on < earliest { Err(DevError::TooEarly { step: step.label(), rule, earliest }) } else { Ok(()) }
}

/// Takes `action` on `on`. The state is unchanged on error.
pub fn apply(state: &DevState, action: &DevAction, on: Date, facts: &DevFacts) -> Result<DevState, DevError> {
    use StepKind as K;
    let step = action.kind();
    if state.stage != stage_of(step) {
        return Err(DevError::IllegalStep { stage: state.stage.label(), step: step.label() });
    }
    if on > facts.today {
        return Err(DevError::DateInFuture);
    }
    if on < state.last_step_on {
        return Err(DevError::DateBeforeLastStep { last: state.last_step_on });
    }
    let mut s = state.clone();
    s.last_step_on = on;
    match action {
        DevAction::Talk => {
            not_yet(s.talked_on.is_some(), step)?;
            s.talked_on = Some(on);
        }
        DevAction::ChooseActivist { mentors, .. } => {
            need(s.talked_on, step, K::Talked)?;
            let names: Vec<&str> = mentors.iter().map(|m| m.trim()).collect();
            if names.len() != 2 || names.iter().any(|n| n.is_empty()) || names[0] == names[1] {
                return Err(DevError::MentorsRequired);
            }
            s.activist_on = Some(on);
            s.stage = DevStage::Activist;
        }
        DevAction::ChooseCandidate => {
            let activist_on = need(s.activist_on, step, K::ActivistChosen)?;
            no_earlier(on, add_months(activist_on, 12), step, "入党积极分子须经过1年以上培养教育")?;
            s.candidate_on = Some(on);
            s.stage = DevStage::Candidate;
        }
        DevAction::ReportCandidate => {
            not_yet(s.reported_on.is_some(), step)?;
            s.reported_on = Some(on);
        }
        DevAction::PoliticalReview => {
            not_yet(s.reviewed_on.is_some(), step)?;
            s.reviewed_on = Some(on);
        }
        DevAction::AssignSponsors { sponsors } => {
            not_yet(s.sponsors_on.is_some(), step)?;
            if sponsors.len() != 2 || sponsors[0] == sponsors[1] {
                return Err(DevError::SponsorsRequired);
            }
            s.sponsors = sponsors.clone();
            s.sponsors_on = Some(on);
        }
        DevAction::Train { days, hours } => {
            not_yet(s.trained_on.is_some(), step)?;
            if *days < 3 && *hours < 24 {
                return Err(DevError::TrainingTooShort { days: *days, hours: *hours });
            }
            s.trained_on = Some(on);
        }
        DevAction::PreReview => {
            not_yet(s.pre_reviewed_on.is_some(), step)?;
            need(s.reported_on, step, K::CandidateReported)?;
            need(s.reviewed_on, step, K::PoliticalReview)?;
            need(s.sponsors_on, step, K::SponsorsAssigned)?;
            need(s.trained_on, step, K::Trained)?;
            s.pre_reviewed_on = Some(on);
        }
        DevAction::Publicize { working_days } => {
            not_yet(s.publicity.is_some(), step)?;
            need(s.pre_reviewed_on, step, K::PreReviewed)?;
            if *working_days < facts.min_publicity_days.max(1) {
                return Err(DevError::PublicityTooShort { min: facts.min_publicity_days.max(1) });
            }
            s.publicity = Some((on, add_working_days(on, *working_days)));
        }
        DevAction::AdmissionMeeting(vote) => {
            not_yet(s.admission_meeting_on.is_some(), step)?;
            let (_, last) =
                s.publicity.ok_or(DevError::StepMissing { step: step.label(), missing: K::Publicized.label() })?;
            no_earlier(on, last.succ_opt().expect("valid date"), step, "公示期满后方可召开支部大会")?;
            vote.check()?;
            s.admission_meeting_on = Some(on);
            s.probation_ends_on = Some(add_months(on, 12));
        }
        DevAction::ApproveAdmission => {
            let meeting = need(s.admission_meeting_on, step, K::AdmissionMeeting)?;
            s.admission_late = on > add_months(meeting, 3);
            s.admitted_on = Some(on);
            s.stage = DevStage::Probationary;
        }
        DevAction::ExtendProbation { months } => {
            if s.extended_months.is_some() {
                return Err(DevError::ExtendedAlready);
            }
            if s.full_meeting_on.is_some() {
                return Err(DevError::AlreadyDone { step: K::FullMeeting.label() });
            }
            if !(6..=12).contains(months) {
                return Err(DevError::ExtensionOutOfRange { months: *months });
            }
            let ends = s.probation_ends_on.expect("a probationary member has a probation end");
            no_earlier(on, ends, step, "预备期满时方可讨论延长预备期")?;
            s.extended_months = Some(*months);
            s.probation_ends_on = Some(add_months(ends, *months));
        }
        DevAction::FullMeeting(vote) => {
            not_yet(s.full_meeting_on.is_some(), step)?;
            let ends = s.probation_ends_on.expect("a probationary member has a probation end");
            no_earlier(on, ends, step, "预备期满后方可讨论转正")?;
            vote.check()?;
            s.full_meeting_on = Some(on);
        }
        DevAction::ApproveFull => {
            let meeting = need(s.full_meeting_on, step, K::FullMeeting)?;
            s.full_late = on > add_months(meeting, 3);
            s.full_approved_on = Some(on);
            s.full_on = s.probation_ends_on;
            s.stage = DevStage::Full;
        }
        DevAction::Cancel => {
            s.cancelled_on = Some(on);
            s.stage = DevStage::Cancelled;
        }
    }
    Ok(s)
}
