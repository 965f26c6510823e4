//! `qiangji bench`: the member list and the statistics page of the root organization over real
//! HTTP on loopback, as the city's organization-department officer sees them. Median and worst times.
//!
//! The submodules benchmark the statistics engine against SQL on the same exported data:
//! [`sql`] holds the questions and answers, [`postgres`] and [`duckdb`] answer them, [`compare`]
//! sets the answers side by side and [`run_sql`] is `qiangji bench-sql`. [`verify`] measures the
//! checks for formalism against the demo's planted cases.

pub mod compare;
pub mod duckdb;
pub mod engine;
pub mod import;
pub mod load;
pub mod postgres;
pub mod run_sql;
pub mod sql;
pub mod verify;

use crate::demo::DEMO_PASSWORD;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Pages measured, `{root}` standing for the root organization and `{year_ago}` for that date.
const PAGES: &[(&str, &str)] = &[
    ("党员列表 无筛选", "/orgs/{root}/members"),
    ("党员列表 女性", "/orgs/{root}/members?sex=female"),
    ("党员列表 女性·本科·31至35岁", "/orgs/{root}/members?sex=female&education=university&age_band=31_35"),
    ("党员列表 预备党员·非公企业", "/orgs/{root}/members?kind=probationary&sector=private_enterprise"),
    ("党员列表 拼音首字母 zs", "/orgs/{root}/members?q=zs"),
    ("党员列表 姓名含“伟”", "/orgs/{root}/members?q=%E4%BC%9F"),
    ("党员列表 第100页", "/orgs/{root}/members?offset=4950"),
    ("统计页 今天", "/orgs/{root}/stats"),
    ("统计页 一年前", "/orgs/{root}/stats?on={year_ago}"),
    ("组织生活预警看板（最慢的一次为首次计算）", "/orgs/{root}/warnings"),
    ("预警看板 党员连续未参加组织生活", "/orgs/{root}/warnings?view=absence"),
    ("需核实（取自全域核查）", "/orgs/{root}/verification"),
];

async fn request(addr: &str, raw: String) -> Result<(u16, String, Vec<String>), String> {
    let mut s = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    s.write_all(raw.as_bytes()).await.map_err(|e| e.to_string())?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await.map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&buf).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let cookies = head
        .lines()
        .filter_map(|l| l.strip_prefix("set-cookie: ").or_else(|| l.strip_prefix("Set-Cookie: ")))
        .map(|c| c.split(';').next().unwrap_or("").to_owned())
        .collect();
    Ok((status, body.to_owned(), cookies))
}

fn get(addr: &str, path: &str, cookie: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n")
}

pub async fn run(db: &str, repeat: usize) -> Result<(), String> {
    let store = qiangji_store::Store::open(db).await.map_err(|e| e.to_string())?;
    let root = store.root_org_id().await.map_err(|e| e.to_string())?.ok_or("数据库为空：请先运行 qiangji demo")?;
    let t = Instant::now();
    let app = qiangji_web::App::new(store).await.map_err(|e| e.to_string())?;
    let (orgs, members) = {
        let i = app.engine.read().await;
        (i.org_count(), i.member_count())
    };
    println!("数据：{orgs}个组织，{members}名党员；索引建立用时{:.2}秒", t.elapsed().as_secs_f64());
    // Before serving, so that the server's background run finds nothing to do and the pages are
    // measured on a quiet machine.
    let t = Instant::now();
    app.run_whole_checks().await.map_err(|e| e.to_string())?;
    println!("全域形式主义核查（服务中在有人打开大范围需核实页后于后台进行）用时{:.1}秒", t.elapsed().as_secs_f64());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?.to_string();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let shared = app.clone();
    let server = tokio::spawn(qiangji_web::serve(app, listener, async {
        let _ = stop_rx.await;
    }));

    let (_, page, cookies) = request(&addr, get(&addr, "/login", "")).await?;
    let csrf =
        page.split("name=\"csrf\" value=\"").nth(1).and_then(|s| s.split('"').next()).ok_or("登录页没有 csrf")?;
    let body = format!("csrf={csrf}&username=zuzhibu&password={DEMO_PASSWORD}&next=%2F");
    let login = format!(
        "POST /login HTTP/1.1\r\nHost: {addr}\r\nCookie: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        cookies.join("; "),
        body.len()
    );
    let (status, _, cookies) = request(&addr, login).await?;
    if status != 303 {
        return Err(format!("以 zuzhibu 登录失败（HTTP {status}）：基准测试需要演示账户"));
    }
    let cookie = cookies.join("; ");
    println!("根组织的页面（含会话校验、索引计算、读库、渲染，经 HTTP）：");
    println!("{:<30} {:>8} {:>10} {:>10}", "页面", "人数", "中位数ms", "最慢ms");
    let year_ago = (qiangji_domain::date::today() - chrono::Months::new(12)).to_string();
    for (label, template) in PAGES {
        let path = template.replace("{root}", &root.to_string()).replace("{year_ago}", &year_ago);
        let mut times: Vec<Duration> = Vec::with_capacity(repeat);
        let mut total = String::new();
        for _ in 0..repeat {
            let t = Instant::now();
            let (status, body, _) = request(&addr, get(&addr, &path, &cookie)).await?;
            times.push(t.elapsed());
            if status != 200 {
                return Err(format!("{path} 返回 HTTP {status}"));
            }
            total = body
                .split("共 ")
                .nth(1)
                .or_else(|| body.split("id=\"stats-total\">").nth(1))
                .and_then(|s| s.split([' ', '<']).next())
                .unwrap_or("?")
                .to_owned();
        }
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!("{label:<30} {total:>8} {:>10.1} {:>10.1}", ms(times[times.len() / 2]), ms(times[times.len() - 1]));
    }
    board_first_computation(&shared, root, repeat).await;
    let _ = stop_tx.send(());
    let _ = server.await;
    Ok(())
}

/// The root's warning board computed afresh each time (the page keeps one until the data or the
/// day changes, so over HTTP only the first request pays this).
async fn board_first_computation(app: &qiangji_web::App, root: i64, repeat: usize) {
    let access = qiangji_store::Access::system("基准测试", root);
    let (engine, rules, today) = (app.engine.read().await, app.rules(), qiangji_domain::date::today());
    let mut times: Vec<Duration> = Vec::with_capacity(repeat);
    let mut board = None;
    for _ in 0..repeat {
        let t = Instant::now();
        board = Some(engine.board(&access, qiangji_domain::org::OrgId(root), today, &rules));
        times.push(t.elapsed());
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    if let Some(b) = board {
        println!(
            "{:<30} {:>8} {:>10.1} {:>10.1}（要求{}项、组织设置{}项、党员{}人）",
            "预警看板 每次重新计算",
            b.orgs,
            ms(times[times.len() / 2]),
            ms(times[times.len() - 1]),
            b.warnings.len(),
            b.advisories.len(),
            b.absences.len()
        );
    }
}
