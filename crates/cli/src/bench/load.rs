//! `qiangji bench-load`: concurrent clients against the JSON API on loopback for a fixed time —
//! reads (the root's member list, statistics, an organization, a member) as the city's officer and
//! writes (meeting records) as a branch secretary — counting errors and reporting p50/p95/p99 per
//! endpoint. The rate limits are turned off for the run (it is one token doing the work of many).

use super::request;
use crate::demo::DEMO_PASSWORD;
use qiangji_web::security::Limits;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What one client does in turn, by weight: mostly reads, one write in five.
const MIX: &[(&str, u32)] = &[("党员列表", 4), ("统计", 2), ("组织", 2), ("党员", 1), ("登记组织生活（写）", 1)];

struct Target {
    root: i64,
    branch: i64,
    member: i64,
    officer: String,
    secretary: String,
}

fn api(addr: &str, method: &str, path: &str, token: &str, body: &str) -> String {
    format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

async fn login(addr: &str, username: &str) -> Result<(String, i64), String> {
    let body = format!(r#"{{"username":"{username}","password":"{DEMO_PASSWORD}"}}"#);
    let (status, text, _) = request(addr, api(addr, "POST", "/api/v1/session", "", &body)).await?;
    if status != 200 {
        return Err(format!("以 {username} 登录失败（HTTP {status}）：需要演示账户"));
    }
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let token = v["token"].as_str().ok_or("登录应答没有令牌")?.to_owned();
    Ok((token, v["user"]["scope_org_id"].as_i64().unwrap_or(0)))
}

/// The request of kind `k` for the `n`th time.
fn nth_request(addr: &str, t: &Target, k: &str, n: u64) -> String {
    match k {
        "党员列表" => {
            api(addr, "GET", &format!("/api/v1/orgs/{}/members?offset={}", t.root, (n % 20) * 50), &t.officer, "")
        }
        "统计" => api(addr, "GET", &format!("/api/v1/orgs/{}/stats", t.root), &t.officer, ""),
        "组织" => api(addr, "GET", &format!("/api/v1/orgs/{}", t.branch), &t.officer, ""),
        "党员" => api(addr, "GET", &format!("/api/v1/members/{}", t.member), &t.officer, ""),
        _ => {
            let body = serde_json::json!({
                "kind": "theme_day", "held_on": qiangji_domain::date::today().to_string(), "place": "党员活动室",
                "host": "书记", "recorder": "组织委员", "topic": format!("压力测试主题党日{n}"), "content": "学习",
            });
            api(addr, "POST", &format!("/api/v1/orgs/{}/meetings", t.branch), &t.secretary, &body.to_string())
        }
    }
}

pub async fn run(db: &str, seconds: u64, clients: usize) -> Result<(), String> {
    let store = qiangji_store::Store::open(db).await.map_err(|e| e.to_string())?;
    let app = qiangji_web::App::new(store.clone()).await.map_err(|e| e.to_string())?;
    app.rate_limits.set(Limits { logins_per_minute: 0, api_per_minute: 0 });
    let (orgs, members) = {
        let e = app.engine.read().await;
        (e.org_count(), e.member_count())
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?.to_string();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(qiangji_web::serve(app, listener, async {
        let _ = stop_rx.await;
    }));
    let (officer, root) = login(&addr, "zuzhibu").await?;
    let (secretary, branch) = login(&addr, "shuji").await?;
    let member = store
        .db()
        .one("SELECT MIN(id) FROM member WHERE org_id = ?", vec![branch.into()])
        .await
        .map_err(|e| e.to_string())?
        .int(0);
    let target = Arc::new(Target { root, branch, member, officer, secretary });
    println!("数据：{orgs}个组织，{members}名党员；{clients}个并发客户端，{seconds}秒，经 HTTP（每个请求新建连接）");
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let weights: Vec<&str> = MIX.iter().flat_map(|(k, w)| std::iter::repeat_n(*k, *w as usize)).collect();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (addr, target, weights) = (addr.clone(), target.clone(), weights.clone());
        tasks.push(tokio::spawn(async move {
            let mut seen: Vec<(&'static str, Duration, bool)> = Vec::new();
            let mut n = c as u64;
            while Instant::now() < deadline {
                let k = weights[(n as usize) % weights.len()];
                let t = Instant::now();
                let ok = matches!(request(&addr, nth_request(&addr, &target, k, n)).await, Ok((200..=299, _, _)));
                seen.push((k, t.elapsed(), ok));
                n += clients as u64;
            }
            seen
        }));
    }
    let mut by_kind: BTreeMap<&str, (Vec<Duration>, usize)> = BTreeMap::new();
    for t in tasks {
        for (k, d, ok) in t.await.map_err(|e| e.to_string())? {
            let e = by_kind.entry(k).or_default();
            e.0.push(d);
            e.1 += usize::from(!ok);
        }
    }
    let _ = stop_tx.send(());
    let _ = server.await;
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{:<18} {:>7} {:>5} {:>8} {:>8} {:>8} {:>8}",
        "请求", "次数", "错误", "p50 ms", "p95 ms", "p99 ms", "最慢ms"
    );
    let (mut total, mut errors) = (0, 0);
    for (k, (mut times, failed)) in by_kind {
        times.sort();
        let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
        println!(
            "{k:<18} {:>7} {failed:>5} {:>8.1} {:>8.1} {:>8.1} {:>8.1}",
            times.len(),
            ms(at(0.50)),
            ms(at(0.95)),
            ms(at(0.99)),
            ms(times[times.len() - 1])
        );
        total += times.len();
        errors += failed;
    }
    println!("合计{total}次请求，{:.0}次/秒，错误{errors}次", total as f64 / seconds as f64);
    if errors > 0 {
        return Err(format!("有{errors}次请求出错"));
    }
    Ok(())
}
