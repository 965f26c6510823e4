//! Reminders (提醒) and their outbox: a reminder per (organization, requirement, period, stage),
//! one delivery per channel and recipient, retried with backoff until delivered, and the in-app
//! notifications they become.
//!
//! Reminders are operational messages, not facts about the organization: they are not in the
//! ledger, and nothing here deletes them. Scheduling and delivery are the server's own work
//! ([`Access::is_system`]); reading notifications and the outbox is scoped like everything else.

use crate::access::Access;
use crate::db::{Row, Tx};
use crate::error::StoreError;
use crate::ledger::stamp;
use crate::seal::{Field, Keyring};
use crate::{Store, params};
use chrono::{DateTime, Utc};
use qiangji_domain::Date;
use qiangji_domain::code_enum;
use qiangji_domain::org::{OrgId, Post};
use qiangji_domain::orglife::{Requirement, Stage};
use std::collections::HashMap;
use std::collections::hash_map::Entry;

code_enum!(
    /// How a reminder reaches its recipient.
    Channel, "reminder_channel", {
    InApp = ("in_app", "站内"),
    Email = ("email", "邮件"),
    Sms = ("sms", "短信"),
});

code_enum!(
    /// Where a delivery stands. `Sending` is claimed by a worker until its lease ends; `Failed`
    /// waits for its next attempt.
    DeliveryStatus, "delivery_status", {
    Pending = ("pending", "待发送"),
    Sending = ("sending", "发送中"),
    Delivered = ("delivered", "已送达"),
    Failed = ("failed", "待重试"),
});

/// How long a claimed delivery is left to its worker before another may retry it: longer than
/// any attempt's timeouts, so that a live attempt is never doubled, and short enough that one cut
/// off by a crash is retried soon.
pub const LEASE_SECONDS: i64 = 120;
/// The longest wait between two attempts.
pub const MAX_BACKOFF: std::time::Duration = std::time::Duration::from_secs(3600);
/// Longest error text kept from a failed attempt, in characters.
const ERROR_MAX: usize = 300;

/// A reminder to enqueue: a requirement of `org` at `stage`, with the text to send.
#[derive(Debug, Clone)]
pub struct NewReminder {
    pub org: OrgId,
    pub requirement: Requirement,
    pub stage: Stage,
    pub title: String,
    pub body: String,
}

impl NewReminder {
    /// What makes the reminder one: the same organization, requirement, period and stage twice is
    /// one reminder, however often scheduling runs.
    pub fn key(&self) -> String {
        let r = &self.requirement;
        format!("orglife/{}/{}/{}/{}", self.org.0, r.kind.code(), r.period.first_day(), self.stage.code())
    }
}

/// A claimed delivery with what it carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub reminder_id: i64,
    pub key: String,
    pub channel: Channel,
    /// A user id (in-app), an email address or a phone number (sealed: see [`Delivery::address`]).
    pub recipient: String,
    /// Attempts so far, this one included.
    pub attempts: i64,
    pub title: String,
    pub body: String,
}

/// A user's in-app notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub id: i64,
    pub org_id: OrgId,
    pub org_name: String,
    pub title: String,
    pub body: String,
    pub stage: Stage,
    pub due_on: Date,
    pub created_at: String,
    pub read_at: Option<String>,
}

/// One page of a user's notifications, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notifications {
    pub total: i64,
    pub unread: i64,
    pub items: Vec<Notification>,
}

/// One delivery as the outbox shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRow {
    pub channel: Channel,
    /// The address or phone number, or the account's name for in-app deliveries.
    pub recipient: String,
    pub status: DeliveryStatus,
    pub attempts: i64,
    pub last_error: String,
    pub next_attempt_at: String,
    pub delivered_at: Option<String>,
}

/// One reminder as the outbox shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    pub id: i64,
    pub key: String,
    pub org_id: OrgId,
    pub org_name: String,
    pub title: String,
    pub stage: Stage,
    pub due_on: Date,
    pub created_at: String,
    pub deliveries: Vec<DeliveryRow>,
}

/// One page of a subtree's outbox, newest first, and how many reminders could not go by SMS or
/// email for want of a phone number or an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outbox {
    pub total: i64,
    pub without_phone: i64,
    pub without_email: i64,
    pub rows: Vec<OutboxRow>,
}

fn bad(what: &str) -> StoreError {
    StoreError::Other(format!("数据库中的提醒无法识别：{what}"))
}

