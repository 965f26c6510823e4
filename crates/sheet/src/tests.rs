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
