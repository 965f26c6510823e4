//! Arbitrary bytes through the spreadsheet reader (xlsx and CSV in UTF-8/GBK) and the header
//! search, and every cell through the normalisers the importers read cells with.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qiangji_domain::import::ImportKind;
use qiangji_sheet::{Cell, DateCell, date, find_table, header, id_number, looks_like_id, read, shifted, text};

fuzz_target!(|data: &[u8]| {
    let Ok(sheets) = read(data) else { return };
    for sheet in &sheets {
        for kind in ImportKind::ALL {
            let names: Vec<&str> = kind.columns().iter().map(|c| c.0).collect();
            let Ok(table) = find_table(sheet, &names, 2) else { continue };
            // Header texts are compared without whitespace.
            assert!(table.columns.iter().all(|c| !c.chars().any(char::is_whitespace)));
            // Data rows are numbered as Excel shows them, below the header, in order, none blank.
            let mut last = 1;
            for (line, cells) in &table.rows {
                assert!(*line > last, "row {line} after {last}");
                last = *line;
                assert!(cells.iter().any(|c| !c.as_text().trim().is_empty()));
                shifted(&table, cells, 0);
            }
        }
        for cell in sheet.rows.iter().flatten() {
            check_cell(cell);
        }
    }
});

fn check_cell(cell: &Cell) {
    let s = cell.as_text();
    let t = text(&s);
    // Normalising is idempotent and never leaves surrounding whitespace.
    assert_eq!(text(&t.value).value, t.value);
    assert_eq!(t.value.trim(), t.value);
    let h = header(&s);
    assert!(!h.chars().any(char::is_whitespace));
    let id = id_number(&s);
    assert!(!id.value.contains(' '));
    if looks_like_id(&s) {
        assert!(id.value.len() == 15 || id.value.len() == 18, "{:?}", id.value);
    }
    match date(cell) {
        DateCell::Empty => assert!(t.value.is_empty()),
        DateCell::Month(_, m) => assert!((1..=12).contains(&m)),
        DateCell::Day(_) | DateCell::Invalid(_) => {}
    }
}
