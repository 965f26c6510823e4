//! Rule sets (规则集): how many records of which kind each kind of organization owes per period.
//!
//! Rules are plain data with public fields so that administrators can edit them; `validate`
//! refuses the combinations that cannot be right. A rule is never edited in place: a new version
//! with a later `effective_from` supersedes it, so past periods keep being judged by the rule
//! that was in force when they began.

use super::{MeetingKind, Period};
use crate::date::Date;
use crate::org::OrgKind;

/// What a rule counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RequirementKind {
    /// Records of this kind held by the organization.
    Meeting(MeetingKind),
    /// 书记讲党课: 党课 given by the organization's own secretary. A separate kind because the same
    /// 党课 counts both here and as a 党课, and a 党课 by anyone else counts only as a 党课.
    SecretaryLecture,
}

impl RequirementKind {
    /// Stable code: the meeting kind's, or `secretary_lecture`.
    pub fn code(self) -> &'static str {
        match self {
            RequirementKind::Meeting(k) => k.code(),
            RequirementKind::SecretaryLecture => "secretary_lecture",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RequirementKind::Meeting(k) => k.label(),
            RequirementKind::SecretaryLecture => "书记讲党课",
        }
    }

    /// Every kind a rule can count: each meeting kind, then 书记讲党课.
    pub fn all() -> impl Iterator<Item = RequirementKind> {
        MeetingKind::ALL.iter().map(|&k| RequirementKind::Meeting(k)).chain([RequirementKind::SecretaryLecture])
    }

    pub fn parse(code: &str) -> Option<RequirementKind> {
        RequirementKind::all().find(|k| k.code() == code)
    }
}

/// One version of one rule: `requirement` at least `min_count` times per `period`, for
/// organizations of `org_kinds`, for the periods that begin on or after `effective_from`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub requirement: RequirementKind,
    pub org_kinds: Vec<OrgKind>,
    pub period: Period,
    pub min_count: u32,
    pub effective_from: Date,
}

/// What is wrong with a rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("每期至少次数应不少于1次")]
    MinCountZero,
    #[error("请选择规则适用的组织类别")]
    NoOrgKinds,
    #[error("适用的组织类别重复：{org_kind}")]
    OrgKindRepeated { org_kind: &'static str },
    #[error("组织生活规则适用于党委、党工委、党总支和党支部，不适用于{org_kind}")]
    OrgKindNotEvaluated { org_kind: &'static str },
    #[error("{org_kind}不召开{requirement}")]
    NotHeldBy { requirement: &'static str, org_kind: &'static str },
    #[error("与第{other}条规则的事项、适用组织类别和生效日期都相同，无法确定以哪条为准")]
    Conflict { other: usize },
    #[error("请选择规则的事项")]
    RequirementUnknown,
    #[error("请选择规则的周期")]
    PeriodUnknown,
    #[error("组织类别无法识别：{value}")]
    OrgKindUnknown { value: String },
    #[error("每期至少次数应为1到31之间的整数")]
    MinCountInvalid,
    #[error("生效日期应为有效日期（如2027-01-01）")]
    DateInvalid,
    #[error("生效日期不能早于今天：已经开始的周期仍按当时的规则评价")]
    Retroactive,
}

impl RuleError {
    /// Stable machine code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            RuleError::MinCountZero => "orglife.rule_min_count_zero",
            RuleError::NoOrgKinds => "orglife.rule_org_kinds_missing",
            RuleError::OrgKindRepeated { .. } => "orglife.rule_org_kind_repeated",
            RuleError::OrgKindNotEvaluated { .. } => "orglife.rule_org_kind_not_evaluated",
            RuleError::NotHeldBy { .. } => "orglife.rule_not_held_by_org_kind",
            RuleError::Conflict { .. } => "orglife.rule_conflict",
            RuleError::RequirementUnknown => "orglife.rule_requirement_unknown",
            RuleError::PeriodUnknown => "orglife.rule_period_unknown",
            RuleError::OrgKindUnknown { .. } => "orglife.rule_org_kind_unknown",
            RuleError::MinCountInvalid => "orglife.rule_min_count_invalid",
            RuleError::DateInvalid => "orglife.rule_date_invalid",
            RuleError::Retroactive => "orglife.rule_retroactive",
        }
    }
}

