//! The only module that knows there are two databases.
//!
//! Queries are written once, in the common subset of SQLite and PostgreSQL, with `?` placeholders;
//! this module numbers them (`$1`, `$2`, …) for PostgreSQL, binds typed values, and decodes rows.
//! Every value is a 64-bit integer or text (dates are `YYYY-MM-DD`, times RFC 3339 UTC, flags 0/1),
//! so the two schemas stay identical column for column. `sqlx::Any` cannot do this (it decodes
//! PostgreSQL NUMERIC poorly and writes `?` placeholders PostgreSQL rejects).

use crate::error::StoreError;
use futures_util::TryStreamExt;
use sqlx::postgres::{PgPool, PgPoolOptions, PgRow};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, Postgres, Row as _, Sqlite, Transaction};
use std::str::FromStr;
use std::time::Duration;

/// A bound parameter. Nulls are typed because PostgreSQL checks parameter types.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Int(Option<i64>),
    Text(Option<String>),
    /// A BLOB (SQLite) or BYTEA (PostgreSQL): attached files.
    Bytes(Vec<u8>),
}

impl From<&[u8]> for Value {
    fn from(v: &[u8]) -> Self {
        Value::Bytes(v.to_vec())
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(Some(v))
    }
}
impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Self {
        Value::Int(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Int(Some(i64::from(v)))
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(Some(v.to_owned()))
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(Some(v))
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(Some(v.clone()))
    }
}
impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Self {
        Value::Text(v)
    }
}
impl From<qiangji_domain::Date> for Value {
    fn from(v: qiangji_domain::Date) -> Self {
        Value::Text(Some(v.to_string()))
    }
}
impl From<Option<qiangji_domain::Date>> for Value {
    fn from(v: Option<qiangji_domain::Date>) -> Self {
        Value::Text(v.map(|d| d.to_string()))
    }
}

/// Builds a parameter list: `params![a, b, c]`.
#[macro_export]
macro_rules! params {
    ($($v:expr),* $(,)?) => { vec![$($crate::db::Value::from($v)),*] };
}

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Result<Backend, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            // Refusing unknown schemes avoids silently creating a stray database for a typo.
            Err(StoreError::Unavailable(format!("数据库地址应以 sqlite: 或 postgres:// 开头，收到的是 `{url}`")))
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Numbers `?` placeholders for PostgreSQL. Queries never contain `?` inside string literals.
fn dialect(backend: Backend, sql: &str) -> String {
    match backend {
        Backend::Sqlite => sql.to_owned(),
        Backend::Postgres => {
            let mut out = String::with_capacity(sql.len() + 16);
            let mut n = 0;
            for ch in sql.chars() {
                if ch == '?' {
                    n += 1;
                    out.push('$');
                    out.push_str(&n.to_string());
                } else {
                    out.push(ch);
                }
            }
            out
        }
    }
}

/// A connection pool to either database.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A decoded row. Columns are read by position.
pub enum Row {
    Sqlite(SqliteRow),
    Postgres(PgRow),
}

impl Row {
    pub fn int(&self, i: usize) -> i64 {
        self.opt_int(i).unwrap_or_default()
    }

    /// NULL is `None`. A column that is not an integer is a bug in the query, so it panics
    /// rather than passing for NULL.
    pub fn opt_int(&self, i: usize) -> Option<i64> {
        match self {
            Row::Sqlite(r) => r.try_get(i).unwrap_or_else(|e| decode_bug(i, "integer", e)),
            Row::Postgres(r) => r.try_get(i).unwrap_or_else(|e| decode_bug(i, "integer", e)),
        }
    }

    pub fn text(&self, i: usize) -> String {
        self.opt_text(i).unwrap_or_default()
    }

