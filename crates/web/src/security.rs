//! Defences every request and response goes through: security headers on every answer, and rate
//! limits — on logins per client address (guessing passwords across many accounts; each account
//! also locks itself after repeated failures) and on API requests per token (a runaway script) —
//! and where the server sits: behind a TLS-terminating proxy, cookies are marked `Secure` and the
//! client's address is read from the proxy's `X-Forwarded-For`, but only from proxies named.

use crate::App;
use crate::error::AppError;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Scripts only from this server (no inline script anywhere), nothing framed, no plugins; inline
/// style attributes stay allowed for the print layouts.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
     object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/// Adds the security headers to every response that does not set its own, and `Secure` to every
/// cookie when the deployment says the browser reaches us over HTTPS.
pub async fn headers(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let mut res = next.run(req).await;
    let plain = res.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"text/plain"));
    if res.status() == StatusCode::PAYLOAD_TOO_LARGE && plain {
        // A body over the limit refused by one of axum's extractors (`Bytes`, `Form`) comes as
        // English text; answer it like every other refusal, with its code.
        let e = AppError::new(StatusCode::PAYLOAD_TOO_LARGE, "request.too_large", "提交的内容过大");
        res = if api { e.json().into_response() } else { e.into_response() };
    }
    let h = res.headers_mut();
    if app.deployment().secure_cookies {
        // Here rather than where each cookie is made, so that no cookie added later can miss it.
        let cookies: Vec<HeaderValue> = h.get_all(header::SET_COOKIE).iter().cloned().collect();
        h.remove(header::SET_COOKIE);
        for c in cookies {
            let secure = match c.to_str() {
                Ok(text) if !text.split(';').any(|a| a.trim().eq_ignore_ascii_case("secure")) => {
                    HeaderValue::from_str(&format!("{text}; Secure")).unwrap_or(c)
                }
                _ => c,
            };
            h.append(header::SET_COOKIE, secure);
        }
    }
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::HeaderName::from_static("permissions-policy"), "camera=(), microphone=(), geolocation=()"),
        (header::HeaderName::from_static("cross-origin-opener-policy"), "same-origin"),
    ] {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    }
    // Personal data must not linger in shared caches or on a shared PC; static assets set their
    // own caching.
    h.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    res
}

/// How many requests one key may make per minute; 0 turns a limit off.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Login attempts per client address.
    pub logins_per_minute: u32,
    /// API requests per session token.
    pub api_per_minute: u32,
}

impl Limits {
    /// From `QIANGJI_LOGIN_RATE` and `QIANGJI_API_RATE` (per minute; 0 = off), else the defaults:
    /// 30 login attempts per address (a whole office behind one address logs in in the morning)
    /// and 3,000 API requests per token (50 a second; a load test turns it off).
    pub fn from_env() -> Limits {
        let read = |name: &str, default: u32| std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default);
        Limits { logins_per_minute: read("QIANGJI_LOGIN_RATE", 30), api_per_minute: read("QIANGJI_API_RATE", 3000) }
    }
}

/// Fixed one-minute windows per key: simple, and at most twice the rate across a window edge.
#[derive(Default)]
pub struct Limiter {
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

impl Limiter {
    /// Counts a request of `key`; Err(seconds to wait) when over `per_minute`.
    fn hit(&self, key: &str, per_minute: u32) -> Result<(), u64> {
        if per_minute == 0 {
            return Ok(());
        }
        let now = Instant::now();
        let minute = Duration::from_secs(60);
        let mut windows = self.windows.lock().expect("rate windows");
        if windows.len() > 100_000 {
            // Forget finished windows rather than grow without bound under a flood of keys.
            windows.retain(|_, (start, _)| now.duration_since(*start) < minute);
        }
        let (start, count) = windows.entry(key.to_owned()).or_insert((now, 0));
        if now.duration_since(*start) >= minute {
            (*start, *count) = (now, 0);
        }
        *count += 1;
        if *count > per_minute {
            return Err((minute - now.duration_since(*start)).as_secs().max(1));
        }
        Ok(())
    }
}

/// The rate limiters of a server and their limits.
pub struct RateLimits {
    limits: Mutex<Limits>,
    logins: Limiter,
    api: Limiter,
}

impl RateLimits {
    pub fn new(limits: Limits) -> RateLimits {
        RateLimits { limits: Mutex::new(limits), logins: Limiter::default(), api: Limiter::default() }
    }

    pub fn limits(&self) -> Limits {
        *self.limits.lock().expect("limits")
    }

    /// Changes the limits of a running server (tests, and an operator's console later).
    pub fn set(&self, limits: Limits) {
        *self.limits.lock().expect("limits") = limits;
    }
}

/// Where the server sits on the network (`serve --secure-cookies --trusted-proxy`).
#[derive(Debug, Clone, Default)]
pub struct Deployment {
    /// Browsers reach the server over HTTPS (a TLS-terminating proxy in front): every cookie is
    /// marked `Secure`, so it is never sent over plain HTTP where it could be read on the wire.
    pub secure_cookies: bool,
    /// The proxies whose `X-Forwarded-For` is believed. Anyone can send the header; only when the
    /// connection comes from one of these is it more than the client's say-so.
    pub trusted_proxies: Vec<IpAddr>,
}

impl Deployment {
    /// Parses `ADDR[,ADDR…]` (IPv4 or IPv6 addresses, spaces allowed); the error names the option.
    pub fn parse_proxies(list: &str) -> Result<Vec<IpAddr>, String> {
        list.split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(|a| {
                a.parse::<IpAddr>()
                    .map(|ip| ip.to_canonical())
                    .map_err(|_| format!("--trusted-proxy 应为以逗号分隔的 IP 地址，`{a}` 不是"))
            })
            .collect()
    }