/// A rule set's error, with the position (from 1, as shown to people) of the rule at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("第{position}条规则：{error}")]
pub struct RuleSetError {
    pub position: usize,
    pub error: RuleError,
}

impl RuleSetError {
    pub fn code(&self) -> &'static str {
        self.error.code()
    }
}

/// A new version of a rule as an administrator enters it (codes and text, as from a form).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleInput {
    pub requirement: String,
    pub org_kinds: Vec<String>,
    pub period: String,
    pub min_count: String,
    pub effective_from: String,
}

impl RuleInput {
    /// The rule, if it is one and takes effect no earlier than `today`: a rule never reaches back
    /// into periods already judged.
    pub fn validate(&self, today: Date) -> Result<Rule, RuleError> {
        let requirement = RequirementKind::parse(self.requirement.trim()).ok_or(RuleError::RequirementUnknown)?;
        let period = Period::parse(self.period.trim()).map_err(|_| RuleError::PeriodUnknown)?;
        let org_kinds = self
            .org_kinds
            .iter()
            .map(|k| OrgKind::parse(k.trim()).map_err(|_| RuleError::OrgKindUnknown { value: k.clone() }))
            .collect::<Result<Vec<_>, _>>()?;
        let min_count = match self.min_count.trim().parse::<u32>() {
            Ok(n @ 1..=31) => n,
            Ok(0) => return Err(RuleError::MinCountZero),
            _ => return Err(RuleError::MinCountInvalid),
        };
        let effective_from = crate::date::parse(self.effective_from.trim()).ok_or(RuleError::DateInvalid)?;
        if effective_from < today {
            return Err(RuleError::Retroactive);
        }
        let rule = Rule { requirement, org_kinds, period, min_count, effective_from };
        rule.validate()?;
        Ok(rule)
    }
}

impl Rule {
    pub fn validate(&self) -> Result<(), RuleError> {
        if self.min_count == 0 {
            return Err(RuleError::MinCountZero);
        }
        if self.org_kinds.is_empty() {
            return Err(RuleError::NoOrgKinds);
        }
        for (i, &kind) in self.org_kinds.iter().enumerate() {
            if self.org_kinds[..i].contains(&kind) {
                return Err(RuleError::OrgKindRepeated { org_kind: kind.label() });
            }
            // 党小组 meetings are counted at their 党支部 (which is why `has_groups` exists), and
            // 组织部 is an office, not an organization whose members meet.
            if matches!(kind, OrgKind::Department | OrgKind::Group) {
                return Err(RuleError::OrgKindNotEvaluated { org_kind: kind.label() });
            }
            if !held_by(self.requirement, kind) {
                return Err(RuleError::NotHeldBy { requirement: self.requirement.label(), org_kind: kind.label() });
            }
        }
        Ok(())
    }

    pub(super) fn applies_to(&self, kind: OrgKind, requirement: RequirementKind) -> bool {
        self.requirement == requirement && self.org_kinds.contains(&kind)
    }
}

/// Only the combinations the documents rule out, each a confusion seen in practice: 民主生活会 is
/// the leadership team's meeting (党委、党工委), a 党支部 or 党总支 holds 组织生活会 instead; a
/// 支部委员会会议 is a 党支部's or 党总支's committee, not a 党委's; 党小组 exist only in 党支部.
fn held_by(requirement: RequirementKind, kind: OrgKind) -> bool {
    use OrgKind::*;
    match requirement {
        RequirementKind::Meeting(MeetingKind::DemocraticLifeMeeting) => matches!(kind, Committee | WorkingCommittee),
        RequirementKind::Meeting(MeetingKind::CommitteeMeeting) => matches!(kind, Branch | GeneralBranch),
        RequirementKind::Meeting(MeetingKind::GroupMeeting) => kind == Branch,
        _ => true,
    }
}

