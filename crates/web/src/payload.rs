//! What a client sends to create or change a record — one type per record, read from a UI form
//! (urlencoded) and from an API body (JSON) alike, so both paths validate the same way.

use qiangji_domain::date::{self, Date};
use qiangji_domain::member::{MemberError, MemberFields, MemberInput};
use qiangji_domain::org::{OrgInput, Post};
use qiangji_store::StoreError;
use qiangji_store::org::posts::PostHolder;
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

/// A yes/no field: a checkbox sends `on` when ticked and nothing otherwise; JSON sends a boolean.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Flag(pub bool);

/// Text that a JSON client may also send as a number (e.g. `term_years: 5`).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Text(pub String);

struct FlagVisitor;

impl Visitor<'_> for FlagVisitor {
    type Value = Flag;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("true/false, or a checkbox value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Flag, E> {
        Ok(Flag(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Flag, E> {
        match v {
            "on" | "true" | "1" | "是" => Ok(Flag(true)),
            "" | "off" | "false" | "0" | "否" => Ok(Flag(false)),
            other => Err(E::custom(format!("无法识别的是/否取值：{other}"))),
        }
    }
}

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(FlagVisitor)
    }
}

struct TextVisitor;

impl Visitor<'_> for TextVisitor {
    type Value = Text;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("text or a number")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
        Ok(Text(v.to_owned()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text, E> {
        Ok(Text(v.to_string()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text, E> {
        Ok(Text(v.to_string()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Text, E> {
        Ok(Text::default())
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TextVisitor)
    }
}

/// A member record as sent, plus the membership date (new members) and the reason for the change.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MemberPayload {
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
    #[serde(deserialize_with = "null_as_empty")]
    pub work_started_on: String,
    pub phone: String,
    pub address: String,
    pub joined_on: String,
    #[serde(deserialize_with = "null_as_empty")]
    pub full_on: String,
    pub kind: String,
    pub floating: Flag,
    pub lost_contact: Flag,
    pub hardship: Flag,
    pub postless: Flag,
    /// The date the member joined this organization (registration only; empty = today).
    pub since: String,
    pub reason: String,
    /// For a member taken in with a letter from outside the deployment: who issued it.
    pub from_outside: String,
}

impl MemberPayload {
    /// The date of joining this organization: today when left empty.
    pub fn since_date(&self) -> Result<Date, MemberError> {
        match self.since.trim() {
            "" => Ok(date::today()),
            s => date::parse(s)
                .ok_or(MemberError::DateInvalid { field: "since", field_label: "组织关系转入日期" }),
        }
    }

    /// Validates the record and the membership date together, reporting every problem.
    pub fn validate_new(&self) -> Result<(MemberFields, Date), Vec<MemberError>> {
        match (self.input().validate(date::today()), self.since_date()) {
            (Ok(fields), Ok(since)) => Ok((fields, since)),
            (Err(mut errors), since) => {
                errors.extend(since.err());
                Err(errors)
            }
            (Ok(_), Err(e)) => Err(vec![e]),
        }
    }

    /// The edit of a registered member: an empty 身份证号 or 电话 keeps the registered one (edit
    /// forms never carry them in full, and API clients read them masked).
    pub fn input_keeping(&self, current: &qiangji_domain::member::MemberFields) -> MemberInput {
        let mut input = self.input();
        if input.id_number.trim().is_empty() {
            input.id_number = current.id_number.as_str().to_owned();
        }
        if input.phone.trim().is_empty() {
            input.phone.clone_from(&current.phone);
        }
        input
    }

    pub fn input(&self) -> MemberInput {
        MemberInput {
            name: self.name.clone(),
            sex: self.sex.clone(),
            ethnicity: self.ethnicity.clone(),
            birth_date: self.birth_date.clone(),
            native_place: self.native_place.clone(),
            id_number: self.id_number.clone(),
            education: self.education.clone(),
            school: self.school.clone(),
            major: self.major.clone(),
            degree: self.degree.clone(),
            occupation: self.occupation.clone(),
            work_unit: self.work_unit.clone(),
            job_title: self.job_title.clone(),
            work_started_on: self.work_started_on.clone(),
            phone: self.phone.clone(),
            address: self.address.clone(),
            joined_on: self.joined_on.clone(),
            full_on: self.full_on.clone(),
            kind: self.kind.clone(),
            floating: self.floating.0,
            lost_contact: self.lost_contact.0,
            hardship: self.hardship.0,
            postless: self.postless.0,
        }
    }
}

/// An organization record as sent, plus the reason for the change.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OrgPayload {
    pub name: String,
    pub short_name: String,
    pub kind: String,
    pub sector: String,
    pub formation_mode: String,
    pub regional: Flag,
    pub joint: Flag,
    pub temporary: Flag,
    pub founded_on: String,
    pub term_start: String,
    pub term_years: Text,
    pub host_units: String,
    pub contact: String,
    pub phone: String,
    pub address: String,
    pub reason: String,
}

impl OrgPayload {
    pub fn input(&self) -> OrgInput {
        OrgInput {
            name: self.name.clone(),
            short_name: self.short_name.clone(),
            kind: self.kind.clone(),
            sector: self.sector.clone(),
            formation_mode: self.formation_mode.clone(),
            regional: self.regional.0,
            joint: self.joint.0,
            temporary: self.temporary.0,
            founded_on: self.founded_on.clone(),
            term_start: self.term_start.clone(),
            term_years: self.term_years.0.clone(),
            host_units: self.host_units.clone(),
            contact: self.contact.clone(),
            phone: self.phone.clone(),
            address: self.address.clone(),
        }
    }
}

/// One leadership post as sent: a post code, the person, optionally their member record and start date.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct PostPayload {
    pub post: String,
    pub person_name: String,
    pub member_id: Option<i64>,
    pub since: String,
}

impl PostPayload {
    /// The post holder, or what is wrong with the row (in Chinese, as an `Invalid` store error).
    pub fn holder(&self) -> Result<PostHolder, StoreError> {
        let post = Post::parse(self.post.trim())
            .map_err(|_| StoreError::Invalid(format!("请为“{}”选择职务", self.person_name.trim())))?;
        let since = match self.since.trim() {
            "" => None,
            s => Some(date::parse(s).ok_or_else(|| StoreError::Invalid(format!("任职日期格式应为 年-月-日：{s}")))?),
        };
        Ok(PostHolder { post, person_name: self.person_name.trim().to_owned(), member_id: self.member_id, since })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_and_a_json_body_give_the_same_input() {
        let form: OrgPayload =
            serde_urlencoded::from_str("name=%E6%94%AF%E9%83%A8&regional=on&term_years=5&kind=branch").unwrap();
        let json: OrgPayload =
            serde_json::from_str(r#"{"name":"支部","regional":true,"term_years":5,"kind":"branch"}"#).unwrap();
        assert_eq!(form.input().name, json.input().name);
        assert!(form.input().regional && json.input().regional);
        assert_eq!(form.input().term_years, "5");
        assert_eq!(json.input().term_years, "5");
        assert!(!form.input().joint, "an unticked checkbox is absent and means no");
    }

    #[test]
    fn an_unrecognised_flag_value_is_an_error_not_a_silent_no() {
        assert!(serde_json::from_str::<MemberPayload>(r#"{"floating":"maybe"}"#).is_err());
    }
}

/// A floating-member step as sent, from the forms and the API alike: `action` says which
/// (`outflow`, `contact`, `end` on a member; `inflow`, `end` on an organization) and only that
/// action's fields are read. `reason` is why, for the ledger; the outflow's reason code is
/// `outflow_reason` and the end's `end_reason`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct FloatingPayload {
    pub action: String,
    pub place: String,
    pub unit: String,
    pub outflow_reason: String,
    pub fixed_place: Flag,
    pub since: String,
    pub expected_return: String,
    pub activity_card: String,
    pub phone: String,
    pub name: String,
    pub id_number: String,
    pub origin_org: String,
    pub origin_place: String,
    pub on: String,
    pub way: String,
    pub note: String,
    pub end_reason: String,
    /// The registration an `end` on an organization is about.
    pub floating_id: Text,
    pub reason: String,
}

impl FloatingPayload {
    pub fn outflow(&self) -> qiangji_domain::floating::OutflowInput {
        qiangji_domain::floating::OutflowInput {
            place: self.place.clone(),
            unit: self.unit.clone(),
            reason: self.outflow_reason.clone(),
            fixed_place: self.fixed_place.0,
            since: self.since.clone(),
            expected_return: self.expected_return.clone(),
            activity_card: self.activity_card.clone(),
            phone: self.phone.clone(),
        }
    }

    pub fn inflow(&self) -> qiangji_domain::floating::InflowInput {
        qiangji_domain::floating::InflowInput {
            name: self.name.clone(),
            id_number: self.id_number.clone(),
            origin_org: self.origin_org.clone(),
            origin_place: self.origin_place.clone(),
            unit: self.unit.clone(),
            since: self.since.clone(),
            activity_card: self.activity_card.clone(),
            phone: self.phone.clone(),
        }
    }

    pub fn contact(&self) -> qiangji_domain::floating::ContactInput {
        qiangji_domain::floating::ContactInput { on: self.on.clone(), way: self.way.clone(), note: self.note.clone() }
    }

    pub fn end(&self) -> qiangji_domain::floating::EndInput {
        qiangji_domain::floating::EndInput { on: self.on.clone(), reason: self.end_reason.clone() }
    }
}

/// A date the API answers as `null` when absent is accepted back as `null` too, so that what a
/// client read can be sent back unchanged.
fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

/// Asking to see a member's personal numbers in full: why (recorded with the showing).
#[derive(Deserialize, Default)]
pub struct RevealPayload {
    #[serde(default)]
    pub purpose: String,
}
