//! Importing spreadsheets (SPEC §12): member rosters, organizations and meeting records. Each kind
//! reads every row of a file into a plan — what the row will do, with its errors and warnings, each
//! with a stable code and a Chinese message — so that a preview shows the whole file before
//! anything is written. Pure: the store looks things up and writes a batch all at once.

pub mod meeting;
pub mod member;
pub mod org;

use crate::code_enum;
use qiangji_sheet::{Cell, DateCell, Table, date, id_number, text};
use std::collections::HashMap;

code_enum!(
    /// What a batch imports.
    ImportKind, "import_kind", {
    Members = ("members", "党员花名册"),
    Orgs = ("orgs", "党组织"),
    Meetings = ("meetings", "组织生活记录"),
});

/// The columns of a template, each with the other names it goes by in real files.
pub type Columns = &'static [(&'static str, &'static [&'static str])];

/// How a row matching a registered record is treated (chosen before the preview). Rosters offer all
/// three; organizations and meeting records are only ever skipped when already there.
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

/// Why an organization name does not resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrgProblem {
    Unknown,
    Ambiguous,
}

/// What a planned row will do when its batch is committed, whatever it imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Create,
    /// The record is there already; treated as the mode says.
    Existing(DedupeMode),
    /// Nothing: the row has errors.
    None,
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Create => "新登记",
            Outcome::Existing(DedupeMode::Skip) => "已登记，跳过",
            Outcome::Existing(DedupeMode::Update) => "已登记，更新",
            Outcome::Existing(DedupeMode::FillEmpty) => "已登记，补填空白",
            Outcome::None => "不导入",
        }
    }
}

/// A planned row as the preview shows it, whatever it imports.
pub trait Planned {
    /// The row number in the file, as Excel shows it.
    fn line(&self) -> usize;
    /// What the row is about: a member's or an organization's name, a meeting's topic.
    fn label(&self) -> String;
    /// What identifies it beside the label (masked for an identity number).
    fn key(&self) -> String;
    fn outcome(&self) -> Outcome;
    fn issues(&self) -> &[Issue];
    fn has_errors(&self) -> bool {
        self.issues().iter().any(|i| i.error)
    }
}

/// Where a template's columns are in a file.
pub struct Header {
    cols: HashMap<&'static str, usize>,
}

impl Header {
    pub fn find(table: &Table, columns: Columns) -> Header {
        let cols = columns
            .iter()
            .filter_map(|(name, other)| {
                let names: Vec<&str> = std::iter::once(*name).chain(other.iter().copied()).collect();
                table.column(&names).map(|i| (*name, i))
            })
            .collect();
        Header { cols }
    }

    pub fn index(&self, name: &str) -> Option<usize> {
        self.cols.get(name).copied()
    }
}

/// The columns of `required` that `table` lacks (under any of their names).
pub fn missing_columns(table: &Table, columns: Columns, required: &[&'static str]) -> Vec<&'static str> {
    let header = Header::find(table, columns);
    required.iter().copied().filter(|name| header.index(name).is_none()).collect()
}

/// Reads the cells of one row by column name, normalising text and dates and collecting what it
/// had to change or could not read as the row's issues.
pub(crate) struct RowReader<'a> {
    cells: &'a [Cell],
    header: &'a Header,
    pub issues: Vec<Issue>,
    changed: Vec<&'static str>,
}

impl<'a> RowReader<'a> {
    pub fn new(cells: &'a [Cell], header: &'a Header) -> RowReader<'a> {
        RowReader { cells, header, issues: Vec::new(), changed: Vec::new() }
    }

    fn cell(&self, name: &str) -> &'a Cell {
        self.header.index(name).and_then(|i| self.cells.get(i)).unwrap_or(&Cell::Empty)
    }

    /// The column's text: full-width digits and letters made half-width, spaces trimmed.
    pub fn text(&mut self, name: &'static str) -> String {
        let n = text(&self.cell(name).as_text());
        if n.changed && !n.value.is_empty() {
            self.changed.push(name);
        }
        n.value
    }

    /// The column read as an identity number (also upper-case X).
    pub fn id_number(&mut self, name: &'static str) -> String {
        let n = id_number(&self.cell(name).as_text());
        if n.changed && !n.value.is_empty() {
            self.changed.push(name);
        }
        n.value
    }

    /// The column as a date 'YYYY-MM-DD', empty if the cell is; a year and month alone is taken as
    /// the month's first day with a warning, anything else not a date is an error.
    pub fn date(&mut self, column: &'static str) -> String {
        match date(self.cell(column)) {
            DateCell::Empty => String::new(),
            DateCell::Day(d) => d.to_string(),
            DateCell::Month(y, m) => {
                self.issues.push(Issue::warning(
                    "import.date_month_only",
                    column,
                    format!("{column}只有年月（{y}年{m}月），按该月1日登记"),
                ));
                format!("{y:04}-{m:02}-01")
            }
            DateCell::Invalid(s) => {
                self.issues.push(Issue::error("import.date_invalid", column, format!("{column}“{s}”不是日期")));
                String::new()
            }
        }
    }

    /// The row's issues, with one warning naming the columns normalising changed.
    pub fn finish(mut self) -> Vec<Issue> {
        if !self.changed.is_empty() {
            let warning = Issue::warning(
                "import.normalized",
                self.changed[0],
                format!("已规范{}中的全角字符、多余空格或小写x", self.changed.join("、")),
            );
            self.issues.push(warning);
        }
        self.issues
    }
}

