//! A minimal W3C WebDriver client driving headless Chromium through
//! Debian's `chromedriver`, for end-to-end tests of the web UI.
//!
//! Only the handful of commands the tests need are implemented, over the
//! crate's own HTTP client, so no WebDriver or async crates are required.
//! CI installs the browser with
//! `apt-get install chromium chromium-driver fonts-noto-cjk` (the CJK fonts
//! make screenshots of Chinese pages legible).
//!
//! Every [`Browser`] has its own chromedriver process, Chromium profile
//! directory and session. Dropping it ends the session and kills both
//! processes; a watchdog does the same if the test process dies first.
//!
//! ```no_run
//! use qiangji_testkit::webdriver::Browser;
//! use std::time::Duration;
//!
//! let browser = Browser::start();
//! browser.goto("http://127.0.0.1:8080/login");
//! browser.find("#user").send_keys("张三");
//! browser.find("button[type=submit]").click();
//! browser.wait_for_text("h1", "欢迎", Duration::from_secs(5));
//! ```

use std::ffi::OsStr;
use std::fmt;
use std::fs::{self, File};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::{http, util};

/// Where Debian's `chromium-driver` package installs chromedriver.
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Where Debian's `chromium` package installs the browser.
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// JSON key under which W3C WebDriver returns element references (the
/// "web element identifier" of the spec).
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
/// How long [`Browser::find`] keeps retrying while no element matches.
const IMPLICIT_WAIT: Duration = Duration::from_secs(5);
/// How long chromedriver may take to report itself ready.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(20);
/// Polling interval for all waits.
const POLL: Duration = Duration::from_millis(100);

/// Runs once the test process has died (see `util::spawn_watchdog`): `$2`
/// is chromedriver's pid, which is also the process group holding Chromium,
/// `$3` the temporary directory with the profile.
const WATCHDOG_CLEANUP: &str = r#"
kill -TERM -"$2" 2>/dev/null
sleep 2
kill -KILL -"$2" 2>/dev/null
rm -rf "$3"
"#;

/// Whether chromedriver and Chromium are installed where Debian puts them.
pub fn available() -> bool {
    Path::new(CHROMEDRIVER).is_file() && Path::new(CHROMIUM).is_file()
}

/// A headless Chromium session.
pub struct Browser {
    /// `127.0.0.1:<port>` of our chromedriver.
    authority: String,
    /// WebDriver session id; empty until the session exists.
    session: String,
    driver: Child,
    watchdog: util::Watchdog,
    /// Temporary directory with the Chromium profile and chromedriver log.
    dir: PathBuf,
}

/// An element on the current page of a [`Browser`].
pub struct Element<'a> {
    browser: &'a Browser,
    id: String,
}

/// A failed WebDriver command.
#[derive(Debug)]
struct WdError {
    /// The W3C error code, e.g. `no such element`.
    error: String,
    /// Human-readable description including the error JSON.
    detail: String,
}

impl fmt::Display for WdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.detail)
    }
}

impl Browser {
    /// Starts chromedriver on a free port and opens a headless Chromium
    /// session with a fresh profile.
    ///
    /// Panics if the browser is not installed (tests that may skip should
    /// check [`available`] first) or does not start.
    pub fn start() -> Browser {
        assert!(
            available(),
            "headless browser not installed: need {CHROMEDRIVER} and {CHROMIUM} \
             (`apt-get install chromium chromium-driver fonts-noto-cjk`)"
        );
        let dir = util::make_temp_dir("browser");
        let profile = dir.join("profile");
        fs::create_dir(&profile).unwrap_or_else(|e| panic!("cannot create {}: {e}", profile.display()));
        let log_path = dir.join("chromedriver.log");

        // The free port can be taken before chromedriver binds it; retry.
        let mut failures = Vec::new();
        for _ in 0..3 {
            let port = util::free_port();
            let log = File::create(&log_path).unwrap_or_else(|e| panic!("cannot create {}: {e}", log_path.display()));
            let log_err = log.try_clone().unwrap_or_else(|e| panic!("cannot duplicate log file handle: {e}"));
            let mut driver = Command::new(CHROMEDRIVER)
                .arg(format!("--port={port}"))
                .stdin(Stdio::null())
                .stdout(log)
                .stderr(log_err)
                // Its own process group, which Chromium inherits, so the
                // whole browser can be killed with one signal and a Ctrl-C
                // of the test run does not bypass our cleanup.
                .process_group(0)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot spawn {CHROMEDRIVER}: {e}"));
            let mut watchdog =
                util::spawn_watchdog(WATCHDOG_CLEANUP, &[OsStr::new(&driver.id().to_string()), dir.as_os_str()]);
            let authority = format!("127.0.0.1:{port}");
            match wait_until_ready(&mut driver, &authority) {
                Ok(()) => {
                    let mut browser = Browser { authority, session: String::new(), driver, watchdog, dir };
                    browser.create_session(&profile, &log_path);
                    return browser;
                }
                Err(e) => {
                    kill_process_group(&mut driver);
                    watchdog.stop();
                    let log = fs::read_to_string(&log_path).unwrap_or_default();
                    failures.push(format!("{e}; chromedriver log:\n{log}"));
                }
            }
        }
        util::remove_dir_eventually(&dir);
        panic!("could not start chromedriver:\n{}", failures.join("\n\n"));
    }

