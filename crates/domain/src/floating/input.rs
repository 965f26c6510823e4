//! Registrations as entered (strings, from a form or JSON) → valid values. The first problem
//! found is reported; each names its field in Chinese.

use super::{ContactWay, EndReason, FloatingError, OutflowReason};
use crate::date::{self, Date};
use crate::id_number::IdNumber;

/// Longest free-text field (place, unit, organization).
const TEXT_MAX: usize = 100;
/// Longest note of a contact record.
const NOTE_MAX: usize = 500;

/// An outflow registration (流出登记) as entered.
#[derive(Debug, Clone, Default)]
pub struct OutflowInput {
    /// 流入地 (place).
    pub place: String,
    /// 流入单位 (unit), may be empty.
    pub unit: String,
    pub reason: String,
    /// Settled at one place (固定地点): with six months away this means they should transfer.
    pub fixed_place: bool,
    pub since: String,
    pub expected_return: String,
    /// 流动党员活动证 number, may be empty.
    pub activity_card: String,
    pub phone: String,
}

/// A valid outflow. The only constructor is [`OutflowInput::validate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outflow {
    pub place: String,
    pub unit: String,
    pub reason: OutflowReason,
    pub fixed_place: bool,
    pub since: Date,
    pub expected_return: Option<Date>,
    pub activity_card: String,
    pub phone: String,
}

/// An inflow registration (流入登记) at the host, as entered. For a member of this deployment
/// the store fills name and ID number from the record; for one from elsewhere they are entered.
#[derive(Debug, Clone, Default)]
pub struct InflowInput {
    pub name: String,
    pub id_number: String,
    /// 原所在党组织.
    pub origin_org: String,
    /// 原所在地 (where they came from).
    pub origin_place: String,
    /// 现工作单位 at the host, may be empty.
    pub unit: String,
    pub since: String,
    pub activity_card: String,
    pub phone: String,
}

/// A valid inflow. The only constructor is [`InflowInput::validate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inflow {
    pub name: String,
    pub id_number: IdNumber,
    pub origin_org: String,
    pub origin_place: String,
    pub unit: String,
    pub since: Date,
    pub activity_card: String,
    pub phone: String,
}

/// A contact record (联系记录) as entered.
#[derive(Debug, Clone, Default)]
pub struct ContactInput {
    pub on: String,
    pub way: String,
    pub note: String,
}

/// A valid contact record. The only constructor is [`ContactInput::validate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub on: Date,
    pub way: ContactWay,
    pub note: String,
}

/// The end of a registration as entered.
#[derive(Debug, Clone, Default)]
pub struct EndInput {
    pub on: String,
    pub reason: String,
}

/// A valid end. The only constructor is [`EndInput::validate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct End {
    pub on: Date,
    pub reason: EndReason,
}

fn text(raw: &str, field_label: &'static str, max: usize, required: bool) -> Result<String, FloatingError> {
    let v = raw.trim();
    if required && v.is_empty() {
        return Err(FloatingError::Missing { field_label });
    }
    if v.chars().count() > max {
        return Err(FloatingError::TooLong { field_label, max });
    }
    Ok(v.to_owned())
}

/// A past or present date; `None` for an empty optional one.
fn day(raw: &str, field_label: &'static str, required: bool) -> Result<Option<Date>, FloatingError> {
    if raw.trim().is_empty() {
        return if required { Err(FloatingError::Missing { field_label }) } else { Ok(None) };
    }
    let d = date::parse(raw).ok_or(FloatingError::DateInvalid { field_label })?;
    Ok(Some(d))
}

fn past(raw: &str, field_label: &'static str, today: Date) -> Result<Date, FloatingError> {
    let d = day(raw, field_label, true)?.expect("required");
    if d > today {
        return Err(FloatingError::DateInFuture { field_label });
    }
    Ok(d)
}

fn code<T>(
    raw: &str,
    field_label: &'static str,
    parse: impl Fn(&str) -> Result<T, crate::code::UnknownCode>,
) -> Result<T, FloatingError> {
    let v = raw.trim();
    if v.is_empty() {
        return Err(FloatingError::Missing { field_label });
    }
    parse(v).map_err(|_| FloatingError::UnknownCode { field_label, value: v.to_owned() })
}

fn phone(raw: &str) -> Result<String, FloatingError> {
    let p = raw.trim();
    if !p.is_empty() && !crate::member::phone_ok(p) {
        return Err(FloatingError::PhoneInvalid);
    }
    Ok(p.to_owned())
}

impl OutflowInput {
    pub fn validate(&self, today: Date) -> Result<Outflow, FloatingError> {
        let place = text(&self.place, "流入地", TEXT_MAX, true)?;
        let unit = text(&self.unit, "流入单位", TEXT_MAX, false)?;
        let reason = code(&self.reason, "外出原因", OutflowReason::parse)?;
        let since = past(&self.since, "外出日期", today)?;
        let expected_return = day(&self.expected_return, "预计返回日期", false)?;
        if let Some(r) = expected_return
            && r < since
        {
            return Err(FloatingError::DateOrder { later: "预计返回日期", earlier: "外出日期", on: since });
        }
        let activity_card = text(&self.activity_card, "流动党员活动证号", 30, false)?;
        let phone = phone(&self.phone)?;
        Ok(Outflow { place, unit, reason, fixed_place: self.fixed_place, since, expected_return, activity_card, phone })
    }
}

