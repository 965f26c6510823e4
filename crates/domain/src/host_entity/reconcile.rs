//! Reconciling a registry extract (市场监管 for enterprises and sole traders, 民政 for social
//! organizations) with the registry of host entities, so that the two agree (“数据要吻合”).
//!
//! The extract is read through `qiangji_sheet` (xlsx, or CSV in UTF-8 or GBK): the header row is
//! found wherever it is by its column names ([`CODE_HEADERS`] and the other synonyms), and each
//! row is matched to the registry by its 统一社会信用代码. Every row of the file lands in exactly
//! one section, so the counts add up to the rows read:
//!
//! - **equal**: matched, and every field the extract fills agrees after normalising (surrounding
//!   spaces, full-width digits and letters, inner spaces, ASCII against Chinese brackets);
//! - **mismatched**: matched, with the fields that differ (ours against the extract's);
//! - **closed**: matched, the extract says 注销 or 吊销 and the registry still has it active;
//! - **new**: not in the registry of the organization's area — new registrations to take in (a
//!   code already registered under an organization outside the area is marked `elsewhere`, and a
//!   row the extract itself marks closed is listed but not taken in);
//! - **unreadable**: a credit code that is missing or invalid, or a second row of a code already
//!   read, each with its code.
//!
//! **missing** lists the registry's active entities of the kinds the source keeps (市场监管:
//! enterprises, sole traders and others; 民政: social organizations) that the extract does not
//! name: possibly deregistered, or registered elsewhere. A field the extract leaves empty, or a
//! column it does not have (从业人数 often), is not compared.

use super::{CreditCode, EntityStatus, HostEntityError, HostEntityFields, HostEntityId, HostEntityKind};
use crate::Date;
use crate::code_enum;
use qiangji_sheet::{Cell, DateCell, Table};
use std::collections::{HashMap, HashSet};

/// Most data rows in one file: a county's extract, not a province's.
pub const MAX_ROWS: usize = 100_000;

code_enum!(
    /// Where an extract comes from.
    ReconcileSource, "reconcile_source", {
    Market = ("market", "市场监管"),
    CivilAffairs = ("civil_affairs", "民政"),
});

impl ReconcileSource {
    /// The kind an entity taken in from this source gets.
    pub fn kind(self) -> HostEntityKind {
        match self {
            ReconcileSource::Market => HostEntityKind::Enterprise,
            ReconcileSource::CivilAffairs => HostEntityKind::SocialOrg,
        }
    }

    /// Whether this source registers entities of `kind` (so their absence means something).
    pub fn keeps(self, kind: HostEntityKind) -> bool {
        match self {
            ReconcileSource::Market => kind != HostEntityKind::SocialOrg,
            ReconcileSource::CivilAffairs => kind == HostEntityKind::SocialOrg,
        }
    }
}

code_enum!(
    /// A field compared.
    Field, "host_entity_field", {
    Name = ("name", "名称"),
    LegalRep = ("legal_rep", "法定代表人"),
    Address = ("address", "住所"),
    RegisteredOn = ("registered_on", "成立日期"),
    Employees = ("employees", "从业人员数"),
    Status = ("status", "登记状态"),
});

code_enum!(
    /// The section a row of the report is in.
    Outcome, "reconcile_outcome", {
    Equal = ("equal", "一致"),
    Mismatch = ("mismatch", "信息不一致"),
    Closed = ("closed", "名单显示注销或吊销，台账仍为存续"),
    New = ("new", "台账中没有（新登记）"),
    Missing = ("missing", "台账有、名单中没有"),
    Unreadable = ("unreadable", "无法读取"),
});

/// Column names, as registries write them.
pub const CODE_HEADERS: &[&str] = &["统一社会信用代码", "信用代码", "社会信用代码", "统一代码"];
pub const NAME_HEADERS: &[&str] =
    &["企业名称", "名称", "单位名称", "社会组织名称", "组织名称", "市场主体名称", "主体名称"];
