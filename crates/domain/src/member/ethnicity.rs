//! 民族: the 56 ethnic groups, coded as in GB/T 3304 (01 汉族 … 56 基诺族).

/// One of the 56 groups; the code is its GB/T 3304 number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ethnicity(u8);

const NAMES: [&str; 56] = [
    "汉族",
    "蒙古族",
    "回族",
    "藏族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
];

impl Ethnicity {
    pub const HAN: Ethnicity = Ethnicity(1);

    /// All 56 groups in code order.
    pub fn all() -> impl Iterator<Item = Ethnicity> {
        (1..=56).map(Ethnicity)
    }

    pub fn from_code(code: u8) -> Option<Ethnicity> {
        (1..=56).contains(&code).then_some(Ethnicity(code))
    }

    /// Accepts the two-digit code ("01") or the name ("汉族", also without 族 as in "汉").
    pub fn parse(s: &str) -> Option<Ethnicity> {
        let s = s.trim();
        if let Ok(n) = s.parse::<u8>() {
            return Ethnicity::from_code(n);
        }
        NAMES.iter().position(|n| *n == s || n.strip_suffix('族') == Some(s)).map(|i| Ethnicity(i as u8 + 1))
    }

    pub fn code(self) -> u8 {
        self.0
    }

    pub fn label(self) -> &'static str {
        NAMES[usize::from(self.0 - 1)]
    }

    /// 少数民族, as the bulletin counts them.
    pub fn is_minority(self) -> bool {
        self != Ethnicity::HAN
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_codes_parse() {
        assert_eq!(Ethnicity::parse("汉族"), Some(Ethnicity::HAN));
        assert_eq!(Ethnicity::parse("汉"), Some(Ethnicity::HAN));
        assert_eq!(Ethnicity::parse("56").map(Ethnicity::label), Some("基诺族"));
        assert_eq!(Ethnicity::parse("火星族"), None);
        assert_eq!(Ethnicity::parse("57"), None);
        assert!(Ethnicity::parse("回族").unwrap().is_minority());
    }
}