/// A versioned list of rules. `version` counts edits of the set (for storage and the ledger);
/// the versions of each rule over time are its entries with different `effective_from`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSet {
    pub version: u32,
    pub rules: Vec<Rule>,
}

impl RuleSet {
    /// The rules of the documents: 支委会 and 党小组会 monthly, 支部党员大会 quarterly, 党课 every
    /// half-year, 民主生活会 and 组织生活会 yearly (source 003:L93), and from SPEC §5 主题党日 monthly,
    /// 民主评议党员 yearly and each secretary's 党课 yearly.
    ///
    /// In force since `Date::MIN`: 三会一课 predates any record this system holds.
    ///
    /// Which organizations owe what, as a branch secretary reads it: a 党总支's members meet in its
    /// 党支部, so the 党员大会, 党课, 主题党日 and 民主评议 are owed there; the 党总支 itself owes
    /// its committee's monthly meeting, its committee's yearly 组织生活会 and its secretary's
    /// 党课. A 党委 or 党工委 owes the 民主生活会 and its secretary's 党课.
    pub fn default_rules() -> RuleSet {
        use MeetingKind::*;
        use OrgKind::{Branch, Committee, GeneralBranch, WorkingCommittee};
        let rule = |requirement, org_kinds: &[OrgKind], period| Rule {
            requirement,
            org_kinds: org_kinds.to_vec(),
            period,
            min_count: 1,
            effective_from: Date::MIN,
        };
        let meeting = RequirementKind::Meeting;
        RuleSet {
            version: 1,
            rules: vec![
                rule(meeting(CommitteeMeeting), &[Branch, GeneralBranch], Period::Month),
                rule(meeting(GroupMeeting), &[Branch], Period::Month),
                rule(meeting(GeneralMeeting), &[Branch], Period::Quarter),
                rule(meeting(PartyLecture), &[Branch], Period::HalfYear),
                rule(meeting(ThemeDay), &[Branch], Period::Month),
                rule(meeting(OrgLifeMeeting), &[Branch, GeneralBranch], Period::Year),
                rule(meeting(Appraisal), &[Branch], Period::Year),
                rule(meeting(DemocraticLifeMeeting), &[Committee, WorkingCommittee], Period::Year),
                rule(
                    RequirementKind::SecretaryLecture,
                    &[Branch, GeneralBranch, Committee, WorkingCommittee],
                    Period::Year,
                ),
            ],
        }
    }

    /// Checks every rule, and that no two rules claim the same requirement for the same
    /// organization kind from the same day (evaluation could not tell which one governs).
    pub fn validate(&self) -> Result<(), RuleSetError> {
        for (i, rule) in self.rules.iter().enumerate() {
            rule.validate().map_err(|error| RuleSetError { position: i + 1, error })?;
            let clash = self.rules[..i].iter().position(|earlier| {
                earlier.requirement == rule.requirement
                    && earlier.effective_from == rule.effective_from
                    && earlier.org_kinds.iter().any(|k| rule.org_kinds.contains(k))
            });
            if let Some(j) = clash {
                return Err(RuleSetError { position: i + 1, error: RuleError::Conflict { other: j + 1 } });
            }
        }
        Ok(())
    }

