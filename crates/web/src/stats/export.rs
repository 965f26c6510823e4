//! Statistical tables as files people open in Excel: an xlsx workbook (one worksheet per table,
//! counts as numbers so they can be summed) and CSV in UTF-8 or GBK, plus the HTTP header values
//! that name the download.

use super::grid::Grid;
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

/// The media type of an xlsx workbook.
pub const XLSX_CONTENT_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/// The file extension of an xlsx workbook.
pub const XLSX_EXTENSION: &str = "xlsx";

/// Excel's limit on a worksheet name, in UTF-16 code units.
const SHEET_NAME_MAX: usize = 31;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A table beyond Excel's limits (16,384 columns, 1,048,576 rows) or a bug: sheet names are
    /// made valid beforehand.
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

/// One workbook holding one worksheet per grid, in order. Each sheet: row 1 the title (bold,
/// merged across the table), row 2 the note, row 4 the header, then the rows and the 合计 row.
/// No grids gives a workbook with one empty sheet, which is what Excel needs to open it.
pub fn xlsx(grids: &[Grid]) -> Result<Vec<u8>, ExportError> {
    let formats = Formats::new();
    let mut book = Workbook::new();
    let names = sheet_names(grids.iter().map(|g| g.title.as_str()));
    for (grid, name) in grids.iter().zip(names) {
        let sheet = book.add_worksheet();
        sheet.set_name(name)?;
        write_sheet(sheet, grid, &formats)?;
    }
    Ok(book.save_to_buffer()?)
}

struct Formats {
    title: Format,
    note: Format,
    header: Format,
    label: Format,
    count: Format,
    total_label: Format,
    total_count: Format,
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
            label: cell.clone(),
            // Thousands separators read better in large counts and keep the cell a number.
            count: cell.clone().set_num_format("#,##0"),
            total_label: cell.clone().set_bold(),
            total_count: cell.set_bold().set_num_format("#,##0"),
        }
    }
}

/// Zero-based rows of the layout (Excel's rows 1, 2 and 4).
const TITLE_ROW: u32 = 0;
const NOTE_ROW: u32 = 1;
const HEADER_ROW: u32 = 3;

fn write_sheet(sheet: &mut Worksheet, grid: &Grid, f: &Formats) -> Result<(), ExportError> {
    let header = grid.header_with_totals();
    let body = grid.rows_with_totals();
    let last_col = col(header.len() - 1);

    sheet.set_row_height(TITLE_ROW, 24)?;
    if last_col == 0 {
        // Excel refuses a merge of a single cell.
        sheet.write_string_with_format(TITLE_ROW, 0, &grid.title, &f.title)?;
    } else {
        sheet.merge_range(TITLE_ROW, 0, TITLE_ROW, last_col, &grid.title, &f.title)?;
    }
    // Not merged: a long note spills over the empty cells to its right instead of being cut.
    sheet.write_string_with_format(NOTE_ROW, 0, &grid.note, &f.note)?;

    for (j, text) in header.iter().enumerate() {
        sheet.write_string_with_format(HEADER_ROW, col(j), *text, &f.header)?;
    }
    let total_row = body.len() - 1;
    for (i, (label, cells)) in body.iter().enumerate() {
        let row = HEADER_ROW + 1 + u32::try_from(i).unwrap_or(u32::MAX);
        let (label_format, count_format) =
            if i == total_row { (&f.total_label, &f.total_count) } else { (&f.label, &f.count) };
        sheet.write_string_with_format(row, 0, *label, label_format)?;
        for (j, &n) in cells.iter().enumerate() {
            // A number, not text, so Excel sums and charts it. Counts of people stay far below
            // 2^53, where f64 would start to round.
            sheet.write_number_with_format(row, col(j + 1), n as f64, count_format)?;
        }
    }

    let label_width = body.iter().map(|(label, _)| *label).chain([header[0]]).map(display_width).max().unwrap_or(0);
    sheet.set_column_width(0, column_width(label_width))?;
    for (j, text) in header.iter().enumerate().skip(1) {
        sheet.set_column_width(col(j), column_width(display_width(text).max(8)))?;
    }
    // Keep the header and the labels in view while scrolling a long or wide table.
    sheet.set_freeze_panes(HEADER_ROW + 1, 1)?;
    Ok(())
}

