use std::collections::BTreeSet;

use super::*;
use crate::date;
use crate::orglife::{Period, Rule};
use MeetingKind::*;

fn d(s: &str) -> Date {
    date::parse(s).unwrap()
}

fn branch() -> OrgLifeFacts {
    OrgLifeFacts {
        kind: OrgKind::Branch,
        founded_on: Some(d("2001-07-01")),
        dissolved_on: None,
        has_committee: true,
        has_groups: true,
        merged_from: vec![],
    }
}

fn meeting(kind: MeetingKind, day: &str) -> MeetingFact {
    MeetingFact { kind, date: d(day), lecturer_post: None }
}

fn lecture(day: &str, post: Option<Post>) -> MeetingFact {
    MeetingFact { kind: PartyLecture, date: d(day), lecturer_post: post }
}

fn of(kind: MeetingKind) -> RequirementKind {
    RequirementKind::Meeting(kind)
}

fn run(org: &OrgLifeFacts, meetings: &[MeetingFact], since: &str, on: &str) -> Vec<Requirement> {
    evaluate(org, &RuleSet::default_rules(), meetings, d(since), d(on))
}

/// One line per period of `kind`: "2024年2月 1/1 met".
fn lines(reqs: &[Requirement], kind: RequirementKind) -> Vec<String> {
    reqs.iter()
        .filter(|r| r.kind == kind)
        .map(|r| format!("{} {}/{} {}", r.period, r.held, r.required, r.status.code()))
        .collect()
}

fn the(reqs: &[Requirement], kind: RequirementKind, first_day: &str) -> Requirement {
    reqs.iter().find(|r| r.kind == kind && r.period.first_day() == d(first_day)).cloned().expect("requirement listed")
}

fn kinds(reqs: &[Requirement]) -> BTreeSet<RequirementKind> {
    reqs.iter().map(|r| r.kind).collect()
}

/// The defaults with a newer version of one rule, listed first as an administrator might.
fn with_rule(rule: Rule) -> RuleSet {
    let mut set = RuleSet::default_rules();
    set.rules.insert(0, rule);
    set.version += 1;
    assert_eq!(set.validate(), Ok(()));
    set
}

#[test]
fn a_branch_sees_every_period_since_new_year_with_days_left_only_in_the_current_ones() {
    let meetings = [
        meeting(CommitteeMeeting, "2024-01-10"),
        meeting(CommitteeMeeting, "2024-02-29"),
        meeting(CommitteeMeeting, "2024-03-31"),
        meeting(CommitteeMeeting, "2024-05-02"),
        meeting(GeneralMeeting, "2024-03-31"),
        meeting(GroupMeeting, "2024-04-30"),
    ];
    let reqs = run(&branch(), &meetings, "2024-01-01", "2024-05-15");
    assert_eq!(
        lines(&reqs, of(CommitteeMeeting)),
        ["2024年1月 1/1 met", "2024年2月 1/1 met", "2024年3月 1/1 met", "2024年4月 0/1 overdue", "2024年5月 1/1 met"]
    );
    assert_eq!(lines(&reqs, of(GeneralMeeting)), ["2024年第1季度 1/1 met", "2024年第2季度 0/1 pending"]);
    assert_eq!(lines(&reqs, of(GroupMeeting))[3..], ["2024年4月 1/1 met", "2024年5月 0/1 pending"]);
    assert_eq!(lines(&reqs, of(PartyLecture)), ["2024年上半年 0/1 pending"]);
    assert_eq!(lines(&reqs, of(OrgLifeMeeting)), ["2024年 0/1 pending"]);

    let q2 = the(&reqs, of(GeneralMeeting), "2024-04-01");
    assert_eq!((q2.due(), q2.days_left), (d("2024-06-30"), Some(46)));
    assert_eq!(the(&reqs, of(Appraisal), "2024-01-01").days_left, Some(230));
    assert_eq!(the(&reqs, of(CommitteeMeeting), "2024-04-01").days_left, None);

    // 支委会, 党小组会, 主题党日 five months each; two quarters; a half-year; three yearly ones.
    assert_eq!(reqs.len(), 5 * 3 + 2 + 1 + 3);
    assert_eq!(reqs.iter().filter(|r| r.days_left.is_some()).count(), 3 + 1 + 1 + 3);
    assert_eq!(reqs.first().map(|r| r.kind), Some(of(GeneralMeeting)));
    assert_eq!(reqs.last().map(|r| r.kind), Some(RequirementKind::SecretaryLecture));
}

