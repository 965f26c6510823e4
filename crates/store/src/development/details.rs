//! A step's details as stored JSON (the `details` column and the ledger payload), and back.

use qiangji_domain::development::{DevAction, Recommendation, StepKind, Vote};
use qiangji_domain::member::MemberId;
use serde_json::{Value, json};

fn vote_json(v: &Vote) -> Value {
    json!({ "voting_members": v.voting_members, "present": v.present, "in_favour": v.in_favour })
}

/// What `action` carries.
pub(crate) fn details_of(action: &DevAction) -> Value {
    match action {
        DevAction::ChooseActivist { recommendation, mentors } => {
            json!({ "recommendation": recommendation.code(), "mentors": mentors })
        }
        DevAction::AssignSponsors { sponsors } => {
            json!({ "sponsors": sponsors.iter().map(|m| m.0).collect::<Vec<_>>() })
        }
        DevAction::Train { days, hours } => json!({ "days": days, "hours": hours }),
        DevAction::Publicize { working_days } => json!({ "working_days": working_days }),
        DevAction::AdmissionMeeting(v) | DevAction::FullMeeting(v) => vote_json(v),
        DevAction::ExtendProbation { months } => json!({ "months": months }),
        DevAction::Talk
        | DevAction::ChooseCandidate
        | DevAction::ReportCandidate
        | DevAction::PoliticalReview
        | DevAction::PreReview
        | DevAction::ApproveAdmission
        | DevAction::ApproveFull
        | DevAction::Cancel => json!({}),
    }
}

fn num(v: &Value, key: &str) -> Result<u32, String> {
    v[key].as_u64().and_then(|n| u32::try_from(n).ok()).ok_or_else(|| format!("缺少{key}"))
}

fn vote_of(v: &Value) -> Result<Vote, String> {
    Ok(Vote { voting_members: num(v, "voting_members")?, present: num(v, "present")?, in_favour: num(v, "in_favour")? })
}

/// The action a stored step took; `None` for the application itself (it starts the state).
pub(crate) fn action_of(kind: StepKind, v: &Value) -> Result<Option<DevAction>, String> {
    use StepKind as K;
    Ok(Some(match kind {
        K::Applied => return Ok(None),
        K::Talked => DevAction::Talk,
        K::ActivistChosen => DevAction::ChooseActivist {
            recommendation: Recommendation::parse(v["recommendation"].as_str().unwrap_or_default())
                .map_err(|e| e.to_string())?,
            mentors: v["mentors"]
                .as_array()
                .ok_or("缺少mentors")?
                .iter()
                .map(|m| m.as_str().unwrap_or_default().to_owned())
                .collect(),
        },
        K::CandidateChosen => DevAction::ChooseCandidate,
        K::CandidateReported => DevAction::ReportCandidate,
        K::PoliticalReview => DevAction::PoliticalReview,
        K::SponsorsAssigned => DevAction::AssignSponsors {
            sponsors: v["sponsors"]
                .as_array()
                .ok_or("缺少sponsors")?
                .iter()
                .filter_map(Value::as_i64)
                .map(MemberId)
                .collect(),
        },
        K::Trained => DevAction::Train { days: num(v, "days")?, hours: num(v, "hours")? },
        K::PreReviewed => DevAction::PreReview,
        K::Publicized => DevAction::Publicize { working_days: num(v, "working_days")? },
        K::AdmissionMeeting => DevAction::AdmissionMeeting(vote_of(v)?),
        K::AdmissionApproved => DevAction::ApproveAdmission,
        K::ProbationExtended => DevAction::ExtendProbation { months: num(v, "months")? },
        K::FullMeeting => DevAction::FullMeeting(vote_of(v)?),
        K::FullApproved => DevAction::ApproveFull,
        K::Cancelled => DevAction::Cancel,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_survives_the_round_trip() {
        let actions = [
            DevAction::Talk,
            DevAction::ChooseActivist {
                recommendation: Recommendation::MassOrganization,
                mentors: vec!["甲".into(), "乙".into()],
            },
            DevAction::ChooseCandidate,
            DevAction::ReportCandidate,
            DevAction::PoliticalReview,
            DevAction::AssignSponsors { sponsors: vec![MemberId(3), MemberId(9)] },
            DevAction::Train { days: 3, hours: 20 },
            DevAction::PreReview,
            DevAction::Publicize { working_days: 7 },
            DevAction::AdmissionMeeting(Vote { voting_members: 9, present: 8, in_favour: 7 }),
            DevAction::ApproveAdmission,
            DevAction::ExtendProbation { months: 6 },
            DevAction::FullMeeting(Vote { voting_members: 5, present: 4, in_favour: 3 }),
            DevAction::ApproveFull,
            DevAction::Cancel,
        ];
        assert_eq!(actions.len(), StepKind::ALL.len() - 1);
        for a in actions {
            assert_eq!(action_of(a.kind(), &details_of(&a)).unwrap(), Some(a));
        }
    }
}
