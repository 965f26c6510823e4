//! Throwaway PostgreSQL for tests: one private cluster per test process and
//! one fresh database per test.
//!
//! [`server_url`] returns `QIANGJI_TEST_PG_URL` when that is set (a server
//! where the URL's user may `CREATE DATABASE`, e.g. a CI service container).
//! Otherwise the first call starts a private cluster with the local
//! PostgreSQL binaries:
//!
//! * `initdb` + `postgres` from `$PATH` (following Debian's symlink into
//!   `/usr/lib/postgresql/<version>/bin`) or else from the newest
//!   `/usr/lib/postgresql/*/bin`;
//! * data, unix socket and server log in a fresh `$TMPDIR/qiangji-pg-*`
//!   directory; TCP on 127.0.0.1 at a free port; trust authentication for
//!   the superuser `postgres`;
//! * durability switched off (`fsync`, `synchronous_commit`,
//!   `full_page_writes`) because the data is thrown away anyway.
//!
//! PostgreSQL refuses to run as root, and tests and CI do run as root. In that
//! case the server runs as the `postgres` system account (created by Debian's
//! `postgresql` package), or as a `qiangji-pg` system account created on
//! demand, and the cluster directory is `chown`ed to that account.
//!
//! Statics are never dropped in Rust, so the cluster cannot be stopped by a
//! destructor. The server is instead a direct child process of the test
//! binary, watched by a tiny detached shell loop that shuts it down and
//! deletes its directory as soon as the test process is gone — even when the
//! test binary crashes or is killed. [`stop_cluster`] stops it earlier.
//!
//! [`fresh_database`] creates a uniquely named database on the server and
//! drops it again (`WITH (FORCE)`) when the returned [`TestDatabase`] is
//! dropped, unless `QIANGJI_TEST_KEEP_DB` is set. SQL is run with the `psql`
//! client so this crate needs no database driver.
//!
//! ```no_run
//! let db = qiangji_testkit::pg::fresh_database("store");
//! // e.g. sqlx::PgPool::connect(&db.url)
//! assert_eq!(db.psql("SELECT 1"), "1");
//! ```

use std::ffi::OsStr;
use std::fs::{self, File};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::util;

/// Environment variable naming an external server to use instead of a
/// private cluster.
pub const URL_ENV: &str = "QIANGJI_TEST_PG_URL";

/// Superuser created by `initdb -U`; with trust auth it needs no password.
const SUPERUSER: &str = "postgres";

/// How long a freshly started server may take to accept connections.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// Runs once the test process has died (see [`util::spawn_watchdog`]):
/// `$2` is the postmaster pid, `$3` the cluster directory. SIGQUIT is
/// PostgreSQL's immediate shutdown (what `pg_ctl stop -m immediate` sends);
/// no checkpoint is needed because the data is deleted right after.
const WATCHDOG_CLEANUP: &str = r#"
kill -QUIT "$2" 2>/dev/null
i=0
while kill -0 "$2" 2>/dev/null && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i+1)); done
kill -KILL "$2" 2>/dev/null
rm -rf "$3"
"#;

/// The unprivileged OS account the server runs as when we are root.
#[derive(Debug, Clone)]
struct PgUser {
    name: String,
    uid: u32,
    gid: u32,
}

/// A running private cluster.
struct Cluster {
    url: String,
    dir: PathBuf,
    bin: PathBuf,
    user: Option<PgUser>,
    postgres: Child,
    watchdog: util::Watchdog,
}

/// The private cluster, if started. A `Mutex<Option<_>>` rather than a
/// `OnceLock` so that [`stop_cluster`] can take it out and a later
/// [`server_url`] can start a new one.
static CLUSTER: Mutex<Option<Cluster>> = Mutex::new(None);