pub const LEGAL_REP_HEADERS: &[&str] = &["法定代表人", "负责人", "法定代表人（负责人）", "法人代表", "经营者"];
pub const ADDRESS_HEADERS: &[&str] = &["住所", "地址", "经营场所", "住所（经营场所）", "注册地址"];
pub const REGISTERED_HEADERS: &[&str] = &["成立日期", "登记日期", "注册日期"];
pub const STATUS_HEADERS: &[&str] = &["登记状态", "经营状态", "状态"];
pub const EMPLOYEES_HEADERS: &[&str] = &["从业人数", "从业人员数", "从业人员", "职工人数"];

/// Codes of unreadable rows (listed with the API's error codes).
pub const ROW_CODES: &[&str] = &["host_entity.credit_code_invalid", "host_entity.duplicate_in_file"];

/// A readable row of an extract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractRow {
    /// Row in the file, from 1, as Excel shows it.
    pub line: usize,
    pub credit_code: CreditCode,
    pub name: String,
    pub legal_rep: String,
    pub address: String,
    pub registered_on: Option<Date>,
    /// As written (存续, 注销…).
    pub status_text: String,
    pub status: Option<EntityStatus>,
    pub employees: Option<i64>,
}

impl ExtractRow {
    /// The row as a registry entry of `kind` (taking in a new registration).
    pub fn fields(&self, kind: HostEntityKind) -> Result<HostEntityFields, HostEntityError> {
        if self.name.is_empty() {
            return Err(HostEntityError::Missing("名称"));
        }
        let cut = |s: &str, max: usize| s.chars().take(max).collect::<String>();
        Ok(HostEntityFields {
            credit_code: self.credit_code.clone(),
            name: cut(&self.name, super::NAME_MAX),
            kind,
            registered_on: self.registered_on,
            legal_rep: cut(&self.legal_rep, super::LEGAL_REP_MAX),
            address: cut(&self.address, super::ADDRESS_MAX),
            employees: self.employees,
            status: self.status.unwrap_or(EntityStatus::Active),
            party_org_id: None,
        })
    }

    fn closed(&self) -> bool {
        self.status.is_some_and(|s| !s.is_active())
    }
}

/// A row that cannot be read, with its code and reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub line: usize,
    /// The credit code cell as written.
    pub raw: String,
    pub code: &'static str,
    pub reason: String,
}

/// Reads an extract: the first sheet with a header naming a credit-code column.
pub fn read_extract(bytes: &[u8]) -> Result<(Vec<ExtractRow>, Vec<Unreadable>), HostEntityError> {
    let sheets = qiangji_sheet::read(bytes).map_err(HostEntityError::Sheet)?;
    let expected: Vec<&str> = CODE_HEADERS.iter().chain(NAME_HEADERS).chain(STATUS_HEADERS).copied().collect();
    let table = sheets
        .iter()
        .filter_map(|s| qiangji_sheet::find_table(s, &expected, 2).ok())
        .find(|t| t.column(CODE_HEADERS).is_some())
        .ok_or(HostEntityError::ColumnsMissing)?;
    read_table(&table)
}

