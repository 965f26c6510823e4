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
    /// For a large subtree, when the whole tree's checks it is taken from were run ("19:40");
    /// empty when run for this request.
    pub as_of: String,
    /// A large subtree whose checks are still being run in the background.
    pub pending: bool,
}

/// A subtree of this many organizations takes its items from the whole tree's checks, run in the
/// background: a city's take half a minute and a gigabyte, too much for a click. Tests lower it
/// ([`App::set_large_subtree`]).
pub const LARGE_SUBTREE: usize = 2_000;

/// The whole tree's checks and the ledger position they reflect.
pub struct WholeChecks {
    pub seq: i64,
    pub checked: Checked,
}

impl App {
    /// From how many organizations a subtree's checks come from the whole tree's.
    pub fn set_large_subtree(&self, orgs: usize) {
        self.large_subtree.store(orgs, std::sync::atomic::Ordering::Relaxed);
    }

    /// Whether a large subtree's 需核实 has been asked for since the server started.
    pub fn whole_checks_wanted(&self) -> bool {
        self.whole_checks_wanted.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Runs the whole tree's checks if the ledger moved since they were last run; for the
    /// background task of `serve`.
    pub async fn run_whole_checks(&self) -> Result<bool, StoreError> {
        let seq = self.engine.read().await.seq();
        if self.whole_checks.read().expect("whole checks").as_ref().is_some_and(|w| w.seq == seq) {
            return Ok(false);
        }
        let Some(root) = self.store.root_org_id().await? else { return Ok(false) };
        let records = self.store.list_evidence(&self.system, OrgId(root)).await?;
        let mut checked = tokio::task::spawn_blocking(move || check(&records))
            .await
            .map_err(|e| StoreError::Other(format!("形式主义核查中断：{e}")))?;
        checked.as_of =
            chrono::Utc::now().with_timezone(&qiangji_domain::date::cst()).format("%m月%d日 %H:%M").to_string();
        *self.whole_checks.write().expect("whole checks") = Some(Arc::new(WholeChecks { seq, checked }));
        Ok(true)
    }

    /// The items of the whole tree's checks that involve `org`'s subtree as `access` sees it;
    /// records outside the actor's sight keep no organization.
    async fn whole_tree_items(&self, access: &Access, org: OrgId) -> Checked {
        self.whole_checks_wanted.store(true, std::sync::atomic::Ordering::Relaxed);
        let whole = self.whole_checks.read().expect("whole checks").clone();
        let Some(whole) = whole else {
            let counts = Signal::ALL.iter().map(|&s| (s, 0)).collect();
            return Checked { counts, items: Vec::new(), as_of: String::new(), pending: true };
        };
        let engine = self.engine.read().await;
        let items: Vec<Item> = whole
            .checked
            .items
            .iter()
            .filter(|i| i.records.iter().any(|r| engine.within(access, org, OrgId(r.org_id))))
            .map(|i| {
                let mut i = i.clone();
                for r in &mut i.records {
                    if !engine.within(access, OrgId(access.scope_org_id()), OrgId(r.org_id)) {
                        (r.meeting_id, r.org_id) = (0, 0);
                    }
                }
                i
            })
            .collect();
        let counts = Signal::ALL.iter().map(|&s| (s, items.iter().filter(|i| i.signal == s).count())).collect();
        Checked { counts, items, as_of: whole.checked.as_of.clone(), pending: false }
    }
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
    Checked { counts, items, as_of: String::new(), pending: false }
}

impl App {
    /// The checks of `org`'s subtree as `access` sees it, run once per state of the ledger.
    pub async fn checked(&self, access: &Access, org: OrgId) -> Result<Arc<Checked>, StoreError> {
        let (seq, size) = {
            let engine = self.engine.read().await;
            (engine.seq(), engine.subtree_size(access, org))
        };
        if size >= self.large_subtree.load(std::sync::atomic::Ordering::Relaxed) {
            return Ok(Arc::new(self.whole_tree_items(access, org).await));
        }
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
        r.org_name = names.get(&OrgId(r.org_id)).cloned().unwrap_or_else(|| "（管理范围外的组织）".into());
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
    as_of: String,
    pending: bool,
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
        as_of: checked.as_of.clone(),
        pending: checked.pending,
    };
    Ok(Html(render(&view)))
}
