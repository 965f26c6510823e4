//! Host entities (两新组织, SPEC §8): the non-public enterprises, social organizations and sole
//! traders in an organization department's area, kept in a registry (台账) under the Party
//! organization whose area they are in. This module holds the entity as entered and validated
//! (with its 统一社会信用代码, `credit_code`), and the reconciliation of registry extracts from
//! market regulation (市场监管) and civil affairs (民政) against the registry (`reconcile`).
//!
//! What does not belong here: storing entities, deciding who may see them, and the pages.

pub mod credit_code;
pub mod reconcile;

pub use credit_code::{CreditCode, CreditCodeError};

use crate::Date;
use crate::code_enum;

/// A stored host entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HostEntityId(pub i64);

code_enum!(
    /// 类型: what kind of host entity it is.
    HostEntityKind, "host_entity_kind", {
    Enterprise = ("enterprise", "企业"),
    SocialOrg = ("social_org", "社会组织"),
    SoleTrader = ("sole_trader", "个体工商户"),
    Other = ("other", "其他"),
});

code_enum!(
    /// 登记状态 as the registries keep it.
    EntityStatus, "host_entity_status", {
    Active = ("active", "存续（在业）"),
    Deregistered = ("deregistered", "注销"),
    Revoked = ("revoked", "吊销"),
});

impl EntityStatus {
    /// Whether the entity still exists (存续、在业、开业、正常).
    pub fn is_active(self) -> bool {
        self == EntityStatus::Active
    }

    /// The status a registry writes (登记状态, 经营状态): 注销 or 吊销 (also 撤销), else active when
    /// it says 存续, 在业, 开业, 正常 or 登记; None when it cannot be told.
    pub fn from_registry(text: &str) -> Option<EntityStatus> {
        let t = text.trim();
        if t.contains("吊销") {
            Some(EntityStatus::Revoked)
        } else if t.contains("注销") || t.contains("撤销") {
            Some(EntityStatus::Deregistered)
        } else if ["存续", "在业", "开业", "正常", "登记", "在营", "active"].iter().any(|w| t.contains(w)) {
            Some(EntityStatus::Active)
        } else {
            None
        }
    }
}

/// Longest name, address and legal representative accepted.
pub const NAME_MAX: usize = 100;
pub const ADDRESS_MAX: usize = 200;
pub const LEGAL_REP_MAX: usize = 50;

