//! `qiangji bench-sql`: loads one export into PostgreSQL and DuckDB, asks both the same questions
//! and prints load times, sizes and the comparison.

use super::compare::compare;
use super::sql::{Answer, Ask, Question};
use super::{duckdb, postgres};
use std::path::{Path, PathBuf};

/// Server settings of the cluster the bench starts for itself: a bulk load with nothing to
/// recover (`wal_level = minimal` lets `COPY` into a new table skip WAL, and the tables are
/// unlogged anyway), and a planner that knows the data fits in memory on this 24 GB machine.
pub const CLUSTER_SETTINGS: [(&str, &str); 11] = [
    ("shared_buffers", "4GB"),
    ("effective_cache_size", "16GB"),
    ("wal_level", "minimal"),
    ("max_wal_senders", "0"),
    ("max_wal_size", "16GB"),
    ("checkpoint_timeout", "1h"),
    ("maintenance_work_mem", "2GB"),
    ("max_parallel_workers_per_gather", "2"),
    ("max_parallel_maintenance_workers", "2"),
    ("random_page_cost", "1.1"),
    // The bench vacuums and analyses right after loading; nothing changes afterwards.
    ("autovacuum", "off"),
];

pub struct Options {
    /// The directory holding `orgs.csv`, `members.csv` and `past.csv`.
    pub data: PathBuf,
    pub questions: Vec<Question>,
    /// The statistics engine's answers to the same questions; PostgreSQL is the baseline of the
    /// table when missing.
    pub engine: Option<Vec<Answer>>,
    pub repeat: usize,
    /// An existing, empty database; by default the bench starts its own cluster under `work`.
    pub pg_url: Option<String>,
    /// Holds the bench's cluster (`bench-pg/`, deleted afterwards), DuckDB's database file
    /// (`bench.duckdb`) and the venv with DuckDB (`bench-venv/`).
    pub work: PathBuf,
    /// Keep DuckDB's tables in memory instead of in a file under `work`. At 5M members the file
    /// (compressed when checkpointed: 75 MiB against 664 MiB in memory) answered the whole
    /// tree's dashboard in 0.45 s against 0.78 s, and loaded in 5.7 s against 4.0 s.
    pub duckdb_in_memory: bool,
    pub skip_duckdb: bool,
}

/// `$CARGO_TARGET_DIR` or `target`, where the bench keeps its cluster and venv.
pub fn default_work_dir() -> PathBuf {
    duckdb::target_dir()
}

/// Questions for a tree nobody has looked at: the whole tree, its largest child and that child's
/// largest child, and one branch, on `on` and a year earlier (dashboards), plus the headline
/// count (women, 35 or younger, college or above) for the first two on both dates.
pub fn default_questions(data: &Path, on: chrono::NaiveDate) -> Result<Vec<Question>, String> {
    let path = data.join("orgs.csv");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("无法读取 {}：{e}", path.display()))?;
    let mut orgs = Vec::new();
    for line in text.lines().skip(1).filter(|l| !l.is_empty()) {
        let f: Vec<&str> = line.split(',').collect();
        let num = |i: usize| f.get(i).and_then(|v| v.parse::<u32>().ok());
        let (Some(pos), Some(end)) = (num(0), num(1)) else {
            return Err(format!("{}：无法读取“{line}”", path.display()));
        };
        orgs.push((pos, end, num(2)));
    }
    let root = *orgs.first().ok_or("orgs.csv 为空")?;
    let largest_child =
        |parent: u32| orgs.iter().filter(|o| o.2 == Some(parent)).max_by_key(|o| o.1 - o.0).map(|o| (o.0, o.1));
    let child = largest_child(root.0).unwrap_or((root.0, root.1));
    let grandchild = largest_child(child.0).unwrap_or(child);
    let leaf = orgs.iter().find(|o| o.0 >= grandchild.0 && o.1 == o.0 + 1).map_or(grandchild, |o| (o.0, o.1));
    let year_ago = on - chrono::Months::new(12);
    let mut questions = Vec::new();
    for (label, (lo, hi)) in
        [("全部", (root.0, root.1)), ("最大下级", child), ("其最大下级", grandchild), ("一个支部", leaf)]
    {
        for (when, date) in [("当日", on), ("一年前", year_ago)] {
            questions.push(Question {
                name: format!("{label} {when} 仪表盘"),
                lo,
                hi,
                on: date.to_string(),
                ask: Ask::Dashboard,
            });
        }
    }
    for (label, (lo, hi)) in [("全部", (root.0, root.1)), ("最大下级", child)] {
        for (when, date) in [("当日", on), ("一年前", year_ago)] {
            questions.push(Question {
                name: format!("{label} {when} 女·35岁及以下·大专及以上"),
                lo,
                hi,
                on: date.to_string(),
                ask: Ask::Count {
                    sex: Some("female".into()),
                    education_in: vec!["postgraduate".into(), "university".into(), "college".into()],
                    age_max: Some(35),
                },
            });
        }
    }
    Ok(questions)
}

