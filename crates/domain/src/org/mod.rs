//! Party organizations (党组织): kinds, sectors, the tree's shape rules and the 支部工作条例 advisories.

mod rules;

pub use rules::{Advisory, OrgShape, advisories};

use crate::code_enum;
use crate::date::{self, Date};

/// Typed id of an organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrgId(pub i64);

code_enum!(
    /// 党组织类别.
    OrgKind, "org_kind", {
    Department = ("department", "组织部"),
    Committee = ("committee", "党委"),
    WorkingCommittee = ("working_committee", "党工委"),
    GeneralBranch = ("general_branch", "党总支"),
    Branch = ("branch", "党支部"),
    Group = ("group", "党小组"),
});

code_enum!(
    /// 领域 (the six grading types map onto these).
    Sector, "sector", {
    Mixed = ("mixed", "综合"),
    Rural = ("rural", "农村"),
    Community = ("community", "社区"),
    Government = ("government", "机关"),
    PublicInstitution = ("public_institution", "事业单位"),
    StateEnterprise = ("state_enterprise", "国有企业"),
    PrivateEnterprise = ("private_enterprise", "非公有制企业"),
    SocialOrganization = ("social_organization", "社会组织"),
    Other = ("other", "其他"),
});

code_enum!(
    /// 组建方式.
    FormationMode, "formation_mode", {
    Single = ("single", "单独组建"),
    Joint = ("joint", "联合组建"),
    Regional = ("regional", "区域联建"),
    Industry = ("industry", "行业组建"),
    Attached = ("attached", "挂靠"),
});

code_enum!(
    /// 领导职务.
    Post, "post", {
    Secretary = ("secretary", "书记"),
    DeputySecretary = ("deputy_secretary", "副书记"),
    OrganizationMember = ("organization_member", "组织委员"),
    PropagandaMember = ("propaganda_member", "宣传委员"),
    DisciplineMember = ("discipline_member", "纪检委员"),
    Member = ("member", "委员"),
});

code_enum!(
    /// 党支部规模 by the members it holds directly: a branch needs 3 full members to be founded and
    /// 7 to elect a 支部委员会, and should not exceed about 50 (中国共产党支部工作条例（试行）).
    SizeBand, "size_band", {
    Empty = ("0", "无党员"),
    UpTo2 = ("1_2", "1至2人"),
    From3To6 = ("3_6", "3至6人"),
    From7To50 = ("7_50", "7至50人"),
    From51To100 = ("51_100", "51至100人"),
    Over100 = ("gt100", "100人以上"),
});

impl Post {
    /// A member of the committee besides its secretaries: where one is on record, the
    /// organization has a 支部委员会 rather than a lone secretary.
    pub fn is_committee_member(self) -> bool {
        !matches!(self, Post::Secretary | Post::DeputySecretary)
    }
}

impl SizeBand {
    pub fn of(members: u32) -> SizeBand {
        match members {
            0 => SizeBand::Empty,
            1..=2 => SizeBand::UpTo2,
            3..=6 => SizeBand::From3To6,
            7..=50 => SizeBand::From7To50,
            51..=100 => SizeBand::From51To100,
            _ => SizeBand::Over100,
        }
    }
}

impl OrgKind {
    /// Whether an organization of this kind may sit directly under `parent` (None = the root).
    pub fn may_be_child_of(self, parent: Option<OrgKind>) -> bool {
        use OrgKind::*;
        match (self, parent) {
            (Department, None | Some(Department)) => true,
            (_, None) => false,
            (Department, Some(_)) => false,
            (Committee | WorkingCommittee, Some(p)) => {
                matches!(p, Department | Committee | WorkingCommittee)
            }
            (GeneralBranch, Some(p)) => matches!(p, Department | Committee | WorkingCommittee),
            (Branch, Some(p)) => {
                matches!(p, Department | Committee | WorkingCommittee | GeneralBranch)
            }
            (Group, Some(p)) => p == Branch,
        }
    }
}