/// URL of a PostgreSQL server on which tests may create databases.
///
/// Returns `$QIANGJI_TEST_PG_URL` if set; otherwise starts the private
/// cluster on first use (concurrent callers wait for it) and returns e.g.
/// `postgres://postgres@127.0.0.1:40123/postgres`.
pub fn server_url() -> String {
    if let Some(url) = external_url() {
        return url;
    }
    lock_cluster().get_or_insert_with(|| Cluster::start(util::make_temp_dir("pg"), &[])).url.clone()
}

/// A dedicated cluster for benchmarks, separate from the tests' shared one: its directory lives
/// under a caller-chosen path (benchmark data can outgrow `$TMPDIR`) and it takes extra server
/// settings. Stopped and deleted when dropped (or, like the test cluster, shortly after the
/// process dies).
pub struct BenchCluster {
    cluster: Option<Cluster>,
}

impl BenchCluster {
    /// URL of the `postgres` database as superuser.
    pub fn url(&self) -> &str {
        self.cluster.as_ref().map_or("", |c| c.url.as_str())
    }

    /// The directory holding the data directory and `server.log`.
    pub fn dir(&self) -> &Path {
        self.cluster.as_ref().map_or(Path::new(""), |c| c.dir.as_path())
    }
}

impl Drop for BenchCluster {
    fn drop(&mut self) {
        if let Some(cluster) = self.cluster.take() {
            cluster.stop();
        }
    }
}

/// Starts a [`BenchCluster`] in a new directory `qiangji-pg-bench-<pid>-<nanos>` under `parent`
/// (created if missing), with `settings` as `postgresql.conf` parameters (`("shared_buffers",
/// "4GB")`) on top of the test cluster's (no fsync, no synchronous commit). When we are root the
/// server account must be able to reach `parent`. Panics, like the rest of this module, when the
/// server cannot be started.
pub fn start_bench_cluster(parent: &Path, settings: &[(&str, &str)]) -> BenchCluster {
    fs::create_dir_all(parent).unwrap_or_else(|e| panic!("cannot create {}: {e}", parent.display()));
    // The server runs in its own directory, so a relative path would point elsewhere.
    let parent = fs::canonicalize(parent).unwrap_or_else(|e| panic!("cannot resolve {}: {e}", parent.display()));
    let dir = parent.join(format!("qiangji-pg-bench-{}-{}", std::process::id(), util::nanos()));
    fs::create_dir(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    let settings: Vec<String> = settings.iter().map(|(k, v)| format!("{k}={v}")).collect();
    BenchCluster { cluster: Some(Cluster::start(dir, &settings)) }
}

/// Stops the private cluster (if this process started one) and deletes its
/// directory. Databases still held by [`TestDatabase`] values become
/// unreachable. Calling it is optional: the cluster is also cleaned up
/// automatically shortly after the test process exits.
pub fn stop_cluster() {
    let cluster = lock_cluster().take();
    if let Some(cluster) = cluster {
        cluster.stop();
    }
}

fn external_url() -> Option<String> {
    std::env::var(URL_ENV).ok().filter(|url| !url.trim().is_empty())
}

fn lock_cluster() -> MutexGuard<'static, Option<Cluster>> {
    // A panic during start-up leaves `None` behind, so after poisoning the
    // state is still consistent and the next caller simply tries again.
    CLUSTER.lock().unwrap_or_else(|e| e.into_inner())
}

