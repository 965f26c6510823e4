//! 组织关系转接: requests, the steps of both sides, letters and their serial numbers, and the
//! membership moves they cause — each step one transaction with its ledger entry.
//!
//! Every check of the current state is made inside the write transaction, after the ledger head
//! is locked: two approvals of the same transfer, or a transfer's receive racing a manual move,
//! are serialised, and the second sees what the first did.

use crate::access::Access;
use crate::db::{Row, Tx};
use crate::error::StoreError;
use crate::ledger::{NewEntry, Write};
use crate::member::write::{check_receiver, insert_member};
use crate::org::{COLUMNS as ORG_COLUMNS, Org, org_of, write::load as load_org};
use crate::{Store, params};
use qiangji_domain::Date;
use qiangji_domain::member::{MemberFields, MemberId, MemberKind, MemberStatus, Sex};
use qiangji_domain::org::{OrgId, OrgKind};
use qiangji_domain::transfer::{
    Direction, Effect, Progress, Serial, Side, TransferAction, TransferId, TransferLetter, TransferState,
    TransferWarning,
};

/// Where a requested transfer goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// An organization of this deployment.
    Org(OrgId),
    /// An organization outside it, by the name on the letter.
    Outside(String),
}

/// The letter a sending side issues: validity in months and the month dues are paid up to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterInput {
    pub valid_months: u32,
    pub dues_paid_to: String,
}

/// A transfer as listed and shown to either side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    pub id: TransferId,
    pub member_id: MemberId,
    pub member_name: String,
    pub sex: Sex,
    pub birth_date: Date,
    pub ethnicity_code: i64,
    /// Masked, as everywhere by default.
    pub id_number: String,
    pub kind: MemberKind,
    pub direction: Direction,
    pub state: TransferState,
    pub from_org: Option<(OrgId, String)>,
    pub from_outside: String,
    pub to_org: Option<(OrgId, String)>,
    pub to_outside: String,
    pub reason: String,
    pub requested_on: Date,
    pub last_step_on: Date,
    pub serial: Option<Serial>,
    pub issued_on: Option<Date>,
    pub valid_until: Option<Date>,
    pub dues_paid_to: Option<Date>,
    pub received_on: Option<Date>,
    pub reported_on: Option<Date>,
    pub closed_on: Option<Date>,
    /// Paths of the two organizations inside the deployment (for telling out from in).
    pub from_path: Option<String>,
    pub to_path: Option<String>,
    /// The sides the reading actor may act for.
    pub sides: Vec<Side>,
}

impl Transfer {
    pub fn progress(&self) -> Progress {
        Progress {
            direction: self.direction,
            state: self.state,
            valid_until: self.valid_until,
            last_step_on: self.last_step_on,
        }
    }

    /// The sending organization's name, inside or outside.
    pub fn from_name(&self) -> &str {
        self.from_org.as_ref().map_or(self.from_outside.as_str(), |o| o.1.as_str())
    }

    pub fn to_name(&self) -> &str {
        self.to_org.as_ref().map_or(self.to_outside.as_str(), |o| o.1.as_str())
    }

    pub fn warnings(&self, today: Date) -> Vec<TransferWarning> {
        qiangji_domain::transfer::warnings(&self.progress(), self.issued_on, self.received_on, today)
    }
}

/// One logged step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub action: Option<TransferAction>,
    pub state: TransferState,
    pub side: String,
    pub done_on: Date,
    pub at: String,
    pub actor_name: String,
    pub note: String,
}

/// An organization that can take members in, found by name across the whole deployment (a
/// sending branch must be able to name a receiving one it cannot otherwise see).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receiver {
    pub id: OrgId,
    pub name: String,
    pub parent_name: String,
}

/// The most transfers a list returns, newest first.
pub const LIST_LIMIT: usize = 500;