#[test]
fn a_meeting_on_a_quarter_or_half_year_boundary_counts_for_its_own_period_only() {
    let meetings =
        [meeting(GeneralMeeting, "2024-03-31"), meeting(GeneralMeeting, "2024-07-01"), lecture("2024-06-30", None)];
    let reqs = run(&branch(), &meetings, "2024-01-01", "2024-07-01");
    assert_eq!(
        lines(&reqs, of(GeneralMeeting)),
        ["2024年第1季度 1/1 met", "2024年第2季度 0/1 overdue", "2024年第3季度 1/1 met"]
    );
    assert_eq!(lines(&reqs, of(PartyLecture)), ["2024年上半年 1/1 met", "2024年下半年 0/1 pending"]);

    let meetings = [meeting(GeneralMeeting, "2024-12-31"), meeting(OrgLifeMeeting, "2025-01-01")];
    let reqs = run(&branch(), &meetings, "2024-10-01", "2025-01-01");
    assert_eq!(lines(&reqs, of(GeneralMeeting)), ["2024年第4季度 1/1 met", "2025年第1季度 0/1 pending"]);
    assert_eq!(lines(&reqs, of(OrgLifeMeeting)), ["2024年 0/1 overdue", "2025年 1/1 met"]);
}

#[test]
fn the_last_day_of_a_period_leaves_zero_days_and_the_day_after_it_is_overdue() {
    // Every period of every rule ends on 31 December.
    let reqs = run(&branch(), &[], "2024-12-31", "2024-12-31");
    assert_eq!(reqs.len(), 8);
    assert!(reqs.iter().all(|r| r.days_left == Some(0) && r.status == Status::Pending), "{reqs:?}");

    let reqs = run(&branch(), &[], "2024-12-31", "2025-01-01");
    let (old, new): (Vec<_>, Vec<_>) = reqs.iter().partition(|r| r.period.first_day() < d("2025-01-01"));
    assert_eq!(old.len(), 8);
    assert!(old.iter().all(|r| r.days_left.is_none() && r.status == Status::Overdue), "{old:?}");
    let left = |p: Period| new.iter().find(|r| r.period.period() == p).and_then(|r| r.days_left);
    assert_eq!(
        [left(Period::Month), left(Period::Quarter), left(Period::HalfYear), left(Period::Year)],
        [Some(30), Some(89), Some(180), Some(364)]
    );

    let general = |on: &str| the(&run(&branch(), &[], "2024-01-01", on), of(GeneralMeeting), "2024-01-01");
    assert_eq!((general("2024-03-31").days_left, general("2024-03-31").status), (Some(0), Status::Pending));
    assert_eq!((general("2024-04-01").days_left, general("2024-04-01").status), (None, Status::Overdue));
}

#[test]
fn february_2024_runs_to_the_29th_and_february_2025_to_the_28th() {
    let feb = |meetings: &[MeetingFact], on: &str| {
        let r = the(&run(&branch(), meetings, "2024-01-01", on), of(CommitteeMeeting), &format!("{}-02-01", &on[..4]));
        (r.days_left, r.status)
    };
    assert_eq!(feb(&[], "2024-02-28"), (Some(1), Status::Pending));
    assert_eq!(feb(&[], "2024-02-29"), (Some(0), Status::Pending));
    assert_eq!(feb(&[], "2024-03-01"), (None, Status::Overdue));
    let leap_day = [meeting(CommitteeMeeting, "2024-02-29")];
    assert_eq!(feb(&leap_day, "2024-02-29"), (Some(0), Status::Met));
    assert_eq!(feb(&leap_day, "2024-03-01"), (None, Status::Met));
    assert_eq!(the(&run(&branch(), &leap_day, "2024-01-01", "2024-03-01"), of(CommitteeMeeting), "2024-03-01").held, 0);

    assert_eq!(feb(&[], "2025-02-27"), (Some(1), Status::Pending));
    assert_eq!(feb(&[], "2025-02-28"), (Some(0), Status::Pending));
    assert_eq!(feb(&[], "2025-03-01"), (None, Status::Overdue));

    // The quarter and half-year holding the leap day count it among their days.
    let reqs = run(&branch(), &[], "2024-02-29", "2024-02-29");
    assert_eq!(the(&reqs, of(GeneralMeeting), "2024-01-01").days_left, Some(31));
    assert_eq!(the(&reqs, of(PartyLecture), "2024-01-01").days_left, Some(122));
}

