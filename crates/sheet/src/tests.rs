use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[test]
fn csv_in_utf8_with_a_bom_or_in_gbk_reads_the_same() {
    let utf8 = "\u{feff}姓名,身份证号\n张三,\"33020319800501001X\"\n";
    let (gbk, _, _) = encoding_rs::GBK.encode("姓名,身份证号\n张三,\"33020319800501001X\"\n");
    let a = read(utf8.as_bytes()).unwrap();
    let b = read(&gbk).unwrap();
    assert_eq!(a[0].rows, b[0].rows);
    assert_eq!(a[0].rows[1][0], Cell::Text("张三".into()));
}

#[test]
fn the_header_is_found_below_title_rows() {
    let sheet =
        read("某某党委党员花名册\n填报日期：2026年12月\n\n序号,姓 名,身份证号\n1,张三,1\n,,\n2,李四,2\n".as_bytes())
            .unwrap()
            .remove(0);
    let t = find_table(&sheet, &["姓名", "身份证号"], 2).unwrap();
    assert_eq!(t.column(&["姓名"]), Some(1));
    let lines: Vec<usize> = t.rows.iter().map(|r| r.0).collect();
    assert_eq!(lines, [5, 7], "file row numbers, the empty row dropped");
    assert_eq!(find_table(&sheet, &["党费"], 1).unwrap_err().code(), "import.header_missing");
}

#[test]
fn cells_are_normalised_where_unambiguous_and_say_so() {
    assert_eq!(text(" 张三　"), Normalized { value: "张三".into(), changed: true });
    assert_eq!(text("１２３"), Normalized { value: "123".into(), changed: true });
    assert_eq!(text("张三"), Normalized { value: "张三".into(), changed: false });
    assert_eq!(text("中共某（甲）支部").value, "中共某（甲）支部", "Chinese punctuation stays");
    assert_eq!(id_number("33020319800501001x").value, "33020319800501001X");
    assert!(id_number("33020319800501001x").changed);
}

#[test]
fn dates_in_the_forms_people_type() {
    assert_eq!(date(&Cell::Number(43647.0)), DateCell::Day(d(2019, 7, 1)));
    assert_eq!(date(&Cell::Text("2019-7-1".into())), DateCell::Day(d(2019, 7, 1)));
    assert_eq!(date(&Cell::Text("2019年7月1日".into())), DateCell::Day(d(2019, 7, 1)));
    assert_eq!(date(&Cell::Text("2019.07.01".into())), DateCell::Day(d(2019, 7, 1)));
    assert_eq!(date(&Cell::Text("20190701".into())), DateCell::Day(d(2019, 7, 1)));
    assert_eq!(date(&Cell::Text("２０１９/７/１".into())), DateCell::Day(d(2019, 7, 1)));
    assert_eq!(date(&Cell::Text("2019.07".into())), DateCell::Month(2019, 7));
    assert_eq!(date(&Cell::Text("2019年7月".into())), DateCell::Month(2019, 7));
    assert_eq!(date(&Cell::Text("2019-02-30".into())), DateCell::Invalid("2019-02-30".into()));
    assert_eq!(date(&Cell::Text("七月一日".into())), DateCell::Invalid("七月一日".into()));
    assert_eq!(date(&Cell::Empty), DateCell::Empty);
}

