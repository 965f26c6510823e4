//! `qiangji`: the one binary. Parses the command, sets up logging, and calls one function per
//! subcommand; the library code returns errors and this file chooses the exit code.

/// See Cargo.toml: the bulk load and the engine allocate many small strings and vectors.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};
use qiangji::{bench, demo, maintenance, serve};
use std::path::PathBuf;
use std::process::ExitCode;

/// The SQLite file in the data directory, unless a database URL is given.
const DEFAULT_DB: &str = "sqlite://data/qiangji.db?mode=rwc";

#[derive(Parser)]
#[command(name = "qiangji", version, about = "强基 基层党建智慧管理平台")]
struct Cli {
    /// Database: sqlite://FILE or postgres://USER@HOST/DB
    #[arg(long, global = true, env = "QIANGJI_DATABASE_URL", default_value = DEFAULT_DB)]
    db: String,
    #[command(flatten)]
    keys: KeyArgs,
    #[command(subcommand)]
    cmd: Cmd,
}

/// The key that signs ledger checkpoints, kept outside the database.
#[derive(clap::Args)]
struct KeyArgs {
    /// Private key file of ledger checkpoints, created (mode 0600) on first use. Default for
    /// SQLite: the database file's path plus `.checkpoint-key`; PostgreSQL has no default.
    #[arg(long, global = true, env = "QIANGJI_CHECKPOINT_KEY")]
    checkpoint_key: Option<PathBuf>,
    /// Public key (64 hex digits) every checkpoint must be signed with, for `check` without the
    /// private key.
    #[arg(long, global = true, env = "QIANGJI_CHECKPOINT_PUBKEY")]
    checkpoint_pubkey: Option<String>,
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
        #[command(flatten)]
        reminders: ReminderArgs,
        /// Seconds between signed checkpoints of the ledger (written only when it moved).
        #[arg(long, env = "QIANGJI_CHECKPOINT_INTERVAL", default_value_t = 600.0)]
        checkpoint_interval: f64,
        #[command(flatten)]
        proxy: ProxyArgs,
    },
    /// Load the deterministic demo dataset into an empty database and create demo accounts.
    Demo {
        #[arg(long, default_value = "city")]
        scale: String,
        /// Also write the planted cases of formalism (the ground truth of the checks) as JSON here.
        #[arg(long)]
        truth: Option<PathBuf>,
    },
    /// Verify the ledger's hash chain, its signed checkpoints and the invariants of the data.
    Check,
    /// Sign a checkpoint of the ledger's head now.
    Checkpoint,
    /// Write a consistent snapshot of the database to one file, while the server runs
    /// (SQLite: VACUUM INTO; PostgreSQL: pg_dump --format=custom).
    Backup { file: PathBuf },
    /// Restore a backup into an empty database, then check it.
    Restore {
        file: PathBuf,
        /// Restore even into a database that is not empty.
        #[arg(long)]
        force: bool,
    },
    /// Import a member roster, organizations or meeting records (xlsx or CSV) into an organization:
    /// all of it, or nothing if any row has an error.
    Import {
        /// Id of the organization to import into (rows naming no organization go there).
        #[arg(long)]
        org: i64,
        /// What the file holds: members, orgs or meetings.
        #[arg(long, default_value = "members")]
        kind: String,
        /// Rows whose identity number is registered: skip, update or fill (only empty fields).
        #[arg(long, default_value = "skip")]
        mode: String,
        file: PathBuf,
    },
    /// Create or upgrade the database schema.
    Migrate,
    /// Rotate the data key that seals identity and phone numbers: a new key in the key file (the
    /// old ones kept there, to open the ledger's history) and every number outside the ledger
    /// sealed again under it, in one transaction. Run it with the server stopped.
    RotateDataKey {
        /// Suite of the new key: standard or national (default: that of the present key).
        #[arg(long)]
        suite: Option<String>,
    },
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
        /// Where the account's email reminders go.
        #[arg(long, default_value = "")]
        email: String,
    },
    /// Measure the member list at the root of the database over HTTP, as a browser would.
    Bench {
        /// Requests per query.
        #[arg(long, default_value_t = 20)]
        repeat: usize,
    },
    /// Concurrent clients against the JSON API for a fixed time — reads as the city's officer,
    /// meeting records written as a branch secretary — with errors and p50/p95/p99 per endpoint.
    BenchLoad {
        #[arg(long, default_value_t = 20)]
        seconds: u64,
        #[arg(long, default_value_t = 16)]
        clients: usize,
    },
    /// Measure the statistics engine on generated data at city, province or national scale and,
    /// with --compare, ask PostgreSQL and DuckDB the same questions over the same data.
    BenchEngine {
        /// national (99,185,000 members), province (~5 million), city (~460,000) or fraction:N.
        #[arg(long, default_value = "city")]
        scale: String,
        #[arg(long, default_value_t = 20)]
        repeat: usize,
        /// Also write the data as CSV to this folder (with --compare: default WORK/bench-data).
        #[arg(long)]
        csv: Option<PathBuf>,
        /// Write the engine's answers to the comparison's questions to this JSON file.
        #[arg(long)]
        answers: Option<PathBuf>,
        /// Then load the same data into PostgreSQL and DuckDB, ask them and print the ratios.
        #[arg(long)]
        compare: bool,
        #[command(flatten)]
        sql: SqlArgs,
    },
    /// Measure the checks for formalism on the demo data: per signal planted, flagged, precision
    /// and recall, with the checks' time and memory.
    BenchVerify {
        /// small or city.
        #[arg(long, default_value = "small")]
        scale: String,
    },
    /// Measure importing the demo's members from one roster workbook (xlsx) into a database holding
    /// only the organizations: reading and checking every row, then the all-or-nothing commit.
    BenchImport {
        /// small or city.
        #[arg(long, default_value = "city")]
        scale: String,
        /// Where the workbook and the database go.
        #[arg(long, default_value = "bench-work/import")]
        work: PathBuf,
    },
    /// Load a statistics export (orgs.csv, members.csv, past.csv) into PostgreSQL and DuckDB and
    /// time the same questions in both (and against the engine's answers, if given).
    BenchSql {
        /// Directory of the export.
        #[arg(long)]
        data: PathBuf,
        /// JSON list of questions (default: dashboards and counts chosen from orgs.csv).
        #[arg(long)]
        questions: Option<PathBuf>,
        /// JSON answers of the statistics engine to the same questions.
        #[arg(long)]
        engine: Option<PathBuf>,
        /// Timed runs per question, after one warm-up run.
        #[arg(long, default_value_t = 5)]
        repeat: usize,
        #[command(flatten)]
        sql: SqlArgs,
    },
}

