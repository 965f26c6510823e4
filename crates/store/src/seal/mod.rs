//! Personal numbers encrypted at rest: identity numbers, phone numbers and second-factor secrets.
//!
//! A value is stored as `a1$<base64(nonce ‖ ciphertext ‖ tag)>` (AES-256-GCM) or `s1$…` (SM4-GCM,
//! the national suite), with the field's name as associated data so a sealed phone number cannot be
//! passed off as an identity number. Lookups and the one-person-one-record rule go through a keyed
//! blind index (HMAC-SHA-256, or HMAC-SM3 with the national suite) kept beside the value: equal
//! numbers give equal indexes, and the index says nothing without the key.
//!
//! Every key comes from one 32-byte data key held outside the database (a file; see
//! [`DataKey`]). The database remembers the key's fingerprint and suite, so opening it with
//! another key is refused instead of writing rows nobody can read back.

mod adopt;
mod reseal;
mod rotate;

pub(crate) use adopt::adopt;
pub use rotate::Resealed;

use crate::error::StoreError;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, AesGcm};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use hmac::{Hmac, Mac};
use rand::RngCore;
use std::path::{Path, PathBuf};

type Sm4Gcm = AesGcm<sm4::Sm4, aes_gcm::aead::consts::U12>;

const NONCE: usize = 12;

/// The algorithms new values are sealed and indexed with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Suite {
    /// AES-256-GCM and HMAC-SHA-256.
    Standard,
    /// SM4-GCM and HMAC-SM3 (GB/T 32907, GB/T 32905), for deployments under the commercial-cryptography rules.
    National,
}

impl Suite {
    pub fn code(self) -> &'static str {
        match self {
            Suite::Standard => "standard",
            Suite::National => "national",
        }
    }

    pub fn parse(s: &str) -> Result<Suite, StoreError> {
        match s.trim() {
            "standard" | "aes" => Ok(Suite::Standard),
            "national" | "sm" | "sm4" => Ok(Suite::National),
            other => Err(StoreError::Other(format!("未知的密码算法套件“{other}”（可选 standard 或 national）"))),
        }
    }
}

/// What a sealed value is: its name is bound into the ciphertext and the index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    IdNumber,
    Phone,
    TotpSecret,
}

impl Field {
    fn label(self) -> &'static [u8] {
        match self {
            Field::IdNumber => b"id_number",
            Field::Phone => b"phone",
            Field::TotpSecret => b"totp_secret",
        }
    }
}

/// Where the data key comes from.
#[derive(Clone, Debug)]
pub enum DataKey {
    /// A key file, created (mode 0600, with `suite`) when it does not exist and the database has no key yet.
    File { path: PathBuf, suite: Suite },
    /// A random key that lives as long as the process: in-memory databases only.
    Ephemeral,
}

/// The environment variable naming the data key file.
pub const DATA_KEY_ENV: &str = "QIANGJI_DATA_KEY";
/// The environment variable choosing the suite of a new key (`standard` or `national`).
pub const SUITE_ENV: &str = "QIANGJI_CRYPTO_SUITE";

impl DataKey {
    /// The key file at `path`, made with the standard suite when it does not exist.
    pub fn file(path: impl Into<PathBuf>) -> DataKey {
        DataKey::File { path: path.into(), suite: Suite::Standard }
    }

    /// The key for `url` when none is given: `QIANGJI_DATA_KEY`, else the file beside an SQLite
    /// database (`qiangji.db` → `qiangji.db.data-key`), else a process-long key for an in-memory one.
    /// A PostgreSQL server has no place beside it that is ours, so it needs `QIANGJI_DATA_KEY`.
    pub fn for_url(url: &str) -> Result<DataKey, StoreError> {
        let suite = match std::env::var(SUITE_ENV) {
            Ok(s) if !s.trim().is_empty() => Suite::parse(&s)?,
            _ => Suite::Standard,
        };
        if let Some(path) = std::env::var_os(DATA_KEY_ENV).filter(|p| !p.is_empty()) {
            return Ok(DataKey::File { path: path.into(), suite });
        }
        match sqlite_file(url) {
            Some(None) => Ok(DataKey::Ephemeral),
            Some(Some(file)) => {
                let mut path = file.into_os_string();
                path.push(".data-key");
                Ok(DataKey::File { path: path.into(), suite })
            }
            None => Err(StoreError::Other(format!(
                "PostgreSQL 数据库需要数据密钥文件：请用环境变量 {DATA_KEY_ENV} 指定（不存在时会新建）"
            ))),
        }
    }
}