pub fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("无法读取 {}：{e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{} 不是所需的 JSON：{e}", path.display()))
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

pub async fn run(opts: Options) -> Result<(), String> {
    let Options { questions, engine, .. } = &opts;

    let cluster;
    let url = match &opts.pg_url {
        Some(url) => url.clone(),
        None => {
            let (work, settings) = (opts.work.join("bench-pg"), CLUSTER_SETTINGS);
            cluster = tokio::task::spawn_blocking(move || qiangji_testkit::pg::start_bench_cluster(&work, &settings))
                .await
                .map_err(|e| format!("无法启动 PostgreSQL：{e}"))?;
            cluster.url().to_owned()
        }
    };
    let load = postgres::load_postgres(&url, &opts.data).await?;
    println!(
        "PostgreSQL：{}个组织、{}名党员、{}段既往关系；COPY {:.1} 秒，排序·索引·ANALYZE {:.1} 秒，共 {:.1} 秒；表 {:.0} MiB，索引 {:.0} MiB",
        load.orgs,
        load.members,
        load.past,
        load.copy_seconds,
        load.index_seconds,
        load.total_seconds,
        mib(load.table_bytes),
        mib(load.index_bytes)
    );
    let pg = postgres::ask_postgres(&url, questions, opts.repeat).await?;

    let mut others: Vec<(&str, Vec<Answer>)> = Vec::new();
    if engine.is_some() {
        others.push(("PostgreSQL", pg.clone()));
    }
    if !opts.skip_duckdb {
        let (venv, data, qs, repeat) =
            (opts.work.join("bench-venv"), opts.data.clone(), questions.clone(), opts.repeat);
        let file = (!opts.duckdb_in_memory).then(|| opts.work.join("bench.duckdb"));
        let duck = tokio::task::spawn_blocking(move || duckdb::ask_duckdb(&venv, &data, &qs, repeat, file.as_deref()))
            .await
            .map_err(|e| e.to_string())??;
        println!(
            "DuckDB {}（{}）：载入 {:.1} 秒，{:.0} MiB",
            duckdb::DUCKDB_VERSION,
            if opts.duckdb_in_memory { "内存" } else { "数据库文件" },
            duck.load_seconds,
            mib(duck.database_bytes)
        );
        others.push(("DuckDB", duck.answers));
    }
    let baseline = engine.as_deref().unwrap_or(&pg);
    let (table, mismatches) = compare(baseline, &others);
    if engine.is_none() {
        println!("（没有给出统计引擎的答案：下表以 PostgreSQL 为基准）");
    }
    println!("{table}");
    for q in questions {
        if let Some(a) = pg.iter().find(|a| a.name == q.name) {
            println!("{}：[{}, {}) {} 共 {} 人", q.name, q.lo, q.hi, q.on, a.counts.get("total").copied().unwrap_or(0));
        }
    }
    if mismatches.is_empty() {
        println!("各引擎的计数一致。");
        Ok(())
    } else {
        Err(format!("计数不一致：\n{}", mismatches.join("\n")))
    }
}