/// How `serve` reminds secretaries of organizational-life deadlines.
#[derive(clap::Args)]
struct ReminderArgs {
    /// SMTP relay for email reminders, HOST:PORT (plain SMTP, no authentication).
    #[arg(long, env = "QIANGJI_SMTP")]
    smtp: Option<String>,
    /// Sender address of email reminders; required with --smtp.
    #[arg(long, env = "QIANGJI_SMTP_FROM")]
    smtp_from: Option<String>,
    /// HTTP hook of the SMS gateway (http:// only); receives a JSON POST per message.
    #[arg(long, env = "QIANGJI_SMS_HOOK")]
    sms_hook: Option<String>,
    /// Seconds between rounds of scheduling and delivering reminders.
    #[arg(long, env = "QIANGJI_REMINDER_INTERVAL", default_value_t = 60.0)]
    reminder_interval: f64,
    /// Seconds before the first retry of a failed email or SMS; each later retry waits twice as
    /// long, up to an hour.
    #[arg(long, env = "QIANGJI_REMINDER_RETRY", default_value_t = 60.0)]
    reminder_retry: f64,
    /// Schedule reminders as of this day (YYYY-MM-DD) instead of today: for rehearsals and tests.
    #[arg(long, env = "QIANGJI_REMINDER_DAY", hide = true)]
    reminder_day: Option<String>,
}

