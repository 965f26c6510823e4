//! Floating members (流动党员): a member who has gone to work, study or live elsewhere without
//! transferring their membership. The sending side registers an outflow (流出) and keeps in
//! contact; the receiving side registers an inflow (流入). This module holds the registrations as
//! entered and validated, the small state machine that refuses illegal steps, the warnings
//! (should transfer, no recent contact), and the matching of police / market-regulation / tax
//! registry extracts against members (`registry`).
//!
//! What does not belong here: storing registrations, deciding who may see them, and the pages.

mod input;
pub mod registry;
mod state;

pub use input::{Contact, ContactInput, End, EndInput, Inflow, InflowInput, Outflow, OutflowInput};
pub use state::{FloatingState, Open, warnings};

use crate::code_enum;
use crate::id_number::IdNumberError;

/// A stored registration (outflow or inflow).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FloatingId(pub i64);

code_enum!(
    /// Which side registered it: the member's own organization (流出) or the host (流入).
    Direction, "floating_direction", {
    Outflow = ("outflow", "流出"),
    Inflow = ("inflow", "流入"),
});

code_enum!(
    /// 外出原因, as on the 流动党员登记表.
    OutflowReason, "outflow_reason", {
    Business = ("business", "务工经商"),
    Study = ("study", "就学"),
    Accompany = ("accompany", "随迁"),
    Other = ("other", "其他"),
});

code_enum!(
    /// How the organization kept in touch.
    ContactWay, "contact_way", {
    Phone = ("phone", "电话"),
    Online = ("online", "网络（微信、短信等）"),
    Visit = ("visit", "走访或见面"),
    Letter = ("letter", "书信"),
    Other = ("other", "其他"),
});

code_enum!(
    /// How a registration ended.
    EndReason, "floating_end_reason", {
    Returned = ("returned", "已返回（离开流入地）"),
    Transferred = ("transferred", "已转接组织关系"),
});

code_enum!(
    /// What an open outflow should make its organization look at.
    FloatingWarning, "floating_warning", {
    ShouldTransfer = ("should_transfer", "外出满6个月且地点固定，应转接组织关系"),
    NoRecentContact = ("no_recent_contact", "近3个月没有联系记录"),
});

/// Why a floating-member step is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FloatingError {
    #[error("该党员已登记流出（自{since}起），须先结束上一次流出再登记")]
    AlreadyOut { since: crate::Date },
    #[error("该党员当前没有登记流出")]
    NotOut,
    #[error("该党员已登记流入（自{since}起），须先结束上一次流入再登记")]
    AlreadyIn { since: crate::Date },
    #[error("当前没有登记流入")]
    NotIn,
    #[error("{field_label}格式应为 年-月-日，例如 2026-03-01")]
    DateInvalid { field_label: &'static str },
    #[error("{field_label}不能晚于今天")]
    DateInFuture { field_label: &'static str },
    #[error("{later}不能早于{earlier}（{on}）")]
    DateOrder { later: &'static str, earlier: &'static str, on: crate::Date },
    #[error("请填写{field_label}")]
    Missing { field_label: &'static str },
    #[error("{field_label}过长（最多{max}字）")]
    TooLong { field_label: &'static str, max: usize },
    #[error("未知的{field_label}：{value}")]
    UnknownCode { field_label: &'static str, value: String },
    #[error("联系电话格式不正确")]
    PhoneInvalid,
    #[error("{0}")]
    IdNumber(IdNumberError),
    #[error("流入地组织不能是该党员自己所在的组织")]
    HostIsHome,
    #[error("操作无法识别：{0}（应为 outflow、inflow、contact、end 之一）")]
    ActionUnknown(String),
}

impl FloatingError {
    /// Stable machine code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            FloatingError::AlreadyOut { .. } => "floating.already_out",
            FloatingError::NotOut => "floating.not_out",
            FloatingError::AlreadyIn { .. } => "floating.already_in",
            FloatingError::NotIn => "floating.not_in",
            FloatingError::DateInvalid { .. } => "floating.date_invalid",
            FloatingError::DateInFuture { .. } => "floating.date_in_future",
            FloatingError::DateOrder { .. } => "floating.date_order",
            FloatingError::Missing { .. } => "floating.field_missing",
            FloatingError::TooLong { .. } => "floating.field_too_long",
            FloatingError::UnknownCode { .. } => "floating.code_unknown",
            FloatingError::PhoneInvalid => "floating.phone_invalid",
            FloatingError::IdNumber(_) => "floating.id_number_invalid",
            FloatingError::HostIsHome => "floating.host_is_home",
            FloatingError::ActionUnknown(_) => "floating.action_unknown",
        }
    }

    /// Every code, for the API's list of error codes.
    pub const CODES: &'static [&'static str] = &[
        "floating.already_out",
        "floating.not_out",
        "floating.already_in",
        "floating.not_in",
        "floating.date_invalid",
        "floating.date_in_future",
        "floating.date_order",
        "floating.field_missing",
        "floating.field_too_long",
        "floating.code_unknown",
        "floating.phone_invalid",
        "floating.id_number_invalid",
        "floating.host_is_home",
        "floating.action_unknown",
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_set_parses_back_and_every_error_code_is_listed() {
        for &r in OutflowReason::ALL {
            assert_eq!(OutflowReason::parse(r.code()), Ok(r));
        }
        for &w in ContactWay::ALL {
            assert_eq!(ContactWay::parse(w.code()), Ok(w));
        }
        assert_eq!(OutflowReason::Business.label(), "务工经商");
        let d = crate::date::parse("2026-01-01").unwrap();
        let all = [
            FloatingError::AlreadyOut { since: d },
            FloatingError::NotOut,
            FloatingError::AlreadyIn { since: d },
            FloatingError::NotIn,
            FloatingError::DateInvalid { field_label: "x" },
            FloatingError::DateInFuture { field_label: "x" },
            FloatingError::DateOrder { later: "x", earlier: "y", on: d },
            FloatingError::Missing { field_label: "x" },
            FloatingError::TooLong { field_label: "x", max: 1 },
            FloatingError::UnknownCode { field_label: "x", value: "y".into() },
            FloatingError::PhoneInvalid,
            FloatingError::IdNumber(IdNumberError::Length),
            FloatingError::HostIsHome,
            FloatingError::ActionUnknown("x".into()),
        ];
        let codes: Vec<_> = all.iter().map(FloatingError::code).collect();
        assert_eq!(codes, FloatingError::CODES);
    }
}
