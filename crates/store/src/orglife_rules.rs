//! The organizational-life rule set (规则集) as stored: the documents' defaults plus every version
//! administrators have added since. Versions are only ever added — a later `effective_from`
//! supersedes an earlier one for the periods that begin after it — so the past stays judged by the
//! rules of its time, and every version is in the ledger.

use crate::access::Access;
use crate::error::StoreError;
use crate::ledger::{NewEntry, Write};
use crate::{Store, params};
use qiangji_domain::org::OrgKind;
use qiangji_domain::orglife::{Period, RequirementKind, Rule, RuleSet};

/// A stored version, with when and why it was added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRule {
    pub rule: Rule,
    pub added_at: String,
    pub added_by: String,
    pub reason: String,
}

fn bad(what: &str) -> StoreError {
    StoreError::Other(format!("数据库中的组织生活规则无法识别：{what}"))
}

/// The defaults followed by `stored` (as [`Store::stored_rules`] gives them): the set in force.
pub fn rule_set_of(stored: &[StoredRule]) -> RuleSet {
    let mut set = RuleSet::default_rules();
    set.version += u32::try_from(stored.len()).unwrap_or(u32::MAX);
    set.rules.extend(stored.iter().map(|s| s.rule.clone()));
    set
}

impl Store {
    /// The versions administrators have added, oldest first.
    pub async fn stored_rules(&self) -> Result<Vec<StoredRule>, StoreError> {
        let rows = self
            .db
            .all(
                "SELECT requirement, org_kinds, period, min_count, effective_from, added_at, added_by, reason \
                 FROM orglife_rule ORDER BY id",
                params![],
            )
            .await?;
        rows.iter()
            .map(|r| {
                let requirement = RequirementKind::parse(&r.text(0)).ok_or_else(|| bad(&r.text(0)))?;
                let org_kinds = r
                    .text(1)
                    .split(',')
                    .map(|k| OrgKind::parse(k).map_err(|_| bad(k)))
                    .collect::<Result<Vec<_>, _>>()?;
                let period = Period::parse(&r.text(2)).map_err(|_| bad(&r.text(2)))?;
                let min_count = u32::try_from(r.int(3)).map_err(|_| bad("次数"))?;
                let effective_from = r.opt_date(4).ok_or_else(|| bad("生效日期"))?;
                Ok(StoredRule {
                    rule: Rule { requirement, org_kinds, period, min_count, effective_from },
                    added_at: r.text(5),
                    added_by: r.text(6),
                    reason: r.text(7),
                })
            })
            .collect()
    }

    /// The rule set in force: the defaults, then the stored versions; `version` counts them.
    pub async fn rule_set(&self) -> Result<RuleSet, StoreError> {
        Ok(rule_set_of(&self.stored_rules().await?))
    }

    /// Adds a version of a rule (validated by `RuleInput::validate`); refused when the set with it
    /// would not be valid (two versions of one rule from the same day — positions count the
    /// defaults first, as the rules page lists them), with nothing written.
    pub async fn add_rule(&self, access: &Access, rule: &Rule, reason: &str) -> Result<(), StoreError> {
        let root = self.root_org_path().await?;
        access.require(access.may_set_rules(&root))?;
        if reason.trim().is_empty() {
            return Err(StoreError::Invalid("请填写调整规则的依据或原因".into()));
        }
        let mut set = self.rule_set().await?;
        set.rules.push(rule.clone());
        set.validate()?;
        let kinds: Vec<&str> = rule.org_kinds.iter().map(|k| k.code()).collect();
        let mut w = Write::begin(self).await?;
        w.tx.exec(
            "INSERT INTO orglife_rule (requirement, org_kinds, period, min_count, effective_from, added_at, added_by, reason) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            params![
                rule.requirement.code(),
                kinds.join(","),
                rule.period.code(),
                i64::from(rule.min_count),
                rule.effective_from,
                crate::ledger::now(),
                access.actor_name(),
                reason.trim()
            ],
        )
        .await?;
        w.record(
            access,
            NewEntry {
                kind: "orglife.rule_added",
                org_path: &root,
                subject: "rules".into(),
                payload: serde_json::json!({
                    "requirement": rule.requirement.code(), "org_kinds": kinds, "period": rule.period.code(),
                    "min_count": rule.min_count, "effective_from": rule.effective_from.to_string(),
                }),
                reason: reason.trim(),
            },
        )
        .await?;
        w.commit().await
    }
}
