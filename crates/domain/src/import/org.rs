//! Importing organizations (党组织): every row read into organization attributes under a parent —
//! an organization already in the tree, or one created by an earlier row of the same file, so that
//! a whole subtree comes in from one sheet. An organization already registered under the same
//! parent with the same name is skipped.

use super::{Columns, DedupeMode, Header, Issue, OrgProblem, Outcome, Planned, RowReader, coded, resolve_org, yes_no};
use crate::date::Date;
use crate::org::{FormationMode, OrgError, OrgFields, OrgId, OrgInput, OrgKind, Sector, check_placement};
use qiangji_sheet::Table;
use std::collections::HashMap;

/// The columns of the organization template, with the other names they go by in real files.
pub const COLUMNS: Columns = &[
    ("组织名称", &["党组织名称", "党组织全称", "组织全称", "名称"]),
    ("简称", &["组织简称"]),
    ("组织类别", &["党组织类别", "组织类型", "类别"]),
    ("上级党组织", &["上级组织", "隶属党组织", "上级党组织名称"]),
    ("领域", &["所属领域", "行业", "所属行业"]),
    ("组建方式", &[]),
    ("区域性党组织", &["区域性", "是否区域性"]),
    ("联合党组织", &["联合", "是否联合"]),
    ("临时党组织", &["临时", "是否临时"]),
    ("成立日期", &["成立时间"]),
    ("本届任期开始日期", &["本届任期开始", "换届日期", "届期开始日期"]),
    ("任期年限", &["任期", "届期"]),
    ("所在单位", &["依托单位", "单位名称"]),
    ("联系人", &[]),
    ("联系电话", &["电话"]),
    ("地址", &["通讯地址", "办公地址"]),
];

/// Columns without which a sheet of organizations cannot be read.
pub const REQUIRED: &[&str] = &["组织名称", "组织类别"];

/// An organization of the tree as a plan needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownOrg {
    pub id: OrgId,
    pub kind: OrgKind,
    pub sector: Sector,
}

/// Where the planner looks organizations up, within the importer's scope.
pub trait Lookup {
    /// The organization imported into: the parent of rows that name none.
    fn root(&self) -> KnownOrg;
    /// The organization named `name` (or `上级/…/名称`), not dissolved, if exactly one in scope.
    fn org(&self, name: &str) -> Result<KnownOrg, OrgProblem>;
    /// The organization named `name` directly under `parent`, not dissolved.
    fn child(&self, parent: OrgId, name: &str) -> Option<OrgId>;
}

/// The parent of a new organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parent {
    Org(OrgId),
    /// The organization an earlier row of the file creates (its line).
    Row(usize),
}

/// What a row will do when the batch is committed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create {
        parent: Parent,
    },
    /// Registered already under that parent: skipped.
    Existing(OrgId),
    None,
}

/// A row of the file as read.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedOrg {
    pub line: usize,
    pub name: String,
    pub parent_name: String,
    pub fields: Option<OrgFields>,
    pub action: Action,
    pub issues: Vec<Issue>,
}

impl Planned for PlannedOrg {
    fn line(&self) -> usize {
        self.line
    }

    fn label(&self) -> String {
        self.name.clone()
    }

    fn key(&self) -> String {
        self.parent_name.clone()
    }

    fn outcome(&self) -> Outcome {
        match self.action {
            Action::Create { .. } => Outcome::Create,
            Action::Existing(_) => Outcome::Existing(DedupeMode::Skip),
            Action::None => Outcome::None,
        }
    }

    fn issues(&self) -> &[Issue] {
        &self.issues
    }
}

/// An organization a row of the file stands for, for the rows below it.
struct FileOrg {
    line: usize,
    kind: Option<OrgKind>,
    sector: Option<Sector>,
    /// The registered organization when the row is skipped as already there.
    existing: Option<OrgId>,
    ok: bool,
    parent: Option<Parent>,
}

