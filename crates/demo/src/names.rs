//! Person names: surnames weighted as in eastern Zhejiang (compound ones like 欧阳 included, rarely),
//! given names of one or two characters chosen by sex and by the fashion of the birth years.

use crate::sample::{Cumulative, chance, pick};
use qiangji_domain::member::Sex;
use rand::rngs::SmallRng;
use std::sync::LazyLock;

/// Surnames with relative frequencies (per ten thousand, roughly Ningbo's).
const SURNAMES: &[(&str, f64)] = &[
    ("王", 620.0),
    ("陈", 700.0),
    ("张", 480.0),
    ("李", 420.0),
    ("林", 300.0),
    ("周", 300.0),
    ("徐", 290.0),
    ("胡", 260.0),
    ("吴", 280.0),
    ("朱", 220.0),
    ("杨", 210.0),
    ("黄", 200.0),
    ("刘", 200.0),
    ("孙", 170.0),
    ("郑", 170.0),
    ("应", 120.0),
    ("叶", 150.0),
    ("毛", 110.0),
    ("沈", 140.0),
    ("俞", 120.0),
    ("邵", 100.0),
    ("蒋", 110.0),
    ("钱", 90.0),
    ("赵", 110.0),
    ("孔", 50.0),
    ("严", 60.0),
    ("施", 80.0),
    ("董", 90.0),
    ("屠", 50.0),
    ("史", 60.0),
    ("戴", 70.0),
    ("袁", 70.0),
    ("方", 90.0),
    ("余", 90.0),
    ("何", 90.0),
    ("许", 90.0),
    ("金", 110.0),
    ("冯", 70.0),
    ("杜", 40.0),
    ("范", 60.0),
    ("邬", 50.0),
    ("竺", 30.0),
    ("虞", 40.0),
    ("舒", 30.0),
    ("卢", 60.0),
    ("潘", 70.0),
    ("韩", 50.0),
    ("谢", 70.0),
    ("马", 60.0),
    ("罗", 50.0),
    ("宋", 50.0),
    ("丁", 60.0),
    ("姚", 70.0),
    ("任", 50.0),
    ("曹", 50.0),
    ("鲍", 40.0),
    ("柴", 30.0),
    ("翁", 40.0),
    ("傅", 60.0),
    ("葛", 40.0),
    ("岑", 30.0),
    ("童", 40.0),
    ("华", 30.0),
    ("汪", 50.0),
    ("夏", 40.0),
    ("项", 30.0),
    ("楼", 40.0),
    ("贺", 30.0),
    ("江", 40.0),
    ("邱", 30.0),
    ("龚", 30.0),
    ("程", 40.0),
    ("蔡", 50.0),
    ("魏", 30.0),
    ("裘", 20.0),
    ("单", 20.0),
    ("陆", 40.0),
    ("顾", 30.0),
    ("洪", 30.0),
    ("柳", 20.0),
    ("郭", 50.0),
    ("高", 50.0),
    ("梁", 30.0),
    ("石", 30.0),
    ("邹", 20.0),
    ("田", 20.0),
    ("唐", 30.0),
    ("季", 20.0),
    ("崔", 15.0),
    ("彭", 20.0),
    ("曾", 20.0),
    ("欧阳", 3.0),
    ("上官", 1.0),
    ("司马", 0.8),
    ("诸葛", 0.8),
    ("东方", 0.6),
    ("皇甫", 0.5),
    ("司徒", 0.6),
];

/// Characters of given names by sex and by generation: born up to 1959, 1960–1984, from 1985.
struct GivenChars {
    male: [&'static [&'static str]; 3],
    female: [&'static [&'static str]; 3],
}

const GIVEN: GivenChars = GivenChars {
    male: [
        &[
            "国", "建", "明", "华", "伟", "忠", "德", "福", "荣", "林", "富", "根", "海", "祥", "财", "宝", "春", "生",
            "金", "民", "军", "兴", "康", "正", "文", "友", "志", "良", "清", "庆", "祖", "永", "才", "成", "泉", "法",
        ],
        &[
            "伟", "军", "勇", "斌", "强", "波", "涛", "杰", "峰", "磊", "刚", "平", "辉", "明", "东", "鹏", "俊", "健",
            "建", "亮", "宁", "浩", "飞", "海", "锋", "剑", "晓", "立", "江", "松", "红", "卫", "新", "炜", "群", "永",
        ],
        &[
            "浩", "宇", "轩", "睿", "子", "博", "晨", "俊", "杰", "涛", "泽", "航", "一", "天", "文", "鑫", "磊", "凯",
            "昊", "超", "哲", "逸", "翔", "阳", "豪", "铭", "辰", "宸", "楠", "远", "然", "皓", "帆", "奕", "家", "嘉",
        ],
    ],
    female: [
        &[
            "秀", "英", "芳", "兰", "珍", "凤", "娟", "琴", "美", "玉", "月", "梅", "花", "娣", "菊", "萍", "素", "彩",
            "雅", "仙", "宝", "金", "银", "翠", "爱", "桂", "云", "莲", "香", "妹", "亚", "华",
        ],
        &[
            "丽", "红", "燕", "霞", "敏", "静", "婷", "艳", "萍", "芳", "颖", "慧", "洁", "琳", "雪", "佳", "莉", "晓",
            "蓉", "波", "君", "玲", "芬", "娜", "群", "虹", "青", "蕾", "瑛", "俊", "飞", "丹",
        ],
        &[
            "婷", "雨", "欣", "佳", "怡", "琪", "涵", "梦", "瑶", "诗", "晨", "璐", "静", "思", "悦", "雯", "蕾", "倩",
            "嘉", "依", "丹", "露", "萱", "颖", "可", "心", "语", "若", "彤", "妍", "钰", "宁",
        ],
    ],
};

static SURNAME_TABLE: LazyLock<Cumulative<&'static str>> = LazyLock::new(|| Cumulative::new(SURNAMES));

/// A full name for a person of `sex` born in `birth_year`.
pub(crate) fn person(rng: &mut SmallRng, sex: Sex, birth_year: i32) -> String {
    let generation = match birth_year {
        ..=1959 => 0,
        1960..=1984 => 1,
        _ => 2,
    };
    let chars = match sex {
        Sex::Male => GIVEN.male[generation],
        Sex::Female => GIVEN.female[generation],
    };
    let mut name = String::with_capacity(12);
    name.push_str(SURNAME_TABLE.sample(rng));
    // Single-character given names were most popular with parents of the 1970s–80s.
    let single = [0.15, 0.35, 0.2][generation];
    let first = pick(rng, chars);
    name.push_str(first);
    if !chance(rng, single) {
        // Doubled characters (婷婷, 佳佳) are a girls' fashion; otherwise avoid repeats.
        let second = if sex == Sex::Female && chance(rng, 0.04) {
            first
        } else {
            let mut s = pick(rng, chars);
            if s == first {
                s = pick(rng, chars);
            }
            s
        };
        name.push_str(second);
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn names_have_two_to_four_characters_and_valid_initials() {
        let mut rng = SmallRng::seed_from_u64(7);
        for i in 0..2000 {
            let sex = if i % 2 == 0 { Sex::Male } else { Sex::Female };
            let n = person(&mut rng, sex, 1940 + i % 70);
            let len = n.chars().count();
            assert!((2..=4).contains(&len), "{n}");
            assert_eq!(qiangji_domain::name::initials(&n).len(), len, "every character has pinyin: {n}");
        }
    }
}
