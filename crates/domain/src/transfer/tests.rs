use super::*;
use crate::date::parse;

fn d(s: &str) -> Date {
    parse(s).unwrap()
}

fn at(direction: Direction, state: TransferState) -> Progress {
    Progress { direction, state, valid_until: Some(d("2026-03-31")), last_step_on: d("2026-01-10") }
}

/// Every legal step, written out by hand from SPEC §4 (not derived from the rule table).
const LEGAL: &[(Direction, TransferState, TransferAction, Side, TransferState)] = {
    use Direction::*;
    use Side::*;
    use TransferAction as A;
    use TransferState::*;
    &[
        (Internal, Requested, A::Approve, Sending, Approved),
        (Internal, Requested, A::SendBack, Sending, Returned),
        (Internal, Requested, A::Reject, Sending, Rejected),
        (Internal, Requested, A::Withdraw, Sending, Withdrawn),
        (Internal, Returned, A::Resubmit, Sending, Requested),
        (Internal, Returned, A::Withdraw, Sending, Withdrawn),
        (Internal, Approved, A::IssueLetter, Sending, LetterIssued),
        (Internal, Approved, A::Withdraw, Sending, Withdrawn),
        (Internal, LetterIssued, A::Receive, Receiving, Received),
        (Internal, LetterIssued, A::Withdraw, Sending, Withdrawn),
        (Internal, LetterIssued, A::Expire, Sending, Expired),
        (Internal, Received, A::Report, Receiving, Reported),
        (Internal, Reported, A::ReturnReceipt, Receiving, Completed),
        (Outbound, Requested, A::Approve, Sending, Approved),
        (Outbound, Requested, A::SendBack, Sending, Returned),
        (Outbound, Requested, A::Reject, Sending, Rejected),
        (Outbound, Requested, A::Withdraw, Sending, Withdrawn),
        (Outbound, Returned, A::Resubmit, Sending, Requested),
        (Outbound, Returned, A::Withdraw, Sending, Withdrawn),
        (Outbound, Approved, A::IssueLetter, Sending, LetterIssued),
        (Outbound, Approved, A::Withdraw, Sending, Withdrawn),
        (Outbound, LetterIssued, A::Withdraw, Sending, Withdrawn),
        (Outbound, LetterIssued, A::Expire, Sending, Expired),
        (Outbound, LetterIssued, A::ReturnReceipt, Sending, Completed),
        (Inbound, Received, A::Report, Receiving, Reported),
        (Inbound, Reported, A::ReturnReceipt, Receiving, Completed),
    ]
};

fn dates_for(action: TransferAction) -> Date {
    // Expiring needs a day after the validity; everything else a day within it.
    if action == TransferAction::Expire { d("2026-04-01") } else { d("2026-02-01") }
}

#[test]
fn every_step_of_every_state_is_allowed_exactly_when_listed() {
    let mut allowed = 0;
    for &direction in Direction::ALL {
        for &state in TransferState::ALL {
            for &action in TransferAction::ALL {
                for side in [Side::Sending, Side::Receiving] {
                    let p = at(direction, state);
                    let got = apply(&p, side, action, dates_for(action));
                    let want = LEGAL
                        .iter()
                        .find(|l| l.0 == direction && l.1 == state && l.2 == action && l.3 == side)
                        .map(|l| l.4);
                    match (got, want) {
                        (Ok(o), Some(to)) => {
                            assert_eq!(o.state, to, "{direction:?} {state:?} {action:?} {side:?}");
                            allowed += 1;
                        }
                        (Err(e), None) => assert!(!e.to_string().is_empty() && e.code().starts_with("transfer.")),
                        (got, want) => {
                            panic!("{direction:?} {state:?} {action:?} {side:?}: got {got:?}, want {want:?}")
                        }
                    }
                    assert_eq!(offered(&p, side, action), want.is_some());
                }
            }
        }
    }
    assert_eq!(allowed, LEGAL.len());
}

#[test]
fn final_states_take_no_step() {
    for &state in TransferState::ALL.iter().filter(|s| !s.is_open()) {
        for &direction in Direction::ALL {
            for side in [Side::Sending, Side::Receiving] {
                assert!(next_actions(&at(direction, state), side).is_empty(), "{state:?}");
            }
        }
    }
}

#[test]
fn refusals_say_why() {
    let p = at(Direction::Internal, TransferState::Requested);
    let e = apply(&p, Side::Receiving, TransferAction::Receive, d("2026-02-01")).unwrap_err();
    assert_eq!(e.code(), "transfer.illegal_step");
    assert!(e.to_string().contains("待转出方审批"), "{e}");
    let e = apply(&p, Side::Receiving, TransferAction::Approve, d("2026-02-01")).unwrap_err();
    assert_eq!(e, TransferError::WrongSide { side: Side::Receiving, action: TransferAction::Approve });
    assert_eq!(e.to_string(), "转入方不能转出方审批同意，应由转出方办理");
    let out = at(Direction::Outbound, TransferState::LetterIssued);
    let e = apply(&out, Side::Receiving, TransferAction::Receive, d("2026-02-01")).unwrap_err();
    assert_eq!(e.code(), "transfer.not_for_direction");
}

