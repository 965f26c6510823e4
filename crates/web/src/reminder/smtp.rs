//! A minimal SMTP client for an internal relay: plain TCP, EHLO (HELO if refused), MAIL FROM,
//! RCPT TO, DATA, QUIT. The subject is UTF-8 in RFC 2047 encoded words and the body base64, so no
//! 8BITMIME extension is needed; the Message-ID is derived from the reminder's key, so a message
//! sent again after an interrupted attempt can be recognised by the receiver as the same one.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use sha2::{Digest, Sha256};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::OwnedReadHalf;

/// One whole exchange may take this long.
const TIMEOUT: Duration = Duration::from_secs(10);

/// A relay and the sender address.
#[derive(Debug, Clone)]
pub struct Smtp {
    addr: String,
    from: String,
}

/// An address fit for an envelope and a header: no spaces, angle brackets or line breaks.
fn plain_address(a: &str) -> bool {
    a.contains('@') && !a.chars().any(|c| c.is_whitespace() || c.is_control() || "<>\"".contains(c))
}

/// A stable Message-ID for the reminder `key`, in the sender's domain.
pub fn message_id(key: &str, from: &str) -> String {
    let hash = hex::encode(Sha256::digest(key.as_bytes()));
    let domain = from.rsplit('@').next().unwrap_or("qiangji");
    format!("<{}.reminder@{domain}>", &hash[..32])
}

/// `text` as RFC 2047 encoded words of at most 75 characters, folded onto continuation lines;
/// words end on character boundaries, as the RFC requires.
fn encoded_words(text: &str) -> String {
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in text.chars() {
        if chunk.len() + c.len_utf8() > 45 {
            words.push(format!("=?UTF-8?B?{}?=", B64.encode(&chunk)));
            chunk.clear();
        }
        chunk.push(c);
    }
    words.push(format!("=?UTF-8?B?{}?=", B64.encode(&chunk)));
    words.join("\r\n ")
}

/// Reads one reply, multi-line or not, and returns its code and last line.
async fn reply(r: &mut BufReader<OwnedReadHalf>) -> Result<(u16, String), String> {
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).await.map_err(|e| format!("读取邮件服务器应答失败：{e}"))? == 0 {
            return Err("邮件服务器断开了连接".into());
        }
        let code =
            line.get(..3).and_then(|c| c.parse().ok()).ok_or_else(|| format!("邮件服务器应答无法识别：{line}"))?;
        if line.as_bytes().get(3) != Some(&b'-') {
            return Ok((code, line.trim_end().to_owned()));
        }
    }
}

impl Smtp {
    /// A relay at `addr` (HOST:PORT) sending as `from`.
    pub fn new(addr: &str, from: &str) -> Result<Smtp, String> {
        if !addr.rsplit_once(':').is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok()) {
            return Err(format!("--smtp 应为 主机:端口，收到的是 `{addr}`"));
        }
        if !plain_address(from) {
            return Err(format!("--smtp-from 应为一个邮箱地址，收到的是 `{from}`"));
        }
        Ok(Smtp { addr: addr.to_owned(), from: from.to_owned() })
    }

    /// Sends one message; `Err` says why not, for the outbox.
    pub async fn send(&self, to: &str, subject: &str, body: &str, key: &str) -> Result<(), String> {
        if !plain_address(to) {
            return Err(format!("邮箱地址无效：{to}"));
        }
        tokio::time::timeout(TIMEOUT, self.exchange(to, subject, body, key))
            .await
            .map_err(|_| format!("邮件服务器{}秒内未完成发送", TIMEOUT.as_secs()))?
    }

    async fn exchange(&self, to: &str, subject: &str, body: &str, key: &str) -> Result<(), String> {
        let stream =
            TcpStream::connect(&self.addr).await.map_err(|e| format!("无法连接邮件服务器 {}：{e}", self.addr))?;
        let (r, mut w) = stream.into_split();
        let mut r = BufReader::new(r);
        let mut step = async |command: &str, want: &[u16]| -> Result<(), String> {
            if !command.is_empty() {
                w.write_all(format!("{command}\r\n").as_bytes())
                    .await
                    .map_err(|e| format!("写入邮件服务器失败：{e}"))?;
            }
            match reply(&mut r).await? {
                (code, _) if want.contains(&code) => Ok(()),
                (_, line) => Err(format!("邮件服务器拒绝：{line}")),
            }
        };
        step("", &[220]).await?;
        if step("EHLO qiangji", &[250]).await.is_err() {
            step("HELO qiangji", &[250]).await?;
        }
        step(&format!("MAIL FROM:<{}>", self.from), &[250]).await?;
        step(&format!("RCPT TO:<{to}>"), &[250, 251]).await?;
        step("DATA", &[354]).await?;
        step(&format!("{}\r\n.", self.message(to, subject, body, key)), &[250]).await?;
        // The message is accepted; a failing QUIT changes nothing.
        let _ = step("QUIT", &[221]).await;
        Ok(())
    }

    fn message(&self, to: &str, subject: &str, body: &str, key: &str) -> String {
        let encoded = B64.encode(body.as_bytes());
        // Base64 has no '.', so no line needs dot-stuffing.
        let lines: Vec<&str> =
            encoded.as_bytes().chunks(76).map(|c| std::str::from_utf8(c).expect("base64 is ASCII")).collect();
        format!(
            "From: <{from}>\r\nTo: <{to}>\r\nSubject: {subject}\r\nDate: {date}\r\nMessage-ID: {id}\r\n\
             MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{body}",
            from = self.from,
            subject = encoded_words(subject),
            date = chrono::Utc::now().to_rfc2822(),
            id = message_id(key, &self.from),
            body = lines.join("\r\n"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_chinese_subject_becomes_short_encoded_words_that_decode_back() {
        let subject = "中共甲社区支部委员会：2026年3月支部委员会会议还剩3天截止";
        let words = encoded_words(subject);
        let mut back = Vec::new();
        for w in words.split("\r\n ") {
            assert!(w.len() <= 75, "{w}");
            let inner = w.strip_prefix("=?UTF-8?B?").and_then(|w| w.strip_suffix("?=")).unwrap();
            back.extend(B64.decode(inner).unwrap());
        }
        assert_eq!(String::from_utf8(back).unwrap(), subject);
    }

    #[test]
    fn the_message_id_depends_on_the_key_alone() {
        let a = message_id("orglife/4/committee_meeting/2026-03-01/3d", "qiangji@example.org");
        assert_eq!(a, message_id("orglife/4/committee_meeting/2026-03-01/3d", "qiangji@example.org"));
        assert_ne!(a, message_id("orglife/4/committee_meeting/2026-03-01/7d", "qiangji@example.org"));
        assert!(a.ends_with(".reminder@example.org>"));
    }

    #[test]
    fn addresses_that_could_break_the_envelope_are_refused() {
        assert!(Smtp::new("relay.local:25", "qiangji@example.org").is_ok());
        assert!(Smtp::new("relay.local", "qiangji@example.org").is_err());
        assert!(Smtp::new("relay.local:25", "a@b>\r\nRCPT TO:<x@y").is_err());
        assert!(!plain_address("x@y.org\r\nDATA"));
    }
}