impl Cluster {
    /// Starts a cluster in the new, empty directory `dir`, with `settings` (`name=value`) passed
    /// as `-c` options after the defaults, so they override them.
    fn start(dir: PathBuf, settings: &[String]) -> Cluster {
        let bin = bin_dir()
            .unwrap_or_else(|| {
                panic!(
                    "PostgreSQL server binaries not found: no `initdb`/`postgres`/`pg_ctl` via \
                     $PATH or in /usr/lib/postgresql/*/bin. Install them (`apt-get install \
                     postgresql`) or set {URL_ENV} to a server where CREATE DATABASE is allowed."
                )
            })
            .to_path_buf();
        let user = util::is_root().then(pg_user);
        fs::create_dir(dir.join("sock")).unwrap_or_else(|e| panic!("cannot create {}/sock: {e}", dir.display()));
        if let Some(user) = &user {
            // The server process must own its data directory (it checks) and
            // be able to create its socket; root keeps access regardless.
            let out = Command::new("chown").arg("-R").arg(&user.name).arg(&dir).output();
            if !out.as_ref().is_ok_and(|o| o.status.success()) {
                let _ = fs::remove_dir_all(&dir);
                panic!("`chown -R {} {}` failed: {out:?}", user.name, dir.display());
            }
        }
        init_data_dir(&bin, &dir, user.as_ref());

        // The free port may be taken by someone else before the server binds
        // it; that case is recognised from the log and retried.
        let mut failures = Vec::new();
        for _ in 0..5 {
            let port = util::free_port();
            match launch(&bin, &dir, user.as_ref(), port, settings) {
                Ok((postgres, watchdog)) => {
                    return Cluster {
                        url: format!("postgres://{SUPERUSER}@127.0.0.1:{port}/postgres"),
                        dir,
                        bin,
                        user,
                        postgres,
                        watchdog,
                    };
                }
                Err((retry, message)) => {
                    failures.push(message);
                    if !retry {
                        break;
                    }
                }
            }
        }
        let _ = fs::remove_dir_all(&dir);
        panic!("could not start the test PostgreSQL server ({}):\n{}", bin.display(), failures.join("\n\n"));
    }

    fn stop(mut self) {
        let out = pg_command(&self.bin.join("pg_ctl"), &self.dir, self.user.as_ref())
            .arg("stop")
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "immediate", "-w", "-t", "10"])
            .output();
        if !out.is_ok_and(|o| o.status.success()) {
            let _ = self.postgres.kill();
        }
        let _ = self.postgres.wait();
        self.watchdog.stop();
        util::remove_dir_eventually(&self.dir);
    }
}

/// Runs `initdb`, preferring the C.UTF-8 locale (Unicode-aware `lower()`
/// and `upper()` for Chinese/English text) and falling back to plain C on
/// systems without it.
fn init_data_dir(bin: &Path, dir: &Path, user: Option<&PgUser>) {
    let data = dir.join("data");
    let mut failures = String::new();
    for locale in ["--locale=C.UTF-8", "--no-locale"] {
        let out = pg_command(&bin.join("initdb"), dir, user)
            .arg("-D")
            .arg(&data)
            .args(["-U", SUPERUSER, "-A", "trust", "-E", "UTF8", "--no-sync", locale])
            .output();
        match out {
            Ok(o) if o.status.success() => return,
            Ok(o) => failures.push_str(&format!(
                "initdb {locale}: {}\n{}{}\n",
                o.status,
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            )),
            Err(e) => failures.push_str(&format!("cannot run initdb: {e}\n")),
        }
        let _ = fs::remove_dir_all(&data);
    }
    let _ = fs::remove_dir_all(dir);
    let hint = match user {
        Some(u) => format!(
            " (running as OS user `{}` because we are root; it must be able to reach {})",
            u.name,
            dir.display()
        ),
        None => String::new(),
    };
    panic!("initdb failed{hint}:\n{failures}");
}