/// An organization's editable attributes as entered; [`OrgInput::validate`] makes an [`OrgFields`].
#[derive(Debug, Clone, Default)]
pub struct OrgInput {
    pub name: String,
    pub short_name: String,
    pub kind: String,
    pub sector: String,
    pub formation_mode: String,
    pub regional: bool,
    pub joint: bool,
    pub temporary: bool,
    pub founded_on: String,
    pub term_start: String,
    pub term_years: String,
    pub host_units: String,
    pub contact: String,
    pub phone: String,
    pub address: String,
}

/// Valid organization attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct OrgFields {
    pub name: String,
    pub short_name: String,
    pub kind: OrgKind,
    pub sector: Sector,
    pub formation_mode: FormationMode,
    pub regional: bool,
    pub joint: bool,
    pub temporary: bool,
    pub founded_on: Option<Date>,
    pub term_start: Option<Date>,
    pub term_years: Option<u8>,
    pub host_units: String,
    pub contact: String,
    pub phone: String,
    pub address: String,
}

impl OrgFields {
    /// The day the current term ends (换届 due).
    pub fn term_end(&self) -> Option<Date> {
        Some(date::birthday(self.term_start?, i32::from(self.term_years?)))
    }
}

/// What is wrong with organization input or an operation on the tree.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrgError {
    #[error("请填写组织全称")]
    NameMissing,
    #[error("组织名称过长（最多100字）")]
    NameTooLong,
    #[error("未知的{what}：{value}")]
    UnknownCode { what: &'static str, value: String },
    #[error("{field}日期格式应为 年-月-日，例如 2021-07-01")]
    DateInvalid { field: &'static str },
    #[error("{field}不能晚于今天")]
    FutureDate { field: &'static str },
    #[error("任期年限应为1至10年")]
    TermYearsInvalid,
    #[error("{child}不能设在{parent}之下")]
    KindNotAllowedUnder { child: &'static str, parent: &'static str },
    #[error("不能把组织移到它自己或它的下级组织之下")]
    MoveIntoOwnSubtree,
    #[error("该组织还有下级组织，请先撤销或移走下级组织")]
    HasChildren,
    #[error("该组织已撤销")]
    Dissolved,
    #[error("上级没有区域性党组织可以接收党员，请选择接收党员的组织")]
    NoRegionalOrgAbove,
    #[error("接收党员的组织不能是被撤销的组织或其下级")]
    ReceiverInsideDissolved,
    #[error("顶级组织不能撤销或移动")]
    RootIsFixed,
}

impl OrgError {
    /// Stable machine code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            OrgError::NameMissing => "org.name_missing",
            OrgError::NameTooLong => "org.name_too_long",
            OrgError::UnknownCode { .. } => "org.code_unknown",
            OrgError::DateInvalid { .. } => "org.date_invalid",
            OrgError::FutureDate { .. } => "org.date_in_future",
            OrgError::TermYearsInvalid => "org.term_years_invalid",
            OrgError::KindNotAllowedUnder { .. } => "org.kind_not_allowed_under_parent",
            OrgError::MoveIntoOwnSubtree => "org.move_into_own_subtree",
            OrgError::HasChildren => "org.has_children",
            OrgError::Dissolved => "org.dissolved",
            OrgError::NoRegionalOrgAbove => "org.no_regional_org_above",
            OrgError::ReceiverInsideDissolved => "org.receiver_inside_dissolved",
            OrgError::RootIsFixed => "org.root_is_fixed",
        }
    }
}

fn optional_date(raw: &str, field: &'static str, today: Date) -> Result<Option<Date>, OrgError> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    let d = date::parse(raw).ok_or(OrgError::DateInvalid { field })?;
    if d > today {
        return Err(OrgError::FutureDate { field });
    }
    Ok(Some(d))
}

fn code<T>(
    raw: &str,
    what: &'static str,
    parse: impl Fn(&str) -> Result<T, crate::code::UnknownCode>,
) -> Result<T, OrgError> {
    parse(raw.trim()).map_err(|_| OrgError::UnknownCode { what, value: raw.to_owned() })
}