    /// NULL is `None`; a column that is not text panics (see [`Row::opt_int`]).
    pub fn opt_text(&self, i: usize) -> Option<String> {
        match self {
            Row::Sqlite(r) => r.try_get(i).unwrap_or_else(|e| decode_bug(i, "text", e)),
            Row::Postgres(r) => r.try_get(i).unwrap_or_else(|e| decode_bug(i, "text", e)),
        }
    }

    /// A BLOB or BYTEA column; anything else panics (see [`Row::opt_int`]).
    pub fn bytes(&self, i: usize) -> Vec<u8> {
        match self {
            Row::Sqlite(r) => r.try_get(i).unwrap_or_else(|e| decode_bug(i, "bytes", e)),
            Row::Postgres(r) => r.try_get(i).unwrap_or_else(|e| decode_bug(i, "bytes", e)),
        }
    }

    pub fn flag(&self, i: usize) -> bool {
        self.int(i) != 0
    }

    pub fn opt_date(&self, i: usize) -> Option<qiangji_domain::Date> {
        self.opt_text(i).and_then(|s| qiangji_domain::date::parse(&s))
    }
}

fn decode_bug(column: usize, expected: &str, e: sqlx::Error) -> ! {
    panic!("query column {column} is not {expected}: {e}")
}

macro_rules! bind_all {
    ($q:expr, $params:expr) => {{
        let mut q = $q;
        for p in $params {
            q = match p {
                Value::Int(v) => q.bind(v),
                Value::Text(v) => q.bind(v),
                Value::Bytes(v) => q.bind(v),
            };
        }
        q
    }};
}

