//! Arbitrary bytes read as a spreadsheet and planned as each kind of import (member roster,
//! organizations, meeting records), with in-memory lookups standing in for the store.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qiangji_domain::Date;
use qiangji_domain::import::meeting::MemberProblem;
use qiangji_domain::import::member::Registered;
use qiangji_domain::import::org::KnownOrg;
use qiangji_domain::import::{
    DedupeMode, ImportKind, OrgProblem, Outcome, Planned, meeting, member, missing_columns, org,
};
use qiangji_domain::member::MemberId;
use qiangji_domain::org::{OrgId, OrgKind, Sector};
use qiangji_domain::orglife::{MeetingId, MeetingKind};
use qiangji_sheet::{Table, find_table, read};

/// A made-up deployment where what a name resolves to depends only on the name: names with 重名
/// are ambiguous, names ending in 支部/党委/党总支 exist, anything else is unknown.
struct Names;

fn org_id(name: &str) -> Result<OrgId, OrgProblem> {
    if name.contains("重名") {
        Err(OrgProblem::Ambiguous)
    } else if ["支部", "党委", "党总支"].iter().any(|s| name.ends_with(s)) {
        Ok(OrgId(name.chars().count() as i64))
    } else {
        Err(OrgProblem::Unknown)
    }
}

fn known(id: OrgId) -> KnownOrg {
    let kind = OrgKind::ALL[id.0 as usize % OrgKind::ALL.len()];
    KnownOrg { id, kind, sector: Sector::ALL[id.0 as usize % Sector::ALL.len()] }
}

impl member::Lookup for Names {
    fn org(&self, name: &str) -> Result<OrgId, OrgProblem> {
        org_id(name)
    }

    fn registered(&self, id_number: &str) -> Registered {
        match id_number.bytes().last() {
            Some(b'X') => Registered::Elsewhere,
            Some(b'0') => Registered::Here,
            _ => Registered::No,
        }
    }
}

impl org::Lookup for Names {
    fn root(&self) -> KnownOrg {
        KnownOrg { id: OrgId(1), kind: OrgKind::Committee, sector: Sector::Mixed }
    }

    fn org(&self, name: &str) -> Result<KnownOrg, OrgProblem> {
        org_id(name).map(known)
    }

    fn child(&self, parent: OrgId, name: &str) -> Option<OrgId> {
        org_id(name).ok().filter(|id| id.0 > parent.0)
    }
}

impl meeting::Lookup for Names {
    fn root(&self) -> OrgId {
        OrgId(1)
    }

    fn org(&self, name: &str) -> Result<OrgId, OrgProblem> {
        org_id(name)
    }

    fn member(&self, _org: OrgId, _day: Date, name: &str) -> Result<MemberId, MemberProblem> {
        match name.chars().count() {
            2 | 3 => Ok(MemberId(name.len() as i64)),
            4 => Err(MemberProblem::Ambiguous),
            _ => Err(MemberProblem::NotMember),
        }
    }

    fn recorded(&self, _org: OrgId, _kind: MeetingKind, _day: Date, topic: &str) -> Option<MeetingId> {
        topic.contains("已录").then_some(MeetingId(9))
    }
}

/// What holds for every plan: a planned row per data row, in order, and a row does nothing
/// exactly when it has an error; every issue says what it is.
fn check<P: Planned>(table: &Table, plan: &[P]) {
    assert_eq!(plan.len(), table.rows.len());
    for (p, (line, _)) in plan.iter().zip(&table.rows) {
        assert_eq!(p.line(), *line);
        assert_eq!(p.has_errors(), p.outcome() == Outcome::None, "line {line}: {:?}", p.outcome());
        for issue in p.issues() {
            assert!(!issue.code.is_empty() && !issue.message.is_empty());
        }
        let _ = (p.label(), p.key());
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(sheets) = read(data) else { return };
    let today = Date::from_ymd_opt(2026, 12, 7).expect("valid");
    for kind in ImportKind::ALL.iter().copied() {
        // As the web crate finds a batch's table: any name of any column, three of them.
        let names: Vec<&str> =
            kind.columns().iter().flat_map(|c| std::iter::once(c.0).chain(c.1.iter().copied())).collect();
        let Some(table) = sheets.iter().find_map(|s| find_table(s, &names, 3).ok()) else { continue };
        if !missing_columns(&table, kind.columns(), kind.required()).is_empty() {
            continue;
        }
        match kind {
            ImportKind::Members => {
                for mode in DedupeMode::ALL {
                    check(&table, &member::plan(&table, OrgId(3), &Names, mode, today));
                }
            }
            ImportKind::Orgs => check(&table, &org::plan(&table, &Names, today)),
            ImportKind::Meetings => {
                let _ = meeting::org_names(&table);
                check(&table, &meeting::plan(&table, &Names, today));
            }
        }
    }
});
