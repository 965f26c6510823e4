//! The exported dataset in PostgreSQL, and the questions of [`super::sql`] asked the fastest way
//! we found on a 2-core machine.
//!
//! Schema (chosen by measurement at 5M members, see `load_postgres` and `dashboard_sql`):
//! * every code column (`sex`, `education`, …) is a `smallint` numbered by first appearance while
//!   the CSV streams through, with the numbering kept in the table `code`. Against `text`
//!   columns this shrank `members` from 462 to 371 MB, made grouping cheaper (see
//!   `dashboard_sql`) and lets the dashboard pack all values into one integer; loading was no
//!   slower (10 s against 12 s for plain `text` COPY, the rewriting runs on the other core);
//! * the sector of the organization a row is counted in is copied into `members` and `past`
//!   during the load (`orgs.csv` streams first, so it costs nothing): the dashboard then needs
//!   no join with `orgs`, whose hash join doubled the time of the scan beneath it;
//! * tables are `UNLOGGED` (the data can be reloaded from the CSVs), members and past rows are
//!   kept in `org_pos` order (the export is already in that order; otherwise `CLUSTER`) with a
//!   B-tree on `org_pos`, so a subtree is one index range, plus a B-tree on `members(id)` for
//!   the past memberships of small subtrees.

use super::sql::{self, AGE_BANDS, Answer, Ask, JOIN_PERIODS, LATEST_JOIN_PERIOD, OLDEST_AGE_BAND, Question};
use chrono::NaiveDate;
use sqlx::{AssertSqlSafe, Connection, PgConnection, Row};
use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Write as _};
use std::path::Path;
use std::time::Instant;

/// The dimensions stored as `smallint` codes, numbered by [`Codes`].
/// Organizations' `kind` is `org_kind` here: the dashboard's `kind` is the member's (full or
/// probationary), computed in the query.
const CODED: [&str; 6] = ["sex", "education", "occupation", "status", "org_kind", "sector"];

/// Statuses that hold a membership and are therefore counted.
const COUNTED_STATUSES: [&str; 2] = ["active", "suspended"];

/// How long each step of [`load_postgres`] took, and how big the result is.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadReport {
    pub orgs: u64,
    pub members: u64,
    pub past: u64,
    /// Creating the tables and streaming the three CSVs through `COPY`.
    pub copy_seconds: f64,
    /// Ordering (only when the CSV was not in `org_pos` order), indexes and `ANALYZE`.
    pub index_seconds: f64,
    pub total_seconds: f64,
    pub table_bytes: u64,
    pub index_bytes: u64,
}

/// Numbering of code values (`"female"` → 1) per coded dimension, in order of first appearance.
#[derive(Debug, Default, Clone)]
struct Codes {
    /// Per dimension; looked up by `&str`, so a row's codes cost no allocation.
    ids: Vec<HashMap<String, i16>>,
    names: Vec<Vec<String>>,
}

impl Codes {
    fn new() -> Codes {
        Codes { ids: vec![HashMap::new(); CODED.len()], names: vec![Vec::new(); CODED.len()] }
    }

    fn dim(name: &str) -> usize {
        CODED.iter().position(|d| *d == name).expect("a coded dimension")
    }

    fn id(&mut self, dim: usize, value: &str) -> Result<i16, String> {
        if let Some(&id) = self.ids[dim].get(value) {
            return Ok(id);
        }
        let id = i16::try_from(self.names[dim].len()).map_err(|_| format!("{} 的代码超过 32767 种", CODED[dim]))?;
        self.names[dim].push(value.to_owned());
        self.ids[dim].insert(value.to_owned(), id);
        Ok(id)
    }

    /// The code of `value`, or -1 (which no row has) when the data never used it.
    fn find(&self, dim: &str, value: &str) -> i16 {
        self.ids[Codes::dim(dim)].get(value).copied().unwrap_or(-1)
    }

    fn radix(&self, dim: &str) -> u64 {
        self.names[Codes::dim(dim)].len().max(1) as u64
    }
}

/// What to do with one CSV field on its way to `COPY`.
#[derive(Clone, Copy)]
enum Field {
    Keep,
    /// Replace by its code in this dimension of [`CODED`].
    Code(usize),
}

