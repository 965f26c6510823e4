//! Any table as a file people open in Excel: an xlsx workbook (one worksheet per table, numbers
//! as numbers so they can be summed) or CSV in UTF-8 with a byte order mark or GBK. The statistics
//! tables and every list (members, transfers, development, floating members) go through the one
//! [`TableWriter`], which takes rows one at a time: a workbook is written in rust_xlsxwriter's
//! constant-memory mode (each finished row goes to a temporary file), so a list of the whole city
//! (460,000 members) costs the size of the finished file, not a copy of every cell.
//!
//! Layout of each table, in both formats: the title, a note (scope, date, condition), then in the
//! workbook an empty row, the header and the rows. A CSV has no empty row; tables are separated by
//! an empty line.

use crate::error::AppError;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, XlsxError};
use std::borrow::Cow;

/// The media type of an xlsx workbook.
pub const XLSX_CONTENT_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/// The file extension of an xlsx workbook.
pub const XLSX_EXTENSION: &str = "xlsx";

/// Excel's limit on a worksheet name, in UTF-16 code units.
const SHEET_NAME_MAX: usize = 31;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A table beyond Excel's limits (16,384 columns, 1,048,576 rows), a temporary file that
    /// could not be written, or a bug: sheet names are made valid beforehand.
    #[error("生成 Excel 文件失败：{0}")]
    Xlsx(#[from] XlsxError),
}

impl ExportError {
    /// A stable code for logs and API answers.
    pub fn code(&self) -> &'static str {
        match self {
            ExportError::Xlsx(_) => "export.xlsx_failed",
        }
    }
}

impl From<ExportError> for AppError {
    fn from(e: ExportError) -> Self {
        tracing::error!("{e}");
        AppError::new(StatusCode::INTERNAL_SERVER_ERROR, e.code(), "生成 Excel 文件失败，请稍后再试")
    }
}

/// The character encoding of a CSV download.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CsvEncoding {
    /// UTF-8 with a byte order mark, which Excel needs to not read it as the local code page.
    #[default]
    Utf8,
    /// GBK, which any Excel on Chinese Windows opens directly, including old versions.
    Gbk,
}

impl CsvEncoding {
    /// From a query string value: `utf8` or `gbk` (also `utf-8`, any case).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "utf8" | "utf-8" => Some(CsvEncoding::Utf8),
            "gbk" => Some(CsvEncoding::Gbk),
            _ => None,
        }
    }

    /// The value of `Content-Type` for a CSV in this encoding.
    pub fn content_type(self) -> &'static str {
        match self {
            CsvEncoding::Utf8 => "text/csv; charset=utf-8",
            CsvEncoding::Gbk => "text/csv; charset=gbk",
        }
    }

    /// The file extension: always `csv`, the encoding is in the content.
    pub fn extension(self) -> &'static str {
        "csv"
    }
}

/// What kind of file to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Xlsx,
    Csv(CsvEncoding),
}

/// The query string of a list download: `format=xlsx|csv` (default xlsx) and, for CSV,
/// `encoding=utf8|gbk` (default utf8). Other parameters are the list's own filters.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct FormatQuery {
    pub format: String,
    pub encoding: String,
}

impl FormatQuery {
    pub fn file_format(&self) -> Result<FileFormat, AppError> {
        let encoding = match self.encoding.trim() {
            "" => CsvEncoding::Utf8,
            e => CsvEncoding::parse(e).ok_or_else(|| {
                AppError::bad_request("export.encoding_invalid", format!("不支持的编码：{e}（可选 utf8、gbk）"))
            })?,
        };
        match self.format.trim().to_ascii_lowercase().as_str() {
            "" | "xlsx" => Ok(FileFormat::Xlsx),
            "csv" => Ok(FileFormat::Csv(encoding)),
            f => {
                Err(AppError::bad_request("export.format_invalid", format!("不支持的文件格式：{f}（可选 xlsx、csv）")))
            }
        }
    }
}

impl FileFormat {
    pub fn content_type(self) -> &'static str {
        match self {
            FileFormat::Xlsx => XLSX_CONTENT_TYPE,
            FileFormat::Csv(e) => e.content_type(),
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            FileFormat::Xlsx => XLSX_EXTENSION,
            FileFormat::Csv(e) => e.extension(),
        }
    }
}

