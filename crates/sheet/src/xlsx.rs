//! xlsx as Excel, WPS and openpyxl write it: the zip container, the workbook's sheet list and date
//! system, shared strings, number formats (to tell dates from numbers), and each worksheet streamed
//! event by event — a sheet of half a million rows is never held as a document tree.
//!
//! Merged ranges: the value of a range's top-left cell is copied into every cell of the range, so
//! that a header "姓名" merged over two header rows, or a group header merged over three columns,
//! is found whichever row or column is looked at. Ranges are clipped to the sheet's used extent.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Cursor, Read};

use chrono::NaiveDate;
use quick_xml::Reader;
use quick_xml::events::{BytesRef, BytesStart, Event};
use zip::ZipArchive;

use super::{Cell, Sheet, SheetError};

type Zip<'a> = ZipArchive<Cursor<&'a [u8]>>;

/// Excel's limits: a reference beyond them is not a cell.
const MAX_ROWS: usize = 1_048_576;
const MAX_COLS: usize = 16_384;

/// Cells held at most, empty ones between values included (about 32 bytes each): a city's roster
/// is under ten million; a small file with one value far to the right on every row would otherwise
/// make gigabytes of empty cells.
pub const MAX_CELLS: usize = 20_000_000;

fn corrupt(msg: impl Into<String>) -> SheetError {
    SheetError::Corrupt(msg.into())
}

pub fn read(bytes: &[u8]) -> Result<Vec<Sheet>, SheetError> {
    let mut zip = ZipArchive::new(Cursor::new(bytes)).map_err(|e| corrupt(format!("压缩包结构损坏（{e}）")))?;
    let workbook = rels(&mut zip, "")?
        .into_iter()
        .find(|r| r.kind.ends_with("/officeDocument"))
        .map_or_else(|| "xl/workbook.xml".to_owned(), |r| r.target);
    if zip.index_for_name(&workbook).is_none() {
        return Err(SheetError::NotASpreadsheet);
    }
    let (date1904, listed) = workbook_sheets(&mut zip, &workbook)?;
    if listed.is_empty() {
        return Err(SheetError::NotASpreadsheet);
    }
    let targets = rels(&mut zip, &workbook)?;
    let target = |suffix: &str| targets.iter().find(|r| r.kind.ends_with(suffix));
    let strings = match target("/sharedStrings") {
        Some(r) if zip.index_for_name(&r.target).is_some() => shared_strings(&mut zip, &r.target.clone())?,
        _ => Vec::new(),
    };
    let dates = match target("/styles") {
        Some(r) if zip.index_for_name(&r.target).is_some() => date_styles(&mut zip, &r.target.clone())?,
        _ => Vec::new(),
    };
    let ctx = Context { strings, dates, date1904, max_cells: MAX_CELLS };
    let mut sheets = Vec::new();
    for (name, id) in listed {
        let Some(rel) = targets.iter().find(|r| r.id == id) else {
            return Err(corrupt(format!("工作表“{name}”在工作簿中没有对应的文件")));
        };
        if !rel.kind.ends_with("/worksheet") {
            continue; // a chart sheet holds no cells
        }
        let file =
            zip.by_name(&rel.target).map_err(|_| corrupt(format!("工作表“{name}”的文件 {} 缺失", rel.target)))?;
        let rows = worksheet(BufReader::with_capacity(64 * 1024, file), &ctx).map_err(|e| match e {
            SheetError::Corrupt(e) => corrupt(format!("工作表“{name}”：{e}")),
            other => other,
        })?;
        sheets.push(Sheet { name, rows });
    }
    Ok(sheets)
}

struct Context {
    /// See [`MAX_CELLS`].
    max_cells: usize,
    strings: Vec<String>,
    /// Per cell style (`s`), whether its number format is a date.
    dates: Vec<bool>,
    date1904: bool,
}

fn open<'z>(zip: &'z mut Zip<'_>, path: &str) -> Result<Reader<BufReader<impl Read + 'z>>, SheetError> {
    let file = zip.by_name(path).map_err(|e| corrupt(format!("{path} 无法读取（{e}）")))?;
    Ok(Reader::from_reader(BufReader::new(file)))
}

fn xml_error(path: &str, e: impl std::fmt::Display) -> SheetError {
    corrupt(format!("{path} 不是有效的 XML（{e}）"))
}

