//! 强基 statistics engine: organizations and members in memory, in a compact columnar layout.
//!
//! Built from the store at start (or straight from generated facts by the benchmark) and kept
//! current by following the ledger, it answers for any organization and any "as of" date the
//! bulletin's tallies, organization counts, cross tabulations, filtered counts and the members
//! behind any of them, plus today's member lists with filters and name searches — without
//! touching the database. See DESIGN "Tree and statistics". No HTTP here.

mod absence;
pub mod day;
pub mod dim;
mod engine;
pub mod facts;
mod list;
mod names;
mod orglife;
mod query;
mod rollup;
pub mod verify;

pub use absence::Absence;
pub use dim::{Condition, Dim};
pub use engine::{Engine, Footprint, Loader};
pub use facts::{MemberFacts, OrgFacts, StateSpan};
pub use list::{Filter, OrgCounts, StatusFilter};
pub use orglife::{DUE_SOON_DAYS, RequirementSummary, Warning, WarningBoard};
pub use query::{CrossTab, Page};
pub use rollup::{OrgTally, ROLLUP_MIN, Tally};