/// A zip of the given parts, deflated like Excel's.
fn zip_of(parts: &[(&str, &str)]) -> Vec<u8> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (path, body) in parts {
        w.start_file(*path, zip::write::SimpleFileOptions::default()).unwrap();
        w.write_all(body.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

const NS: &str = r#"xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships""#;
const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// A workbook of `sheets` (name, sheetData and what follows it), with shared strings and styles.
fn workbook(sheets: &[(&str, &str)], strings: &[&str], styles: &str, date1904: bool) -> Vec<u8> {
    let mut list = String::new();
    let mut rels = String::new();
    let mut parts: Vec<(String, String)> = Vec::new();
    for (i, (name, body)) in sheets.iter().enumerate() {
        let n = i + 1;
        list.push_str(&format!(r#"<sheet name="{name}" sheetId="{n}" r:id="rId{n}"/>"#));
        // Absolute and relative targets both occur in the wild.
        let target =
            if n % 2 == 0 { format!("/xl/worksheets/sheet{n}.xml") } else { format!("worksheets/sheet{n}.xml") };
        rels.push_str(&format!(r#"<Relationship Id="rId{n}" Type="{REL}/worksheet" Target="{target}"/>"#));
        parts.push((format!("xl/worksheets/sheet{n}.xml"), format!(r#"<worksheet {NS}>{body}</worksheet>"#)));
    }
    rels.push_str(&format!(r#"<Relationship Id="rS" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>"#));
    rels.push_str(&format!(r#"<Relationship Id="rY" Type="{REL}/styles" Target="styles.xml"/>"#));
    let pr = if date1904 { r#"<workbookPr date1904="1"/>"# } else { "<workbookPr/>" };
    let sst: String = strings.iter().map(|s| format!("<si><t xml:space=\"preserve\">{s}</t></si>")).collect();
    parts.push((
        "xl/workbook.xml".into(),
        format!(r#"<?xml version="1.0"?><workbook {NS}>{pr}<sheets>{list}</sheets></workbook>"#),
    ));
    parts.push(("xl/_rels/workbook.xml.rels".into(), format!(r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>"#)));
    parts.push(("xl/sharedStrings.xml".into(), format!(r#"<sst {NS}>{sst}</sst>"#)));
    parts.push(("xl/styles.xml".into(), format!(r#"<styleSheet {NS}>{styles}</styleSheet>"#)));
    parts.push((
        "_rels/.rels".into(),
        format!(r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#),
    ));
    let borrowed: Vec<(&str, &str)> = parts.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    zip_of(&borrowed)
}

/// Styles 0 General, 1 built-in date 14, 2 custom "yyyy年m月d日", 3 custom time "h:mm", 4 "0.00",
/// 5 Chinese built-in 31; a `cellStyleXfs` entry with a date format that must not count.
const STYLES: &str = r#"<numFmts count="2"><numFmt numFmtId="176" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/><numFmt numFmtId="177" formatCode="h:mm"/></numFmts><cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs><cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="176"/><xf numFmtId="177"/><xf numFmtId="2"/><xf numFmtId="31"/></cellXfs>"#;

fn txt(s: &str) -> Cell {
    Cell::Text(s.into())
}

#[test]
fn xlsx_cells_of_every_kind_are_read_where_they_are() {
    let sheet = r#"<dimension ref="A1:F4"/><sheetData>
        <row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c></row>
        <row r="3" spans="1:6"><c r="A3" t="inlineStr"><is><r><t>张</t></r><r><t xml:space="preserve">三 </t></r><rPh sb="0" eb="1"><t>ZHANG</t></rPh></is></c>
          <c r="B3" s="1"><v>43647</v></c><c r="C3" s="2"><v>43647.5</v></c><c r="D3" s="3"><v>0.5</v></c>
          <c r="E3" s="4"><v>3.25</v></c><c r="F3" t="b"><v>1</v></c><c r="G3" t="e"><v>#N/A</v></c>
          <c r="H3" t="str"><f>A1&amp;"x"</f><v>a &amp; b&#x4E2D;</v></c><c r="I3" s="5"><v>43647</v></c><c r="J3" s="1"/><c r="K3" t="d"><v>2019-07-01T00:00:00</v></c></row>
        <row><c><v>1</v></c><c><v>330203198005010</v></c></row>
        </sheetData>"#;
    let sheets =
        read(&workbook(&[("花名册", sheet), ("空表", "<sheetData/>")], &["姓名", "党费 "], STYLES, false)).unwrap();
    assert_eq!(sheets.len(), 2);
    assert_eq!((sheets[0].name.as_str(), sheets[1].name.as_str()), ("花名册", "空表"));
    assert!(sheets[1].rows.is_empty());
    let rows = &sheets[0].rows;
    assert_eq!(rows[0], [txt("姓名"), Cell::Empty, txt("党费 ")]);
    assert_eq!(rows[1], [] as [Cell; 0], "a missing row is an empty row");
    assert_eq!(
        rows[2],
        [
            txt("张三 "),
            Cell::Date(d(2019, 7, 1)),
            Cell::Date(d(2019, 7, 1)),
            Cell::Number(0.5),
            Cell::Number(3.25),
            txt("TRUE"),
            txt("#N/A"),
            txt("a & b中"),
            Cell::Date(d(2019, 7, 1)),
            Cell::Empty,
            Cell::Date(d(2019, 7, 1)),
        ][..]
    );
    assert_eq!(rows[3], [Cell::Number(1.0), Cell::Number(330203198005010.0)], "rows and cells without r follow on");
    assert_eq!(rows.len(), 4);
}

#[test]
fn xlsx_in_the_1904_date_system() {
    let sheet = r#"<sheetData><row r="1"><c r="A1" s="1"><v>42185</v></c></row></sheetData>"#;
    let sheets = read(&workbook(&[("S", sheet)], &[], STYLES, true)).unwrap();
    assert_eq!(sheets[0].rows[0], [Cell::Date(d(2019, 7, 1))]);
}

#[test]
fn xlsx_merged_cells_carry_their_value_over_the_whole_range() {
    let sheet = r#"<sheetData>
        <row r="1"><c r="A1" t="s"><v>0</v></c></row>
        <row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2" t="s"><v>2</v></c></row>
        <row r="3"><c r="B3" t="s"><v>3</v></c><c r="C3" t="s"><v>4</v></c><c r="D3" t="s"><v>5</v></c></row>
        <row r="4"><c r="A4"><v>1</v></c><c r="B4"><v>2</v></c><c r="C4"><v>3</v></c><c r="D4"><v>4</v></c></row>
        </sheetData><mergeCells count="3"><mergeCell ref="A1:XFD1"/><mergeCell ref="A2:A3"/><mergeCell ref="B2:D2"/></mergeCells>"#;
    let strings = ["某党委党员花名册", "姓名", "基本信息", "性别", "民族", "身份证号"];
    let sheets = read(&workbook(&[("S", sheet)], &strings, "", false)).unwrap();
    let rows = &sheets[0].rows;
    assert_eq!(rows[0], vec![txt("某党委党员花名册"); 4], "clipped to the used width");
    assert_eq!(rows[1], [txt("姓名"), txt("基本信息"), txt("基本信息"), txt("基本信息")]);
    assert_eq!(rows[2], [txt("姓名"), txt("性别"), txt("民族"), txt("身份证号")]);
    let t = find_table(&sheets[0], &["姓名", "身份证号"], 2).unwrap();
    assert_eq!(t.rows, [(4, vec![Cell::Number(1.0), Cell::Number(2.0), Cell::Number(3.0), Cell::Number(4.0)])]);
}

#[test]
fn files_that_are_not_xlsx_say_what_they_are() {
    let ole = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0\0\0";
    assert_eq!(read(ole).unwrap_err().code(), "import.xls_unsupported");
    assert!(read(ole).unwrap_err().to_string().contains("请另存为 xlsx 或 CSV 后再导入"));
    let docx = zip_of(&[("word/document.xml", "<w:document/>"), ("[Content_Types].xml", "<Types/>")]);
    assert_eq!(read(&docx).unwrap_err(), SheetError::NotASpreadsheet);
    let truncated = &workbook(&[("S", "<sheetData/>")], &[], "", false)[..60];
    assert_eq!(read(truncated).unwrap_err().code(), "import.file_corrupt");
    let bad_xml = workbook(&[("S", "<sheetData><row r=\"1\"><c r=\"A1\"><v>1</v></row></sheetData>")], &[], "", false);
    let err = read(&bad_xml).unwrap_err();
    assert_eq!(err.code(), "import.file_corrupt");
    assert!(err.to_string().contains("工作表“S”"), "{err}");
    let bad_index =
        workbook(&[("S", r#"<sheetData><row r="1"><c r="B1" t="s"><v>7</v></c></row></sheetData>"#)], &[], "", false);
    let err = read(&bad_index).unwrap_err();
    assert!(err.to_string().contains("B1"), "{err}");
}

#[test]
fn a_shifted_row_is_flagged() {
    let table = Table {
        columns: vec!["姓名".into(), "身份证号".into(), "入党日期".into(), String::new()],
        rows: Vec::new(),
    };
    let id = txt("33020319800501001x");
    assert!(!shifted(&table, &[txt("张三"), id.clone(), txt("2019.07")], 1));
    assert!(
        !shifted(&table, &[txt("张三"), id.clone(), txt("2019.07"), Cell::Empty, Cell::Empty], 1),
        "trailing empty cells"
    );
    assert!(shifted(&table, &[txt("张三"), Cell::Empty, id.clone(), txt("2019.07")], 1), "moved right");
    assert!(shifted(&table, &[id.clone(), txt("2019.07")], 1), "moved left");
    assert!(shifted(&table, &[txt("张三"), id.clone(), txt("2019.07"), txt("多")], 1), "beyond the header");
    assert!(!shifted(&table, &[txt("张三"), Cell::Empty, txt("2019.07")], 1), "missing, not shifted");
    assert!(!shifted(&table, &[txt("张三"), Cell::Number(330203198005010.0)], 1), "a 15-digit number");
    assert!(looks_like_id("３３０２０３１９８００５０１００１Ｘ"));
    assert!(!looks_like_id("3302031980050100"));
    assert!(!looks_like_id("33020319800501001Y"));
}

/// A roster of `rows` × 25 columns as Excel writes it: shared strings, numbers, dates.
fn big_workbook(rows: usize) -> Vec<u8> {
    let mut body = String::with_capacity(rows * 25 * 32);
    body.push_str("<sheetData>");
    for r in 1..=rows {
        body.push_str(&format!(r#"<row r="{r}" spans="1:25">"#));
        for c in 0..25u8 {
            let col = (b'A' + c) as char;
            match c % 5 {
                0 => body.push_str(&format!(r#"<c r="{col}{r}" t="s"><v>{}</v></c>"#, r % 3)),
                1 => body.push_str(&format!(r#"<c r="{col}{r}" s="1"><v>{}</v></c>"#, 40000 + r % 5000)),
                _ => body.push_str(&format!(r#"<c r="{col}{r}"><v>{}.5</v></c>"#, r * 7 + c as usize)),
            }
        }
        body.push_str("</row>");
    }
    body.push_str("</sheetData>");
    workbook(&[("花名册", &body)], &["张三", "李四", "王五"], STYLES, false)
}

#[test]
fn a_large_sheet_reads_row_by_row() {
    let sheets = read(&big_workbook(2000)).unwrap();
    assert_eq!(sheets[0].rows.len(), 2000);
    assert_eq!(sheets[0].rows[1999][0], txt("王五"));
    assert_eq!(sheets[0].rows[1999][1], Cell::Date(d(2014, 12, 27)));
    assert_eq!(sheets[0].rows[1999].len(), 25);
}

/// The size the brief names: 460,000 rows × 25 columns well under 20 s. Run in release:
/// `cargo test --release -p qiangji-sheet -- --ignored`.
#[test]
#[ignore = "slow: run in release"]
fn a_sheet_of_460_000_rows_reads_in_seconds() {
    let bytes = big_workbook(460_000);
    let start = std::time::Instant::now();
    let sheets = read(&bytes).unwrap();
    let took = start.elapsed();
    eprintln!("{} bytes zipped, read in {took:?}", bytes.len());
    assert_eq!(sheets[0].rows.len(), 460_000);
    assert!(took.as_secs() < 20, "{took:?}");
}
