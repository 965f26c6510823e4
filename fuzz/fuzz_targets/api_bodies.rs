//! Arbitrary bytes as the JSON bodies of API operations, read and checked as their handlers do
//! before the store: a member, a meeting record, a transfer request and step, an import rollback.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qiangji_domain::Date;
use qiangji_domain::transfer::{MAX_VALID_MONTHS, TransferAction};
use qiangji_web::fuzzing;

fuzz_target!(|data: &[u8]| {
    let today = Date::from_ymd_opt(2026, 12, 7).expect("valid");
    if let Some((new, update)) = fuzzing::member(data) {
        // Registering checks the record and the membership date; changing, the record alone.
        match (&new, &update) {
            (Ok((fields, _)), Ok(same)) => assert_eq!(fields, same),
            (Ok(_), Err(e)) => panic!("registered but not changed: {e:?}"),
            (Err(errors), _) => assert!(!errors.is_empty() && errors.iter().all(|e| !e.code().is_empty())),
        }
        if let Ok(fields) = &update {
            assert_eq!(fields.id_number.as_str().len(), 18);
            assert_eq!(fields.birth_date, fields.id_number.birth_date());
        }
    }
    if let Some(checked) = fuzzing::meeting(data, today) {
        match checked {
            Ok((fields, _)) => assert!(fields.held_on <= today),
            Err(code) => assert!(code.starts_with("meeting."), "{code}"),
        }
    }
    if let Some(checked) = fuzzing::transfer_request(data) {
        if let Err(code) = checked {
            assert_eq!(code, "transfer.date_invalid");
        }
    }
    if let Some(checked) = fuzzing::transfer_step(data) {
        match checked {
            Ok((action, on, letter)) => {
                assert_eq!(letter.is_some(), action == TransferAction::IssueLetter);
                if let Some(l) = letter {
                    assert_eq!(l.issued_on, on);
                    assert!(l.valid_until > on);
                    assert!(
                        l.valid_until <= on.checked_add_months(chrono::Months::new(MAX_VALID_MONTHS)).unwrap_or(on)
                    );
                }
            }
            Err(code) => assert!(code.starts_with("transfer."), "{code}"),
        }
    }
    let _ = fuzzing::rollback(data);
});