const COLUMNS: &str = "t.id, t.member_id, m.name, m.sex, m.birth_date, m.ethnicity, m.id_number, m.kind, t.direction, \
     t.state, t.from_org_id, fo.name, t.from_outside, t.to_org_id, tor.name, t.to_outside, t.reason, t.requested_on, \
     t.last_step_on, t.letter_year, t.letter_no, t.issued_on, t.valid_until, t.dues_paid_to, t.received_on, \
     t.reported_on, t.closed_on, fo.path, tor.path";

const FROM: &str = "transfer t JOIN member m ON m.id = t.member_id LEFT JOIN org fo ON fo.id = t.from_org_id \
     LEFT JOIN org tor ON tor.id = t.to_org_id";

fn bad(what: &str) -> StoreError {
    StoreError::Other(format!("数据库中的转接记录无法识别：{what}"))
}

fn sides_of(access: &Access, from_path: Option<&str>, to_path: Option<&str>) -> Vec<Side> {
    let mut sides = Vec::new();
    // A member's own account sees its own transfers and acts for no side.
    if access.self_member_id().is_some() {
        return sides;
    }
    if from_path.is_some_and(|p| access.sees_path(p)) {
        sides.push(Side::Sending);
    }
    if to_path.is_some_and(|p| access.sees_path(p)) {
        sides.push(Side::Receiving);
    }
    sides
}

fn transfer_of(access: &Access, keys: &crate::seal::Keyring, r: &Row) -> Result<Transfer, StoreError> {
    let org = |id: usize, name: usize| r.opt_int(id).map(|i| (OrgId(i), r.text(name)));
    let serial = match (r.opt_int(19), r.opt_int(20)) {
        (Some(year), Some(number)) => Some(Serial { year: year as i32, number }),
        _ => None,
    };
    let from_path = r.opt_text(27);
    let to_path = r.opt_text(28);
    Ok(Transfer {
        id: TransferId(r.int(0)),
        member_id: MemberId(r.int(1)),
        member_name: r.text(2),
        sex: Sex::parse(&r.text(3)).map_err(|_| bad("性别"))?,
        birth_date: r.opt_date(4).ok_or_else(|| bad("出生日期"))?,
        ethnicity_code: r.int(5),
        id_number: {
            let plain = keys.open(crate::seal::Field::IdNumber, &r.text(6))?;
            qiangji_domain::id_number::IdNumber::parse(&plain).map(|i| i.masked()).unwrap_or(plain)
        },
        kind: MemberKind::parse(&r.text(7)).map_err(|_| bad("类别"))?,
        direction: Direction::parse(&r.text(8)).map_err(|_| bad("方向"))?,
        state: TransferState::parse(&r.text(9)).map_err(|_| bad("状态"))?,
        from_org: org(10, 11),
        from_outside: r.text(12),
        to_org: org(13, 14),
        to_outside: r.text(15),
        reason: r.text(16),
        requested_on: r.opt_date(17).ok_or_else(|| bad("申请日期"))?,
        last_step_on: r.opt_date(18).ok_or_else(|| bad("办理日期"))?,
        serial,
        issued_on: r.opt_date(21),
        valid_until: r.opt_date(22),
        dues_paid_to: r.opt_date(23),
        received_on: r.opt_date(24),
        reported_on: r.opt_date(25),
        closed_on: r.opt_date(26),
        sides: sides_of(access, from_path.as_deref(), to_path.as_deref()),
        from_path,
        to_path,
    })
}

/// The member's open transfer inside `tx`, if any.
async fn open_of(tx: &mut Tx, member: MemberId) -> Result<Option<(TransferId, TransferState)>, StoreError> {
    tx.opt("SELECT id, state FROM transfer WHERE member_id = ? AND open = 1", params![member.0])
        .await?
        .map(|r| Ok((TransferId(r.int(0)), TransferState::parse(&r.text(1)).map_err(|_| bad("状态"))?)))
        .transpose()
}

