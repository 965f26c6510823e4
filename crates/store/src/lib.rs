//! 强基 persistence: SQLite (embedded default) and PostgreSQL behind one API, the ledger, and
//! scoped access.
//!
//! Every public function that reads or writes records takes an [`Access`] first and limits itself
//! to the actor's subtree with one SQL predicate (a materialized-path range). Writes append to the
//! ledger in the same transaction (reminders, operational messages rather than facts, excepted). HTTP, HTML and JSON do not belong here.

pub mod access;
pub mod attendance;
pub mod bulk;
pub mod check;
pub mod db;
pub mod development;
pub mod error;
pub mod floating;
pub mod host_entity;
pub mod import;
pub mod ledger;
pub mod member;
mod migrate;
pub mod org;
pub mod orglife;
pub mod orglife_rules;
pub mod reminder;
pub mod seal;
pub mod transfer;
pub mod user;

pub use access::{Access, Role};
pub use db::Backend;
pub use error::StoreError;

use db::Db;

/// The database plus everything that operates on it.
#[derive(Clone, Debug)]
pub struct Store {
    db: Db,
    keys: std::sync::Arc<seal::Keyring>,
}

impl Store {
    /// Connects and applies pending migrations, with the data key [`seal::DataKey::for_url`] names.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        Store::open_with_key(url, &seal::DataKey::for_url(url)?).await
    }

    /// Connects, applies pending migrations and takes `key` for personal numbers: a database that
    /// has none yet adopts it (and seals what an older version stored in the clear); one that has
    /// another refuses to open.
    pub async fn open_with_key(url: &str, key: &seal::DataKey) -> Result<Store, StoreError> {
        let db = Db::connect(url).await?;
        migrate::run(&db).await?;
        let keys = std::sync::Arc::new(seal::adopt(&db, key).await?);
        Ok(Store { db, keys })
    }

    /// The keys personal numbers are sealed with.
    pub fn keys(&self) -> &seal::Keyring {
        &self.keys
    }

    pub fn backend(&self) -> Backend {
        self.db.backend()
    }

    /// The raw pool, for maintenance commands and tests that must reach under the API
    /// (e.g. to tamper with a ledger row and prove `check` notices).
    pub fn db(&self) -> &Db {
        &self.db
    }

    pub async fn close(&self) {
        self.db.close().await;
    }

    /// The root organization, if the database has been initialised.
    pub async fn root_org_id(&self) -> Result<Option<i64>, StoreError> {
        Ok(self
            .db
            .opt("SELECT id FROM org WHERE parent_id IS NULL ORDER BY path LIMIT 1", params![])
            .await?
            .map(|r| r.int(0)))
    }

    /// The root organization's path (empty before there is one).
    pub async fn root_org_path(&self) -> Result<String, StoreError> {
        Ok(self
            .db
            .opt("SELECT path FROM org WHERE parent_id IS NULL ORDER BY path LIMIT 1", params![])
            .await?
            .map(|r| r.text(0))
            .unwrap_or_default())
    }
}
