//! CSV as Excel writes it: a byte-order mark or none, UTF-8 or GBK, quoted fields with doubled
//! quotes and line breaks inside, commas.

use super::{Cell, Sheet, SheetError};

/// Decodes the bytes (UTF-8 when valid, else GBK) and splits them into rows of text cells.
pub fn read(bytes: &[u8]) -> Result<Sheet, SheetError> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(body) {
        Ok(s) => s.to_owned(),
        Err(_) => {
            let (s, _, bad) = encoding_rs::GBK.decode(body);
            if bad {
                return Err(SheetError::NotASpreadsheet);
            }
            s.into_owned()
        }
    };
    if text.contains('\0') {
        return Err(SheetError::NotASpreadsheet);
    }
    Ok(Sheet { name: String::new(), rows: split(&text) })
}

fn split(text: &str) -> Vec<Vec<Cell>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    let cell = |f: &mut String| if f.is_empty() { Cell::Empty } else { Cell::Text(std::mem::take(f)) };
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', true) => quoted = false,
            ('"', false) if field.is_empty() => quoted = true,
            (',', false) => row.push(cell(&mut field)),
            ('\r', false) => {}
            ('\n', false) => {
                row.push(cell(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (c, _) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(cell(&mut field));
        rows.push(row);
    }
    rows
}