fn code<T>(r: Result<T, qiangji_domain::code::UnknownCode>) -> Result<T, StoreError> {
    r.map_err(|e| bad(&e.to_string()))
}

/// Reminders written per transaction, so that a city's first day does not hold the write lock long.
const ENQUEUE_BATCH: usize = 200;

/// Who is told of `org`'s reminders: the accounts of its secretary (or, without one, the branch
/// secretaries' accounts over the organization), their email addresses, and the secretary's phone.
async fn recipients(tx: &mut Tx, keys: &Keyring, org: OrgId) -> Result<Vec<(Channel, String)>, StoreError> {
    let secretary = tx
        .opt(
            "SELECT p.member_id, m.phone FROM org_post p LEFT JOIN member m ON m.id = p.member_id \
             WHERE p.org_id = ? AND p.post = ?",
            params![org.0, Post::Secretary.code()],
        )
        .await?;
    let (member, phone) = match secretary {
        Some(r) => (r.opt_int(0), keys.open(Field::Phone, &r.text(1))?),
        None => (None, String::new()),
    };
    let mut users = match member {
        Some(m) => {
            tx.all("SELECT id, email FROM app_user WHERE active = 1 AND member_id = ? ORDER BY id", params![m]).await?
        }
        None => Vec::new(),
    };
    if users.is_empty() {
        users = tx
            .all(
                "SELECT id, email FROM app_user WHERE active = 1 AND role = 'branch_secretary' AND scope_org_id = ? \
                 ORDER BY id",
                params![org.0],
            )
            .await?;
    }
    let mut out: Vec<(Channel, String)> = users.iter().map(|u| (Channel::InApp, u.int(0).to_string())).collect();
    for u in &users {
        let email = u.text(1).trim().to_owned();
        if !email.is_empty() && !out.contains(&(Channel::Email, email.clone())) {
            out.push((Channel::Email, email));
        }
    }
    if !phone.trim().is_empty() {
        out.push((Channel::Sms, phone.trim().to_owned()));
    }
    Ok(out)
}

impl Delivery {
    /// Where the message goes: the recipient as stored, with a phone number opened.
    pub fn address(&self, keys: &Keyring) -> Result<String, StoreError> {
        match self.channel {
            Channel::Sms => keys.open(Field::Phone, &self.recipient),
            _ => Ok(self.recipient.clone()),
        }
    }
}

/// Where a delivery is, by its primary key.
const DELIVERY: &str = "reminder_id = ? AND channel = ? AND recipient = ?";

fn delivery_key(d: &Delivery) -> Vec<crate::db::Value> {
    params![d.reminder_id, d.channel.code(), d.recipient.as_str()]
}

/// The wait before retrying after `attempts` failed attempts: `first`, then twice as long each
/// time, up to [`MAX_BACKOFF`].
pub fn backoff(attempts: i64, first: std::time::Duration) -> std::time::Duration {
    let doublings = (attempts.clamp(1, 20) - 1) as u32;
    first.saturating_mul(1 << doublings).min(MAX_BACKOFF)
}

impl Store {
    /// Enqueues `reminders` with a delivery for each recipient on each of `channels` (those the
    /// server can send through: a message no channel will ever carry is not queued). A reminder
    /// already enqueued (the same key) is left as it is. Returns how many were new.
    pub async fn enqueue_reminders(
        &self,
        access: &Access,
        reminders: &[NewReminder],
        channels: &[Channel],
        at: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        access.require(access.is_system())?;
        let (pred, scope) = access.org_predicate();
        let at = stamp(at);
        let mut new = 0;
        // An organization usually owes several requirements at once: look its recipients up once.
        let mut known: HashMap<OrgId, Vec<(Channel, String)>> = HashMap::new();
        for batch in reminders.chunks(ENQUEUE_BATCH) {
            let mut tx = self.db.begin_write().await?;
            for n in batch {
                let r = &n.requirement;
                let mut p = params![
                    n.key(),
                    r.kind.code(),
                    r.period.first_day(),
                    r.due(),
                    n.stage.code(),
                    n.title.as_str(),
                    n.body.as_str(),
                    at.as_str(),
                    n.org.0
                ];
                p.extend(scope.iter().cloned());
                let Some(row) = tx
                    .opt(
                        &format!(
                            "INSERT INTO reminder (dedupe_key, org_id, requirement, period_from, due_on, stage, title, body, \
                             created_at) SELECT ?, o.id, ?, ?, ?, ?, ?, ?, ? FROM org o WHERE o.id = ? AND {pred} \
                             ON CONFLICT (dedupe_key) DO NOTHING RETURNING id"
                        ),
                        p,
                    )
                    .await?
                else {
                    continue;
                };
                new += 1;
                if let Entry::Vacant(e) = known.entry(n.org) {
                    e.insert(recipients(&mut tx, &self.keys, n.org).await?);
                }
                for (channel, recipient) in known[&n.org].iter().filter(|(c, _)| channels.contains(c)) {
                    // A phone number waiting in the outbox is kept sealed like the member's own.
                    let recipient = match channel {
                        Channel::Sms => self.keys.seal(Field::Phone, recipient),
                        _ => recipient.clone(),
                    };
                    tx.exec(
                        "INSERT INTO reminder_delivery (reminder_id, channel, recipient, status, attempts, last_error, \
                         next_attempt_at) VALUES (?, ?, ?, 'pending', 0, '', ?)",
                        params![row.int(0), channel.code(), recipient, at.as_str()],
                    )
                    .await?;
                }
            }
            tx.commit().await?;
        }
        Ok(new)
    }