    fn create_session(&mut self, profile: &Path, log_path: &Path) {
        let capabilities = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "goog:chromeOptions": {
                        "binary": CHROMIUM,
                        "args": [
                            "--headless=new",
                            // Required as root (CI) and in containers.
                            "--no-sandbox",
                            "--disable-gpu",
                            // Docker's /dev/shm is tiny; Chromium crashes on it.
                            "--disable-dev-shm-usage",
                            "--disable-quic",
                            "--no-first-run",
                            // No update checks or sync traffic during tests.
                            "--disable-background-networking",
                            "--disable-component-update",
                            "--disable-sync",
                            "--window-size=1280,900",
                            format!("--user-data-dir={}", profile.display()),
                        ],
                        "prefs": {
                            "download.default_directory": self.dir.join("downloads").display().to_string(),
                            "download.prompt_for_download": false,
                        },
                    },
                },
            },
        });
        match self.raw("POST", "/session", Some(&capabilities)) {
            Ok(value) => {
                self.session = value
                    .get("sessionId")
                    .and_then(Value::as_str)
                    .unwrap_or_else(|| panic!("WebDriver new session: no sessionId in {value}"))
                    .to_owned();
            }
            Err(e) => {
                let log = fs::read_to_string(log_path).unwrap_or_default();
                // `self` is dropped while unwinding, which kills chromedriver.
                panic!("could not start a Chromium session: {e}\nchromedriver log:\n{log}");
            }
        }
    }

    /// Waits for a download to finish and returns its path (the folder holds nothing else).
    pub fn downloaded(&self, timeout: Duration) -> std::path::PathBuf {
        let dir = self.dir.join("downloads");
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let done: Vec<_> =
                fs::read_dir(&dir).map(|r| r.filter_map(Result::ok).map(|e| e.path()).collect()).unwrap_or_default();
            let finished = done.iter().find(|p| p.extension().is_some_and(|e| e != "crdownload" && e != "tmp"));
            if let Some(p) = finished.filter(|_| !done.iter().any(|p| p.extension().is_some_and(|e| e == "crdownload")))
            {
                return p.clone();
            }
            assert!(std::time::Instant::now() < deadline, "no download finished in {}", dir.display());
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Navigates to `url` and waits for the page load to finish.
    pub fn goto(&self, url: &str) {
        self.call("POST", "/url", Some(&json!({ "url": url })));
    }

    /// Resizes the window (e.g. to a phone's 390 px width) keeping its height.
    pub fn set_window_size(&self, width: u32, height: u32) {
        self.call("POST", "/window/rect", Some(&json!({ "width": width, "height": height })));
    }

    /// The URL of the current page.
    pub fn current_url(&self) -> String {
        string(self.call("GET", "/url", None))
    }

    /// The title of the current page.
    pub fn title(&self) -> String {
        string(self.call("GET", "/title", None))
    }

    /// The first element matching the CSS selector `css`, retrying for up to
    /// 5 s while none matches (pages may still be rendering). Panics if
    /// nothing matches by then.
    pub fn find(&self, css: &str) -> Element<'_> {
        let deadline = Instant::now() + IMPLICIT_WAIT;
        loop {
            match self.cmd("POST", "/element", Some(&locator(css))) {
                Ok(value) => return self.element(&value),
                Err(e) if e.error == "no such element" && Instant::now() < deadline => sleep(POLL),
                Err(e) => panic!(
                    "no element matches CSS selector `{css}` on {} (waited {IMPLICIT_WAIT:?}): {e}",
                    self.url_for_message()
                ),
            }
        }
    }

    /// All elements matching `css` right now (no waiting; may be empty).
    pub fn find_all(&self, css: &str) -> Vec<Element<'_>> {
        let found = self.call("POST", "/elements", Some(&locator(css)));
        found
            .as_array()
            .unwrap_or_else(|| panic!("WebDriver find elements: expected an array, got {found}"))
            .iter()
            .map(|value| self.element(value))
            .collect()
    }

    /// The current DOM serialized as HTML.
    pub fn page_source(&self) -> String {
        string(self.call("GET", "/source", None))
    }

    /// Saves a PNG screenshot of the viewport to `path` (creating parent
    /// directories) and returns its bytes.
    pub fn screenshot_png(&self, path: impl AsRef<Path>) -> Vec<u8> {
        let path = path.as_ref();
        let encoded = string(self.call("GET", "/screenshot", None));
        let png = decode_base64(&encoded).unwrap_or_else(|e| panic!("WebDriver screenshot is not valid base64: {e}"));
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent).unwrap_or_else(|e| panic!("cannot create {}: {e}", parent.display()));
        }
        fs::write(path, &png).unwrap_or_else(|e| panic!("cannot write screenshot {}: {e}", path.display()));
        png
    }

    /// Prints the page to PDF on A4 (W3C WebDriver "Print Page", the browser's own print
    /// layout with the page's print CSS), saves it to `path` and returns its bytes.
    pub fn print_pdf(&self, path: impl AsRef<Path>) -> Vec<u8> {
        let path = path.as_ref();
        let a4 = serde_json::json!({ "page": { "width": 21.0, "height": 29.7 }, "background": true });
        let encoded = string(self.call("POST", "/print", Some(&a4)));
        let pdf = decode_base64(&encoded).unwrap_or_else(|e| panic!("WebDriver print is not valid base64: {e}"));
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent).unwrap_or_else(|e| panic!("cannot create {}: {e}", parent.display()));
        }
        fs::write(path, &pdf).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        pdf
    }

    /// Waits until some element matching `css` has a text containing
    /// `needle` and returns that text. Panics after `timeout` with the texts
    /// seen last.
    pub fn wait_for_text(&self, css: &str, needle: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            // Errors (e.g. elements replaced while we read them) are part of
            // waiting for a changing page, so they only cause another round.
            let mut seen = Vec::new();
            if let Ok(found) = self.cmd("POST", "/elements", Some(&locator(css))) {
                for value in found.as_array().into_iter().flatten() {
                    let Some(id) = value.get(ELEMENT_KEY).and_then(Value::as_str) else {
                        continue;
                    };
                    if let Ok(text) = self.cmd("GET", &format!("/element/{id}/text"), None) {
                        let text = text.as_str().unwrap_or_default().to_owned();
                        if text.contains(needle) {
                            return text;
                        }
                        seen.push(text);
                    }
                }
            }
            if Instant::now() >= deadline {
                panic!(
                    "timed out after {timeout:?} waiting for `{css}` to contain {needle:?} on {}; \
                     texts of matching elements: {seen:?}",
                    self.url_for_message()
                );
            }
            sleep(POLL);
        }
    }

    /// Runs `script` as the body of a synchronous JavaScript function with
    /// `arguments` = `args` and returns its result.
    pub fn execute(&self, script: &str, args: &[Value]) -> Value {
        self.call("POST", "/execute/sync", Some(&json!({ "script": script, "args": args })))
    }

    fn element(&self, value: &Value) -> Element<'_> {
        let id = value
            .get(ELEMENT_KEY)
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("WebDriver returned no element reference: {value}"));
        Element { browser: self, id: id.to_owned() }
    }

    /// For panic messages: the current URL, or why it is unknown.
    fn url_for_message(&self) -> String {
        match self.cmd("GET", "/url", None) {
            Ok(url) => url.as_str().unwrap_or_default().to_owned(),
            Err(e) => format!("<unknown page: {e}>"),
        }
    }

    /// A session command that must succeed.
    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        self.cmd(method, path, body).unwrap_or_else(|e| panic!("WebDriver command failed: {e}"))
    }

    /// A command relative to `/session/<id>`.
    fn cmd(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, WdError> {
        self.raw(method, &format!("/session/{}{path}", self.session), body)
    }

    /// Sends one WebDriver request and unwraps the `value` of the reply.
    fn raw(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, WdError> {
        let (headers, bytes) = match body {
            Some(body) => (
                vec![("Content-Type".to_owned(), "application/json; charset=utf-8".to_owned())],
                body.to_string().into_bytes(),
            ),
            None => (Vec::new(), Vec::new()),
        };
        let response = http::send(&self.authority, method, path, &headers, &bytes)
            .map_err(|e| WdError { error: "transport error".to_owned(), detail: format!("{method} {path}: {e}") })?;
        let reply: Value = serde_json::from_str(&response.body).map_err(|_| WdError {
            error: "invalid response".to_owned(),
            detail: format!("{method} {path}: HTTP {}: {}", response.status, response.body),
        })?;
        let mut value = reply.get("value").cloned().unwrap_or(Value::Null);
        // W3C WebDriver reports every error with a 4xx/5xx status; the body
        // is {"value": {"error", "message", "stacktrace"}}.
        if response.status >= 400 {
            let error = value.get("error").and_then(Value::as_str).unwrap_or("unknown error").to_owned();
            // The stack trace is a long list of chromedriver addresses that
            // only buries the message.
            if let Some(object) = value.as_object_mut() {
                object.remove("stacktrace");
            }
            return Err(WdError { error, detail: format!("{method} {path}: HTTP {}: {value}", response.status) });
        }
        Ok(value)
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Ending the session makes chromedriver close Chromium cleanly; the
        // group kill below catches whatever is left. Errors are ignored:
        // this may run while unwinding from a failed test.
        if !self.session.is_empty() {
            let _ = self.cmd("DELETE", "", None);
        }
        kill_process_group(&mut self.driver);
        self.watchdog.stop();
        util::remove_dir_eventually(&self.dir);
    }
}

impl Element<'_> {
    /// Clicks the element (scrolling it into view first).
    pub fn click(&self) {
        self.call("POST", "/click", Some(&json!({})));
    }

    /// Types `text` into the element (Unicode text such as 张三 works).
    pub fn send_keys(&self, text: &str) {
        self.call("POST", "/value", Some(&json!({ "text": text })));
    }

    /// Clears an input or textarea.
    pub fn clear(&self) {
        self.call("POST", "/clear", Some(&json!({})));
    }

    /// The rendered (visible) text of the element.
    pub fn text(&self) -> String {
        string(self.call("GET", "/text", None))
    }

    /// The attribute `name`, or `None` if the element does not have it.
    pub fn attr(&self, name: &str) -> Option<String> {
        match self.call("GET", &format!("/attribute/{name}"), None) {
            Value::Null => None,
            Value::String(s) => Some(s),
            other => Some(other.to_string()),
        }
    }

    /// The current `value` property (what the user typed into an input).
    pub fn value(&self) -> String {
        match self.call("GET", "/property/value", None) {
            Value::Null => String::new(),
            Value::String(s) => s,
            other => other.to_string(),
        }
    }

    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        self.browser.call(method, &format!("/element/{}{path}", self.id), body)
    }
}