/// `Some(Some(path))` for an SQLite file, `Some(None)` for an in-memory SQLite database, `None` otherwise.
fn sqlite_file(url: &str) -> Option<Option<PathBuf>> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" || url.contains("mode=memory") {
        return Some(None);
    }
    Some(Some(PathBuf::from(path)))
}

/// The two ciphers one data key gives, whatever the suite.
struct Ciphers {
    aes: Aes256Gcm,
    sm4: Sm4Gcm,
}

impl Ciphers {
    fn new(master: &[u8; 32]) -> Ciphers {
        // Both exist whatever the suite, so values sealed before a change of suite still open.
        let aes_key = hmac_sha256(master, &[b"qiangji/seal/aes-256-gcm"]);
        let sm4_key = hmac_sm3(master, &[b"qiangji/seal/sm4-gcm"]);
        Ciphers {
            aes: Aes256Gcm::new_from_slice(&aes_key).expect("32-byte key"),
            sm4: Sm4Gcm::new_from_slice(&sm4_key[..16]).expect("16-byte key"),
        }
    }

    fn open(&self, tag: &str, nonce: &[u8; NONCE], payload: Payload<'_, '_>) -> Option<Vec<u8>> {
        match tag {
            "a1" => self.aes.decrypt(nonce.into(), payload).ok(),
            "s1" => self.sm4.decrypt(nonce.into(), payload).ok(),
            _ => None,
        }
    }
}

/// The keys derived from the data key a database is sealed with, and the ciphers of the keys it
/// replaced: ledger entries are never rewritten, so what they sealed opens with those for good.
pub struct Keyring {
    suite: Suite,
    ciphers: Ciphers,
    older: Vec<Ciphers>,
    index: [u8; 32],
    fingerprint: String,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring")
            .field("suite", &self.suite)
            .field("fingerprint", &self.fingerprint)
            .field("older", &self.older.len())
            .finish()
    }
}

fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = <Hmac<sha2_hmac::Sha256> as hmac::KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
    parts.iter().for_each(|p| mac.update(p));
    mac.finalize().into_bytes().into()
}

fn hmac_sm3(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = <Hmac<sm3::Sm3> as hmac::KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
    parts.iter().for_each(|p| mac.update(p));
    mac.finalize().into_bytes().into()
}

impl Keyring {
    /// Derives the sealing and index keys from `master`; new values use `suite`.
    pub fn new(suite: Suite, master: &[u8; 32]) -> Keyring {
        let mac = |parts: &[&[u8]]| match suite {
            Suite::Standard => hmac_sha256(master, parts),
            Suite::National => hmac_sm3(master, parts),
        };
        Keyring {
            suite,
            ciphers: Ciphers::new(master),
            older: Vec::new(),
            index: mac(&[b"qiangji/index"]),
            fingerprint: hex::encode(&mac(&[b"qiangji/fingerprint"])[..16]),
        }
    }

    /// The same keyring, also opening what `masters` sealed.
    fn opening(mut self, masters: &[[u8; 32]]) -> Keyring {
        self.older.extend(masters.iter().map(Ciphers::new));
        self
    }

    pub fn suite(&self) -> Suite {
        self.suite
    }

    /// Identifies the key without revealing it (recorded in the database).
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The stored form of `plain`; an empty value stays empty (nothing to hide, and "none" stays visible).
    pub fn seal(&self, field: Field, plain: &str) -> String {
        if plain.is_empty() {
            return String::new();
        }
        let mut nonce = [0u8; NONCE];
        rand::rng().fill_bytes(&mut nonce);
        let payload = Payload { msg: plain.as_bytes(), aad: field.label() };
        let (tag, sealed) = match self.suite {
            Suite::Standard => ("a1", self.ciphers.aes.encrypt((&nonce).into(), payload)),
            Suite::National => ("s1", self.ciphers.sm4.encrypt((&nonce).into(), payload)),
        };
        let sealed = sealed.expect("encryption of a short value cannot fail");
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        format!("{tag}${}", B64.encode(bytes))
    }

