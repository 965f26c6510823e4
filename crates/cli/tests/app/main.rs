//! End-to-end tests: the real server on a free port over a real database (SQLite, and PostgreSQL
//! where the test says so), driven over HTTP and in headless Chromium.

mod account;
mod bad_input;
mod browser;
mod development;
mod evidence;
mod export;
mod floating;
mod harness;
mod host_entities;
mod hostile;
mod import;
mod import_kinds;
mod lifecycle;
mod orglife;
mod orgs;
mod personal;
mod reminders;
mod scope;
mod smoke;
mod stats;
