//! Embedded migrations, one folder per backend with the same file names. Never edit an applied one.

use crate::db::{Backend, Db};
use crate::error::StoreError;
use crate::params;

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "0001_create_core",
        sqlite: include_str!("../migrations/sqlite/0001_create_core.sql"),
        postgres: include_str!("../migrations/postgres/0001_create_core.sql"),
    },
    Migration {
        version: 2,
        name: "0002_org_life",
        sqlite: include_str!("../migrations/sqlite/0002_org_life.sql"),
        postgres: include_str!("../migrations/postgres/0002_org_life.sql"),
    },
    Migration {
        version: 3,
        name: "0003_reminders",
        sqlite: include_str!("../migrations/sqlite/0003_reminders.sql"),
        postgres: include_str!("../migrations/postgres/0003_reminders.sql"),
    },
    Migration {
        version: 4,
        name: "0004_meeting_evidence",
        sqlite: include_str!("../migrations/sqlite/0004_meeting_evidence.sql"),
        postgres: include_str!("../migrations/postgres/0004_meeting_evidence.sql"),
    },
    Migration {
        version: 5,
        name: "0005_absence_index",
        sqlite: include_str!("../migrations/sqlite/0005_absence_index.sql"),
        postgres: include_str!("../migrations/postgres/0005_absence_index.sql"),
    },
    Migration {
        version: 6,
        name: "0006_orglife_rules",
        sqlite: include_str!("../migrations/sqlite/0006_orglife_rules.sql"),
        postgres: include_str!("../migrations/postgres/0006_orglife_rules.sql"),
    },
    Migration {
        version: 7,
        name: "0007_transfers",
        sqlite: include_str!("../migrations/sqlite/0007_transfers.sql"),
        postgres: include_str!("../migrations/postgres/0007_transfers.sql"),
    },
    Migration {
        version: 8,
        name: "0008_development",
        sqlite: include_str!("../migrations/sqlite/0008_development.sql"),
        postgres: include_str!("../migrations/postgres/0008_development.sql"),
    },
    Migration {
        version: 9,
        name: "0009_floating",
        sqlite: include_str!("../migrations/sqlite/0009_floating.sql"),
        postgres: include_str!("../migrations/postgres/0009_floating.sql"),
    },
    Migration {
        version: 10,
        name: "0010_import",
        sqlite: include_str!("../migrations/sqlite/0010_import.sql"),
        postgres: include_str!("../migrations/postgres/0010_import.sql"),
    },
    Migration {
        version: 11,
        name: "0011_host_entities",
        sqlite: include_str!("../migrations/sqlite/0011_host_entities.sql"),
        postgres: include_str!("../migrations/postgres/0011_host_entities.sql"),
    },
    Migration {
        version: 12,
        name: "0012_import_kinds",
        sqlite: include_str!("../migrations/sqlite/0012_import_kinds.sql"),
        postgres: include_str!("../migrations/postgres/0012_import_kinds.sql"),
    },
    Migration {
        version: 13,
        name: "0013_ledger_checkpoint",
        sqlite: include_str!("../migrations/sqlite/0013_ledger_checkpoint.sql"),
        postgres: include_str!("../migrations/postgres/0013_ledger_checkpoint.sql"),
    },
    Migration {
        version: 14,
        name: "0014_accounts",
        sqlite: include_str!("../migrations/sqlite/0014_accounts.sql"),
        postgres: include_str!("../migrations/postgres/0014_accounts.sql"),
    },
    Migration {
        version: 15,
        name: "0015_totp",
        sqlite: include_str!("../migrations/sqlite/0015_totp.sql"),
        postgres: include_str!("../migrations/postgres/0015_totp.sql"),
    },
    Migration {
        version: 16,
        name: "0016_sealed_personal_numbers",
        sqlite: include_str!("../migrations/sqlite/0016_sealed_personal_numbers.sql"),
        postgres: include_str!("../migrations/postgres/0016_sealed_personal_numbers.sql"),
    },
];

pub(crate) async fn run(db: &Db) -> Result<(), StoreError> {
    db.exec(
        "CREATE TABLE IF NOT EXISTS schema_migration (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
        params![],
    )
    .await?;
    let applied: Vec<i64> = db
        .all("SELECT version FROM schema_migration ORDER BY version", params![])
        .await?
        .iter()
        .map(|r| r.int(0))
        .collect();
    for m in MIGRATIONS.iter().filter(|m| !applied.contains(&m.version)) {
        let sql = match db.backend() {
            Backend::Sqlite => m.sqlite,
            Backend::Postgres => m.postgres,
        };
        // One transaction per migration, so a failed one leaves nothing half-applied.
        let script = format!(
            "BEGIN;\n{sql}\nINSERT INTO schema_migration (version, name, applied_at) VALUES ({}, '{}', '{}');\nCOMMIT;",
            m.version,
            m.name,
            crate::ledger::now()
        );
        db.exec_script(&script)
            .await
            .map_err(|e| StoreError::Unavailable(format!("数据库迁移 {} 失败：{e}", m.name)))?;
    }
    Ok(())
}
