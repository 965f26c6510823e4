//! 强基 HTTP: the Chinese server-rendered UI and the JSON API under `/api/v1`.
//!
//! Only this crate knows HTTP, HTML and JSON. Handlers are thin: they parse input into domain
//! types, call one store function with the actor's `Access`, and render. Every URL is in
//! [`routes`]; every non-GET request passes the CSRF guard in [`auth`].

mod account;
pub mod api;
mod assets;
mod audit;
pub mod auth;
mod development;
mod error;
pub mod export;
mod floating;
#[doc(hidden)]
pub mod fuzzing;
mod home;
mod host_entity;
pub mod import;
mod member;
mod org;
mod orglife;
mod page;
mod payload;
mod pick;
pub mod reminder;
pub mod routes;
mod scoped;
pub mod security;
mod stats;
mod transfer;

pub use error::AppError;

use qiangji_stats::Engine;
use qiangji_store::{Access, Store, StoreError};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::RwLock;

/// Shared application state.
pub struct App {
    pub store: Store,
    pub engine: RwLock<Engine>,
    /// Whole-tree access used only to keep the engine current and to schedule and deliver reminders.
    system: Access,
    /// Warning boards computed since the engine last moved, so that paging through one is free.
    boards: std::sync::Mutex<orglife::BoardCache>,
    /// The organizational-life rule set, read again whenever the ledger moves.
    rules: std::sync::RwLock<Arc<qiangji_domain::orglife::RuleSet>>,
    /// Checks for formalism computed since the ledger last moved.
    checks: std::sync::Mutex<orglife::verify::CheckCache>,
    /// The whole tree's checks, run in the background, for large subtrees.
    whole_checks: std::sync::RwLock<Option<Arc<orglife::verify::WholeChecks>>>,
    /// See [`orglife::verify::LARGE_SUBTREE`].
    large_subtree: std::sync::atomic::AtomicUsize,
    /// Someone asked for a large subtree's 需核实: from then on the background task keeps the
    /// whole tree's checks (a server where nobody asks never pays for them).
    whole_checks_wanted: std::sync::atomic::AtomicBool,
    /// Roster imports being written in the background, and the last preview planned (a large
    /// file takes seconds to read; paging through its preview should not).
    imports: import::Running,
    /// Requests per minute allowed (see [`security::Limits`]) and the counts so far.
    pub rate_limits: security::RateLimits,
    /// Secure cookies and trusted proxies (see [`security::Deployment`]); set once by `serve`.
    deployment: std::sync::RwLock<security::Deployment>,
}

impl App {
    /// The organizational-life rules in force (the documents' defaults and every version added).
    pub fn rules(&self) -> Arc<qiangji_domain::orglife::RuleSet> {
        self.rules.read().expect("rules").clone()
    }

    /// Opens the application over a migrated store: builds the statistics engine.
    pub async fn new(store: Store) -> Result<Arc<App>, StoreError> {
        let root = store.root_org_id().await?.unwrap_or(0);
        let system = Access::system("统计引擎", root);
        let engine = Engine::build(&store, &system).await?;
        let rules = std::sync::RwLock::new(Arc::new(store.rule_set().await?));
        Ok(Arc::new(App {
            store,
            engine: RwLock::new(engine),
            system,
            boards: Default::default(),
            rules,
            checks: Default::default(),
            whole_checks: Default::default(),
            large_subtree: orglife::verify::LARGE_SUBTREE.into(),
            whole_checks_wanted: false.into(),
            imports: Default::default(),
            rate_limits: security::RateLimits::new(security::Limits::from_env()),
            deployment: Default::default(),
        }))
    }

    /// Where the server sits: secure cookies, trusted proxies.
    pub fn deployment(&self) -> security::Deployment {
        self.deployment.read().expect("deployment").clone()
    }

    /// Sets where the server sits (by `serve` at start, and by tests on a running server).
    pub fn set_deployment(&self, deployment: security::Deployment) {
        *self.deployment.write().expect("deployment") = deployment;
    }

    /// Brings the engine up to the newest ledger entry. Called after every write and periodically,
    /// so that changes made by other server instances show too; the periodic call also moves
    /// today's rollups to a new day after midnight.
    pub async fn refresh(&self) -> Result<(), StoreError> {
        let behind = qiangji_store::ledger::head_seq(self.store.db()).await? > self.engine.read().await.seq();
        if behind {
            // A new version of a rule is a ledger entry too (the set is a few dozen rows). Read
            // before the engine moves, so that no board cached for the new position uses old rules.
            *self.rules.write().expect("rules") = Arc::new(self.store.rule_set().await?);
            self.engine.write().await.catch_up(&self.store, &self.system).await?;
        }
        let today = qiangji_domain::date::today();
        if !self.engine.read().await.rollups_fresh(today) {
            self.engine.write().await.refresh_rollups(today);
        }
        Ok(())
    }
}

/// How often the whole tree's checks for formalism are run again when the ledger has moved.
const WHOLE_CHECKS_EVERY: Duration = Duration::from_secs(600);

/// Serves until `shutdown` completes. The listener decides the address (port 0 in tests).
pub async fn serve(
    app: Arc<App>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let follower = {
        let app = app.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(2)).await;
                if let Err(e) = app.refresh().await {
                    tracing::warn!("统计引擎跟随账本失败：{e}");
                }
            }
        })
    };
    // The whole tree's checks for formalism, for large subtrees' 需核实 pages: once someone has
    // asked for one, run at once and then every ten minutes if the ledger moved (a city's take
    // about a minute of one core and gigabytes of memory, so not at every start).
    let checker = {
        let app = app.clone();
        tokio::spawn(async move {
            let mut last: Option<std::time::Instant> = None;
            loop {
                if app.whole_checks_wanted() && last.is_none_or(|t| t.elapsed() >= WHOLE_CHECKS_EVERY) {
                    match app.run_whole_checks().await {
                        Ok(true) => tracing::info!("全域形式主义核查已更新"),
                        Ok(false) => {}
                        Err(e) => tracing::warn!("全域形式主义核查失败：{e}"),
                    }
                    last = Some(std::time::Instant::now());
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        })
    };
    // With each connection's address, for the login rate limit and the sessions list.
    let service = routes::router(app).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let result = axum::serve(listener, service).with_graceful_shutdown(shutdown).await;
    follower.abort();
    checker.abort();
    result
}