    /// The plain value of a stored one. Fails when the value was altered or sealed under another key.
    pub fn open(&self, field: Field, stored: &str) -> Result<String, StoreError> {
        if stored.is_empty() {
            return Ok(String::new());
        }
        let unreadable = || {
            StoreError::Other(
                "个人信息无法解密：数据被改动，或数据密钥不是加密时所用的密钥（轮换数据密钥后须重启服务）".into(),
            )
        };
        let (tag, body) = stored.split_once('$').ok_or_else(unreadable)?;
        let bytes = B64.decode(body).map_err(|_| unreadable())?;
        if bytes.len() < NONCE {
            return Err(unreadable());
        }
        let (nonce, sealed) = bytes.split_at(NONCE);
        let nonce: &[u8; NONCE] = nonce.try_into().expect("split at NONCE");
        let payload = || Payload { msg: sealed, aad: field.label() };
        let plain = std::iter::once(&self.ciphers)
            .chain(&self.older)
            .find_map(|c| c.open(tag, nonce, payload()))
            .ok_or_else(unreadable)?;
        String::from_utf8(plain).map_err(|_| unreadable())
    }

    /// The blind index of a plain value: deterministic, keyed, 128 bits in hex.
    pub fn index(&self, field: Field, plain: &str) -> String {
        let mac = match self.suite {
            Suite::Standard => hmac_sha256(&self.index, &[field.label(), b"\0", plain.as_bytes()]),
            Suite::National => hmac_sm3(&self.index, &[field.label(), b"\0", plain.as_bytes()]),
        };
        hex::encode(&mac[..16])
    }
}

impl Keyring {
    /// A ledger payload (or a kept before-image) with its personal numbers sealed, wherever they sit:
    /// at the top, under `fields`, or as a `changes` pair.
    pub(crate) fn seal_payload(&self, v: &mut serde_json::Value) {
        walk(v, &mut |field, s| if is_sealed(s) { s.to_owned() } else { self.seal(field, s) });
    }

    /// A stored payload with its sealed personal numbers sealed again under this keyring's key
    /// (rotation); values in the clear or masked stay as they are.
    pub(crate) fn reseal_payload(&self, v: &mut serde_json::Value) {
        walk(v, &mut |field, s| match self.open(field, s) {
            Ok(plain) if is_sealed(s) => self.seal(field, &plain),
            _ => s.to_owned(),
        });
    }

    /// A stored payload with its personal numbers in the clear, for the store's own use (restoring a
    /// before-image). Values that do not open are left as they are, and then fail validation.
    pub(crate) fn open_payload(&self, v: &mut serde_json::Value) {
        walk(v, &mut |field, s| self.open(field, s).unwrap_or_else(|_| s.to_owned()));
    }

    /// A stored payload as people may see it: personal numbers opened and masked — including those an
    /// older version wrote in the clear.
    pub fn mask_payload(&self, v: &mut serde_json::Value) {
        walk(v, &mut |field, s| {
            if s.contains('*') {
                return s.to_owned(); // masked when written
            }
            let plain = if is_sealed(s) { self.open(field, s).unwrap_or_default() } else { s.to_owned() };
            match field {
                Field::IdNumber => qiangji_domain::id_number::IdNumber::parse(&plain)
                    .map(|i| i.masked())
                    .unwrap_or_else(|_| qiangji_domain::mask::mask_phone(&plain)),
                _ => qiangji_domain::mask::mask_phone(&plain),
            }
        });
    }

    /// A payload string (as the ledger stores it) masked for display; not JSON stays as it is.
    pub fn mask_payload_text(&self, text: &str) -> String {
        match serde_json::from_str::<serde_json::Value>(text) {
            Ok(mut v) if text.contains("id_number") || text.contains("phone") => {
                self.mask_payload(&mut v);
                v.to_string()
            }
            _ => text.to_owned(),
        }
    }
}

