-- The optional second factor (RFC 6238 one-time codes): the shared secret once confirmed, the one
-- being set up until the user confirms a code from it, and the last step a code was accepted for
-- (a code is good once: someone who saw it typed cannot reuse it).
ALTER TABLE app_user ADD COLUMN totp_secret TEXT;
ALTER TABLE app_user ADD COLUMN totp_pending TEXT;
ALTER TABLE app_user ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
