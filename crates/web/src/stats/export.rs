//! Statistical tables as files people open in Excel, through the one table writer of
//! [`crate::export`]: each grid a worksheet (counts as numbers so they can be summed) or a CSV
//! table in UTF-8 or GBK, its last row the bold 合计.

use super::grid::Grid;
use crate::export::{Cell, Column, FileFormat, TableWriter, display_width};
pub use crate::export::{CsvEncoding, ExportError};

/// Writes each grid as a table: the title, the note, the header, the rows and the 合计 row.
fn write(format: FileFormat, grids: &[&Grid]) -> Result<Vec<u8>, ExportError> {
    let mut w = TableWriter::new(format);
    for grid in grids {
        let header = grid.header_with_totals();
        let body = grid.rows_with_totals();
        let label_width = body.iter().map(|(label, _)| *label).chain([header[0]]).map(display_width).max().unwrap_or(0);
        let columns: Vec<Column> =
            header.iter().enumerate().map(|(j, t)| Column::new(*t, if j == 0 { label_width } else { 8 })).collect();
        w.table(&grid.title, &grid.note, &columns)?;
        let total_row = body.len() - 1;
        for (i, (label, cells)) in body.iter().enumerate() {
            let row: Vec<Cell> = [Cell::from(*label)]
                .into_iter()
                .chain(cells.iter().map(|&n| Cell::Number(i64::try_from(n).unwrap_or(i64::MAX))))
                .collect();
            if i == total_row { w.total_row(&row)? } else { w.row(&row)? }
        }
    }
    w.finish()
}

/// One workbook holding one worksheet per grid, in order. Each sheet: row 1 the title (bold,
/// merged across the table), row 2 the note, row 4 the header, then the rows and the 合计 row.
/// No grids gives a workbook with one empty sheet, which is what Excel needs to open it.
pub fn xlsx(grids: &[Grid]) -> Result<Vec<u8>, ExportError> {
    write(FileFormat::Xlsx, &grids.iter().collect::<Vec<_>>())
}

/// The grids as one CSV (RFC 4180: CRLF line ends, fields with a comma, quote or line break
/// quoted): per grid a title line, a note line, the header, the rows and the 合计 row; grids are
/// separated by an empty line, and a UTF-8 file starts with one byte order mark.
///
/// In GBK, a character GBK lacks is written as its decimal numeric character reference,
/// `&#134071;`. A text field starting with `=`, `+`, `-`, `@`, tab or CR is prefixed with `'`.
pub fn csv_all(grids: &[&Grid], encoding: CsvEncoding) -> Vec<u8> {
    // Writing CSV into memory cannot fail.
    write(FileFormat::Csv(encoding), grids).unwrap_or_default()
}

/// One grid as CSV, see [`csv_all`].
#[cfg(test)]
pub fn csv(grid: &Grid, encoding: CsvEncoding) -> Vec<u8> {
    csv_all(&[grid], encoding)
}

#[cfg(test)]
mod tests {
    use super::super::grid::tests::{one_way, two_way};
    use super::super::grid::{Grid, GridRow};
    use super::*;
    use crate::export::{UTF8_BOM, XLSX_CONTENT_TYPE, XLSX_EXTENSION, attachment_name, sheet_names, text_field};
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

        // Strings are written inline (constant-memory mode), in the worksheets themselves.
        let strings = sheet1.clone() + &sheet2;
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
        let e = ExportError::from(rust_xlsxwriter::XlsxError::MergeRangeSingleCell);
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