/// Refuses a manual change of a member who is being transferred (the transfer must end first), or
/// whose membership has gone outside the deployment (they are managed there now).
pub(crate) async fn refuse_unless_settled(tx: &mut Tx, member: MemberId) -> Result<(), StoreError> {
    if let Some((_, state)) = open_of(tx, member).await? {
        return Err(StoreError::Refused {
            code: "member.in_transfer",
            message: format!("该党员有正在办理的组织关系转接（{}），请先办结或撤回转接", state.label()),
        });
    }
    let here = tx.opt("SELECT 1 FROM membership WHERE member_id = ? AND valid_to IS NULL", params![member.0]).await?;
    if here.is_none() {
        return Err(StoreError::Refused {
            code: "member.transferred_out",
            message: "该党员的组织关系已转出本系统，由接收的党组织管理".into(),
        });
    }
    Ok(())
}

/// An organization by id regardless of the actor's scope (the other side of a transfer).
async fn load_any_org(tx: &mut Tx, id: OrgId) -> Result<Org, StoreError> {
    org_of(&tx.one(&format!("SELECT {ORG_COLUMNS} FROM org o WHERE o.id = ?"), params![id.0]).await?)
}

async fn log_step(
    w: &mut Write,
    access: &Access,
    id: TransferId,
    (action, state): (&str, TransferState),
    side: Side,
    on: Date,
    note: &str,
) -> Result<(), StoreError> {
    let step_id = crate::org::write::next_id(&mut w.tx, "transfer_step").await?;
    w.tx.exec(
        "INSERT INTO transfer_step (id, transfer_id, action, state, side, done_on, at, actor_name, note) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        params![
            step_id,
            id.0,
            action,
            state.code(),
            side.code(),
            on,
            crate::ledger::now(),
            access.actor_name(),
            note.trim()
        ],
    )
    .await?;
    Ok(())
}

fn check_on(on: Date) -> Result<(), StoreError> {
    if on > qiangji_domain::date::today() {
        return Err(StoreError::Refused {
            code: "transfer.date_in_future", message: "办理日期不能晚于今天".into()
        });
    }
    Ok(())
}

fn require_reason(reason: &str) -> Result<(), StoreError> {
    if reason.trim().is_empty() {
        return Err(StoreError::Refused { code: "transfer.reason_missing", message: "请填写转接原因".into() });
    }
    Ok(())
}

