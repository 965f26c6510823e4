//! 组织关系介绍信: serial number, validity and the dues month, checked before a letter is issued.

use crate::date::Date;
use chrono::Datelike;

/// Default validity of a letter in months (SPEC §4), and the longest a user may choose.
pub const DEFAULT_VALID_MONTHS: u32 = 3;
pub const MAX_VALID_MONTHS: u32 = 6;

/// A letter's serial number: numbered from 1 within each year of issue, never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Serial {
    pub year: i32,
    pub number: i64,
}

impl std::fmt::Display for Serial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "（{}）第{:06}号", self.year, self.number)
    }
}

/// The last day a letter issued on `issued_on` is valid, `months` months later (a month end
/// where the day does not exist: 11-30 + 3 months is 02-28, or 02-29 in a leap year).
pub fn validity_until(issued_on: Date, months: u32) -> Date {
    issued_on.checked_add_months(chrono::Months::new(months)).unwrap_or(issued_on)
}

/// What the issuing side fills in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferLetter {
    pub issued_on: Date,
    pub valid_until: Date,
    /// 党费交纳至: the first day of the last month paid.
    pub dues_paid_to: Date,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LetterError {
    #[error("介绍信有效期应为1至{MAX_VALID_MONTHS}个月")]
    Validity,
    #[error("党费交纳月份应写作 年-月，例如 2026-11")]
    DuesMonth,
    #[error("党费交纳至{0}，超出开具介绍信的月份一年以上，请核对")]
    DuesAhead(String),
}

impl LetterError {
    pub fn code(&self) -> &'static str {
        match self {
            LetterError::Validity => "transfer.validity_invalid",
            LetterError::DuesMonth | LetterError::DuesAhead(_) => "transfer.dues_month_invalid",
        }
    }
}

impl TransferLetter {
    /// Checks the issuing side's input: `dues` as `YYYY-MM`, validity in months.
    pub fn new(issued_on: Date, valid_months: u32, dues: &str) -> Result<TransferLetter, LetterError> {
        if !(1..=MAX_VALID_MONTHS).contains(&valid_months) {
            return Err(LetterError::Validity);
        }
        let dues = dues.trim();
        let dues_paid_to =
            crate::date::parse(&format!("{dues}-01")).filter(|_| dues.len() == 7).ok_or(LetterError::DuesMonth)?;
        // Paying ahead before leaving is allowed; more than a year ahead is a typing slip.
        if dues_paid_to > issued_on.checked_add_months(chrono::Months::new(12)).unwrap_or(issued_on) {
            return Err(LetterError::DuesAhead(dues.to_owned()));
        }
        Ok(TransferLetter { issued_on, valid_until: validity_until(issued_on, valid_months), dues_paid_to })
    }

    /// The dues month as shown on the letter: `2026年11月`.
    pub fn dues_label(dues_paid_to: Date) -> String {
        format!("{}年{}月", dues_paid_to.year(), dues_paid_to.month())
    }
}
