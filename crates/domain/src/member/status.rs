//! 党籍状态 changes (SPEC §4): which change may follow which, and what each needs — a reason
//! always, and the approving body and date for everything but a death.

use super::MemberStatus;
use crate::date::Date;

/// A requested change of a member's status, effective `on`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    pub to: MemberStatus,
    pub on: Date,
    pub reason: String,
    /// 批准机关 and the day it approved; a death is recorded without.
    pub approved_by: String,
    pub approved_on: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusError {
    #[error("党籍状态不能由“{}”变更为“{}”", .from.label(), .to.label())]
    Illegal { from: MemberStatus, to: MemberStatus },
    #[error("变更党籍状态须填写原因")]
    ReasonMissing,
    #[error("“{}”须填写批准机关和批准日期", .0.label())]
    ApprovalMissing(MemberStatus),
    #[error("变更日期和批准日期不能晚于今天")]
    InFuture,
    #[error("取消预备党员资格请在发展党员中登记")]
    ViaDevelopment,
}

impl StatusError {
    pub fn code(&self) -> &'static str {
        match self {
            StatusError::Illegal { .. } => "member.status_illegal",
            StatusError::ReasonMissing => "member.reason_missing",
            StatusError::ApprovalMissing(_) => "member.approval_missing",
            StatusError::InFuture => "member.date_in_future",
            StatusError::ViaDevelopment => "member.status_via_development",
        }
    }
}

impl MemberStatus {
    /// Whether a member of this status may become `to`: suspension and restoration go back and
    /// forth; leaving (any of the four ways) and death end the record — a readmission is a new one.
    /// A cancelled probationary membership comes only from the development pipeline.
    pub fn may_become(self, to: MemberStatus) -> bool {
        if to == MemberStatus::LeftCancelled {
            return false;
        }
        match self {
            MemberStatus::Active => to != MemberStatus::Active,
            MemberStatus::Suspended => to != MemberStatus::Suspended,
            _ => false,
        }
    }
}

impl StatusChange {
    pub fn new(to: MemberStatus, on: Date, reason: &str) -> StatusChange {
        StatusChange { to, on, reason: reason.trim().to_owned(), approved_by: String::new(), approved_on: None }
    }

    pub fn approved(mut self, by: &str, on: Date) -> StatusChange {
        self.approved_by = by.trim().to_owned();
        self.approved_on = Some(on);
        self
    }

    /// Checks the change against the member's current status on `today`.
    pub fn check(&self, from: MemberStatus, today: Date) -> Result<(), StatusError> {
        if self.to == MemberStatus::LeftCancelled {
            return Err(StatusError::ViaDevelopment);
        }
        if !from.may_become(self.to) {
            return Err(StatusError::Illegal { from, to: self.to });
        }
        if self.reason.is_empty() {
            return Err(StatusError::ReasonMissing);
        }
        let approved = !self.approved_by.is_empty() && self.approved_on.is_some();
        if self.to != MemberStatus::Deceased && !approved {
            return Err(StatusError::ApprovalMissing(self.to));
        }
        if self.on > today || self.approved_on.is_some_and(|d| d > today) {
            return Err(StatusError::InFuture);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::parse;

    fn d(s: &str) -> Date {
        parse(s).unwrap()
    }

    #[test]
    fn every_pair_of_statuses_is_allowed_exactly_as_the_rules_say() {
        use MemberStatus::*;
        let legal = [
            (Active, Suspended),
            (Active, LeftExpelled),
            (Active, LeftRemoved),
            (Active, LeftSelfWithdrawal),
            (Active, LeftVoluntary),
            (Active, Deceased),
            (Suspended, Active),
            (Suspended, LeftExpelled),
            (Suspended, LeftRemoved),
            (Suspended, LeftSelfWithdrawal),
            (Suspended, LeftVoluntary),
            (Suspended, Deceased),
        ];
        for &from in MemberStatus::ALL {
            for &to in MemberStatus::ALL {
                let change = StatusChange::new(to, d("2026-01-05"), "原因").approved("中共某区委", d("2026-01-05"));
                let got = change.check(from, d("2026-02-01"));
                if to == LeftCancelled {
                    assert_eq!(got, Err(StatusError::ViaDevelopment), "only the pipeline cancels");
                } else if legal.contains(&(from, to)) {
                    assert_eq!(got, Ok(()), "{from:?} → {to:?}");
                } else {
                    assert_eq!(got, Err(StatusError::Illegal { from, to }), "{from:?} → {to:?}");
                }
            }
        }
    }

    #[test]
    fn changes_need_a_reason_and_all_but_death_an_approval() {
        let today = d("2026-02-01");
        let on = d("2026-01-05");
        let active = MemberStatus::Active;
        let bare = StatusChange::new(MemberStatus::LeftExpelled, on, "严重违纪");
        assert_eq!(bare.check(active, today), Err(StatusError::ApprovalMissing(MemberStatus::LeftExpelled)));
        assert_eq!(bare.clone().approved(" ", on).check(active, today).unwrap_err().code(), "member.approval_missing");
        assert_eq!(bare.clone().approved("中共某区纪委", on).check(active, today), Ok(()));
        assert_eq!(StatusChange::new(MemberStatus::Deceased, on, "因病去世").check(active, today), Ok(()));
        assert_eq!(
            StatusChange::new(MemberStatus::Deceased, on, " ").check(active, today),
            Err(StatusError::ReasonMissing)
        );
        let late = bare.approved("中共某区纪委", d("2026-02-02"));
        assert_eq!(late.check(active, today), Err(StatusError::InFuture));
    }
}