impl Store {
    /// Starts a transfer of a member of the actor's scope (or the member's own request) to an
    /// organization inside the deployment or outside it.
    pub async fn request_transfer(
        &self,
        access: &Access,
        member: MemberId,
        to: &Destination,
        reason: &str,
        on: Date,
    ) -> Result<TransferId, StoreError> {
        let own_request = access.self_member_id() == Some(member.0);
        access.require(access.may_edit_members() || own_request)?;
        require_reason(reason)?;
        check_on(on)?;
        let mut w = Write::begin(self).await?;
        let row = w.tx.one("SELECT org_id, status FROM member WHERE id = ?", params![member.0]).await?;
        let from = load_org(&mut w.tx, access, OrgId(row.int(0))).await?;
        let status = MemberStatus::parse(&row.text(1)).map_err(|_| bad("党籍状态"))?;
        if !status.holds_membership() {
            return Err(StoreError::Refused {
                code: "transfer.member_not_active",
                message: format!("该党员状态为“{}”，不能转接组织关系", status.label()),
            });
        }
        let open =
            w.tx.opt("SELECT 1 FROM membership WHERE member_id = ? AND valid_to IS NULL", params![member.0]).await?;
        if open.is_none() {
            return Err(StoreError::Refused {
                code: "transfer.member_not_active",
                message: "该党员的组织关系已转出本系统".into(),
            });
        }
        if let Some((_, state)) = open_of(&mut w.tx, member).await? {
            return Err(StoreError::Refused {
                code: "transfer.already_open",
                message: format!("该党员已有一项正在办理的转接（{}）", state.label()),
            });
        }
        let (direction, to_org, to_outside) = match to {
            Destination::Org(id) => {
                let to = load_any_org(&mut w.tx, *id).await?;
                check_receiver(&to)?;
                if to.id == from.id {
                    return Err(StoreError::Refused {
                        code: "transfer.same_org",
                        message: "转入组织与现所在组织相同".into(),
                    });
                }
                (Direction::Internal, Some(to), String::new())
            }
            Destination::Outside(name) if name.trim().is_empty() => {
                return Err(StoreError::Refused {
                    code: "transfer.destination_missing",
                    message: "请选择转入组织，或填写系统外转入单位的名称".into(),
                });
            }
            Destination::Outside(name) => (Direction::Outbound, None, name.trim().to_owned()),
        };
        let id = crate::org::write::next_id(&mut w.tx, "transfer").await?;
        w.tx.exec(
            "INSERT INTO transfer (id, member_id, direction, state, open, from_org_id, to_org_id, to_outside, reason, \
             requested_on, last_step_on) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)",
            params![
                id,
                member.0,
                direction.code(),
                TransferState::Requested.code(),
                from.id.0,
                to_org.as_ref().map(|o| o.id.0),
                to_outside.clone(),
                reason.trim(),
                on,
                on
            ],
        )
        .await?;
        log_step(&mut w, access, TransferId(id), ("request", TransferState::Requested), Side::Sending, on, reason)
            .await?;
        w.record(
            access,
            NewEntry {
                kind: "transfer.requested",
                org_path: &from.path,
                subject: format!("member:{}", member.0),
                payload: serde_json::json!({
                    "transfer_id": id, "direction": direction.code(),
                    "from_org_id": from.id.0, "from_org": from.fields.name,
                    "to_org_id": to_org.as_ref().map(|o| o.id.0),
                    "to": to_org.as_ref().map_or(to_outside.clone(), |o| o.fields.name.clone()),
                    "on": on.to_string(),
                }),
                reason,
            },
        )
        .await?;
        w.commit().await?;
        Ok(TransferId(id))
    }

    /// Registers a member whose letter came from outside the deployment: the member is taken into
    /// `org` on `on` (counted from that day) and the transfer waits for their report and receipt.
    pub async fn register_inbound(
        &self,
        access: &Access,
        org: OrgId,
        fields: &MemberFields,
        from_outside: &str,
        on: Date,
        reason: &str,
    ) -> Result<(MemberId, TransferId), StoreError> {
        access.require(access.may_edit_members())?;
        if from_outside.trim().is_empty() {
            return Err(StoreError::Refused {
                code: "transfer.destination_missing",
                message: "请填写开具介绍信的系统外组织名称".into(),
            });
        }
        check_on(on)?;
        let mut w = Write::begin(self).await?;
        let to = load_org(&mut w.tx, access, org).await?;
        let member = insert_member(&mut w, access, &to, fields, on, reason).await?;
        let id = crate::org::write::next_id(&mut w.tx, "transfer").await?;
        w.tx.exec(
            "INSERT INTO transfer (id, member_id, direction, state, open, from_outside, to_org_id, reason, \
             requested_on, last_step_on, received_on) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)",
            params![
                id,
                member.0,
                Direction::Inbound.code(),
                TransferState::Received.code(),
                from_outside.trim(),
                to.id.0,
                reason.trim(),
                on,
                on,
                on
            ],
        )
        .await?;
        log_step(
            &mut w,
            access,
            TransferId(id),
            ("register_inbound", TransferState::Received),
            Side::Receiving,
            on,
            reason,
        )
        .await?;
        w.record(
            access,
            NewEntry {
                kind: "transfer.inbound_registered",
                org_path: &to.path,
                subject: format!("member:{}", member.0),
                payload: serde_json::json!({
                    "transfer_id": id, "from": from_outside.trim(), "to_org_id": to.id.0, "to_org": to.fields.name,
                    "on": on.to_string(),
                }),
                reason,
            },
        )
        .await?;
        w.commit().await?;
        Ok((member, TransferId(id)))
    }

