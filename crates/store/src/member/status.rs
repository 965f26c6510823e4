//! 党籍状态 changes — 停止党籍, restoring it, the ways of leaving the Party, death — as effective-dated
//! kind/status intervals, so that statistics as of any day see the status of that day.

use crate::access::Access;
use crate::error::StoreError;
use crate::ledger::{NewEntry, Write};
use crate::org::write::load as load_org;
use crate::{Store, params};
use qiangji_domain::Date;
use qiangji_domain::member::{MemberId, MemberKind, MemberStatus};

/// A kind-and-status interval as stored.
pub(crate) type StateRow = (MemberKind, MemberStatus, Date, Option<Date>);

pub(crate) async fn load_states(tx: &mut crate::db::Tx, id: MemberId) -> Result<Vec<StateRow>, StoreError> {
    let bad = |what: &str| StoreError::Other(format!("党员{}的状态记录无效：{what}", id.0));
    let mut out = Vec::new();
    for r in tx
        .all(
            "SELECT kind, status, valid_from, valid_to FROM member_state WHERE member_id = ? ORDER BY valid_from",
            params![id.0],
        )
        .await?
    {
        out.push((
            MemberKind::parse(&r.text(0)).map_err(|_| bad("类别"))?,
            MemberStatus::parse(&r.text(1)).map_err(|_| bad("状态"))?,
            r.opt_date(2).ok_or_else(|| bad("开始日期"))?,
            r.opt_date(3),
        ));
    }
    Ok(out)
}

/// Combines a kind history (from the dates) with the status history of `old` spans: each kind
/// interval is split where the status changed. The first status holds from the beginning.
pub(crate) fn merge_states(kinds: &[(MemberKind, Date, Option<Date>)], old: &[StateRow]) -> Vec<StateRow> {
    let mut statuses: Vec<(MemberStatus, Option<Date>, Option<Date>)> = Vec::new();
    for &(_, status, from, to) in old {
        match statuses.last_mut() {
            Some(last) if last.0 == status => last.2 = to,
            Some(_) => statuses.push((status, Some(from), to)),
            None => statuses.push((status, None, to)),
        }
    }
    if statuses.is_empty() {
        statuses.push((MemberStatus::Active, None, None));
    }
    let mut out = Vec::new();
    for &(kind, kf, kt) in kinds {
        for &(status, sf, st) in &statuses {
            let from = sf.map_or(kf, |s| s.max(kf));
            let to = match (kt, st) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            if to.is_none_or(|t| from < t) {
                out.push((kind, status, from, to));
            }
        }
    }
    out
}

fn allowed(from: MemberStatus, to: MemberStatus) -> bool {
    use MemberStatus::*;
    match from {
        Active => to != Active,
        Suspended => to != Suspended,
        // Leaving and death end the record; a readmission is a new member record.
        _ => false,
    }
}

/// Ends the current kind/status span on `on` and starts one with `status`, inside `w`.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn set_status(
    w: &mut Write,
    access: &Access,
    org: &crate::org::Org,
    id: MemberId,
    old: MemberStatus,
    status: MemberStatus,
    on: Date,
    reason: &str,
) -> Result<(), StoreError> {
    let states = load_states(&mut w.tx, id).await?;
    let Some(&(kind, _, from, None)) = states.last() else {
        return Err(StoreError::Other(format!("党员{}没有当前状态记录", id.0)));
    };
    if on <= from {
        return Err(StoreError::Invalid(format!("状态变更日期须晚于当前状态的开始日期（{from}）")));
    }
    w.tx.exec("UPDATE member_state SET valid_to = ? WHERE member_id = ? AND valid_to IS NULL", params![on, id.0])
        .await?;
    w.tx.exec(
        "INSERT INTO member_state (member_id, kind, status, valid_from, valid_to) VALUES (?, ?, ?, ?, ?)",
        params![id.0, kind.code(), status.code(), on, None::<Date>],
    )
    .await?;
    w.tx.exec("UPDATE member SET status = ? WHERE id = ?", params![status.code(), id.0]).await?;
    w.record(
        access,
        NewEntry {
            kind: "member.status_changed",
            org_path: &org.path,
            subject: format!("member:{}", id.0),
            payload: serde_json::json!({
                "status": { "old": old.code(), "new": status.code() },
                "on": on.to_string(),
            }),
            reason,
        },
    )
    .await?;
    Ok(())
}

impl Store {
    /// Changes a member's 党籍状态 from `on`. A reason is required; leaving or death is final.
    pub async fn change_status(
        &self,
        access: &Access,
        id: MemberId,
        status: MemberStatus,
        on: Date,
        reason: &str,
    ) -> Result<(), StoreError> {
        access.require(access.may_edit_members())?;
        if reason.trim().is_empty() {
            return Err(StoreError::Invalid("变更党籍状态须填写原因".into()));
        }
        if on > qiangji_domain::date::today() {
            return Err(StoreError::Invalid("状态变更日期不能晚于今天".into()));
        }
        let current = self.get_member(access, id).await?;
        if !allowed(current.status, status) {
            return Err(StoreError::Invalid(format!(
                "党籍状态不能由“{}”变更为“{}”",
                current.status.label(),
                status.label()
            )));
        }
        if status == MemberStatus::LeftCancelled {
            return Err(StoreError::Invalid("取消预备党员资格请在发展党员中登记".into()));
        }
        let mut w = Write::begin(&self.db).await?;
        let org = load_org(&mut w.tx, access, current.org_id).await?;
        set_status(&mut w, access, &org, id, current.status, status, on, reason).await?;
        w.commit().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use qiangji_domain::date::parse;

    fn d(s: &str) -> Date {
        parse(s).unwrap()
    }

    #[test]
    fn becoming_full_keeps_an_earlier_suspension() {
        use MemberKind::*;
        use MemberStatus::*;
        let old = [
            (Probationary, Active, d("2020-01-01"), Some(d("2020-06-01"))),
            (Probationary, Suspended, d("2020-06-01"), None),
        ];
        let kinds = [(Probationary, d("2020-01-01"), Some(d("2021-01-01"))), (Full, d("2021-01-01"), None)];
        assert_eq!(
            merge_states(&kinds, &old),
            vec![
                (Probationary, Active, d("2020-01-01"), Some(d("2020-06-01"))),
                (Probationary, Suspended, d("2020-06-01"), Some(d("2021-01-01"))),
                (Full, Suspended, d("2021-01-01"), None),
            ]
        );
    }

    #[test]
    fn a_plain_history_stays_plain() {
        use MemberKind::*;
        let kinds = [(Probationary, d("2020-01-01"), Some(d("2021-01-01"))), (Full, d("2021-01-01"), None)];
        let old = [(Probationary, MemberStatus::Active, d("2020-01-01"), None)];
        let merged = merge_states(&kinds, &old);
        assert_eq!(merged.len(), 2);
        assert!(merged.iter().all(|s| s.1 == MemberStatus::Active));
    }

    #[test]
    fn leaving_is_final() {
        assert!(allowed(MemberStatus::Active, MemberStatus::Suspended));
        assert!(allowed(MemberStatus::Suspended, MemberStatus::Active));
        assert!(!allowed(MemberStatus::Active, MemberStatus::Active));
        assert!(!allowed(MemberStatus::Deceased, MemberStatus::Active));
        assert!(!allowed(MemberStatus::LeftVoluntary, MemberStatus::Suspended));
    }
}
