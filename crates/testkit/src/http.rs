//! A minimal blocking HTTP/1.1 client for tests against a server on
//! 127.0.0.1.
//!
//! Integration tests start the real web server on a local port and talk to it
//! over a real TCP socket, exactly as a browser would, so routing, cookies,
//! CSRF protection and redirects are all exercised. The client is
//! deliberately simple:
//!
//! * one TCP connection per request, with `Connection: close`;
//! * plain `http://` only (the tests never need TLS);
//! * a cookie jar keyed by cookie name only (tests talk to one host);
//! * redirects are **not** followed, so tests can assert on them — pass the
//!   `Location` header back to [`Client::get`] to follow one by hand;
//! * response bodies framed by `Content-Length`, `Transfer-Encoding: chunked`
//!   or end of stream are all understood.
//!
//! ```no_run
//! use qiangji_testkit::http::{Client, extract_csrf};
//!
//! let client = Client::new("http://127.0.0.1:8080");
//! let page = client.get("/login");
//! let csrf = extract_csrf(&page.body).expect("login form has a CSRF token");
//! let resp = client.post_form("/login", &[("csrf", &csrf), ("user", "张三")]);
//! assert_eq!(resp.status, 303);
//! assert_eq!(resp.header("location"), Some("/"));
//! ```

use std::io::{self, BufRead, BufReader, Write};
use std::net::TcpStream;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// How long a request may take before the test fails instead of hanging.
const TIMEOUT: Duration = Duration::from_secs(60);

/// A complete HTTP response.
#[derive(Debug, Clone)]
pub struct Response {
    /// Status code, e.g. `200`.
    pub status: u16,
    /// Headers in the order received; names as sent by the server.
    pub headers: Vec<(String, String)>,
    /// The body decoded as UTF-8 (invalid sequences replaced by U+FFFD).
    pub body: String,
    /// The raw body bytes, for binary downloads.
    pub bytes: Vec<u8>,
}

impl Response {
    /// The first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// All headers called `name` (case-insensitive), e.g. every `Set-Cookie`.
    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str()).collect()
    }

    /// The body parsed as JSON; panics with the status and body if it is not.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("response body is not JSON ({e}); status {}, body:\n{}", self.status, self.body))
    }
}

/// A cookie-keeping HTTP client bound to one base URL.
///
/// Methods take `&self` (the cookie jar sits behind a mutex) so one client
/// can be shared between helper functions or threads.
#[derive(Debug)]
pub struct Client {
    /// `host:port` of the server.
    authority: String,
    /// Path prefix from the base URL, without a trailing slash (often empty).
    prefix: String,
    /// Cookies as `(name, value)` in the order first set.
    cookies: Mutex<Vec<(String, String)>>,
}

impl Client {
    /// A client for `base_url`, e.g. `http://127.0.0.1:3000` (an optional
    /// path prefix such as `http://127.0.0.1:3000/app` is prepended to every
    /// relative path).
    pub fn new(base_url: &str) -> Client {
        let (authority, prefix) = split_url(base_url);
        Client { authority, prefix: prefix.trim_end_matches('/').to_owned(), cookies: Mutex::new(Vec::new()) }
    }

    /// The base URL this client was created with (normalised).
    pub fn base_url(&self) -> String {
        format!("http://{}{}", self.authority, self.prefix)
    }

    /// `GET path`. `path` may also be an absolute `http://` URL, e.g. a
    /// `Location` header.
    pub fn get(&self, path: &str) -> Response {
        self.request("GET", path, &[], "")
    }

