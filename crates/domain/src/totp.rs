//! Time-based one-time codes (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits) for the optional
//! second factor at login, as authenticator apps compute them; and the base32 form (RFC 4648) in
//! which the shared secret is shown to the user.

use hmac::{Hmac, KeyInit, Mac};

/// Seconds per step.
pub const STEP_SECONDS: u64 = 30;
const DIGITS: u32 = 6;
const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// The code for step `step` (unix time / 30) under `secret`.
pub fn code(secret: &[u8], step: u64) -> u32 {
    let mut mac = <Hmac<sha1::Sha1> as KeyInit>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(&step.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let at = (h[h.len() - 1] & 0x0f) as usize;
    let bin = u32::from_be_bytes([h[at] & 0x7f, h[at + 1], h[at + 2], h[at + 3]]);
    bin % 10u32.pow(DIGITS)
}

/// The step a code typed at unix time `now` matches — this step, or one before or after (clocks
/// drift) — if any. Spaces in the typed code are ignored.
pub fn matching_step(secret: &[u8], typed: &str, now: u64) -> Option<u64> {
    let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if typed.len() != DIGITS as usize || !typed.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let typed: u32 = typed.parse().ok()?;
    let step = now / STEP_SECONDS;
    [step.saturating_sub(1), step, step + 1].into_iter().find(|s| code(secret, *s) == typed)
}

/// `bytes` in base32 without padding.
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Base32 text back to bytes (case, spaces and padding ignored); None if it is not base32.
pub fn from_base32(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let v = ALPHABET.iter().position(|a| *a as char == c.to_ascii_uppercase())? as u32;
        buffer = (buffer << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Some(out)
}

/// The address authenticator apps read (typed in, or from a code the user's phone scans).
pub fn otpauth_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
            .collect::<String>()
    };
    format!("otpauth://totp/{}:{}?secret={}&issuer={}", enc(issuer), enc(account), base32(secret), enc(issuer))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 (the 8-digit values' last 6 digits).
    #[test]
    fn the_rfc_test_vectors_hold() {
        let secret = b"12345678901234567890";
        for (time, expected) in
            [(59u64, 287_082), (1_111_111_109, 81_804), (1_234_567_890, 5_924), (2_000_000_000, 279_037)]
        {
            assert_eq!(code(secret, time / STEP_SECONDS), expected, "T = {time}");
        }
    }

    #[test]
    fn a_code_matches_its_step_and_the_neighbours_only() {
        let secret = b"12345678901234567890";
        let now = 1_111_111_109;
        let c = format!("{:06}", code(secret, now / 30));
        assert_eq!(matching_step(secret, &c, now), Some(now / 30));
        assert_eq!(matching_step(secret, &c, now + 30), Some(now / 30), "a step late");
        assert_eq!(matching_step(secret, &c, now + 90), None, "too late");
        assert_eq!(matching_step(secret, "081 804", now), Some(now / 30), "spaces ignored");
        assert_eq!(matching_step(secret, "81804", now), None, "six digits");
    }

    #[test]
    fn base32_round_trips_and_matches_the_rfc_4648_vectors() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32(b"f"), "MY");
        assert_eq!(from_base32("mzxw 6ytb oi=="), Some(b"foobar".to_vec()));
        assert_eq!(from_base32("MZ1"), None, "1 is not base32");
        let secret: Vec<u8> = (0..20).collect();
        assert_eq!(from_base32(&base32(&secret)), Some(secret));
        assert!(
            otpauth_uri("强基", "shuji", b"foobar")
                .starts_with("otpauth://totp/%E5%BC%BA%E5%9F%BA:shuji?secret=MZXW6YTBOI")
        );
    }
}
