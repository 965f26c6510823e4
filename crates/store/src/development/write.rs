//! Registering applications, recording steps and setting plans: each one transaction with its
//! ledger entry, every check of the current state made inside it.

use super::details::{action_of, details_of};
use super::{COLUMNS, DevStep, applicant_of, replay};
use crate::access::Access;
use crate::error::StoreError;
use crate::ledger::{NewEntry, Write};
use crate::member::status::set_status;
use crate::member::write::{check_receiver, insert_member, update as update_member};
use crate::org::write::{load as load_org, next_id};
use crate::seal::Field;
use crate::{Store, params};
use qiangji_domain::Date;
use qiangji_domain::development::{ApplicantInput, DevAction, DevFacts, DevStage, DevelopeeId, StepKind, apply};
use qiangji_domain::member::StatusChange;
use qiangji_domain::member::{MemberKind, MemberStatus};
use qiangji_domain::org::OrgId;

/// A yearly plan as entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanInput {
    pub year: i32,
    pub quota: u32,
    pub note: String,
}

async fn insert_step(
    w: &mut Write,
    access: &Access,
    id: DevelopeeId,
    kind: StepKind,
    on: Date,
    details: &serde_json::Value,
    reason: &str,
) -> Result<(), StoreError> {
    w.tx.exec(
        "INSERT INTO development_step (developee_id, kind, step_on, details, actor, reason, recorded_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
        params![id.0, kind.code(), on, details.to_string(), access.actor_name(), reason.trim(), crate::ledger::now()],
    )
    .await?;
    Ok(())
}

