//! How personal numbers are shown by default.

/// A phone number with the middle digits hidden (`138****5678`); a short one is hidden but for its end.
pub fn mask_phone(p: &str) -> String {
    let chars: Vec<char> = p.chars().collect();
    match chars.len() {
        0 => String::new(),
        n if n < 7 => {
            format!("{}{}", "*".repeat(n.saturating_sub(2)), chars[n.saturating_sub(2)..].iter().collect::<String>())
        }
        n => format!("{}****{}", chars[..3].iter().collect::<String>(), chars[n - 4..].iter().collect::<String>()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn phones_are_masked_in_the_middle() {
        assert_eq!(super::mask_phone("13812345678"), "138****5678");
        assert_eq!(super::mask_phone("12345"), "***45");
        assert_eq!(super::mask_phone(""), "");
    }
}