    /// Takes one step of a transfer for the side the actor is on. `letter` is needed to issue one.
    pub async fn transfer_step(
        &self,
        access: &Access,
        id: TransferId,
        action: TransferAction,
        on: Date,
        note: &str,
        letter: Option<&LetterInput>,
    ) -> Result<TransferState, StoreError> {
        access.require(access.may_edit_members())?;
        check_on(on)?;
        let mut w = Write::begin(self).await?;
        let t = w.tx.one(&format!("SELECT {COLUMNS} FROM {FROM} WHERE t.id = ?"), params![id.0]).await?;
        let t = transfer_of(access, &w.keys, &t)?;
        if t.sides.is_empty() {
            return Err(StoreError::NotFound);
        }
        // An actor above both sides acts for whichever side the step belongs to.
        let p = t.progress();
        let side =
            t.sides.iter().copied().find(|&s| qiangji_domain::transfer::offered(&p, s, action)).unwrap_or(t.sides[0]);
        let outcome = qiangji_domain::transfer::apply(&p, side, action, on)?;
        if matches!(action, TransferAction::SendBack | TransferAction::Reject | TransferAction::Withdraw)
            && note.trim().is_empty()
        {
            return Err(StoreError::Refused {
                code: "transfer.note_missing",
                message: format!("{}须填写说明", action.label()),
            });
        }
        let side_org = match side {
            Side::Sending => t.from_org.as_ref(),
            Side::Receiving => t.to_org.as_ref(),
        }
        .map(|o| o.0)
        .ok_or_else(|| bad("办理方"))?;
        let side_org = load_any_org(&mut w.tx, side_org).await?;
        let mut sets = vec![("state", outcome.state.code().to_owned())];
        match action {
            TransferAction::IssueLetter => {
                let input = letter.ok_or_else(|| StoreError::Refused {
                    code: "transfer.letter_missing",
                    message: "开具介绍信须填写有效期和党费交纳月份".into(),
                })?;
                let l = TransferLetter::new(on, input.valid_months, &input.dues_paid_to)?;
                let year = i64::from(chrono::Datelike::year(&on));
                let number = w
                    .tx
                    .one("SELECT COALESCE(MAX(letter_no), 0) + 1 FROM transfer WHERE letter_year = ?", params![year])
                    .await?
                    .int(0);
                w.tx.exec(
                    "UPDATE transfer SET letter_year = ?, letter_no = ?, issued_on = ?, valid_until = ?, dues_paid_to = ? \
                     WHERE id = ?",
                    params![year, number, on, l.valid_until, l.dues_paid_to, id.0],
                )
                .await?;
            }
            TransferAction::Receive => sets.push(("received_on", on.to_string())),
            TransferAction::Report => sets.push(("reported_on", on.to_string())),
            _ => {}
        }
        match outcome.effect {
            Effect::None => {}
            Effect::Move => {
                let (from, to) = match (&t.from_org, &t.to_org) {
                    (Some(f), Some(to)) => (f.0, to.0),
                    _ => return Err(bad("转接组织")),
                };
                let current =
                    OrgId(w.tx.one("SELECT org_id FROM member WHERE id = ?", params![t.member_id.0]).await?.int(0));
                if current != from {
                    return Err(StoreError::Refused {
                        code: "transfer.member_moved",
                        message: "该党员已不在转出组织（组织关系已被调整），本次转接不能接收，请由转出方撤回".into(),
                    });
                }
                let from = load_any_org(&mut w.tx, from).await?;
                let to = load_any_org(&mut w.tx, to).await?;
                check_receiver(&to)?;
                crate::member::relocate(
                    &mut w,
                    access,
                    t.member_id,
                    &from,
                    &to,
                    on,
                    &format!("组织关系转接：{}", t.reason),
                )
                .await?;
            }
            Effect::Leave => {
                w.tx.exec(
                    "UPDATE membership SET valid_to = ? WHERE member_id = ? AND valid_to IS NULL",
                    params![on, t.member_id.0],
                )
                .await?;
            }
        }
        if !outcome.state.is_open() {
            sets.push(("closed_on", on.to_string()));
        }
        let assignments: Vec<String> = sets.iter().map(|(c, _)| format!("{c} = ?")).collect();
        let mut values: Vec<crate::db::Value> = sets.into_iter().map(|(_, v)| v.into()).collect();
        values.push(on.into());
        values.push(i64::from(outcome.state.is_open()).into());
        values.push(id.0.into());
        w.tx.exec(
            &format!("UPDATE transfer SET {}, last_step_on = ?, open = ? WHERE id = ?", assignments.join(", ")),
            values,
        )
        .await?;
        log_step(&mut w, access, id, (action.code(), outcome.state), side, on, note).await?;
        w.record(
            access,
            NewEntry {
                kind: ledger_kind(action),
                org_path: &side_org.path,
                subject: format!("member:{}", t.member_id.0),
                payload: serde_json::json!({
                    "transfer_id": id.0, "state": { "old": t.state.code(), "new": outcome.state.code() },
                    "side": side.code(), "on": on.to_string(),
                }),
                reason: if note.trim().is_empty() { action.label() } else { note },
            },
        )
        .await?;
        w.commit().await?;
        Ok(outcome.state)
    }

