//! 组织关系转接 as a state machine (SPEC §4): which step may follow which, by which side, and what
//! each step does to the member's membership. Pure: the store applies the outcome in one transaction.
//!
//! A member in transit stays counted where they are until the receiving side takes them in
//! (internal), or until the receipt of a letter to outside comes back (outbound) — counted once,
//! never twice or zero. An inbound transfer starts with the member taken in.

mod letter;

pub use letter::{DEFAULT_VALID_MONTHS, LetterError, MAX_VALID_MONTHS, Serial, TransferLetter, validity_until};

use crate::code_enum;
use crate::date::Date;

/// Typed id of a transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TransferId(pub i64);

code_enum!(
    /// Where the membership goes: inside this deployment, to outside it, or from outside into it.
    Direction, "transfer_direction", {
    Internal = ("internal", "系统内转接"),
    Outbound = ("outbound", "转出本系统"),
    Inbound = ("inbound", "从系统外转入"),
});

code_enum!(
    /// 转接状态. `Withdrawn`, `Rejected`, `Expired` and `Completed` are final.
    TransferState, "transfer_state", {
    Requested = ("requested", "已申请，待转出方审批"),
    Returned = ("returned", "已退回修改"),
    Approved = ("approved", "转出方已审批，待开介绍信"),
    LetterIssued = ("letter_issued", "已开介绍信，在途"),
    Received = ("received", "转入方已接收，待报到"),
    Reported = ("reported", "已报到，待回执"),
    Completed = ("completed", "已办结"),
    Withdrawn = ("withdrawn", "已撤回"),
    Rejected = ("rejected", "不予办理"),
    Expired = ("expired", "介绍信逾期失效"),
});

impl TransferState {
    /// Still being handled: at most one open transfer per member.
    pub fn is_open(self) -> bool {
        !matches!(self, Self::Completed | Self::Withdrawn | Self::Rejected | Self::Expired)
    }

    /// The member is on the way: the letter is out and the other side has not taken them in.
    pub fn in_transit(self) -> bool {
        self == Self::LetterIssued
    }
}

code_enum!(
    /// A step of a transfer.
    TransferAction, "transfer_action", {
    Approve = ("approve", "转出方审批同意"),
    SendBack = ("send_back", "退回修改"),
    Resubmit = ("resubmit", "修改后重新提交"),
    IssueLetter = ("issue_letter", "开具介绍信"),
    Receive = ("receive", "转入方接收"),
    Report = ("report", "党员报到"),
    ReturnReceipt = ("return_receipt", "回执返回"),
    Withdraw = ("withdraw", "撤回"),
    Reject = ("reject", "不予办理"),
    Expire = ("expire", "介绍信逾期作废"),
});

/// Which side of a transfer an actor is on. An actor who sees both organizations (an
/// organization department above both) may act for either.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Sending,
    Receiving,
}

impl Side {
    /// Stable code, as stored in the step log.
    pub fn code(self) -> &'static str {
        match self {
            Side::Sending => "sending",
            Side::Receiving => "receiving",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Side::Sending => "转出方",
            Side::Receiving => "转入方",
        }
    }
}

/// What a step does to the member's organization membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Nothing: the member stays where they are counted.
    None,
    /// The membership moves from the sending to the receiving organization (internal receive).
    Move,
    /// The membership in the sending organization ends: the member is now counted outside
    /// (outbound receipt).
    Leave,
}

/// Why a step was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransferError {
    #[error("转接当前为“{}”，不能{}", .state.label(), .action.label())]
    Illegal { state: TransferState, action: TransferAction },
    #[error("{}不能{}，应由{}办理", .side.label(), .action.label(), .side.other().label())]
    WrongSide { side: Side, action: TransferAction },
    #[error("{}转接不需要“{}”这一步", .direction.label(), .action.label())]
    NotForDirection { direction: Direction, action: TransferAction },
    #[error("介绍信有效期至{until}，已过期，不能再接收；请作废后重新办理")]
    LetterExpired { until: Date },
    #[error("介绍信有效期至{until}，尚未过期，不能作废")]
    NotYetExpired { until: Date },
    #[error("日期{on}早于上一步的日期{last}")]
    BeforeLastStep { on: Date, last: Date },
}

impl TransferError {
    /// The stable API code of the refusal.
    pub fn code(&self) -> &'static str {
        match self {
            TransferError::Illegal { .. } => "transfer.illegal_step",
            TransferError::WrongSide { .. } => "transfer.wrong_side",
            TransferError::NotForDirection { .. } => "transfer.not_for_direction",
            TransferError::LetterExpired { .. } => "transfer.letter_expired",
            TransferError::NotYetExpired { .. } => "transfer.not_yet_expired",
            TransferError::BeforeLastStep { .. } => "transfer.date_before_last_step",
        }
    }
}

impl Side {
    fn other(self) -> Side {
        match self {
            Side::Sending => Side::Receiving,
            Side::Receiving => Side::Sending,
        }
    }
}

/// A transfer as far as the state machine needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub direction: Direction,
    pub state: TransferState,
    /// The last day of the letter's validity, once issued.
    pub valid_until: Option<Date>,
    /// The date of the latest step.
    pub last_step_on: Date,
}

