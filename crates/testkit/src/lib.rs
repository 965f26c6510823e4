//! Test harness for 强基 (qiangji): real infrastructure, no mocks.
//!
//! Every helper here talks to the real thing a production deployment uses,
//! so integration tests exercise the same code paths:
//!
//! * [`pg`] — a throwaway PostgreSQL cluster (or an external server named by
//!   `QIANGJI_TEST_PG_URL`) and one fresh database per test.
//! * [`sqlite`] — a fresh SQLite file in its own temporary directory.
//! * [`http`] — a tiny blocking HTTP/1.1 client with a cookie jar, for
//!   driving the web server over a real TCP socket.
//! * [`webdriver`] — a minimal W3C WebDriver client for headless Chromium.
//! * [`serve`] — waiting for a `qiangji serve` process to listen.
//!
//! These are test helpers: on any failure they panic with a message that
//! says what went wrong and, where possible, how to fix the environment.
//!
//! Environment variables understood by this crate:
//!
//! | variable | effect |
//! |---|---|
//! | `QIANGJI_TEST_PG_URL` | use this PostgreSQL server instead of starting a private cluster |
//! | `QIANGJI_TEST_KEEP_DB` | keep test databases and SQLite files after the test (for debugging) |
//! | `QIANGJI_SKIP_BROWSER` | `1` lets browser tests pass when Chromium is not installed |

pub mod http;
pub mod pg;
pub mod serve;
pub mod sqlite;
mod util;
pub mod webdriver;