#[test]
fn only_the_internal_receive_moves_and_only_the_outbound_receipt_leaves() {
    let effect =
        |direction, state, side, action| apply(&at(direction, state), side, action, dates_for(action)).unwrap().effect;
    use TransferState::*;
    assert_eq!(effect(Direction::Internal, LetterIssued, Side::Receiving, TransferAction::Receive), Effect::Move);
    assert_eq!(effect(Direction::Outbound, LetterIssued, Side::Sending, TransferAction::ReturnReceipt), Effect::Leave);
    for l in LEGAL {
        let e = effect(l.0, l.1, l.3, l.2);
        let moves = matches!((l.0, l.2), (Direction::Internal, TransferAction::Receive));
        let leaves = matches!((l.0, l.2), (Direction::Outbound, TransferAction::ReturnReceipt));
        assert_eq!(e == Effect::Move, moves, "{l:?}");
        assert_eq!(e == Effect::Leave, leaves, "{l:?}");
    }
}

#[test]
fn a_letter_is_received_within_its_validity_and_voided_only_after() {
    let p = at(Direction::Internal, TransferState::LetterIssued);
    assert!(apply(&p, Side::Receiving, TransferAction::Receive, d("2026-03-31")).is_ok());
    assert_eq!(
        apply(&p, Side::Receiving, TransferAction::Receive, d("2026-04-01")),
        Err(TransferError::LetterExpired { until: d("2026-03-31") })
    );
    assert_eq!(
        apply(&p, Side::Sending, TransferAction::Expire, d("2026-03-31")),
        Err(TransferError::NotYetExpired { until: d("2026-03-31") })
    );
    assert!(apply(&p, Side::Sending, TransferAction::Expire, d("2026-04-01")).is_ok());
}

#[test]
fn a_step_cannot_be_dated_before_the_last_one() {
    let p = at(Direction::Internal, TransferState::Requested);
    assert_eq!(
        apply(&p, Side::Sending, TransferAction::Approve, d("2026-01-09")),
        Err(TransferError::BeforeLastStep { on: d("2026-01-09"), last: d("2026-01-10") })
    );
    assert!(apply(&p, Side::Sending, TransferAction::Approve, d("2026-01-10")).is_ok());
}

#[test]
fn only_an_issued_letter_is_in_transit() {
    let transit: Vec<_> = TransferState::ALL.iter().filter(|s| s.in_transit()).collect();
    assert_eq!(transit, [&TransferState::LetterIssued]);
}

#[test]
fn warnings_follow_the_letter_and_the_month_after() {
    use TransferWarning::*;
    let issued = Some(d("2026-01-10"));
    let mut p = at(Direction::Outbound, TransferState::LetterIssued);
    assert!(warnings(&p, issued, None, d("2026-02-10")).is_empty());
    assert_eq!(warnings(&p, issued, None, d("2026-02-11")), [ReceiptMissing]);
    assert_eq!(warnings(&p, issued, None, d("2026-03-25")), [LetterExpiring, ReceiptMissing]);
    assert_eq!(warnings(&p, issued, None, d("2026-04-01")), [LetterExpired, ReceiptMissing]);
    p.direction = Direction::Internal;
    assert_eq!(warnings(&p, issued, None, d("2026-03-24")), []);
    assert_eq!(warnings(&p, issued, None, d("2026-03-25")), [LetterExpiring]);
    p.state = TransferState::Received;
    assert!(warnings(&p, issued, Some(d("2026-01-31")), d("2026-02-28")).is_empty());
    assert_eq!(warnings(&p, issued, Some(d("2026-01-31")), d("2026-03-01")), [NotReported]);
}

#[test]
fn letters_are_valid_for_whole_months_and_check_the_dues_month() {
    assert_eq!(validity_until(d("2025-11-30"), 3), d("2026-02-28"));
    assert_eq!(validity_until(d("2027-11-30"), 3), d("2028-02-29"));
    let l = TransferLetter::new(d("2026-12-07"), 3, "2026-11").unwrap();
    assert_eq!(l.valid_until, d("2027-03-07"));
    assert_eq!(TransferLetter::dues_label(l.dues_paid_to), "2026年11月");
    assert_eq!(TransferLetter::new(d("2026-12-07"), 0, "2026-11"), Err(LetterError::Validity));
    assert_eq!(TransferLetter::new(d("2026-12-07"), 7, "2026-11"), Err(LetterError::Validity));
    assert_eq!(TransferLetter::new(d("2026-12-07"), 3, "2026-13"), Err(LetterError::DuesMonth));
    assert_eq!(TransferLetter::new(d("2026-12-07"), 3, "2026-1"), Err(LetterError::DuesMonth));
    assert!(TransferLetter::new(d("2026-12-07"), 3, "2027-12").is_ok());
    assert_eq!(TransferLetter::new(d("2026-12-07"), 3, "2028-01"), Err(LetterError::DuesAhead("2028-01".into())));
    assert_eq!(Serial { year: 2026, number: 42 }.to_string(), "（2026）第000042号");
}
