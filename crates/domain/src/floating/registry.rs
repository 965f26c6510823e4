//! Matching registry extracts (公安户籍、市场监管、税务登记) against members, the 流动党员信息库 of
//! the documents (000, 002): a file of people with ID numbers, units and places goes in; what the
//! registries say that the Party records do not comes out, one flag per finding.
//!
//! The file is xlsx or CSV (UTF-8 or GBK), read through `qiangji_sheet`. A header row naming the
//! columns (身份证号, 姓名, 统一社会信用代码, 单位名称, 登记地, 日期, or their synonyms) may stand
//! anywhere in the top rows, below a title; without one the columns are taken in that order. The
//! rules, kept deliberately simple (a flag asks a person to look; it changes nothing):
//!
//! - **UNKNOWN**: the ID number is not one of the members the importer can see — most people in a
//!   registry are not Party members. Counted, not listed.
//! - **DEPARTURE** (可能已离开本地): the place says the person left (迁出, 注销, 离开), or an area was
//!   given and the place is outside it. Not flagged when an outflow is registered: it is known.
//! - **ARRIVAL** (可能已流动): the place is inside the area, differs from the member's recorded
//!   address (neither contains the other) and no outflow is registered. An empty address cannot be
//!   compared and raises nothing.
//! - **UNIT_CHANGE** (工作单位变化): the registry names a unit and it differs from the member's work
//!   unit (spaces and full-width brackets ignored). Independent of the place flags.
//! - Invalid rows (bad ID number, bad date) are reported with their line and reason.

use crate::code_enum;
use crate::date::Date;
use crate::id_number::{IdNumber, IdNumberError};
use crate::member::MemberId;
use qiangji_sheet::{Cell, DateCell, Table};
use std::collections::HashMap;

/// Most data rows in one file: a county's registry extract, not a province's.
pub const MAX_ROWS: usize = 100_000;

code_enum!(
    /// Where an extract comes from.
    RegistrySource, "registry_source", {
    Police = ("police", "公安户籍"),
    Market = ("market", "市场监管"),
    Tax = ("tax", "税务登记"),
});

code_enum!(
    /// What a row of an extract says about a member.
    RegistryFlag, "registry_flag", {
    Arrival = ("arrival", "可能已流动"),
    Departure = ("departure", "可能已离开本地"),
    UnitChange = ("unit_change", "工作单位变化"),
    Unknown = ("unknown", "非本范围党员"),
});

/// Why a whole file is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    #[error("文件中没有数据行")]
    Empty,
    #[error("文件行数过多（{rows}行），每次最多导入{max}行，请分批导入", max = MAX_ROWS)]
    TooManyRows { rows: usize },
    #[error("未知的数据来源：{0}（应为 police、market、tax 之一）")]
    SourceUnknown(String),
    /// Not a spreadsheet that can be read (the sheet reader's own codes).
    #[error("{0}")]
    Sheet(qiangji_sheet::SheetError),
}

impl RegistryError {
    pub fn code(&self) -> &'static str {
        match self {
            RegistryError::Empty => "registry.empty",
            RegistryError::TooManyRows { .. } => "registry.too_many_rows",
            RegistryError::SourceUnknown(_) => "registry.source_unknown",
            RegistryError::Sheet(e) => e.code(),
        }
    }
}

/// One valid data row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryRow {
    /// Line in the file, from 1.
    pub line: usize,
    pub id_number: IdNumber,
    pub name: String,
    pub unit_code: String,
    pub unit_name: String,
    pub place: String,
    pub date: Option<Date>,
}

/// A row that could not be read, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidRow {
    pub line: usize,
    pub reason: String,
}

/// What the matching needs to know of a member.
#[derive(Debug, Clone)]
pub struct MemberRef {
    pub id: MemberId,
    pub id_number: IdNumber,
    pub name: String,
    pub address: String,
    pub work_unit: String,
    /// An outflow is registered (the `floating` flag).
    pub floating: bool,
}

/// The findings on one row that matched a member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowMatch {
    pub line: usize,
    pub member: MemberId,
    pub member_name: String,
    pub id_number: IdNumber,
    pub flags: Vec<RegistryFlag>,
    /// Why, in Chinese, for the report.
    pub detail: String,
}