/// Applies `f` to every string under a key naming a personal number.
fn walk(v: &mut serde_json::Value, f: &mut dyn FnMut(Field, &str) -> String) {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            for (k, x) in map.iter_mut() {
                let field = match k.as_str() {
                    "id_number" => Some(Field::IdNumber),
                    "phone" => Some(Field::Phone),
                    _ => None,
                };
                match (field, x) {
                    (Some(field), Value::String(s)) => *s = f(field, s),
                    (Some(field), Value::Array(pair)) => {
                        for y in pair.iter_mut() {
                            if let Value::String(s) = y {
                                *s = f(field, s);
                            }
                        }
                    }
                    (_, x) => walk(x, f),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|x| walk(x, f)),
        _ => {}
    }
}

/// Whether a stored value is sealed (as opposed to plain text written before encryption existed).
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with("a1$") || stored.starts_with("s1$")
}

/// A data key file: the key values are sealed with now, and the keys it replaced (`retired`),
/// kept to open what they sealed.
pub struct KeyFile {
    suite: Suite,
    key: [u8; 32],
    retired: Vec<[u8; 32]>,
}

impl KeyFile {
    /// Reads the key file of `key`, or writes a new one when there is none and `create` allows it.
    pub fn load(key: &DataKey, create: bool) -> Result<KeyFile, StoreError> {
        match key {
            DataKey::Ephemeral => Ok(KeyFile::generate(Suite::Standard, Vec::new())),
            DataKey::File { path, suite } => match std::fs::read_to_string(path) {
                Ok(text) => KeyFile::parse(path, &text),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
                    let file = KeyFile::generate(*suite, Vec::new());
                    file.write(path, false)?;
                    Ok(file)
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(StoreError::Other(format!(
                    "数据库中的个人信息已加密，但找不到数据密钥文件 {}：请用 {DATA_KEY_ENV} 指定原来的密钥文件",
                    path.display()
                ))),
                Err(e) => Err(StoreError::Other(format!("读取数据密钥文件 {} 失败：{e}", path.display()))),
            },
        }
    }

    fn generate(suite: Suite, retired: Vec<[u8; 32]>) -> KeyFile {
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        KeyFile { suite, key, retired }
    }

    /// The keyring of the current key, opening what the retired keys sealed too.
    pub fn current(&self) -> Keyring {
        Keyring::new(self.suite, &self.key).opening(&self.retired)
    }

    /// The suite of the current key.
    pub fn suite(&self) -> Suite {
        self.suite
    }

