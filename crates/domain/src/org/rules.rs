//! Advisories from 中国共产党支部工作条例 (2018): shown as warnings, never blocks, because real trees
//! are messy and a block would only push people to enter false data.

use super::{OrgFields, OrgKind};
use crate::date::{self, Date};

/// One advisory about an organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Advisory {
    pub code: &'static str,
    pub message: String,
}

/// What the advisories look at: how the organization is set up and the members it holds directly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrgShape {
    pub kind: OrgKind,
    pub joint: bool,
    /// The day the current term ends (换届 due), if a term is on record.
    pub term_end: Option<Date>,
    pub members: u32,
    pub full_members: u32,
    /// Committee members (组织委员, 宣传委员, 纪检委员, 委员) are on record, not only a secretary.
    pub committee: bool,
}

impl OrgShape {
    pub fn of(org: &OrgFields, members: u32, full_members: u32, committee: bool) -> OrgShape {
        OrgShape { kind: org.kind, joint: org.joint, term_end: org.term_end(), members, full_members, committee }
    }
}

/// Advisories for an organization of `shape` on `today`.
pub fn advisories(shape: &OrgShape, today: Date) -> Vec<Advisory> {
    let mut out = Vec::new();
    let (members, full_members) = (shape.members, shape.full_members);
    if shape.kind == OrgKind::Branch {
        if members > 50 {
            out.push(Advisory {
                code: "org.branch_too_large",
                message: format!("支部党员人数为{members}人，超过50人，建议分设支部或设立党总支"),
            });
        }
        if full_members < 3 && !shape.joint {
            out.push(Advisory {
                code: "org.branch_too_few_full_members",
                message: format!("正式党员{full_members}人，不足3人，宜与邻近单位成立联合党支部"),
            });
        }
        // 支部工作条例第十条: 正式党员7人以上的党支部设立支部委员会.
        if full_members >= 7 && !shape.committee {
            out.push(Advisory {
                code: "org.no_committee",
                message: format!("正式党员{full_members}人，已满7人，应设立支部委员会（未登记支部委员）"),
            });
        }
    }
    if let Some(end) = shape.term_end {
        if end < today {
            out.push(Advisory {
                code: "org.term_overdue", message: format!("本届任期已于{end}届满，超期未换届")
            });
        } else if end <= date::birthday(today, 0) + chrono::Months::new(6) {
            out.push(Advisory {
                code: "org.term_ending", message: format!("本届任期将于{end}届满，请做好换届准备")
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::OrgInput;

    fn branch(term_start: &str, years: &str) -> OrgFields {
        OrgInput {
            name: "某支部".into(),
            kind: "branch".into(),
            sector: "community".into(),
            formation_mode: "single".into(),
            term_start: term_start.into(),
            term_years: years.into(),
            ..Default::default()
        }
        .validate(date::parse("2026-11-23").unwrap())
        .unwrap()
    }

    fn codes(a: Vec<Advisory>) -> Vec<&'static str> {
        a.into_iter().map(|a| a.code).collect()
    }

    fn shape(term_start: &str, years: &str, members: u32, full: u32, committee: bool) -> OrgShape {
        OrgShape::of(&branch(term_start, years), members, full, committee)
    }

    #[test]
    fn a_branch_of_180_members_with_an_expired_term_gets_two_advisories() {
        let today = date::parse("2026-11-23").unwrap();
        let got = advisories(&shape("2020-01-01", "3", 180, 170, true), today);
        assert_eq!(codes(got), ["org.branch_too_large", "org.term_overdue"]);
    }

    #[test]
    fn a_term_ending_within_six_months_is_announced() {
        let today = date::parse("2026-11-23").unwrap();
        assert_eq!(codes(advisories(&shape("2021-12-01", "5", 20, 18, true), today)), ["org.term_ending"]);
        assert!(advisories(&shape("2024-01-01", "5", 20, 18, true), today).is_empty());
    }

    #[test]
    fn seven_full_members_call_for_a_committee_and_fewer_than_three_for_a_joint_branch() {
        let today = date::parse("2026-11-23").unwrap();
        assert_eq!(codes(advisories(&shape("2024-01-01", "5", 9, 7, false), today)), ["org.no_committee"]);
        assert!(advisories(&shape("2024-01-01", "5", 9, 6, false), today).is_empty());
        assert!(advisories(&shape("2024-01-01", "5", 9, 7, true), today).is_empty());
        assert_eq!(
            codes(advisories(&shape("2024-01-01", "5", 3, 2, false), today)),
            ["org.branch_too_few_full_members"]
        );
        let joint = OrgShape { joint: true, ..shape("2024-01-01", "5", 3, 2, false) };
        assert!(advisories(&joint, today).is_empty());
        // A party committee is not a branch: sizes do not apply, the term does.
        let committee = OrgShape { kind: OrgKind::Committee, ..shape("2020-01-01", "5", 200, 2, false) };
        assert_eq!(codes(advisories(&committee, today)), ["org.term_overdue"]);
    }
}