/// Starts `postgres` in the foreground as our child and waits until it
/// accepts connections. On failure returns whether a retry with another port
/// makes sense, and a message including the server log.
fn launch(
    bin: &Path,
    dir: &Path,
    user: Option<&PgUser>,
    port: u16,
    settings: &[String],
) -> Result<(Child, util::Watchdog), (bool, String)> {
    let log_path = dir.join("server.log");
    let log = File::create(&log_path).unwrap_or_else(|e| panic!("cannot create {}: {e}", log_path.display()));
    let log_err = log.try_clone().unwrap_or_else(|e| panic!("cannot duplicate log file handle: {e}"));
    // Running the server binary directly (not via `pg_ctl start`, which
    // daemonizes) keeps it our child, so we know its pid for the watchdog.
    let mut postgres = pg_command(&bin.join("postgres"), dir, user)
        .arg("-D")
        .arg(dir.join("data"))
        .args(["-h", "127.0.0.1", "-p", &port.to_string()])
        .arg("-k")
        .arg(dir.join("sock"))
        .args(["-c", "fsync=off"])
        .args(["-c", "synchronous_commit=off"])
        .args(["-c", "full_page_writes=off"])
        // Many tests run in parallel, each with its own connection pool.
        .args(["-c", "max_connections=300"])
        .args(settings.iter().flat_map(|s| ["-c", s.as_str()]))
        .stdout(log)
        .stderr(log_err)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot spawn {}/postgres: {e}", bin.display()));
    let mut watchdog =
        util::spawn_watchdog(WATCHDOG_CLEANUP, &[OsStr::new(&postgres.id().to_string()), dir.as_os_str()]);

    let read_log = || fs::read_to_string(&log_path).unwrap_or_default();
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        if let Ok(Some(status)) = postgres.try_wait() {
            watchdog.stop();
            let log = read_log();
            let retry = log.contains("Address already in use");
            return Err((retry, format!("postgres on port {port} exited with {status}; server log:\n{log}")));
        }
        if is_ready(bin, port) {
            return Ok((postgres, watchdog));
        }
        if Instant::now() >= deadline {
            let _ = postgres.kill();
            let _ = postgres.wait();
            watchdog.stop();
            return Err((
                false,
                format!(
                    "postgres on port {port} did not accept connections within {START_TIMEOUT:?}; \
                     server log:\n{}",
                    read_log()
                ),
            ));
        }
        sleep(Duration::from_millis(100));
    }
}

/// Whether the server on `port` accepts connections. A TCP connect alone is
/// not enough: during start-up the socket is open but logins are refused.
fn is_ready(bin: &Path, port: u16) -> bool {
    let pg_isready = bin.join("pg_isready");
    if pg_isready.is_file() {
        return Command::new(pg_isready)
            .args(["-q", "-h", "127.0.0.1", "-p", &port.to_string()])
            .args(["-U", SUPERUSER, "-d", "postgres", "-t", "2"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
    }
    TcpStream::connect(("127.0.0.1", port)).is_ok()
        && run_psql(&format!("postgres://{SUPERUSER}@127.0.0.1:{port}/postgres"), "SELECT 1").is_ok()
}

/// A command for a PostgreSQL server binary, dropped to `user`'s uid/gid
/// when we are root.
///
/// `Command::uid`/`gid` are used instead of `runuser`: the spawned process is
/// then `postgres` itself rather than a `runuser` parent, so its pid is the
/// postmaster's (needed for the watchdog) and no PAM session is involved.
/// std clears supplementary groups when switching uid.
fn pg_command(program: &Path, dir: &Path, user: Option<&PgUser>) -> Command {
    let mut cmd = Command::new(program);
    // Our working directory (the crate under test) may not be readable by
    // the server account; the cluster directory always is.
    cmd.current_dir(dir).stdin(Stdio::null());
    if let Some(user) = user {
        cmd.uid(user.uid).gid(user.gid).env("HOME", dir).env("USER", &user.name).env("LOGNAME", &user.name);
    }
    cmd
}

/// The account to run the server as when we are root: Debian's `postgres`,
/// else our own `qiangji-pg` (created if needed).
fn pg_user() -> PgUser {
    const FALLBACK: &str = "qiangji-pg";
    if let Some(user) = lookup_user("postgres").or_else(|| lookup_user(FALLBACK)) {
        return user;
    }
    let out = Command::new("useradd")
        .args(["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", FALLBACK])
        .output();
    // Another test process may have created the account concurrently, so
    // look it up again instead of trusting useradd's exit status.
    lookup_user(FALLBACK).unwrap_or_else(|| {
        panic!(
            "running as root, but PostgreSQL refuses to run as root and there is no `postgres` \
             user; creating `{FALLBACK}` with useradd failed: {out:?}"
        )
    })
}

fn lookup_user(name: &str) -> Option<PgUser> {
    let id = |flag: &str| -> Option<u32> {
        let out = Command::new("id").args([flag, name]).output().ok()?;
        if !out.status.success() {
            return None;
        }
        String::from_utf8_lossy(&out.stdout).trim().parse().ok()
    };
    Some(PgUser { name: name.to_owned(), uid: id("-u")?, gid: id("-g")? })
}

/// Directory holding `initdb`, `postgres` and `pg_ctl` of one version.
fn bin_dir() -> Option<&'static Path> {
    static BIN: OnceLock<Option<PathBuf>> = OnceLock::new();
    BIN.get_or_init(find_bin_dir).as_deref()
}

fn find_bin_dir() -> Option<PathBuf> {
    let complete = |dir: &Path| ["initdb", "postgres", "pg_ctl"].iter().all(|b| dir.join(b).is_file());
    let mut candidates = Vec::new();
    if let Some(initdb) = util::find_on_path("initdb") {
        // Debian symlinks initdb into PATH from the versioned directory;
        // following the link finds postgres/pg_ctl of the same version.
        if let Some(dir) = fs::canonicalize(&initdb).ok().and_then(|real| real.parent().map(Path::to_path_buf)) {
            candidates.push(dir);
        }
        if let Some(dir) = initdb.parent() {
            candidates.push(dir.to_path_buf());
        }
    }
    candidates.extend(newest_debian_bin_dir());
    candidates.into_iter().find(|dir| complete(dir))
}

/// The `bin` directory of the highest version under /usr/lib/postgresql.
fn newest_debian_bin_dir() -> Option<PathBuf> {
    fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version: Vec<u32> =
                entry.file_name().to_str()?.split('.').map(|part| part.parse().ok()).collect::<Option<_>>()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, bin)| bin)
}