    /// `POST path` with an `application/x-www-form-urlencoded` body.
    pub fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.request("POST", path, &[("Content-Type", "application/x-www-form-urlencoded")], form_urlencode(form))
    }

    /// `POST path` with a JSON body.
    pub fn post_json(&self, path: &str, json: &serde_json::Value) -> Response {
        self.request("POST", path, &[("Content-Type", "application/json")], json.to_string())
    }

    /// Sends any request. `Host`, `Connection: close`, `Content-Length` and
    /// the jar's `Cookie` are added unless `headers` already has them.
    /// `Set-Cookie` headers of the response update the jar. Panics on
    /// network errors (a test cannot continue anyway).
    pub fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: impl AsRef<[u8]>) -> Response {
        self.try_request(method, path, headers, body).unwrap_or_else(|e| {
            let (authority, target) = self.resolve(path);
            panic!("HTTP {method} http://{authority}{target} failed: {e}")
        })
    }

    /// [`Client::request`] that returns a network error instead of panicking: for tests that kill
    /// the server while requests are in flight.
    pub fn try_request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: impl AsRef<[u8]>,
    ) -> io::Result<Response> {
        let (authority, target) = self.resolve(path);
        let has = |name: &str| headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
        let mut all: Vec<(String, String)> = headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
        if !has("Cookie") {
            let jar = self.jar();
            if !jar.is_empty() {
                let cookie = jar.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join("; ");
                all.push(("Cookie".to_owned(), cookie));
            }
        }
        let response = send(&authority, method, &target, &all, body.as_ref())?;
        let mut jar = self.jar();
        for set_cookie in response.header_all("set-cookie") {
            store_cookie(&mut jar, set_cookie);
        }
        Ok(response)
    }

    /// The current value of cookie `name` in the jar.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.jar().iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
    }

    /// Puts a cookie into the jar, replacing one with the same name.
    pub fn set_cookie(&self, name: &str, value: &str) {
        let mut jar = self.jar();
        jar.retain(|(n, _)| n != name);
        jar.push((name.to_owned(), value.to_owned()));
    }

    /// Empties the cookie jar ("log out" on the client side).
    pub fn clear_cookies(&self) {
        self.jar().clear();
    }

    fn jar(&self) -> MutexGuard<'_, Vec<(String, String)>> {
        // A panic while the jar was locked cannot leave it half-updated in a
        // way that matters for a test, so ignore poisoning.
        self.cookies.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Splits `path` into the authority to connect to and the request target.
    fn resolve(&self, path: &str) -> (String, String) {
        if path.starts_with("http://") {
            let (authority, target) = split_url(path);
            let target = if target.is_empty() { "/".to_owned() } else { target };
            (authority, target)
        } else if path.starts_with('/') {
            (self.authority.clone(), format!("{}{path}", self.prefix))
        } else {
            (self.authority.clone(), format!("{}/{path}", self.prefix))
        }
    }
}

/// Splits `http://host:port/rest` into `("host:port", "/rest")`.
fn split_url(url: &str) -> (String, String) {
    let rest = url
        .strip_prefix("http://")
        .unwrap_or_else(|| panic!("only plain http:// URLs are supported by the test client, got {url:?}"));
    match rest.find(['/', '?']) {
        Some(i) => {
            let target = &rest[i..];
            let target = if target.starts_with('?') { format!("/{target}") } else { target.to_owned() };
            (rest[..i].to_owned(), target)
        }
        None => (rest.to_owned(), String::new()),
    }
}

/// Applies one `Set-Cookie` header to the jar.
///
/// Only name and value matter for single-host tests; the attributes are
/// inspected just to notice deletions (`Max-Age=0` or an `Expires` date in
/// 1970, which is what servers send to remove a cookie).
fn store_cookie(jar: &mut Vec<(String, String)>, header: &str) {
    let mut parts = header.split(';');
    let Some((name, value)) = parts.next().and_then(|p| p.split_once('=')) else {
        return;
    };
    let (name, value) = (name.trim(), value.trim());
    if name.is_empty() {
        return;
    }
    let expired = parts.any(|attr| {
        let (key, val) = attr.split_once('=').unwrap_or((attr, ""));
        let (key, val) = (key.trim(), val.trim());
        (key.eq_ignore_ascii_case("max-age") && val.parse::<i64>().is_ok_and(|n| n <= 0))
            || (key.eq_ignore_ascii_case("expires") && val.contains("1970"))
    });
    jar.retain(|(n, _)| n != name);
    if !expired {
        jar.push((name.to_owned(), value.to_owned()));
    }
}

