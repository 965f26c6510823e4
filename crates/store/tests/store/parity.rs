//! Both schemas must agree column for column, so that the same queries mean the same thing.

use crate::fixture::{Backend, open};
use qiangji_store::params;
use std::collections::BTreeSet;

type Columns = BTreeSet<(String, String, bool)>;

async fn sqlite_schema() -> (Columns, BTreeSet<String>) {
    let t = open(Backend::Sqlite).await;
    let db = t.store.db();
    let mut cols = Columns::new();
    let tables = db
        .all("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'", params![])
        .await
        .unwrap();
    for t in tables {
        let table = t.text(0);
        let rows =
            db.all("SELECT name, \"notnull\", pk FROM pragma_table_info(?)", params![table.clone()]).await.unwrap();
        for r in rows {
            // A SQLite INTEGER PRIMARY KEY is never null, though the pragma does not say so.
            cols.insert((table.clone(), r.text(0), r.int(1) == 1 || r.int(2) > 0));
        }
    }
    let idx = db
        .all("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%'", params![])
        .await
        .unwrap()
        .iter()
        .map(|r| r.text(0))
        .collect();
    (cols, idx)
}

async fn postgres_schema() -> (Columns, BTreeSet<String>) {
    let t = open(Backend::Postgres).await;
    let db = t.store.db();
    let cols = db
        .all(
            "SELECT table_name::text, column_name::text, is_nullable::text FROM information_schema.columns WHERE table_schema = 'public'",
            params![],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.text(0), r.text(1), r.text(2) == "NO"))
        .collect();
    let idx = db
        .all(
            "SELECT indexname::text FROM pg_indexes WHERE schemaname = 'public' AND indexname NOT LIKE '%_pkey' AND indexname NOT LIKE '%_key'",
            params![],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.text(0))
        .collect();
    (cols, idx)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_schemas_have_the_same_tables_columns_nullability_and_indexes() {
    let (sc, si) = sqlite_schema().await;
    let (pc, pi) = postgres_schema().await;
    let only_sqlite: Vec<_> = sc.difference(&pc).collect();
    let only_pg: Vec<_> = pc.difference(&sc).collect();
    assert!(
        only_sqlite.is_empty() && only_pg.is_empty(),
        "only in SQLite: {only_sqlite:?}\nonly in PostgreSQL: {only_pg:?}"
    );
    assert_eq!(si, pi);
    assert!(sc.len() > 60, "the comparison saw the schema ({} columns)", sc.len());
}