/// The outcome of an allowed step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub state: TransferState,
    pub effect: Effect,
}

/// The table of the machine: from which states an action leads where, done by which side, for a
/// direction; `None` when the direction has no such step. Everything not listed is refused.
fn rule(action: TransferAction, direction: Direction) -> Option<(&'static [TransferState], TransferState, Side)> {
    use Direction::*;
    use TransferAction as A;
    use TransferState::*;
    let sending = matches!(direction, Internal | Outbound);
    Some(match action {
        A::Approve if sending => (&[Requested], Approved, Side::Sending),
        A::SendBack if sending => (&[Requested], Returned, Side::Sending),
        A::Resubmit if sending => (&[Returned], Requested, Side::Sending),
        A::IssueLetter if sending => (&[Approved], LetterIssued, Side::Sending),
        A::Withdraw if sending => (&[Requested, Returned, Approved, LetterIssued], Withdrawn, Side::Sending),
        A::Reject if sending => (&[Requested], Rejected, Side::Sending),
        A::Expire if sending => (&[LetterIssued], Expired, Side::Sending),
        A::Receive if direction == Internal => (&[LetterIssued], Received, Side::Receiving),
        A::Report if direction != Outbound => (&[Received], Reported, Side::Receiving),
        A::ReturnReceipt if direction != Outbound => (&[Reported], Completed, Side::Receiving),
        // A letter to outside: the sending side registers the receipt that came back by post,
        // which tells that the member was taken in and reported there.
        A::ReturnReceipt => (&[LetterIssued], Completed, Side::Sending),
        _ => return None,
    })
}

/// Whether `side` may take `action` now (dates aside): for offering only the legal next steps.
pub fn offered(p: &Progress, side: Side, action: TransferAction) -> bool {
    check(p, side, action).is_ok()
}

fn check(p: &Progress, side: Side, action: TransferAction) -> Result<TransferState, TransferError> {
    let Some((from, to, by)) = rule(action, p.direction) else {
        return Err(TransferError::NotForDirection { direction: p.direction, action });
    };
    if !from.contains(&p.state) {
        return Err(TransferError::Illegal { state: p.state, action });
    }
    if side != by {
        return Err(TransferError::WrongSide { side, action });
    }
    Ok(to)
}

/// The legal steps for `side` now, in the order a user would take them.
pub fn next_actions(p: &Progress, side: Side) -> Vec<TransferAction> {
    TransferAction::ALL.iter().copied().filter(|&a| offered(p, side, a)).collect()
}

/// Applies `action` taken by `side` on `on`: the new state and what happens to the membership,
/// or why it is refused.
pub fn apply(p: &Progress, side: Side, action: TransferAction, on: Date) -> Result<Outcome, TransferError> {
    let state = check(p, side, action)?;
    if on < p.last_step_on {
        return Err(TransferError::BeforeLastStep { on, last: p.last_step_on });
    }
    match (action, p.valid_until) {
        (TransferAction::Receive, Some(until)) if on > until => return Err(TransferError::LetterExpired { until }),
        (TransferAction::Expire, Some(until)) if on <= until => return Err(TransferError::NotYetExpired { until }),
        _ => {}
    }
    let effect = match (action, p.direction) {
        (TransferAction::Receive, Direction::Internal) => Effect::Move,
        (TransferAction::ReturnReceipt, Direction::Outbound) => Effect::Leave,
        _ => Effect::None,
    };
    Ok(Outcome { state, effect })
}

code_enum!(
    /// What needs attention on a transfer (SPEC §4 warnings).
    TransferWarning, "transfer_warning", {
    LetterExpiring = ("letter_expiring", "介绍信即将到期"),
    LetterExpired = ("letter_expired", "介绍信已过有效期"),
    NotReported = ("not_reported", "接收后逾期未报到"),
    ReceiptMissing = ("receipt_missing", "回执逾期未返回"),
});

/// Days before a letter's validity ends from which it is flagged.
pub const EXPIRING_WITHIN_DAYS: u64 = 7;

/// The warnings of a transfer on `today`. `issued_on` and `received_on` are the dates of those steps.
pub fn warnings(p: &Progress, issued_on: Option<Date>, received_on: Option<Date>, today: Date) -> Vec<TransferWarning> {
    let month_after = |d: Date| d.checked_add_months(chrono::Months::new(1)).unwrap_or(d);
    let mut out = Vec::new();
    if p.state == TransferState::LetterIssued
        && let Some(until) = p.valid_until
    {
        if today > until {
            out.push(TransferWarning::LetterExpired);
        } else if today + chrono::Days::new(EXPIRING_WITHIN_DAYS) > until {
            out.push(TransferWarning::LetterExpiring);
        }
        // A letter to outside: its receipt is due back within a month of issue.
        if p.direction == Direction::Outbound && issued_on.is_some_and(|d| today > month_after(d)) {
            out.push(TransferWarning::ReceiptMissing);
        }
    }
    if p.state == TransferState::Received && received_on.is_some_and(|d| today > month_after(d)) {
        out.push(TransferWarning::NotReported);
    }
    out
}

#[cfg(test)]
mod tests;