#[test]
fn an_organization_founded_mid_period_owes_only_the_periods_beginning_after_it() {
    let founded = |day: &str| OrgLifeFacts { founded_on: Some(d(day)), ..branch() };
    let reqs = run(&founded("2024-02-15"), &[], "2024-01-01", "2024-12-31");
    let committee = lines(&reqs, of(CommitteeMeeting));
    assert_eq!((committee.len(), committee[0].as_str()), (10, "2024年3月 0/1 overdue"));
    assert_eq!(lines(&reqs, of(GeneralMeeting)).len(), 3);
    assert_eq!(lines(&reqs, of(PartyLecture)), ["2024年下半年 0/1 pending"]);
    assert!(lines(&reqs, of(OrgLifeMeeting)).is_empty());
    assert!(lines(&reqs, RequirementKind::SecretaryLecture).is_empty());

    // Founded on a period's first day: that period is owed.
    let reqs = run(&founded("2024-04-01"), &[], "2024-01-01", "2024-12-31");
    assert_eq!(lines(&reqs, of(CommitteeMeeting))[0], "2024年4月 0/1 overdue");
    assert_eq!(lines(&reqs, of(GeneralMeeting))[0], "2024年第2季度 0/1 overdue");
    let reqs = run(&founded("2024-01-01"), &[], "2024-01-01", "2024-12-31");
    assert_eq!(lines(&reqs, of(Appraisal)), ["2024年 0/1 pending"]);

    // An unknown founding date does not excuse anything.
    let reqs = run(&OrgLifeFacts { founded_on: None, ..branch() }, &[], "2024-01-01", "2024-12-31");
    assert_eq!(lines(&reqs, of(CommitteeMeeting)).len(), 12);
}

#[test]
fn an_organization_dissolved_before_a_period_ends_owes_nothing_for_it() {
    let dissolved = |day: &str| OrgLifeFacts { dissolved_on: Some(d(day)), ..branch() };
    let reqs = run(&dissolved("2024-06-10"), &[], "2024-01-01", "2024-09-01");
    assert_eq!(lines(&reqs, of(CommitteeMeeting)).len(), 5);
    assert_eq!(lines(&reqs, of(GeneralMeeting)), ["2024年第1季度 0/1 overdue"]);
    assert!(lines(&reqs, of(PartyLecture)).is_empty());
    assert!(lines(&reqs, of(OrgLifeMeeting)).is_empty());

    // Dissolved on the last day: the period was lived through and is owed.
    let reqs = run(&dissolved("2024-06-30"), &[], "2024-01-01", "2024-09-01");
    assert_eq!(lines(&reqs, of(CommitteeMeeting)).len(), 6);
    assert_eq!(lines(&reqs, of(GeneralMeeting)), ["2024年第1季度 0/1 overdue", "2024年第2季度 0/1 overdue"]);
    assert_eq!(lines(&reqs, of(PartyLecture)), ["2024年上半年 0/1 overdue"]);
}

#[test]
fn meetings_dated_after_the_evaluation_day_do_not_count() {
    let reqs = run(&branch(), &[meeting(CommitteeMeeting, "2024-05-20")], "2024-05-01", "2024-05-15");
    assert_eq!(lines(&reqs, of(CommitteeMeeting)), ["2024年5月 0/1 pending"]);
    let reqs = run(&branch(), &[meeting(CommitteeMeeting, "2024-05-15")], "2024-05-01", "2024-05-15");
    assert_eq!(lines(&reqs, of(CommitteeMeeting)), ["2024年5月 1/1 met"]);
}