impl OrgInput {
    /// Checks every field; `today` is passed in so that the rule is testable.
    pub fn validate(&self, today: Date) -> Result<OrgFields, OrgError> {
        let name = self.name.trim().to_owned();
        if name.is_empty() {
            return Err(OrgError::NameMissing);
        }
        if name.chars().count() > 100 {
            return Err(OrgError::NameTooLong);
        }
        let term_years = match self.term_years.trim() {
            "" => None,
            s => match s.parse::<u8>() {
                Ok(y @ 1..=10) => Some(y),
                _ => return Err(OrgError::TermYearsInvalid),
            },
        };
        Ok(OrgFields {
            name,
            short_name: self.short_name.trim().to_owned(),
            kind: code(&self.kind, "组织类别", OrgKind::parse)?,
            sector: code(&self.sector, "领域", Sector::parse)?,
            formation_mode: code(&self.formation_mode, "组建方式", FormationMode::parse)?,
            regional: self.regional,
            joint: self.joint,
            temporary: self.temporary,
            founded_on: optional_date(&self.founded_on, "成立日期", today)?,
            term_start: optional_date(&self.term_start, "本届任期开始日期", today)?,
            term_years,
            host_units: self.host_units.trim().to_owned(),
            contact: self.contact.trim().to_owned(),
            phone: self.phone.trim().to_owned(),
            address: self.address.trim().to_owned(),
        })
    }
}

/// Checks that `kind` may be placed under `parent`.
pub fn check_placement(kind: OrgKind, parent: Option<OrgKind>) -> Result<(), OrgError> {
    if kind.may_be_child_of(parent) {
        Ok(())
    } else {
        Err(OrgError::KindNotAllowedUnder { child: kind.label(), parent: parent.map_or("顶级", OrgKind::label) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> OrgInput {
        OrgInput {
            name: "中共某村支部委员会".into(),
            kind: "branch".into(),
            sector: "rural".into(),
            formation_mode: "single".into(),
            founded_on: "2001-07-01".into(),
            term_start: "2021-05-01".into(),
            term_years: "5".into(),
            ..Default::default()
        }
    }

    fn today() -> Date {
        date::parse("2026-11-23").unwrap()
    }

    #[test]
    fn a_complete_branch_is_valid_and_its_term_end_is_computed() {
        let f = input().validate(today()).unwrap();
        assert_eq!(f.kind, OrgKind::Branch);
        assert_eq!(f.term_end(), date::parse("2026-05-01"));
    }

    #[test]
    fn bad_input_is_refused_with_a_reason() {
        type Case = (fn(&mut OrgInput), &'static str);
        let cases: Vec<Case> = vec![
            (|i| i.name = "  ".into(), "org.name_missing"),
            (|i| i.kind = "club".into(), "org.code_unknown"),
            (|i| i.founded_on = "2030-01-01".into(), "org.date_in_future"),
            (|i| i.founded_on = "2021-02-30".into(), "org.date_invalid"),
            (|i| i.term_years = "0".into(), "org.term_years_invalid"),
        ];
        for (mutate, code) in cases {
            let mut i = input();
            mutate(&mut i);
            assert_eq!(i.validate(today()).unwrap_err().code(), code);
        }
    }

    #[test]
    fn the_tree_shape_follows_the_kinds() {
        use OrgKind::*;
        assert!(check_placement(Department, None).is_ok());
        assert!(check_placement(Branch, None).is_err());
        assert!(check_placement(Group, Some(Branch)).is_ok());
        assert!(check_placement(Group, Some(Committee)).is_err());
        assert!(check_placement(Branch, Some(GeneralBranch)).is_ok());
        assert!(check_placement(Committee, Some(Branch)).is_err());
        assert_eq!(check_placement(Committee, Some(Branch)).unwrap_err().to_string(), "党委不能设在党支部之下");
    }
}