    /// Claims up to `limit` deliveries due at `at` for one attempt each: they become `sending`
    /// with a lease of [`LEASE_SECONDS`], so that no other worker attempts them meanwhile and one
    /// cut off by a crash is attempted again when the lease ends.
    pub async fn claim_deliveries(
        &self,
        access: &Access,
        at: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Delivery>, StoreError> {
        access.require(access.is_system())?;
        let now = stamp(at);
        let lease = stamp(at + chrono::Duration::seconds(LEASE_SECONDS));
        let rows = self
            .db
            .all(
                "SELECT d.reminder_id, d.channel, d.recipient, d.attempts, d.next_attempt_at, r.dedupe_key, r.title, r.body \
                 FROM reminder_delivery d JOIN reminder r ON r.id = d.reminder_id \
                 WHERE d.status IN ('pending', 'sending', 'failed') AND d.next_attempt_at <= ? \
                 ORDER BY d.next_attempt_at, d.reminder_id LIMIT ?",
                params![now.as_str(), limit],
            )
            .await?;
        let mut out = Vec::new();
        for r in rows {
            let d = Delivery {
                reminder_id: r.int(0),
                key: r.text(5),
                channel: code(Channel::parse(&r.text(1)))?,
                recipient: r.text(2),
                attempts: r.int(3) + 1,
                title: r.text(6),
                body: r.text(7),
            };
            // Only if nobody claimed it since it was read.
            let mut p = params![lease.as_str()];
            p.extend(delivery_key(&d));
            p.push(r.text(4).into());
            let claimed = self
                .db
                .exec(
                    &format!(
                        "UPDATE reminder_delivery SET status = 'sending', attempts = attempts + 1, next_attempt_at = ? \
                         WHERE {DELIVERY} AND status <> 'delivered' AND next_attempt_at = ?"
                    ),
                    p,
                )
                .await?;
            if claimed == 1 {
                out.push(d);
            }
        }
        Ok(out)
    }

    /// Records that an email or SMS delivery got through.
    pub async fn mark_delivered(&self, access: &Access, d: &Delivery, at: DateTime<Utc>) -> Result<(), StoreError> {
        access.require(access.is_system())?;
        let mut p = params![stamp(at)];
        p.extend(delivery_key(d));
        self.db
            .exec(
                &format!(
                    "UPDATE reminder_delivery SET status = 'delivered', delivered_at = ?, last_error = '' WHERE {DELIVERY}"
                ),
                p,
            )
            .await?;
        Ok(())
    }

    /// Records a failed attempt, to be made again at `retry_at` (see [`backoff`]).
    pub async fn mark_failed(
        &self,
        access: &Access,
        d: &Delivery,
        error: &str,
        retry_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        access.require(access.is_system())?;
        let next = stamp(retry_at);
        let error: String = error.chars().take(ERROR_MAX).collect();
        let mut p = params![error, next];
        p.extend(delivery_key(d));
        self.db
            .exec(
                &format!(
                    "UPDATE reminder_delivery SET status = 'failed', last_error = ?, next_attempt_at = ? \
                     WHERE {DELIVERY} AND status <> 'delivered'"
                ),
                p,
            )
            .await?;
        Ok(())
    }

    /// Delivers an in-app delivery: the notification and the delivered mark in one transaction, so
    /// the user sees it exactly once whatever happens around it.
    pub async fn deliver_in_app(&self, access: &Access, d: &Delivery, at: DateTime<Utc>) -> Result<(), StoreError> {
        access.require(access.is_system() && d.channel == Channel::InApp)?;
        let user: i64 = d.recipient.parse().map_err(|_| bad("站内提醒的接收人"))?;
        let at = stamp(at);
        let mut tx = self.db.begin_write().await?;
        tx.exec(
            "INSERT INTO notification (user_id, reminder_id, created_at) VALUES (?, ?, ?) \
             ON CONFLICT (user_id, reminder_id) DO NOTHING",
            params![user, d.reminder_id, at.as_str()],
        )
        .await?;
        let mut p = params![at];
        p.extend(delivery_key(d));
        tx.exec(
            &format!(
                "UPDATE reminder_delivery SET status = 'delivered', delivered_at = ?, last_error = '' WHERE {DELIVERY}"
            ),
            p,
        )
        .await?;
        tx.commit().await
    }

    /// The day reminders were last scheduled for, if ever.
    pub async fn last_scheduled_on(&self, access: &Access) -> Result<Option<Date>, StoreError> {
        access.require(access.is_system())?;
        Ok(self
            .db
            .opt("SELECT last_on FROM reminder_schedule WHERE id = 1", params![])
            .await?
            .and_then(|r| r.opt_date(0)))
    }

    pub async fn set_scheduled_on(&self, access: &Access, on: Date) -> Result<(), StoreError> {
        access.require(access.is_system())?;
        self.db
            .exec(
                "INSERT INTO reminder_schedule (id, last_on) VALUES (1, ?) \
                 ON CONFLICT (id) DO UPDATE SET last_on = excluded.last_on",
                params![on],
            )
            .await?;
        Ok(())
    }

    /// The user's own notifications from `offset`, newest first, within their scope.
    pub async fn list_notifications(
        &self,
        access: &Access,
        offset: i64,
        limit: i64,
    ) -> Result<Notifications, StoreError> {
        let user = access.actor_id().ok_or(StoreError::NotFound)?;
        let (pred, scope) = access.org_predicate();
        let from = format!(
            "FROM notification n JOIN reminder r ON r.id = n.reminder_id JOIN org o ON o.id = r.org_id \
             WHERE n.user_id = ? AND {pred}"
        );
        let mut p = params![user];
        p.extend(scope);
        let counts = self.db.one(&format!("SELECT COUNT(*), COUNT(*) - COUNT(n.read_at) {from}"), p.clone()).await?;
        p.extend(params![limit, offset]);
        let rows = self
            .db
            .all(
                &format!(
                    "SELECT n.id, r.org_id, o.name, r.title, r.body, r.stage, r.due_on, n.created_at, n.read_at {from} \
                     ORDER BY n.id DESC LIMIT ? OFFSET ?"
                ),
                p,
            )
            .await?;
        let items = rows
            .iter()
            .map(|r| {
                Ok(Notification {
                    id: r.int(0),
                    org_id: OrgId(r.int(1)),
                    org_name: r.text(2),
                    title: r.text(3),
                    body: r.text(4),
                    stage: code(Stage::parse(&r.text(5)))?,
                    due_on: r.opt_date(6).ok_or_else(|| bad("截止日期"))?,
                    created_at: r.text(7),
                    read_at: r.opt_text(8),
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(Notifications { total: counts.int(0), unread: counts.int(1), items })
    }

    /// How many of the user's notifications are unread (the count in the navigation).
    pub async fn unread_notifications(&self, access: &Access) -> Result<i64, StoreError> {
        let Some(user) = access.actor_id() else { return Ok(0) };
        let (pred, scope) = access.org_predicate();
        let mut p = params![user];
        p.extend(scope);
        let sql = format!(
            "SELECT COUNT(*) FROM notification n JOIN reminder r ON r.id = n.reminder_id JOIN org o ON o.id = r.org_id \
             WHERE n.user_id = ? AND n.read_at IS NULL AND {pred}"
        );
        Ok(self.db.one(&sql, p).await?.int(0))
    }

    /// Marks one of the user's own notifications read; anyone else's is `NotFound`.
    pub async fn mark_notification_read(&self, access: &Access, id: i64, at: DateTime<Utc>) -> Result<(), StoreError> {
        let user = access.actor_id().ok_or(StoreError::NotFound)?;
        let (pred, scope) = access.org_predicate();
        let mut p = params![stamp(at), id, user];
        p.extend(scope);
        let sql = format!(
            "UPDATE notification SET read_at = COALESCE(read_at, ?) WHERE id = ? AND user_id = ? AND reminder_id IN \
             (SELECT r.id FROM reminder r JOIN org o ON o.id = r.org_id WHERE {pred})"
        );
        match self.db.exec(&sql, p).await? {
            0 => Err(StoreError::NotFound),
            _ => Ok(()),
        }
    }

    /// The reminders of `org`'s subtree from `offset`, newest first, with their deliveries
    /// (officers only).
    pub async fn list_outbox(
        &self,
        access: &Access,
        org: OrgId,
        offset: i64,
        limit: i64,
    ) -> Result<Outbox, StoreError> {
        let o = self.get_org(access, org).await?;
        access.require(access.may_read_audit())?;
        let range = params![o.path.as_str(), format!("{}~", o.path)];
        let from = "FROM reminder r JOIN org o ON o.id = r.org_id WHERE o.path >= ? AND o.path < ?";
        let without = |channel: Channel| {
            format!(
                "(SELECT COUNT(*) {from} AND NOT EXISTS (SELECT 1 FROM reminder_delivery d \
                 WHERE d.reminder_id = r.id AND d.channel = '{}'))",
                channel.code()
            )
        };
        let mut p = range.clone();
        p.extend(range.clone());
        p.extend(range.clone());
        let counts = self
            .db
            .one(&format!("SELECT (SELECT COUNT(*) {from}), {}, {}", without(Channel::Sms), without(Channel::Email)), p)
            .await?;
        let mut p = range;
        p.extend(params![limit, offset]);
        let reminders = self
            .db
            .all(
                &format!(
                    "SELECT r.id, r.dedupe_key, r.org_id, o.name, r.title, r.stage, r.due_on, r.created_at {from} \
                     ORDER BY r.id DESC LIMIT ? OFFSET ?"
                ),
                p,
            )
            .await?;
        let mut rows: Vec<OutboxRow> = reminders
            .iter()
            .map(|r| {
                Ok(OutboxRow {
                    id: r.int(0),
                    key: r.text(1),
                    org_id: OrgId(r.int(2)),
                    org_name: r.text(3),
                    title: r.text(4),
                    stage: code(Stage::parse(&r.text(5)))?,
                    due_on: r.opt_date(6).ok_or_else(|| bad("截止日期"))?,
                    created_at: r.text(7),
                    deliveries: Vec::new(),
                })
            })
            .collect::<Result<_, StoreError>>()?;
        if !rows.is_empty() {
            let marks = vec!["?"; rows.len()].join(", ");
            let ids = rows.iter().map(|r| r.id.into()).collect();
            let deliveries = self
                .db
                .all(
                    &format!(
                        "SELECT d.reminder_id, d.channel, COALESCE(u.display_name, d.recipient), d.status, d.attempts, \
                         d.last_error, d.next_attempt_at, d.delivered_at FROM reminder_delivery d \
                         LEFT JOIN app_user u ON d.channel = 'in_app' AND CAST(u.id AS TEXT) = d.recipient \
                         WHERE d.reminder_id IN ({marks}) ORDER BY d.reminder_id, d.channel, d.recipient"
                    ),
                    ids,
                )
                .await?;
            for d in &deliveries {
                let row = delivery_row(d, &self.keys)?;
                if let Some(r) = rows.iter_mut().find(|r| r.id == d.int(0)) {
                    r.deliveries.push(row);
                }
            }
        }
        Ok(Outbox { total: counts.int(0), without_phone: counts.int(1), without_email: counts.int(2), rows })
    }
}

fn delivery_row(d: &Row, keys: &Keyring) -> Result<DeliveryRow, StoreError> {
    let channel = code(Channel::parse(&d.text(1)))?;
    Ok(DeliveryRow {
        channel,
        recipient: match channel {
            Channel::Sms => qiangji_domain::mask::mask_phone(&keys.open(Field::Phone, &d.text(2))?),
            _ => d.text(2),
        },
        status: code(DeliveryStatus::parse(&d.text(3)))?,
        attempts: d.int(4),
        last_error: d.text(5),
        next_attempt_at: d.text(6),
        delivered_at: d.opt_text(7),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_twice_as_long_each_time_up_to_an_hour() {
        let minute = std::time::Duration::from_secs(60);
        let waits: Vec<u64> = (1..=8).map(|n| backoff(n, minute).as_secs()).collect();
        assert_eq!(waits, [60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(backoff(1000, minute), MAX_BACKOFF);
    }
}
