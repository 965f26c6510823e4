//! Importing a member roster (党员花名册) from a spreadsheet: every row read into member fields
//! with its errors and warnings, each with a stable code and a Chinese message, so that a preview
//! shows the whole file before anything is written. Pure: the store resolves organizations and
//! finds identity numbers already registered, and writes the batch all at once.

use crate::date::Date;
use crate::member::{Education, MemberError, MemberFields, MemberInput, MemberKind, Occupation, Sex};
use crate::org::OrgId;
use qiangji_sheet::{Cell, DateCell, Table, date, id_number, text};
use std::collections::HashMap;

/// The columns of the roster template, with the other names they go by in real files.
pub const COLUMNS: &[(&str, &[&str])] = &[
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
const REQUIRED: &[&str] = &["姓名", "身份证号", "入党日期"];

/// How a row whose identity number is already registered is treated (chosen before the preview).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DedupeMode {
    /// Leave the registered member as is.
    Skip,
    /// Replace the registered member's attributes with the file's.
    Update,
    /// Fill only the registered member's empty attributes from the file.
    FillEmpty,
}

impl DedupeMode {
    pub const ALL: [DedupeMode; 3] = [DedupeMode::Skip, DedupeMode::Update, DedupeMode::FillEmpty];

    pub fn code(self) -> &'static str {
        match self {
            DedupeMode::Skip => "skip",
            DedupeMode::Update => "update",
            DedupeMode::FillEmpty => "fill",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DedupeMode::Skip => "跳过已登记的党员",
            DedupeMode::Update => "用文件中的信息更新已登记的党员",
            DedupeMode::FillEmpty => "只补填已登记党员的空白信息",
        }
    }

    pub fn parse(s: &str) -> Option<DedupeMode> {
        DedupeMode::ALL.into_iter().find(|m| m.code() == s)
    }
}

/// One problem of a row: an error keeps the batch from being committed, a warning does not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub error: bool,
    pub code: &'static str,
    /// The column it concerns (its template name), empty for the whole row.
    pub column: &'static str,
    pub message: String,
}

impl Issue {
    fn error(code: &'static str, column: &'static str, message: impl Into<String>) -> Issue {
        Issue { error: true, code, column, message: message.into() }
    }

    fn warning(code: &'static str, column: &'static str, message: impl Into<String>) -> Issue {
        Issue { error: false, code, column, message: message.into() }
    }
}

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