fn attr(e: &BytesStart, name: &str) -> Option<String> {
    e.attributes().flatten().find(|a| a.key.local_name().as_ref() == name).map(|a| {
        a.normalized_value(quick_xml::XmlVersion::Implicit1_0).map_or_else(|_| a.value.to_string(), |v| v.into_owned())
    })
}

fn entity(r: &BytesRef) -> String {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        return c.to_string();
    }
    quick_xml::escape::resolve_predefined_entity(r.as_ref()).unwrap_or_default().to_owned()
}

struct Rel {
    id: String,
    kind: String,
    target: String,
}

/// The relationships of a part (`""` for the package), targets made paths inside the zip.
fn rels(zip: &mut Zip<'_>, part: &str) -> Result<Vec<Rel>, SheetError> {
    let (dir, file) = part.rsplit_once('/').unwrap_or(("", part));
    let path = if dir.is_empty() { format!("_rels/{file}.rels") } else { format!("{dir}/_rels/{file}.rels") };
    if zip.index_for_name(&path).is_none() {
        return Ok(Vec::new());
    }
    let mut reader = open(zip, &path)?;
    let mut buf = Vec::new();
    let mut out = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).map_err(|e| xml_error(&path, e))? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "Relationship" => {
                if attr(&e, "TargetMode").as_deref() == Some("External") {
                    continue;
                }
                let (Some(id), Some(kind), Some(target)) = (attr(&e, "Id"), attr(&e, "Type"), attr(&e, "Target"))
                else {
                    continue;
                };
                out.push(Rel { id, kind, target: resolve(dir, &target) });
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(out)
}

