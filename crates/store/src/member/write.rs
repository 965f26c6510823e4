//! Registering, editing and moving members; each one transaction with its ledger entry.

use crate::access::Access;
use crate::error::StoreError;
use crate::ledger::{NewEntry, Write, as_object, diff};
use crate::org::{
    Org,
    write::{common_prefix, load as load_org, next_id},
};
use crate::seal::{Field, Keyring};
use crate::{Store, params};
use qiangji_domain::Date;
use qiangji_domain::member::{MemberFields, MemberId, MemberKind, MemberStatus};
use qiangji_domain::org::{OrgError, OrgId, OrgKind};

/// The stored rendering of member attributes (also the ledger's field names).
pub(crate) fn field_values(f: &MemberFields) -> Vec<(&'static str, String)> {
    let opt = |d: Option<Date>| d.map(|d| d.to_string()).unwrap_or_default();
    let flag = |b: bool| u8::from(b).to_string();
    vec![
        ("name", f.name.clone()),
        ("sex", f.sex.code().into()),
        ("ethnicity", format!("{:02}", f.ethnicity.code())),
        ("birth_date", f.birth_date.to_string()),
        ("native_place", f.native_place.clone()),
        ("id_number", f.id_number.to_string()),
        ("education", f.education.code().into()),
        ("school", f.school.clone()),
        ("major", f.major.clone()),
        ("degree", f.degree.clone()),
        ("occupation", f.occupation.code().into()),
        ("work_unit", f.work_unit.clone()),
        ("job_title", f.job_title.clone()),
        ("work_started_on", opt(f.work_started_on)),
        ("phone", f.phone.clone()),
        ("address", f.address.clone()),
        ("joined_on", f.joined_on.to_string()),
        ("full_on", opt(f.full_on)),
        ("kind", f.kind.code().into()),
        ("floating", flag(f.floating)),
        ("lost_contact", flag(f.lost_contact)),
        ("hardship", flag(f.hardship)),
        ("postless", flag(f.postless)),
    ]
}

/// The stored attributes, in `INSERT_COLUMNS` order after `id, org_id, status`: personal numbers
/// sealed, the identity number's blind index last.
pub(crate) fn field_params(f: &MemberFields, keys: &Keyring) -> Vec<crate::db::Value> {
    params![
        f.name.clone(),
        f.initials.clone(),
        f.sex.code(),
        i64::from(f.ethnicity.code()),
        f.birth_date,
        f.native_place.clone(),
        keys.seal(Field::IdNumber, f.id_number.as_str()),
        f.education.code(),
        f.school.clone(),
        f.major.clone(),
        f.degree.clone(),
        f.occupation.code(),
        f.work_unit.clone(),
        f.job_title.clone(),
        f.work_started_on,
        keys.seal(Field::Phone, &f.phone),
        f.address.clone(),
        f.joined_on,
        f.full_on,
        f.kind.code(),
        f.floating,
        f.lost_contact,
        f.hardship,
        f.postless,
        keys.index(Field::IdNumber, f.id_number.as_str())
    ]
}

/// `field_values` as the ledger keeps them: personal numbers sealed.
pub(crate) fn sealed_object(f: &MemberFields, keys: &Keyring) -> serde_json::Value {
    let mut v = as_object(&field_values(f));
    keys.seal_payload(&mut v);
    v
}

pub(crate) const INSERT_COLUMNS: &str = "id, org_id, status, name, initials, sex, ethnicity, birth_date, native_place, \
     id_number, education, school, major, degree, occupation, work_unit, job_title, work_started_on, phone, address, \
     joined_on, full_on, kind, floating, lost_contact, hardship, postless, id_number_index";

/// Kind spans implied by the dates: probationary from joining, full from `full_on`.
pub(crate) fn initial_states(f: &MemberFields) -> Vec<(MemberKind, Date, Option<Date>)> {
    match f.full_on {
        Some(full_on) if f.kind == MemberKind::Full => {
            vec![(MemberKind::Probationary, f.joined_on, Some(full_on)), (MemberKind::Full, full_on, None)]
        }
        _ => vec![(f.kind, f.joined_on, None)],
    }
}

/// An organization that can hold members: in scope, not dissolved, not a 党小组.
pub(crate) fn check_receiver(org: &Org) -> Result<(), StoreError> {
    if org.is_dissolved() {
        return Err(OrgError::Dissolved.into());
    }
    if org.fields.kind == OrgKind::Group {
        return Err(StoreError::Invalid("党员的组织关系应在党支部（或党委、党总支），不能在党小组".into()));
    }
    Ok(())
}

async fn check_unique_id_number(w: &mut Write, f: &MemberFields, except: Option<MemberId>) -> Result<(), StoreError> {
    let taken =
        w.tx.opt(
            "SELECT id FROM member WHERE id_number_index = ? AND id <> ?",
            params![w.keys.index(Field::IdNumber, f.id_number.as_str()), except.map_or(0, |m| m.0)],
        )
        .await?;
    match taken {
        Some(_) => Err(StoreError::DuplicateIdNumber(f.id_number.masked())),
        None => Ok(()),
    }
}

