//! Fresh SQLite database files for tests.
//!
//! Each [`TempFile`] lives in its own private directory because SQLite
//! creates companion files next to the database (`-wal`, `-shm`, `-journal`);
//! removing the whole directory on drop cleans all of them up. Set
//! `QIANGJI_TEST_KEEP_DB=1` to keep the files for inspection.
//!
//! ```no_run
//! let db = qiangji_testkit::sqlite::fresh_file("store");
//! // e.g. sqlx::SqlitePool::connect(&db.url())
//! assert!(db.url().starts_with("sqlite:///"));
//! ```

use std::path::{Path, PathBuf};

use crate::util;

/// A unique, not yet existing SQLite file path; its directory is removed on
/// drop.
#[derive(Debug)]
pub struct TempFile {
    dir: PathBuf,
    path: PathBuf,
}

/// A fresh path `$TMPDIR/qiangji-test-<prefix>-<pid>-<n>/db.sqlite`.
///
/// The directory exists, the file does not: `mode=rwc` in [`TempFile::url`]
/// lets SQLite create it.
pub fn fresh_file(prefix: &str) -> TempFile {
    let dir = util::make_temp_dir(&format!("test-{}", util::sanitize(prefix, 40)));
    let path = dir.join("db.sqlite");
    TempFile { dir, path }
}

impl TempFile {
    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The private directory holding the database file.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `sqlite://<path>?mode=rwc`, the URL form sqlx understands; `rwc`
    /// means read-write, create if missing. Characters that would end the
    /// path part (`?`, `#`) or are otherwise unusual are percent-encoded,
    /// which sqlx decodes again.
    pub fn url(&self) -> String {
        let mut url = String::from("sqlite://");
        for byte in self.path.as_os_str().as_encoded_bytes() {
            match byte {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                    url.push(char::from(*byte))
                }
                _ => url.push_str(&format!("%{byte:02X}")),
            }
        }
        url.push_str("?mode=rwc");
        url
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if util::keep_db() {
            eprintln!(
                "qiangji-testkit: keeping SQLite database {} ({} is set)",
                self.path.display(),
                util::KEEP_DB_ENV
            );
            return;
        }
        util::remove_dir_eventually(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_files_are_unique_and_removed_on_drop() {
        let a = fresh_file("unit test");
        let b = fresh_file("unit test");
        assert_ne!(a.path(), b.path());
        assert!(a.dir().is_dir());
        assert!(!a.path().exists(), "the file itself is left for SQLite to create");
        assert!(a.url().starts_with("sqlite:///"), "{}", a.url());
        assert!(a.url().ends_with("/db.sqlite?mode=rwc"), "{}", a.url());
        assert!(a.dir().to_string_lossy().contains("qiangji-test-unit_test-"));

        std::fs::write(a.path(), b"not really sqlite").unwrap();
        let dir = a.dir().to_path_buf();
        drop(a);
        if !util::keep_db() {
            assert!(!dir.exists());
        }
    }
}