    /// One transfer, if the actor sees either side.
    pub async fn get_transfer(&self, access: &Access, id: TransferId) -> Result<Transfer, StoreError> {
        let r = self.db.one(&format!("SELECT {COLUMNS} FROM {FROM} WHERE t.id = ?"), params![id.0]).await?;
        let t = transfer_of(access, &self.keys, &r)?;
        if t.sides.is_empty() && access.self_member_id() != Some(t.member_id.0) {
            return Err(StoreError::NotFound);
        }
        Ok(t)
    }

    /// A transfer's steps, oldest first. The caller has read the transfer with `get_transfer`.
    pub async fn transfer_steps(&self, id: TransferId) -> Result<Vec<Step>, StoreError> {
        let rows = self
            .db
            .all(
                "SELECT action, state, side, done_on, at, actor_name, note FROM transfer_step WHERE transfer_id = ? \
                 ORDER BY id",
                params![id.0],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Step {
                    action: TransferAction::parse(&r.text(0)).ok(),
                    state: TransferState::parse(&r.text(1)).map_err(|_| bad("状态"))?,
                    side: r.text(2),
                    done_on: r.opt_date(3).ok_or_else(|| bad("日期"))?,
                    at: r.text(4),
                    actor_name: r.text(5),
                    note: r.text(6),
                })
            })
            .collect()
    }

    /// Transfers with either side in `org`'s subtree (within the actor's scope), newest first;
    /// only the open ones unless `all`; at most [`LIST_LIMIT`].
    pub async fn list_transfers(&self, access: &Access, org: OrgId, all: bool) -> Result<Vec<Transfer>, StoreError> {
        self.list_transfers_upto(access, org, all, Some(LIST_LIMIT)).await
    }

    /// [`Store::list_transfers`] with another limit, or none (a download of them all).
    pub async fn list_transfers_upto(
        &self,
        access: &Access,
        org: OrgId,
        all: bool,
        limit: Option<usize>,
    ) -> Result<Vec<Transfer>, StoreError> {
        let limit = limit.map(|n| format!(" LIMIT {n}")).unwrap_or_default();
        let base = self.get_org(access, org).await?;
        let (lo, hi) = (base.path.clone(), format!("{}~", base.path));
        let open = if all { "" } else { "t.open = 1 AND " };
        // A member's own account lists only its own transfers.
        let own = if access.self_member_id().is_some() { "t.member_id = ? AND " } else { "" };
        let mut p = params![lo.clone(), hi.clone(), lo, hi];
        if let Some(me) = access.self_member_id() {
            p.insert(0, me.into());
        }
        let rows = self
            .db
            .all(
                &format!(
                    "SELECT {COLUMNS} FROM {FROM} WHERE {own}{open}((fo.path >= ? AND fo.path < ?) OR (tor.path >= ? AND tor.path < ?)) \
                     ORDER BY t.id DESC{limit}"
                ),
                p,
            )
            .await?;
        rows.iter().map(|r| transfer_of(access, &self.keys, r)).collect()
    }

    /// A member's transfers, newest first (the member is within scope: the caller has read them).
    pub async fn transfers_of_member(&self, access: &Access, member: MemberId) -> Result<Vec<Transfer>, StoreError> {
        let rows = self
            .db
            .all(&format!("SELECT {COLUMNS} FROM {FROM} WHERE t.member_id = ? ORDER BY t.id DESC"), params![member.0])
            .await?;
        rows.iter().map(|r| transfer_of(access, &self.keys, r)).collect()
    }

    /// Which of these members are in transit (a letter out, not yet taken in): the roster marks them 在途.
    pub async fn in_transit(&self, ids: &[MemberId]) -> Result<std::collections::HashSet<MemberId>, StoreError> {
        if ids.is_empty() {
            return Ok(Default::default());
        }
        let marks = vec!["?"; ids.len()].join(", ");
        let mut p = params![TransferState::LetterIssued.code()];
        p.extend(ids.iter().map(|i| crate::db::Value::from(i.0)));
        let rows = self
            .db
            .all(&format!("SELECT member_id FROM transfer WHERE open = 1 AND state = ? AND member_id IN ({marks})"), p)
            .await?;
        Ok(rows.iter().map(|r| MemberId(r.int(0))).collect())
    }

    /// Organizations of the whole deployment whose name contains `query`, that can take members in.
    pub async fn find_receivers(&self, query: &str) -> Result<Vec<Receiver>, StoreError> {
        let q = query.trim();
        if q.is_empty() {
            return Ok(Vec::new());
        }
        let rows = self
            .db
            .all(
                "SELECT o.id, o.name, COALESCE(p.name, '') FROM org o LEFT JOIN org p ON p.id = o.parent_id \
                 WHERE o.name LIKE ? AND o.dissolved_on IS NULL AND o.kind <> ? ORDER BY o.path LIMIT 20",
                params![format!("%{q}%"), OrgKind::Group.code()],
            )
            .await?;
        Ok(rows.iter().map(|r| Receiver { id: OrgId(r.int(0)), name: r.text(1), parent_name: r.text(2) }).collect())
    }
}

/// The step a ledger entry of this kind records, if it records one.
pub fn step_of_entry(kind: &str) -> Option<TransferAction> {
    TransferAction::ALL.iter().copied().find(|&a| ledger_kind(a) == kind)
}

/// The ledger's name of a step (stable, never reused).
pub fn ledger_kind(action: TransferAction) -> &'static str {
    match action {
        TransferAction::Approve => "transfer.approved",
        TransferAction::SendBack => "transfer.sent_back",
        TransferAction::Resubmit => "transfer.resubmitted",
        TransferAction::IssueLetter => "transfer.letter_issued",
        TransferAction::Receive => "transfer.received",
        TransferAction::Report => "transfer.reported",
        TransferAction::ReturnReceipt => "transfer.receipt_returned",
        TransferAction::Withdraw => "transfer.withdrawn",
        TransferAction::Reject => "transfer.rejected",
        TransferAction::Expire => "transfer.expired",
    }
}
