//! User accounts, passwords (argon2id), login with lockout, and sessions with CSRF tokens.
//! Password changes, the sessions a user has open and their security events are in [`account`].
//!
//! Session tokens are random 256-bit values; only their SHA-256 is stored, so a copy of the
//! database does not let anyone log in.

use crate::access::{Access, Role};
use crate::error::StoreError;
use crate::ledger::{NewEntry, Write, now};
use crate::{Store, params};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};

pub mod account;
pub use account::{AuthEvent, Client, SessionInfo};

/// Failed logins before the account is locked, and for how long.
pub const MAX_FAILED_LOGINS: i64 = 5;
pub const LOCKOUT_MINUTES: i64 = 15;
/// A session unused this long must log in again.
pub const IDLE_TIMEOUT_MINUTES: i64 = 30;

/// A new account.
pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub password: &'a str,
    pub role: Role,
    pub scope_org_id: i64,
    pub member_id: Option<i64>,
    /// Where email reminders go; empty for none.
    pub email: &'a str,
}

/// Why a login failed. Unknown user and wrong password are one case, so names cannot be probed.
#[derive(Debug, PartialEq, Eq)]
pub enum LoginError {
    BadCredentials,
    /// The password is right and the account has a second factor: a one-time code is needed.
    CodeRequired,
    /// The password is right, the one-time code is not (or was used already). Counts as a failure.
    CodeWrong,
    Locked {
        until: String,
    },
    Store(String),
}

/// A logged-in session as the web layer sees it.
#[derive(Debug, Clone)]
pub struct Session {
    pub access: Access,
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub csrf_token: String,
    /// The stored hash of the session's token: names this session among the user's (it does not
    /// let anyone log in).
    pub token_hash: String,
}

fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Runs argon2 (tens of milliseconds of CPU by design) off the async workers.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| StoreError::Other(format!("密码计算任务失败：{e}")))
}

pub fn hash_password(password: &str) -> Result<String, StoreError> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| StoreError::Other(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Other(e.to_string()))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

impl Store {
    /// Creates an account (system administrators and maintenance commands only).
    pub async fn create_user(&self, access: &Access, u: &NewUser<'_>) -> Result<i64, StoreError> {
        access.require(access.may_manage_users())?;
        qiangji_domain::password::check(u.password, u.username).map_err(account::refused)?;
        let password = u.password.to_owned();
        let hash = blocking(move || hash_password(&password)).await??;
        let org = self.get_org(access, qiangji_domain::org::OrgId(u.scope_org_id)).await?;
        let mut w = Write::begin(self).await?;
        if w.tx.opt("SELECT id FROM app_user WHERE username = ?", params![u.username]).await?.is_some() {
            return Err(StoreError::DuplicateUsername(u.username.to_owned()));
        }
        let id = crate::org::write::next_id(&mut w.tx, "app_user").await?;
        w.tx.exec(
            "INSERT INTO app_user (id, username, display_name, password_hash, role, scope_org_id, member_id, email) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            params![id, u.username, u.display_name, hash, u.role.code(), u.scope_org_id, u.member_id, u.email.trim()],
        )
        .await?;
        w.record(
            access,
            NewEntry {
                kind: "user.created",
                org_path: &org.path,
                subject: format!("user:{id}"),
                payload: serde_json::json!({
                    "username": u.username, "display_name": u.display_name, "role": u.role.code(),
                    "scope_org_id": u.scope_org_id, "member_id": u.member_id, "email": u.email.trim(),
                }),
                reason: "创建用户",
            },
        )
        .await?;
        w.commit().await?;
        Ok(id)
    }

    /// Checks a password and opens a session. Returns the session token (for the cookie).
    pub async fn login(&self, username: &str, password: &str) -> Result<String, LoginError> {
        self.login_from(username, password, None, &Client::default()).await
    }

