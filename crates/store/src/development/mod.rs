//! 发展党员 as stored: developees (not members until admitted), their dated steps, yearly plans.
//!
//! A developee's state is never stored on its own: it is the replay of their steps through the
//! domain's machine, so the record cannot contradict its history (the `stage` column is a copy kept
//! for listing and counting). Reads are confined to the actor's subtree like members; the member
//! role sees nothing here.

mod details;
mod write;

pub use write::PlanInput;

use crate::access::Access;
use crate::db::Row;
use crate::error::StoreError;
use crate::{Store, params};
use qiangji_domain::Date;
use qiangji_domain::development::{
    Applicant, ApplicantInput, DevAction, DevFacts, DevStage, DevState, DevelopeeId, StepKind, apply, start,
};
use qiangji_domain::member::{Ethnicity, MemberId};
use qiangji_domain::org::OrgId;

/// A person being developed, with their state replayed from their steps.
#[derive(Debug, Clone)]
pub struct Developee {
    pub id: DevelopeeId,
    pub org_id: OrgId,
    pub org_name: String,
    pub applicant: Applicant,
    pub member_id: Option<MemberId>,
    pub state: DevState,
}

/// One recorded step.
#[derive(Debug, Clone)]
pub struct DevStep {
    pub kind: StepKind,
    pub on: Date,
    pub action: Option<DevAction>,
    /// What the step carries (mentors, sponsors, votes, …) as stored.
    pub details: serde_json::Value,
    pub actor: String,
    pub reason: String,
    pub recorded_at: String,
}

/// A developee with every step, oldest first.
#[derive(Debug, Clone)]
pub struct DevelopeeRecord {
    pub developee: Developee,
    pub steps: Vec<DevStep>,
}

/// A yearly development plan (发展党员计划) of one organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevPlan {
    pub org_id: OrgId,
    pub year: i32,
    pub quota: u32,
    pub note: String,
}

const COLUMNS: &str = "d.id, d.org_id, o.name, d.name, d.sex, d.ethnicity, d.birth_date, d.id_number, d.education, \
     d.occupation, d.work_unit, d.phone, d.applied_on, d.member_id";

fn bad(what: &str) -> StoreError {
    StoreError::Other(format!("数据库中的发展党员记录无法识别：{what}"))
}

fn applicant_of(
    r: &Row,
    keys: &crate::seal::Keyring,
) -> Result<(DevelopeeId, OrgId, String, Applicant, Option<MemberId>), StoreError> {
    use crate::seal::Field;
    let ethnicity = u8::try_from(r.int(5)).ok().and_then(Ethnicity::from_code).ok_or_else(|| bad("民族"))?;
    let input = ApplicantInput {
        name: r.text(3),
        id_number: keys.open(Field::IdNumber, &r.text(7))?,
        ethnicity: format!("{:02}", ethnicity.code()),
        education: r.text(8),
        occupation: r.text(9),
        work_unit: r.text(10),
        phone: keys.open(Field::Phone, &r.text(11))?,
        applied_on: r.text(12),
    };
    // Stored values were valid when written; validating again as of the application day keeps
    // the one constructor (and a stored under-age or future date would be corruption).
    let applied_on = r.opt_date(12).ok_or_else(|| bad("申请日期"))?;
    let (applicant, _) = input.validate(applied_on).map_err(|e| bad(&e.to_string()))?;
    Ok((DevelopeeId(r.int(0)), OrgId(r.int(1)), r.text(2), applicant, r.opt_int(13).map(MemberId)))
}

/// Replays the steps; a stored step is taken as valid (min publicity of 1 day, no "today").
pub(crate) fn replay(applicant: &Applicant, steps: &[DevStep]) -> Result<DevState, StoreError> {
    let last = steps.iter().map(|s| s.on).max().unwrap_or(applicant.applied_on);
    let facts = DevFacts { today: last.max(applicant.applied_on), min_publicity_days: 1 };
    let mut state = start(applicant.fields.birth_date, applicant.applied_on, facts.today)?;
    for step in steps {
        if let Some(action) = &step.action {
            state = apply(&state, action, step.on, &facts)
                .map_err(|e| bad(&format!("步骤“{}”（{}）：{e}", step.kind.label(), step.on)))?;
        }
    }
    Ok(state)
}

/// A step from `STEP_COLUMNS` starting at column `at`.
fn step_of(r: &Row, at: usize) -> Result<DevStep, StoreError> {
    let kind = StepKind::parse(&r.text(at)).map_err(|e| bad(&e.to_string()))?;
    let details: serde_json::Value = serde_json::from_str(&r.text(at + 2)).map_err(|e| bad(&e.to_string()))?;
    let action = details::action_of(kind, &details).map_err(|e| bad(&e))?;
    Ok(DevStep {
        kind,
        on: r.opt_date(at + 1).ok_or_else(|| bad("步骤日期"))?,
        action,
        details,
        actor: r.text(at + 3),
        reason: r.text(at + 4),
        recorded_at: r.text(at + 5),
    })
}

