//! `qiangji`: the one binary. Parses the command, sets up logging, and calls one function per
//! subcommand; the library code returns errors and this file chooses the exit code.

use clap::{Parser, Subcommand};
use qiangji::{bench, demo, engine_bench, maintenance, serve};
use std::process::ExitCode;

/// The SQLite file in the data directory, unless a database URL is given.
const DEFAULT_DB: &str = "sqlite://data/qiangji.db?mode=rwc";

#[derive(Parser)]
#[command(name = "qiangji", version, about = "强基 基层党建智慧管理平台")]
struct Cli {
    /// Database: sqlite://FILE or postgres://USER@HOST/DB
    #[arg(long, global = true, env = "QIANGJI_DATABASE_URL", default_value = DEFAULT_DB)]
    db: String,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Serve the web application.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "QIANGJI_ADDR", default_value = "127.0.0.1:8080")]
        addr: String,
        /// Load the demo dataset first if the database is empty.
        #[arg(long)]
        demo: bool,
        /// Size of the demo dataset: small, city or province.
        #[arg(long, default_value = "city")]
        scale: String,
    },
    /// Load the deterministic demo dataset into an empty database and create demo accounts.
    Demo {
        #[arg(long, default_value = "city")]
        scale: String,
    },
    /// Verify the ledger's hash chain and the invariants of the data.
    Check,
    /// Create or upgrade the database schema.
    Migrate,
    /// Create a user account.
    User {
        #[arg(long)]
        username: String,
        #[arg(long)]
        name: String,
        /// system_admin, department_admin, committee_admin, branch_secretary or member
        #[arg(long)]
        role: String,
        /// Id of the organization at the top of the account's scope.
        #[arg(long)]
        org: i64,
        /// For members: the member record the account belongs to.
        #[arg(long)]
        member: Option<i64>,
        #[arg(long, env = "QIANGJI_NEW_PASSWORD")]
        password: String,
    },
    /// Measure the member list at the root of the database over HTTP, as a browser would.
    Bench {
        /// Requests per query.
        #[arg(long, default_value_t = 20)]
        repeat: usize,
    },
    /// Measure the statistics engine on generated data at city, province or national scale.
    BenchEngine {
        /// national (99,185,000 members), province (~5 million), city (~460,000) or fraction:N.
        #[arg(long, default_value = "city")]
        scale: String,
        #[arg(long, default_value_t = 20)]
        repeat: usize,
        /// Also write the data as CSV to this folder, for the PostgreSQL and DuckDB comparison.
        #[arg(long)]
        csv: Option<std::path::PathBuf>,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("QIANGJI_LOG").unwrap_or_else(|_| "info,sqlx=error".into()),
        )
        .init();
    let cli = Cli::parse();
    let result = match cli.cmd {
        Cmd::Serve { addr, demo, scale } => serve::run(&cli.db, &addr, demo.then_some(scale.as_str())).await,
        Cmd::Demo { scale } => demo::run(&cli.db, &scale).await.map(|_| ()),
        Cmd::Check => maintenance::check(&cli.db).await,
        Cmd::Migrate => maintenance::migrate(&cli.db).await,
        Cmd::User { username, name, role, org, member, password } => {
            maintenance::add_user(&cli.db, &username, &name, &role, org, member, &password).await
        }
        Cmd::Bench { repeat } => bench::run(&cli.db, repeat).await,
        Cmd::BenchEngine { scale, repeat, csv } => engine_bench::run(&scale, repeat, csv.as_deref()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误：{e}");
            ExitCode::FAILURE
        }
    }
}
