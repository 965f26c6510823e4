//! Person names and their pinyin initials ("zs" finds 张三).

use pinyin::ToPinyin;

/// Lower-case pinyin initials of a Chinese name; other letters and digits pass through lower-cased.
pub fn initials(name: &str) -> String {
    let mut out = String::new();
    for (ch, py) in name.chars().zip(name.to_pinyin()) {
        match py {
            Some(p) => out.push_str(p.first_letter()),
            None if ch.is_ascii_alphanumeric() => out.push(ch.to_ascii_lowercase()),
            None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::initials;

    #[test]
    fn initials_of_common_names() {
        assert_eq!(initials("张三"), "zs");
        assert_eq!(initials("欧阳晓红"), "oyxh");
        assert_eq!(initials("李·Anna"), "lanna");
    }
}