/// Why an entity, an extract or a reconciliation step is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HostEntityError {
    #[error("{0}")]
    CreditCode(CreditCodeError),
    #[error("统一社会信用代码 {0} 已登记")]
    Duplicate(String),
    #[error("请填写{0}")]
    Missing(&'static str),
    #[error("{field}过长（最多{max}字）")]
    TooLong { field: &'static str, max: usize },
    #[error("{0}格式应为 年-月-日，且不能晚于今天")]
    DateInvalid(&'static str),
    #[error("从业人员数应为0或正整数")]
    EmployeesInvalid,
    #[error("未知的{field}：{value}")]
    UnknownCode { field: &'static str, value: String },
    #[error("党组织不在本组织的管理范围内")]
    PartyOrgOutside,
    #[error("数据来源无法识别：{0}（应为 market 或 civil_affairs）")]
    SourceUnknown(String),
    #[error("没有找到统一社会信用代码一列：表头应有“统一社会信用代码”（或“信用代码”“社会信用代码”）和名称")]
    ColumnsMissing,
    #[error("文件中没有数据行")]
    Empty,
    #[error("文件行数过多（{0}行），每次最多比对{max}行", max = reconcile::MAX_ROWS)]
    TooManyRows(usize),
    #[error("操作无法识别：{0}（应为 take_in、deregister、mark_missing 之一）")]
    ActionUnknown(String),
    #[error("没有可以处理的单位")]
    NothingToDo,
    /// The extract is not a spreadsheet that can be read (the sheet reader's own codes).
    #[error("{0}")]
    Sheet(qiangji_sheet::SheetError),
}

impl HostEntityError {
    /// Stable machine code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            HostEntityError::CreditCode(_) => "host_entity.credit_code_invalid",
            HostEntityError::Duplicate(_) => "host_entity.credit_code_duplicate",
            HostEntityError::Missing(_) => "host_entity.field_missing",
            HostEntityError::TooLong { .. } => "host_entity.field_too_long",
            HostEntityError::DateInvalid(_) => "host_entity.date_invalid",
            HostEntityError::EmployeesInvalid => "host_entity.employees_invalid",
            HostEntityError::UnknownCode { .. } => "host_entity.code_unknown",
            HostEntityError::PartyOrgOutside => "host_entity.party_org_outside",
            HostEntityError::SourceUnknown(_) => "host_entity.source_unknown",
            HostEntityError::ColumnsMissing => "host_entity.columns_missing",
            HostEntityError::Empty => "host_entity.extract_empty",
            HostEntityError::TooManyRows(_) => "host_entity.too_many_rows",
            HostEntityError::ActionUnknown(_) => "host_entity.action_unknown",
            HostEntityError::NothingToDo => "host_entity.nothing_to_do",
            HostEntityError::Sheet(e) => e.code(),
        }
    }

    /// Every code of this module, for the API's list of error codes (the sheet reader's are the
    /// importer's, listed there).
    pub const CODES: &'static [&'static str] = &[
        "host_entity.credit_code_invalid",
        "host_entity.credit_code_duplicate",
        "host_entity.field_missing",
        "host_entity.field_too_long",
        "host_entity.date_invalid",
        "host_entity.employees_invalid",
        "host_entity.code_unknown",
        "host_entity.party_org_outside",
        "host_entity.source_unknown",
        "host_entity.columns_missing",
        "host_entity.extract_empty",
        "host_entity.too_many_rows",
        "host_entity.action_unknown",
        "host_entity.nothing_to_do",
    ];
}

/// A host entity as entered (form or API), every field as text.
#[derive(Debug, Clone, Default)]
pub struct HostEntityInput {
    pub credit_code: String,
    pub name: String,
    pub kind: String,
    pub registered_on: String,
    pub legal_rep: String,
    pub address: String,
    pub employees: String,
    pub status: String,
    /// Empty: no Party organization in it.
    pub party_org_id: String,
}

/// A host entity's fields, valid. Built only by [`HostEntityInput::validate`] or by taking in an
/// extract's row (`reconcile::ExtractRow::fields`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostEntityFields {
    pub credit_code: CreditCode,
    pub name: String,
    pub kind: HostEntityKind,
    pub registered_on: Option<Date>,
    pub legal_rep: String,
    pub address: String,
    pub employees: Option<i64>,
    pub status: EntityStatus,
    pub party_org_id: Option<i64>,
}

fn bounded(s: &str, field: &'static str, max: usize, required: bool) -> Result<String, HostEntityError> {
    let v = qiangji_sheet::text(s).value;
    if required && v.is_empty() {
        return Err(HostEntityError::Missing(field));
    }
    if v.chars().count() > max {
        return Err(HostEntityError::TooLong { field, max });
    }
    Ok(v)
}

