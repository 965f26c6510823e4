//! 强基 in-memory index of organizations and members.
//!
//! Built from the store at start and kept current by following the ledger, it answers subtree
//! member lists with filters, searches and counts in milliseconds at city scale without touching
//! the database; the database is then asked only for the page of records to show. This is the
//! seed of the statistics engine (DESIGN "Tree and statistics"). No HTTP here.

pub mod index;
pub mod tally;

pub use index::{Filter, MemberIndex, OrgCounts, Page, StatusFilter};
pub use tally::{Counted, Tally};
