//! What each person owes next: the steps that may be taken now, each with the earliest and latest
//! date the 细则 allows, and the warnings to show (overdue, approved late).

use super::calendar::add_months;
use super::{DevStage, DevState, StepKind};
use crate::date::Date;

/// A step that may be taken next, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    pub step: StepKind,
    /// Not before this date (a step dated earlier is refused as too early).
    pub earliest: Date,
    /// Due by this date; later is overdue (but still allowed and recorded).
    pub latest: Option<Date>,
}

/// Something to draw attention to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DevWarning {
    /// A step with a deadline that has passed.
    Overdue { step: StepKind, due: Date },
    /// The higher committee approved the admission more than 3 months after the meeting.
    AdmissionApprovedLate,
    /// The higher committee approved full membership more than 3 months after the meeting.
    FullApprovedLate,
}

impl DevWarning {
    pub fn code(self) -> &'static str {
        match self {
            DevWarning::Overdue { .. } => "overdue",
            DevWarning::AdmissionApprovedLate => "admission_approved_late",
            DevWarning::FullApprovedLate => "full_approved_late",
        }
    }

    pub fn message(self) -> String {
        match self {
            DevWarning::Overdue { step, due } => format!("“{}”应于{due}前完成，已逾期", step.label()),
            DevWarning::AdmissionApprovedLate => "上级党委审批接收预备党员超过3个月".into(),
            DevWarning::FullApprovedLate => "上级党委审批转正超过3个月".into(),
        }
    }
}

/// The steps that may be taken next in `state`, in the 细则's order, and the warnings as of `today`.
pub fn next_steps(s: &DevState, today: Date) -> (Vec<Due>, Vec<DevWarning>) {
    use StepKind as K;
    let mut due = Vec::new();
    let after = |d: Date| d.max(s.last_step_on);
    match s.stage {
        DevStage::Applicant => match s.talked_on {
            None => {
                due.push(Due { step: K::Talked, earliest: s.last_step_on, latest: Some(add_months(s.applied_on, 1)) })
            }
            Some(_) => due.push(Due { step: K::ActivistChosen, earliest: s.last_step_on, latest: None }),
        },
        DevStage::Activist => {
            let activist_on = s.activist_on.expect("an activist has the date they became one");
            due.push(Due { step: K::CandidateChosen, earliest: after(add_months(activist_on, 12)), latest: None });
        }
        DevStage::Candidate => {
            let pending = [
                (s.reported_on, K::CandidateReported),
                (s.reviewed_on, K::PoliticalReview),
                (s.sponsors_on, K::SponsorsAssigned),
                (s.trained_on, K::Trained),
            ];
            let open: Vec<StepKind> = pending.iter().filter(|(d, _)| d.is_none()).map(|&(_, k)| k).collect();
            if !open.is_empty() {
                due.extend(open.into_iter().map(|step| Due { step, earliest: s.last_step_on, latest: None }));
            } else if s.pre_reviewed_on.is_none() {
                due.push(Due { step: K::PreReviewed, earliest: s.last_step_on, latest: None });
            } else if s.publicity.is_none() {
                due.push(Due { step: K::Publicized, earliest: s.last_step_on, latest: None });
            } else if let (None, Some((_, last))) = (s.admission_meeting_on, s.publicity) {
                let earliest = after(last.succ_opt().expect("valid date"));
                due.push(Due { step: K::AdmissionMeeting, earliest, latest: None });
            } else if let Some(meeting) = s.admission_meeting_on {
                due.push(Due {
                    step: K::AdmissionApproved,
                    earliest: s.last_step_on,
                    latest: Some(add_months(meeting, 3)),
                });
            }
        }
        DevStage::Probationary => {
            let ends = s.probation_ends_on.expect("a probationary member has a probation end");
            match s.full_meeting_on {
                None => {
                    due.push(Due { step: K::FullMeeting, earliest: after(ends), latest: None });
                    if s.extended_months.is_none() {
                        due.push(Due { step: K::ProbationExtended, earliest: after(ends), latest: None });
                    }
                }
                Some(meeting) => due.push(Due {
                    step: K::FullApproved,
                    earliest: s.last_step_on,
                    latest: Some(add_months(meeting, 3)),
                }),
            }
            due.push(Due { step: K::Cancelled, earliest: s.last_step_on, latest: None });
        }
        DevStage::Full | DevStage::Cancelled => {}
    }
    let mut warnings: Vec<DevWarning> = due
        .iter()
        .filter_map(|d| d.latest.filter(|&l| l < today).map(|l| DevWarning::Overdue { step: d.step, due: l }))
        .collect();
    if s.admission_late {
        warnings.push(DevWarning::AdmissionApprovedLate);
    }
    if s.full_late {
        warnings.push(DevWarning::FullApprovedLate);
    }
    (due, warnings)
}

/// The steps that may be recorded now (dates aside): what a form offers.
pub fn legal_steps(s: &DevState) -> Vec<StepKind> {
    next_steps(s, s.last_step_on).0.into_iter().map(|d| d.step).collect()
}