/// A PostgreSQL program (`pg_dump`, `pg_restore`…) of the same version as the test server, if
/// installed next to it.
pub fn tool(name: &str) -> Option<PathBuf> {
    bin_dir().map(|dir| dir.join(name)).filter(|p| p.is_file())
}

/// The `psql` client: the one next to the server binaries when available
/// (Debian's `/usr/bin/psql` is a version-picking wrapper), else `$PATH`'s.
fn psql_binary() -> PathBuf {
    bin_dir()
        .map(|dir| dir.join("psql"))
        .filter(|psql| psql.is_file())
        .or_else(|| util::find_on_path("psql"))
        .unwrap_or_else(|| panic!("`psql` not found on $PATH; install it (`apt-get install postgresql-client`)"))
}

/// Runs one SQL command with `psql` and returns its unaligned, tuples-only
/// output (one row per line, columns separated by `|`).
fn run_psql(url: &str, sql: &str) -> Result<String, String> {
    let out = Command::new(psql_binary())
        // -X: ignore ~/.psqlrc, which could change the output format.
        .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql])
        .env("PGCONNECT_TIMEOUT", "10")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run psql: {e}"))?;
    if out.status.success() {
        let mut stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        while stdout.ends_with('\n') {
            stdout.pop();
        }
        Ok(stdout)
    } else {
        Err(format!("psql {}: {}", out.status, String::from_utf8_lossy(&out.stderr).trim()))
    }
}

/// Runs `sql` against the database at `url` with `psql` and returns the
/// output in unaligned, tuples-only form (`SELECT 1, 'a'` gives `1|a`).
/// Panics with psql's error message if the command fails.
pub fn psql(url: &str, sql: &str) -> String {
    run_psql(url, sql).unwrap_or_else(|e| panic!("SQL failed on {}: {sql}\n{e}", redact(url)))
}