/// Moves a member's open membership from one organization to another on `on`, inside `w`.
pub(crate) async fn relocate(
    w: &mut Write,
    access: &Access,
    member: MemberId,
    from: &Org,
    to: &Org,
    on: Date,
    reason: &str,
) -> Result<(), StoreError> {
    let open =
        w.tx.one("SELECT valid_from FROM membership WHERE member_id = ? AND valid_to IS NULL", params![member.0])
            .await?;
    if open.opt_date(0).is_some_and(|from_date| on < from_date) {
        return Err(StoreError::Invalid(format!("调整日期{on}早于该党员转入现组织的日期{}", open.text(0))));
    }
    w.tx.exec("UPDATE membership SET valid_to = ? WHERE member_id = ? AND valid_to IS NULL", params![on, member.0])
        .await?;
    w.tx.exec(
        "INSERT INTO membership (member_id, org_id, valid_from) VALUES (?, ?, ?)",
        params![member.0, to.id.0, on],
    )
    .await?;
    w.tx.exec("UPDATE member SET org_id = ? WHERE id = ?", params![to.id.0, member.0]).await?;
    w.record(
        access,
        NewEntry {
            kind: "member.moved",
            org_path: &common_prefix(&from.path, &to.path),
            subject: format!("member:{}", member.0),
            payload: serde_json::json!({
                "from_org_id": from.id.0, "from_org": from.fields.name,
                "to_org_id": to.id.0, "to_org": to.fields.name, "on": on.to_string(),
            }),
            reason,
        },
    )
    .await?;
    Ok(())
}

/// Registers a member in `org` from `since`, inside `w` (creation, or taking in from outside).
pub(crate) async fn insert_member(
    w: &mut Write,
    access: &Access,
    org: &Org,
    fields: &MemberFields,
    since: Date,
    reason: &str,
) -> Result<MemberId, StoreError> {
    if since < fields.joined_on {
        return Err(StoreError::Invalid("组织关系转入日期不能早于入党日期".into()));
    }
    check_receiver(org)?;
    check_unique_id_number(w, fields, None).await?;
    let id = next_id(&mut w.tx, "member").await?;
    let mut p = params![id, org.id.0, MemberStatus::Active.code()];
    p.append(&mut field_params(fields, &w.keys));
    let marks = vec!["?"; p.len()].join(", ");
    w.tx.exec(&format!("INSERT INTO member ({INSERT_COLUMNS}) VALUES ({marks})"), p).await?;
    w.tx.exec("INSERT INTO membership (member_id, org_id, valid_from) VALUES (?, ?, ?)", params![id, org.id.0, since])
        .await?;
    for (kind, from, to) in initial_states(fields) {
        w.tx.exec(
            "INSERT INTO member_state (member_id, kind, status, valid_from, valid_to) VALUES (?, ?, ?, ?, ?)",
            params![id, kind.code(), MemberStatus::Active.code(), from, to],
        )
        .await?;
    }
    let mut payload = sealed_object(fields, &w.keys);
    payload["org_id"] = serde_json::json!(org.id.0);
    payload["org"] = serde_json::json!(org.fields.name);
    payload["since"] = serde_json::json!(since.to_string());
    w.record(
        access,
        NewEntry { kind: "member.created", org_path: &org.path, subject: format!("member:{id}"), payload, reason },
    )
    .await?;
    Ok(MemberId(id))
}

/// Replaces a member's attributes inside `w`; a change of kind or dates re-derives the kind spans.
pub(crate) async fn update(
    w: &mut Write,
    access: &Access,
    org: &Org,
    id: MemberId,
    current: &MemberFields,
    fields: &MemberFields,
    reason: &str,
) -> Result<(), StoreError> {
    check_unique_id_number(w, fields, Some(id)).await?;
    let mut changes = serde_json::Value::Object(diff(&field_values(current), &field_values(fields)));
    if changes.as_object().is_some_and(serde_json::Map::is_empty) {
        return Ok(());
    }
    w.keys.seal_payload(&mut changes);
    let mut p = field_params(fields, &w.keys);
    p.push(id.0.into());
    w.tx.exec(
        "UPDATE member SET name = ?, initials = ?, sex = ?, ethnicity = ?, birth_date = ?, native_place = ?, id_number = ?, \
         education = ?, school = ?, major = ?, degree = ?, occupation = ?, work_unit = ?, job_title = ?, \
         work_started_on = ?, phone = ?, address = ?, joined_on = ?, full_on = ?, kind = ?, floating = ?, \
         lost_contact = ?, hardship = ?, postless = ?, id_number_index = ? WHERE id = ?",
        p,
    )
    .await?;
    if current.kind != fields.kind || current.joined_on != fields.joined_on || current.full_on != fields.full_on {
        // Kind history follows from the dates; a correction replaces the derived spans (the
        // ledger keeps what they were before) while status changes keep their dates.
        let old = super::status::load_states(&mut w.tx, id).await?;
        w.tx.exec("DELETE FROM member_state WHERE member_id = ?", params![id.0]).await?;
        for (kind, status, from, to) in super::status::merge_states(&initial_states(fields), &old) {
            w.tx.exec(
                "INSERT INTO member_state (member_id, kind, status, valid_from, valid_to) VALUES (?, ?, ?, ?, ?)",
                params![id.0, kind.code(), status.code(), from, to],
            )
            .await?;
        }
    }
    w.record(
        access,
        NewEntry {
            kind: "member.updated",
            org_path: &org.path,
            subject: format!("member:{}", id.0),
            payload: serde_json::json!({ "changes": changes }),
            reason,
        },
    )
    .await?;
    Ok(())
}