#[test]
fn only_a_party_lecture_by_the_secretary_counts_as_the_secretarys_lecture() {
    let mut meetings = vec![
        lecture("2024-03-01", Some(Post::DeputySecretary)),
        lecture("2024-09-01", None),
        MeetingFact { kind: ThemeDay, date: d("2024-10-01"), lecturer_post: Some(Post::Secretary) },
    ];
    let reqs = run(&branch(), &meetings, "2024-01-01", "2024-12-01");
    assert_eq!(lines(&reqs, of(PartyLecture)), ["2024年上半年 1/1 met", "2024年下半年 1/1 met"]);
    assert_eq!(lines(&reqs, RequirementKind::SecretaryLecture), ["2024年 0/1 pending"]);

    meetings.push(lecture("2024-11-01", Some(Post::Secretary)));
    let reqs = run(&branch(), &meetings, "2024-01-01", "2024-12-01");
    assert_eq!(lines(&reqs, of(PartyLecture)), ["2024年上半年 1/1 met", "2024年下半年 2/1 met"]);
    assert_eq!(lines(&reqs, RequirementKind::SecretaryLecture), ["2024年 1/1 met"]);
}

#[test]
fn each_kind_of_organization_owes_its_own_meetings() {
    let owed = |org: OrgLifeFacts| kinds(&run(&org, &[], "2024-01-01", "2024-12-31"));
    let lecture = RequirementKind::SecretaryLecture;

    let small = owed(OrgLifeFacts { has_committee: false, has_groups: false, ..branch() });
    assert_eq!(
        small,
        BTreeSet::from([
            of(GeneralMeeting),
            of(PartyLecture),
            of(ThemeDay),
            of(OrgLifeMeeting),
            of(Appraisal),
            lecture
        ])
    );
    let no_groups = owed(OrgLifeFacts { has_groups: false, ..branch() });
    assert!(no_groups.contains(&of(CommitteeMeeting)) && !no_groups.contains(&of(GroupMeeting)));
    let no_committee = owed(OrgLifeFacts { has_committee: false, ..branch() });
    assert!(!no_committee.contains(&of(CommitteeMeeting)) && no_committee.contains(&of(GroupMeeting)));

    // A 党总支 always has its committee, whatever the flag says.
    let general_branch = owed(OrgLifeFacts { kind: OrgKind::GeneralBranch, has_committee: false, ..branch() });
    assert_eq!(general_branch, BTreeSet::from([of(CommitteeMeeting), of(OrgLifeMeeting), lecture]));

    for kind in [OrgKind::Committee, OrgKind::WorkingCommittee] {
        assert_eq!(owed(OrgLifeFacts { kind, ..branch() }), BTreeSet::from([of(DemocraticLifeMeeting), lecture]));
    }
    assert!(owed(OrgLifeFacts { kind: OrgKind::Group, ..branch() }).is_empty());
}

#[test]
fn a_meeting_of_another_kind_does_not_count() {
    let meetings = [meeting(GroupMeeting, "2024-05-02"), meeting(OrgLifeMeeting, "2024-05-03")];
    let reqs = run(&branch(), &meetings, "2024-05-01", "2024-05-15");
    assert_eq!(lines(&reqs, of(CommitteeMeeting)), ["2024年5月 0/1 pending"]);
    assert_eq!(lines(&reqs, of(Appraisal)), ["2024年 0/1 pending"]);
}

#[test]
fn the_old_half_yearly_rule_runs_its_course_while_a_new_quarterly_one_starts_with_the_next_quarter() {
    let rules = with_rule(Rule {
        requirement: of(PartyLecture),
        org_kinds: vec![OrgKind::Branch],
        period: Period::Quarter,
        min_count: 1,
        effective_from: d("2024-08-15"),
    });
    let reqs = evaluate(&branch(), &rules, &[], d("2024-01-01"), d("2024-12-31"));
    assert_eq!(
        lines(&reqs, of(PartyLecture)),
        ["2024年上半年 0/1 overdue", "2024年下半年 0/1 pending", "2024年第4季度 0/1 pending"]
    );
    let reqs = evaluate(&branch(), &rules, &[lecture("2024-11-01", None)], d("2024-01-01"), d("2024-12-31"));
    assert_eq!(lines(&reqs, of(PartyLecture))[1..], ["2024年下半年 1/1 met", "2024年第4季度 1/1 met"]);
    let reqs = evaluate(&branch(), &rules, &[], d("2025-01-01"), d("2025-12-31"));
    assert_eq!(lines(&reqs, of(PartyLecture)).len(), 4);
}