/// Sends one request on a fresh connection and reads the whole response.
///
/// Returns errors instead of panicking so the WebDriver client can decide
/// (e.g. it must not panic while cleaning up in `Drop`).
pub(crate) fn send(
    authority: &str,
    method: &str,
    target: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> io::Result<Response> {
    let has = |name: &str| headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
    let mut head = format!("{method} {target} HTTP/1.1\r\n");
    if !has("Host") {
        head.push_str(&format!("Host: {authority}\r\n"));
    }
    if !has("Connection") {
        head.push_str("Connection: close\r\n");
    }
    if !has("User-Agent") {
        head.push_str("User-Agent: qiangji-testkit\r\n");
    }
    let bodyless = matches!(method, "GET" | "HEAD" | "DELETE" | "OPTIONS");
    let needs_length = !body.is_empty() || !bodyless;
    if needs_length && !has("Content-Length") {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");

    let stream = TcpStream::connect(authority)?;
    stream.set_read_timeout(Some(TIMEOUT))?;
    stream.set_write_timeout(Some(TIMEOUT))?;
    // One write for head and body: some servers treat a body arriving in a
    // separate segment after a delay differently, and it is cheaper anyway.
    // The write half is *not* shut down afterwards, because hyper (axum)
    // closes a connection whose client half-closed before it responds.
    let mut request = head.into_bytes();
    request.extend_from_slice(body);
    (&stream).write_all(&request)?;
    (&stream).flush()?;

    read_response(BufReader::new(stream), method)
}

/// Parses status line, headers and body from `reader`.
fn read_response(mut reader: impl BufRead, method: &str) -> io::Result<Response> {
    let (status, headers) = loop {
        let status_line = read_line(&mut reader)?;
        let status = parse_status(&status_line)?;
        let mut headers = Vec::new();
        loop {
            let line = read_line(&mut reader)?;
            if line.is_empty() {
                break;
            }
            let (name, value) = line
                .split_once(':')
                .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, format!("bad header {line:?}")))?;
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
        // 1xx responses (e.g. `100 Continue`) are interim; the real one follows.
        if !(100..200).contains(&status) || status == 101 {
            break (status, headers);
        }
    };
    let header = |name: &str| headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());

    let mut bytes = Vec::new();
    if method == "HEAD" || status == 204 || status == 304 || (100..200).contains(&status) {
        // These responses never have a body, whatever the headers say.
    } else if header("transfer-encoding").is_some_and(|te| te.to_ascii_lowercase().contains("chunked")) {
        read_chunked(&mut reader, &mut bytes)?;
    } else if let Some(len) = header("content-length") {
        let len: usize = len
            .parse()
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, format!("bad Content-Length {len:?}")))?;
        bytes.resize(len, 0);
        reader.read_exact(&mut bytes)?;
    } else {
        reader.read_to_end(&mut bytes)?;
    }
    Ok(Response { status, body: String::from_utf8_lossy(&bytes).into_owned(), headers, bytes })
}

/// Decodes a `Transfer-Encoding: chunked` body (chunk extensions and
/// trailers are skipped).
fn read_chunked(reader: &mut impl BufRead, out: &mut Vec<u8>) -> io::Result<()> {
    loop {
        let line = read_line(reader)?;
        let size_text = line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, format!("bad chunk size {line:?}")))?;
        if size == 0 {
            // Trailers end with an empty line; tolerate a server that just closes.
            while !read_line(reader).unwrap_or_default().is_empty() {}
            return Ok(());
        }
        let start = out.len();
        out.resize(start + size, 0);
        reader.read_exact(&mut out[start..])?;
        read_line(reader)?; // the CRLF after the chunk data
    }
}

