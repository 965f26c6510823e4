//! Member input → valid member fields. Every rule that a registry officer would check by eye.

use super::{Education, Ethnicity, MemberKind, Occupation, Sex};
use crate::date::{self, Date};
use crate::id_number::{IdNumber, IdNumberError};
use crate::name;

/// A member's attributes as entered (form or API); strings so that every error can be reported.
#[derive(Debug, Clone, Default)]
pub struct MemberInput {
    pub name: String,
    pub sex: String,
    pub ethnicity: String,
    pub birth_date: String,
    pub native_place: String,
    pub id_number: String,
    pub education: String,
    pub school: String,
    pub major: String,
    pub degree: String,
    pub occupation: String,
    pub work_unit: String,
    pub job_title: String,
    pub work_started_on: String,
    pub phone: String,
    pub address: String,
    pub joined_on: String,
    pub full_on: String,
    pub kind: String,
    pub floating: bool,
    pub lost_contact: bool,
    pub hardship: bool,
    pub postless: bool,
}

/// Valid member attributes. The only constructor is [`MemberInput::validate`].
#[derive(Debug, Clone, PartialEq)]
pub struct MemberFields {
    pub name: String,
    pub initials: String,
    pub sex: Sex,
    pub ethnicity: Ethnicity,
    pub birth_date: Date,
    pub native_place: String,
    pub id_number: IdNumber,
    pub education: Education,
    pub school: String,
    pub major: String,
    pub degree: String,
    pub occupation: Occupation,
    pub work_unit: String,
    pub job_title: String,
    pub work_started_on: Option<Date>,
    pub phone: String,
    pub address: String,
    pub joined_on: Date,
    pub full_on: Option<Date>,
    pub kind: MemberKind,
    pub floating: bool,
    pub lost_contact: bool,
    pub hardship: bool,
    pub postless: bool,
}

/// What is wrong with member input. Each variant names its field for the form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MemberError {
    #[error("请填写{field_label}")]
    Missing { field: &'static str, field_label: &'static str },
    #[error("姓名过长（最多30字）")]
    NameTooLong,
    #[error("{0}")]
    IdNumber(IdNumberError),
    #[error("{field_label}格式应为 年-月-日，例如 1990-07-01")]
    DateInvalid { field: &'static str, field_label: &'static str },
    #[error("{field_label}不能晚于今天")]
    FutureDate { field: &'static str, field_label: &'static str },
    #[error("未知的{field_label}：{value}")]
    UnknownCode { field: &'static str, field_label: &'static str, value: String },
    #[error("出生日期与身份证号不一致（身份证号显示为{from_id}）")]
    BirthDateMismatch { from_id: Date },
    #[error("性别与身份证号不一致（身份证号显示为{from_id}）")]
    SexMismatch { from_id: &'static str },
    #[error("入党时未满18周岁（{adult_on}才满18周岁）")]
    JoinedUnder18 { adult_on: Date },
    #[error("转正日期不能早于入党日期")]
    FullBeforeJoined,
    #[error("正式党员应填写转正日期")]
    FullOnMissing,
    #[error("预备党员不应有转正日期")]
    ProbationaryWithFullOn,
    #[error("参加工作日期不能早于出生日期")]
    WorkBeforeBirth,
    #[error("联系电话格式不正确")]
    PhoneInvalid,
}

impl MemberError {
    /// Stable machine code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            MemberError::Missing { .. } => "member.field_missing",
            MemberError::NameTooLong => "member.name_too_long",
            MemberError::IdNumber(_) => "member.id_number_invalid",
            MemberError::DateInvalid { .. } => "member.date_invalid",
            MemberError::FutureDate { .. } => "member.date_in_future",
            MemberError::UnknownCode { .. } => "member.code_unknown",
            MemberError::BirthDateMismatch { .. } => "member.birth_date_mismatch",
            MemberError::SexMismatch { .. } => "member.sex_mismatch",
            MemberError::JoinedUnder18 { .. } => "member.joined_under_18",
            MemberError::FullBeforeJoined => "member.full_before_joined",
            MemberError::FullOnMissing => "member.full_on_missing",
            MemberError::ProbationaryWithFullOn => "member.probationary_with_full_on",
            MemberError::WorkBeforeBirth => "member.work_before_birth",
            MemberError::PhoneInvalid => "member.phone_invalid",
        }
    }

    /// The input field the error belongs to.
    pub fn field(&self) -> &'static str {
        match self {
            MemberError::Missing { field, .. }
            | MemberError::DateInvalid { field, .. }
            | MemberError::FutureDate { field, .. }
            | MemberError::UnknownCode { field, .. } => field,
            MemberError::NameTooLong => "name",
            MemberError::IdNumber(_) => "id_number",
            MemberError::BirthDateMismatch { .. } => "birth_date",
            MemberError::SexMismatch { .. } => "sex",
            MemberError::JoinedUnder18 { .. } => "joined_on",
            MemberError::FullBeforeJoined | MemberError::FullOnMissing | MemberError::ProbationaryWithFullOn => {
                "full_on"
            }
            MemberError::WorkBeforeBirth => "work_started_on",
            MemberError::PhoneInvalid => "phone",
        }
    }
}