/// The outcome of a file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MatchReport {
    /// Data rows read (valid and invalid).
    pub rows: usize,
    /// Rows that matched a member (with or without flags).
    pub matched: usize,
    /// Rows whose person is not a member within sight.
    pub unknown: usize,
    /// Rows of members with at least one flag.
    pub flagged: Vec<RowMatch>,
    pub invalid: Vec<InvalidRow>,
}

impl MatchReport {
    /// How many flagged rows carry `flag` (UNKNOWN: the unknown count).
    pub fn count(&self, flag: RegistryFlag) -> usize {
        match flag {
            RegistryFlag::Unknown => self.unknown,
            f => self.flagged.iter().filter(|r| r.flags.contains(&f)).count(),
        }
    }
}

/// An ID number as registries write it: surrounding spaces (also full-width), full-width digits,
/// a lower-case or full-width x, and Excel's leading apostrophe that keeps it text.
pub fn normalise_id_number(raw: &str) -> Result<IdNumber, IdNumberError> {
    let s: String = raw
        .trim()
        .trim_start_matches('\'')
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            'x' | 'ｘ' | 'Ｘ' => 'X',
            c => c,
        })
        .collect();
    IdNumber::parse(&s)
}

/// Column names of an extract, in the order of a file without a header.
const COLUMNS: [&[&str]; 6] = [
    &["身份证号", "公民身份号码", "身份证号码", "身份证", "证件号码"],
    &["姓名"],
    &["统一社会信用代码", "信用代码", "社会信用代码"],
    &["单位名称", "工作单位", "企业名称", "单位"],
    &["登记地", "住址", "地址", "户籍地"],
    &["日期", "登记日期", "变动日期"],
];

/// The first sheet's table: under a header naming the ID-number column if there is one (title rows
/// above it are fine), else every row, the columns in the order of [`COLUMNS`].
fn table(bytes: &[u8]) -> Result<(Table, [Option<usize>; 6]), RegistryError> {
    let sheets = qiangji_sheet::read(bytes).map_err(RegistryError::Sheet)?;
    let Some(sheet) = sheets.first() else { return Err(RegistryError::Empty) };
    if let Ok(t) = qiangji_sheet::find_table(sheet, COLUMNS[0], 1) {
        let cols = COLUMNS.map(|names| t.column(names));
        return Ok((t, cols));
    }
    let rows = sheet
        .rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.iter().any(|c| !c.as_text().trim().is_empty()))
        .map(|(i, r)| (i + 1, r.clone()))
        .collect();
    Ok((Table { columns: Vec::new(), rows }, [0, 1, 2, 3, 4, 5].map(Some)))
}

/// Reads the file's rows (xlsx or CSV); invalid rows are returned with their reasons, not refused.
pub fn parse(bytes: &[u8]) -> Result<(Vec<RegistryRow>, Vec<InvalidRow>), RegistryError> {
    let (table, cols) = table(bytes)?;
    if table.rows.is_empty() {
        return Err(RegistryError::Empty);
    }
    if table.rows.len() > MAX_ROWS {
        return Err(RegistryError::TooManyRows { rows: table.rows.len() });
    }
    let (mut rows, mut invalid) = (Vec::new(), Vec::new());
    for (line, cells) in table.rows {
        let cell = |i: usize| cols[i].and_then(|c| cells.get(c)).cloned().unwrap_or(Cell::Empty);
        let col = |i: usize| cell(i).as_text().trim().to_owned();
        let id_number = match normalise_id_number(&col(0)) {
            Ok(id) => id,
            Err(e) => {
                let shown: String = col(0).chars().take(20).collect();
                invalid.push(InvalidRow { line, reason: format!("身份证号“{shown}”无效：{e}") });
                continue;
            }
        };
        let date = match qiangji_sheet::date(&cell(5)) {
            DateCell::Empty => None,
            DateCell::Day(d) => Some(d),
            DateCell::Month(..) | DateCell::Invalid(_) => {
                let shown: String = col(5).chars().take(20).collect();
                invalid.push(InvalidRow {
                    line, reason: format!("日期“{shown}”无法识别（应为 年-月-日）")
                });
                continue;
            }
        };
        rows.push(RegistryRow {
            line,
            id_number,
            name: col(1),
            unit_code: col(2).to_ascii_uppercase(),
            unit_name: col(3),
            place: col(4),
            date,
        });
    }
    Ok((rows, invalid))
}

/// Text compared without spaces, with full-width brackets as ASCII.
fn plain(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            c => c,
        })
        .collect()
}

/// Words a police extract uses for someone who has left.
const LEFT_MARKS: [&str; 3] = ["迁出", "注销", "离开"];