/// Reads every row of `table` into a plan; rows naming no parent go under the lookup's root.
pub fn plan(table: &Table, lookup: &dyn Lookup, today: Date) -> Vec<PlannedOrg> {
    let header = Header::find(table, COLUMNS);
    let mut by_name: HashMap<String, Vec<FileOrg>> = HashMap::new();
    // Names of rows further down, to tell a parent written below its child from an unknown one.
    let mut below: HashMap<String, usize> = HashMap::new();
    for (line, cells) in table.rows.iter().rev() {
        let mut r = RowReader::new(cells, &header);
        below.insert(r.text("组织名称"), *line);
    }
    let mut planned = Vec::with_capacity(table.rows.len());
    for (line, cells) in &table.rows {
        let row = read_row(*line, cells, &header, lookup, &by_name, &below, today);
        let entry = FileOrg {
            line: row.line,
            kind: row.fields.as_ref().map(|f| f.kind),
            sector: row.fields.as_ref().map(|f| f.sector),
            existing: match row.action {
                Action::Existing(id) => Some(id),
                _ => None,
            },
            ok: !row.has_errors(),
            parent: match row.action {
                Action::Create { parent } => Some(parent),
                _ => None,
            },
        };
        if !row.name.is_empty() {
            by_name.entry(row.name.clone()).or_default().push(entry);
        }
        planned.push(row);
    }
    planned
}