impl Store {
    /// Registers an application (入党申请) with the branch `org` develops the person in.
    pub async fn register_applicant(
        &self,
        access: &Access,
        org: OrgId,
        input: &ApplicantInput,
        reason: &str,
    ) -> Result<DevelopeeId, StoreError> {
        access.require(access.may_edit_members())?;
        let (applicant, _) = input.validate(qiangji_domain::date::today())?;
        let f = &applicant.fields;
        let mut w = Write::begin(self).await?;
        let org = load_org(&mut w.tx, access, org).await?;
        check_receiver(&org)?;
        let index = w.keys.index(Field::IdNumber, f.id_number.as_str());
        if w.tx.opt("SELECT id FROM member WHERE id_number_index = ?", params![index.clone()]).await?.is_some() {
            return Err(StoreError::DuplicateIdNumber(f.id_number.masked()));
        }
        if w.tx.opt("SELECT id FROM developee WHERE id_number_index = ?", params![index.clone()]).await?.is_some() {
            return Err(StoreError::DevelopeeExists(f.id_number.masked()));
        }
        let id = next_id(&mut w.tx, "developee").await?;
        w.tx.exec(
            "INSERT INTO developee (id, org_id, name, sex, ethnicity, birth_date, id_number, education, occupation, \
             work_unit, phone, applied_on, stage, id_number_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            params![
                id,
                org.id.0,
                f.name.clone(),
                f.sex.code(),
                i64::from(f.ethnicity.code()),
                f.birth_date,
                w.keys.seal(Field::IdNumber, f.id_number.as_str()),
                f.education.code(),
                f.occupation.code(),
                f.work_unit.clone(),
                w.keys.seal(Field::Phone, &f.phone),
                applicant.applied_on,
                DevStage::Applicant.code(),
                index
            ],
        )
        .await?;
        let id = DevelopeeId(id);
        insert_step(&mut w, access, id, StepKind::Applied, applicant.applied_on, &serde_json::json!({}), reason)
            .await?;
        let mut payload = serde_json::json!({
            "org_id": org.id.0, "org": org.fields.name, "name": f.name, "sex": f.sex.code(),
            "birth_date": f.birth_date.to_string(), "id_number": f.id_number.as_str(),
            "ethnicity": format!("{:02}", f.ethnicity.code()), "education": f.education.code(),
            "occupation": f.occupation.code(), "work_unit": f.work_unit, "phone": f.phone,
            "applied_on": applicant.applied_on.to_string(),
        });
        w.keys.seal_payload(&mut payload);
        w.record(
            access,
            NewEntry {
                kind: "development.applied",
                org_path: &org.path,
                subject: format!("developee:{}", id.0),
                payload,
                reason: reason.trim(),
            },
        )
        .await?;
        w.commit().await?;
        Ok(id)
    }

    /// Records the next step of a developee on `on`. Admission approval makes them a probationary
    /// member (from the admission meeting) and full approval a full member (from the end of
    /// probation), in the same transaction. `min_publicity_days` is the deployment's setting.
    pub async fn record_dev_step(
        &self,
        access: &Access,
        id: DevelopeeId,
        action: &DevAction,
        on: Date,
        min_publicity_days: u32,
        reason: &str,
    ) -> Result<DevStage, StoreError> {
        access.require(access.may_edit_members())?;
        let mut w = Write::begin(self).await?;
        let (pred, scope) = access.org_predicate();
        let mut p = params![id.0];
        p.extend(scope);
        let row =
            w.tx.one(
                &format!("SELECT {COLUMNS} FROM developee d JOIN org o ON o.id = d.org_id WHERE d.id = ? AND {pred}"),
                p,
            )
            .await?;
        let (_, org_id, _, applicant, member_id) = applicant_of(&row, &w.keys)?;
        let org = load_org(&mut w.tx, access, org_id).await?;
        let mut steps = Vec::new();
        for r in
            w.tx.all(
                "SELECT kind, step_on, details FROM development_step WHERE developee_id = ? ORDER BY id",
                params![id.0],
            )
            .await?
        {
            let kind = StepKind::parse(&r.text(0)).map_err(|e| StoreError::Other(e.to_string()))?;
            let details: serde_json::Value =
                serde_json::from_str(&r.text(2)).map_err(|e| StoreError::Other(e.to_string()))?;
            steps.push(DevStep {
                kind,
                on: r.opt_date(1).ok_or_else(|| StoreError::Other("步骤日期无效".into()))?,
                action: action_of(kind, &details).map_err(StoreError::Other)?,
                details,
                actor: String::new(),
                reason: String::new(),
                recorded_at: String::new(),
            });
        }
        let before = replay(&applicant, &steps)?;
        let today = qiangji_domain::date::today();
        let after = apply(&before, action, on, &DevFacts { today, min_publicity_days })?;

        if let DevAction::AssignSponsors { sponsors } = action {
            for sponsor in sponsors {
                let (pred, scope) = access.member_predicate();
                let mut p = params![sponsor.0];
                p.extend(scope);
                let found =
                    w.tx.opt(
                        &format!(
                            "SELECT m.name, m.kind, m.status FROM member m JOIN org o ON o.id = m.org_id \
                             WHERE m.id = ? AND {pred}"
                        ),
                        p,
                    )
                    .await?;
                match found {
                    Some(r) if r.text(1) == MemberKind::Full.code() && r.text(2) == MemberStatus::Active.code() => {}
                    Some(r) => return Err(StoreError::SponsorNotFull(r.text(0))),
                    None => return Err(StoreError::SponsorNotFull(format!("编号{}", sponsor.0))),
                }
            }
        }

        let details = details_of(action);
        insert_step(&mut w, access, id, action.kind(), on, &details, reason).await?;
        w.tx.exec("UPDATE developee SET stage = ? WHERE id = ?", params![after.stage.code(), id.0]).await?;
        w.record(
            access,
            NewEntry {
                kind: "development.step_recorded",
                org_path: &org.path,
                subject: format!("developee:{}", id.0),
                payload: serde_json::json!({
                    "step": action.kind().code(), "on": on.to_string(), "details": details,
                    "stage": { "old": before.stage.code(), "new": after.stage.code() },
                }),
                reason: reason.trim(),
            },
        )
        .await?;

        match action {
            DevAction::ApproveAdmission => {
                let joined_on = after.admission_meeting_on.expect("approval follows the meeting");
                let fields = applicant.member_input(joined_on).validate(today).map_err(StoreError::Member)?;
                let member = insert_member(&mut w, access, &org, &fields, joined_on, reason.trim()).await?;
                w.tx.exec("UPDATE developee SET member_id = ? WHERE id = ?", params![member.0, id.0]).await?;
            }
            DevAction::ApproveFull => {
                let member = member_id.ok_or_else(|| StoreError::Other("预备党员没有党员记录".into()))?;
                let (pred, scope) = access.member_predicate();
                let mut p = params![member.0];
                p.extend(scope);
                let current = crate::member::member_of(
                    &w.tx
                        .one(
                            &format!(
                                "SELECT {} FROM member m JOIN org o ON o.id = m.org_id WHERE m.id = ? AND {pred}",
                                crate::member::COLUMNS
                            ),
                            p,
                        )
                        .await?,
                    &w.keys,
                )?;
                let mut fields = current.fields.clone();
                fields.kind = MemberKind::Full;
                fields.full_on = after.full_on;
                let member_org = load_org(&mut w.tx, access, current.org_id).await?;
                update_member(&mut w, access, &member_org, member, &current.fields, &fields, reason.trim()).await?;
            }
            DevAction::Cancel => {
                // 取消预备党员资格: the member record leaves the register from that day, like the
                // other ways of leaving, and their open membership ends.
                let member = member_id.ok_or_else(|| StoreError::Other("预备党员没有党员记录".into()))?;
                let (pred, scope) = access.member_predicate();
                let mut p = params![member.0];
                p.extend(scope);
                let r = w
                    .tx
                    .one(&format!("SELECT m.org_id, m.status FROM member m JOIN org o ON o.id = m.org_id WHERE m.id = ? AND {pred}"), p)
                    .await?;
                let status = MemberStatus::parse(&r.text(1)).map_err(|e| StoreError::Other(e.to_string()))?;
                if !status.holds_membership() {
                    return Err(StoreError::Invalid(format!("该党员状态为“{}”，不能取消预备党员资格", status.label())));
                }
                let member_org = load_org(&mut w.tx, access, OrgId(r.int(0))).await?;
                let why = if reason.trim().is_empty() { "取消预备党员资格" } else { reason.trim() };
                crate::transfer::refuse_unless_settled(&mut w.tx, member).await?;
                let change = StatusChange::new(MemberStatus::LeftCancelled, on, why);
                // Ends the membership too, as every way of leaving does.
                set_status(&mut w, access, &member_org, member, status, &change).await?;
            }
            _ => {}
        }
        w.commit().await?;
        Ok(after.stage)
    }

    /// Sets (or replaces) `org`'s development plan for a year.
    pub async fn set_dev_plan(
        &self,
        access: &Access,
        org: OrgId,
        plan: &PlanInput,
        reason: &str,
    ) -> Result<(), StoreError> {
        access.require(access.may_edit_members())?;
        if !(2000..=2100).contains(&plan.year) {
            return Err(StoreError::PlanInvalid("年度应在2000至2100之间".into()));
        }
        if plan.quota > 100_000 {
            return Err(StoreError::PlanInvalid("计划发展人数应在0至100000之间".into()));
        }
        let mut w = Write::begin(self).await?;
        let org = load_org(&mut w.tx, access, org).await?;
        if org.is_dissolved() {
            return Err(qiangji_domain::org::OrgError::Dissolved.into());
        }
        let note = plan.note.trim();
        let year = i64::from(plan.year);
        let old =
            w.tx.opt("SELECT quota FROM development_plan WHERE org_id = ? AND year = ?", params![org.id.0, year])
                .await?
                .map(|r| r.int(0));
        match old {
            Some(_) => {
                w.tx.exec(
                    "UPDATE development_plan SET quota = ?, note = ? WHERE org_id = ? AND year = ?",
                    params![i64::from(plan.quota), note, org.id.0, year],
                )
                .await?
            }
            None => {
                w.tx.exec(
                    "INSERT INTO development_plan (org_id, year, quota, note) VALUES (?, ?, ?, ?)",
                    params![org.id.0, year, i64::from(plan.quota), note],
                )
                .await?
            }
        };
        w.record(
            access,
            NewEntry {
                kind: "development.plan_set",
                org_path: &org.path,
                subject: format!("development_plan:{}:{}", org.id.0, plan.year),
                payload: serde_json::json!({
                    "org_id": org.id.0, "year": plan.year, "quota": { "old": old, "new": plan.quota }, "note": note,
                }),
                reason: reason.trim(),
            },
        )
        .await?;
        w.commit().await
    }
}