/// A column index; a table wider than Excel's 16,384 columns fails in the writer, not here.
fn col(j: usize) -> u16 {
    u16::try_from(j).unwrap_or(u16::MAX)
}

/// Roughly how many Excel width units `s` takes: a CJK character is about two digits wide.
fn display_width(s: &str) -> usize {
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
    let mut taken: Vec<String> = Vec::new();
    let mut names = Vec::new();
    for (k, title) in titles.into_iter().enumerate() {
        let base = sheet_name_base(title, k + 1);
        let mut name = truncate_utf16(&base, SHEET_NAME_MAX);
        let mut n = 1;
        while taken.contains(&name.to_lowercase()) || name.eq_ignore_ascii_case("history") {
            n += 1;
            let suffix = format!("（{n}）");
            name = truncate_utf16(&base, SHEET_NAME_MAX - suffix.encode_utf16().count()) + &suffix;
        }
        taken.push(name.to_lowercase());
        names.push(name);
    }
    names
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

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The grid as CSV (RFC 4180: CRLF line ends, fields with a comma, quote or line break quoted):
/// a title line, a note line, the header, the rows and the 合计 row.
///
/// In GBK, a character GBK lacks (a rare character in an ethnic-minority name, say `𠮷`) is
/// written as its decimal numeric character reference, `&#134071;`: visible and recoverable
/// rather than silently dropped or turned into `?`. UTF-8 represents everything.
///
/// A text field starting with `=`, `+`, `-`, `@`, tab or CR is prefixed with `'`, so that an
/// organization name typed as a formula is shown as text rather than run by Excel.
pub fn csv(grid: &Grid, encoding: CsvEncoding) -> Vec<u8> {
    let text = csv_text(grid);
    match encoding {
        CsvEncoding::Utf8 => [UTF8_BOM, text.as_bytes()].concat(),
        // encoding_rs writes an unmappable character as `&#N;`, which is the behaviour we document.
        CsvEncoding::Gbk => encoding_rs::GBK.encode(&text).0.into_owned(),
    }
}

fn csv_text(grid: &Grid) -> String {
    let mut out = String::new();
    push_line(&mut out, [text_field(&grid.title)]);
    push_line(&mut out, [text_field(&grid.note)]);
    push_line(&mut out, grid.header_with_totals().into_iter().map(text_field));
    for (label, cells) in grid.rows_with_totals() {
        push_line(&mut out, [text_field(label)].into_iter().chain(cells.iter().map(u64::to_string)));
    }
    out
}

fn push_line(out: &mut String, fields: impl IntoIterator<Item = String>) {
    for (k, field) in fields.into_iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        out.push_str(&field);
    }
    out.push_str("\r\n");
}