/// Collects errors so that a form shows all of them at once.
struct Check {
    today: Date,
    errors: Vec<MemberError>,
}

impl Check {
    fn required<'a>(&mut self, raw: &'a str, field: &'static str, field_label: &'static str) -> Option<&'a str> {
        let v = raw.trim();
        if v.is_empty() {
            self.errors.push(MemberError::Missing { field, field_label });
            None
        } else {
            Some(v)
        }
    }

    fn date(&mut self, raw: &str, field: &'static str, field_label: &'static str, required: bool) -> Option<Date> {
        if raw.trim().is_empty() {
            if required {
                self.errors.push(MemberError::Missing { field, field_label });
            }
            return None;
        }
        match date::parse(raw) {
            None => {
                self.errors.push(MemberError::DateInvalid { field, field_label });
                None
            }
            Some(d) if d > self.today => {
                self.errors.push(MemberError::FutureDate { field, field_label });
                None
            }
            Some(d) => Some(d),
        }
    }

    fn code<T>(
        &mut self,
        raw: &str,
        field: &'static str,
        field_label: &'static str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        let v = self.required(raw, field, field_label)?;
        let parsed = parse(v);
        if parsed.is_none() {
            self.errors.push(MemberError::UnknownCode { field, field_label, value: v.to_owned() });
        }
        parsed
    }
}

pub(crate) fn phone_ok(p: &str) -> bool {
    let digits: String = p.chars().filter(|c| !matches!(c, '-' | ' ' | '+')).collect();
    digits.chars().all(|c| c.is_ascii_digit()) && (7..=15).contains(&digits.len())
}

impl MemberInput {
    /// Checks every field against every rule; returns all errors found, or valid fields.
    pub fn validate(&self, today: Date) -> Result<MemberFields, Vec<MemberError>> {
        let mut c = Check { today, errors: Vec::new() };
        let name = c.required(&self.name, "name", "姓名").map(str::to_owned);
        if name.as_ref().is_some_and(|n| n.chars().count() > 30) {
            c.errors.push(MemberError::NameTooLong);
        }
        let sex = c.code(&self.sex, "sex", "性别", |s| Sex::parse(s).ok());
        let ethnicity = c.code(&self.ethnicity, "ethnicity", "民族", Ethnicity::parse);
        let education = c.code(&self.education, "education", "学历", |s| Education::parse(s).ok());
        let occupation = c.code(&self.occupation, "occupation", "职业", |s| Occupation::parse(s).ok());
        let kind = c.code(&self.kind, "kind", "党员类别", |s| MemberKind::parse(s).ok());
        let id_number = match c.required(&self.id_number, "id_number", "身份证号") {
            Some(raw) => match IdNumber::parse(raw) {
                Ok(id) => Some(id),
                Err(e) => {
                    c.errors.push(MemberError::IdNumber(e));
                    None
                }
            },
            None => None,
        };
        // The birth date may be left empty: the ID number carries it.
        let birth_date = c
            .date(&self.birth_date, "birth_date", "出生日期", false)
            .or_else(|| id_number.as_ref().map(IdNumber::birth_date));
        let joined_on = c.date(&self.joined_on, "joined_on", "入党日期", true);
        let full_on = c.date(&self.full_on, "full_on", "转正日期", false);
        let work_started_on = c.date(&self.work_started_on, "work_started_on", "参加工作日期", false);

        if let (Some(id), Some(born)) = (&id_number, birth_date)
            && id.birth_date() != born
        {
            c.errors.push(MemberError::BirthDateMismatch { from_id: id.birth_date() });
        }
        if let (Some(id), Some(sex)) = (&id_number, sex)
            && id.sex() != sex
        {
            c.errors.push(MemberError::SexMismatch { from_id: id.sex().label() });
        }
        if let (Some(born), Some(joined)) = (birth_date, joined_on) {
            let adult_on = date::birthday(born, 18);
            if joined < adult_on {
                c.errors.push(MemberError::JoinedUnder18 { adult_on });
            }
        }
        if let (Some(born), Some(work)) = (birth_date, work_started_on)
            && work < born
        {
            c.errors.push(MemberError::WorkBeforeBirth);
        }
        match (kind, full_on) {
            (Some(MemberKind::Full), None) if self.full_on.trim().is_empty() => {
                c.errors.push(MemberError::FullOnMissing)
            }
            (Some(MemberKind::Probationary), Some(_)) => c.errors.push(MemberError::ProbationaryWithFullOn),
            _ => {}
        }
        if let (Some(joined), Some(full)) = (joined_on, full_on)
            && full < joined
        {
            c.errors.push(MemberError::FullBeforeJoined);
        }
        let phone = self.phone.trim().to_owned();
        if !phone.is_empty() && !phone_ok(&phone) {
            c.errors.push(MemberError::PhoneInvalid);
        }

        if !c.errors.is_empty() {
            return Err(c.errors);
        }
        let name = name.expect("checked");
        Ok(MemberFields {
            initials: name::initials(&name),
            name,
            sex: sex.expect("checked"),
            ethnicity: ethnicity.expect("checked"),
            birth_date: birth_date.expect("checked"),
            native_place: self.native_place.trim().to_owned(),
            id_number: id_number.expect("checked"),
            education: education.expect("checked"),
            school: self.school.trim().to_owned(),
            major: self.major.trim().to_owned(),
            degree: self.degree.trim().to_owned(),
            occupation: occupation.expect("checked"),
            work_unit: self.work_unit.trim().to_owned(),
            job_title: self.job_title.trim().to_owned(),
            work_started_on,
            phone,
            address: self.address.trim().to_owned(),
            joined_on: joined_on.expect("checked"),
            full_on,
            kind: kind.expect("checked"),
            floating: self.floating,
            lost_contact: self.lost_contact,
            hardship: self.hardship,
            postless: self.postless,
        })
    }
}

