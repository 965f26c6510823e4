-- Reminders (提醒): before an organizational-life requirement falls due, its secretary is told in
-- the application, by email and by SMS. Reminders are operational messages, not facts about the
-- organization, so they are not in the ledger; they are never deleted either.

-- Where email reminders go. Members have a phone but no email; accounts get one.
ALTER TABLE app_user ADD COLUMN email TEXT NOT NULL DEFAULT '';

-- One reminder per (organization, requirement, period, stage); `dedupe_key` says so and is also the
-- key receivers de-duplicate by (the SMS hook's Idempotency-Key, the email's Message-ID).
CREATE TABLE reminder (
    id INTEGER PRIMARY KEY,
    dedupe_key TEXT NOT NULL UNIQUE,
    org_id INTEGER NOT NULL REFERENCES org(id),
    requirement TEXT NOT NULL,
    period_from TEXT NOT NULL,
    due_on TEXT NOT NULL,
    stage TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX reminder_org ON reminder (org_id, id);

-- The outbox: one row per reminder, channel and recipient (a user id for in_app, an address or a
-- phone number otherwise), retried with backoff until delivered.
CREATE TABLE reminder_delivery (
    reminder_id INTEGER NOT NULL REFERENCES reminder(id),
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    last_error TEXT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    delivered_at TEXT,
    PRIMARY KEY (reminder_id, channel, recipient)
);
CREATE INDEX reminder_delivery_due ON reminder_delivery (status, next_attempt_at);

-- What the in-app channel delivers: one per user and reminder.
CREATE TABLE notification (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES app_user(id),
    reminder_id INTEGER NOT NULL REFERENCES reminder(id),
    created_at TEXT NOT NULL,
    read_at TEXT,
    UNIQUE (user_id, reminder_id)
);

-- One row: the last day reminders were scheduled for, so that a day the server was down is caught
-- up and a first start reminds only of stages reached that day.
CREATE TABLE reminder_schedule (
    id INTEGER PRIMARY KEY,
    last_on TEXT NOT NULL
);