/// One cell of a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    Text(Cow<'a, str>),
    /// A whole number, written as a number (with thousands separators in the workbook).
    Number(i64),
}

impl<'a> From<&'a str> for Cell<'a> {
    fn from(s: &'a str) -> Self {
        Cell::Text(Cow::Borrowed(s))
    }
}

impl From<String> for Cell<'_> {
    fn from(s: String) -> Self {
        Cell::Text(Cow::Owned(s))
    }
}

impl From<i64> for Cell<'_> {
    fn from(n: i64) -> Self {
        Cell::Number(n)
    }
}

/// A column: its header and how wide its content is (in [`display_width`] units), so the
/// workbook's column fits without reading every row first.
#[derive(Debug, Clone)]
pub struct Column {
    pub title: String,
    pub width: usize,
}

impl Column {
    /// A column as wide as its header, or `width` if wider.
    pub fn new(title: impl Into<String>, width: usize) -> Self {
        let title = title.into();
        Column { width: width.max(display_width(&title)), title }
    }
}

struct Formats {
    title: Format,
    note: Format,
    header: Format,
    text: Format,
    number: Format,
    total_text: Format,
    total_number: Format,
}

impl Formats {
    fn new() -> Self {
        let cell = Format::new().set_border(FormatBorder::Thin);
        let header =
            cell.clone().set_bold().set_align(FormatAlign::Center).set_background_color(Color::RGB(0xF2_F2_F2));
        Formats {
            title: Format::new().set_bold().set_font_size(14).set_align(FormatAlign::Center),
            note: Format::new().set_font_color(Color::RGB(0x66_66_66)),
            header,
            text: cell.clone(),
            // Thousands separators read better in large counts and keep the cell a number.
            number: cell.clone().set_num_format("#,##0"),
            total_text: cell.clone().set_bold(),
            total_number: cell.set_bold().set_num_format("#,##0"),
        }
    }
}

/// Excel's limit on rows in a worksheet.
const XLSX_MAX_ROWS: usize = 1_048_576;

/// Refuses, before any work, a table of `rows` rows that a worksheet cannot hold (a province's
/// members, say): CSV has no such limit.
pub fn check_fits(format: FileFormat, rows: usize) -> Result<(), AppError> {
    let room = XLSX_MAX_ROWS - (HEADER_ROW as usize + 1);
    if format == FileFormat::Xlsx && rows > room {
        return Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "export.too_many_rows",
            format!("共{rows}行，超过 Excel 工作表最多{room}行的上限，请缩小范围或下载 CSV"),
        ));
    }
    Ok(())
}

/// Zero-based rows of the workbook layout (Excel's rows 1, 2 and 4).
const TITLE_ROW: u32 = 0;
const NOTE_ROW: u32 = 1;
const HEADER_ROW: u32 = 3;

enum Sink {
    Xlsx { book: Box<Workbook>, formats: Box<Formats>, row: u32, names: SheetNames },
    Csv { out: Vec<u8>, encoding: CsvEncoding, line: String },
}

/// Writes tables, one after another, row by row, into one file.
pub struct TableWriter {
    sink: Sink,
    tables: usize,
}

impl TableWriter {
    pub fn new(format: FileFormat) -> Self {
        let sink = match format {
            FileFormat::Xlsx => Sink::Xlsx {
                book: Box::new(Workbook::new()),
                formats: Box::new(Formats::new()),
                row: 0,
                names: SheetNames::default(),
            },
            FileFormat::Csv(encoding) => {
                let out = if encoding == CsvEncoding::Utf8 { UTF8_BOM.to_vec() } else { Vec::new() };
                Sink::Csv { out, encoding, line: String::new() }
            }
        };
        TableWriter { sink, tables: 0 }
    }