fn read_table(table: &Table) -> Result<(Vec<ExtractRow>, Vec<Unreadable>), HostEntityError> {
    let code_col = table.column(CODE_HEADERS).ok_or(HostEntityError::ColumnsMissing)?;
    if table.rows.is_empty() {
        return Err(HostEntityError::Empty);
    }
    if table.rows.len() > MAX_ROWS {
        return Err(HostEntityError::TooManyRows(table.rows.len()));
    }
    let cols =
        [NAME_HEADERS, LEGAL_REP_HEADERS, ADDRESS_HEADERS, REGISTERED_HEADERS, STATUS_HEADERS, EMPLOYEES_HEADERS]
            .map(|names| table.column(names));
    let (mut rows, mut unreadable) = (Vec::new(), Vec::new());
    let mut seen: HashMap<CreditCode, usize> = HashMap::new();
    for (line, cells) in &table.rows {
        let cell = |c: Option<usize>| c.and_then(|i| cells.get(i)).cloned().unwrap_or(Cell::Empty);
        let text = |c: Option<usize>| qiangji_sheet::text(&cell(c).as_text()).value;
        let raw = cell(Some(code_col)).as_text();
        let credit_code = match CreditCode::normalise(&raw) {
            Ok(c) => c,
            Err(e) => {
                let reason =
                    if raw.trim().is_empty() { "未填写统一社会信用代码".to_owned() } else { e.to_string() };
                unreadable.push(Unreadable { line: *line, raw, code: ROW_CODES[0], reason });
                continue;
            }
        };
        if let Some(first) = seen.get(&credit_code) {
            let reason = format!("与第{first}行的统一社会信用代码重复");
            unreadable.push(Unreadable { line: *line, raw, code: ROW_CODES[1], reason });
            continue;
        }
        seen.insert(credit_code.clone(), *line);
        let status_text = text(cols[4]);
        rows.push(ExtractRow {
            line: *line,
            credit_code,
            name: text(cols[0]),
            legal_rep: text(cols[1]),
            address: text(cols[2]),
            registered_on: match qiangji_sheet::date(&cell(cols[3])) {
                DateCell::Day(d) => Some(d),
                _ => None,
            },
            status: EntityStatus::from_registry(&status_text),
            status_text,
            employees: text(cols[5]).parse().ok().filter(|n: &i64| *n >= 0),
        });
    }
    Ok((rows, unreadable))
}

/// A field that differs: ours against the extract's, as each writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diff {
    pub field: Field,
    pub ours: String,
    pub theirs: String,
}

/// A row matched to an entity of the registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched {
    pub line: usize,
    pub id: HostEntityId,
    pub credit_code: CreditCode,
    /// Our name.
    pub name: String,
    pub diffs: Vec<Diff>,
    /// What the extract says (closed rows: 注销 or 吊销).
    pub extract_status: Option<EntityStatus>,
}

/// A row not in the registry of the area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRow {
    pub row: ExtractRow,
    /// The code is registered under an organization outside the area: not taken in here.
    pub elsewhere: bool,
}

impl NewRow {
    /// Whether taking in new registrations takes this one: not elsewhere, not closed, named.
    pub fn takeable(&self) -> bool {
        !self.elsewhere && !self.row.closed() && !self.row.name.is_empty()
    }
}

/// An entity of the registry as the reconciliation sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: HostEntityId,
    pub fields: HostEntityFields,
}

/// The outcome of one extract against the registry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub equal: Vec<Matched>,
    pub mismatched: Vec<Matched>,
    pub closed: Vec<Matched>,
    pub new: Vec<NewRow>,
    pub missing: Vec<Entry>,
    pub unreadable: Vec<Unreadable>,
}

/// The size of each section.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub rows: usize,
    pub equal: usize,
    pub mismatched: usize,
    pub closed: usize,
    pub new: usize,
    pub missing: usize,
    pub unreadable: usize,
}

impl Report {
    pub fn counts(&self) -> Counts {
        let rows =
            self.equal.len() + self.mismatched.len() + self.closed.len() + self.new.len() + self.unreadable.len();
        Counts {
            rows,
            equal: self.equal.len(),
            mismatched: self.mismatched.len(),
            closed: self.closed.len(),
            new: self.new.len(),
            missing: self.missing.len(),
            unreadable: self.unreadable.len(),
        }
    }
}

/// Text as compared: normalised (`qiangji_sheet::text`), without any spaces, brackets as Chinese.
fn plain(s: &str) -> String {
    qiangji_sheet::text(s)
        .value
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '(' => '（',
            ')' => '）',
            c => c,
        })
        .collect()
}