/// Polls chromedriver's `/status` until it reports `ready`.
fn wait_until_ready(driver: &mut Child, authority: &str) -> Result<(), String> {
    let deadline = Instant::now() + STARTUP_TIMEOUT;
    loop {
        if let Ok(Some(status)) = driver.try_wait() {
            return Err(format!("chromedriver exited with {status}"));
        }
        if let Ok(response) = http::send(authority, "GET", "/status", &[], b"") {
            let ready = serde_json::from_str::<Value>(&response.body)
                .ok()
                .and_then(|v| v.pointer("/value/ready").and_then(Value::as_bool));
            if ready == Some(true) {
                return Ok(());
            }
        }
        if Instant::now() >= deadline {
            return Err(format!("chromedriver was not ready within {STARTUP_TIMEOUT:?}"));
        }
        sleep(POLL);
    }
}

/// Terminates chromedriver and every Chromium process in its group, then
/// reaps chromedriver.
fn kill_process_group(driver: &mut Child) {
    // `driver` has not been reaped yet, so its pid (= the group id) cannot
    // have been reused by an unrelated process.
    let _ =
        Command::new("sh").args(["-c", "kill -TERM -\"$1\" 2>/dev/null", "sh"]).arg(driver.id().to_string()).status();
    let _ = driver.kill();
    let _ = driver.wait();
}