#[test]
fn a_raised_count_applies_from_the_first_month_beginning_on_or_after_its_date() {
    let required = |effective_from: &str| {
        let rules = with_rule(Rule {
            requirement: of(CommitteeMeeting),
            org_kinds: vec![OrgKind::Branch],
            period: Period::Month,
            min_count: 2,
            effective_from: d(effective_from),
        });
        evaluate(&branch(), &rules, &[], d("2024-01-01"), d("2024-04-30"))
            .iter()
            .filter(|r| r.kind == of(CommitteeMeeting))
            .map(|r| r.required)
            .collect::<Vec<_>>()
    };
    assert_eq!(required("2024-03-01"), [1, 1, 2, 2]);
    assert_eq!(required("2024-03-02"), [1, 1, 1, 2]);
    assert_eq!(required("2024-02-29"), [1, 1, 2, 2]);
    assert_eq!(required("2024-05-01"), [1, 1, 1, 1]);
}

#[test]
fn a_new_version_for_branches_leaves_general_branches_on_the_old_one() {
    let rules = with_rule(Rule {
        requirement: of(CommitteeMeeting),
        org_kinds: vec![OrgKind::Branch],
        period: Period::Quarter,
        min_count: 1,
        effective_from: d("2024-01-01"),
    });
    let reqs = evaluate(&branch(), &rules, &[], d("2023-12-01"), d("2024-05-15"));
    assert_eq!(
        lines(&reqs, of(CommitteeMeeting)),
        ["2023年12月 0/1 overdue", "2024年第1季度 0/1 overdue", "2024年第2季度 0/1 pending"]
    );
    let general_branch = OrgLifeFacts { kind: OrgKind::GeneralBranch, ..branch() };
    let reqs = evaluate(&general_branch, &rules, &[], d("2023-12-01"), d("2024-05-15"));
    assert_eq!(lines(&reqs, of(CommitteeMeeting)).len(), 6);
}

#[test]
fn a_rule_not_yet_in_force_requires_nothing() {
    let rules = RuleSet {
        version: 1,
        rules: vec![Rule {
            requirement: of(ThemeDay),
            org_kinds: vec![OrgKind::Branch],
            period: Period::Month,
            min_count: 1,
            effective_from: d("2025-01-01"),
        }],
    };
    assert!(evaluate(&branch(), &rules, &[], d("2024-01-01"), d("2024-12-31")).is_empty());
    assert_eq!(evaluate(&branch(), &rules, &[], d("2024-01-01"), d("2025-01-01")).len(), 1);
}

#[test]
fn the_range_includes_the_periods_around_since_and_is_empty_when_since_is_after_on() {
    assert!(run(&branch(), &[], "2024-05-16", "2024-05-15").is_empty());
    let reqs = run(&branch(), &[], "2024-05-15", "2024-05-20");
    let firsts: BTreeSet<_> = reqs.iter().map(|r| (r.period.period(), r.period.first_day())).collect();
    assert_eq!(
        firsts,
        BTreeSet::from([
            (Period::Month, d("2024-05-01")),
            (Period::Quarter, d("2024-04-01")),
            (Period::HalfYear, d("2024-01-01")),
            (Period::Year, d("2024-01-01")),
        ])
    );
}

#[test]
fn several_meetings_are_needed_when_the_rule_asks_for_several() {
    let rules = with_rule(Rule {
        requirement: of(ThemeDay),
        org_kinds: vec![OrgKind::Branch],
        period: Period::Month,
        min_count: 2,
        effective_from: d("2024-01-01"),
    });
    let theme_day = |meetings: &[MeetingFact]| {
        let reqs = evaluate(&branch(), &rules, meetings, d("2024-05-01"), d("2024-05-31"));
        lines(&reqs, of(ThemeDay))
    };
    assert_eq!(theme_day(&[meeting(ThemeDay, "2024-05-01")]), ["2024年5月 1/2 pending"]);
    let three = [meeting(ThemeDay, "2024-05-01"), meeting(ThemeDay, "2024-05-01"), meeting(ThemeDay, "2024-05-31")];
    assert_eq!(theme_day(&three[..2]), ["2024年5月 2/2 met"]);
    assert_eq!(theme_day(&three), ["2024年5月 3/2 met"]);
}

fn merged(founded_on: &str, merged_on: &str, meetings: Vec<MeetingFact>) -> MergedOrg {
    MergedOrg { founded_on: Some(d(founded_on)), merged_on: d(merged_on), meetings }
}