/// A label read as its code where it is one of `labels`, otherwise as written (so that a code
/// typed in the file still works and anything else is reported by the validation).
pub(crate) fn coded(raw: String, labels: &[(&str, &str)]) -> String {
    labels.iter().find(|(label, _)| *label == raw).map_or(raw, |(_, code)| (*code).to_owned())
}

/// 是/否 (and the ways people write them) as a flag; None if it is neither.
pub(crate) fn yes_no(raw: &str) -> Option<bool> {
    match raw.trim() {
        "" | "否" | "不是" | "N" | "n" | "0" | "无" => Some(false),
        "是" | "Y" | "y" | "1" | "√" | "有" => Some(true),
        _ => None,
    }
}

/// The organization a row names: its own name, or a path `上级/…/名称`, resolved by `find`; a
/// problem becomes the row's error on `column`.
pub(crate) fn resolve_org<T>(
    name: &str,
    column: &'static str,
    what: &str,
    find: impl Fn(&str) -> Result<T, OrgProblem>,
    issues: &mut Vec<Issue>,
) -> Option<T> {
    match find(name) {
        Ok(o) => Some(o),
        Err(OrgProblem::Unknown) => {
            issues.push(Issue::error("import.org_unknown", column, format!("在您的管理范围内找不到{what}“{name}”")));
            None
        }
        Err(OrgProblem::Ambiguous) => {
            issues.push(Issue::error(
                "import.org_ambiguous",
                column,
                format!("有多个组织名为“{name}”，请写全称，或写作“上级党组织/{name}”"),
            ));
            None
        }
    }
}

impl ImportKind {
    /// The template's columns.
    pub fn columns(self) -> Columns {
        match self {
            ImportKind::Members => member::COLUMNS,
            ImportKind::Orgs => org::COLUMNS,
            ImportKind::Meetings => meeting::COLUMNS,
        }
    }

    /// The columns a file must have.
    pub fn required(self) -> &'static [&'static str] {
        match self {
            ImportKind::Members => member::REQUIRED,
            ImportKind::Orgs => org::REQUIRED,
            ImportKind::Meetings => meeting::REQUIRED,
        }
    }

    /// The headings of a row's label and key in a preview (see [`Planned`]).
    pub fn row_headings(self) -> (&'static str, &'static str) {
        match self {
            ImportKind::Members => ("姓名", "身份证号"),
            ImportKind::Orgs => ("组织名称", "上级党组织"),
            ImportKind::Meetings => ("主题", "活动日期"),
        }
    }

    /// What one created row is counted as: 人, 个组织, 条记录.
    pub fn unit(self) -> &'static str {
        match self {
            ImportKind::Members => "人",
            ImportKind::Orgs => "个组织",
            ImportKind::Meetings => "条记录",
        }
    }

    /// How to fill the template in, shown on it and on the upload form.
    pub fn note(self) -> &'static str {
        match self {
            ImportKind::Members => {
                "从表头的下一行起每行填写一名党员；“所在党组织”不填则登记在导入的组织，名称重复时写作“上级党组织/名称”；“组织关系转入日期”不填的按入党日期"
            }
            ImportKind::Orgs => {
                "每行一个党组织；“上级党组织”不填则建在导入的组织之下，也可以填文件中前面某一行的组织名称，一次导入整棵下级组织树；“领域”不填的同上级；上级下已有同名组织的行跳过"
            }
            ImportKind::Meetings => {
                "每行一次组织生活；“党组织”不填则记在导入的组织；出席、请假、缺席写党员姓名，用顿号分隔，请假的在姓名后括号内写原因，如“王五（出差）”；同一组织同一天同一主题的同类活动已有记录的跳过"
            }
        }
    }
}