impl PlannedRow {
    pub fn has_errors(&self) -> bool {
        self.issues.iter().any(|i| i.error)
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

/// Why an organization name does not resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrgProblem {
    Unknown,
    Ambiguous,
}

/// Reads every row of `table` into a plan. `default_org` holds members whose row names no
/// organization (the organization the file is imported into); `today` bounds dates.
pub fn plan(table: &Table, default_org: OrgId, lookup: &dyn Lookup, mode: DedupeMode, today: Date) -> Vec<PlannedRow> {
    let cols: HashMap<&str, usize> = COLUMNS
        .iter()
        .filter_map(|(name, other)| {
            let names: Vec<&str> = std::iter::once(*name).chain(other.iter().copied()).collect();
            table.column(&names).map(|i| (*name, i))
        })
        .collect();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let id_col = cols.get("身份证号").copied();
    table
        .rows
        .iter()
        .map(|(line, cells)| {
            let mut row = read_row(*line, cells, &cols, default_org, lookup, mode, today);
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

/// The template columns a file lacks of those it must have.
pub fn missing_columns(table: &Table) -> Vec<&'static str> {
    REQUIRED
        .iter()
        .copied()
        .filter(|name| {
            let other = COLUMNS.iter().find(|c| c.0 == *name).map_or(&[][..], |c| c.1);
            let names: Vec<&str> = std::iter::once(*name).chain(other.iter().copied()).collect();
            table.column(&names).is_none()
        })
        .collect()
}

fn read_row(
    line: usize,
    cells: &[Cell],
    cols: &HashMap<&str, usize>,
    default_org: OrgId,
    lookup: &dyn Lookup,
    mode: DedupeMode,
    today: Date,
) -> PlannedRow {
    let mut issues = Vec::new();
    let cell = |name: &str| cols.get(name).and_then(|&i| cells.get(i)).unwrap_or(&Cell::Empty);
    // The columns normalising changed, for one warning per row.
    let changed = std::cell::RefCell::new(Vec::new());
    let txt = |name: &'static str| {
        let n = text(&cell(name).as_text());
        if n.changed && !n.value.is_empty() {
            changed.borrow_mut().push(name);
        }
        n.value
    };
    let name = txt("姓名");
    let raw_id = cell("身份证号").as_text();
    let id = id_number(&raw_id);
    if id.changed && !id.value.is_empty() {
        changed.borrow_mut().push("身份证号");
    }
    let mut day = |column: &'static str| -> String {
        match date(cell(column)) {
            DateCell::Empty => String::new(),
            DateCell::Day(d) => d.to_string(),
            DateCell::Month(y, m) => {
                issues.push(Issue::warning(
                    "import.date_month_only",
                    column,
                    format!("{column}只有年月（{y}年{m}月），按该月1日登记"),
                ));
                format!("{y:04}-{m:02}-01")
            }
            DateCell::Invalid(s) => {
                issues.push(Issue::error("import.date_invalid", column, format!("{column}“{s}”不是日期")));
                String::new()
            }
        }
    };
    let birth_date = day("出生日期");
    let work_started_on = day("参加工作日期");
    let joined_on = day("入党日期");
    let full_on = day("转正日期");
    let since = day("组织关系转入日期");
    let coded = |raw: String, labels: &[(&str, &str)]| -> String {
        labels.iter().find(|(label, _)| *label == raw).map_or(raw, |(_, code)| (*code).to_owned())
    };
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
    let kind_text = txt("党员类别");
    let full_text = full_on.clone();
    // 性别 left empty is read off the identity number, which encodes it.
    let sex = match txt("性别") {
        s if s.is_empty() => {
            crate::id_number::IdNumber::parse(&id.value).map(|n| n.sex().code().to_owned()).unwrap_or(s)
        }
        s => coded(s, &sexes),
    };
    let input = MemberInput {
        name: name.clone(),
        sex,
        ethnicity: txt("民族"),
        birth_date,
        native_place: txt("籍贯"),
        id_number: id.value.clone(),
        education: coded(txt("学历"), &educations),
        school: txt("毕业院校"),
        major: txt("专业"),
        degree: txt("学位"),
        occupation: coded(txt("职业"), &occupations),
        work_unit: txt("工作单位"),
        job_title: txt("职务"),
        work_started_on,
        phone: txt("联系电话"),
        address: txt("家庭住址"),
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
    let org_name = txt("所在党组织");
    let changed = changed.into_inner();
    if !changed.is_empty() {
        issues.push(Issue::warning(
            "import.normalized",
            changed[0],
            format!("已规范{}中的全角字符、多余空格或小写x", changed.join("、")),
        ));
    }
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
        name => match lookup.org(name) {
            Ok(o) => Some(o),
            Err(OrgProblem::Unknown) => {
                issues.push(Issue::error(
                    "import.org_unknown",
                    "所在党组织",
                    format!("在您的管理范围内找不到可接收党员的组织“{name}”"),
                ));
                None
            }
            Err(OrgProblem::Ambiguous) => {
                issues.push(Issue::error(
                    "import.org_ambiguous",
                    "所在党组织",
                    format!("有多个组织名为“{name}”，请写全称，或写作“上级党组织/{name}”"),
                ));
                None
            }
        },
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
    PlannedRow { line, name, id_number: id.value, fields, action, issues }
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
mod tests;