/// A relationship target relative to `dir` (or absolute from the package root) as a zip path.
fn resolve(dir: &str, target: &str) -> String {
    let mut parts: Vec<&str> = match target.strip_prefix('/') {
        Some(_) => Vec::new(),
        None => dir.split('/').filter(|p| !p.is_empty()).collect(),
    };
    for p in target.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// The 1904 date system flag and the sheets in workbook order as (name, relationship id).
fn workbook_sheets(zip: &mut Zip<'_>, path: &str) -> Result<(bool, Vec<(String, String)>), SheetError> {
    let mut reader = open(zip, path)?;
    let mut buf = Vec::new();
    let mut date1904 = false;
    let mut sheets = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).map_err(|e| xml_error(path, e))? {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "workbookPr" => date1904 = matches!(attr(&e, "date1904").as_deref(), Some("1" | "true")),
                "sheet" => {
                    let name = attr(&e, "name").unwrap_or_default();
                    let id = attr(&e, "id").ok_or_else(|| corrupt(format!("工作表“{name}”缺少关系编号")))?;
                    sheets.push((name, id));
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok((date1904, sheets))
}

/// The shared string table: each `<si>`'s text runs joined, phonetic guides (`<rPh>`) left out.
fn shared_strings(zip: &mut Zip<'_>, path: &str) -> Result<Vec<String>, SheetError> {
    let mut reader = open(zip, path)?;
    let mut buf = Vec::new();
    let mut out = Vec::new();
    let mut cur = String::new();
    let (mut in_t, mut in_rph) = (false, false);
    loop {
        match reader.read_event_into(&mut buf).map_err(|e| xml_error(path, e))? {
            Event::Start(e) => match e.local_name().as_ref() {
                "si" => cur.clear(),
                "t" => in_t = !in_rph,
                "rPh" => in_rph = true,
                _ => {}
            },
            Event::Empty(e) if e.local_name().as_ref() == "si" => out.push(String::new()),
            Event::End(e) => match e.local_name().as_ref() {
                "si" => out.push(std::mem::take(&mut cur)),
                "t" => in_t = false,
                "rPh" => in_rph = false,
                _ => {}
            },
            Event::Text(t) if in_t => cur.push_str(&t.xml10_content()),
            Event::CData(t) if in_t => cur.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_t => cur.push_str(&entity(&r)),
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(out)
}

/// For each cell format (`<cellXfs>`), whether its number format shows a date.
fn date_styles(zip: &mut Zip<'_>, path: &str) -> Result<Vec<bool>, SheetError> {
    let mut reader = open(zip, path)?;
    let mut buf = Vec::new();
    let mut custom: HashMap<u32, bool> = HashMap::new();
    let mut out = Vec::new();
    let mut in_xfs = false;
    loop {
        match reader.read_event_into(&mut buf).map_err(|e| xml_error(path, e))? {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "numFmt" => {
                    if let (Some(id), Some(code)) = (attr(&e, "numFmtId"), attr(&e, "formatCode"))
                        && let Ok(id) = id.parse()
                    {
                        custom.insert(id, is_date_format(&code));
                    }
                }
                "cellXfs" => in_xfs = true,
                "xf" if in_xfs => {
                    let id: u32 = attr(&e, "numFmtId").and_then(|v| v.parse().ok()).unwrap_or(0);
                    out.push(custom.get(&id).copied().unwrap_or_else(|| is_builtin_date(id)));
                }
                _ => {}
            },
            Event::End(e) if e.local_name().as_ref() == "cellXfs" => in_xfs = false,
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(out)
}

/// Built-in date and time formats: 14–22 and 45–47 in every locale, and the Chinese-locale
/// built-ins 27–36 and 50–58 ("yyyy年m月d日", "yyyy年m月"…) that Excel on Chinese Windows writes
/// without spelling out their format code.
pub(crate) fn is_builtin_date(id: u32) -> bool {
    matches!(id, 14..=22 | 27..=36 | 45..=47 | 50..=58)
}

/// Whether a custom number format shows a date: after removing quoted text, escaped characters
/// and bracketed sections (colours, locales, elapsed `[h]`), it has a `y` or `d`, or an `m` that is
/// a month because no `h` or `s` makes it minutes. Pure time formats are not dates.
pub(crate) fn is_date_format(code: &str) -> bool {
    let mut plain = String::new();
    let mut chars = code.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                for q in chars.by_ref() {
                    if q == '"' {
                        break;
                    }
                }
            }
            '[' => {
                let inner: String = chars.by_ref().take_while(|&q| q != ']').collect();
                // Elapsed time ([h], [mm], [ss]) is time, so a following "mm" is minutes.
                if !inner.is_empty() && inner.chars().all(|q| matches!(q.to_ascii_lowercase(), 'h' | 'm' | 's')) {
                    plain.push('h');
                }
            }
            '\\' | '_' | '*' => {
                chars.next();
            }
            c => plain.extend(c.to_lowercase()),
        }
    }
    // Only the first section (positive numbers) decides.
    let first = plain.split(';').next().unwrap_or("");
    let has = |c: char| first.contains(c);
    has('y') || has('d') || (has('m') && !has('h') && !has('s'))
}

/// An Excel serial day number as a date, in the 1900 system (with its phantom 1900-02-29, which
/// is no date) or the 1904 system; the time of day is dropped.
pub(crate) fn serial_date(n: f64, date1904: bool) -> Option<NaiveDate> {
    if !(0.0..2_958_466.0).contains(&n) {
        return None;
    }
    let days = n.floor() as u64;
    let (base, days) = if date1904 {
        (NaiveDate::from_ymd_opt(1904, 1, 1)?, days)
    } else if days == 0 || days == 60 {
        return None;
    } else if days < 60 {
        (NaiveDate::from_ymd_opt(1899, 12, 31)?, days)
    } else {
        (NaiveDate::from_ymd_opt(1899, 12, 30)?, days)
    };
    base.checked_add_days(chrono::Days::new(days))
}

/// "AB12" as (0-based column, 1-based row); either may be absent.
fn cell_ref(r: &str) -> (Option<usize>, Option<usize>) {
    let letters = r.bytes().take_while(u8::is_ascii_alphabetic).count();
    let col = (letters > 0 && letters <= 3).then(|| {
        r.bytes().take(letters).fold(0usize, |acc, b| acc * 26 + (b.to_ascii_uppercase() - b'A' + 1) as usize) - 1
    });
    let row = r[letters..].parse().ok();
    (col, row)
}

fn ref_name(col: usize, row: usize) -> String {
    let mut letters = Vec::new();
    let mut c = col + 1;
    while c > 0 {
        letters.push(b'A' + ((c - 1) % 26) as u8);
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!("{}{row}", String::from_utf8_lossy(&letters))
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Number,
    Shared,
    Text,
    Inline,
    Bool,
    Error,
    IsoDate,
}

/// Streams one worksheet into rows of cells, then fills merged ranges.
fn worksheet<R: BufRead>(src: R, ctx: &Context) -> Result<Vec<Vec<Cell>>, SheetError> {
    let mut held = 0usize;
    let mut reader = Reader::from_reader(src);
    let mut buf = Vec::with_capacity(4096);
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut merges: Vec<(usize, usize, usize, usize)> = Vec::new();
    let (mut row, mut col) = (0usize, 0usize); // the current 1-based row; the next 0-based column
    let mut kind = Kind::Number;
    let mut style = 0usize;
    let mut value = String::new();
    let (mut in_cell, mut collecting, mut in_inline, mut in_rph) = (false, false, false, false);
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| corrupt(format!("不是有效的 XML（{e}）")))?;
        match event {
            Event::Start(e) | Event::Empty(e) if !in_cell && e.local_name().as_ref() == "row" => {
                row = match attr(&e, "r").and_then(|r| r.parse().ok()) {
                    Some(r) => r,
                    None => row + 1,
                };
                if row == 0 || row > MAX_ROWS {
                    return Err(corrupt(format!("行号 {row} 超出范围")));
                }
                col = 0;
            }
            Event::Start(ref e) | Event::Empty(ref e) if e.local_name().as_ref() == "c" => {
                kind = Kind::Number;
                style = 0;
                let mut at = None;
                for a in e.attributes().flatten() {
                    match a.key.local_name().as_ref() {
                        "r" => at = Some(cell_ref(&a.value)),
                        "s" => style = a.value.parse().unwrap_or(0),
                        "t" => {
                            kind = match a.value.as_ref() {
                                "s" => Kind::Shared,
                                "str" => Kind::Text,
                                "inlineStr" => Kind::Inline,
                                "b" => Kind::Bool,
                                "e" => Kind::Error,
                                "d" => Kind::IsoDate,
                                _ => Kind::Number,
                            }
                        }
                        _ => {}
                    }
                }
                if let Some((c, r)) = at {
                    col = c.unwrap_or(col);
                    if let Some(r) = r
                        && r != row
                    {
                        row = r;
                    }
                }
                if row == 0 {
                    row = 1;
                }
                if col >= MAX_COLS || row > MAX_ROWS {
                    return Err(corrupt(format!("单元格位置 {} 超出范围", ref_name(col.min(MAX_COLS), row))));
                }
                value.clear();
                if matches!(event, Event::Empty(_)) {
                    col += 1;
                } else {
                    in_cell = true;
                }
            }
            Event::Start(e) if in_cell => match e.local_name().as_ref() {
                "v" => collecting = true,
                "is" => in_inline = true,
                "rPh" => in_rph = true,
                "t" if in_inline && !in_rph => collecting = true,
                _ => {}
            },
            Event::Text(t) if collecting => value.push_str(&t.xml10_content()),
            Event::CData(t) if collecting => value.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if collecting => value.push_str(&entity(&r)),
            Event::End(e) if in_cell => match e.local_name().as_ref() {
                "v" | "t" => collecting = false,
                "is" => in_inline = false,
                "rPh" => in_rph = false,
                "c" => {
                    in_cell = false;
                    let cell = make_cell(kind, style, &value, ctx)
                        .map_err(|m| corrupt(format!("单元格 {}：{m}", ref_name(col, row))))?;
                    if cell != Cell::Empty {
                        if rows.len() < row {
                            rows.resize_with(row, Vec::new);
                        }
                        let cells = &mut rows[row - 1];
                        if cells.len() <= col {
                            held += col + 1 - cells.len();
                            if held > ctx.max_cells {
                                return Err(SheetError::TooLarge(ctx.max_cells, ref_name(col, row)));
                            }
                            cells.resize(col + 1, Cell::Empty);
                        }
                        cells[col] = cell;
                    }
                    col += 1;
                }
                _ => {}
            },
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "mergeCell" => {
                if let Some(range) = attr(&e, "ref")
                    && let Some((a, b)) = range.split_once(':')
                    && let ((Some(c0), Some(r0)), (Some(c1), Some(r1))) = (cell_ref(a), cell_ref(b))
                    && r0 >= 1
                    && r1 >= r0
                    && c1 >= c0
                {
                    merges.push((r0 - 1, c0, r1 - 1, c1));
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    fill_merges(&mut rows, &merges);
    Ok(rows)
}

fn make_cell(kind: Kind, style: usize, v: &str, ctx: &Context) -> Result<Cell, String> {
    let text = |s: &str| if s.is_empty() { Cell::Empty } else { Cell::Text(s.to_owned()) };
    Ok(match kind {
        Kind::Shared => {
            if v.is_empty() {
                return Ok(Cell::Empty);
            }
            let i: usize = v.trim().parse().map_err(|_| format!("共享字符串编号“{v}”无效"))?;
            text(ctx.strings.get(i).ok_or_else(|| format!("共享字符串 {i} 不存在"))?)
        }
        Kind::Text | Kind::Inline | Kind::Error => text(v),
        Kind::Bool => match v.trim() {
            "" => Cell::Empty,
            "1" | "true" => Cell::Text("TRUE".into()),
            _ => Cell::Text("FALSE".into()),
        },
        Kind::IsoDate => match v.get(..10).and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()) {
            Some(d) => Cell::Date(d),
            None => text(v),
        },
        Kind::Number => {
            let v = v.trim();
            if v.is_empty() {
                return Ok(Cell::Empty);
            }
            let n: f64 = v.parse().map_err(|_| format!("数值“{v}”无法识别"))?;
            let dated = ctx.dates.get(style).copied().unwrap_or(false) && n >= 1.0;
            match dated.then(|| serial_date(n, ctx.date1904)).flatten() {
                Some(d) => Cell::Date(d),
                None => Cell::Number(n),
            }
        }
    })
}

/// Copies each merged range's top-left value into the whole range, clipped to the used extent.
fn fill_merges(rows: &mut [Vec<Cell>], merges: &[(usize, usize, usize, usize)]) {
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    for &(r0, c0, r1, c1) in merges {
        let Some(value) = rows.get(r0).and_then(|r| r.get(c0)).cloned() else { continue };
        if value == Cell::Empty {
            continue;
        }
        for cells in rows.iter_mut().take(r1 + 1).skip(r0) {
            let last = c1.min(width.saturating_sub(1));
            if cells.len() <= last {
                cells.resize(last + 1, Cell::Empty);
            }
            for c in cells.iter_mut().take(last + 1).skip(c0) {
                *c = value.clone();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_and_formats() {
        assert_eq!(cell_ref("A1"), (Some(0), Some(1)));
        assert_eq!(cell_ref("AB12"), (Some(27), Some(12)));
        assert_eq!(cell_ref("xfd1048576"), (Some(16383), Some(1_048_576)));
        assert_eq!(ref_name(27, 12), "AB12");
        assert_eq!(ref_name(0, 1), "A1");
        for date in
            ["yyyy-mm-dd", "yyyy\"年\"m\"月\"d\"日\"", "[$-804]yyyy年m月", "m/d/yy h:mm", "mmm-yy", "dd/mm/yyyy;@"]
        {
            assert!(is_date_format(date), "{date}");
        }
        for not in ["General", "0.00", "#,##0;[Red]-#,##0", "h:mm:ss", "[h]:mm", "mm:ss", "\"day\"0", "@", "0.00E+00"] {
            assert!(!is_date_format(not), "{not}");
        }
        assert!(is_builtin_date(14) && is_builtin_date(31) && is_builtin_date(57));
        assert!(!is_builtin_date(0) && !is_builtin_date(49));
    }

    #[test]
    fn a_value_far_to_the_right_on_every_row_is_refused_before_memory_runs_out() {
        let ctx = Context { strings: Vec::new(), dates: Vec::new(), date1904: false, max_cells: 50_000 };
        let rows: String = (1..=10)
            .map(|r| format!(r#"<row r="{r}"><c r="XFD{r}" t="inlineStr"><is><t>x</t></is></c></row>"#))
            .collect();
        let xml = format!("<worksheet><sheetData>{rows}</sheetData></worksheet>");
        match worksheet(xml.as_bytes(), &ctx) {
            Err(SheetError::TooLarge(50_000, at)) => assert_eq!(at, "XFD4", "16,384 cells a row: the fourth passes"),
            other => panic!("{other:?}"),
        }
        let narrow: String = (1..=10).map(|r| format!(r#"<row r="{r}"><c r="C{r}"><v>{r}</v></c></row>"#)).collect();
        let rows = worksheet(format!("<worksheet><sheetData>{narrow}</sheetData></worksheet>").as_bytes(), &ctx);
        assert_eq!(rows.unwrap().len(), 10, "a normal sheet is read");
    }

    #[test]
    fn serial_days_in_both_date_systems() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day);
        assert_eq!(serial_date(43647.0, false), d(2019, 7, 1));
        assert_eq!(serial_date(43647.75, false), d(2019, 7, 1), "the time of day is dropped");
        assert_eq!(serial_date(1.0, false), d(1900, 1, 1));
        assert_eq!(serial_date(59.0, false), d(1900, 2, 28));
        assert_eq!(serial_date(60.0, false), None, "1900-02-29 never was");
        assert_eq!(serial_date(61.0, false), d(1900, 3, 1));
        assert_eq!(serial_date(42185.0, true), d(2019, 7, 1));
        assert_eq!(serial_date(-1.0, false), None);
    }
}
