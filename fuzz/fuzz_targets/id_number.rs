//! Identity numbers: whatever text comes in, a number accepted is 18 characters with a correct
//! check character, reads back the same, and masks all but its first three and last two characters.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qiangji_domain::id_number::{IdNumber, check_char};
use qiangji_domain::member::Sex;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let normalised = qiangji_sheet::id_number(&s).value;
    if let Ok(id) = IdNumber::parse(&s) {
        check(&id);
        // What the importers feed it (full-width digits and inner spaces folded) reads the same.
        assert_eq!(IdNumber::parse(&normalised).as_ref(), Ok(&id));
        assert!(qiangji_sheet::looks_like_id(&s));
    }
    if let Ok(id) = IdNumber::parse(&normalised) {
        check(&id);
    }
    // Composing from arbitrary parts always gives a number that parses to the same birth date.
    if data.len() >= 8 {
        let n = u64::from_le_bytes(data[..8].try_into().expect("8 bytes"));
        let region = (n % 1_000_000) as u32;
        let days = (n / 1_000_000 % 73_000) as i64;
        let born = chrono::NaiveDate::from_ymd_opt(1900, 1, 1).expect("valid") + chrono::Days::new(days as u64);
        let sequence = (n / 1_000_000 / 73_000 % 1000) as u16;
        let id = IdNumber::compose(region, born, sequence);
        let parsed = IdNumber::parse(id.as_str()).expect("a composed number parses");
        check(&parsed);
        assert_eq!(parsed.birth_date(), born);
        assert_eq!(parsed.sex() == Sex::Male, sequence % 2 == 1);
    }
});

fn check(id: &IdNumber) {
    let s = id.as_str();
    assert_eq!(s.len(), 18);
    assert_eq!(id.to_string(), s);
    let b = s.as_bytes();
    assert!(b[..17].iter().all(u8::is_ascii_digit) && (b[17].is_ascii_digit() || b[17] == b'X'));
    assert_eq!(check_char(&b[..17]), b[17] as char);
    assert_eq!(IdNumber::parse(s).as_ref(), Ok(id));
    assert_eq!(id.birth_date().format("%Y%m%d").to_string(), &s[6..14]);
    assert_eq!(id.sex() == Sex::Male, (b[16] - b'0') % 2 == 1);
    let masked = id.masked();
    assert_eq!(masked.chars().count(), 18);
    // Only three leading and two trailing characters: the birth date is shown beside it on pages.
    assert_eq!(&masked[..3], &s[..3]);
    assert_eq!(&masked[3..16], "*************");
    assert_eq!(&masked[16..], &s[16..]);
}
