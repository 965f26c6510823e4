//! Organizational life (组织生活): an organization's requirements and records, recording a meeting
//! with its attendance, a record's page (where members confirm their own attendance) and its
//! attachments, the early-warning board of a subtree and its checks for formalism.

pub mod attachment;
pub mod board;
pub mod record;
pub mod rules;
pub mod show;
pub mod verify;

use crate::App;
use qiangji_domain::Date;
use qiangji_domain::org::OrgId;
use qiangji_domain::orglife::{Requirement, Status};
use qiangji_stats::WarningBoard;
use qiangji_store::Access;
use std::collections::HashMap;
use std::sync::Arc;

/// Boards by (organization, scope organization, self-only member) for one day and one state of the
/// engine; a board of a city takes a sixth of a second, paging through it should not.
#[derive(Default)]
pub struct BoardCache {
    seq: i64,
    on: Option<Date>,
    boards: HashMap<(i64, i64, Option<i64>), Arc<WarningBoard>>,
}

/// Boards kept at most; a new one beyond this starts the cache afresh.
const BOARDS_KEPT: usize = 32;

impl App {
    /// The warning board of `org`'s subtree on `on` as `access` sees it, computed once per change.
    pub async fn board(&self, access: &Access, org: OrgId, on: Date) -> Arc<WarningBoard> {
        let engine = self.engine.read().await;
        let key = (org.0, access.scope_org_id(), access.self_member_id());
        {
            let mut c = self.boards.lock().expect("board cache");
            if c.seq != engine.seq() || c.on != Some(on) {
                *c = BoardCache { seq: engine.seq(), on: Some(on), boards: HashMap::new() };
            }
            if let Some(b) = c.boards.get(&key) {
                return b.clone();
            }
        }
        let board = Arc::new(engine.board(access, org, on, &self.rules()));
        let mut c = self.boards.lock().expect("board cache");
        if c.seq == engine.seq() && c.on == Some(on) {
            if c.boards.len() >= BOARDS_KEPT {
                c.boards.clear();
            }
            c.boards.insert(key, board.clone());
        }
        board
    }
}

/// A requirement as shown: what, which period, how far, and until when.
pub struct RequirementView {
    pub kind_code: &'static str,
    pub label: &'static str,
    /// The period's first day.
    pub from: String,
    pub period: String,
    pub held: u32,
    pub required: u32,
    pub due: String,
    pub status: &'static str,
    pub status_code: &'static str,
    /// "剩N天" for the current period, empty otherwise.
    pub left: String,
}

impl RequirementView {
    pub fn of(r: &Requirement) -> RequirementView {
        RequirementView {
            kind_code: r.kind.code(),
            label: r.kind.label(),
            from: r.period.first_day().to_string(),
            period: r.period.to_string(),
            held: r.held,
            required: r.required,
            due: r.due().to_string(),
            status: r.status.label(),
            status_code: r.status.code(),
            left: match (r.status, r.days_left) {
                (Status::Pending, Some(d)) => format!("剩{d}天"),
                _ => String::new(),
            },
        }
    }
}