/// One CSV file's way into a table: the header it must have and what to do with each field.
struct Copy {
    file: &'static str,
    header: &'static str,
    fields: Vec<Field>,
    /// `COPY` target: table and column list in the order of the transformed line.
    target: &'static str,
    /// Appends the sector code of the organization at this field's position.
    sector_of: Option<usize>,
    /// The field whose order is checked (`org_pos`), or the one recorded as a position (`pos`).
    pos_field: usize,
}

/// What streaming one CSV file learned besides its rows.
struct Streamed {
    rows: u64,
    codes: Codes,
    /// Sector code by organization position: filled from `orgs.csv`, handed back unchanged by
    /// the others.
    sectors: Vec<i16>,
    /// Whether `pos_field` never decreased.
    ordered: bool,
}

/// Creates the tables in the (empty) database at `url`, streams the CSVs of `dir` into them with
/// `COPY … FROM STDIN`, then indexes and analyses them.
pub async fn load_postgres(url: &str, dir: &Path) -> Result<LoadReport, String> {
    let start = Instant::now();
    let mut conn = PgConnection::connect(url).await.map_err(|e| format!("连接 PostgreSQL 失败：{e}"))?;
    for ddl in [
        "CREATE UNLOGGED TABLE code (dim text NOT NULL, id smallint NOT NULL, code text NOT NULL, PRIMARY KEY (dim, id))",
        "CREATE UNLOGGED TABLE orgs (pos int NOT NULL, end_pos int NOT NULL, parent_pos int, kind smallint NOT NULL, \
         sector smallint NOT NULL)",
        // Widest columns first, so no padding is needed between them.
        "CREATE UNLOGGED TABLE members (id bigint NOT NULL, org_pos int NOT NULL, birth_date date NOT NULL, \
         joined_on date NOT NULL, full_on date, since date NOT NULL, sex smallint NOT NULL, education smallint NOT NULL, \
         occupation smallint NOT NULL, status smallint NOT NULL, sector smallint NOT NULL, minority boolean NOT NULL, \
         floating boolean NOT NULL)",
        "CREATE UNLOGGED TABLE past (member_id bigint NOT NULL, org_pos int NOT NULL, valid_from date NOT NULL, \
         valid_to date NOT NULL, sector smallint NOT NULL)",
    ] {
        exec(&mut conn, ddl).await?;
    }
    let code = |d: &str| Field::Code(Codes::dim(d));
    let k = Field::Keep;
    let copies = [
        Copy {
            file: "orgs.csv",
            header: "pos,end_pos,parent_pos,kind,sector",
            fields: vec![k, k, k, code("org_kind"), code("sector")],
            target: "orgs (pos, end_pos, parent_pos, kind, sector)",
            sector_of: None,
            pos_field: 0,
        },
        Copy {
            file: "members.csv",
            header: "id,org_pos,sex,minority,education,occupation,status,floating,birth_date,joined_on,full_on,since",
            fields: vec![k, k, code("sex"), k, code("education"), code("occupation"), code("status"), k, k, k, k, k],
            target: "members (id, org_pos, sex, minority, education, occupation, status, floating, birth_date, \
                     joined_on, full_on, since, sector)",
            sector_of: Some(1),
            pos_field: 1,
        },
        Copy {
            file: "past.csv",
            header: "member_id,org_pos,valid_from,valid_to",
            fields: vec![k, k, k, k],
            target: "past (member_id, org_pos, valid_from, valid_to, sector)",
            sector_of: Some(1),
            pos_field: 1,
        },
    ];
    let mut codes = Codes::new();
    let mut sectors = Vec::new();
    let mut rows = [0u64; 3];
    let mut ordered = [true; 3];
    for (i, copy) in copies.into_iter().enumerate() {
        let target = copy.target;
        let s = stream(&mut conn, dir, copy, codes, std::mem::take(&mut sectors)).await?;
        rows[i] = s.rows;
        ordered[i] = s.ordered;
        codes = s.codes;
        sectors = s.sectors;
        tracing::debug!("copied {} rows into {target}", s.rows);
    }
    let mut insert = String::from("INSERT INTO code (dim, id, code) VALUES ");
    let mut first = true;
    for (dim, names) in CODED.iter().zip(&codes.names) {
        for (id, name) in names.iter().enumerate() {
            insert.push_str(&format!(
                "{}('{dim}', {id}, '{}')",
                if first { "" } else { ", " },
                name.replace('\'', "''")
            ));
            first = false;
        }
    }
    if !first {
        exec(&mut conn, &insert).await?;
    }
    let copy_seconds = start.elapsed().as_secs_f64();

    let t = Instant::now();
    // Index builds use both cores and as much memory as the bench cluster allows.
    exec(&mut conn, "SET max_parallel_maintenance_workers = 2").await?;
    exec(&mut conn, "SET maintenance_work_mem = '2GB'").await?;
    exec(&mut conn, "CREATE UNIQUE INDEX orgs_pos ON orgs (pos)").await?;
    exec(&mut conn, "CREATE INDEX members_org_pos ON members (org_pos)").await?;
    exec(&mut conn, "CREATE INDEX past_org_pos ON past (org_pos)").await?;
    if !ordered[1] {
        exec(&mut conn, "CLUSTER members USING members_org_pos").await?;
    }
    if !ordered[2] {
        exec(&mut conn, "CLUSTER past USING past_org_pos").await?;
    }
    exec(&mut conn, "CREATE UNIQUE INDEX members_id ON members (id)").await?;
    // Statistics for the planner; VACUUM also sets every freshly loaded row's hint bits now, so
    // the first questions do not pay for writing them.
    for table in ["code", "orgs", "members", "past"] {
        exec(&mut conn, &format!("VACUUM (ANALYZE) {table}")).await?;
    }
    let index_seconds = t.elapsed().as_secs_f64();

    let sizes = sqlx::query(
        "SELECT sum(pg_table_size(c.oid))::bigint, sum(pg_indexes_size(c.oid))::bigint FROM pg_class c \
         WHERE c.relname IN ('code', 'orgs', 'members', 'past') AND c.relkind = 'r' \
         AND c.relnamespace = 'public'::regnamespace",
    )
    .fetch_one(&mut conn)
    .await
    .map_err(|e| format!("读取表大小失败：{e}"))?;
    let size = |i: usize| sizes.try_get::<i64, _>(i).map(|v| v as u64).map_err(|e| e.to_string());
    let report = LoadReport {
        orgs: rows[0],
        members: rows[1],
        past: rows[2],
        copy_seconds,
        index_seconds,
        total_seconds: start.elapsed().as_secs_f64(),
        table_bytes: size(0)?,
        index_bytes: size(1)?,
    };
    let _ = conn.close().await;
    Ok(report)
}

