//! The state machine of one person's floating registrations, and the warnings of an open outflow.
//!
//! A person has at most one open outflow (registered by their own organization) and at most one
//! open inflow (registered by the organization hosting them); the two are independent, since
//! each side registers on its own. Every step returns the next state or refuses:
//!
//! | step             | needs                      | refused with                                   |
//! |------------------|----------------------------|------------------------------------------------|
//! | register outflow | no open outflow            | `floating.already_out`                         |
//! | register inflow  | no open inflow             | `floating.already_in`                          |
//! | record contact   | open outflow, on ≥ since   | `floating.not_out`, `floating.date_order`      |
//! | end outflow      | open outflow, on ≥ since and ≥ last contact | `floating.not_out`, `floating.date_order` |
//! | end inflow       | open inflow, on ≥ since    | `floating.not_in`, `floating.date_order`       |

use super::{Contact, Direction, End, FloatingError, FloatingWarning};
use crate::date::Date;
use chrono::Months;

/// An open registration: since when, and (for an outflow) the latest contact recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Open {
    pub since: Date,
    pub last_contact: Option<Date>,
}

/// What is open for one person now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FloatingState {
    pub outflow: Option<Open>,
    pub inflow: Option<Open>,
}

impl FloatingState {
    /// Registers an outflow from `since`.
    pub fn register_outflow(self, since: Date) -> Result<FloatingState, FloatingError> {
        if let Some(open) = self.outflow {
            return Err(FloatingError::AlreadyOut { since: open.since });
        }
        Ok(FloatingState { outflow: Some(Open { since, last_contact: None }), ..self })
    }

    /// Registers an inflow from `since`.
    pub fn register_inflow(self, since: Date) -> Result<FloatingState, FloatingError> {
        if let Some(open) = self.inflow {
            return Err(FloatingError::AlreadyIn { since: open.since });
        }
        Ok(FloatingState { inflow: Some(Open { since, last_contact: None }), ..self })
    }

    /// Records a contact with a member who is out. A contact entered late (older than the latest)
    /// is accepted; the latest stays the latest.
    pub fn record_contact(self, c: &Contact) -> Result<FloatingState, FloatingError> {
        let open = self.outflow.ok_or(FloatingError::NotOut)?;
        if c.on < open.since {
            return Err(FloatingError::DateOrder { later: "联系日期", earlier: "外出日期", on: open.since });
        }
        let last_contact = Some(open.last_contact.map_or(c.on, |l| l.max(c.on)));
        Ok(FloatingState { outflow: Some(Open { last_contact, ..open }), ..self })
    }

    /// Ends the open registration of `direction`.
    pub fn end(self, direction: Direction, e: &End) -> Result<FloatingState, FloatingError> {
        let open = match direction {
            Direction::Outflow => self.outflow.ok_or(FloatingError::NotOut)?,
            Direction::Inflow => self.inflow.ok_or(FloatingError::NotIn)?,
        };
        if e.on < open.since {
            return Err(FloatingError::DateOrder { later: "结束日期", earlier: "开始日期", on: open.since });
        }
        if let Some(last) = open.last_contact
            && e.on < last
        {
            return Err(FloatingError::DateOrder {
                later: "结束日期", earlier: "最近一次联系日期", on: last
            });
        }
        Ok(match direction {
            Direction::Outflow => FloatingState { outflow: None, ..self },
            Direction::Inflow => FloatingState { inflow: None, ..self },
        })
    }
}