fn locator(css: &str) -> Value {
    json!({ "using": "css selector", "value": css })
}

/// A JSON string result as a `String`; panics on anything else.
fn string(value: Value) -> String {
    match value {
        Value::String(s) => s,
        other => panic!("WebDriver returned {other} where a string was expected"),
    }
}

/// Decodes standard (or URL-safe) base64, ignoring whitespace and stopping
/// at padding. Written by hand to keep the crate's dependencies minimal.
fn decode_base64(input: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(input.len() / 4 * 3);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for (i, c) in input.bytes().enumerate() {
        let sextet = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            b' ' | b'\t' | b'\r' | b'\n' => continue,
            _ => return Err(format!("invalid byte {c:#04x} at offset {i}")),
        };
        acc = (acc << 6) | u32::from(sextet);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_decoding_matches_known_vectors() {
        assert_eq!(decode_base64("").unwrap(), b"");
        assert_eq!(decode_base64("TQ==").unwrap(), b"M");
        assert_eq!(decode_base64("TWE=").unwrap(), b"Ma");
        assert_eq!(decode_base64("TWFu").unwrap(), b"Man");
        assert_eq!(decode_base64("iVBORw0K\nGgo=").unwrap(), b"\x89PNG\r\n\x1a\n");
        assert_eq!(decode_base64("5byg5LiJ").unwrap(), "张三".as_bytes(), "multi-byte UTF-8 survives");
        assert_eq!(decode_base64("-_8=").unwrap(), decode_base64("+/8=").unwrap());
        assert!(decode_base64("ab$c").is_err());
    }
}
