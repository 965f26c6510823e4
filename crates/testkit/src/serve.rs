//! Waiting for a `qiangji serve` process started by a test to listen.

use std::io::{BufRead, BufReader};
use std::process::Child;

/// The line `qiangji serve` prints once it listens; the address follows it.
const LISTENING: &str = "请在浏览器打开：";

/// Reads the server's stdout (piped) until it prints the address it listens on, and returns what
/// it printed up to then and that address (`http://127.0.0.1:PORT`). If the server exits first,
/// it is reaped and the test fails with everything it printed.
pub fn until_listening(child: &mut Child) -> (String, String) {
    let mut lines = BufReader::new(child.stdout.take().expect("stdout piped")).lines();
    let mut seen = String::new();
    while let Some(Ok(line)) = lines.next() {
        seen.push_str(&line);
        seen.push('\n');
        if let Some(a) = line.split(LISTENING).nth(1) {
            return (seen, a.trim().trim_end_matches('/').to_owned());
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server exited before it listened: {seen}");
}