impl ReminderArgs {
    /// Parsed into settings at start-up, so that a wrong option stops the server with its name.
    fn settings(self) -> Result<qiangji_web::reminder::Settings, String> {
        use qiangji_web::reminder::{sms::SmsHook, smtp::Smtp};
        let smtp = match (self.smtp, self.smtp_from) {
            (Some(addr), Some(from)) => Some(Smtp::new(&addr, &from)?),
            (Some(_), None) => return Err("使用 --smtp 时须以 --smtp-from 指定发件地址".into()),
            (None, _) => None,
        };
        let seconds = |name: &str, v: f64| {
            if v.is_finite() && v >= 0.05 {
                Ok(std::time::Duration::from_secs_f64(v))
            } else {
                Err(format!("--{name} 应为不小于0.05的秒数，收到的是 {v}"))
            }
        };
        let day = match self.reminder_day {
            Some(d) => Some(
                qiangji_domain::date::parse(&d)
                    .ok_or_else(|| format!("--reminder-day 应为 年-月-日，收到的是 `{d}`"))?,
            ),
            None => None,
        };
        Ok(qiangji_web::reminder::Settings {
            interval: seconds("reminder-interval", self.reminder_interval)?,
            first_retry: seconds("reminder-retry", self.reminder_retry)?,
            smtp,
            sms: self.sms_hook.as_deref().map(SmsHook::parse).transpose()?,
            day,
        })
    }
}

/// Where the server sits: browsers reach it over HTTPS through a proxy that terminates TLS.
#[derive(clap::Args)]
struct ProxyArgs {
    /// Mark every cookie `Secure` (browsers then send it over HTTPS only). Use when browsers
    /// reach the server through HTTPS.
    #[arg(long, env = "QIANGJI_SECURE_COOKIES", value_parser = clap::builder::BoolishValueParser::new(),
          action = clap::ArgAction::SetTrue)]
    secure_cookies: bool,
    /// Addresses of the proxies in front (ADDR[,ADDR]): only from these is `X-Forwarded-For` read
    /// for the client's address (login rate limit, sessions, security events).
    #[arg(long = "trusted-proxy", env = "QIANGJI_TRUSTED_PROXIES")]
    trusted_proxies: Option<String>,
}

impl ProxyArgs {
    fn settings(self) -> Result<qiangji_web::security::Deployment, String> {
        let trusted_proxies = match self.trusted_proxies {
            Some(list) => qiangji_web::security::Deployment::parse_proxies(&list)?,
            None => Vec::new(),
        };
        Ok(qiangji_web::security::Deployment { secure_cookies: self.secure_cookies, trusted_proxies })
    }
}

fn checkpoint_settings(keys: qiangji::checkpoint::Keys, interval: f64) -> Result<serve::Checkpoints, String> {
    if !(interval.is_finite() && interval >= 0.05) {
        return Err(format!("--checkpoint-interval 应为不小于0.05的秒数，收到的是 {interval}"));
    }
    Ok(serve::Checkpoints { keys, interval: std::time::Duration::from_secs_f64(interval) })
}

/// Where and how the SQL side of a comparison runs.
#[derive(clap::Args)]
struct SqlArgs {
    /// An empty PostgreSQL database to load into (default: a cluster of its own under --work).
    #[arg(long)]
    pg_url: Option<String>,
    /// Where the bench's own cluster, DuckDB file, venv and data live (default: $CARGO_TARGET_DIR or target).
    #[arg(long)]
    work: Option<PathBuf>,
    /// Keep DuckDB's tables in memory instead of in a file under --work (slower: not compressed).
    #[arg(long)]
    duckdb_in_memory: bool,
    #[arg(long)]
    skip_duckdb: bool,
}

