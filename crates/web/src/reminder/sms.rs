//! The SMS channel: an HTTP hook of the operator's SMS gateway, sent a minimal HTTP/1.1 POST of
//! JSON `{"phone", "text", "key"}` with an `Idempotency-Key` header (the reminder's key, by which
//! the gateway de-duplicates an attempt made again). Any 2xx answer means delivered. Plain
//! `http://` only: the hook is meant to sit on the internal network.

use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone)]
pub struct SmsHook {
    /// HOST:PORT to connect to.
    addr: String,
    /// The Host header.
    authority: String,
    path: String,
}

impl SmsHook {
    pub fn parse(url: &str) -> Result<SmsHook, String> {
        let rest =
            url.strip_prefix("http://").ok_or_else(|| format!("--sms-hook 仅支持 http:// 地址，收到的是 `{url}`"))?;
        let (authority, path) = rest.find('/').map_or((rest, "/"), |i| (&rest[..i], &rest[i..]));
        if authority.is_empty() || authority.contains(['@', ' ']) || path.chars().any(|c| c.is_whitespace()) {
            return Err(format!("--sms-hook 地址无效：`{url}`"));
        }
        let addr = if authority.rsplit_once(':').is_some_and(|(_, p)| p.parse::<u16>().is_ok()) {
            authority.to_owned()
        } else {
            format!("{authority}:80")
        };
        Ok(SmsHook { addr, authority: authority.to_owned(), path: path.to_owned() })
    }

    /// Posts one message; `Err` says why it was not accepted, for the outbox.
    pub async fn send(&self, phone: &str, text: &str, key: &str) -> Result<(), String> {
        tokio::time::timeout(TIMEOUT, self.post(phone, text, key))
            .await
            .map_err(|_| format!("短信网关{}秒内未应答", TIMEOUT.as_secs()))?
    }

    async fn post(&self, phone: &str, text: &str, key: &str) -> Result<(), String> {
        let body = serde_json::json!({ "phone": phone, "text": text, "key": key }).to_string();
        let request = format!(
            "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\n\
             Idempotency-Key: {key}\r\nConnection: close\r\n\r\n{body}",
            self.path,
            self.authority,
            body.len()
        );
        let mut stream =
            TcpStream::connect(&self.addr).await.map_err(|e| format!("无法连接短信网关 {}：{e}", self.addr))?;
        stream.write_all(request.as_bytes()).await.map_err(|e| format!("写入短信网关失败：{e}"))?;
        let mut status = String::new();
        BufReader::new(stream).read_line(&mut status).await.map_err(|e| format!("读取短信网关应答失败：{e}"))?;
        match status.split_whitespace().nth(1) {
            Some(code) if code.starts_with('2') && code.len() == 3 => Ok(()),
            _ => Err(format!("短信网关应答：{}", status.trim())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_http_hooks_are_accepted_and_the_port_defaults_to_80() {
        let h = SmsHook::parse("http://sms.internal/send?x=1").unwrap();
        assert_eq!(
            (h.addr.as_str(), h.authority.as_str(), h.path.as_str()),
            ("sms.internal:80", "sms.internal", "/send?x=1")
        );
        assert_eq!(SmsHook::parse("http://10.0.0.5:8081").unwrap().addr, "10.0.0.5:8081");
        assert!(SmsHook::parse("https://sms.example.com/").is_err());
        assert!(SmsHook::parse("http:///x").is_err());
    }
}
