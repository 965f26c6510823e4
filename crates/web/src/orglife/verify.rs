//! `/orgs/{org_id}/verification`: the checks for formalism of a subtree (需核实) — copied minutes,
//! late entries, members at two meetings at once, reused photos — each with its reason and links to
//! the records. A list of questions for the supervising level; nothing here changes a record.

use crate::App;
use crate::auth::Actor;
use crate::error::AppError;
use crate::page::{Layout, pager, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use qiangji_domain::org::OrgId;
use qiangji_domain::orglife::{Evidence, Signal};
use qiangji_stats::verify::{Finding, detect};
use qiangji_store::org::Org;
use qiangji_store::{Access, StoreError};
use std::collections::HashMap;
use std::sync::Arc;

pub const PAGE_SIZE: usize = 50;

/// A record named in an item.
#[derive(Clone)]
pub struct RecordRef {
    pub meeting_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub kind: &'static str,
    pub held_on: String,
    pub recorded_on: String,
    /// 'HH:MM—HH:MM', or empty.
    pub times: String,
}

/// One item to verify, as shown.
#[derive(Clone)]
pub struct Item {
    pub signal: Signal,
    pub reason: String,
    /// The similarity as text ("93%" for minutes, "5人" for shared members), or empty.
    pub similarity: String,
    pub records: Vec<RecordRef>,
}

/// The checks of a subtree as one actor sees it: how many items of each signal, and the items
/// (organization names left empty until a page is shown).
pub struct Checked {
    pub counts: Vec<(Signal, usize)>,
    pub items: Vec<Item>,
}

/// Checks by (organization, scope organization, self-only member) for one state of the ledger:
/// a city's checks take seconds (BENCHMARKS.md), paging through them should not.
#[derive(Default)]
pub struct CheckCache {
    seq: i64,
    checked: HashMap<(i64, i64, Option<i64>), Arc<Checked>>,
}

/// Subtrees' checks kept at most; one more starts the cache afresh.
const CHECKS_KEPT: usize = 8;

fn check(records: &[Evidence]) -> Checked {
    let findings: Vec<Finding> = detect(records);
    let counts = Signal::ALL.iter().map(|&s| (s, findings.iter().filter(|f| f.signal == s).count())).collect();
    let items = findings
        .into_iter()
        .map(|f| Item {
            signal: f.signal,
            similarity: match (f.signal, f.similarity) {
                (Signal::NearDuplicate, Some(j)) => format!("{:.0}%", j * 100.0),
                (Signal::OverlappingAttendance, Some(n)) => format!("{n}人"),
                _ => String::new(),
            },
            reason: f.reason,
            records: f
                .records
                .iter()
                .map(|&i| {
                    let r = &records[i];
                    RecordRef {
                        meeting_id: r.meeting.0,
                        org_id: r.org.0,
                        org_name: String::new(),
                        kind: r.kind.label(),
                        held_on: r.held_on.to_string(),
                        recorded_on: r.recorded_on.to_string(),
                        times: r.times.map(|t| format!("{}—{}", t.starts_at(), t.ends_at())).unwrap_or_default(),
                    }
                })
                .collect(),
        })
        .collect();
    Checked { counts, items }
}

impl App {
    /// The checks of `org`'s subtree as `access` sees it, run once per state of the ledger.
    pub async fn checked(&self, access: &Access, org: OrgId) -> Result<Arc<Checked>, StoreError> {
        let seq = self.engine.read().await.seq();
        let key = (org.0, access.scope_org_id(), access.self_member_id());
        {
            let mut c = self.checks.lock().expect("check cache");
            if c.seq != seq {
                *c = CheckCache { seq, checked: HashMap::new() };
            }
            if let Some(v) = c.checked.get(&key) {
                return Ok(v.clone());
            }
        }
        let records = self.store.list_evidence(access, org).await?;
        // Seconds of computation for a city: off the async workers' backs.
        let checked = Arc::new(tokio::task::block_in_place(|| check(&records)));
        let mut c = self.checks.lock().expect("check cache");
        if c.seq == seq {
            if c.checked.len() >= CHECKS_KEPT {
                c.checked.clear();
            }
            c.checked.insert(key, checked.clone());
        }
        Ok(checked)
    }
}

/// One page of the items from `offset`, with the organizations' names.
pub async fn page_of(app: &App, access: &Access, checked: &Checked, offset: usize) -> Result<Vec<Item>, StoreError> {
    let mut items: Vec<Item> = checked.items.iter().skip(offset).take(PAGE_SIZE).cloned().collect();
    let ids: Vec<OrgId> = items.iter().flat_map(|i| i.records.iter().map(|r| OrgId(r.org_id))).collect();
    let names = app.store.org_names(access, &ids).await?;
    for r in items.iter_mut().flat_map(|i| i.records.iter_mut()) {
        r.org_name = names.get(&OrgId(r.org_id)).cloned().unwrap_or_default();
    }
    Ok(items)
}

#[derive(Template)]
#[template(path = "verification.html")]
struct VerificationPage<'a> {
    layout: Layout<'a>,
    org: Org,
    counts: Vec<(Signal, usize)>,
    items: Vec<Item>,
    pages: Vec<(String, usize, bool)>,
}

pub async fn page(
    actor: Actor,
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Query(q): Query<super::board::PageQuery>,
) -> Result<Html<String>, AppError> {
    let org = app.store.get_org(&actor.access, OrgId(id)).await?;
    let checked = app.checked(&actor.access, org.id).await?;
    let items = page_of(&app, &actor.access, &checked, q.offset).await?;
    let view = VerificationPage {
        layout: Layout::new(format!("需核实：{}", org.fields.name), &actor),
        pages: pager(checked.items.len(), q.offset, PAGE_SIZE),
        counts: checked.counts.clone(),
        items,
        org,
    };
    Ok(Html(render(&view)))
}
