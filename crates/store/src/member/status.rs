//! 党籍状态 changes — 停止党籍, restoring it, the ways of leaving the Party, death — as effective-dated
//! kind/status intervals, so that statistics as of any day see the status of that day.

use crate::access::Access;
use crate::error::StoreError;
use crate::ledger::{NewEntry, Write};
use crate::org::write::load as load_org;
use crate::{Store, params};
use qiangji_domain::Date;
use qiangji_domain::member::{MemberId, MemberKind, MemberStatus, StatusChange};

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

/// Ends the current kind/status span on `change.on` and starts one with `change.to`, inside `w`
/// (a status change, or the cancellation of a probationary membership).
pub(crate) async fn set_status(
    w: &mut Write,
    access: &Access,
    org: &crate::org::Org,
    id: MemberId,
    old: MemberStatus,
    change: &StatusChange,
) -> Result<(), StoreError> {
    let (status, on) = (change.to, change.on);
    let states = load_states(&mut w.tx, id).await?;
    let Some(&(kind, _, from, None)) = states.last() else {
        return Err(StoreError::Other(format!("党员{}没有当前状态记录", id.0)));
    };
    if on <= from {
        return Err(StoreError::Refused {
            code: "member.date_before_current_status",
            message: format!("状态变更日期须晚于当前状态的开始日期（{from}）"),
        });
    }
    w.tx.exec("UPDATE member_state SET valid_to = ? WHERE member_id = ? AND valid_to IS NULL", params![on, id.0])
        .await?;
    w.tx.exec(
        "INSERT INTO member_state (member_id, kind, status, valid_from, valid_to) VALUES (?, ?, ?, ?, ?)",
        params![id.0, kind.code(), status.code(), on, None::<Date>],
    )
    .await?;
    w.tx.exec("UPDATE member SET status = ? WHERE id = ?", params![status.code(), id.0]).await?;
    if !status.holds_membership() {
        // Leaving, death or cancellation ends the membership in the organization on the same day.
        w.tx.exec("UPDATE membership SET valid_to = ? WHERE member_id = ? AND valid_to IS NULL", params![on, id.0])
            .await?;
    }
    w.record(
        access,
        NewEntry {
            kind: "member.status_changed",
            org_path: &org.path,
            subject: format!("member:{}", id.0),
            payload: serde_json::json!({
                "status": { "old": old.code(), "new": status.code() },
                "on": on.to_string(),
                "approved_by": change.approved_by,
                "approved_on": change.approved_on.map(|d| d.to_string()),
            }),
            reason: &change.reason,
        },
    )
    .await?;
    Ok(())
}

impl Store {
    /// Changes a member's 党籍状态: dated, reasoned and (except a death) approved; leaving or
    /// death is final.
    pub async fn change_status(&self, access: &Access, id: MemberId, change: &StatusChange) -> Result<(), StoreError> {
        access.require(access.may_edit_members())?;
        let current = self.get_member(access, id).await?;
        let today = qiangji_domain::date::today();
        change.check(current.status, today)?;
        let mut w = Write::begin(self).await?;
        let org = load_org(&mut w.tx, access, current.org_id).await?;
        crate::transfer::refuse_unless_settled(&mut w.tx, id).await?;
        // Read again under the lock: a concurrent change may have come first.
        let now = w.tx.one("SELECT status FROM member WHERE id = ?", params![id.0]).await?.text(0);
        change.check(
            MemberStatus::parse(&now).map_err(|_| StoreError::Other(format!("党员{}的状态无效", id.0)))?,
            today,
        )?;
        set_status(&mut w, access, &org, id, current.status, change).await?;
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
}
