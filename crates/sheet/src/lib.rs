//! Reading the spreadsheets organization departments keep (SPEC §12): xlsx and CSV in UTF-8 or GBK,
//! the header row found wherever it is, and every cell normalised where that is unambiguous and
//! flagged where it is not. Pure: bytes in, tables out — no database, no HTTP.
//!
//! [`read`] tells the format by content: xlsx (a zip) is read by a small streaming reader — every
//! worksheet in workbook order with its name; shared and inline strings; numbers; booleans as the
//! text `TRUE`/`FALSE` and error values as their text (`#N/A`); numbers whose number format shows a
//! date (built-in or custom, 1900 or 1904 date system) as [`Cell::Date`]; cells placed by their
//! reference, gaps [`Cell::Empty`]; merged ranges filled with their top-left value in every cell.
//! Anything else is CSV (UTF-8 with or without a BOM, else GBK). Old `.xls` and encrypted
//! workbooks are refused with [`SheetError::XlsUnsupported`], asking for xlsx or CSV.
//!
//! The importers find the header with [`find_table`] (title rows above it and merged header cells
//! are fine), map a [`Table`]'s columns to record fields by header text ([`Table::column`]) and
//! read cells through [`text`], [`id_number`] and [`date`], which say what they changed or could not
//! decide (full-width digits and spaces, stray spaces, a lowercase x, a date kept only to the
//! month), and [`shifted`], which flags a row whose values slid against the header — so that a
//! preview can show every row with its problems.
//!
//! `tests/corpus.rs` reads back messy files written by an independent tool (openpyxl, Python's csv
//! module); it needs `QIANGJI_PYTHON` pointing at a Python with openpyxl 3.1.5.

mod csv;
mod xlsx;

use chrono::NaiveDate;

/// A cell as the file holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    /// A number; a date in xlsx is a number with a date format, read as [`Cell::Date`] (a time of
    /// day alone, below one day, stays a number).
    Number(f64),
    /// A date (from xlsx; the time of day, if any, is dropped).
    Date(NaiveDate),
}

impl Cell {
    /// The cell as text, as a person would read it (numbers without a trailing `.0`).
    pub fn as_text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Cell::Number(n) => n.to_string(),
            Cell::Date(d) => d.to_string(),
        }
    }
}

/// One worksheet (a CSV file is one sheet): rows of cells as laid out, 0-based.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub name: String,
    pub rows: Vec<Vec<Cell>>,
}

/// A table found in a sheet: the header and the data rows under it.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The header texts, normalised (spaces and line breaks removed).
    pub columns: Vec<String>,
    /// Data rows with their 1-based row number in the file, as people see it in Excel.
    pub rows: Vec<(usize, Vec<Cell>)>,
}

impl Table {
    /// The index of the first column whose header is one of `names` (after normalising).
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        self.columns.iter().position(|c| names.iter().any(|n| header(n) == *c))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SheetError {
    #[error("文件不是 xlsx 或 CSV 表格，无法读取")]
    NotASpreadsheet,
    #[error("文件已损坏，无法读取：{0}")]
    Corrupt(String),
    #[error("没有找到表头：前{0}行中没有一行包含“{1}”等列名")]
    NoHeader(usize, String),
    /// An Excel 97–2003 workbook (.xls) or an encrypted xlsx: both are OLE compound files.
    #[error("这是旧版 xls 表格或加密的表格，无法直接读取：请另存为 xlsx 或 CSV 后再导入")]
    XlsUnsupported,
    /// More cells than a sheet may hold (the limit, and the cell where it was passed).
    #[error("表格过大：单元格（含数据之间的空格）超过{0}个，到 {1} 为止；请删去多余的行列，或分成几个文件导入")]
    TooLarge(usize, String),
}

impl SheetError {
    pub fn code(&self) -> &'static str {
        match self {
            SheetError::NotASpreadsheet => "import.not_a_spreadsheet",
            SheetError::Corrupt(_) => "import.file_corrupt",
            SheetError::NoHeader(..) => "import.header_missing",
            SheetError::XlsUnsupported => "import.xls_unsupported",
            SheetError::TooLarge(..) => "import.sheet_too_large",
        }
    }
}

/// Reads a file: xlsx by its content (a zip archive), otherwise CSV in UTF-8 (with or without BOM)
/// or GBK. Returns every sheet in order (for xlsx, every worksheet in workbook order with its name;
/// a CSV file is one sheet without a name). An OLE compound file (.xls, or an encrypted xlsx) is
/// [`SheetError::XlsUnsupported`].
pub fn read(bytes: &[u8]) -> Result<Vec<Sheet>, SheetError> {
    if bytes.starts_with(b"\xD0\xCF\x11\xE0") {
        return Err(SheetError::XlsUnsupported);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return xlsx::read(bytes);
    }
    csv::read(bytes).map(|s| vec![s])
}

/// How many rows from the top the header is looked for in.
pub const HEADER_SEARCH_ROWS: usize = 20;

/// Finds the header row: the first row among the top [`HEADER_SEARCH_ROWS`] holding at least
/// `min_hits` of the `expected` column names. Rows under it that are entirely empty are dropped.
pub fn find_table(sheet: &Sheet, expected: &[&str], min_hits: usize) -> Result<Table, SheetError> {
    let wanted: Vec<String> = expected.iter().map(|e| header(e)).collect();
    for (i, row) in sheet.rows.iter().take(HEADER_SEARCH_ROWS).enumerate() {
        let columns: Vec<String> = row.iter().map(|c| header(&c.as_text())).collect();
        let hits = wanted.iter().filter(|w| columns.contains(w)).count();
        if hits >= min_hits {
            let rows = sheet.rows[i + 1..]
                .iter()
                .enumerate()
                .filter(|(_, r)| r.iter().any(|c| *c != Cell::Empty && !c.as_text().trim().is_empty()))
                .map(|(k, r)| (i + k + 2, r.clone()))
                .collect();
            return Ok(Table { columns, rows });
        }
    }
    Err(SheetError::NoHeader(HEADER_SEARCH_ROWS, expected.iter().take(3).copied().collect::<Vec<_>>().join("、")))
}