    /// The rule for `requirement` and `kind` in force on `day`: the one with the latest
    /// `effective_from` on or before it. A set that fails `validate` with a conflict gets the
    /// later of the clashing rules, so that the answer is at least deterministic.
    pub fn in_force(&self, kind: OrgKind, requirement: RequirementKind, day: Date) -> Option<&Rule> {
        self.rules
            .iter()
            .filter(|r| r.applies_to(kind, requirement) && r.effective_from <= day)
            .max_by_key(|r| r.effective_from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date;

    fn d(s: &str) -> Date {
        date::parse(s).unwrap()
    }

    fn lecture_rule() -> Rule {
        Rule {
            requirement: RequirementKind::Meeting(MeetingKind::PartyLecture),
            org_kinds: vec![OrgKind::Branch],
            period: Period::HalfYear,
            min_count: 1,
            effective_from: d("2025-01-01"),
        }
    }

    #[test]
    fn the_default_rules_are_valid_and_say_what_the_documents_say() {
        let set = RuleSet::default_rules();
        assert_eq!(set.validate(), Ok(()));
        let find = |req, kind| set.in_force(kind, req, d("2024-06-01")).map(|r| (r.period, r.min_count));
        let m = RequirementKind::Meeting;
        use MeetingKind::*;
        use OrgKind::*;
        assert_eq!(find(m(CommitteeMeeting), Branch), Some((Period::Month, 1)));
        assert_eq!(find(m(GroupMeeting), Branch), Some((Period::Month, 1)));
        assert_eq!(find(m(GeneralMeeting), Branch), Some((Period::Quarter, 1)));
        assert_eq!(find(m(PartyLecture), Branch), Some((Period::HalfYear, 1)));
        assert_eq!(find(m(ThemeDay), Branch), Some((Period::Month, 1)));
        assert_eq!(find(m(OrgLifeMeeting), Branch), Some((Period::Year, 1)));
        assert_eq!(find(m(Appraisal), Branch), Some((Period::Year, 1)));
        assert_eq!(find(RequirementKind::SecretaryLecture, Branch), Some((Period::Year, 1)));
        assert_eq!(find(m(DemocraticLifeMeeting), Branch), None);
        assert_eq!(find(m(DemocraticLifeMeeting), Committee), Some((Period::Year, 1)));
        assert_eq!(find(RequirementKind::SecretaryLecture, WorkingCommittee), Some((Period::Year, 1)));
        assert_eq!(find(m(GeneralMeeting), Committee), None);
        assert_eq!(find(m(CommitteeMeeting), GeneralBranch), Some((Period::Month, 1)));
        assert_eq!(find(m(HeartToHeartTalk), Branch), None);
    }

    #[test]
    fn impossible_rules_are_refused_with_a_reason() {
        type Case = (fn(&mut Rule), &'static str);
        let cases: Vec<Case> = vec![
            (|r| r.min_count = 0, "orglife.rule_min_count_zero"),
            (|r| r.org_kinds.clear(), "orglife.rule_org_kinds_missing"),
            (
                |r| r.org_kinds = vec![OrgKind::Branch, OrgKind::GeneralBranch, OrgKind::Branch],
                "orglife.rule_org_kind_repeated",
            ),
            (|r| r.org_kinds = vec![OrgKind::Group], "orglife.rule_org_kind_not_evaluated"),
            (|r| r.org_kinds = vec![OrgKind::Branch, OrgKind::Department], "orglife.rule_org_kind_not_evaluated"),
            (
                |r| r.requirement = RequirementKind::Meeting(MeetingKind::DemocraticLifeMeeting),
                "orglife.rule_not_held_by_org_kind",
            ),
            (
                |r| {
                    r.requirement = RequirementKind::Meeting(MeetingKind::CommitteeMeeting);
                    r.org_kinds = vec![OrgKind::Committee];
                },
                "orglife.rule_not_held_by_org_kind",
            ),
            (
                |r| {
                    r.requirement = RequirementKind::Meeting(MeetingKind::GroupMeeting);
                    r.org_kinds = vec![OrgKind::GeneralBranch];
                },
                "orglife.rule_not_held_by_org_kind",
            ),
        ];
        assert_eq!(lecture_rule().validate(), Ok(()));
        for (mutate, code) in cases {
            let mut r = lecture_rule();
            mutate(&mut r);
            assert_eq!(r.validate().map_err(|e| e.code()), Err(code), "{r:?}");
        }
        let mut r = lecture_rule();
        r.requirement = RequirementKind::Meeting(MeetingKind::DemocraticLifeMeeting);
        assert_eq!(r.validate().unwrap_err().to_string(), "党支部不召开民主生活会");
        r.min_count = 0;
        assert_eq!(r.validate().unwrap_err().to_string(), "每期至少次数应不少于1次");
    }

    #[test]
    fn two_rules_for_the_same_thing_from_the_same_day_conflict_but_successive_versions_do_not() {
        let mut set = RuleSet { version: 3, rules: vec![lecture_rule()] };
        let mut newer = lecture_rule();
        newer.effective_from = d("2025-07-01");
        newer.period = Period::Quarter;
        set.rules.push(newer);
        assert_eq!(set.validate(), Ok(()));

        // Same day, overlapping kinds: which one governs a branch would be a guess.
        let mut clash = lecture_rule();
        clash.org_kinds = vec![OrgKind::GeneralBranch, OrgKind::Branch];
        clash.min_count = 2;
        set.rules.push(clash);
        let err = set.validate().unwrap_err();
        assert_eq!(err, RuleSetError { position: 3, error: RuleError::Conflict { other: 1 } });
        assert_eq!(err.to_string(), "第3条规则：与第1条规则的事项、适用组织类别和生效日期都相同，无法确定以哪条为准");

        // The same day for different kinds of organization is fine.
        set.rules[2].org_kinds = vec![OrgKind::GeneralBranch];
        assert_eq!(set.validate(), Ok(()));

        // An invalid rule is reported at its position.
        set.rules[1].min_count = 0;
        assert_eq!(set.validate().unwrap_err().position, 2);
    }

    #[test]
    fn the_rule_in_force_is_the_latest_effective_on_or_before_the_day() {
        let mut newer = lecture_rule();
        newer.effective_from = d("2025-07-01");
        newer.min_count = 2;
        let set = RuleSet { version: 2, rules: vec![newer, lecture_rule()] };
        let req = RequirementKind::Meeting(MeetingKind::PartyLecture);
        let count = |day| set.in_force(OrgKind::Branch, req, d(day)).map(|r| r.min_count);
        assert_eq!(count("2024-12-31"), None);
        assert_eq!(count("2025-01-01"), Some(1));
        assert_eq!(count("2025-06-30"), Some(1));
        assert_eq!(count("2025-07-01"), Some(2));
        assert_eq!(set.in_force(OrgKind::GeneralBranch, req, d("2025-07-01")), None);
    }

    #[test]
    fn a_new_version_is_read_from_codes_and_never_reaches_back() {
        let today = d("2026-11-24");
        let input = RuleInput {
            requirement: "theme_day".into(),
            org_kinds: vec!["branch".into(), "general_branch".into()],
            period: "month".into(),
            min_count: "2".into(),
            effective_from: "2027-01-01".into(),
        };
        let rule = input.validate(today).unwrap();
        assert_eq!(rule.requirement, RequirementKind::Meeting(MeetingKind::ThemeDay));
        assert_eq!((rule.org_kinds.len(), rule.period, rule.min_count), (2, Period::Month, 2));
        assert_eq!(
            RuleInput { effective_from: "2026-11-24".into(), ..input.clone() }.validate(today).map(|r| r.min_count),
            Ok(2)
        );
        let cases: [(RuleInput, &str); 7] = [
            (RuleInput { effective_from: "2026-11-23".into(), ..input.clone() }, "orglife.rule_retroactive"),
            (RuleInput { effective_from: "2027-02-30".into(), ..input.clone() }, "orglife.rule_date_invalid"),
            (RuleInput { requirement: "party".into(), ..input.clone() }, "orglife.rule_requirement_unknown"),
            (RuleInput { period: "week".into(), ..input.clone() }, "orglife.rule_period_unknown"),
            (RuleInput { org_kinds: vec!["village".into()], ..input.clone() }, "orglife.rule_org_kind_unknown"),
            (RuleInput { min_count: "两次".into(), ..input.clone() }, "orglife.rule_min_count_invalid"),
            (
                RuleInput { org_kinds: vec!["committee".into()], requirement: "group_meeting".into(), ..input.clone() },
                "orglife.rule_not_held_by_org_kind",
            ),
        ];
        for (bad, code) in cases {
            assert_eq!(bad.validate(today).unwrap_err().code(), code, "{bad:?}");
        }
        assert_eq!(
            RuleInput { min_count: "0".into(), ..input }.validate(today).unwrap_err().code(),
            "orglife.rule_min_count_zero"
        );
        assert!(RequirementKind::all().all(|k| RequirementKind::parse(k.code()) == Some(k)));
    }
}