    /// Starts a table (a new worksheet named after the title): title, note and header.
    pub fn table(&mut self, title: &str, note: &str, columns: &[Column]) -> Result<(), ExportError> {
        self.tables += 1;
        match &mut self.sink {
            Sink::Xlsx { book, formats: f, row, names } => {
                let name = names.next(title, self.tables);
                let sheet = book.add_worksheet_with_constant_memory()?;
                sheet.set_name(name)?;
                // Widths first: in constant-memory mode rows are written out as they are finished.
                for (j, c) in columns.iter().enumerate() {
                    sheet.set_column_width(col(j), column_width(c.width))?;
                }
                let last_col = col(columns.len().max(1) - 1);
                sheet.set_row_height(TITLE_ROW, 24)?;
                if last_col == 0 {
                    // Excel refuses a merge of a single cell.
                    sheet.write_string_with_format(TITLE_ROW, 0, title, &f.title)?;
                } else {
                    sheet.merge_range(TITLE_ROW, 0, TITLE_ROW, last_col, title, &f.title)?;
                }
                // Not merged: a long note spills over the empty cells to its right instead of being cut.
                sheet.write_string_with_format(NOTE_ROW, 0, note, &f.note)?;
                for (j, c) in columns.iter().enumerate() {
                    sheet.write_string_with_format(HEADER_ROW, col(j), &c.title, &f.header)?;
                }
                // Keep the header and the first column in view while scrolling a long or wide table.
                sheet.set_freeze_panes(HEADER_ROW + 1, 1)?;
                *row = HEADER_ROW + 1;
            }
            Sink::Csv { out, encoding, line } => {
                if self.tables > 1 {
                    out.extend_from_slice(b"\r\n");
                }
                for fields in [vec![text_field(title)], vec![text_field(note)]] {
                    push_line(line, fields);
                    flush(out, line, *encoding);
                }
                push_line(line, columns.iter().map(|c| text_field(&c.title)));
                flush(out, line, *encoding);
            }
        }
        Ok(())
    }

    /// A row of the current table.
    pub fn row(&mut self, cells: &[Cell]) -> Result<(), ExportError> {
        self.write(cells, false)
    }

    /// A bold 合计 row.
    pub fn total_row(&mut self, cells: &[Cell]) -> Result<(), ExportError> {
        self.write(cells, true)
    }

    fn write(&mut self, cells: &[Cell], total: bool) -> Result<(), ExportError> {
        match &mut self.sink {
            Sink::Xlsx { book, formats: f, row, .. } => {
                let sheet = book.worksheet_from_index(self.tables.saturating_sub(1))?;
                let (text, number) = if total { (&f.total_text, &f.total_number) } else { (&f.text, &f.number) };
                for (j, cell) in cells.iter().enumerate() {
                    match cell {
                        Cell::Text(s) => sheet.write_string_with_format(*row, col(j), s.as_ref(), text)?,
                        // A number, not text, so Excel sums and charts it. Counts and ages stay
                        // far below 2^53, where f64 would start to round.
                        Cell::Number(n) => sheet.write_number_with_format(*row, col(j), *n as f64, number)?,
                    };
                }
                *row = row.saturating_add(1);
            }
            Sink::Csv { out, encoding, line } => {
                push_line(
                    line,
                    cells.iter().map(|c| match c {
                        Cell::Text(s) => text_field(s),
                        Cell::Number(n) => n.to_string(),
                    }),
                );
                flush(out, line, *encoding);
            }
        }
        Ok(())
    }

    /// The CSV written so far, taken out of the writer so it can be sent while the rest is
    /// written. Nothing for a workbook, which is a zip finished only at the end.
    pub fn take_written(&mut self) -> Vec<u8> {
        match &mut self.sink {
            Sink::Csv { out, .. } => std::mem::take(out),
            Sink::Xlsx { .. } => Vec::new(),
        }
    }

    /// The finished file. No tables gives a workbook with one empty sheet, which is what Excel
    /// needs to open it.
    pub fn finish(self) -> Result<Vec<u8>, ExportError> {
        match self.sink {
            Sink::Xlsx { mut book, .. } => Ok(book.save_to_buffer()?),
            Sink::Csv { out, .. } => Ok(out),
        }
    }
}

/// A column index; a table wider than Excel's 16,384 columns fails in the writer, not here.
fn col(j: usize) -> u16 {
    u16::try_from(j).unwrap_or(u16::MAX)
}

/// Roughly how many Excel width units `s` takes: a CJK character is about two digits wide.
pub fn display_width(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

fn column_width(content: usize) -> f64 {
    (content + 2).clamp(8, 60) as f64
}

/// Worksheet names for the given titles, following Excel's rules: at most 31 UTF-16 units, none
/// of `[]:*?/\` (each replaced by its full-width form, which reads the same: `年龄／学历`), not
/// starting or ending with `'`, not blank (`表1`), not the reserved `History`, and unique
/// ignoring case (a repeat gets `（2）`, `（3）`… within the length limit).
pub fn sheet_names<'a>(titles: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut names = SheetNames::default();
    titles.into_iter().enumerate().map(|(k, title)| names.next(title, k + 1)).collect()
}

