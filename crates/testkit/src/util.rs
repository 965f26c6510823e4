//! Small process and filesystem helpers shared by the other modules.
//!
//! Everything here sticks to `std` plus standard POSIX tools (`id`, `sh`,
//! `kill`), because the crate deliberately has no `libc` dependency and no
//! `unsafe` code.

use std::ffi::OsStr;
use std::fs;
use std::io::ErrorKind;
use std::net::TcpListener;
use std::os::unix::fs::DirBuilderExt;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Environment variable that keeps test databases/files around for debugging.
pub(crate) const KEEP_DB_ENV: &str = "QIANGJI_TEST_KEEP_DB";

/// Whether the user asked to keep test databases and files (any value except
/// empty and `0` counts as "set").
pub(crate) fn keep_db() -> bool {
    std::env::var_os(KEEP_DB_ENV).is_some_and(|v| !v.is_empty() && v != "0")
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
///
/// The port is found by binding port 0 and dropping the listener. Another
/// process may grab it before we use it, so callers that start servers retry
/// with a new port when the bind fails.
pub(crate) fn free_port() -> u16 {
    let listener = TcpListener::bind(("127.0.0.1", 0))
        .unwrap_or_else(|e| panic!("cannot bind 127.0.0.1:0 to find a free port: {e}"));
    listener.local_addr().unwrap_or_else(|e| panic!("cannot read the address of a bound listener: {e}")).port()
}

/// Nanoseconds since the Unix epoch; used to make names unique across runs.
pub(crate) fn nanos() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0)
}

static DIR_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Creates a new private (mode 0700) directory
/// `$TMPDIR/qiangji-<label>-<pid>-<n>`.
///
/// `create_dir` (not `create_dir_all`) makes the creation atomic: if a stale
/// directory from an earlier process with the same pid exists, we simply move
/// on to the next counter value instead of reusing its contents.
pub(crate) fn make_temp_dir(label: &str) -> PathBuf {
    let base = std::env::temp_dir();
    let pid = std::process::id();
    loop {
        let n = DIR_COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = base.join(format!("qiangji-{label}-{pid}-{n}"));
        match fs::DirBuilder::new().mode(0o700).create(&dir) {
            Ok(()) => return dir,
            Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
            Err(e) => panic!("cannot create temporary directory {}: {e} (is TMPDIR writable?)", dir.display()),
        }
    }
}

/// Turns a caller-supplied prefix into `[a-z0-9_]`, at most `max` characters,
/// so it is safe inside file names and SQL identifiers.
pub(crate) fn sanitize(prefix: &str, max: usize) -> String {
    let cleaned: String = prefix
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
        .take(max)
        .collect();
    if cleaned.is_empty() { "t".to_owned() } else { cleaned }
}

/// Whether this process runs with effective uid 0.
///
/// Detected by running `id -u` because `geteuid` would need `libc`.
pub(crate) fn is_root() -> bool {
    static ROOT: OnceLock<bool> = OnceLock::new();
    *ROOT.get_or_init(|| {
        Command::new("id")
            .arg("-u")
            .output()
            .map(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).trim() == "0")
            .unwrap_or(false)
    })
}

/// The first `name` found in a directory of `$PATH`.
pub(crate) fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|candidate| candidate.is_file())
}

/// Spawns a detached `sh` watchdog that runs `script` once this test process
/// has died.
///
/// Rust never drops statics and a test binary may be killed outright, so a
/// `Drop` impl cannot be relied on to stop servers we started. Instead a tiny
/// shell loop polls our pid (`$1` inside the script) and performs the
/// cleanup in `script` when it disappears; further positional parameters
/// (`$2`, `$3`, ...) are taken from `args`.
///
/// The watchdog gets its own process group so that a Ctrl-C aimed at
/// `cargo test` does not kill it before it has cleaned up, and null stdio so
/// it never keeps a pipe (e.g. `cargo test | tee`) open.
pub(crate) fn spawn_watchdog(cleanup: &str, args: &[&OsStr]) -> Watchdog {
    let script = format!("while kill -0 \"$1\" 2>/dev/null; do sleep 1; done\n{cleanup}\n");
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg("qiangji-watchdog")
        .arg(std::process::id().to_string())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .map(Watchdog)
        .unwrap_or_else(|e| panic!("cannot spawn the cleanup watchdog (`sh`): {e}"))
}

/// A running watchdog process (see [`spawn_watchdog`]).
#[derive(Debug)]
pub(crate) struct Watchdog(Child);

impl Watchdog {
    /// Stops the watchdog after an orderly shutdown made its job moot.
    /// Killing it mid-`sleep` is harmless: it only ever acts once our
    /// process is gone.
    pub(crate) fn stop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Removes a directory tree, retrying briefly because a process that was
/// just stopped (Chromium, PostgreSQL) may still be deleting files in it.
pub(crate) fn remove_dir_eventually(dir: &std::path::Path) {
    for _ in 0..20 {
        match fs::remove_dir_all(dir) {
            Ok(()) => return,
            Err(e) if e.kind() == ErrorKind::NotFound => return,
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(100)),
        }
    }
    if let Err(e) = fs::remove_dir_all(dir) {
        eprintln!("qiangji-testkit: could not remove {}: {e}", dir.display());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_keeps_only_safe_characters() {
        assert_eq!(sanitize("Web-Login 测试", 40), "web_login___");
        assert_eq!(sanitize("", 10), "t");
        assert_eq!(sanitize("abcdef", 3), "abc");
    }

    #[test]
    fn temp_dirs_are_distinct_and_private() {
        use std::os::unix::fs::PermissionsExt;
        let a = make_temp_dir("unit");
        let b = make_temp_dir("unit");
        assert_ne!(a, b);
        let mode = fs::metadata(&a).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        remove_dir_eventually(&a);
        remove_dir_eventually(&b);
        assert!(!a.exists() && !b.exists());
    }
}