/// Matches rows against `members` (those the importer can see). `area` is the importer's area as
/// written in places ("宁波市"); empty means every place counts as inside.
pub fn match_rows(rows: &[RegistryRow], invalid: Vec<InvalidRow>, members: &[MemberRef], area: &str) -> MatchReport {
    let by_id: HashMap<&IdNumber, &MemberRef> = members.iter().map(|m| (&m.id_number, m)).collect();
    let area = plain(area);
    let mut report = MatchReport { rows: rows.len() + invalid.len(), invalid, ..Default::default() };
    for row in rows {
        let Some(m) = by_id.get(&row.id_number) else {
            report.unknown += 1;
            continue;
        };
        report.matched += 1;
        let (mut flags, mut detail) = (Vec::new(), Vec::new());
        let place = plain(&row.place);
        if !place.is_empty() {
            let left = LEFT_MARKS.iter().any(|w| place.contains(w));
            let outside = !area.is_empty() && !place.contains(&area);
            let address = plain(&m.address);
            if (left || outside) && !m.floating {
                flags.push(RegistryFlag::Departure);
                detail.push(if left {
                    format!("登记信息为“{}”", row.place)
                } else {
                    format!("登记地“{}”不在{}", row.place, area)
                });
            } else if !left
                && !outside
                && !m.floating
                && !address.is_empty()
                && !address.contains(&place)
                && !place.contains(&address)
            {
                flags.push(RegistryFlag::Arrival);
                detail.push(format!("登记地“{}”与党员住址“{}”不同，且未登记流出", row.place, m.address));
            }
        }
        let unit = plain(&row.unit_name);
        if !unit.is_empty() && unit != plain(&m.work_unit) {
            flags.push(RegistryFlag::UnitChange);
            let shown = if m.work_unit.is_empty() { "（未填写）" } else { m.work_unit.as_str() };
            detail.push(format!("登记单位“{}”与党员工作单位“{shown}”不同", row.unit_name));
        }
        if !flags.is_empty() {
            report.flagged.push(RowMatch {
                line: row.line,
                member: m.id,
                member_name: m.name.clone(),
                id_number: row.id_number.clone(),
                flags,
                detail: detail.join("；"),
            });
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "11010519491231002X";

    fn id(n: u16) -> IdNumber {
        IdNumber::compose(330203, crate::date::parse("1980-05-01").unwrap(), n)
    }

    fn member(n: u16, address: &str, unit: &str, floating: bool) -> MemberRef {
        MemberRef {
            id: MemberId(i64::from(n)),
            id_number: id(n),
            name: format!("党员{n}"),
            address: address.into(),
            work_unit: unit.into(),
            floating,
        }
    }

    fn row(n: u16, unit: &str, place: &str) -> RegistryRow {
        RegistryRow {
            line: usize::from(n),
            id_number: id(n),
            name: String::new(),
            unit_code: String::new(),
            unit_name: unit.into(),
            place: place.into(),
            date: None,
        }
    }

    fn flags_of(report: &MatchReport, n: u16) -> Vec<RegistryFlag> {
        report.flagged.iter().find(|r| r.member == MemberId(i64::from(n))).map_or(Vec::new(), |r| r.flags.clone())
    }

    #[test]
    fn id_numbers_are_normalised_as_registries_write_them() {
        assert_eq!(normalise_id_number(" 11010519491231002x ").unwrap().as_str(), A);
        assert_eq!(normalise_id_number("１１０１０５１９４９１２３１００２Ｘ").unwrap().as_str(), A);
        assert_eq!(normalise_id_number("'11010519491231002ｘ").unwrap().as_str(), A);
        assert_eq!(normalise_id_number("\u{3000}11010519491231002X\u{3000}").unwrap().as_str(), A);
        assert_eq!(normalise_id_number("110105194912310021"), Err(IdNumberError::Checksum));
    }

    #[test]
    fn the_csv_reader_skips_the_header_and_reports_invalid_rows() {
        let text = "\u{feff}身份证号,姓名,统一社会信用代码,单位名称,登记地,日期\r\n\
            11010519491231002x,张三,91330200abc,\"宁波某某有限公司,海曙分公司\",宁波市海曙区,2026/03/01\r\n\
            12345,李四,,,,\r\n\
            11010519491231002X,王五,,,,2026-13-01\r\n\
            \r\n\
            \"11010519491231002X\",\"赵\"\"六\"\"\",,,\"宁波市\n江北区\",20260301\n";
        let (rows, invalid) = parse(text.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].unit_name, "宁波某某有限公司,海曙分公司");
        assert_eq!(rows[0].unit_code, "91330200ABC");
        assert_eq!(rows[0].date, crate::date::parse("2026-03-01"));
        assert_eq!(rows[1].name, "赵\"六\"");
        assert_eq!(rows[1].place, "宁波市\n江北区");
        assert_eq!(rows[1].line, 6);
        assert_eq!(invalid.iter().map(|r| r.line).collect::<Vec<_>>(), vec![3, 4]);
        assert!(invalid[0].reason.contains("身份证号“12345”无效"), "{}", invalid[0].reason);
        assert!(invalid[1].reason.contains("日期"));
    }

    #[test]
    fn an_empty_file_is_refused() {
        assert_eq!(parse("身份证号,姓名\n".as_bytes()).unwrap_err().code(), "registry.empty");
        assert_eq!(parse(b"").unwrap_err(), RegistryError::Empty);
    }

    #[test]
    fn a_member_living_elsewhere_in_the_area_may_have_moved() {
        let members = [member(1, "宁波市海曙区鼓楼街道1号", "", false)];
        let report = match_rows(&[row(1, "", "宁波市北仑区")], Vec::new(), &members, "宁波市");
        assert_eq!(flags_of(&report, 1), vec![RegistryFlag::Arrival]);
        assert_eq!(report.count(RegistryFlag::Arrival), 1);
        // The same place (or a part of the recorded address) raises nothing.
        let report = match_rows(&[row(1, "", "宁波市海曙区")], Vec::new(), &members, "宁波市");
        assert!(report.flagged.is_empty());
        assert_eq!(report.matched, 1);
    }

    #[test]
    fn a_registered_outflow_explains_a_different_place() {
        let members = [member(1, "宁波市海曙区", "", true)];
        let report =
            match_rows(&[row(1, "", "宁波市北仑区"), row(1, "", "深圳市南山区")], Vec::new(), &members, "宁波市");
        assert!(report.flagged.is_empty());
    }

    #[test]
    fn a_place_outside_the_area_or_marked_as_left_is_a_departure() {
        let members = [member(1, "宁波市海曙区", "", false), member(2, "宁波市江北区", "", false)];
        let rows = [row(1, "", "广东省深圳市南山区"), row(2, "", "宁波市江北区（已迁出）")];
        let report = match_rows(&rows, Vec::new(), &members, "宁波市");
        assert_eq!(flags_of(&report, 1), vec![RegistryFlag::Departure]);
        assert_eq!(flags_of(&report, 2), vec![RegistryFlag::Departure]);
        // Without an area only the marks count.
        let report = match_rows(&rows, Vec::new(), &members, "");
        assert_eq!(flags_of(&report, 1), vec![RegistryFlag::Arrival]);
        assert_eq!(flags_of(&report, 2), vec![RegistryFlag::Departure]);
    }

    #[test]
    fn a_different_unit_is_a_unit_change_whatever_the_place() {
        let members = [member(1, "宁波市海曙区", "宁波某某有限公司（海曙）", false), member(2, "", "", false)];
        let rows =
            [row(1, "宁波某某有限公司(海曙)", "宁波市海曙区"), row(1, "宁波另一家公司", ""), row(2, "某公司", "")];
        let report = match_rows(&rows, Vec::new(), &members, "宁波市");
        assert_eq!(report.flagged.len(), 2, "brackets and spaces do not make a change");
        assert_eq!(report.flagged[0].flags, vec![RegistryFlag::UnitChange]);
        assert!(report.flagged[1].detail.contains("（未填写）"));
        assert_eq!(report.count(RegistryFlag::UnitChange), 2);
    }

    #[test]
    fn people_who_are_not_members_are_counted_not_listed() {
        let members = [member(1, "宁波市海曙区", "", false)];
        let invalid = vec![InvalidRow { line: 9, reason: "x".into() }];
        let report =
            match_rows(&[row(1, "", ""), row(2, "某公司", "深圳"), row(3, "", "")], invalid, &members, "宁波市");
        assert_eq!((report.rows, report.matched, report.unknown), (4, 1, 2));
        assert_eq!(report.count(RegistryFlag::Unknown), 2);
        assert!(report.flagged.is_empty());
        assert_eq!(report.invalid.len(), 1);
    }
}