/// The warnings of an open outflow on `today`:
/// - 应转接: away six months or more (since + 6 months ≤ today) at a fixed place — the rule is
///   that a member settled elsewhere for half a year transfers their membership there;
/// - 近3个月未联系: no contact within the last three months, counting from the registration when
///   there has been no contact yet (a member registered last month is not yet overdue).
pub fn warnings(open: &Open, fixed_place: bool, today: Date) -> Vec<FloatingWarning> {
    let reached = |from: Date, months: u32| from.checked_add_months(Months::new(months)).is_some_and(|d| d <= today);
    let mut out = Vec::new();
    if fixed_place && reached(open.since, 6) {
        out.push(FloatingWarning::ShouldTransfer);
    }
    if reached(open.last_contact.unwrap_or(open.since), 3) {
        out.push(FloatingWarning::NoRecentContact);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::floating::{ContactWay, EndReason};

    fn d(s: &str) -> Date {
        crate::date::parse(s).unwrap()
    }

    fn contact(on: &str) -> Contact {
        Contact { on: d(on), way: ContactWay::Phone, note: "通话".into() }
    }

    fn end(on: &str) -> End {
        End { on: d(on), reason: EndReason::Returned }
    }

    #[test]
    fn an_outflow_goes_out_keeps_contact_and_ends() {
        let s = FloatingState::default().register_outflow(d("2026-01-10")).unwrap();
        assert_eq!(s.outflow, Some(Open { since: d("2026-01-10"), last_contact: None }));
        let s = s.record_contact(&contact("2026-02-01")).unwrap();
        let s = s.record_contact(&contact("2026-01-20")).unwrap();
        assert_eq!(s.outflow.unwrap().last_contact, Some(d("2026-02-01")), "a late entry does not go back");
        let s = s.end(Direction::Outflow, &end("2026-03-01")).unwrap();
        assert_eq!(s, FloatingState::default());
    }

    #[test]
    fn a_member_already_out_cannot_be_registered_out_again() {
        let s = FloatingState::default().register_outflow(d("2026-01-10")).unwrap();
        assert_eq!(
            s.register_outflow(d("2026-02-01")).unwrap_err(),
            FloatingError::AlreadyOut { since: d("2026-01-10") }
        );
        assert_eq!(s.register_outflow(d("2026-02-01")).unwrap_err().code(), "floating.already_out");
    }

    #[test]
    fn a_member_not_out_has_no_contact_and_no_end() {
        let s = FloatingState::default();
        assert_eq!(s.record_contact(&contact("2026-01-01")).unwrap_err().code(), "floating.not_out");
        assert_eq!(s.end(Direction::Outflow, &end("2026-01-01")).unwrap_err().code(), "floating.not_out");
        assert_eq!(s.end(Direction::Inflow, &end("2026-01-01")).unwrap_err().code(), "floating.not_in");
        // Ended is the same as never out.
        let ended = s.register_outflow(d("2025-01-01")).unwrap().end(Direction::Outflow, &end("2025-06-01")).unwrap();
        assert_eq!(ended.record_contact(&contact("2025-07-01")).unwrap_err().code(), "floating.not_out");
    }

    #[test]
    fn a_contact_or_an_end_before_the_registration_is_refused() {
        let s = FloatingState::default().register_outflow(d("2026-01-10")).unwrap();
        assert_eq!(s.record_contact(&contact("2026-01-09")).unwrap_err().code(), "floating.date_order");
        assert_eq!(s.end(Direction::Outflow, &end("2026-01-09")).unwrap_err().code(), "floating.date_order");
        let s = s.record_contact(&contact("2026-02-01")).unwrap();
        assert_eq!(s.end(Direction::Outflow, &end("2026-01-31")).unwrap_err().code(), "floating.date_order");
        assert!(s.end(Direction::Outflow, &end("2026-02-01")).is_ok(), "ending on the day of the last contact");
    }

    #[test]
    fn an_inflow_is_independent_of_the_outflow() {
        let s = FloatingState::default().register_outflow(d("2026-01-10")).unwrap();
        let s = s.register_inflow(d("2026-01-15")).unwrap();
        assert_eq!(s.register_inflow(d("2026-02-01")).unwrap_err().code(), "floating.already_in");
        let s = s.end(Direction::Inflow, &end("2026-02-01")).unwrap();
        assert!(s.inflow.is_none() && s.outflow.is_some());
        assert_eq!(s.end(Direction::Inflow, &end("2026-02-01")).unwrap_err().code(), "floating.not_in");
        assert_eq!(
            FloatingState::default()
                .register_inflow(d("2026-01-15"))
                .unwrap()
                .end(Direction::Inflow, &end("2026-01-14")),
            Err(FloatingError::DateOrder { later: "结束日期", earlier: "开始日期", on: d("2026-01-15") })
        );
    }

    #[test]
    fn six_months_at_a_fixed_place_means_the_member_should_transfer() {
        let open = Open { since: d("2026-01-31"), last_contact: Some(d("2026-07-30")) };
        assert!(warnings(&open, true, d("2026-07-30")).is_empty(), "one day short of six months");
        assert_eq!(warnings(&open, true, d("2026-07-31")), vec![FloatingWarning::ShouldTransfer]);
        assert!(warnings(&open, false, d("2026-12-31")).iter().all(|w| *w != FloatingWarning::ShouldTransfer));
    }

    #[test]
    fn three_months_without_contact_is_a_warning() {
        let new = Open { since: d("2026-03-01"), last_contact: None };
        assert!(warnings(&new, false, d("2026-05-31")).is_empty(), "registered under three months ago");
        assert_eq!(warnings(&new, false, d("2026-06-01")), vec![FloatingWarning::NoRecentContact]);
        let kept = Open { since: d("2025-01-01"), last_contact: Some(d("2026-04-15")) };
        assert!(warnings(&kept, false, d("2026-07-14")).is_empty());
        assert_eq!(warnings(&kept, false, d("2026-07-15")), vec![FloatingWarning::NoRecentContact]);
        assert_eq!(
            warnings(&kept, true, d("2026-07-15")),
            vec![FloatingWarning::ShouldTransfer, FloatingWarning::NoRecentContact]
        );
    }
}
