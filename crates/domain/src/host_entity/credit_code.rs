//! 统一社会信用代码 (GB 32100-2015): 18 characters from the 31 the standard allows (digits and
//! upper-case letters without I, O, Z, S, V), positions 3–8 the administrative division (digits),
//! and a check character at the end computed from the other 17 (weights 3^i mod 31).

use std::fmt;

/// The characters of a credit code, in the order of their values 0–30.
const CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// The weight of each of the first 17 positions: 3^i mod 31.
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// A credit code whose format and check character are right. The only constructors are
/// [`CreditCode::parse`] (exactly as written), [`CreditCode::normalise`] (as registries write it)
/// and [`CreditCode::compose`] (from the first 17 characters).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CreditCode(String);

/// Why a text is not a credit code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditCodeError {
    #[error("统一社会信用代码应为18位（现为{0}位）")]
    Length(usize),
    #[error("统一社会信用代码第{position}位“{found}”不是允许的字符（数字或除 I、O、Z、S、V 以外的大写字母）")]
    Character { position: usize, found: char },
    #[error("统一社会信用代码第3至8位应为行政区划代码（数字）")]
    Division,
    #[error("统一社会信用代码校验位错误（应为“{expected}”）")]
    CheckDigit { expected: char },
}

fn value(c: u8) -> Option<u32> {
    CHARSET.iter().position(|&x| x == c).map(|v| v as u32)
}

/// The check character of the first 17 characters (each already in the character set).
fn check_char(first17: &[u8]) -> char {
    let sum: u32 = first17.iter().zip(WEIGHTS).map(|(&c, w)| value(c).unwrap_or(0) * w).sum();
    char::from(CHARSET[((31 - sum % 31) % 31) as usize])
}

impl CreditCode {
    /// Exactly as written: 18 characters of the set, upper case, with the right check character.
    pub fn parse(s: &str) -> Result<CreditCode, CreditCodeError> {
        let n = s.chars().count();
        if n != 18 {
            return Err(CreditCodeError::Length(n));
        }
        let b = s.as_bytes();
        for (i, c) in s.chars().enumerate() {
            if !c.is_ascii() || value(c as u8).is_none() {
                return Err(CreditCodeError::Character { position: i + 1, found: c });
            }
        }
        if !b[2..8].iter().all(u8::is_ascii_digit) {
            return Err(CreditCodeError::Division);
        }
        let expected = check_char(&b[..17]);
        if char::from(b[17]) != expected {
            return Err(CreditCodeError::CheckDigit { expected });
        }
        Ok(CreditCode(s.to_owned()))
    }

    /// As registries and spreadsheets write it: surrounding and inner spaces, full-width digits
    /// and letters (through `qiangji_sheet::text`), lower case, and Excel's leading apostrophe.
    pub fn normalise(raw: &str) -> Result<CreditCode, CreditCodeError> {
        let t = qiangji_sheet::text(raw.trim().trim_start_matches('\''));
        let s: String = t.value.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
        CreditCode::parse(&s)
    }

    /// The code of the first 17 characters with its check character, if they are of the set
    /// (the demo data generates codes this way).
    pub fn compose(first17: &str) -> Result<CreditCode, CreditCodeError> {
        if first17.len() != 17 {
            return Err(CreditCodeError::Length(first17.chars().count() + 1));
        }
        let check = check_char(first17.as_bytes());
        CreditCode::parse(&format!("{first17}{check}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of GB 32100-2015 itself, and a real registration (国家电网).
    const VALID: [&str; 2] = ["91350100M000100Y43", "9111000071093123XX"];

    #[test]
    fn valid_codes_are_accepted_as_written() {
        for code in VALID {
            assert_eq!(CreditCode::parse(code).map(|c| c.to_string()), Ok(code.to_owned()), "{code}");
        }
    }

    #[test]
    fn a_wrong_check_character_is_refused_with_the_right_one() {
        assert_eq!(CreditCode::parse("91350100M000100Y44"), Err(CreditCodeError::CheckDigit { expected: '3' }));
        assert!(matches!(CreditCode::parse("9111000071093123X1"), Err(CreditCodeError::CheckDigit { .. })));
    }

    #[test]
    fn lower_case_is_refused_as_written_and_accepted_normalised() {
        assert_eq!(
            CreditCode::parse("91350100m000100y43"),
            Err(CreditCodeError::Character { position: 9, found: 'm' })
        );
        assert_eq!(CreditCode::normalise("91350100m000100y43").unwrap().as_str(), VALID[0]);
    }

    #[test]
    fn full_width_characters_and_spaces_are_normalised() {
        let full = "\u{3000}９１３５０１００Ｍ０００１００Ｙ４３ ";
        assert!(matches!(CreditCode::parse(full), Err(CreditCodeError::Length(_) | CreditCodeError::Character { .. })));
        assert_eq!(CreditCode::normalise(full).unwrap().as_str(), VALID[0]);
        assert_eq!(CreditCode::normalise("'91350100M000 100Y43").unwrap().as_str(), VALID[0]);
    }

    #[test]
    fn a_wrong_length_or_character_is_refused() {
        assert_eq!(CreditCode::parse("91350100M000100Y4"), Err(CreditCodeError::Length(17)));
        assert_eq!(CreditCode::parse("91350100M000100Y433"), Err(CreditCodeError::Length(19)));
        assert_eq!(CreditCode::normalise(""), Err(CreditCodeError::Length(0)));
        // I, O, Z, S and V are not used: they read like 1, 0, 2, 5 and U.
        assert_eq!(
            CreditCode::parse("91350100O000100Y43"),
            Err(CreditCodeError::Character { position: 9, found: 'O' })
        );
        assert_eq!(CreditCode::parse("913501A0M000100Y43"), Err(CreditCodeError::Division));
    }

    #[test]
    fn composed_codes_carry_their_check_character() {
        assert_eq!(CreditCode::compose("91350100M000100Y4").unwrap().as_str(), VALID[0]);
        for n in 0..200u32 {
            let c = CreditCode::compose(&format!("91330203MA2{n:05}0")).unwrap();
            assert_eq!(CreditCode::parse(c.as_str()), Ok(c.clone()));
        }
    }
}