#[test]
fn a_branch_formed_by_a_merger_owes_the_merge_periods_and_counts_the_merged_branchs_meetings() {
    let old = merged(
        "2010-03-01",
        "2024-05-20",
        vec![
            meeting(OrgLifeMeeting, "2024-01-15"),
            meeting(GeneralMeeting, "2024-04-10"),
            meeting(CommitteeMeeting, "2024-04-10"),
            meeting(CommitteeMeeting, "2024-05-03"),
            meeting(ThemeDay, "2024-05-20"),
            // Entered against the old branch after it was gone: not a meeting it held.
            meeting(CommitteeMeeting, "2024-05-25"),
        ],
    );
    let new = OrgLifeFacts { founded_on: Some(d("2024-05-20")), merged_from: vec![old], ..branch() };
    // Dated the day before the new branch existed: ignored.
    let own = [meeting(CommitteeMeeting, "2024-05-19"), meeting(ThemeDay, "2024-05-28")];
    let reqs = run(&new, &own, "2024-01-01", "2024-06-15");
    assert_eq!(lines(&reqs, of(CommitteeMeeting)), ["2024年5月 1/1 met", "2024年6月 0/1 pending"]);
    assert_eq!(lines(&reqs, of(ThemeDay)), ["2024年5月 2/1 met", "2024年6月 0/1 pending"]);
    assert_eq!(lines(&reqs, of(GeneralMeeting)), ["2024年第2季度 1/1 met"]);
    assert_eq!(lines(&reqs, of(PartyLecture)), ["2024年上半年 0/1 pending"]);
    assert_eq!(lines(&reqs, of(OrgLifeMeeting)), ["2024年 1/1 met"]);
}

#[test]
fn a_merger_hands_over_no_period_the_merged_branch_did_not_exist_at_the_start_of() {
    let young = merged("2024-05-05", "2024-05-20", vec![meeting(CommitteeMeeting, "2024-05-10")]);
    let new = OrgLifeFacts { founded_on: Some(d("2024-05-20")), merged_from: vec![young], ..branch() };
    let reqs = run(&new, &[], "2024-01-01", "2024-06-15");
    assert_eq!(lines(&reqs, of(CommitteeMeeting)), ["2024年6月 0/1 pending"]);
    assert!(lines(&reqs, of(GeneralMeeting)).is_empty());
}

#[test]
fn a_branch_absorbing_another_counts_its_meetings_only_in_the_periods_of_the_merger() {
    let absorbed = merged(
        "2010-03-01",
        "2024-05-20",
        vec![
            meeting(CommitteeMeeting, "2024-04-10"),
            meeting(CommitteeMeeting, "2024-05-03"),
            meeting(GeneralMeeting, "2024-04-10"),
        ],
    );
    let org = OrgLifeFacts { merged_from: vec![absorbed], ..branch() };
    let reqs = run(&org, &[], "2024-04-01", "2024-06-15");
    assert_eq!(
        lines(&reqs, of(CommitteeMeeting)),
        ["2024年4月 0/1 overdue", "2024年5月 1/1 met", "2024年6月 0/1 pending"]
    );
    assert_eq!(lines(&reqs, of(GeneralMeeting)), ["2024年第2季度 1/1 met"]);
}

#[test]
fn every_period_is_owed_by_exactly_one_of_a_merged_branch_and_its_successor() {
    type Key = (RequirementKind, PeriodSpan);
    let keys = |org: &OrgLifeFacts| -> BTreeSet<Key> {
        run(org, &[], "2024-01-01", "2025-03-01").into_iter().map(|r| (r.kind, r.period)).collect()
    };
    let continuous = keys(&branch());
    for day in ["2024-01-01", "2024-02-29", "2024-03-31", "2024-04-01", "2024-05-20", "2024-06-30", "2024-12-31"] {
        let gone = OrgLifeFacts { dissolved_on: Some(d(day)), ..branch() };
        let successor =
            OrgLifeFacts { founded_on: Some(d(day)), merged_from: vec![merged("2001-07-01", day, vec![])], ..branch() };
        let (before, after) = (keys(&gone), keys(&successor));
        assert!(before.is_disjoint(&after), "merged on {day}: {:?}", before.intersection(&after).collect::<Vec<_>>());
        assert_eq!(before.union(&after).cloned().collect::<BTreeSet<_>>(), continuous, "merged on {day}");
    }
}