impl MemberFields {
    /// The input that would produce these fields again (for edit forms and round trips).
    pub fn to_input(&self) -> MemberInput {
        let opt = |d: Option<Date>| d.map(|d| d.to_string()).unwrap_or_default();
        MemberInput {
            name: self.name.clone(),
            sex: self.sex.code().into(),
            ethnicity: format!("{:02}", self.ethnicity.code()),
            birth_date: self.birth_date.to_string(),
            native_place: self.native_place.clone(),
            id_number: self.id_number.to_string(),
            education: self.education.code().into(),
            school: self.school.clone(),
            major: self.major.clone(),
            degree: self.degree.clone(),
            occupation: self.occupation.code().into(),
            work_unit: self.work_unit.clone(),
            job_title: self.job_title.clone(),
            work_started_on: opt(self.work_started_on),
            phone: self.phone.clone(),
            address: self.address.clone(),
            joined_on: self.joined_on.to_string(),
            full_on: opt(self.full_on),
            kind: self.kind.code().into(),
            floating: self.floating,
            lost_contact: self.lost_contact,
            hardship: self.hardship,
            postless: self.postless,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        date::parse("2026-11-23").unwrap()
    }

    fn valid() -> MemberInput {
        MemberInput {
            name: "张三".into(),
            sex: "female".into(),
            ethnicity: "汉族".into(),
            id_number: "11010519491231002X".into(),
            education: "university".into(),
            occupation: "retired".into(),
            joined_on: "1970-07-01".into(),
            full_on: "1971-07-01".into(),
            kind: "full".into(),
            phone: "138-0000-0000".into(),
            ..Default::default()
        }
    }

    fn codes(input: MemberInput) -> Vec<&'static str> {
        input.validate(today()).unwrap_err().iter().map(MemberError::code).collect()
    }

    #[test]
    fn a_valid_member_gets_birth_date_from_the_id_number_and_initials_from_the_name() {
        let m = valid().validate(today()).unwrap();
        assert_eq!(m.birth_date, date::parse("1949-12-31").unwrap());
        assert_eq!(m.initials, "zs");
        assert_eq!(m.to_input().validate(today()).unwrap(), m);
    }

    #[test]
    fn each_rule_is_enforced_with_its_own_code() {
        type Case = (fn(&mut MemberInput), &'static str);
        let cases: Vec<Case> = vec![
            (|m| m.id_number = "110105194912310021".into(), "member.id_number_invalid"),
            (|m| m.birth_date = "1950-01-01".into(), "member.birth_date_mismatch"),
            (|m| m.sex = "male".into(), "member.sex_mismatch"),
            (|m| m.joined_on = "1967-12-30".into(), "member.joined_under_18"),
            (|m| m.joined_on = "2099-01-01".into(), "member.date_in_future"),
            (|m| m.full_on = "1969-01-01".into(), "member.full_before_joined"),
            (|m| m.full_on = "".into(), "member.full_on_missing"),
            (|m| m.kind = "probationary".into(), "member.probationary_with_full_on"),
            (|m| m.education = "kindergarten".into(), "member.code_unknown"),
            (|m| m.phone = "电话".into(), "member.phone_invalid"),
            (|m| m.name = " ".into(), "member.field_missing"),
            (|m| m.work_started_on = "1940-01-01".into(), "member.work_before_birth"),
        ];
        for (mutate, code) in cases {
            let mut m = valid();
            mutate(&mut m);
            assert_eq!(codes(m), [code]);
        }
    }

    #[test]
    fn joining_on_the_18th_birthday_is_allowed() {
        let mut m = valid();
        m.joined_on = "1967-12-31".into();
        m.full_on = "1968-12-31".into();
        assert!(m.validate(today()).is_ok());
    }

    #[test]
    fn all_errors_are_reported_together() {
        let got = codes(MemberInput::default());
        assert!(got.len() >= 6, "{got:?}");
    }
}