/// Runs SQL built here: numbers, dates, codes checked by [`sql::check_code`] and, in the `code`
/// table's rows, codes from the CSV with their quotes doubled.
async fn exec(conn: &mut PgConnection, sql: &str) -> Result<(), String> {
    sqlx::raw_sql(AssertSqlSafe(sql.to_owned()))
        .execute(&mut *conn)
        .await
        .map(|_| ())
        .map_err(|e| format!("{e}\nSQL: {sql}"))
}

/// Bytes handed to `COPY` at a time: big enough that the per-message overhead vanishes.
const CHUNK: usize = 1 << 20;

/// Streams one CSV into its table. A thread reads and rewrites the lines (codes, sector) while
/// this task sends the previous chunk, so on two cores the rewriting overlaps with PostgreSQL's
/// parsing.
async fn stream(
    conn: &mut PgConnection,
    dir: &Path,
    copy: Copy,
    codes: Codes,
    sectors: Vec<i16>,
) -> Result<Streamed, String> {
    let path = dir.join(copy.file);
    let file = std::fs::File::open(&path).map_err(|e| format!("无法打开 {}：{e}", path.display()))?;
    let statement = format!("COPY {} FROM STDIN (FORMAT csv)", copy.target);
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<u8>>(4);
    let reader = std::thread::spawn(move || rewrite(BufReader::with_capacity(CHUNK, file), &copy, codes, sectors, tx));
    let mut sink = conn.copy_in_raw(&statement).await.map_err(|e| format!("{statement}: {e}"))?;
    let mut send_error = None;
    while let Some(chunk) = rx.recv().await {
        if let Err(e) = sink.send(chunk).await {
            send_error = Some(e.to_string());
            break;
        }
    }
    drop(rx);
    let result = reader.join().map_err(|_| format!("读取 {} 的线程崩溃", path.display()))?;
    match (result, send_error) {
        (Ok(streamed), None) => {
            sink.finish().await.map_err(|e| format!("{}：{e}", path.display()))?;
            Ok(streamed)
        }
        // A failed send also stops the reader; the database's error is the one worth reporting.
        (_, Some(e)) | (Err(e), None) => {
            let _ = sink.abort(e.clone()).await;
            Err(format!("{}：{e}", path.display()))
        }
    }
}