impl InflowInput {
    pub fn validate(&self, today: Date) -> Result<Inflow, FloatingError> {
        let name = text(&self.name, "姓名", 30, true)?;
        if self.id_number.trim().is_empty() {
            return Err(FloatingError::Missing { field_label: "身份证号" });
        }
        let id_number = IdNumber::parse(&self.id_number).map_err(FloatingError::IdNumber)?;
        let origin_org = text(&self.origin_org, "原所在党组织", TEXT_MAX, true)?;
        let origin_place = text(&self.origin_place, "原所在地", TEXT_MAX, false)?;
        let unit = text(&self.unit, "现工作单位", TEXT_MAX, false)?;
        let since = past(&self.since, "流入日期", today)?;
        let activity_card = text(&self.activity_card, "流动党员活动证号", 30, false)?;
        let phone = phone(&self.phone)?;
        Ok(Inflow { name, id_number, origin_org, origin_place, unit, since, activity_card, phone })
    }
}

impl ContactInput {
    pub fn validate(&self, today: Date) -> Result<Contact, FloatingError> {
        let on = past(&self.on, "联系日期", today)?;
        let way = code(&self.way, "联系方式", ContactWay::parse)?;
        let note = text(&self.note, "联系情况", NOTE_MAX, true)?;
        Ok(Contact { on, way, note })
    }
}

impl EndInput {
    pub fn validate(&self, today: Date) -> Result<End, FloatingError> {
        let on = past(&self.on, "结束日期", today)?;
        let reason = code(&self.reason, "结束原因", EndReason::parse)?;
        Ok(End { on, reason })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        date::parse(s).unwrap()
    }

    fn outflow() -> OutflowInput {
        OutflowInput {
            place: "广东省深圳市南山区".into(),
            unit: "深圳某科技有限公司".into(),
            reason: "business".into(),
            fixed_place: true,
            since: "2026-01-10".into(),
            expected_return: "2026-12-31".into(),
            activity_card: "浙宁2026001".into(),
            phone: "138-0000-0000".into(),
        }
    }

    #[test]
    fn a_complete_outflow_is_valid() {
        let o = outflow().validate(d("2026-03-01")).unwrap();
        assert_eq!(o.reason, OutflowReason::Business);
        assert_eq!(o.since, d("2026-01-10"));
        assert_eq!(o.expected_return, Some(d("2026-12-31")));
    }

    #[test]
    fn invalid_outflows_say_what_is_wrong() {
        let today = d("2026-03-01");
        type Change = fn(&mut OutflowInput);
        let cases: Vec<(Change, &str)> = vec![
            (|o| o.place = " ".into(), "floating.field_missing"),
            (|o| o.reason = "holiday".into(), "floating.code_unknown"),
            (|o| o.since = "2026/01/10".into(), "floating.date_invalid"),
            (|o| o.since = "2026-03-02".into(), "floating.date_in_future"),
            (|o| o.expected_return = "2025-12-31".into(), "floating.date_order"),
            (|o| o.phone = "电话".into(), "floating.phone_invalid"),
            (|o| o.place = "地".repeat(101), "floating.field_too_long"),
        ];
        for (change, code) in cases {
            let mut o = outflow();
            change(&mut o);
            assert_eq!(o.validate(today).unwrap_err().code(), code);
        }
    }

    #[test]
    fn an_inflow_needs_a_valid_id_number_and_origin() {
        let today = d("2026-03-01");
        let mut i = InflowInput {
            name: "李四".into(),
            id_number: "11010519491231002x".into(),
            origin_org: "中共某县某村支部".into(),
            since: "2026-02-01".into(),
            ..Default::default()
        };
        assert_eq!(i.validate(today).unwrap().id_number.as_str(), "11010519491231002X");
        i.id_number = "110105194912310021".into();
        assert_eq!(i.validate(today).unwrap_err().code(), "floating.id_number_invalid");
        i.id_number = String::new();
        assert_eq!(i.validate(today).unwrap_err().code(), "floating.field_missing");
    }

    #[test]
    fn a_contact_and_an_end_need_their_codes_and_a_past_date() {
        let today = d("2026-03-01");
        let c =
            ContactInput { on: "2026-02-01".into(), way: "phone".into(), note: "电话联系，工作正常".into() };
        assert_eq!(c.validate(today).unwrap().way, ContactWay::Phone);
        let c = ContactInput { way: "pigeon".into(), ..c };
        assert_eq!(c.validate(today).unwrap_err().code(), "floating.code_unknown");
        let e = EndInput { on: "2026-03-02".into(), reason: "returned".into() };
        assert_eq!(e.validate(today).unwrap_err().code(), "floating.date_in_future");
        let e = EndInput { on: "2026-03-01".into(), reason: "transferred".into() };
        assert_eq!(e.validate(today).unwrap().reason, EndReason::Transferred);
    }
}
