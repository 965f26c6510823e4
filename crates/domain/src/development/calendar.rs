//! The date arithmetic of the 细则: whole months (a month after 31 January is the last day of
//! February) and working days of a publicity period.

use crate::date::Date;
use chrono::{Datelike, Months, Weekday};

/// `months` calendar months after `d`; a day that the target month lacks becomes its last day
/// (31 January + 1 month = 28 or 29 February; 29 February + 12 months = 28 February).
pub fn add_months(d: Date, months: u32) -> Date {
    d.checked_add_months(Months::new(months)).expect("dates stay far from chrono's limits")
}

/// The last day of a period of `n` working days that begins on `start` (counted if it is a working
/// day). Working days are Monday to Friday. Public holidays and their make-up working weekends
/// (调休) are NOT taken into account: they change every year by State Council notice, which this
/// system does not hold, so a publicity spanning a holiday should be given more days by hand.
pub fn add_working_days(start: Date, n: u32) -> Date {
    let mut day = start;
    let mut counted = 0;
    loop {
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            counted += 1;
            if counted >= n {
                return day;
            }
        }
        day = day.succ_opt().expect("dates stay far from chrono's limits");
    }
}
