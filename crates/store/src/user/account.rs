//! What a user does with their own account: change the password (which ends their other
//! sessions), see the sessions they have open and end any of them, and read their security events.
//! Administrators can end every session of an account.

use super::{IDLE_TIMEOUT_MINUTES, Session, blocking, hash_password, verify_password};
use crate::access::Access;
use crate::error::StoreError;
use crate::ledger::{NewEntry, Write, now};
use crate::{Store, params};
use qiangji_domain::password::PasswordError;

/// Where a request came from, as far as the server can tell.
#[derive(Debug, Clone, Default)]
pub struct Client {
    pub address: String,
    pub user_agent: String,
}

impl Client {
    /// Kept short: both come from the client and end up on pages and in the audit.
    pub(super) fn address(&self) -> String {
        self.address.chars().take(64).collect()
    }

    pub(super) fn user_agent(&self) -> String {
        self.user_agent.chars().take(200).collect()
    }
}

/// An open session of a user, as their account page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    /// Identifies the session to end it: the stored hash of its token, which does not let anyone
    /// log in.
    pub handle: String,
    pub created_at: String,
    pub last_seen_at: String,
    pub address: String,
    pub user_agent: String,
    /// The session the list was asked from.
    pub current: bool,
}

/// A security event of an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthEvent {
    pub at: String,
    pub event: String,
    pub address: String,
    pub detail: String,
}

impl AuthEvent {
    pub fn label(&self) -> &'static str {
        match self.event.as_str() {
            "login" => "登录",
            "login_failed" => "登录失败",
            "login_refused" => "登录被拒（锁定中）",
            "locked" => "账户锁定",
            "logout" => "退出登录",
            "password_changed" => "修改密码",
            "sessions_ended" => "结束会话",
            "totp_enabled" => "启用两步验证",
            "totp_disabled" => "停用两步验证",
            _ => "其他",
        }
    }
}

fn wrong_code() -> StoreError {
    StoreError::Refused { code: "totp.code_wrong", message: "动态验证码不正确或已过期".into() }
}

/// A password the policy refuses, as a refusal with its code.
pub(crate) fn refused(e: PasswordError) -> StoreError {
    StoreError::Refused { code: e.code(), message: e.to_string() }
}

impl Store {
    /// Records a security event of `username`.
    pub(crate) async fn auth_event(
        &self,
        username: &str,
        user_id: Option<i64>,
        event: &str,
        client: &Client,
        detail: &str,
    ) -> Result<(), StoreError> {
        let username: String = username.trim().chars().take(64).collect();
        self.db
            .exec(
                "INSERT INTO auth_event (at, username, user_id, event, address, detail) VALUES (?, ?, ?, ?, ?, ?)",
                params![now(), username, user_id, event, client.address(), detail],
            )
            .await?;
        Ok(())
    }

    /// Changes the password of the user of `session` after checking the current one; every other
    /// session of the user ends (a stolen session does not outlive the change).
    pub async fn change_password(
        &self,
        access: &Access,
        session: &Session,
        current: &str,
        new: &str,
        client: &Client,
    ) -> Result<(), StoreError> {
        let wrong = || StoreError::Refused { code: "password.current_wrong", message: "当前密码不正确".into() };
        let user =
            self.db.one("SELECT password_hash, username FROM app_user WHERE id = ?", params![session.user_id]).await?;
        let (given, stored) = (current.to_owned(), user.text(0));
        if !blocking(move || verify_password(&given, &stored)).await? {
            self.auth_event(&session.username, Some(session.user_id), "login_failed", client, "修改密码时当前密码错误")
                .await?;
            return Err(wrong());
        }
        qiangji_domain::password::check(new, &session.username).map_err(refused)?;
        if new == current {
            return Err(StoreError::Refused {
                code: "password.unchanged", message: "新密码不能与当前密码相同".into()
            });
        }
        let new = new.to_owned();
        let hash = blocking(move || hash_password(&new)).await??;
        let org = self.get_org(access, qiangji_domain::org::OrgId(access.scope_org_id())).await?;
        let mut w = Write::begin(self).await?;
        w.tx.exec(
            "UPDATE app_user SET password_hash = ?, password_changed_at = ? WHERE id = ?",
            params![hash, now(), session.user_id],
        )
        .await?;
        w.tx.exec(
            "DELETE FROM user_session WHERE user_id = ? AND token_hash <> ?",
            params![session.user_id, session.token_hash.clone()],
        )
        .await?;
        // The ledger says that it changed, never what to.
        w.record(
            access,
            NewEntry {
                kind: "user.password_changed",
                org_path: &org.path,
                subject: format!("user:{}", session.user_id),
                payload: serde_json::json!({ "username": session.username }),
                reason: "本人修改密码",
            },
        )
        .await?;
        w.commit().await?;
        self.auth_event(&session.username, Some(session.user_id), "password_changed", client, "其他会话已结束").await
    }