impl HostEntityInput {
    /// Checks every field; dates may not be later than `today`.
    pub fn validate(&self, today: Date) -> Result<HostEntityFields, HostEntityError> {
        if self.credit_code.trim().is_empty() {
            return Err(HostEntityError::Missing("统一社会信用代码"));
        }
        let credit_code = CreditCode::normalise(&self.credit_code).map_err(HostEntityError::CreditCode)?;
        let name = bounded(&self.name, "名称", NAME_MAX, true)?;
        let code = |field: &'static str, v: &str| HostEntityError::UnknownCode { field, value: v.to_owned() };
        let kind = HostEntityKind::parse(self.kind.trim()).map_err(|_| code("类型", &self.kind))?;
        let status = match self.status.trim() {
            "" => EntityStatus::Active,
            s => EntityStatus::parse(s).map_err(|_| code("登记状态", s))?,
        };
        let registered_on = match self.registered_on.trim() {
            "" => None,
            s => Some(crate::date::parse(s).filter(|d| *d <= today).ok_or(HostEntityError::DateInvalid("成立日期"))?),
        };
        let employees = match self.employees.trim() {
            "" => None,
            s => Some(s.parse::<i64>().ok().filter(|n| *n >= 0).ok_or(HostEntityError::EmployeesInvalid)?),
        };
        let party_org_id = match self.party_org_id.trim() {
            "" => None,
            s => Some(s.parse::<i64>().map_err(|_| HostEntityError::PartyOrgOutside)?),
        };
        Ok(HostEntityFields {
            credit_code,
            name,
            kind,
            registered_on,
            legal_rep: bounded(&self.legal_rep, "法定代表人", LEGAL_REP_MAX, false)?,
            address: bounded(&self.address, "住所", ADDRESS_MAX, false)?,
            employees,
            status,
            party_org_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> HostEntityInput {
        HostEntityInput {
            credit_code: " 91350100m000100y43 ".into(),
            name: "宁波某某科技有限公司 ".into(),
            kind: "enterprise".into(),
            registered_on: "2015-03-02".into(),
            employees: "120".into(),
            ..Default::default()
        }
    }

    #[test]
    fn an_entity_is_validated_and_normalised() {
        let today = crate::date::parse("2026-12-01").unwrap();
        let f = input().validate(today).unwrap();
        assert_eq!(f.credit_code.as_str(), "91350100M000100Y43");
        assert_eq!((f.name.as_str(), f.employees, f.status), ("宁波某某科技有限公司", Some(120), EntityStatus::Active));
        let refused = |change: fn(&mut HostEntityInput), code: &str| {
            let mut i = input();
            change(&mut i);
            assert_eq!(i.validate(today).unwrap_err().code(), code);
        };
        refused(|i| i.credit_code = "91350100M000100Y44".into(), "host_entity.credit_code_invalid");
        refused(|i| i.credit_code = String::new(), "host_entity.field_missing");
        refused(|i| i.name = " ".into(), "host_entity.field_missing");
        refused(|i| i.kind = "bank".into(), "host_entity.code_unknown");
        refused(|i| i.registered_on = "2030-01-01".into(), "host_entity.date_invalid");
        refused(|i| i.employees = "-3".into(), "host_entity.employees_invalid");
        refused(|i| i.address = "路".repeat(201), "host_entity.field_too_long");
    }

    #[test]
    fn registry_status_words_are_read() {
        assert_eq!(EntityStatus::from_registry("存续（在营、开业、在册）"), Some(EntityStatus::Active));
        assert_eq!(EntityStatus::from_registry("注销"), Some(EntityStatus::Deregistered));
        assert_eq!(EntityStatus::from_registry("吊销，未注销"), Some(EntityStatus::Revoked));
        assert_eq!(EntityStatus::from_registry("迁出"), None);
    }

    #[test]
    fn every_error_code_is_listed() {
        let all = [
            HostEntityError::CreditCode(CreditCodeError::Length(1)),
            HostEntityError::Duplicate("x".into()),
            HostEntityError::Missing("x"),
            HostEntityError::TooLong { field: "x", max: 1 },
            HostEntityError::DateInvalid("x"),
            HostEntityError::EmployeesInvalid,
            HostEntityError::UnknownCode { field: "x", value: "y".into() },
            HostEntityError::PartyOrgOutside,
            HostEntityError::SourceUnknown("x".into()),
            HostEntityError::ColumnsMissing,
            HostEntityError::Empty,
            HostEntityError::TooManyRows(1),
            HostEntityError::ActionUnknown("x".into()),
            HostEntityError::NothingToDo,
        ];
        assert_eq!(all.iter().map(HostEntityError::code).collect::<Vec<_>>(), HostEntityError::CODES);
    }
}
