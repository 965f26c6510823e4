-- Accounts (SPEC §13): where and with what each session was opened, so that a user can see their
-- sessions and end the ones they do not recognise; when the password last changed; and the
-- security events of each account (logins, failures, lockouts, password changes, sessions ended)
-- for the audit. Logins are not data changes: they are kept here, not in the ledger.
ALTER TABLE user_session ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE user_session ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
ALTER TABLE app_user ADD COLUMN password_changed_at TEXT;

CREATE TABLE auth_event (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    username TEXT NOT NULL,
    user_id BIGINT,
    event TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX auth_event_user ON auth_event (username, id);
