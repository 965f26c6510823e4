//! Messy files written by an independent tool (openpyxl 3.1.5 and Python's csv module, see
//! `corpus/make_corpus.py`) read back with [`read`] and [`find_table`], checked row by row: the
//! cells, the dates, and the warnings an import preview would show.
//!
//! Needs `QIANGJI_PYTHON`: a Python with openpyxl 3.1.5, as `scripts/test.sh` sets up.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use qiangji_sheet::{Cell, DateCell, Normalized, SheetError, Table, date, find_table, id_number, read, shifted, text};

/// Runs the corpus script once per test into its own directory.
fn corpus(test: &str) -> PathBuf {
    let python = std::env::var("QIANGJI_PYTHON").unwrap_or_else(|_| {
        panic!(
            "QIANGJI_PYTHON is not set: point it at a Python with openpyxl 3.1.5, e.g.\n  \
             python3 -m venv target/test-python && target/test-python/bin/pip install openpyxl==3.1.5\n  \
             export QIANGJI_PYTHON=$PWD/target/test-python/bin/python\n(scripts/test.sh does this)"
        )
    });
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("sheet-corpus-{test}"));
    let _ = std::fs::remove_dir_all(&dir);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/make_corpus.py");
    let out = std::process::Command::new(&python)
        .arg(&script)
        .arg(&dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    assert!(out.status.success(), "make_corpus.py failed: {}", String::from_utf8_lossy(&out.stderr));
    dir
}

fn file(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap()
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn t(s: &str) -> Cell {
    Cell::Text(s.into())
}

fn n(s: &str, changed: bool) -> Normalized<String> {
    Normalized { value: s.into(), changed }
}

/// What a preview shows of a row: its line, the name and ID as normalised (with whether they had
/// to be changed), the date of joining, and whether the row looks shifted.
#[derive(Debug, PartialEq)]
struct Seen {
    line: usize,
    name: Normalized<String>,
    id: Normalized<String>,
    joined: DateCell,
    shifted: bool,
}

fn seen(table: &Table) -> Vec<Seen> {
    let (name, id, joined) =
        (table.column(&["姓名"]).unwrap(), table.column(&["身份证号"]).unwrap(), table.column(&["入党日期"]).unwrap());
    let get = |row: &[Cell], i: usize| row.get(i).cloned().unwrap_or(Cell::Empty);
    table
        .rows
        .iter()
        .map(|(line, row)| Seen {
            line: *line,
            name: text(&get(row, name).as_text()),
            id: id_number(&get(row, id).as_text()),
            joined: date(&get(row, joined)),
            shifted: shifted(table, row, id),
        })
        .collect()
}

fn row(line: usize, name: Normalized<String>, id: Normalized<String>, joined: DateCell, shifted: bool) -> Seen {
    Seen { line, name, id, joined, shifted }
}

const EXPECTED: [&str; 3] = ["姓名", "身份证号", "入党日期"];

#[test]
fn title_rows_merged_headers_and_every_kind_of_date() {
    let dir = corpus("titles");
    let sheets = read(&file(&dir, "01_titles_merged_header.xlsx")).unwrap();
    let names: Vec<&str> = sheets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["党员花名册", "填表说明"]);
    assert_eq!(sheets[0].rows[0], vec![t("某某党委党员花名册"); 6], "the merged title fills its range");
    assert_eq!(sheets[0].rows[3], [t("序号"), t("姓名"), t("基本信息"), t("基本信息"), t("党内信息"), t("党内信息")]);

    let table = find_table(&sheets[0], &EXPECTED, 3).unwrap();
    assert_eq!(
        table.columns,
        ["序号", "姓名", "性别", "身份证号", "入党日期", "转正日期"],
        "the second header row, merged cells filled"
    );
    assert_eq!(
        table.rows[0].1,
        [
            Cell::Number(1.0),
            t("张三"),
            t("男"),
            t("330203198005010013"),
            Cell::Date(d(2019, 7, 1)),
            Cell::Date(d(2020, 7, 1))
        ],
        "real dates in two formats"
    );
    assert_eq!(table.rows[1].1[4], Cell::Number(43647.0), "a serial number in General format stays a number");
    assert_eq!(
        seen(&table),
        [
            row(6, n("张三", false), n("330203198005010013", false), DateCell::Day(d(2019, 7, 1)), false),
            row(7, n("李四", true), n("33020319850612002X", true), DateCell::Day(d(2019, 7, 1)), false),
            row(8, n("王五", true), n("330203199001010035", true), DateCell::Month(2019, 7), false),
            row(10, n("赵六", false), n("330203199203040048", false), DateCell::Day(d(2019, 7, 1)), false),
        ]
    );
    let confirmed: Vec<DateCell> = table.rows.iter().map(|(_, r)| date(&r[5])).collect();
    assert_eq!(
        confirmed,
        [
            DateCell::Day(d(2020, 7, 1)),
            DateCell::Month(2020, 7),
            DateCell::Day(d(2019, 7, 1)),
            DateCell::Day(d(2020, 7, 1))
        ]
    );

    assert_eq!(sheets[1].rows, [vec![t("日期请填写为 2019-07-01 的形式")], vec![t("TRUE"), Cell::Number(3.5)]]);
}