/// One text field, neutralized against formula injection and quoted as RFC 4180 requires.
fn text_field(s: &str) -> String {
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

/// A workbook with one sheet holding a bold header row: a template people fill in.
pub fn template_xlsx(sheet: &str, header: &[String]) -> Result<Vec<u8>, ExportError> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet)?;
    let bold = Format::new().set_bold().set_border(FormatBorder::Thin);
    for (i, h) in header.iter().enumerate() {
        let col = u16::try_from(i).unwrap_or(u16::MAX);
        ws.write_string_with_format(0, col, h, &bold)?;
        ws.set_column_width(col, 14)?;
    }
    Ok(book.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::super::grid::tests::{one_way, two_way};
    use super::super::grid::{Grid, GridRow};
    use super::*;
    use std::io::{Cursor, Read};

    /// The text of one part of an xlsx (a zip of XML files).
    fn part(xlsx: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(Cursor::new(xlsx)).expect("an xlsx is a zip");
        let mut text = String::new();
        zip.by_name(name).unwrap_or_else(|_| panic!("{name} in the workbook")).read_to_string(&mut text).unwrap();
        text
    }

    /// The values of the numeric cells of a worksheet part, in document order.
    fn numbers(sheet_xml: &str) -> Vec<u64> {
        sheet_xml
            .split("<c ")
            .skip(1)
            .filter(|cell| !cell.split('>').next().unwrap().contains("t=\""))
            .filter_map(|cell| cell.split_once("<v>").map(|(_, rest)| rest.split("</v>").next().unwrap()))
            .map(|v| v.parse().expect("a whole number"))
            .collect()
    }

    #[test]
    fn xlsx_holds_the_counts_as_numbers_and_the_labels_as_strings() {
        let book = xlsx(&[two_way(), one_way()]).unwrap();

        let sheet1 = part(&book, "xl/worksheets/sheet1.xml");
        // Rows then 合计 row, each with its total: 3 1 4 / 5 7 12 / 8 8 16.
        assert_eq!(numbers(&sheet1), [3, 1, 4, 5, 7, 12, 8, 8, 16]);
        assert!(sheet1.contains(r#"<mergeCell ref="A1:D1"/>"#), "title merged across the table");
        assert!(sheet1.contains(r#"<c r="B5" s="#), "first count at B5 (header on row 4)");

        let sheet2 = part(&book, "xl/worksheets/sheet2.xml");
        assert_eq!(numbers(&sheet2), [10, 20, 5, 35]);

        let strings = part(&book, "xl/sharedStrings.xml");
        for label in ["年龄 × 性别", "年龄＼性别", "30岁及以下", "合计", "学历", "研究生", "单位：人"]
        {
            assert!(strings.contains(label), "{label} in the shared strings");
        }
        let workbook = part(&book, "xl/workbook.xml");
        assert!(workbook.contains(r#"name="年龄 × 性别""#) && workbook.contains(r#"name="学历""#));
    }

    #[test]
    fn xlsx_is_a_workbook_of_the_advertised_type() {
        let types = part(&xlsx(&[one_way()]).unwrap(), "[Content_Types].xml");
        assert!(types.contains(&format!("{XLSX_CONTENT_TYPE}.main+xml")), "{types}");
    }

    #[test]
    fn export_errors_have_a_stable_code_and_a_chinese_message() {
        let e = ExportError::from(XlsxError::MergeRangeSingleCell);
        assert_eq!(e.code(), "export.xlsx_failed");
        assert!(e.to_string().starts_with("生成 Excel 文件失败："));
    }

    #[test]
    fn xlsx_sheets_are_named_validly_even_for_awkward_titles() {
        let titled = |t: &str| Grid { title: t.to_owned(), ..one_way() };
        let long = "党员".repeat(20);
        let book = xlsx(&[titled("年龄/学历"), titled("年龄/学历"), titled(&long), titled("[]"), titled("")]).unwrap();
        let workbook = part(&book, "xl/workbook.xml");
        let truncated = format!("{}党", "党员".repeat(15));
        for name in ["年龄／学历", "年龄／学历（2）", &truncated, "［］", "表5"] {
            assert!(workbook.contains(&format!("name=\"{name}\"")), "sheet {name} in {workbook}");
        }
    }

    #[test]
    fn sheet_names_follow_excels_rules() {
        let long = "组".repeat(40);
        let names = sheet_names(["学历", "学历", "学历", "a:b*c?", "'引号'", "History", &long, &long, "  "]);
        assert_eq!(
            names[..7],
            ["学历", "学历（2）", "学历（3）", "a：b＊c？", "引号", "History（2）", &"组".repeat(31)]
        );
        assert_eq!(names[7], format!("{}（2）", "组".repeat(28)));
        assert_eq!(names[8], "表9");
        for name in &names {
            assert!(name.encode_utf16().count() <= 31, "{name} too long");
        }
    }

    #[test]
    fn sheet_names_ignore_case_and_count_utf16_units() {
        assert_eq!(sheet_names(["Total", "TOTAL"]), ["Total", "TOTAL（2）"]);
        // 𠮷 is two UTF-16 units: 16 of them would be 32.
        assert_eq!(sheet_names(["𠮷".repeat(16).as_str()]), ["𠮷".repeat(15)]);
    }

    #[test]
    fn an_empty_grid_still_exports_its_header_and_zero_total() {
        let book = xlsx(&[Grid::one_way("学历", "", [])]).unwrap();
        assert_eq!(numbers(&part(&book, "xl/worksheets/sheet1.xml")), [0]);
        let text = String::from_utf8(csv(&Grid::one_way("学历", "", []), CsvEncoding::Utf8)).unwrap();
        assert_eq!(text, "\u{FEFF}学历\r\n\r\n学历,人数\r\n合计,0\r\n");
    }

    fn utf8(grid: &Grid) -> String {
        let bytes = csv(grid, CsvEncoding::Utf8);
        assert!(bytes.starts_with(UTF8_BOM), "UTF-8 CSV starts with a BOM");
        String::from_utf8(bytes[UTF8_BOM.len()..].to_vec()).unwrap()
    }

    #[test]
    fn csv_lays_out_title_note_header_rows_and_totals_with_crlf() {
        assert_eq!(
            utf8(&two_way()),
            "年龄 × 性别\r\n中共宁波市委组织部 · 截至2026-11-23 · 单位：人\r\n\
             年龄＼性别,男,女,合计\r\n30岁及以下,3,1,4\r\n31至40岁,5,7,12\r\n合计,8,8,16\r\n"
        );
    }

    #[test]
    fn csv_total_row_is_the_sum_of_the_rows() {
        let text = utf8(&one_way());
        let counts: Vec<u64> = text.lines().skip(3).map(|l| l.rsplit(',').next().unwrap().parse().unwrap()).collect();
        let (total, rows) = counts.split_last().unwrap();
        assert_eq!(*total, rows.iter().sum::<u64>());
        assert_eq!(*total, 35);
    }

    #[test]
    fn csv_quotes_commas_quotes_and_line_breaks() {
        let mut g = one_way();
        g.rows = vec![GridRow::new("研究生,\"博士\"", vec![1]), GridRow::new("两\n行", vec![2])];
        let text = utf8(&g);
        assert!(text.contains("\r\n\"研究生,\"\"博士\"\"\",1\r\n"), "{text}");
        assert!(text.contains("\r\n\"两\n行\",2\r\n"), "{text}");
    }

    #[test]
    fn csv_shows_a_formula_like_name_as_text() {
        assert_eq!(text_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(text_field("-1"), "'-1");
        assert_eq!(text_field("30岁及以下"), "30岁及以下");
    }

    #[test]
    fn gbk_csv_decodes_back_to_the_same_text() {
        let bytes = csv(&two_way(), CsvEncoding::Gbk);
        assert!(!bytes.starts_with(UTF8_BOM));
        assert!(std::str::from_utf8(&bytes).is_err(), "really GBK, not UTF-8");
        let (text, malformed) = encoding_rs::GBK.decode_without_bom_handling(&bytes);
        assert!(!malformed);
        assert_eq!(text, utf8(&two_way()));
    }

    #[test]
    fn gbk_writes_a_character_it_lacks_as_a_numeric_reference() {
        let mut g = one_way();
        g.rows = vec![GridRow::new("吉𠮷", vec![1])];
        let bytes = csv(&g, CsvEncoding::Gbk);
        let (text, _) = encoding_rs::GBK.decode_without_bom_handling(&bytes);
        assert!(text.contains("\r\n吉&#134071;,1\r\n"), "{text}");
    }

    #[test]
    fn csv_encoding_parses_query_values_and_names_its_type() {
        assert_eq!(CsvEncoding::parse("utf8"), Some(CsvEncoding::Utf8));
        assert_eq!(CsvEncoding::parse("UTF-8"), Some(CsvEncoding::Utf8));
        assert_eq!(CsvEncoding::parse("gbk"), Some(CsvEncoding::Gbk));
        assert_eq!(CsvEncoding::parse("gb2312"), None);
        assert_eq!(CsvEncoding::Gbk.content_type(), "text/csv; charset=gbk");
        assert_eq!(CsvEncoding::Utf8.content_type(), "text/csv; charset=utf-8");
        assert_eq!(CsvEncoding::Gbk.extension(), "csv");
    }

    #[test]
    fn attachment_name_carries_a_chinese_name_and_an_ascii_fallback() {
        assert_eq!(
            attachment_name("统计 2026", XLSX_EXTENSION),
            "attachment; filename=\"stats.xlsx\"; filename*=UTF-8''%E7%BB%9F%E8%AE%A1%202026.xlsx"
        );
        assert_eq!(
            attachment_name("stats-2026", "csv"),
            "attachment; filename=\"stats-2026.csv\"; filename*=UTF-8''stats-2026.csv"
        );
        // Nothing can break out of the quoted string or the header line.
        let evil = attachment_name("a\"b\r\nSet-Cookie: x", "csv");
        assert!(!evil.contains(['\r', '\n']) && evil.matches('"').count() == 2, "{evil}");
    }
}
