//! Start-up and shutdown of the private PostgreSQL cluster. These tests live
//! in their own test binary (= process) because they stop the cluster that
//! other tests would share.

use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use qiangji_testkit::pg;

/// Set in the child process spawned by the crash test.
const CHILD_ENV: &str = "QIANGJI_TESTKIT_PG_CHILD";

fn port_of(url: &str) -> u16 {
    let authority = url.split('/').nth(2).expect("URL has an authority");
    authority.rsplit(':').next().and_then(|p| p.parse().ok()).unwrap_or_else(|| panic!("no port in {url}"))
}

fn accepts_connections(port: u16) -> bool {
    TcpStream::connect(("127.0.0.1", port)).is_ok()
}

/// Waits up to `timeout` for `condition`; returns whether it became true.
fn eventually(timeout: Duration, condition: impl Fn() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if condition() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    condition()
}

#[test]
fn stopping_the_cluster_shuts_the_server_down_and_a_new_one_can_start() {
    if std::env::var_os(CHILD_ENV).is_some() || std::env::var_os(pg::URL_ENV).is_some() {
        return; // Only meaningful for the private cluster.
    }
    let url = pg::server_url();
    assert_eq!(pg::server_url(), url, "the cluster is started once per process");
    assert_eq!(pg::psql(&url, "SELECT 1"), "1");
    let port = port_of(&url);

    pg::stop_cluster();
    assert!(!accepts_connections(port), "server still listening on {port}");
    pg::stop_cluster(); // idempotent

    let again = pg::server_url();
    assert_ne!(again, url, "a new cluster gets a new port");
    assert_eq!(pg::psql(&again, "SELECT 2"), "2");
    pg::stop_cluster();
}

#[test]
fn the_cluster_is_cleaned_up_when_the_test_process_exits_without_stopping_it() {
    if std::env::var_os(CHILD_ENV).is_some() {
        // Child: start the cluster, report it and exit without any cleanup.
        let db = pg::fresh_database("orphan");
        println!("URL={}", pg::server_url());
        std::mem::forget(db);
        return;
    }
    if std::env::var_os(pg::URL_ENV).is_some() {
        return; // Only meaningful for the private cluster.
    }
    let exe = std::env::current_exe().expect("own test binary");
    let child = Command::new(exe)
        .args([
            "--exact",
            "the_cluster_is_cleaned_up_when_the_test_process_exits_without_stopping_it",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the test binary as a child");
    let child_pid = child.id();
    let child = child.wait_with_output().expect("child output");
    let stdout = String::from_utf8_lossy(&child.stdout);
    assert!(child.status.success(), "child failed: {stdout}\n{}", String::from_utf8_lossy(&child.stderr));
    let url = stdout
        .split("URL=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("child printed no URL: {stdout}"))
        .to_owned();
    let port = port_of(&url);

    assert!(
        eventually(Duration::from_secs(15), || !accepts_connections(port)),
        "the orphaned server on port {port} was not shut down"
    );
    // The child's cluster directory is named after its pid.
    let prefix = format!("qiangji-pg-{child_pid}-");
    let leftovers = || {
        std::fs::read_dir(std::env::temp_dir())
            .map(|entries| entries.filter_map(Result::ok).any(|e| e.file_name().to_string_lossy().starts_with(&prefix)))
            .unwrap_or(false)
    };
    assert!(eventually(Duration::from_secs(15), || !leftovers()), "the cluster directory {prefix}* was not removed");
}

#[test]
fn a_bench_cluster_lives_under_the_given_directory_with_its_settings_until_dropped() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return;
    }
    let absolute = std::env::temp_dir().join(format!("qiangji-bench-cluster-test-{}", std::process::id()));
    // Given relative to our working directory (as `--work target` would be), which is not the
    // server's.
    let cwd = std::env::current_dir().unwrap();
    let parent =
        std::path::PathBuf::from("../".repeat(cwd.components().count() - 1)).join(absolute.strip_prefix("/").unwrap());
    assert!(parent.is_relative());
    let cluster =
        pg::start_bench_cluster(&parent, &[("work_mem", "77MB"), ("wal_level", "minimal"), ("max_wal_senders", "0")]);
    assert!(cluster.dir().starts_with(std::fs::canonicalize(&absolute).unwrap()), "{}", cluster.dir().display());
    assert!(cluster.dir().join("data/PG_VERSION").is_file());
    assert_eq!(pg::psql(cluster.url(), "SHOW work_mem"), "77MB");
    assert_eq!(pg::psql(cluster.url(), "SHOW wal_level"), "minimal");
    let (port, dir) = (port_of(cluster.url()), cluster.dir().to_path_buf());

    drop(cluster);
    assert!(!accepts_connections(port), "server still listening on {port}");
    assert!(!dir.exists(), "{} is left behind", dir.display());
    let _ = std::fs::remove_dir_all(&absolute);
}
