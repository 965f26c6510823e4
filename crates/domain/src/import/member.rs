//! Importing a member roster (党员花名册): every row read into member fields. The store resolves
//! organizations and finds identity numbers already registered.

use super::{Columns, DedupeMode, Header, Issue, OrgProblem, Outcome, Planned, RowReader, coded, resolve_org};
use crate::date::Date;
use crate::member::{Education, MemberError, MemberFields, MemberInput, MemberKind, Occupation, Sex};
use crate::org::OrgId;
use qiangji_sheet::{Cell, Table};
use std::collections::HashMap;

/// The columns of the roster template, with the other names they go by in real files.
pub const COLUMNS: Columns = &[
    ("姓名", &[]),
    ("性别", &[]),
    ("民族", &[]),
    ("身份证号", &["公民身份号码", "身份证号码", "身份证"]),
    ("出生日期", &["出生年月"]),
    ("籍贯", &[]),
    ("学历", &["文化程度"]),
    ("毕业院校", &["毕业学校"]),
    ("专业", &[]),
    ("学位", &[]),
    ("职业", &[]),
    ("工作单位", &[]),
    ("职务", &["工作岗位", "职务职称"]),
    ("参加工作日期", &["参加工作时间"]),
    ("联系电话", &["手机号码", "手机", "电话"]),
    ("家庭住址", &["住址", "现居住地"]),
    ("入党日期", &["入党时间"]),
    ("转正日期", &["转正时间"]),
    ("党员类别", &["人员类别", "类别"]),
    ("所在党组织", &["所在支部", "党组织", "所在组织"]),
    ("组织关系转入日期", &["转入日期", "转入本支部日期"]),
];

/// Columns without which a roster cannot be read.
pub const REQUIRED: &[&str] = &["姓名", "身份证号", "入党日期"];

/// What a row will do when the batch is committed.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Register a new member in `org`, a member of it from `since`.
    Create { org: OrgId, since: Date },
    /// The identity number is registered: what the mode says to do with that member.
    Existing(DedupeMode),
    /// Nothing: the row has errors.
    None,
}

/// A row of the file as read.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedRow {
    /// The row number in the file, as Excel shows it.
    pub line: usize,
    pub name: String,
    pub id_number: String,
    pub fields: Option<MemberFields>,
    pub action: Action,
    pub issues: Vec<Issue>,
}

impl Planned for PlannedRow {
    fn line(&self) -> usize {
        self.line
    }

    fn label(&self) -> String {
        self.name.clone()
    }

    fn key(&self) -> String {
        crate::id_number::IdNumber::parse(&self.id_number)
            .map(|n| n.masked())
            .unwrap_or_else(|_| self.id_number.clone())
    }

    fn outcome(&self) -> Outcome {
        match self.action {
            Action::Create { .. } => Outcome::Create,
            Action::Existing(mode) => Outcome::Existing(mode),
            Action::None => Outcome::None,
        }
    }

    fn issues(&self) -> &[Issue] {
        &self.issues
    }
}

/// Where the planner looks things up: organizations by name within the importer's scope, and
/// identity numbers already registered.
pub trait Lookup {
    /// The organization named `name` that can hold members, if exactly one in scope has that name.
    fn org(&self, name: &str) -> Result<OrgId, OrgProblem>;
    /// Whether a member with this identity number is registered, and where.
    fn registered(&self, id_number: &str) -> Registered;
}

/// Where an identity number is registered (numbers are unique across the deployment).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registered {
    No,
    /// A member within the importer's scope.
    Here,
    /// A member outside it: the importer may not touch them.
    Elsewhere,
}

/// The identity numbers the rows of `table` give, normalised (for the store to find those
/// registered already).
pub fn id_numbers(table: &Table) -> Vec<String> {
    let header = Header::find(table, COLUMNS);
    table
        .rows
        .iter()
        .map(|(_, cells)| RowReader::new(cells, &header).id_number("身份证号"))
        .filter(|n| !n.is_empty())
        .collect()
}

/// Reads every row of `table` into a plan. `default_org` holds members whose row names no
/// organization (the organization the file is imported into); `today` bounds dates.
pub fn plan(table: &Table, default_org: OrgId, lookup: &dyn Lookup, mode: DedupeMode, today: Date) -> Vec<PlannedRow> {
    let header = Header::find(table, COLUMNS);
    let mut seen: HashMap<String, usize> = HashMap::new();
    let id_col = header.index("身份证号");
    table
        .rows
        .iter()
        .map(|(line, cells)| {
            let mut row = read_row(*line, cells, &header, default_org, lookup, mode, today);
            if id_col.is_some_and(|i| qiangji_sheet::shifted(table, cells, i)) {
                // Values sit under the wrong column names: nothing in the row can be trusted.
                row.issues.insert(
                    0,
                    Issue::error(
                        "import.column_shift",
                        "",
                        "疑似串列：身份证号不在“身份证号”列，或数据超出表头，请核对这一行",
                    ),
                );
                row.action = Action::None;
            }
            if !row.id_number.is_empty() {
                if let Some(first) = seen.get(&row.id_number) {
                    row.issues.push(Issue::error(
                        "import.duplicate_in_file",
                        "身份证号",
                        format!("身份证号与第{first}行重复"),
                    ));
                    row.action = Action::None;
                } else {
                    seen.insert(row.id_number.clone(), *line);
                }
            }
            row
        })
        .collect()
}