impl SqlArgs {
    fn options(self, data: PathBuf, questions: Vec<bench::sql::Question>, repeat: usize) -> bench::run_sql::Options {
        bench::run_sql::Options {
            data,
            questions,
            engine: None,
            repeat,
            pg_url: self.pg_url,
            work: self.work.unwrap_or_else(bench::run_sql::default_work_dir),
            duckdb_in_memory: self.duckdb_in_memory,
            skip_duckdb: self.skip_duckdb,
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("QIANGJI_LOG").unwrap_or_else(|_| "info,sqlx=error".into()),
        )
        .init();
    let cli = Cli::parse();
    let keys = qiangji::checkpoint::Keys { key_file: cli.keys.checkpoint_key, public_key: cli.keys.checkpoint_pubkey };
    let result = match cli.cmd {
        Cmd::Serve { addr, demo, scale, reminders, checkpoint_interval, proxy } => {
            match (reminders.settings(), checkpoint_settings(keys, checkpoint_interval), proxy.settings()) {
                (Ok(reminders), Ok(checkpoints), Ok(deployment)) => {
                    let demo = demo.then_some(scale.as_str());
                    serve::run(&cli.db, &addr, demo, reminders, checkpoints, deployment).await
                }
                (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => Err(e),
            }
        }
        Cmd::Demo { scale, truth } => demo::run(&cli.db, &scale, truth.as_deref()).await,
        Cmd::BenchVerify { scale } => bench::verify::run(&scale),
        Cmd::BenchImport { scale, work } => bench::import::run(&scale, &work).await,
        Cmd::Check => maintenance::check(&cli.db, &keys).await,
        Cmd::Checkpoint => qiangji::checkpoint::run(&cli.db, &keys).await,
        Cmd::Backup { file } => qiangji::backup::backup(&cli.db, &file).await,
        Cmd::Restore { file, force } => qiangji::backup::restore(&cli.db, &file, force, &keys).await,
        Cmd::Import { org, kind, mode, file } => qiangji::import::run(&cli.db, org, &kind, &mode, &file).await,
        Cmd::Migrate => maintenance::migrate(&cli.db).await,
        Cmd::RotateDataKey { suite } => maintenance::rotate_data_key(&cli.db, suite.as_deref()).await,
        Cmd::User { username, name, role, org, member, password, email } => match qiangji_store::Role::parse(&role) {
            Some(role) => {
                let user = qiangji_store::user::NewUser {
                    username: &username,
                    display_name: &name,
                    password: &password,
                    role,
                    scope_org_id: org,
                    member_id: member,
                    email: &email,
                };
                maintenance::add_user(&cli.db, &user).await
            }
            None => Err(format!("未知角色 `{role}`")),
        },
        Cmd::Bench { repeat } => bench::run(&cli.db, repeat).await,
        Cmd::BenchLoad { seconds, clients } => bench::load::run(&cli.db, seconds, clients).await,
        Cmd::BenchEngine { scale, repeat, csv, answers, compare, sql } => {
            let work = sql.work.clone().unwrap_or_else(bench::run_sql::default_work_dir);
            let csv = csv.or_else(|| compare.then(|| work.join("bench-data")));
            match bench::engine::run(&scale, repeat, csv.as_deref(), answers.as_deref()) {
                Ok(Some((questions, engine))) if compare => {
                    let data = csv.expect("--compare writes the data");
                    // The SQL side's repetitions are slow at national scale; five say enough.
                    let opts =
                        bench::run_sql::Options { engine: Some(engine), ..sql.options(data, questions, repeat.min(5)) };
                    bench::run_sql::run(opts).await
                }
                other => other.map(|_| ()),
            }
        }
        Cmd::BenchSql { data, questions, engine, repeat, sql } => {
            let load = || -> Result<_, String> {
                let questions = match &questions {
                    Some(path) => bench::run_sql::read_json(path)?,
                    None => bench::run_sql::default_questions(&data, qiangji_domain::date::today())?,
                };
                Ok((questions, engine.as_deref().map(bench::run_sql::read_json).transpose()?))
            };
            match load() {
                Ok((questions, engine)) => {
                    bench::run_sql::run(bench::run_sql::Options { engine, ..sql.options(data, questions, repeat) })
                        .await
                }
                Err(e) => Err(e),
            }
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误：{e}");
            ExitCode::FAILURE
        }
    }
}
