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

/// Advisories for an organization with `members` members of whom `full_members` are full members.
pub fn advisories(org: &OrgFields, members: u32, full_members: u32, today: Date) -> Vec<Advisory> {
    let mut out = Vec::new();
    if org.kind == OrgKind::Branch {
        if members > 50 {
            out.push(Advisory {
                code: "org.branch_too_large",
                message: format!("支部党员人数为{members}人，超过50人，建议分设支部或设立党总支"),
            });
        }
        if full_members < 3 && !org.joint {
            out.push(Advisory {
                code: "org.branch_too_few_full_members",
                message: format!("正式党员{full_members}人，不足3人，宜与邻近单位成立联合党支部"),
            });
        }
    }
    if let Some(end) = org.term_end() {
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

    #[test]
    fn a_branch_of_180_members_with_an_expired_term_gets_two_advisories() {
        let today = date::parse("2026-11-23").unwrap();
        let got = advisories(&branch("2020-01-01", "3"), 180, 170, today);
        assert_eq!(codes(got), ["org.branch_too_large", "org.term_overdue"]);
    }

    #[test]
    fn a_term_ending_within_six_months_is_announced() {
        let today = date::parse("2026-11-23").unwrap();
        assert_eq!(codes(advisories(&branch("2021-12-01", "5"), 20, 18, today)), ["org.term_ending"]);
        assert!(advisories(&branch("2024-01-01", "5"), 20, 18, today).is_empty());
    }
}