/// Reads `input` line by line, checks the header, rewrites each line for `COPY` and sends the
/// result in chunks of about [`CHUNK`] bytes. The CSVs hold only numbers, dates and ASCII codes,
/// so a field never needs quoting; a quote is refused rather than misread.
fn rewrite(
    mut input: impl BufRead,
    copy: &Copy,
    mut codes: Codes,
    mut sectors: Vec<i16>,
    tx: tokio::sync::mpsc::Sender<Vec<u8>>,
) -> Result<Streamed, String> {
    let mut line = String::new();
    input.read_line(&mut line).map_err(|e| e.to_string())?;
    if line.trim_end() != copy.header {
        return Err(format!("表头应为“{}”，实为“{}”", copy.header, line.trim_end()));
    }
    let mut out = Vec::with_capacity(CHUNK + 4096);
    let (mut rows, mut ordered, mut last_pos) = (0u64, true, i64::MIN);
    let recording = copy.file == "orgs.csv";
    loop {
        line.clear();
        if input.read_line(&mut line).map_err(|e| e.to_string())? == 0 {
            break;
        }
        let text = line.trim_end_matches(['\n', '\r']);
        if text.is_empty() {
            continue;
        }
        rows += 1;
        if text.contains('"') {
            return Err(format!("第{}行含引号：导出的数据不应需要引号", rows + 1));
        }
        let mut n = 0;
        let mut sector = None;
        for (i, value) in text.split(',').enumerate() {
            let Some(field) = copy.fields.get(i) else {
                return Err(format!("第{}行字段多于{}个", rows + 1, copy.fields.len()));
            };
            if i > 0 {
                out.push(b',');
            }
            match *field {
                Field::Keep => out.extend_from_slice(value.as_bytes()),
                Field::Code(dim) => {
                    let id = codes.id(dim, value)?;
                    if recording && CODED[dim] == "sector" {
                        sector = Some(id);
                    }
                    write!(out, "{id}").map_err(|e| e.to_string())?;
                }
            }
            if i == copy.pos_field {
                let pos: i64 = value.parse().map_err(|_| format!("第{}行的位置“{value}”不是整数", rows + 1))?;
                ordered &= pos >= last_pos;
                last_pos = pos;
                if let Some(col) = copy.sector_of
                    && col == i
                {
                    let s = usize::try_from(pos)
                        .ok()
                        .and_then(|p| sectors.get(p))
                        .ok_or_else(|| format!("第{}行的组织位置 {pos} 不在 orgs.csv 中", rows + 1))?;
                    sector = Some(*s);
                }
            }
            n += 1;
        }
        if n != copy.fields.len() {
            return Err(format!("第{}行有{n}个字段，应为{}个", rows + 1, copy.fields.len()));
        }
        if recording {
            let pos = usize::try_from(last_pos).map_err(|_| format!("第{}行的位置为负", rows + 1))?;
            if pos != sectors.len() {
                return Err(format!("第{}行的位置应为 {}（orgs.csv 按先序排列）", rows + 1, sectors.len()));
            }
            sectors.push(sector.expect("orgs have a sector field"));
        } else if let Some(s) = sector {
            write!(out, ",{s}").map_err(|e| e.to_string())?;
        }
        out.push(b'\n');
        if out.len() >= CHUNK
            && tx.blocking_send(std::mem::replace(&mut out, Vec::with_capacity(CHUNK + 4096))).is_err()
        {
            return Err("数据库停止接收数据".into());
        }
    }
    if !out.is_empty() && tx.blocking_send(out).is_err() {
        return Err("数据库停止接收数据".into());
    }
    Ok(Streamed { rows, codes, sectors, ordered })
}