const STEP_COLUMNS: &str = "s.kind, s.step_on, s.details, s.actor, s.reason, s.recorded_at";

impl Store {
    /// The developees of `org`'s subtree, by organization and application date.
    pub async fn list_developees(&self, access: &Access, org: OrgId) -> Result<Vec<Developee>, StoreError> {
        access.require(access.may_edit_members())?;
        let root = self.get_org(access, org).await?;
        let (pred, scope) = access.org_predicate();
        let mut p = params![root.path.clone(), format!("{}~", root.path)];
        p.extend(scope);
        let rows = self
            .db
            .all(
                &format!(
                    "SELECT {COLUMNS} FROM developee d JOIN org o ON o.id = d.org_id \
                     WHERE o.path >= ? AND o.path < ? AND {pred} ORDER BY o.path, d.applied_on, d.id"
                ),
                p,
            )
            .await?;
        let mut p = params![root.path.clone(), format!("{}~", root.path)];
        p.extend(access.org_predicate().1);
        let step_rows = self
            .db
            .all(
                &format!(
                    "SELECT s.developee_id, {STEP_COLUMNS} FROM development_step s \
                     JOIN developee d ON d.id = s.developee_id JOIN org o ON o.id = d.org_id \
                     WHERE o.path >= ? AND o.path < ? AND {pred} ORDER BY s.developee_id, s.id"
                ),
                p,
            )
            .await?;
        let mut steps: std::collections::HashMap<i64, Vec<DevStep>> = std::collections::HashMap::new();
        for r in &step_rows {
            steps.entry(r.int(0)).or_default().push(step_of(r, 1)?);
        }
        rows.iter()
            .map(|r| {
                let (id, org_id, org_name, applicant, member_id) = applicant_of(r, &self.keys)?;
                let state = replay(&applicant, steps.get(&id.0).map_or(&[][..], Vec::as_slice))?;
                Ok(Developee { id, org_id, org_name, applicant, member_id, state })
            })
            .collect()
    }

    /// One developee with their steps, if within scope.
    pub async fn get_developee(&self, access: &Access, id: DevelopeeId) -> Result<DevelopeeRecord, StoreError> {
        access.require(access.may_edit_members())?;
        let (pred, scope) = access.org_predicate();
        let mut p = params![id.0];
        p.extend(scope);
        let r = self
            .db
            .one(
                &format!("SELECT {COLUMNS} FROM developee d JOIN org o ON o.id = d.org_id WHERE d.id = ? AND {pred}"),
                p,
            )
            .await?;
        let (id, org_id, org_name, applicant, member_id) = applicant_of(&r, &self.keys)?;
        let steps = self
            .db
            .all(
                &format!("SELECT {STEP_COLUMNS} FROM development_step s WHERE s.developee_id = ? ORDER BY s.id"),
                params![id.0],
            )
            .await?
            .iter()
            .map(|r| step_of(r, 0))
            .collect::<Result<Vec<_>, _>>()?;
        let state = replay(&applicant, &steps)?;
        Ok(DevelopeeRecord { developee: Developee { id, org_id, org_name, applicant, member_id, state }, steps })
    }

    /// The plan of `org` for `year`, if one was set.
    pub async fn find_dev_plan(&self, access: &Access, org: OrgId, year: i32) -> Result<Option<DevPlan>, StoreError> {
        access.require(access.may_edit_members())?;
        let (pred, scope) = access.org_predicate();
        let mut p = params![org.0, i64::from(year)];
        p.extend(scope);
        let row = self
            .db
            .opt(
                &format!(
                    "SELECT p.quota, p.note FROM development_plan p JOIN org o ON o.id = p.org_id \
                     WHERE p.org_id = ? AND p.year = ? AND {pred}"
                ),
                p,
            )
            .await?;
        Ok(row.map(|r| DevPlan { org_id: org, year, quota: u32::try_from(r.int(0)).unwrap_or(0), note: r.text(1) }))
    }

    /// How many of `org`'s subtree were admitted (higher committee approval) in `year`.
    pub async fn count_admitted(&self, access: &Access, org: OrgId, year: i32) -> Result<u32, StoreError> {
        let n = self
            .list_developees(access, org)
            .await?
            .iter()
            .filter(|d| d.state.admitted_on.is_some_and(|on| chrono::Datelike::year(&on) == year))
            .count();
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }
}

/// Counts per stage, in the pipeline's order.
pub fn stage_counts(list: &[Developee]) -> Vec<(DevStage, usize)> {
    DevStage::ALL.iter().map(|&s| (s, list.iter().filter(|d| d.state.stage == s).count())).collect()
}