    /// [`Store::login`] from `client`, which the session and the account's security events keep;
    /// `code` is the one-time code of an account with a second factor.
    pub async fn login_from(
        &self,
        username: &str,
        password: &str,
        code: Option<&str>,
        client: &Client,
    ) -> Result<String, LoginError> {
        let store_err = |e: StoreError| LoginError::Store(e.to_string());
        let row = self
            .db
            .opt(
                "SELECT id, password_hash, failed_logins, locked_until, totp_secret, totp_last_step FROM app_user \
                 WHERE username = ? AND active = 1",
                params![username.trim()],
            )
            .await
            .map_err(store_err)?;
        let Some(row) = row else {
            // Spend the same time as a real check so that timing does not reveal which names exist.
            static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
            let password = password.to_owned();
            let _ = blocking(move || {
                let dummy = DUMMY.get_or_init(|| hash_password(&random_token()).unwrap_or_default());
                verify_password(&password, dummy)
            })
            .await;
            self.auth_event(username, None, "login_failed", client, "无此用户").await.map_err(store_err)?;
            return Err(LoginError::BadCredentials);
        };
        let (id, failed) = (row.int(0), row.int(2));
        if let Some(until) = row.opt_text(3)
            && until.as_str() > now().as_str()
        {
            self.auth_event(username, Some(id), "login_refused", client, "账户锁定中").await.map_err(store_err)?;
            return Err(LoginError::Locked { until });
        }
        let (given, stored) = (password.to_owned(), row.text(1));
        let password_right = blocking(move || verify_password(&given, &stored)).await.map_err(store_err)?;
        let mut right = password_right;
        let mut accepted_step = None;
        let secret = account::open_totp(&self.keys, row.opt_text(4)).map_err(store_err)?;
        if right && let Some(secret) = secret {
            let Some(code) = code.filter(|c| !c.trim().is_empty()) else {
                return Err(LoginError::CodeRequired);
            };
            let now = u64::try_from(Utc::now().timestamp()).unwrap_or(0);
            // A code is good once: a step at or before the last one accepted is refused.
            accepted_step = qiangji_domain::totp::matching_step(&secret, code, now)
                .filter(|s| i64::try_from(*s).unwrap_or(i64::MAX) > row.int(5));
            right = accepted_step.is_some();
        }
        // The password was right and only the code failed.
        let code_wrong = !right && password_right;
        if !right {
            let failed = failed + 1;
            let locked_until = (failed >= MAX_FAILED_LOGINS)
                .then(|| crate::ledger::stamp(Utc::now() + Duration::minutes(LOCKOUT_MINUTES)));
            let reset = if locked_until.is_some() { 0 } else { failed };
            self.db
                .exec(
                    "UPDATE app_user SET failed_logins = ?, locked_until = ? WHERE id = ?",
                    params![reset, locked_until.clone(), id],
                )
                .await
                .map_err(store_err)?;
            let (event, detail) = match &locked_until {
                Some(_) => ("locked", format!("连续{failed}次密码错误，锁定{LOCKOUT_MINUTES}分钟")),
                None => ("login_failed", format!("密码或动态验证码错误（连续第{failed}次）")),
            };
            self.auth_event(username, Some(id), event, client, &detail).await.map_err(store_err)?;
            return Err(match locked_until {
                Some(until) => LoginError::Locked { until },
                None if code_wrong => LoginError::CodeWrong,
                None => LoginError::BadCredentials,
            });
        }
        let token = random_token();
        let at = now();
        if let Some(step) = accepted_step {
            // Taken only if no other login took this step meanwhile: the same code used twice at once
            // still opens one session.
            let step = i64::try_from(step).unwrap_or(i64::MAX);
            let took = self
                .db
                .exec(
                    "UPDATE app_user SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?",
                    params![step, id, step],
                )
                .await
                .map_err(store_err)?;
            if took == 0 {
                return Err(LoginError::CodeWrong);
            }
        }
        self.db
            .exec("UPDATE app_user SET failed_logins = 0, locked_until = NULL WHERE id = ?", params![id])
            .await
            .map_err(store_err)?;
        self.db
            .exec(
                "INSERT INTO user_session (token_hash, user_id, csrf_token, created_at, last_seen_at, address, user_agent) \
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
                params![token_hash(&token), id, random_token(), at.clone(), at, client.address(), client.user_agent()],
            )
            .await
            .map_err(store_err)?;
        self.auth_event(username, Some(id), "login", client, "").await.map_err(store_err)?;
        Ok(token)
    }

    /// The session for a token, if it exists and has not been idle too long.
    pub async fn session(&self, token: &str) -> Result<Option<Session>, StoreError> {
        let hash = token_hash(token);
        let Some(r) = self
            .db
            .opt(
                "SELECT u.id, u.username, u.display_name, u.role, u.scope_org_id, o.path, u.member_id, s.csrf_token, s.last_seen_at \
                 FROM user_session s JOIN app_user u ON u.id = s.user_id JOIN org o ON o.id = u.scope_org_id \
                 WHERE s.token_hash = ? AND u.active = 1",
                params![hash.clone()],
            )
            .await?
        else {
            return Ok(None);
        };
        let last_seen = DateTime::parse_from_rfc3339(&r.text(8)).map(|d| d.with_timezone(&Utc)).unwrap_or_default();
        let idle = Utc::now() - last_seen;
        if idle > Duration::minutes(IDLE_TIMEOUT_MINUTES) {
            self.db.exec("DELETE FROM user_session WHERE token_hash = ?", params![hash]).await?;
            return Ok(None);
        }
        if idle > Duration::seconds(60) {
            // Refresh at most once a minute so that reads do not turn into writes.
            self.db
                .exec("UPDATE user_session SET last_seen_at = ? WHERE token_hash = ?", params![now(), hash.clone()])
                .await?;
        }
        let Some(role) = Role::parse(&r.text(3)) else {
            return Err(StoreError::Other(format!("未知角色 {}", r.text(3))));
        };
        let display_name = r.text(2);
        Ok(Some(Session {
            access: Access::for_user(r.int(0), display_name.clone(), role, r.int(4), r.text(5), r.opt_int(6)),
            user_id: r.int(0),
            username: r.text(1),
            display_name,
            csrf_token: r.text(7),
            token_hash: hash,
        }))
    }

    pub async fn logout(&self, token: &str) -> Result<(), StoreError> {
        let hash = token_hash(token);
        let who = self
            .db
            .opt(
                "SELECT u.username, u.id, s.address FROM user_session s JOIN app_user u ON u.id = s.user_id \
                 WHERE s.token_hash = ?",
                params![hash.clone()],
            )
            .await?;
        self.db.exec("DELETE FROM user_session WHERE token_hash = ?", params![hash]).await?;
        if let Some(r) = who {
            let client = Client { address: r.text(2), user_agent: String::new() };
            self.auth_event(&r.text(0), Some(r.int(1)), "logout", &client, "").await?;
        }
        Ok(())
    }
}