/// A database created for one test; dropped again when this value is.
#[derive(Debug)]
pub struct TestDatabase {
    /// Connection URL of the database, e.g.
    /// `postgres://postgres@127.0.0.1:40123/store_4711_0_1716…`.
    pub url: String,
    name: String,
    /// URL of the server's maintenance database, used to drop `name`.
    server: String,
}

static DB_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Creates a new, empty database on [`server_url`] named
/// `<prefix>_<pid>_<counter>_<nanos>` (prefix reduced to `[a-z0-9_]`).
pub fn fresh_database(prefix: &str) -> TestDatabase {
    let server = server_url();
    let name = format!(
        "{}_{}_{}_{}",
        util::sanitize(prefix, 20),
        std::process::id(),
        DB_COUNTER.fetch_add(1, Ordering::Relaxed),
        util::nanos()
    );
    let sql = format!("CREATE DATABASE \"{name}\"");
    // CREATE DATABASE copies template1 and fails if any other session is
    // connected to it at that moment; that is transient, so retry.
    let mut attempts = 0;
    loop {
        match run_psql(&server, &sql) {
            Ok(_) => break,
            Err(e) if attempts < 20 && e.contains("is being accessed by other users") => {
                attempts += 1;
                sleep(Duration::from_millis(100));
            }
            Err(e) => panic!("cannot create test database {name} on {}: {e}", redact(&server)),
        }
    }
    TestDatabase { url: with_database(&server, &name), name, server }
}

impl TestDatabase {
    /// Where this database's data key lives (created by the store on first open, removed on drop):
    /// a PostgreSQL database has no file beside it to hold one.
    pub fn key_file(&self) -> PathBuf {
        std::env::temp_dir().join("qiangji-test-keys").join(format!("{}.key", self.name))
    }

    /// The database name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Runs `sql` in this database; see [`psql`].
    pub fn psql(&self, sql: &str) -> String {
        psql(&self.url, sql)
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if util::keep_db() {
            eprintln!("qiangji-testkit: keeping test database {} ({} is set)", self.url, util::KEEP_DB_ENV);
            return;
        }
        // FORCE disconnects pools the test may not have closed. Never panic
        // here: drop may run during unwinding, where a panic aborts.
        let _ = fs::remove_file(self.key_file());
        let sql = format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name);
        if let Err(e) = run_psql(&self.server, &sql) {
            eprintln!("qiangji-testkit: could not drop test database {}: {e}", self.name);
        }
    }
}

/// `url` with its database path replaced by `/name`; query parameters such
/// as `?sslmode=disable` are kept.
fn with_database(url: &str, name: &str) -> String {
    let scheme_end = url.find("://").map_or(0, |i| i + 3);
    let rest = &url[scheme_end..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let after = &rest[authority_end..];
    let query = after.find('?').map_or("", |i| &after[i..]);
    format!("{}{}/{name}{query}", &url[..scheme_end], &rest[..authority_end])
}

/// `url` with any password replaced by `***`, for error messages.
fn redact(url: &str) -> String {
    let scheme_end = url.find("://").map_or(0, |i| i + 3);
    let rest = &url[scheme_end..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    match authority.rsplit_once('@') {
        Some((userinfo, host)) if userinfo.contains(':') => {
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{}{user}:***@{host}{}", &url[..scheme_end], &rest[authority_end..])
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls_replace_only_the_path() {
        assert_eq!(
            with_database("postgres://u:p@db:5432/postgres?sslmode=disable", "t_1"),
            "postgres://u:p@db:5432/t_1?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h:1", "x"), "postgres://h:1/x");
        assert_eq!(with_database("postgresql://h?a=b", "x"), "postgresql://h/x?a=b");
    }

    #[test]
    fn passwords_are_redacted_from_messages() {
        assert_eq!(redact("postgres://u:secret@db:5432/x"), "postgres://u:***@db:5432/x");
        assert_eq!(redact("postgres://u@db/x"), "postgres://u@db/x");
    }
}