impl Db {
    /// Opens the database named by `url`, creating a SQLite file if needed.
    pub async fn connect(url: &str) -> Result<Db, StoreError> {
        match Backend::of_url(url)? {
            Backend::Sqlite => {
                // WAL for concurrent readers; synchronous=FULL so an acknowledged commit survives
                // power loss; a busy timeout instead of immediate SQLITE_BUSY errors.
                let opts = SqliteConnectOptions::from_str(url)
                    .map_err(StoreError::from)?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Full)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
                    .pragma("cache_size", "-65536");
                let pool = SqlitePoolOptions::new().max_connections(8).connect_with(opts).await?;
                Ok(Db::Sqlite(pool))
            }
            Backend::Postgres => {
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect(url)
                    .await?;
                Ok(Db::Postgres(pool))
            }
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(p) => p.close().await,
            Db::Postgres(p) => p.close().await,
        }
    }

    /// Runs a query outside a transaction and returns all rows.
    pub async fn all(&self, sql: &str, params: Vec<Value>) -> Result<Vec<Row>, StoreError> {
        let sql = dialect(self.backend(), sql);
        Ok(match self {
            Db::Sqlite(p) => bind_all!(sqlx::query::<Sqlite>(AssertSqlSafe(sql)), params)
                .fetch_all(p)
                .await?
                .into_iter()
                .map(Row::Sqlite)
                .collect(),
            Db::Postgres(p) => bind_all!(sqlx::query::<Postgres>(AssertSqlSafe(sql)), params)
                .fetch_all(p)
                .await?
                .into_iter()
                .map(Row::Postgres)
                .collect(),
        })
    }

    pub async fn opt(&self, sql: &str, params: Vec<Value>) -> Result<Option<Row>, StoreError> {
        Ok(self.all(sql, params).await?.into_iter().next())
    }

    pub async fn one(&self, sql: &str, params: Vec<Value>) -> Result<Row, StoreError> {
        self.opt(sql, params).await?.ok_or(StoreError::NotFound)
    }

    /// Streams rows to `each` without holding them all (large loads at start-up).
    pub async fn for_each(&self, sql: &str, params: Vec<Value>, mut each: impl FnMut(Row)) -> Result<(), StoreError> {
        let sql = dialect(self.backend(), sql);
        match self {
            Db::Sqlite(p) => {
                let mut s = bind_all!(sqlx::query::<Sqlite>(AssertSqlSafe(sql)), params).fetch(p);
                while let Some(r) = s.try_next().await? {
                    each(Row::Sqlite(r));
                }
            }
            Db::Postgres(p) => {
                let mut s = bind_all!(sqlx::query::<Postgres>(AssertSqlSafe(sql)), params).fetch(p);
                while let Some(r) = s.try_next().await? {
                    each(Row::Postgres(r));
                }
            }
        }
        Ok(())
    }

    /// Runs a statement outside a transaction (migrations, maintenance).
    pub async fn exec(&self, sql: &str, params: Vec<Value>) -> Result<u64, StoreError> {
        let sql = dialect(self.backend(), sql);
        Ok(match self {
            Db::Sqlite(p) => {
                bind_all!(sqlx::query::<Sqlite>(AssertSqlSafe(sql)), params).execute(p).await?.rows_affected()
            }
            Db::Postgres(p) => {
                bind_all!(sqlx::query::<Postgres>(AssertSqlSafe(sql)), params).execute(p).await?.rows_affected()
            }
        })
    }

    /// Runs a script of several statements (migrations). No parameters.
    pub async fn exec_script(&self, sql: &str) -> Result<(), StoreError> {
        match self {
            Db::Sqlite(p) => {
                sqlx::raw_sql(AssertSqlSafe(sql.to_owned())).execute(p).await?;
            }
            Db::Postgres(p) => {
                sqlx::raw_sql(AssertSqlSafe(sql.to_owned())).execute(p).await?;
            }
        }
        Ok(())
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`)
    /// so that two writers never deadlock upgrading read locks.
    pub async fn begin_write(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Db::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }
}

/// An open transaction on either database.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl Tx {
    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn exec(&mut self, sql: &str, params: Vec<Value>) -> Result<u64, StoreError> {
        let sql = dialect(self.backend(), sql);
        Ok(match self {
            Tx::Sqlite(t) => {
                bind_all!(sqlx::query::<Sqlite>(AssertSqlSafe(sql)), params).execute(&mut **t).await?.rows_affected()
            }
            Tx::Postgres(t) => {
                bind_all!(sqlx::query::<Postgres>(AssertSqlSafe(sql)), params).execute(&mut **t).await?.rows_affected()
            }
        })
    }

    pub async fn all(&mut self, sql: &str, params: Vec<Value>) -> Result<Vec<Row>, StoreError> {
        let sql = dialect(self.backend(), sql);
        Ok(match self {
            Tx::Sqlite(t) => bind_all!(sqlx::query::<Sqlite>(AssertSqlSafe(sql)), params)
                .fetch_all(&mut **t)
                .await?
                .into_iter()
                .map(Row::Sqlite)
                .collect(),
            Tx::Postgres(t) => bind_all!(sqlx::query::<Postgres>(AssertSqlSafe(sql)), params)
                .fetch_all(&mut **t)
                .await?
                .into_iter()
                .map(Row::Postgres)
                .collect(),
        })
    }

    pub async fn opt(&mut self, sql: &str, params: Vec<Value>) -> Result<Option<Row>, StoreError> {
        Ok(self.all(sql, params).await?.into_iter().next())
    }

    pub async fn one(&mut self, sql: &str, params: Vec<Value>) -> Result<Row, StoreError> {
        self.opt(sql, params).await?.ok_or(StoreError::NotFound)
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_placeholders_are_numbered_in_order() {
        assert_eq!(
            dialect(Backend::Postgres, "SELECT a FROM t WHERE b = ? AND c < ?"),
            "SELECT a FROM t WHERE b = $1 AND c < $2"
        );
        assert_eq!(dialect(Backend::Sqlite, "x = ?"), "x = ?");
    }

    #[test]
    fn unknown_url_schemes_are_refused() {
        assert!(Backend::of_url("mysql://x").is_err());
        assert_eq!(Backend::of_url("sqlite://a.db").unwrap(), Backend::Sqlite);
        assert_eq!(Backend::of_url("postgresql://u@h/d").unwrap(), Backend::Postgres);
    }
}