    /// The sessions the user of `session` has open, newest first (idle ones are over already).
    pub async fn list_sessions(&self, session: &Session) -> Result<Vec<SessionInfo>, StoreError> {
        let cutoff = crate::ledger::stamp(chrono::Utc::now() - chrono::Duration::minutes(IDLE_TIMEOUT_MINUTES));
        let rows = self
            .db
            .all(
                "SELECT token_hash, created_at, last_seen_at, address, user_agent FROM user_session \
                 WHERE user_id = ? AND last_seen_at >= ? ORDER BY created_at DESC",
                params![session.user_id, cutoff],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| SessionInfo {
                current: r.text(0) == session.token_hash,
                handle: r.text(0),
                created_at: r.text(1),
                last_seen_at: r.text(2),
                address: r.text(3),
                user_agent: r.text(4),
            })
            .collect())
    }

    /// Ends sessions of the user of `session`: the one `handle` names, or (None) every other one.
    /// Returns how many ended.
    pub async fn end_sessions(
        &self,
        session: &Session,
        handle: Option<&str>,
        client: &Client,
    ) -> Result<u64, StoreError> {
        let ended = match handle {
            Some(h) => {
                self.db
                    .exec("DELETE FROM user_session WHERE user_id = ? AND token_hash = ?", params![session.user_id, h])
                    .await?
            }
            None => {
                self.db
                    .exec(
                        "DELETE FROM user_session WHERE user_id = ? AND token_hash <> ?",
                        params![session.user_id, session.token_hash.clone()],
                    )
                    .await?
            }
        };
        let detail = format!("本人结束{ended}个会话");
        self.auth_event(&session.username, Some(session.user_id), "sessions_ended", client, &detail).await?;
        Ok(ended)
    }

    /// Ends every session of `username` (system administrators, e.g. for a lost phone).
    pub async fn end_all_sessions(&self, access: &Access, username: &str) -> Result<u64, StoreError> {
        access.require(access.may_manage_users())?;
        let user = self
            .db
            .opt("SELECT id FROM app_user WHERE username = ?", params![username.trim()])
            .await?
            .ok_or(StoreError::NotFound)?;
        let ended = self.db.exec("DELETE FROM user_session WHERE user_id = ?", params![user.int(0)]).await?;
        let detail = format!("{}结束全部{ended}个会话", access.actor_name());
        self.auth_event(username, Some(user.int(0)), "sessions_ended", &Client::default(), &detail).await?;
        Ok(ended)
    }

    /// Whether the account has a second factor.
    pub async fn totp_enabled(&self, user_id: i64) -> Result<bool, StoreError> {
        let r = self.db.one("SELECT totp_secret FROM app_user WHERE id = ?", params![user_id]).await?;
        Ok(r.opt_text(0).is_some())
    }

    /// Starts setting up a second factor for the user of `session`: a new random secret, kept as
    /// pending until a code from it is confirmed. Returns the secret (for the authenticator app).
    pub async fn totp_begin(&self, session: &Session) -> Result<Vec<u8>, StoreError> {
        let mut secret = vec![0u8; 20];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut secret);
        self.db
            .exec(
                "UPDATE app_user SET totp_pending = ? WHERE id = ?",
                params![seal_totp(&self.keys, &secret), session.user_id],
            )
            .await?;
        Ok(secret)
    }

    /// The secret being set up, if any.
    pub async fn totp_pending(&self, user_id: i64) -> Result<Option<Vec<u8>>, StoreError> {
        let r = self.db.one("SELECT totp_pending FROM app_user WHERE id = ?", params![user_id]).await?;
        open_totp(&self.keys, r.opt_text(0))
    }

    /// Turns the second factor on once a code from the pending secret is right.
    pub async fn totp_confirm(
        &self,
        access: &Access,
        session: &Session,
        code: &str,
        client: &Client,
    ) -> Result<(), StoreError> {
        let secret = self
            .totp_pending(session.user_id)
            .await?
            .ok_or(StoreError::Refused { code: "totp.not_started", message: "请先生成密钥".into() })?;
        let now = u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0);
        let step = qiangji_domain::totp::matching_step(&secret, code, now).ok_or_else(wrong_code)?;
        self.set_totp(access, session, Some((&secret, step)), "user.totp_enabled", client).await
    }

    /// Turns the second factor off, with the password and a current code.
    pub async fn totp_disable(
        &self,
        access: &Access,
        session: &Session,
        password: &str,
        code: &str,
        client: &Client,
    ) -> Result<(), StoreError> {
        let r = self
            .db
            .one("SELECT password_hash, totp_secret FROM app_user WHERE id = ?", params![session.user_id])
            .await?;
        let (given, stored) = (password.to_owned(), r.text(0));
        if !blocking(move || verify_password(&given, &stored)).await? {
            return Err(StoreError::Refused {
                code: "password.current_wrong", message: "当前密码不正确".into()
            });
        }
        let secret = open_totp(&self.keys, r.opt_text(1))?
            .ok_or(StoreError::Refused { code: "totp.not_enabled", message: "两步验证没有启用".into() })?;
        let now = u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0);
        qiangji_domain::totp::matching_step(&secret, code, now).ok_or_else(wrong_code)?;
        self.set_totp(access, session, None, "user.totp_disabled", client).await
    }

    async fn set_totp(
        &self,
        access: &Access,
        session: &Session,
        secret: Option<(&[u8], u64)>,
        kind: &'static str,
        client: &Client,
    ) -> Result<(), StoreError> {
        let org = self.get_org(access, qiangji_domain::org::OrgId(access.scope_org_id())).await?;
        let mut w = Write::begin(self).await?;
        w.tx.exec(
            "UPDATE app_user SET totp_secret = ?, totp_pending = NULL, totp_last_step = ? WHERE id = ?",
            params![
                secret.map(|(s, _)| seal_totp(&self.keys, s)),
                secret.map_or(0, |(_, step)| i64::try_from(step).unwrap_or(0)),
                session.user_id
            ],
        )
        .await?;
        w.record(
            access,
            NewEntry {
                kind,
                org_path: &org.path,
                subject: format!("user:{}", session.user_id),
                payload: serde_json::json!({ "username": session.username }),
                reason: "本人设置两步验证",
            },
        )
        .await?;
        w.commit().await?;
        let event = if secret.is_some() { "totp_enabled" } else { "totp_disabled" };
        self.auth_event(&session.username, Some(session.user_id), event, client, "").await
    }

    /// The most recent security events of the account `user_id`.
    pub async fn auth_events(&self, user_id: i64, limit: i64) -> Result<Vec<AuthEvent>, StoreError> {
        let rows = self
            .db
            .all(
                "SELECT at, event, address, detail FROM auth_event WHERE user_id = ? ORDER BY id DESC LIMIT ?",
                params![user_id, limit],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| AuthEvent { at: r.text(0), event: r.text(1), address: r.text(2), detail: r.text(3) })
            .collect())
    }
}

/// A second-factor secret as stored: base32, sealed.
fn seal_totp(keys: &crate::seal::Keyring, secret: &[u8]) -> String {
    keys.seal(crate::seal::Field::TotpSecret, &qiangji_domain::totp::base32(secret))
}

/// A stored second-factor secret. One that does not open is an error, never "no second factor".
pub(crate) fn open_totp(keys: &crate::seal::Keyring, stored: Option<String>) -> Result<Option<Vec<u8>>, StoreError> {
    let Some(stored) = stored else { return Ok(None) };
    let plain = keys.open(crate::seal::Field::TotpSecret, &stored)?;
    qiangji_domain::totp::from_base32(&plain).map(Some).ok_or_else(|| StoreError::Other("两步验证密钥无法识别".into()))
}