/// The names given so far, lower-cased.
#[derive(Default)]
struct SheetNames(Vec<String>);

impl SheetNames {
    /// The name of the table at `position` (from 1) titled `title`.
    fn next(&mut self, title: &str, position: usize) -> String {
        let base = sheet_name_base(title, position);
        let mut name = truncate_utf16(&base, SHEET_NAME_MAX);
        let mut n = 1;
        while self.0.contains(&name.to_lowercase()) || name.eq_ignore_ascii_case("history") {
            n += 1;
            let suffix = format!("（{n}）");
            name = truncate_utf16(&base, SHEET_NAME_MAX - suffix.encode_utf16().count()) + &suffix;
        }
        self.0.push(name.to_lowercase());
        name
    }
}

fn sheet_name_base(title: &str, position: usize) -> String {
    let replaced: String = title
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| match c {
            '[' => '［',
            ']' => '］',
            ':' => '：',
            '*' => '＊',
            '?' => '？',
            '/' => '／',
            '\\' => '＼',
            c => c,
        })
        .collect();
    let trimmed = replaced.trim().trim_matches('\'').trim();
    if trimmed.is_empty() { format!("表{position}") } else { trimmed.to_owned() }
}

/// The longest prefix of `s` within `max` UTF-16 units, without a trailing `'` or space.
fn truncate_utf16(s: &str, max: usize) -> String {
    let mut units = 0;
    let cut: String = s
        .chars()
        .take_while(|c| {
            units += c.len_utf16();
            units <= max
        })
        .collect();
    cut.trim_end_matches(['\'', ' ']).to_owned()
}

pub(crate) const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Appends one CSV line (RFC 4180: fields joined by commas, CRLF at the end) to `line`.
fn push_line(line: &mut String, fields: impl IntoIterator<Item = String>) {
    for (k, field) in fields.into_iter().enumerate() {
        if k > 0 {
            line.push(',');
        }
        line.push_str(&field);
    }
    line.push_str("\r\n");
}

/// Moves the line into the file in its encoding.
///
/// In GBK, a character GBK lacks (a rare character in an ethnic-minority name, say `𠮷`) is
/// written as its decimal numeric character reference, `&#134071;`: visible and recoverable
/// rather than silently dropped or turned into `?` (encoding_rs does exactly that). UTF-8
/// represents everything.
fn flush(out: &mut Vec<u8>, line: &mut String, encoding: CsvEncoding) {
    match encoding {
        CsvEncoding::Utf8 => out.extend_from_slice(line.as_bytes()),
        CsvEncoding::Gbk => out.extend_from_slice(&encoding_rs::GBK.encode(line).0),
    }
    line.clear();
}

/// One text field, neutralized against formula injection and quoted as RFC 4180 requires: a
/// field starting with `=`, `+`, `-`, `@`, tab or CR is prefixed with `'`, so that a name typed
/// as a formula is shown as text rather than run by Excel.
pub(crate) fn text_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_owned() };
    if s.contains([',', '"', '\r', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
}

/// A `Content-Disposition` value that downloads `base.ext` under its Chinese name (RFC 6266 with
/// the RFC 5987 `filename*`, which every current browser reads) and under an ASCII name where
/// only `filename` is understood: `base` itself if it is plain ASCII, otherwise `stats`.
pub fn attachment_name(base: &str, ext: &str) -> String {
    let plain = |s: &str| s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ' '));
    let ext_ascii = if !ext.is_empty() && plain(ext) { ext } else { "bin" };
    let fallback = if !base.trim().is_empty() && plain(base) { base.trim() } else { "stats" };
    format!(
        "attachment; filename=\"{fallback}.{ext_ascii}\"; filename*=UTF-8''{}.{}",
        percent_encode(base),
        percent_encode(ext)
    )
}

