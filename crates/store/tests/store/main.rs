//! The store's behaviour, run against both SQLite and a real PostgreSQL (a throwaway cluster
//! unless `QIANGJI_TEST_PG_URL` is set). Every test runs once per backend: `…::on_sqlite`, `…::on_postgres`.

mod attachments;
mod bulk;
mod checkpoints;
mod data_key;
mod development;
mod fixture;
mod floating;
mod ledger_and_check;
mod members;
mod orglife;
mod orgs;
mod parity;
mod personal;
mod reminders;
mod scope;
mod transfers;

/// Declares a test that runs on both backends.
#[macro_export]
macro_rules! on_both {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                super::$name($crate::fixture::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                super::$name($crate::fixture::Backend::Postgres).await
            }
        }
    };
}