/// Reads one line without its `\r\n`; a clean EOF is an error because every
/// caller still expects protocol data.
fn read_line(reader: &mut impl BufRead) -> io::Result<String> {
    let mut buf = Vec::new();
    if reader.read_until(b'\n', &mut buf)? == 0 {
        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "connection closed before the response was complete"));
    }
    while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        buf.pop();
    }
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// `HTTP/1.1 200 OK` -> `200`.
fn parse_status(line: &str) -> io::Result<u16> {
    let mut parts = line.split_whitespace();
    match (parts.next(), parts.next().and_then(|s| s.parse().ok())) {
        (Some(version), Some(code)) if version.starts_with("HTTP/") => Ok(code),
        _ => Err(io::Error::new(io::ErrorKind::InvalidData, format!("bad status line {line:?}"))),
    }
}

/// Encodes pairs as `application/x-www-form-urlencoded` (UTF-8, spaces as
/// `+`), e.g. for a query string or a form body.
pub fn form_urlencode(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        encode_component(name, &mut out);
        out.push('=');
        encode_component(value, &mut out);
    }
    out
}

/// Percent-encodes one form component following the WHATWG URL standard's
/// urlencoded serializer: `A-Z a-z 0-9 * - . _` stay, space becomes `+`,
/// every other UTF-8 byte becomes `%XX`.
fn encode_component(text: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => out.push(byte as char),
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(HEX[usize::from(byte >> 4)] as char);
                out.push(HEX[usize::from(byte & 0x0f)] as char);
            }
        }
    }
}

/// Finds the CSRF token in an HTML page: the `value` of the first `<input>`
/// tag with `name="csrf"`, whatever the attribute order or quoting. HTML
/// character references in the value (`&amp;`, `&#43;`, ...) are decoded, so
/// the result can be posted back as is.
pub fn extract_csrf(html: &str) -> Option<String> {
    // ASCII lowercasing keeps byte offsets identical, so indices found in
    // `lower` are valid in `html`.
    let lower = html.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find("<input") {
        let start = from + found + "<input".len();
        // `<inputx` is some other tag.
        if !lower[start..].starts_with(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>') {
            from = start;
            continue;
        }
        let (attrs, end) = parse_attributes(&html[start..]);
        from = start + end;
        let attr = |name: &str| attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v);
        if attr("name").is_some_and(|n| n == "csrf") {
            return attr("value").map(|v| html_unescape(v));
        }
    }
    None
}

/// Parses attributes up to the closing `>` of a tag; returns lowercased names
/// with raw values, and the byte offset just past the tag.
fn parse_attributes(tag: &str) -> (Vec<(String, String)>, usize) {
    let bytes = tag.as_bytes();
    let mut attrs = Vec::new();
    let mut i = 0;
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        if i >= bytes.len() {
            return (attrs, i);
        }
        if bytes[i] == b'>' {
            return (attrs, i + 1);
        }
        let name_start = i;
        while i < bytes.len() && !matches!(bytes[i], b'=' | b'>' | b'/') && !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let name = tag[name_start..i].to_ascii_lowercase();
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < bytes.len() && bytes[i] == b'=' {
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < bytes.len() && (bytes[i] == b'"' || bytes[i] == b'\'') {
                let quote = bytes[i];
                let value_start = i + 1;
                i = value_start;
                while i < bytes.len() && bytes[i] != quote {
                    i += 1;
                }
                value = tag[value_start..i].to_owned();
                i = (i + 1).min(bytes.len());
            } else {
                let value_start = i;
                while i < bytes.len() && bytes[i] != b'>' && !bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                value = tag[value_start..i].to_owned();
            }
        }
        attrs.push((name, value));
    }
}

