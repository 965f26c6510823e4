//! DuckDB's answers: `scripts/bench_duckdb.py` run in a virtual environment of its own, with
//! DuckDB from PyPI at a pinned version.

use super::sql::{Answer, Question};
use serde::Deserialize;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The DuckDB release measured; pinned so that numbers from different days compare.
pub const DUCKDB_VERSION: &str = "1.5.6";

/// The script, compiled in so the binary needs no checkout to run it.
const SCRIPT: &str = include_str!("../../../../scripts/bench_duckdb.py");

/// What the script prints.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DuckdbReport {
    pub load_seconds: f64,
    /// The database file's size, or DuckDB's memory use for an in-memory database.
    pub database_bytes: u64,
    pub answers: Vec<Answer>,
}

/// `$CARGO_TARGET_DIR/bench-venv`, or `target/bench-venv` in the working directory: the usual
/// `venv` argument of [`ask_duckdb`].
pub fn venv_dir() -> PathBuf {
    target_dir().join("bench-venv")
}

/// `$CARGO_TARGET_DIR`, or `target` in the working directory.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .filter(|d| !d.is_empty())
        .map_or_else(|| PathBuf::from("target"), PathBuf::from)
}

/// The venv's Python with DuckDB [`DUCKDB_VERSION`] installed, creating the venv and installing
/// DuckDB (from PyPI, so this needs the network once) if missing.
pub fn ensure_venv(venv: &Path) -> Result<PathBuf, String> {
    let python = venv.join("bin/python");
    let has_duckdb = |python: &Path| {
        Command::new(python)
            .args(["-c", "import duckdb, sys; sys.exit(duckdb.__version__ != sys.argv[1])", DUCKDB_VERSION])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if python.is_file() && has_duckdb(&python) {
        return Ok(python);
    }
    if !python.is_file() {
        run(Command::new("python3").arg("-m").arg("venv").arg(venv), "python3 -m venv")?;
    }
    run(
        Command::new(venv.join("bin/pip")).args(["install", "--quiet", &format!("duckdb=={DUCKDB_VERSION}")]),
        "pip install duckdb",
    )?;
    if !has_duckdb(&python) {
        return Err(format!("{} 中装好的 duckdb 不是 {DUCKDB_VERSION}", venv.display()));
    }
    Ok(python)
}

fn run(cmd: &mut Command, what: &str) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("无法运行 {what}：{e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("{what} 失败（{}）：{}", out.status, String::from_utf8_lossy(&out.stderr).trim()))
    }
}

/// Loads the CSVs of `dir` into DuckDB (in memory, or in the file `database`, which is replaced)
/// with 2 threads and answers `questions`, each once to warm up and `repeat` timed times, with
/// the Python of the virtual environment `venv` (see [`ensure_venv`]). Blocks until the script
/// is done.
pub fn ask_duckdb(
    venv: &Path,
    dir: &Path,
    questions: &[Question],
    repeat: usize,
    database: Option<&Path>,
) -> Result<DuckdbReport, String> {
    let python = ensure_venv(venv)?;
    let script = venv.join("bench_duckdb.py");
    if std::fs::read_to_string(&script).ok().as_deref() != Some(SCRIPT) {
        std::fs::write(&script, SCRIPT).map_err(|e| format!("无法写入 {}：{e}", script.display()))?;
    }
    let mut cmd = Command::new(python);
    cmd.arg(&script).arg(dir).args(["--repeat", &repeat.to_string(), "--threads", "2"]);
    if let Some(db) = database {
        cmd.arg("--database").arg(db);
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("无法运行 {}：{e}", script.display()))?;
    let input = serde_json::to_vec(questions).map_err(|e| e.to_string())?;
    // The script reads all of stdin before printing anything, so writing first cannot deadlock.
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(&input)
        .map_err(|e| format!("向 DuckDB 脚本写入问题失败：{e}"))?;
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!("DuckDB 脚本失败（{}）：{}", out.status, String::from_utf8_lossy(&out.stderr).trim()));
    }
    serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("DuckDB 脚本的输出无法解析：{e}：{}", String::from_utf8_lossy(&out.stdout)))
}