fn diffs(ours: &HostEntityFields, row: &ExtractRow) -> Vec<Diff> {
    let mut out = Vec::new();
    let mut text = |field, ours: &str, theirs: &str| {
        if !theirs.is_empty() && plain(ours) != plain(theirs) {
            out.push(Diff { field, ours: ours.to_owned(), theirs: theirs.to_owned() });
        }
    };
    text(Field::Name, &ours.name, &row.name);
    text(Field::LegalRep, &ours.legal_rep, &row.legal_rep);
    text(Field::Address, &ours.address, &row.address);
    let opt = |v: Option<String>| v.unwrap_or_default();
    if let Some(d) = row.registered_on
        && ours.registered_on != Some(d)
    {
        out.push(Diff {
            field: Field::RegisteredOn,
            ours: opt(ours.registered_on.map(|d| d.to_string())),
            theirs: d.to_string(),
        });
    }
    if let Some(n) = row.employees
        && ours.employees != Some(n)
    {
        out.push(Diff {
            field: Field::Employees,
            ours: opt(ours.employees.map(|n| n.to_string())),
            theirs: n.to_string(),
        });
    }
    // Closed in the extract and active here is its own section; the other way round is a difference.
    if let Some(s) = row.status
        && s != ours.status
        && (!ours.status.is_active() || s.is_active())
    {
        out.push(Diff { field: Field::Status, ours: ours.status.label().to_owned(), theirs: row.status_text.clone() });
    }
    out
}

