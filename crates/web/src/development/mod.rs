//! 发展党员 pages: the pipeline of a subtree with this year's plan, registering an application and
//! setting the plan (`list.rs`), one person's timeline and recording their next step (`show.rs`).
//! Reading a step from a form or a JSON body is shared with the API here.

pub mod list;
pub mod show;

use crate::error::AppError;
use axum::http::StatusCode;
use qiangji_domain::Date;
use qiangji_domain::development::{DevAction, DevWarning, Recommendation, StepKind, Vote, next_steps};
use qiangji_domain::member::MemberId;
use qiangji_store::development::Developee;

/// A step as entered, from a form or a JSON body: strings and lists, so every problem can be said.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct StepInput {
    pub step: String,
    pub on: String,
    pub recommendation: String,
    pub mentors: Vec<String>,
    pub sponsors: Vec<i64>,
    pub days: String,
    pub hours: String,
    pub working_days: String,
    pub voting_members: String,
    pub present: String,
    pub in_favour: String,
    pub months: String,
    pub reason: String,
}

fn invalid(message: String) -> AppError {
    AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "development.input_invalid", message)
}

fn number(raw: &str, label: &str, empty: Option<u32>) -> Result<u32, AppError> {
    match (raw.trim(), empty) {
        ("", Some(n)) => Ok(n),
        ("", None) => Err(invalid(format!("请填写{label}"))),
        (s, _) => s.parse().map_err(|_| invalid(format!("{label}应为不小于0的整数，收到：{s}"))),
    }
}

impl StepInput {
    /// The step and its date; field problems are `development.input_invalid`, the 细则's rules
    /// are left to the domain.
    pub fn parse(&self) -> Result<(DevAction, Date), AppError> {
        let kind = StepKind::parse(self.step.trim())
            .map_err(|_| invalid(format!("请选择要登记的步骤（收到：{}）", self.step)))?;
        let on = qiangji_domain::date::parse(&self.on)
            .ok_or_else(|| invalid("日期格式应为 年-月-日，例如 2024-07-01".into()))?;
        let vote = || -> Result<Vote, AppError> {
            Ok(Vote {
                voting_members: number(&self.voting_members, "应到会有表决权的党员人数", None)?,
                present: number(&self.present, "实到会有表决权的党员人数", None)?,
                in_favour: number(&self.in_favour, "赞成人数", None)?,
            })
        };
        let action = match kind {
            StepKind::Applied => return Err(invalid("入党申请请在发展党员页面登记".into())),
            StepKind::Talked => DevAction::Talk,
            StepKind::ActivistChosen => DevAction::ChooseActivist {
                recommendation: Recommendation::parse(self.recommendation.trim())
                    .map_err(|_| invalid("请选择推荐方式（党员推荐或群团组织推优）".into()))?,
                mentors: self.mentors.iter().map(|m| m.trim().to_owned()).filter(|m| !m.is_empty()).collect(),
            },
            StepKind::CandidateChosen => DevAction::ChooseCandidate,
            StepKind::CandidateReported => DevAction::ReportCandidate,
            StepKind::PoliticalReview => DevAction::PoliticalReview,
            StepKind::SponsorsAssigned => {
                DevAction::AssignSponsors { sponsors: self.sponsors.iter().copied().map(MemberId).collect() }
            }
            StepKind::Trained => DevAction::Train {
                days: number(&self.days, "培训天数", Some(0))?,
                hours: number(&self.hours, "培训学时", Some(0))?,
            },
            StepKind::PreReviewed => DevAction::PreReview,
            StepKind::Publicized => {
                DevAction::Publicize { working_days: number(&self.working_days, "公示工作日数", Some(5))? }
            }
            StepKind::AdmissionMeeting => DevAction::AdmissionMeeting(vote()?),
            StepKind::AdmissionApproved => DevAction::ApproveAdmission,
            StepKind::ProbationExtended => {
                DevAction::ExtendProbation { months: number(&self.months, "延长月数", None)? }
            }
            StepKind::FullMeeting => DevAction::FullMeeting(vote()?),
            StepKind::FullApproved => DevAction::ApproveFull,
            StepKind::Cancelled => DevAction::Cancel,
        };
        Ok((action, on))
    }
}

/// A developee as a row of the pipeline: stage, the next steps with their dates, warnings.
pub struct Row {
    pub id: i64,
    pub name: String,
    pub org_id: i64,
    pub org_name: String,
    pub stage: &'static str,
    pub stage_code: &'static str,
    pub applied_on: String,
    /// "谈话（2024-03-01至2024-04-01）; …"
    pub next: String,
    /// The nearest deadline, if any.
    pub due: String,
    pub warnings: Vec<String>,
}

/// How a due step is said: "步骤（最早…，最迟…）".
pub fn due_text(d: &qiangji_domain::development::Due) -> String {
    match d.latest {
        Some(l) => format!("{}（{}至{}）", d.step.label(), d.earliest, l),
        None => format!("{}（{}起）", d.step.label(), d.earliest),
    }
}

pub fn row(d: &Developee, today: Date) -> Row {
    let (due, warnings) = next_steps(&d.state, today);
    Row {
        id: d.id.0,
        name: d.applicant.fields.name.clone(),
        org_id: d.org_id.0,
        org_name: d.org_name.clone(),
        stage: d.state.stage.label(),
        stage_code: d.state.stage.code(),
        applied_on: d.applicant.applied_on.to_string(),
        next: due.iter().map(due_text).collect::<Vec<_>>().join("；"),
        due: due.iter().filter_map(|d| d.latest).min().map(|d| d.to_string()).unwrap_or_default(),
        warnings: warnings.iter().map(|w: &DevWarning| w.message()).collect(),
    }
}

// Steps whose form fields the page shows only when they are on offer.
pub const ACTIVIST: &StepKind = &StepKind::ActivistChosen;
pub const SPONSORS: &StepKind = &StepKind::SponsorsAssigned;
pub const TRAINED: &StepKind = &StepKind::Trained;
pub const PUBLICIZED: &StepKind = &StepKind::Publicized;
pub const ADMISSION_MEETING: &StepKind = &StepKind::AdmissionMeeting;
pub const FULL_MEETING: &StepKind = &StepKind::FullMeeting;
pub const EXTENDED: &StepKind = &StepKind::ProbationExtended;
