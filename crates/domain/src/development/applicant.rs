//! Registering an application (入党申请): the person's particulars, checked by the member validator
//! so that the member record made on admission cannot fail on them later, and the age rule.

use super::machine::{DevError, DevState, start};
use crate::date::Date;
use crate::member::{MemberError, MemberFields, MemberInput};

/// An application as entered (form or API).
#[derive(Debug, Clone, Default)]
pub struct ApplicantInput {
    pub name: String,
    pub id_number: String,
    pub ethnicity: String,
    pub education: String,
    pub occupation: String,
    pub work_unit: String,
    pub phone: String,
    pub applied_on: String,
}

/// What is wrong with an application.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplicantError {
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("；"))]
    Fields(Vec<MemberError>),
    #[error("{0}")]
    Development(DevError),
}

impl ApplicantError {
    pub fn code(&self) -> &'static str {
        match self {
            ApplicantError::Fields(e) => e.first().map_or("member.invalid", MemberError::code),
            ApplicantError::Development(e) => e.code(),
        }
    }
}

/// A valid application. The only constructor is [`ApplicantInput::validate`]. `fields` are the
/// person's particulars as a member record would hold them, dated as if joining on the
/// application day; [`Applicant::member_input`] re-dates them on admission.
#[derive(Debug, Clone, PartialEq)]
pub struct Applicant {
    pub fields: MemberFields,
    pub applied_on: Date,
}

impl ApplicantInput {
    fn member_input(&self, joined_on: &str) -> MemberInput {
        MemberInput {
            name: self.name.clone(),
            id_number: self.id_number.clone(),
            ethnicity: self.ethnicity.clone(),
            education: self.education.clone(),
            occupation: self.occupation.clone(),
            work_unit: self.work_unit.clone(),
            phone: self.phone.clone(),
            joined_on: joined_on.to_owned(),
            kind: "probationary".into(),
            ..MemberInput::default()
        }
    }

    /// Checks every field, then the age on the application day (18 or older).
    pub fn validate(&self, today: Date) -> Result<(Applicant, DevState), ApplicantError> {
        let mut input = self.member_input(&self.applied_on);
        // Sex comes from the identity number; a form does not ask for it twice.
        input.sex =
            crate::id_number::IdNumber::parse(&self.id_number).map(|i| i.sex().code().to_owned()).unwrap_or_default();
        let fields = input.validate(today).map_err(|errors| {
            let errors: Vec<MemberError> = errors
                .into_iter()
                .filter(|e| !matches!(e, MemberError::JoinedUnder18 { .. } | MemberError::Missing { field: "sex", .. }))
                .map(|e| match e {
                    MemberError::Missing { field: "joined_on", .. } => {
                        MemberError::Missing { field: "applied_on", field_label: "申请日期" }
                    }
                    MemberError::DateInvalid { field: "joined_on", .. } => {
                        MemberError::DateInvalid { field: "applied_on", field_label: "申请日期" }
                    }
                    MemberError::FutureDate { field: "joined_on", .. } => {
                        MemberError::FutureDate { field: "applied_on", field_label: "申请日期" }
                    }
                    e => e,
                })
                .collect();
            errors
        });
        let fields = match fields {
            Ok(f) => f,
            Err(errors) if errors.is_empty() => {
                // Only the age was wrong: say it in the pipeline's words.
                let id = crate::id_number::IdNumber::parse(&self.id_number).expect("checked");
                let on = crate::date::parse(&self.applied_on).expect("checked");
                return Err(ApplicantError::Development(start(id.birth_date(), on, today).expect_err("under age")));
            }
            Err(errors) => return Err(ApplicantError::Fields(errors)),
        };
        let state = start(fields.birth_date, fields.joined_on, today).map_err(ApplicantError::Development)?;
        Ok((Applicant { applied_on: fields.joined_on, fields }, state))
    }
}

impl Applicant {
    /// The particulars of a probationary member who joined on `joined_on` (the admission meeting).
    pub fn member_input(&self, joined_on: Date) -> MemberInput {
        let f = &self.fields;
        MemberInput {
            name: f.name.clone(),
            sex: f.sex.code().into(),
            ethnicity: format!("{:02}", f.ethnicity.code()),
            birth_date: f.birth_date.to_string(),
            id_number: f.id_number.to_string(),
            education: f.education.code().into(),
            occupation: f.occupation.code().into(),
            work_unit: f.work_unit.clone(),
            phone: f.phone.clone(),
            joined_on: joined_on.to_string(),
            kind: "probationary".into(),
            ..MemberInput::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::parse;
    use crate::id_number::IdNumber;

    fn input(born: &str, applied_on: &str) -> ApplicantInput {
        ApplicantInput {
            name: "陈小明".into(),
            id_number: IdNumber::compose(330203, parse(born).unwrap(), 15).to_string(),
            ethnicity: "01".into(),
            education: "university".into(),
            occupation: "worker".into(),
            applied_on: applied_on.into(),
            ..Default::default()
        }
    }

    const TODAY: &str = "2026-01-01";

    #[test]
    fn a_valid_application_gives_an_applicant_born_on_the_identity_numbers_date() {
        let (a, s) = input("2000-02-29", "2020-03-01").validate(parse(TODAY).unwrap()).unwrap();
        assert_eq!(a.fields.birth_date, parse("2000-02-29").unwrap());
        assert_eq!(a.applied_on, parse("2020-03-01").unwrap());
        assert_eq!(s.stage, super::super::DevStage::Applicant);
        let m = a.member_input(parse("2022-06-01").unwrap()).validate(parse(TODAY).unwrap()).unwrap();
        assert_eq!(m.id_number, a.fields.id_number);
        assert_eq!(m.kind, crate::member::MemberKind::Probationary);
    }

    #[test]
    fn an_under_age_application_is_refused_with_the_pipeline_code() {
        let e = input("2004-06-15", "2022-06-14").validate(parse(TODAY).unwrap()).unwrap_err();
        assert_eq!(e.code(), "development.under_age");
    }

    #[test]
    fn bad_fields_are_all_reported_under_their_own_names() {
        let mut i = input("2000-01-01", "2030-01-01");
        i.id_number = "123".into();
        i.name = String::new();
        let ApplicantError::Fields(errors) = i.validate(parse(TODAY).unwrap()).unwrap_err() else { panic!() };
        let fields: Vec<&str> = errors.iter().map(MemberError::field).collect();
        assert_eq!(fields, ["name", "id_number", "applied_on"]);
    }
}