/// Sets a member's 流动 flag inside `w`, the same column `update_member` writes, and returns the
/// change as `update_member` records it (`{"floating": [old, new]}`, empty when unchanged), for
/// the caller's ledger entry. The entry's subject must be `member:N`: the statistics engine
/// re-reads every member named by an entry it follows.
pub(crate) async fn set_floating(
    w: &mut Write,
    member: MemberId,
    floating: bool,
) -> Result<serde_json::Map<String, serde_json::Value>, StoreError> {
    let old = w.tx.one("SELECT floating FROM member WHERE id = ?", params![member.0]).await?.flag(0);
    if old == floating {
        return Ok(serde_json::Map::new());
    }
    w.tx.exec("UPDATE member SET floating = ? WHERE id = ?", params![floating, member.0]).await?;
    let flag = |b: bool| u8::from(b).to_string();
    Ok(diff(&[("floating", flag(old))], &[("floating", flag(floating))]))
}

impl Store {
    /// Registers a member in `org`, a member of it from `since`.
    pub async fn create_member(
        &self,
        access: &Access,
        org: OrgId,
        fields: &MemberFields,
        since: Date,
        reason: &str,
    ) -> Result<MemberId, StoreError> {
        access.require(access.may_edit_members())?;
        if since > qiangji_domain::date::today() {
            return Err(StoreError::Invalid("组织关系转入日期不能晚于今天".into()));
        }
        let mut w = Write::begin(self).await?;
        let org = load_org(&mut w.tx, access, org).await?;
        let id = insert_member(&mut w, access, &org, fields, since, reason).await?;
        w.commit().await?;
        Ok(id)
    }

    /// Corrects or updates a member's attributes. Becoming a full member starts a new kind span.
    pub async fn update_member(
        &self,
        access: &Access,
        id: MemberId,
        fields: &MemberFields,
        reason: &str,
    ) -> Result<(), StoreError> {
        access.require(access.may_edit_members())?;
        let current = self.get_member(access, id).await?;
        let mut w = Write::begin(self).await?;
        // Re-read inside the transaction: the record may have changed since it was shown.
        let org = load_org(&mut w.tx, access, current.org_id).await?;
        if !fields.floating {
            // The flag follows the outflow registrations; clearing it by hand would leave an open
            // outflow behind that the statistics no longer count.
            let open =
                w.tx.opt(
                    "SELECT id FROM floating WHERE member_id = ? AND direction = 'outflow' AND ended_on IS NULL",
                    params![id.0],
                )
                .await?;
            if open.is_some() {
                return Err(StoreError::Invalid(
                    "该党员有未结束的流出登记，请在“流动情况”页结束流出，而不是取消流动党员标记".into(),
                ));
            }
        }
        update(&mut w, access, &org, id, &current.fields, fields, reason).await?;
        w.commit().await
    }

    /// Moves a member to another organization within the actor's scope from `on`.
    pub async fn move_member(
        &self,
        access: &Access,
        id: MemberId,
        to: OrgId,
        on: Date,
        reason: &str,
    ) -> Result<(), StoreError> {
        access.require(access.may_edit_members())?;
        if on > qiangji_domain::date::today() {
            return Err(StoreError::Invalid("调整日期不能晚于今天".into()));
        }
        let current = self.get_member(access, id).await?;
        if !current.status.holds_membership() {
            return Err(StoreError::Invalid(format!("该党员状态为“{}”，不能调整组织关系", current.status.label())));
        }
        let mut w = Write::begin(self).await?;
        let from = load_org(&mut w.tx, access, current.org_id).await?;
        // Read inside the transaction: a transfer's receive may have moved them meanwhile.
        crate::transfer::refuse_unless_settled(&mut w.tx, id).await?;
        let to = load_org(&mut w.tx, access, to).await?;
        check_receiver(&to)?;
        if from.id == to.id {
            return Err(StoreError::Invalid("该党员已在这个组织".into()));
        }
        relocate(&mut w, access, id, &from, &to, on, reason).await?;
        w.commit().await
    }
}