/// A header text as compared: without any whitespace.
pub fn header(s: &str) -> String {
    text(s).value.chars().filter(|c| !c.is_whitespace()).collect()
}

/// A normalised value and what normalising changed, for the preview's warnings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized<T> {
    pub value: T,
    /// Whether the cell had to be changed to read it (full-width characters, stray spaces, a
    /// lowercase x…): shown as a warning, never silently.
    pub changed: bool,
}

/// Text with surrounding spaces removed and full-width digits, letters and spaces made half-width.
pub fn text(s: &str) -> Normalized<String> {
    let value: String = s
        .chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            // Full-width digits and Latin letters; full-width punctuation such as （） is how
            // Chinese is written and stays.
            '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            c => c,
        })
        .collect::<String>()
        .trim()
        .to_owned();
    Normalized { changed: value != s, value }
}

/// An identity number as written: normalised text with a trailing lowercase x made uppercase.
pub fn id_number(s: &str) -> Normalized<String> {
    let t = text(s);
    let value = t.value.replace(' ', "").to_uppercase();
    Normalized { changed: t.changed || value != t.value, value }
}

/// Whether a text looks like an identity number: 18 characters (17 digits and a digit or X) or
/// the old 15 digits, after [`id_number`]'s normalising.
pub fn looks_like_id(s: &str) -> bool {
    let v = id_number(s).value;
    let b = v.as_bytes();
    match b.len() {
        15 => b.iter().all(u8::is_ascii_digit),
        18 => b[..17].iter().all(u8::is_ascii_digit) && (b[17].is_ascii_digit() || b[17] == b'X'),
        _ => false,
    }
}

/// Whether a data row looks shifted against its header, so that every value after some point sits
/// one or more columns away from its column name (a cell inserted or deleted by hand).
///
/// The heuristic: the row is shifted when it has a non-empty cell beyond the header's last named
/// column, or when the identity-number column (`id_col`) does not hold an identity number but
/// another cell does (see [`looks_like_id`]). A row with no identity number anywhere is not called
/// shifted — it is missing one, which the importer reports on its own.
pub fn shifted(table: &Table, row: &[Cell], id_col: usize) -> bool {
    let width = table.columns.iter().rposition(|c| !c.is_empty()).map_or(0, |i| i + 1);
    let used = row.iter().rposition(|c| !c.as_text().trim().is_empty()).map_or(0, |i| i + 1);
    if used > width {
        return true;
    }
    if row.get(id_col).is_some_and(|c| looks_like_id(&c.as_text())) {
        return false;
    }
    row.iter().enumerate().any(|(i, c)| i != id_col && looks_like_id(&c.as_text()))
}

/// What a date cell says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateCell {
    Empty,
    /// A whole date.
    Day(NaiveDate),
    /// Only a year and month ("2019.07", "2019年7月"): the importer decides whether that is
    /// enough (dates of joining are often kept to the month) and warns.
    Month(i32, u32),
    /// Not a date; the text as found.
    Invalid(String),
}

/// Reads a date cell: a real date, an Excel serial number, or text such as "2019-7-1",
/// "2019/07/01", "2019.07.01", "2019年7月1日", "20190701", "2019.07", "2019年7月".
pub fn date(cell: &Cell) -> DateCell {
    match cell {
        Cell::Empty => DateCell::Empty,
        Cell::Date(d) => DateCell::Day(*d),
        Cell::Number(n) if n.fract() == 0.0 && (1.0..=2_958_465.0).contains(n) => {
            // Excel's day 1 is 1900-01-01 and it counts a 1900-02-29 that never was.
            let base = NaiveDate::from_ymd_opt(1899, 12, 30).expect("valid base");
            let days = *n as i64;
            if days < 61 {
                return DateCell::Invalid(cell.as_text());
            }
            DateCell::Day(base + chrono::Days::new(days as u64))
        }
        Cell::Number(_) => DateCell::Invalid(cell.as_text()),
        Cell::Text(s) => date_text(&text(s).value),
    }
}

fn date_text(s: &str) -> DateCell {
    if s.is_empty() {
        return DateCell::Empty;
    }
    if s.len() == 8 && s.chars().all(|c| c.is_ascii_digit()) {
        let ymd = (s[..4].parse().ok(), s[4..6].parse().ok(), s[6..].parse().ok());
        if let (Some(y), Some(m), Some(d)) = ymd
            && let Some(day) = NaiveDate::from_ymd_opt(y, m, d)
        {
            return DateCell::Day(day);
        }
        return DateCell::Invalid(s.to_owned());
    }
    let parts: Vec<&str> = s.split(['-', '/', '.', '年', '月', '日']).filter(|p| !p.is_empty()).collect();
    let nums: Option<Vec<u32>> = parts.iter().map(|p| p.trim().parse().ok()).collect();
    match nums.as_deref() {
        Some([y, m, d]) if *y >= 1900 => {
            NaiveDate::from_ymd_opt(*y as i32, *m, *d).map_or(DateCell::Invalid(s.to_owned()), DateCell::Day)
        }
        Some([y, m]) if *y >= 1900 && (1..=12).contains(m) => DateCell::Month(*y as i32, *m),
        _ => DateCell::Invalid(s.to_owned()),
    }
}

#[cfg(test)]
mod tests;