/// Session settings for answering, chosen by measurement on the 2-core machine (see the
/// comment on `dashboard_sql`).
const SESSION: [&str; 4] = [
    "SET max_parallel_workers_per_gather = 2",
    // The dashboard's hash table of cells takes ~6 MB per process at 5M members; ample room so
    // that no national question spills to disk.
    "SET work_mem = '256MB'",
    // JIT compiles a plan's expressions once its estimated cost passes jit_above_cost (default
    // 100000, about two million members here): the whole 5M tree's dashboard took 2.0 s instead of
    // 2.2 s; a county's (50k members, cost 6k) would lose 20–30 ms to compiling, and stays below
    // the threshold. So on, with the default thresholds.
    "SET jit = on",
    "SET jit_above_cost = 100000",
];

/// Asks every question once to warm the caches, then `repeat` timed times, on one connection.
pub async fn ask_postgres(url: &str, questions: &[Question], repeat: usize) -> Result<Vec<Answer>, String> {
    let mut conn = PgConnection::connect(url).await.map_err(|e| format!("连接 PostgreSQL 失败：{e}"))?;
    for s in SESSION {
        exec(&mut conn, s).await?;
    }
    let mut codes = Codes::new();
    let rows = sqlx::query("SELECT dim, id, code FROM code ORDER BY dim, id")
        .fetch_all(&mut conn)
        .await
        .map_err(|e| format!("读取代码表失败：{e}"))?;
    for row in rows {
        let (dim, id, code): (String, i16, String) =
            (row.try_get(0).map_err(err)?, row.try_get(1).map_err(err)?, row.try_get(2).map_err(err)?);
        let d = CODED.iter().position(|c| *c == dim).ok_or_else(|| format!("代码表中有未知维度 {dim}"))?;
        if codes.id(d, &code)? != id {
            return Err(format!("代码表中 {dim} 的编号不连续"));
        }
    }
    let mut answers = Vec::with_capacity(questions.len());
    for q in questions {
        let on = sql::parse_on(q)?;
        let query = match &q.ask {
            Ask::Dashboard => dashboard_sql(q.lo, q.hi, on, &codes),
            Ask::Count { sex, education_in, age_max } => {
                count_sql(q.lo, q.hi, on, &codes, sex.as_deref(), education_in, *age_max)?
            }
        };
        let mut millis = Vec::with_capacity(repeat);
        let mut counts = BTreeMap::new();
        for run in 0..=repeat {
            let t = Instant::now();
            let rows = sqlx::raw_sql(AssertSqlSafe(query.clone()))
                .fetch_all(&mut conn)
                .await
                .map_err(|e| format!("{}：{e}", q.name))?;
            if run > 0 {
                millis.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            counts = read_counts(&rows, &codes)?;
        }
        answers.push(Answer { name: q.name.clone(), millis, counts });
    }
    let _ = conn.close().await;
    Ok(answers)
}

fn err(e: sqlx::Error) -> String {
    e.to_string()
}

/// Rows of `(dimension, code, count)`; the total has dimension `total`. Coded dimensions come
/// back as numbers and are named here.
fn read_counts(rows: &[sqlx::postgres::PgRow], codes: &Codes) -> Result<BTreeMap<String, u64>, String> {
    let mut counts = BTreeMap::new();
    for row in rows {
        let dim: String = row.try_get(0).map_err(err)?;
        let value: i64 = row.try_get(1).map_err(err)?;
        let n: i64 = row.try_get(2).map_err(err)?;
        let key = if dim == "total" {
            dim
        } else if let Some(d) = CODED.iter().position(|c| *c == dim) {
            let name = usize::try_from(value).ok().and_then(|v| codes.names[d].get(v));
            format!("{dim}={}", name.ok_or_else(|| format!("{dim} 的代码 {value} 不在代码表中"))?)
        } else {
            format!("{dim}={}", computed_name(&dim, value)?)
        };
        if n > 0 || key == "total" {
            counts.insert(key, n as u64);
        }
    }
    Ok(counts)
}

/// Names of the values of the dimensions computed in the query rather than stored as codes.
fn computed_name(dim: &str, value: i64) -> Result<String, String> {
    let i = usize::try_from(value).map_err(|_| format!("{dim} 的值 {value} 为负"))?;
    let name = match dim {
        "minority" | "floating" => Some(value.to_string()),
        "age_band" => {
            AGE_BANDS.get(i).map(|b| b.1).or((i == AGE_BANDS.len()).then_some(OLDEST_AGE_BAND)).map(Into::into)
        }
        "join_period" => {
            JOIN_PERIODS.get(i).map(|p| p.1).or((i == JOIN_PERIODS.len()).then_some(LATEST_JOIN_PERIOD)).map(Into::into)
        }
        "kind" => ["full", "probationary"].get(i).map(|s| (*s).into()),
        _ => None,
    };
    name.ok_or_else(|| format!("{dim} 的值 {value} 无法识别"))
}

fn lit(d: NaiveDate) -> String {
    format!("DATE '{d}'")
}

/// The counted rows of `[lo, hi)` on `on` as one `UNION ALL`: current memberships and, joined
/// to their members, past ones. `cols` uses the alias `m` for members and `s` for the table
/// that holds the sector of the counting organization; `cond` further restricts `m`.
fn counted(lo: u32, hi: u32, on: NaiveDate, codes: &Codes, cols: &str, cond: &str) -> String {
    let on = lit(on);
    let statuses = COUNTED_STATUSES.iter().map(|s| codes.find("status", s).to_string()).collect::<Vec<_>>().join(", ");
    let current = cols.replace("s.sector", "m.sector");
    let past = cols.replace("s.sector", "p.sector");
    format!(
        "SELECT {current} FROM members m \
         WHERE m.org_pos >= {lo} AND m.org_pos < {hi} AND m.since <= {on} AND m.status IN ({statuses}){cond} \
         UNION ALL \
         SELECT {past} FROM past p JOIN members m ON m.id = p.member_id \
         WHERE p.org_pos >= {lo} AND p.org_pos < {hi} AND p.valid_from <= {on} AND {on} < p.valid_to \
         AND m.status IN ({statuses}){cond}"
    )
}

/// The age band's index on `on`, from `m.birth_date` (see [`sql::born_by`]): `width_bucket`
/// finds the band by binary search in one function call, where a `CASE` evaluates up to seven
/// comparisons (10% of the whole dashboard at 5M members).
fn age_band_index(on: NaiveDate) -> String {
    // Band i holds birth dates after born_by(on, top_i + 1); width_bucket wants ascending lower
    // bounds, i.e. the day after each of those dates, oldest band first.
    let bounds: Vec<String> =
        AGE_BANDS.iter().rev().map(|(top, _)| lit(sql::born_by(on, top + 1) + chrono::Days::new(1))).collect();
    format!("({} - width_bucket(m.birth_date, ARRAY[{}]))", AGE_BANDS.len(), bounds.join(", "))
}

fn join_period_index() -> String {
    let bounds: Vec<String> = JOIN_PERIODS.iter().map(|(before, _)| format!("DATE '{before}'")).collect();
    format!("width_bucket(m.joined_on, ARRAY[{}])", bounds.join(", "))
}

/// The dashboard of `[lo, hi)` on `on`.
///
/// Measured at 5M members, whole tree, both cores (the machine was shared with other builds, so
/// the numbers are the best of three and only their order is reliable):
/// * `GROUP BY GROUPING SETS ((), (sex), (minority), …)`: 9.6 s over `text` codes, 8.7 s over
///   `smallint` codes, because PostgreSQL cannot aggregate grouping sets in parallel workers;
/// * one `count(*) FILTER (WHERE sex = 0)` per dimension value (≈ 50 aggregates): 5.5 s;
/// * every row's ten values as ten rows (`LATERAL (VALUES …)`) grouped once: 27 s;
/// * `GROUP BY` all ten dimensions, then grouping sets over the cells: 8.1 s;
/// * **the ten values packed into one integer (mixed radix) grouped in parallel**, then the few
///   tens of thousands of cells split back into dimensions: 3.6 s — kept. Computing the key in
///   `int` rather than `bigint` and the bands with `width_bucket` took another 10% off.
///
/// On a quiet machine this takes 2.2 s without JIT: scanning and filtering alone is 0.4 s,
/// grouping by one stored column 0.7 s, by the seven stored codes packed 1.3 s, by the three
/// date-derived values packed 1.0 s; the rest is the hash table of ~60k cells per process.
/// `parallel_leader_participation = off` and a single worker were no faster.
fn dashboard_sql(lo: u32, hi: u32, on: NaiveDate, codes: &Codes) -> String {
    let dims: Vec<(&str, String, u64)> = vec![
        ("sex", "m.sex".into(), codes.radix("sex")),
        ("minority", "m.minority::int".into(), 2),
        ("education", "m.education".into(), codes.radix("education")),
        ("age_band", age_band_index(on), AGE_BANDS.len() as u64 + 1),
        ("join_period", join_period_index(), JOIN_PERIODS.len() as u64 + 1),
        ("occupation", "m.occupation".into(), codes.radix("occupation")),
        ("kind", format!("CASE WHEN m.full_on <= {} THEN 0 ELSE 1 END", lit(on)), 2),
        ("status", "m.status".into(), codes.radix("status")),
        ("floating", "m.floating::int".into(), 2),
        ("sector", "s.sector".into(), codes.radix("sector")),
    ];
    let cells: u64 = dims.iter().map(|d| d.2).product();
    let cast = if cells <= i32::MAX as u64 { "" } else { "::bigint" };
    let mut key = String::new();
    let mut split = String::new();
    let mut mult: u64 = 1;
    for (name, expr, radix) in &dims {
        if !key.is_empty() {
            key.push_str(" + ");
            split.push_str(", ");
        }
        key.push_str(&format!("({expr}){cast} * {mult}"));
        split.push_str(&format!("('{name}', {mult}, {radix})"));
        mult *= radix;
    }
    let rows = counted(lo, hi, on, codes, &format!("{key} AS key"), "");
    format!(
        "WITH cells AS (SELECT key, count(*) AS n FROM ({rows}) c GROUP BY key) \
         SELECT 'total' AS dim, 0::bigint AS value, coalesce(sum(n), 0)::bigint AS n FROM cells \
         UNION ALL \
         SELECT d.dim, ((c.key / d.mult) % d.radix)::bigint, sum(c.n)::bigint \
         FROM cells c CROSS JOIN (VALUES {split}) AS d(dim, mult, radix) GROUP BY 1, 2"
    )
}

/// The number of counted members of `[lo, hi)` on `on` matching every condition given.
fn count_sql(
    lo: u32,
    hi: u32,
    on: NaiveDate,
    codes: &Codes,
    sex: Option<&str>,
    education_in: &[String],
    age_max: Option<i32>,
) -> Result<String, String> {
    let mut cond = String::new();
    if let Some(sex) = sex {
        cond.push_str(&format!(" AND m.sex = {}", codes.find("sex", sql::check_code(sex)?)));
    }
    if !education_in.is_empty() {
        let ids = education_in
            .iter()
            .map(|e| sql::check_code(e).map(|e| codes.find("education", e).to_string()))
            .collect::<Result<Vec<_>, _>>()?;
        cond.push_str(&format!(" AND m.education IN ({})", ids.join(", ")));
    }
    if let Some(age) = age_max {
        cond.push_str(&format!(" AND m.birth_date > {}", lit(sql::born_by(on, age + 1))));
    }
    let rows = counted(lo, hi, on, codes, "1 AS one", &cond);
    Ok(format!("SELECT 'total' AS dim, 0::bigint AS value, count(*)::bigint AS n FROM ({rows}) c"))
}