    /// The client of a connection from `peer`: `peer` itself, unless `peer` is a trusted proxy —
    /// then the right-most address of `X-Forwarded-For` that is not a trusted proxy. Addresses
    /// left of it were written by the client and could be anything, so they are never taken.
    pub fn client(&self, peer: IpAddr, headers: &axum::http::HeaderMap) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.trusted_proxies.contains(&peer) {
            return peer;
        }
        let hops = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect::<Vec<_>>();
        let mut client = peer;
        for hop in hops.iter().rev() {
            let parsed = hop.parse::<IpAddr>().or_else(|_| hop.parse::<SocketAddr>().map(|s| s.ip()));
            match parsed {
                Ok(ip) => {
                    client = ip.to_canonical();
                    if !self.trusted_proxies.contains(&client) {
                        break;
                    }
                }
                // Garbage in the chain: believe nothing further left than the last good hop.
                Err(_) => break,
            }
        }
        client
    }
}

/// The client's address as [`limit`] resolved it for this request (see [`Deployment::client`]).
#[derive(Clone)]
struct ClientAddress(String);

/// The client's address: the one [`limit`] resolved, else the connection's.
fn client_address(extensions: &axum::http::Extensions) -> String {
    if let Some(ClientAddress(a)) = extensions.get::<ClientAddress>() {
        return a.clone();
    }
    extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string()).unwrap_or_default()
}

/// The client of a request, for the session it opens and the account's security events.
pub struct ClientInfo(pub qiangji_store::user::Client);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientInfo {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        let address = client_address(&parts.extensions);
        let user_agent =
            parts.headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        Ok(ClientInfo(qiangji_store::user::Client { address, user_agent }))
    }
}

/// Resolves the client's address once (for the login limit, sessions and security events), and
/// refuses requests over their limit with 429 and `Retry-After`.
pub async fn limit(State(app): State<Arc<App>>, mut req: Request, next: Next) -> Response {
    if let Some(peer) = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()) {
        let client = app.deployment().client(peer, req.headers());
        req.extensions_mut().insert(ClientAddress(client.to_string()));
    }
    let path = req.uri().path().to_owned();
    let path = path.as_str();
    let is_login = req.method() == Method::POST && (path == "/login" || path == "/api/v1/session");
    let (rates, limits) = (&app.rate_limits, app.rate_limits.limits());
    let over = if is_login {
        rates.logins.hit(&client_address(req.extensions()), limits.logins_per_minute)
    } else if path.starts_with("/api/") {
        match crate::auth::request_token(req.headers()) {
            Some(token) => rates.api.hit(&token, limits.api_per_minute),
            None => Ok(()),
        }
    } else {
        Ok(())
    };
    match over {
        Ok(()) => next.run(req).await,
        Err(wait) => {
            let e =
                AppError::new(StatusCode::TOO_MANY_REQUESTS, "rate.limited", format!("请求过于频繁，请{wait}秒后再试"));
            let mut res = if path.starts_with("/api/") { e.json().into_response() } else { e.into_response() };
            if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
            res
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forwarded(chain: &str) -> axum::http::HeaderMap {
        let mut h = axum::http::HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_str(chain).unwrap());
        h
    }

    #[test]
    fn forwarded_for_is_believed_only_from_a_trusted_proxy_and_only_its_right_most_untrusted_hop() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let none = Deployment::default();
        let proxied = Deployment {
            trusted_proxies: Deployment::parse_proxies("10.0.0.1, 10.0.0.2,::1").unwrap(),
            ..Default::default()
        };
        let spoofed = forwarded("6.6.6.6, 203.0.113.7");
        assert_eq!(none.client(ip("203.0.113.9"), &spoofed), ip("203.0.113.9"), "no proxy configured");
        assert_eq!(proxied.client(ip("203.0.113.9"), &spoofed), ip("203.0.113.9"), "not from a trusted proxy");
        assert_eq!(proxied.client(ip("10.0.0.1"), &spoofed), ip("203.0.113.7"), "the hop the proxy saw");
        let chained = forwarded("6.6.6.6, 203.0.113.7, 10.0.0.2");
        assert_eq!(proxied.client(ip("10.0.0.1"), &chained), ip("203.0.113.7"), "trusted hops are skipped");
        assert_eq!(proxied.client(ip("10.0.0.1"), &forwarded("junk, 10.0.0.2")), ip("10.0.0.2"));
        assert_eq!(proxied.client(ip("10.0.0.1"), &axum::http::HeaderMap::new()), ip("10.0.0.1"));
        assert_eq!(proxied.client(ip("::ffff:10.0.0.1"), &spoofed), ip("203.0.113.7"), "IPv4-mapped peer");
        assert!(Deployment::parse_proxies("10.0.0.1,proxy.local").unwrap_err().contains("proxy.local"));
    }

    #[test]
    fn a_key_over_its_limit_waits_and_other_keys_do_not() {
        let l = Limiter::default();
        for _ in 0..3 {
            assert_eq!(l.hit("a", 3), Ok(()));
        }
        let wait = l.hit("a", 3).unwrap_err();
        assert!((1..=60).contains(&wait), "{wait}");
        assert_eq!(l.hit("b", 3), Ok(()), "keys are counted apart");
        for _ in 0..10 {
            assert_eq!(l.hit("c", 0), Ok(()), "0 turns the limit off");
        }
    }
}
