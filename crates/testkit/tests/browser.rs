//! Drives headless Chromium against a tiny local HTTP server serving a
//! Chinese page.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::time::Duration;

use qiangji_testkit::webdriver::{self, Browser};

const PAGE: &str = r#"<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>强基测试</title></head>
<body>
  <h1>你好，世界</h1>
  <form onsubmit="return false">
    <label for="q">姓名</label>
    <input id="q" name="q" data-kind="姓名">
    <button id="go" type="button"
      onclick="document.getElementById('out').textContent = '你好，' + document.getElementById('q').value">提交</button>
  </form>
  <div id="out"></div>
</body>
</html>"#;

/// Serves `PAGE` at `/` (404 elsewhere) on a free port, forever, in a thread.
fn serve_page() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            // Skip the headers; the browser sends no body with GET.
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let (status, body) =
                if request_line.starts_with("GET / ") { ("200 OK", PAGE) } else { ("404 Not Found", "没有") };
            let response = format!(
                "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(response.as_bytes());
        }
    });
    base
}

#[test]
fn browser_types_chinese_text_clicks_and_reads_the_result() {
    if !webdriver::available() {
        if std::env::var("QIANGJI_SKIP_BROWSER").as_deref() == Ok("1") {
            eprintln!("skipping: no browser and QIANGJI_SKIP_BROWSER=1");
            return;
        }
        panic!(
            "chromedriver/chromium not installed (apt-get install chromium chromium-driver \
             fonts-noto-cjk); set QIANGJI_SKIP_BROWSER=1 to skip browser tests"
        );
    }
    let base = serve_page();
    let browser = Browser::start();
    browser.goto(&format!("{base}/"));
    assert_eq!(browser.title(), "强基测试");
    assert_eq!(browser.current_url(), format!("{base}/"));
    assert!(browser.page_source().contains("你好，世界"));

    let input = browser.find("#q");
    assert_eq!(input.attr("data-kind").as_deref(), Some("姓名"));
    assert_eq!(input.attr("placeholder"), None);
    input.send_keys("李四");
    input.clear();
    input.send_keys("张三");
    assert_eq!(input.value(), "张三");
    browser.find("#go").click();

    let text = browser.wait_for_text("#out", "张三", Duration::from_secs(5));
    assert_eq!(text, "你好，张三");
    assert_eq!(browser.find("#out").text(), "你好，张三");
    assert_eq!(browser.find_all("form > *").len(), 3);
    assert!(browser.find_all(".does-not-exist").is_empty());
    assert_eq!(
        browser.execute("return arguments[0] + document.getElementById('q').value;", &[serde_json::json!("名字：")]),
        serde_json::json!("名字：张三")
    );

    let shot = std::env::temp_dir().join(format!("qiangji-testkit-shot-{}.png", std::process::id()));
    let png = browser.screenshot_png(&shot);
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert_eq!(std::fs::read(&shot).unwrap(), png);
    std::fs::remove_file(&shot).unwrap();
}

#[test]
#[should_panic(expected = "no element matches CSS selector `#missing`")]
fn finding_a_missing_element_fails_with_a_clear_message() {
    if !webdriver::available() && std::env::var("QIANGJI_SKIP_BROWSER").as_deref() == Ok("1") {
        panic!("no element matches CSS selector `#missing` (browser skipped)");
    }
    let base = serve_page();
    let browser = Browser::start();
    browser.goto(&format!("{base}/"));
    browser.find("#missing");
}
