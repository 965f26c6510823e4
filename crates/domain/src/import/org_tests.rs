use super::*;
use qiangji_sheet::{find_table, read};

/// A county committee (1) with a town committee (2) holding 第一支部 (3); another town (4) with its
/// own 第一支部 (5).
struct Tree;

impl Lookup for Tree {
    fn root(&self) -> KnownOrg {
        KnownOrg { id: OrgId(1), kind: OrgKind::Committee, sector: Sector::Mixed }
    }

    fn org(&self, name: &str) -> Result<KnownOrg, OrgProblem> {
        match name {
            "甲镇党委" => Ok(KnownOrg { id: OrgId(2), kind: OrgKind::Committee, sector: Sector::Rural }),
            "中心支部" => Err(OrgProblem::Ambiguous),
            "甲镇党委/第一支部" => Ok(KnownOrg { id: OrgId(3), kind: OrgKind::Branch, sector: Sector::Rural }),
            _ => Err(OrgProblem::Unknown),
        }
    }

    fn child(&self, parent: OrgId, name: &str) -> Option<OrgId> {
        (parent == OrgId(2) && name == "第一支部").then_some(OrgId(3))
    }
}

fn planned(csv: &str) -> Vec<PlannedOrg> {
    let sheet = read(csv.as_bytes()).unwrap().remove(0);
    let table = find_table(&sheet, &["组织名称", "组织类别", "上级党组织"], 2).unwrap();
    assert!(crate::import::missing_columns(&table, COLUMNS, REQUIRED).is_empty());
    plan(&table, &Tree, crate::date::parse("2026-12-07").unwrap())
}

fn codes(r: &PlannedOrg) -> Vec<&'static str> {
    r.issues.iter().map(|i| i.code).collect()
}

#[test]
fn a_subtree_comes_in_from_one_sheet_with_parents_above_children() {
    let rows = planned(
        "组织名称,组织类别,上级党组织,领域,成立日期,联合党组织\n\
         乙镇党委,党委,,农村,2001.7,否\n\
         乙镇第一村党总支,党总支,乙镇党委,,2003-05-01,\n\
         乙镇第一村第一支部,党支部,乙镇第一村党总支,,,是\n\
         甲镇第二支部,支部,甲镇党委,,,\n",
    );
    for r in &rows {
        assert!(!r.has_errors(), "line {}: {:?}", r.line, r.issues);
    }
    assert_eq!(rows[0].action, Action::Create { parent: Parent::Org(OrgId(1)) });
    assert_eq!(codes(&rows[0]), ["import.date_month_only"]);
    assert_eq!(rows[1].action, Action::Create { parent: Parent::Row(2) });
    assert_eq!(rows[2].action, Action::Create { parent: Parent::Row(3) });
    let f = rows[2].fields.as_ref().unwrap();
    // 领域 left empty is the parent's, through the file's rows.
    assert_eq!((f.kind, f.sector, f.joint), (OrgKind::Branch, Sector::Rural, true));
    assert_eq!(rows[3].action, Action::Create { parent: Parent::Org(OrgId(2)) });
    assert_eq!(rows[3].fields.as_ref().unwrap().sector, Sector::Rural);
}

#[test]
fn every_problem_is_named_with_its_code() {
    let rows = planned(
        "标题\n组织名称,组织类别,上级党组织,成立日期,任期年限,临时党组织\n\
         ,党支部,,,,\n\
         坏类别,党小队,,,,\n\
         倒置支部,党支部,后面的总支,,,\n\
         后面的总支,党总支,,,,\n\
         不存在上级,党支部,查无此组织,,,\n\
         同名上级,党支部,中心支部,,,\n\
         第一支部,党支部,甲镇党委,,,\n\
         支部下的党委,党委,甲镇党委/第一支部,,,\n\
         日期错,党支部,,去年,,\n\
         任期错,党支部,,,12,\n\
         旗标错,党支部,,,,也许\n\
         重复,党支部,,,,\n\
         重复,党支部,,,,\n\
         坏上级的下级,党支部,坏类别,,,\n",
    );
    let by_line: Vec<(usize, Vec<&str>)> = rows.iter().map(|r| (r.line, codes(r))).collect();
    assert_eq!(
        by_line,
        [
            (3, vec!["import.value_missing"]),
            (4, vec!["org.code_unknown"]),
            (5, vec!["import.parent_below"]),
            (6, vec![]),
            (7, vec!["import.org_unknown"]),
            (8, vec!["import.org_ambiguous"]),
            (9, vec!["import.org_exists"]),
            (10, vec!["org.kind_not_allowed_under_parent"]),
            (11, vec!["import.date_invalid"]),
            (12, vec!["org.term_years_invalid"]),
            (13, vec!["import.flag_invalid"]),
            (14, vec![]),
            (15, vec!["import.duplicate_in_file"]),
            (16, vec!["import.parent_row_invalid"]),
        ]
    );
    assert_eq!(rows[6].action, Action::Existing(OrgId(3)));
    assert_eq!(rows[6].outcome(), Outcome::Existing(DedupeMode::Skip));
    assert!(rows.iter().filter(|r| r.has_errors()).all(|r| r.action == Action::None));
}

#[test]
fn a_child_of_a_row_skipped_as_registered_goes_under_the_registered_organization() {
    let rows = planned("组织名称,组织类别,上级党组织\n第一支部,党支部,甲镇党委\n第一党小组,党小组,第一支部\n");
    assert_eq!(rows[0].action, Action::Existing(OrgId(3)));
    assert_eq!(rows[1].action, Action::Create { parent: Parent::Org(OrgId(3)) });
}