/// RFC 5987 `value-chars`: attr-char as is, every other UTF-8 byte as `%XX`.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The download response: the body, its type and its name (`base` plus the format's extension).
pub fn attachment(body: impl Into<axum::body::Body>, format: FileFormat, base: &str) -> Response {
    let name = attachment_name(base, format.extension());
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, format.content_type().to_owned()), (header::CONTENT_DISPOSITION, name)],
        body.into(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Read};

    fn part(xlsx: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(Cursor::new(xlsx)).expect("an xlsx is a zip");
        let mut text = String::new();
        zip.by_name(name).unwrap_or_else(|_| panic!("{name} in the workbook")).read_to_string(&mut text).unwrap();
        text
    }

    fn sample(format: FileFormat) -> Vec<u8> {
        let mut w = TableWriter::new(format);
        w.table("名册", "截至2026-11-23", &[Column::new("姓名", 6), Column::new("年龄", 0)]).unwrap();
        w.row(&["张三".into(), 41.into()]).unwrap();
        w.row(&["=1+1".into(), Cell::Number(7)]).unwrap();
        w.table("名册", "", &[Column::new("组织", 10)]).unwrap();
        w.row(&["吉𠮷支部".into()]).unwrap();
        w.finish().unwrap()
    }

    #[test]
    fn csv_tables_follow_one_another_with_one_bom() {
        let bytes = sample(FileFormat::Csv(CsvEncoding::Utf8));
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(
            text,
            "\u{FEFF}名册\r\n截至2026-11-23\r\n姓名,年龄\r\n张三,41\r\n'=1+1,7\r\n\r\n名册\r\n\r\n组织\r\n吉𠮷支部\r\n"
        );
    }

    #[test]
    fn csv_taken_in_parts_is_the_whole_file() {
        let whole = sample(FileFormat::Csv(CsvEncoding::Gbk));
        let mut w = TableWriter::new(FileFormat::Csv(CsvEncoding::Gbk));
        w.table("名册", "截至2026-11-23", &[Column::new("姓名", 6), Column::new("年龄", 0)]).unwrap();
        let mut parts = w.take_written();
        w.row(&["张三".into(), 41.into()]).unwrap();
        w.row(&["=1+1".into(), Cell::Number(7)]).unwrap();
        parts.extend(w.take_written());
        w.table("名册", "", &[Column::new("组织", 10)]).unwrap();
        w.row(&["吉𠮷支部".into()]).unwrap();
        parts.extend(w.take_written());
        parts.extend(w.finish().unwrap());
        assert_eq!(parts, whole);
    }

    #[test]
    fn gbk_csv_is_the_same_text_in_gbk() {
        let bytes = sample(FileFormat::Csv(CsvEncoding::Gbk));
        let (text, _) = encoding_rs::GBK.decode_without_bom_handling(&bytes);
        assert!(text.starts_with("名册\r\n") && text.ends_with("吉&#134071;支部\r\n"), "{text}");
    }

    #[test]
    fn xlsx_has_a_sheet_per_table_with_numbers_as_numbers() {
        let book = sample(FileFormat::Xlsx);
        let workbook = part(&book, "xl/workbook.xml");
        assert!(workbook.contains(r#"name="名册""#) && workbook.contains(r#"name="名册（2）""#), "{workbook}");
        let sheet = part(&book, "xl/worksheets/sheet1.xml");
        assert!(sheet.contains("<v>41</v>") && sheet.contains("张三"), "{sheet}");
        assert!(sheet.contains(r#"<mergeCell ref="A1:B1"/>"#), "{sheet}");
    }

    #[test]
    fn a_table_longer_than_a_worksheet_is_refused_for_xlsx_only() {
        assert!(check_fits(FileFormat::Xlsx, 1_048_572).is_ok());
        assert!(check_fits(FileFormat::Xlsx, 1_048_573).is_err());
        assert!(check_fits(FileFormat::Csv(CsvEncoding::Gbk), 5_000_000).is_ok());
    }

    #[test]
    fn format_query_defaults_to_xlsx_and_refuses_unknown_values() {
        let q = |f: &str, e: &str| FormatQuery { format: f.into(), encoding: e.into() }.file_format();
        assert_eq!(q("", "").unwrap(), FileFormat::Xlsx);
        assert_eq!(q("csv", "gbk").unwrap(), FileFormat::Csv(CsvEncoding::Gbk));
        assert_eq!(q("CSV", "").unwrap(), FileFormat::Csv(CsvEncoding::Utf8));
        assert!(q("pdf", "").is_err());
        assert!(q("csv", "big5").is_err());
    }
}
