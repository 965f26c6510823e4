//! The password policy (等保 level 3: passwords of sufficient complexity): at least
//! [`MIN_LENGTH`] characters from at least three of the four classes — upper-case letters,
//! lower-case letters, digits, other symbols — not containing the username, and not one of the
//! passwords every guessing list starts with.

/// Fewest characters a password may have.
pub const MIN_LENGTH: usize = 8;
/// Most characters (argon2 hashes anything, but a megabyte password is an attack, not a password).
pub const MAX_LENGTH: usize = 128;

/// What is wrong with a new password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("密码至少{MIN_LENGTH}位")]
    TooShort,
    #[error("密码最多{MAX_LENGTH}位")]
    TooLong,
    #[error("密码须包含大写字母、小写字母、数字、符号中的至少三类")]
    TooSimple,
    #[error("密码不能包含用户名")]
    ContainsUsername,
    #[error("这个密码过于常见，请换一个")]
    Common,
}

impl PasswordError {
    /// Stable machine code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            PasswordError::TooShort => "password.too_short",
            PasswordError::TooLong => "password.too_long",
            PasswordError::TooSimple => "password.too_simple",
            PasswordError::ContainsUsername => "password.contains_username",
            PasswordError::Common => "password.common",
        }
    }
}

/// Passwords that pass the character rules and still head every guessing list.
const COMMON: &[&str] = &["Password1", "Passw0rd", "P@ssw0rd", "P@ssword1", "Admin@123", "Abc@1234", "Qwer@1234"];

/// Checks a new password of the account `username`.
pub fn check(password: &str, username: &str) -> Result<(), PasswordError> {
    let n = password.chars().count();
    if n < MIN_LENGTH {
        return Err(PasswordError::TooShort);
    }
    if n > MAX_LENGTH {
        return Err(PasswordError::TooLong);
    }
    let classes = [
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if classes.iter().filter(|c| **c).count() < 3 {
        return Err(PasswordError::TooSimple);
    }
    let user = username.trim().to_lowercase();
    if user.chars().count() >= 3 && password.to_lowercase().contains(&user) {
        return Err(PasswordError::ContainsUsername);
    }
    if COMMON.iter().any(|c| c.eq_ignore_ascii_case(password)) {
        return Err(PasswordError::Common);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_rule_refuses_with_its_code() {
        assert_eq!(check("Ab1!", "u"), Err(PasswordError::TooShort));
        assert_eq!(check(&"Ab1!".repeat(40), "u"), Err(PasswordError::TooLong));
        assert_eq!(check("abcdefgh12", "u"), Err(PasswordError::TooSimple), "two classes");
        assert_eq!(check("ABCDEFGH!!", "u"), Err(PasswordError::TooSimple));
        assert_eq!(check("Shuji@2026", "shuji"), Err(PasswordError::ContainsUsername), "case ignored");
        assert_eq!(check("P@ssw0rd", "u"), Err(PasswordError::Common));
        assert_eq!(check("Qiangji@2026", "shuji"), Ok(()));
        assert_eq!(check("党建强基2026ab", "u"), Ok(()), "Chinese characters count as symbols");
        assert_eq!(PasswordError::TooSimple.code(), "password.too_simple");
    }
}