#[test]
fn rows_shifted_by_a_column_are_flagged() {
    let dir = corpus("shifted");
    let sheets = read(&file(&dir, "02_shifted_rows.xlsx")).unwrap();
    let table = find_table(&sheets[0], &EXPECTED, 3).unwrap();
    assert_eq!(table.columns, ["姓名", "身份证号", "入党日期", "备注"]);
    assert_eq!(table.rows[1].1, [Cell::Empty, t("李四"), t("330203198506120024"), t("2019-07-01"), t("调入")]);
    assert_eq!(
        seen(&table),
        [
            row(2, n("张三", false), n("330203198005010013", false), DateCell::Day(d(2019, 7, 1)), false),
            row(3, n("", false), n("李四", false), DateCell::Invalid("330203198506120024".into()), true),
            row(4, n("王五", false), n("330203199001010035", false), DateCell::Day(d(2019, 7, 1)), false),
            row(5, n("赵六", false), n("", false), DateCell::Invalid("330203199203040048".into()), true),
        ]
    );
}

#[test]
fn the_1904_date_system_gives_the_same_dates() {
    let dir = corpus("1904");
    let sheets = read(&file(&dir, "03_date1904.xlsx")).unwrap();
    assert_eq!(sheets[0].name, "1904");
    assert_eq!(
        sheets[0].rows,
        [
            vec![t("姓名"), t("入党日期")],
            vec![t("张三"), Cell::Date(d(2019, 7, 1))],
            vec![t("李四"), Cell::Date(d(2020, 7, 1))]
        ]
    );
}

#[test]
fn numbers_times_and_booleans() {
    let dir = corpus("numbers");
    let sheets = read(&file(&dir, "04_numbers_times.xlsx")).unwrap();
    let table = find_table(&sheets[0], &EXPECTED, 3).unwrap();
    assert_eq!(
        table.rows[0].1,
        [
            t("张三"),
            Cell::Number(330203800501001.0),
            Cell::Date(d(2019, 7, 1)),
            Cell::Number(8.5 / 24.0),
            Cell::Number(0.015),
            t("FALSE")
        ],
        "a time of day is a number, a date-time its day"
    );
    assert_eq!(
        seen(&table),
        [row(2, n("张三", false), n("330203800501001", false), DateCell::Day(d(2019, 7, 1)), false)]
    );
}

#[test]
fn csv_in_gbk_and_in_utf8_with_a_bom() {
    let dir = corpus("csv");
    let gbk = read(&file(&dir, "05_gbk.csv")).unwrap();
    assert_eq!(gbk[0].rows[0], [t("某某支部党员名单"), Cell::Empty, Cell::Empty]);
    let table = find_table(&gbk[0], &EXPECTED, 3).unwrap();
    assert_eq!(
        seen(&table),
        [
            row(3, n("张三", false), n("330203198005010013", false), DateCell::Month(2019, 7), false),
            row(4, n("李四", true), n("33020319850612002X", true), DateCell::Day(d(2019, 7, 1)), false),
            row(5, n("王五", false), n("330203199001010035", true), DateCell::Day(d(2019, 7, 1)), false),
        ]
    );

    let utf8 = read(&file(&dir, "06_utf8_bom.csv")).unwrap();
    let table = find_table(&utf8[0], &EXPECTED, 3).unwrap();
    assert_eq!(table.columns, ["姓名", "身份证号", "入党日期", "备注"], "no BOM in the first header");
    assert_eq!(table.rows[0].1[3], t("调入，\"第一支部\"\n待转正"));
    assert_eq!(
        seen(&table),
        [
            row(2, n("张三", false), n("330203198005010013", false), DateCell::Day(d(2019, 7, 1)), false),
            row(3, n("李四", false), n("330203198506120024", false), DateCell::Empty, false),
        ]
    );
}

#[test]
fn files_that_cannot_be_read_say_why() {
    let dir = corpus("refused");
    assert_eq!(read(&file(&dir, "07_not_a_spreadsheet.xlsx")).unwrap_err(), SheetError::NotASpreadsheet);
    let xls = read(&file(&dir, "08_old.xls")).unwrap_err();
    assert_eq!(xls.code(), "import.xls_unsupported");
}