/// Decodes the HTML character references a template engine produces.
fn html_unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let decoded = rest.find(';').and_then(|semi| {
            let entity = &rest[1..semi];
            let ch = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => entity
                    .strip_prefix("#x")
                    .or_else(|| entity.strip_prefix("#X"))
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .or_else(|| entity.strip_prefix('#').and_then(|dec| dec.parse().ok()))
                    .and_then(char::from_u32),
            };
            ch.map(|c| (c, semi + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::net::TcpListener;
    use std::sync::mpsc;
    use std::thread;

    /// Serves one canned response per connection on 127.0.0.1 and reports
    /// each raw request it received.
    fn serve(responses: Vec<Vec<u8>>) -> (String, mpsc::Receiver<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            for response in responses {
                let (mut stream, _) = listener.accept().unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request = String::new();
                let mut content_length = 0;
                loop {
                    let mut line = String::new();
                    reader.read_line(&mut line).unwrap();
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        content_length = v.trim().parse().unwrap();
                    }
                    request.push_str(&line);
                    if line == "\r\n" {
                        break;
                    }
                }
                let mut body = vec![0; content_length];
                reader.read_exact(&mut body).unwrap();
                request.push_str(&String::from_utf8(body).unwrap());
                tx.send(request).unwrap();
                stream.write_all(&response).unwrap();
            }
        });
        (base, rx)
    }

    #[test]
    fn form_encoding_percent_encodes_utf8_and_uses_plus_for_spaces() {
        assert_eq!(
            form_urlencode(&[("name", "张三 李四"), ("a&b", "x=y+z/~")]),
            "name=%E5%BC%A0%E4%B8%89+%E6%9D%8E%E5%9B%9B&a%26b=x%3Dy%2Bz%2F%7E"
        );
        assert_eq!(form_urlencode(&[]), "");
    }

    #[test]
    fn csrf_token_is_found_whatever_the_attribute_order() {
        let page = r#"<form><input type="text" name="user">
            <INPUT value='a&amp;b&#43;c' type=hidden name="csrf" /></form>"#;
        assert_eq!(extract_csrf(page).as_deref(), Some("a&b+c"));
        let page = r#"<input name="csrf" value="tok123">"#;
        assert_eq!(extract_csrf(page).as_deref(), Some("tok123"));
        assert_eq!(extract_csrf(r#"<inputx name="csrf" value="no">"#), None);
        assert_eq!(extract_csrf("<p>没有表单</p>"), None);
    }

    #[test]
    fn chunked_bodies_are_reassembled_and_cookies_are_sent_back() {
        let first = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\
            Set-Cookie: session=abc123; Path=/; HttpOnly\r\n\
            Set-Cookie: flash=hi; Max-Age=60\r\n\r\n\
            6;ext=1\r\n你好\r\n3\r\n！\r\n0\r\n\r\n";
        let second = "HTTP/1.1 303 See Other\r\nLocation: /done\r\n\
            Set-Cookie: flash=; Max-Age=0\r\nContent-Length: 0\r\n\r\n";
        let third = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"ok\":true}";
        let (base, requests) = serve(vec![first.into(), second.into(), third.into()]);
        let client = Client::new(&base);

        let resp = client.get("/hello?x=1");
        assert_eq!(resp.status, 200);
        assert_eq!(resp.body, "你好！");
        let request = requests.recv().unwrap();
        assert!(request.starts_with("GET /hello?x=1 HTTP/1.1\r\n"), "{request}");
        assert!(request.contains("Connection: close\r\n"), "{request}");
        assert_eq!(client.cookie("session").as_deref(), Some("abc123"));

        let resp = client.post_form("/form", &[("名字", "张三")]);
        assert_eq!(resp.status, 303, "redirects are not followed");
        assert_eq!(resp.header("LOCATION"), Some("/done"));
        let request = requests.recv().unwrap();
        assert!(request.contains("Cookie: session=abc123; flash=hi\r\n"), "{request}");
        assert!(request.contains("Content-Type: application/x-www-form-urlencoded\r\n"));
        assert!(request.ends_with("\r\n\r\n%E5%90%8D%E5%AD%97=%E5%BC%A0%E4%B8%89"), "{request}");
        assert_eq!(client.cookie("flash"), None, "Max-Age=0 deletes the cookie");

        let resp = client.post_json(&format!("{base}/api"), &serde_json::json!({"名": "张三"}));
        assert_eq!(resp.json(), serde_json::json!({"ok": true}));
        let request = requests.recv().unwrap();
        assert!(request.starts_with("POST /api HTTP/1.1\r\n"), "{request}");
        assert!(request.contains("Cookie: session=abc123\r\n"), "{request}");
        assert!(request.ends_with(r#"{"名":"张三"}"#), "{request}");
    }
}