fn read_row(
    line: usize,
    cells: &[Cell],
    header: &Header,
    default_org: OrgId,
    lookup: &dyn Lookup,
    mode: DedupeMode,
    today: Date,
) -> PlannedRow {
    let mut r = RowReader::new(cells, header);
    let name = r.text("姓名");
    let id = r.id_number("身份证号");
    let birth_date = r.date("出生日期");
    let work_started_on = r.date("参加工作日期");
    let joined_on = r.date("入党日期");
    let full_on = r.date("转正日期");
    let since = r.date("组织关系转入日期");
    let sexes: Vec<(&str, &str)> = Sex::ALL.iter().map(|s| (s.label(), s.code())).collect();
    let mut educations: Vec<(&str, &str)> = Education::ALL.iter().map(|e| (e.label(), e.code())).collect();
    educations.extend([
        ("本科", Education::University.code()),
        ("大学", Education::University.code()),
        ("大专", Education::College.code()),
        ("硕士研究生", Education::Postgraduate.code()),
        ("博士研究生", Education::Postgraduate.code()),
        ("初中", Education::JuniorOrBelow.code()),
        ("小学", Education::JuniorOrBelow.code()),
    ]);
    let occupations: Vec<(&str, &str)> = Occupation::ALL.iter().map(|o| (o.label(), o.code())).collect();
    let kinds: Vec<(&str, &str)> = MemberKind::ALL.iter().map(|k| (k.label(), k.code())).collect();
    let kind_text = r.text("党员类别");
    let full_text = full_on.clone();
    // 性别 left empty is read off the identity number, which encodes it.
    let sex = match r.text("性别") {
        s if s.is_empty() => crate::id_number::IdNumber::parse(&id).map(|n| n.sex().code().to_owned()).unwrap_or(s),
        s => coded(s, &sexes),
    };
    let input = MemberInput {
        name: name.clone(),
        sex,
        ethnicity: r.text("民族"),
        birth_date,
        native_place: r.text("籍贯"),
        id_number: id.clone(),
        education: coded(r.text("学历"), &educations),
        school: r.text("毕业院校"),
        major: r.text("专业"),
        degree: r.text("学位"),
        occupation: coded(r.text("职业"), &occupations),
        work_unit: r.text("工作单位"),
        job_title: r.text("职务"),
        work_started_on,
        phone: r.text("联系电话"),
        address: r.text("家庭住址"),
        joined_on,
        // With no 类别 column: full if a 转正 date is given.
        kind: match kind_text.as_str() {
            "" if full_text.is_empty() => MemberKind::Probationary.code().into(),
            "" => MemberKind::Full.code().into(),
            k => coded(k.to_owned(), &kinds),
        },
        full_on,
        ..Default::default()
    };
    let org_name = r.text("所在党组织");
    let mut issues = r.finish();
    let fields = match input.validate(today) {
        Ok(f) => Some(f),
        Err(errors) => {
            for e in errors {
                issues.push(Issue::error(member_code(&e), column_of(e.field()), e.to_string()));
            }
            None
        }
    };
    let org = match org_name.as_str() {
        "" => Some(default_org),
        name => resolve_org(name, "所在党组织", "可接收党员的组织", |n| lookup.org(n), &mut issues),
    };
    // Without a date of joining this organization, the date of joining the Party: the best
    // available, and it keeps the member in past rosters (a roster imported today is not news).
    let since = match since.as_str() {
        "" => fields.as_ref().map(|f| f.joined_on),
        s => crate::date::parse(s),
    };
    let action = match (&fields, org, since) {
        _ if issues.iter().any(|i| i.error) => Action::None,
        (Some(f), _, _) => match lookup.registered(f.id_number.as_str()) {
            Registered::Here => {
                issues.push(Issue::warning(
                    "import.duplicate_in_db",
                    "身份证号",
                    format!("该身份证号已登记为党员：{}", mode.label()),
                ));
                Action::Existing(mode)
            }
            Registered::Elsewhere => {
                issues.push(Issue::error(
                    "import.registered_elsewhere",
                    "身份证号",
                    "该身份证号已在您管理范围以外的组织登记为党员，请通过组织关系转接办理",
                ));
                Action::None
            }
            Registered::No => match (org, since) {
                (Some(_), Some(since)) if since < f.joined_on => {
                    issues.push(Issue::error(
                        "import.since_before_joined",
                        "组织关系转入日期",
                        "组织关系转入日期早于入党日期",
                    ));
                    Action::None
                }
                (Some(org), Some(since)) => Action::Create { org, since },
                _ => Action::None,
            },
        },
        _ => Action::None,
    };
    PlannedRow { line, name, id_number: id, fields, action, issues }
}

/// The stable code of a member validation error, as the import reports it.
fn member_code(e: &MemberError) -> &'static str {
    match e {
        MemberError::Missing { .. } => "import.value_missing",
        other => other.code(),
    }
}

/// The template column of a member field.
fn column_of(field: &str) -> &'static str {
    match field {
        "name" => "姓名",
        "sex" => "性别",
        "ethnicity" => "民族",
        "birth_date" => "出生日期",
        "id_number" => "身份证号",
        "education" => "学历",
        "occupation" => "职业",
        "work_started_on" => "参加工作日期",
        "phone" => "联系电话",
        "joined_on" => "入党日期",
        "full_on" => "转正日期",
        "kind" => "党员类别",
        _ => "",
    }
}

#[cfg(test)]
#[path = "member_tests.rs"]
mod tests;