/// Matches the rows of an extract from `source` with `registry` (the entities of the area);
/// `elsewhere` holds the codes of the rows registered under organizations outside it.
pub fn reconcile(
    source: ReconcileSource,
    rows: Vec<ExtractRow>,
    unreadable: Vec<Unreadable>,
    registry: &[Entry],
    elsewhere: &HashSet<CreditCode>,
) -> Report {
    let by_code: HashMap<&CreditCode, &Entry> = registry.iter().map(|e| (&e.fields.credit_code, e)).collect();
    let mut named: HashSet<&CreditCode> = HashSet::new();
    let mut report = Report { unreadable, ..Default::default() };
    for row in &rows {
        let Some(e) = by_code.get(&row.credit_code) else {
            report.new.push(NewRow { elsewhere: elsewhere.contains(&row.credit_code), row: row.clone() });
            continue;
        };
        named.insert(&e.fields.credit_code);
        let m = Matched {
            line: row.line,
            id: e.id,
            credit_code: row.credit_code.clone(),
            name: e.fields.name.clone(),
            diffs: diffs(&e.fields, row),
            extract_status: row.status,
        };
        if e.fields.status.is_active() && row.closed() {
            report.closed.push(m);
        } else if m.diffs.is_empty() {
            report.equal.push(m);
        } else {
            report.mismatched.push(m);
        }
    }
    report.missing = registry
        .iter()
        .filter(|e| {
            e.fields.status.is_active() && source.keeps(e.fields.kind) && !named.contains(&e.fields.credit_code)
        })
        .cloned()
        .collect();
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(n: u32) -> CreditCode {
        CreditCode::compose(&format!("91330203MA2{n:05}0")).unwrap()
    }

    fn entry(n: u32, name: &str, kind: HostEntityKind) -> Entry {
        Entry {
            id: HostEntityId(i64::from(n)),
            fields: HostEntityFields {
                credit_code: code(n),
                name: name.into(),
                kind,
                registered_on: crate::date::parse("2015-01-01"),
                legal_rep: "张三".into(),
                address: "宁波市海曙区中山西路1号".into(),
                employees: Some(10),
                status: EntityStatus::Active,
                party_org_id: None,
            },
        }
    }

    fn csv(lines: &[String]) -> Vec<u8> {
        lines.join("\r\n").into_bytes()
    }

    #[test]
    fn every_row_lands_in_one_section_and_the_counts_add_up() {
        let full_width: String = code(2).as_str().chars().map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap()).collect();
        let bytes = csv(&[
            "宁波市海曙区市场主体登记信息（截至2026年11月）".into(),
            "序号,统一社会信用代码,企业名称,法定代表人,住所,成立日期,登记状态".into(),
            format!("1,{},宁波甲公司 ,张三,宁波市海曙区中山西路1号,2015-01-01,存续", code(1)),
            format!("2,{full_width},宁波乙公司（海曙）,张三,宁波市海曙区 中山西路1号,2015/1/1,在业"),
            format!("3,{},宁波丙公司,李四,,,存续", code(3)),
            format!("4,{},宁波丁公司,张三,,,注销", code(4)),
            format!("5,{},新开公司,王五,宁波市海曙区,2026-10-01,存续", code(7)),
            format!("6,{},别处公司,王五,,,存续", code(8)),
            format!("7,{},宁波甲公司,张三,,,存续", code(1)),
            "8,91330203MA2000010X,坏代码公司,,,,存续".into(),
            "9,,没有代码公司,,,,存续".into(),
        ]);
        let (rows, unreadable) = read_extract(&bytes).unwrap();
        let registry = [
            entry(1, "宁波甲公司", HostEntityKind::Enterprise),
            entry(2, "宁波乙公司(海曙)", HostEntityKind::Enterprise),
            entry(3, "宁波丙公司", HostEntityKind::Enterprise),
            entry(4, "宁波丁公司", HostEntityKind::Enterprise),
            entry(5, "宁波戊公司", HostEntityKind::Enterprise),
            entry(6, "某协会", HostEntityKind::SocialOrg),
        ];
        let elsewhere = HashSet::from([code(8)]);
        let r = reconcile(ReconcileSource::Market, rows, unreadable, &registry, &elsewhere);
        let c = r.counts();
        assert_eq!((c.rows, c.equal, c.mismatched, c.closed, c.new, c.missing, c.unreadable), (9, 2, 1, 1, 2, 1, 3));
        assert_eq!(r.equal.iter().map(|m| m.line).collect::<Vec<_>>(), vec![3, 4], "full width, brackets, spaces");
        assert_eq!(
            r.mismatched[0].diffs,
            vec![Diff { field: Field::LegalRep, ours: "张三".into(), theirs: "李四".into() }]
        );
        assert_eq!((r.closed[0].line, r.closed[0].extract_status), (6, Some(EntityStatus::Deregistered)));
        assert_eq!(r.new.iter().map(|n| (n.row.line, n.takeable())).collect::<Vec<_>>(), vec![(7, true), (8, false)]);
        assert_eq!(
            r.missing.iter().map(|e| e.id.0).collect::<Vec<_>>(),
            vec![5],
            "a social organization is not the market's"
        );
        let codes: Vec<_> = r.unreadable.iter().map(|u| (u.line, u.code)).collect();
        assert_eq!(
            codes,
            vec![
                (9, "host_entity.duplicate_in_file"),
                (10, "host_entity.credit_code_invalid"),
                (11, "host_entity.credit_code_invalid")
            ]
        );
        let taken = r.new[0].row.fields(ReconcileSource::Market.kind()).unwrap();
        assert_eq!(
            (taken.name.as_str(), taken.kind, taken.registered_on),
            ("新开公司", HostEntityKind::Enterprise, crate::date::parse("2026-10-01"))
        );
    }

    #[test]
    fn a_file_without_a_credit_code_column_or_rows_is_refused() {
        let no_code = read_extract("企业名称,登记状态\n某公司,存续\n".as_bytes()).unwrap_err();
        assert_eq!(no_code.code(), "host_entity.columns_missing");
        assert_eq!(read_extract("统一社会信用代码,企业名称\n".as_bytes()).unwrap_err(), HostEntityError::Empty);
    }
}
