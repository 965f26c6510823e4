//! Entry points for the fuzz targets in `fuzz/`, not for the application: each reads bytes as the
//! JSON body of one API operation (as [`crate::api::Body`] does) and checks it as the handler does
//! before anything reaches the store. `None`: not a body of that shape (answered
//! `request.invalid_json`); otherwise the checked value or the code of the refusal.

use crate::api::orglife::MeetingBody;
use crate::api::transfer::RequestBody;
use crate::import::RollbackForm;
use crate::payload::MemberPayload;
use crate::transfer::StepForm;
use qiangji_domain::Date;
use qiangji_domain::member::{MemberError, MemberFields};
use qiangji_domain::orglife::MeetingFields;
use qiangji_domain::transfer::{TransferAction, TransferLetter};
use qiangji_store::orglife::AttendanceEntry;
use qiangji_store::transfer::Destination;

/// A member as registered (record and membership date) and as changed (the record alone).
pub type MemberChecked = (Result<(MemberFields, Date), Vec<MemberError>>, Result<MemberFields, Vec<MemberError>>);

/// A transfer step: the action, its date and the letter it issues, if it issues one.
pub type StepChecked = (TransferAction, Date, Option<TransferLetter>);

fn body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Option<T> {
    serde_json::from_slice(bytes).ok()
}

/// A member as registered (`POST /api/v1/orgs/{id}/members`) and as changed (`PUT /api/v1/members/{id}`).
pub fn member(bytes: &[u8]) -> Option<MemberChecked> {
    let p: MemberPayload = body(bytes)?;
    Some((p.validate_new(), p.input().validate(qiangji_domain::date::today())))
}

/// A meeting record with its attendance sheet (`POST /api/v1/orgs/{id}/meetings`).
pub fn meeting(bytes: &[u8], today: Date) -> Option<Result<(MeetingFields, Vec<AttendanceEntry>), &'static str>> {
    let b: MeetingBody = body(bytes)?;
    Some(b.read(today).map_err(|e| e.code))
}

/// A transfer request (`POST /api/v1/members/{id}/transfers`).
pub fn transfer_request(bytes: &[u8]) -> Option<Result<(Destination, String, Date), &'static str>> {
    let b: RequestBody = body(bytes)?;
    Some(b.read().map_err(|e| e.code))
}

/// A transfer step (`POST /api/v1/transfers/{id}/steps`), with the letter checked as the store
/// checks it when the step issues one.
pub fn transfer_step(bytes: &[u8]) -> Option<Result<StepChecked, &'static str>> {
    let f: StepForm = body(bytes)?;
    Some(f.parse().map_err(|(code, _)| code).and_then(|(action, on, letter)| {
        let issued = match action {
            TransferAction::IssueLetter => {
                Some(TransferLetter::new(on, letter.valid_months, &letter.dues_paid_to).map_err(|e| e.code())?)
            }
            _ => None,
        };
        Ok((action, on, issued))
    }))
}

/// The reason of an import rollback (`POST /api/v1/imports/{id}/rollback`).
pub fn rollback(bytes: &[u8]) -> Option<String> {
    body::<RollbackForm>(bytes).map(|f| f.reason)
}