fn read_row(
    line: usize,
    cells: &[qiangji_sheet::Cell],
    header: &Header,
    lookup: &dyn Lookup,
    file: &HashMap<String, Vec<FileOrg>>,
    below: &HashMap<String, usize>,
    today: Date,
) -> PlannedOrg {
    let mut r = RowReader::new(cells, header);
    let name = r.text("组织名称");
    let parent_name = r.text("上级党组织");
    let founded_on = r.date("成立日期");
    let term_start = r.date("本届任期开始日期");
    let mut kinds: Vec<(&str, &str)> = OrgKind::ALL.iter().map(|k| (k.label(), k.code())).collect();
    kinds.extend([
        ("基层党委", OrgKind::Committee.code()),
        ("党总支部", OrgKind::GeneralBranch.code()),
        ("总支", OrgKind::GeneralBranch.code()),
        ("支部", OrgKind::Branch.code()),
        ("党支部委员会", OrgKind::Branch.code()),
        ("联合党支部", OrgKind::Branch.code()),
    ]);
    let mut sectors: Vec<(&str, &str)> = Sector::ALL.iter().map(|s| (s.label(), s.code())).collect();
    sectors.extend([
        ("非公企业", Sector::PrivateEnterprise.code()),
        ("国企", Sector::StateEnterprise.code()),
        ("党政机关", Sector::Government.code()),
        ("事业", Sector::PublicInstitution.code()),
    ]);
    let modes: Vec<(&str, &str)> = FormationMode::ALL.iter().map(|m| (m.label(), m.code())).collect();
    let kind = coded(r.text("组织类别"), &kinds);
    let sector = r.text("领域");
    let mode = r.text("组建方式");
    let regional = flag(&mut r, "区域性党组织");
    let joint = flag(&mut r, "联合党组织");
    let temporary = flag(&mut r, "临时党组织");
    let input = OrgInput {
        name: name.clone(),
        short_name: r.text("简称"),
        kind,
        sector: coded(sector.clone(), &sectors),
        formation_mode: if mode.is_empty() { FormationMode::Single.code().into() } else { coded(mode, &modes) },
        regional,
        joint,
        temporary,
        founded_on,
        term_start,
        term_years: r.text("任期年限").trim_end_matches('年').to_owned(),
        host_units: r.text("所在单位"),
        contact: r.text("联系人"),
        phone: r.text("联系电话"),
        address: r.text("地址"),
    };
    let mut issues = r.finish();
    // The parent: a row above in the file, else an organization of the tree.
    let parent: Option<(Parent, Option<OrgKind>, Option<Sector>)> = if parent_name.is_empty() {
        let root = lookup.root();
        Some((Parent::Org(root.id), Some(root.kind), Some(root.sector)))
    } else if let Some(rows) = file.get(last_part(&parent_name)) {
        match rows.as_slice() {
            [p] if !p.ok => {
                issues.push(Issue::error(
                    "import.parent_row_invalid",
                    "上级党组织",
                    format!("上级党组织“{parent_name}”（第{}行）有错误，本行无法导入", p.line),
                ));
                None
            }
            [p] => Some((p.existing.map_or(Parent::Row(p.line), Parent::Org), p.kind, p.sector)),
            _ => {
                issues.push(Issue::error(
                    "import.org_ambiguous",
                    "上级党组织",
                    format!("文件中有多行名为“{parent_name}”，请改用不重复的全称"),
                ));
                None
            }
        }
    } else if let Some(at) = below.get(last_part(&parent_name)).filter(|at| **at > line) {
        issues.push(Issue::error(
            "import.parent_below",
            "上级党组织",
            format!("上级党组织“{parent_name}”在第{at}行，须写在本行之前"),
        ));
        None
    } else {
        resolve_org(&parent_name, "上级党组织", "上级党组织", |n| lookup.org(n), &mut issues)
            .map(|o| (Parent::Org(o.id), Some(o.kind), Some(o.sector)))
    };
    let input = match (&parent, sector.is_empty()) {
        // 领域 left empty: the parent's (a row without a parent is refused for that alone).
        (Some((_, _, Some(s))), true) => OrgInput { sector: s.code().into(), ..input },
        (None, true) => OrgInput { sector: Sector::Mixed.code().into(), ..input },
        _ => input,
    };
    let fields = match input.validate(today) {
        Ok(f) => Some(f),
        Err(e) => {
            let code = if e == OrgError::NameMissing { "import.value_missing" } else { e.code() };
            issues.push(Issue::error(code, column_of(&e), e.to_string()));
            None
        }
    };
    let action = match (&fields, parent) {
        _ if issues.iter().any(|i| i.error) => Action::None,
        (Some(f), Some((parent, parent_kind, _))) => {
            if let Err(e) = check_placement(f.kind, parent_kind) {
                issues.push(Issue::error(e.code(), "组织类别", e.to_string()));
                Action::None
            } else if let Some(same) = file.get(&f.name).and_then(|rows| rows.iter().find(|p| p.parent == Some(parent)))
            {
                issues.push(Issue::error(
                    "import.duplicate_in_file",
                    "组织名称",
                    format!("与第{}行是同一上级下的同名组织", same.line),
                ));
                Action::None
            } else {
                match parent {
                    Parent::Org(p) => match lookup.child(p, &f.name) {
                        Some(id) => {
                            issues.push(Issue::warning(
                                "import.org_exists",
                                "组织名称",
                                "上级党组织下已有同名组织，跳过这一行",
                            ));
                            Action::Existing(id)
                        }
                        None => Action::Create { parent },
                    },
                    Parent::Row(_) => Action::Create { parent },
                }
            }
        }
        _ => Action::None,
    };
    PlannedOrg { line, name, parent_name, fields, action, issues }
}

/// A 是/否 column; anything else is the row's error.
fn flag(r: &mut RowReader, column: &'static str) -> bool {
    let raw = r.text(column);
    yes_no(&raw).unwrap_or_else(|| {
        r.issues.push(Issue::error("import.flag_invalid", column, format!("{column}应填“是”或“否”，不是“{raw}”")));
        false
    })
}

/// The last part of `上级/…/名称`.
fn last_part(name: &str) -> &str {
    name.rsplit(['/', '／']).next().unwrap_or(name).trim()
}

/// The template column of an organization validation error.
fn column_of(e: &OrgError) -> &'static str {
    match e {
        OrgError::NameMissing | OrgError::NameTooLong => "组织名称",
        OrgError::UnknownCode { what: "领域", .. } => "领域",
        OrgError::UnknownCode { what: "组建方式", .. } => "组建方式",
        OrgError::UnknownCode { .. } => "组织类别",
        OrgError::DateInvalid { field } | OrgError::FutureDate { field } => match *field {
            "成立日期" => "成立日期",
            _ => "本届任期开始日期",
        },
        OrgError::TermYearsInvalid => "任期年限",
        _ => "",
    }
}

#[cfg(test)]
#[path = "org_tests.rs"]
mod tests;