    /// The keyring of the key whose fingerprint under `suite` is `fingerprint`, opening what all
    /// the others sealed too, and whether it is the current key; `None` when the file lacks it.
    pub fn matching(&self, fingerprint: &str, suite: Suite) -> Option<(Keyring, bool)> {
        let all = self.keys();
        let i = all.iter().position(|master| Keyring::new(suite, master).fingerprint == fingerprint)?;
        let others: Vec<[u8; 32]> = all.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, m)| *m).collect();
        Some((Keyring::new(suite, &all[i]).opening(&others), i == 0))
    }

    /// Every key of the file, the current one first.
    fn keys(&self) -> Vec<[u8; 32]> {
        std::iter::once(self.key).chain(self.retired.iter().copied()).collect()
    }

    /// Replaces the key file at `path` with one holding a new current key under `suite` and this
    /// file's keys as retired. The new file is written beside and renamed into place, so a crash
    /// leaves the old file or the whole new one — never a database sealed under a key not on disk.
    pub fn rotate(&self, path: &Path, suite: Suite) -> Result<KeyFile, StoreError> {
        let next = KeyFile::generate(suite, self.keys());
        next.write(path, true)?;
        Ok(next)
    }

    fn parse(path: &Path, text: &str) -> Result<KeyFile, StoreError> {
        let bad = |why: &str| StoreError::Other(format!("数据密钥文件 {} 格式不对：{why}", path.display()));
        let hex32 = |name: &str, v: &str| -> Result<[u8; 32], StoreError> {
            let bytes = hex::decode(v).map_err(|_| bad(&format!("{name} 应为 64 位十六进制")))?;
            <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| bad(&format!("{name} 应为 32 字节")))
        };
        let (mut suite, mut key, mut retired) = (None, None, Vec::new());
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            match line.split_once('=').map(|(k, v)| (k.trim(), v.trim())) {
                Some(("suite", v)) => suite = Some(Suite::parse(v)?),
                Some(("key", v)) if key.is_none() => key = Some(hex32("key", v)?),
                Some(("key", _)) => return Err(bad("只能有一行 key（以前的密钥写作 retired）")),
                Some(("retired", v)) => retired.push(hex32("retired", v)?),
                _ => return Err(bad(&format!("无法识别的行“{line}”"))),
            }
        }
        let key = key.ok_or_else(|| bad("缺少 key"))?;
        Ok(KeyFile { suite: suite.unwrap_or(Suite::Standard), key, retired })
    }

    /// Writes the file (mode 0600): a new one only where there is none, or in place of the old one.
    fn write(&self, path: &Path, replace: bool) -> Result<(), StoreError> {
        use std::io::Write as _;
        use std::os::unix::fs::OpenOptionsExt as _;
        let mut text = format!(
            "# 强基数据密钥：个人信息（身份证号、电话、动态口令密钥）的加密密钥。\n\
             # 与数据库分开保管、分开备份；丢失后加密的信息无法恢复。\n\
             suite = {}\nkey = {}\n",
            self.suite.code(),
            hex::encode(self.key)
        );
        if !self.retired.is_empty() {
            text.push_str("# 轮换前的密钥，只用于打开以前加密的信息（台账中的历史记录）。不要删除。\n");
            for k in &self.retired {
                text.push_str(&format!("retired = {}\n", hex::encode(k)));
            }
        }
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
        let write = |target: &Path| -> std::io::Result<()> {
            if let Some(dir) = dir {
                std::fs::create_dir_all(dir)?;
            }
            let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(target)?;
            f.write_all(text.as_bytes())?;
            f.sync_all()
        };
        let written = if replace {
            let mut tmp = path.as_os_str().to_owned();
            tmp.push(".new");
            let tmp = PathBuf::from(tmp);
            // A file left by an interrupted rotation goes first: made anew, it is surely private.
            match std::fs::remove_file(&tmp) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => write(&tmp),
            }
            .and_then(|()| std::fs::rename(&tmp, path))
            .and_then(|()| match dir {
                // The rename itself must reach the disk before the database is resealed.
                Some(dir) => std::fs::File::open(dir)?.sync_all(),
                None => std::fs::File::open(".")?.sync_all(),
            })
        } else {
            write(path)
        };
        written.map_err(|e| StoreError::Other(format!("写数据密钥文件 {} 失败：{e}", path.display())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(suite: Suite) -> Keyring {
        Keyring::new(suite, &[7; 32])
    }

    #[test]
    fn sealed_values_open_with_the_same_key_only_and_never_repeat() {
        for suite in [Suite::Standard, Suite::National] {
            let k = ring(suite);
            let a = k.seal(Field::IdNumber, "330203199003041117");
            let b = k.seal(Field::IdNumber, "330203199003041117");
            assert_ne!(a, b, "a fresh nonce each time");
            assert!(is_sealed(&a) && !a.contains("330203"));
            assert_eq!(k.open(Field::IdNumber, &a).unwrap(), "330203199003041117");
            assert!(k.open(Field::Phone, &a).is_err(), "bound to its field");
            assert!(Keyring::new(suite, &[8; 32]).open(Field::IdNumber, &a).is_err(), "another key");
            let mut flipped = a.clone().into_bytes();
            let last = flipped.len() - 2;
            flipped[last] = if flipped[last] == b'A' { b'B' } else { b'A' };
            assert!(k.open(Field::IdNumber, &String::from_utf8(flipped).unwrap()).is_err(), "altered");
            assert_eq!(k.seal(Field::Phone, ""), "");
        }
        assert!(ring(Suite::Standard).seal(Field::Phone, "1").starts_with("a1$"));
        assert!(ring(Suite::National).seal(Field::Phone, "1").starts_with("s1$"));
    }

    #[test]
    fn a_value_sealed_under_one_suite_opens_after_a_change_of_suite() {
        let sm = ring(Suite::National).seal(Field::Phone, "13800138000");
        assert_eq!(ring(Suite::Standard).open(Field::Phone, &sm).unwrap(), "13800138000");
    }

    #[test]
    fn the_index_is_keyed_deterministic_and_per_field_and_suite() {
        let k = ring(Suite::Standard);
        assert_eq!(k.index(Field::IdNumber, "x"), k.index(Field::IdNumber, "x"));
        assert_ne!(k.index(Field::IdNumber, "x"), k.index(Field::Phone, "x"));
        assert_ne!(k.index(Field::IdNumber, "x"), Keyring::new(Suite::Standard, &[8; 32]).index(Field::IdNumber, "x"));
        assert_ne!(k.index(Field::IdNumber, "x"), ring(Suite::National).index(Field::IdNumber, "x"));
        assert_eq!(k.index(Field::IdNumber, "x").len(), 32);
    }

    #[test]
    fn the_national_suite_uses_sm3() {
        // GB/T 32905-2016, appendix A.1: SM3("abc").
        use sm3::Digest as _;
        assert_eq!(
            hex::encode(sm3::Sm3::digest(b"abc")),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
    }

    #[test]
    fn key_files_are_written_private_and_read_back() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = std::env::temp_dir().join(format!("qiangji-seal-{}", std::process::id()));
        let path = dir.join("k.key");
        let _ = std::fs::remove_file(&path);
        let key = DataKey::File { path: path.clone(), suite: Suite::National };
        assert!(KeyFile::load(&key, false).is_err(), "not created unless allowed");
        let made = KeyFile::load(&key, true).unwrap().current();
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        let read = KeyFile::load(&key, true).unwrap().current();
        assert_eq!((made.fingerprint(), made.suite()), (read.fingerprint(), Suite::National));
        std::fs::write(&path, "key = 12\n").unwrap();
        assert!(KeyFile::load(&key, false).is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_rotated_key_file_keeps_the_old_keys_to_open_what_they_sealed() {
        let dir = std::env::temp_dir().join(format!("qiangji-rotate-{}", std::process::id()));
        let path = dir.join("k.key");
        let key = DataKey::file(&path);
        let first = KeyFile::load(&key, true).unwrap();
        let sealed = first.current().seal(Field::Phone, "13800138000");
        let old = first.current().fingerprint().to_owned();
        std::fs::write(dir.join("k.key.new"), "left by an interrupted run").unwrap(); // mode 0644
        let second = first.rotate(&path, Suite::National).unwrap();
        assert!(!dir.join("k.key.new").exists(), "renamed into place");
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600, "made anew, private");

        let read = KeyFile::load(&key, false).unwrap();
        assert_eq!((read.current().fingerprint(), read.suite()), (second.current().fingerprint(), Suite::National));
        assert!(read.current().seal(Field::Phone, "1").starts_with("s1$"));
        assert_eq!(read.current().open(Field::Phone, &sealed).unwrap(), "13800138000", "the retired key opens");
        let (ring, current) = read.matching(&old, Suite::Standard).unwrap();
        assert!(!current && ring.fingerprint() == old);
        assert!(read.matching(&old, Suite::National).is_none(), "a fingerprint names a key and a suite");
        assert!(read.matching(second.current().fingerprint(), Suite::National).unwrap().1);

        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace("retired", "key")).unwrap();
        assert!(KeyFile::load(&key, false).is_err(), "one current key only");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn urls_name_their_key() {
        assert!(matches!(sqlite_file("sqlite::memory:"), Some(None)));
        assert!(matches!(sqlite_file("sqlite://data/q.db?mode=rwc"), Some(Some(p)) if p == Path::new("data/q.db")));
        assert!(sqlite_file("postgres://localhost/q").is_none());
    }
}
