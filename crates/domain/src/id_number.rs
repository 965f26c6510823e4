//! Resident identity numbers per GB 11643-1999: 6-digit region, 8-digit birth date, 3-digit
//! sequence (odd for men, even for women), and an ISO 7064 MOD 11-2 check character (0-9 or X).

use crate::date::Date;
use crate::member::Sex;
use chrono::NaiveDate;

/// A checked 18-character identity number. The only constructor is [`IdNumber::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    #[error("身份证号应为18位")]
    Length,
    #[error("身份证号前17位应为数字，末位为数字或X")]
    Characters,
    #[error("身份证号中的出生日期无效")]
    BirthDate,
    #[error("身份证号校验位不正确")]
    Checksum,
}

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// The check character for the first 17 digits.
pub fn check_char(first17: &[u8]) -> char {
    let sum: u32 = first17.iter().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    CHECK[(sum % 11) as usize]
}

impl IdNumber {
    /// Accepts a lower-case `x` and surrounding spaces, as people type them.
    pub fn parse(input: &str) -> Result<Self, IdNumberError> {
        let s = input.trim().to_ascii_uppercase();
        if s.chars().count() != 18 {
            return Err(IdNumberError::Length);
        }
        let b = s.as_bytes();
        if !b[..17].iter().all(u8::is_ascii_digit) || !(b[17].is_ascii_digit() || b[17] == b'X') {
            return Err(IdNumberError::Characters);
        }
        birth_date_of(&b[6..14]).ok_or(IdNumberError::BirthDate)?;
        if check_char(&b[..17]) != b[17] as char {
            return Err(IdNumberError::Checksum);
        }
        Ok(IdNumber(s))
    }

    /// Builds a valid number from region, birth date and sequence (for demo data and tests).
    pub fn compose(region: u32, born: Date, sequence: u16) -> Self {
        let first17 = format!("{region:06}{}{sequence:03}", born.format("%Y%m%d"));
        let check = check_char(first17.as_bytes());
        IdNumber(format!("{first17}{check}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn birth_date(&self) -> Date {
        birth_date_of(&self.0.as_bytes()[6..14]).expect("checked in parse")
    }

    pub fn sex(&self) -> Sex {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 { Sex::Male } else { Sex::Female }
    }

    /// Shown by default: only the first three and the last two characters. The birth date in the
    /// middle is shown beside the number on most pages, so hiding only it (the common 前6后4)
    /// would leave the whole number readable.
    pub fn masked(&self) -> String {
        format!("{}{}{}", &self.0[..3], "*".repeat(13), &self.0[16..])
    }
}

fn birth_date_of(digits: &[u8]) -> Option<Date> {
    let s = std::str::from_utf8(digits).ok()?;
    let y = s[0..4].parse().ok()?;
    let m = s[4..6].parse().ok()?;
    let d = s[6..8].parse().ok()?;
    NaiveDate::from_ymd_opt(y, m, d)
}

impl std::fmt::Display for IdNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_example_number_is_valid() {
        // The worked example of GB 11643-1999, appendix.
        let id = IdNumber::parse("11010519491231002X").unwrap();
        assert_eq!(id.birth_date(), NaiveDate::from_ymd_opt(1949, 12, 31).unwrap());
        assert_eq!(id.sex(), Sex::Female);
    }

    #[test]
    fn lower_case_x_and_spaces_are_accepted() {
        assert_eq!(IdNumber::parse(" 11010519491231002x ").unwrap().as_str(), "11010519491231002X");
    }

    #[test]
    fn invalid_numbers_say_why() {
        let cases = [
            ("1101051949123100", IdNumberError::Length),
            ("11010519491231002Y", IdNumberError::Characters),
            ("1101051949123A002X", IdNumberError::Characters),
            ("110105194902300021", IdNumberError::BirthDate),
            ("110105194912310021", IdNumberError::Checksum),
        ];
        for (input, want) in cases {
            assert_eq!(IdNumber::parse(input), Err(want), "{input}");
        }
    }

    #[test]
    fn composed_numbers_parse_back_with_their_birth_date_and_sex() {
        let born = NaiveDate::from_ymd_opt(1990, 2, 28).unwrap();
        for seq in [0u16, 1, 2, 337, 998, 999] {
            let id = IdNumber::compose(330203, born, seq);
            let parsed = IdNumber::parse(id.as_str()).unwrap();
            assert_eq!(parsed.birth_date(), born);
            assert_eq!(parsed.sex() == Sex::Male, seq % 2 == 1);
        }
    }

    #[test]
    fn masking_hides_the_birth_date_and_sequence() {
        let id = IdNumber::parse("11010519491231002X").unwrap();
        assert_eq!(id.masked(), "110*************2X");
    }
}
