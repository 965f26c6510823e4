//! Geography: Zhejiang's cities and their districts (with the region codes that start ID numbers),
//! and invented but plausible names for townships, villages, communities and roads.

use crate::sample::pick;
use rand::rngs::SmallRng;
use std::collections::HashSet;

/// How urban a county-level division is; decides the mix of 街道, 镇 and 乡 under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    /// A city district made mostly of streets.
    Urban,
    /// A district with both streets and towns.
    Suburban,
    /// A county or county-level city: mostly towns, a few 乡.
    County,
}

/// A county-level division (区, 县 or 县级市).
pub(crate) struct DistrictDef {
    pub name: &'static str,
    pub region: u32,
    pub level: Level,
    /// Relative size (Party members) within its city.
    pub weight: f64,
}

impl DistrictDef {
    /// The name without 区/县/市 ("海曙", "余姚", "景宁"), as used in native places and brand names.
    pub fn short(&self) -> &'static str {
        let name = self.name;
        if let Some(s) = name.strip_suffix("畲族自治县") {
            return s;
        }
        let last = name.chars().last().map_or(0, char::len_utf8);
        &name[..name.len() - last]
    }

    /// Whether it is a district of its city (as opposed to a county or county-level city).
    pub fn is_city_district(&self) -> bool {
        self.name.ends_with('区')
    }
}

/// A prefecture-level city.
pub(crate) struct CityDef {
    pub name: &'static str,
    pub area_code: &'static str,
    /// Relative size (Party members); Ningbo is 1.
    pub weight: f64,
    pub districts: &'static [DistrictDef],
}

impl CityDef {
    /// "宁波" for "宁波市".
    pub fn short(&self) -> &'static str {
        self.name.strip_suffix('市').unwrap_or(self.name)
    }
}

pub(crate) const PROVINCE: &str = "浙江省";
pub(crate) const PROVINCE_AREA_CODE: &str = "0571";

const fn d(name: &'static str, region: u32, level: Level, weight: f64) -> DistrictDef {
    DistrictDef { name, region, level, weight }
}

use Level::{County as C, Suburban as S, Urban as U};

/// Ningbo, the model city. Weights follow the districts' Party membership (tens of thousands).
pub(crate) const NINGBO: CityDef = CityDef {
    name: "宁波市",
    area_code: "0574",
    weight: 1.0,
    districts: &[
        d("海曙区", 330203, S, 6.0),
        d("江北区", 330205, U, 3.2),
        d("北仑区", 330206, U, 4.2),
        d("镇海区", 330211, U, 3.0),
        d("鄞州区", 330212, S, 8.0),
        d("奉化区", 330213, S, 3.2),
        d("余姚市", 330281, C, 5.6),
        d("慈溪市", 330282, C, 6.2),
        d("宁海县", 330226, C, 3.6),
        d("象山县", 330225, C, 3.5),
    ],
};

/// The eleven cities of Zhejiang for `Scale::Province`; weights are relative to Ningbo.
pub(crate) const ZHEJIANG: [CityDef; 11] = [
    CityDef {
        name: "杭州市",
        area_code: "0571",
        weight: 2.3,
        districts: &[
            d("上城区", 330102, U, 1.3),
            d("拱墅区", 330105, U, 1.3),
            d("西湖区", 330106, U, 1.2),
            d("滨江区", 330108, U, 0.7),
            d("萧山区", 330109, S, 1.6),
            d("余杭区", 330110, S, 1.1),
            d("富阳区", 330111, S, 0.9),
            d("临安区", 330112, S, 0.7),
            d("临平区", 330113, S, 0.9),
            d("钱塘区", 330114, S, 0.6),
            d("桐庐县", 330122, C, 0.5),
            d("淳安县", 330127, C, 0.5),
            d("建德市", 330182, C, 0.5),
        ],
    },
    NINGBO,
    CityDef {
        name: "温州市",
        area_code: "0577",
        weight: 1.4,
        districts: &[
            d("鹿城区", 330302, U, 1.0),
            d("龙湾区", 330303, U, 0.6),
            d("瓯海区", 330304, S, 0.8),
            d("洞头区", 330305, S, 0.2),
            d("永嘉县", 330324, C, 0.8),
            d("平阳县", 330326, C, 0.8),
            d("苍南县", 330327, C, 0.8),
            d("文成县", 330328, C, 0.4),
            d("泰顺县", 330329, C, 0.4),
            d("瑞安市", 330381, C, 1.2),
            d("乐清市", 330382, C, 1.2),
            d("龙港市", 330383, C, 0.4),
        ],
    },
    CityDef {
        name: "嘉兴市",
        area_code: "0573",
        weight: 0.9,
        districts: &[
            d("南湖区", 330402, U, 1.0),
            d("秀洲区", 330411, S, 0.8),
            d("嘉善县", 330421, C, 0.7),
            d("海盐县", 330424, C, 0.6),
            d("海宁市", 330481, C, 1.0),
            d("平湖市", 330482, C, 0.8),
            d("桐乡市", 330483, C, 1.0),
        ],
    },
    CityDef {
        name: "湖州市",
        area_code: "0572",
        weight: 0.65,
        districts: &[
            d("吴兴区", 330502, U, 1.0),
            d("南浔区", 330503, S, 0.8),
            d("德清县", 330521, C, 0.8),
            d("长兴县", 330522, C, 1.0),
            d("安吉县", 330523, C, 0.8),
        ],
    },
    CityDef {
        name: "绍兴市",
        area_code: "0575",
        weight: 1.0,
        districts: &[
            d("越城区", 330602, U, 1.0),
            d("柯桥区", 330603, S, 1.1),
            d("上虞区", 330604, S, 1.0),
            d("新昌县", 330624, C, 0.6),
            d("诸暨市", 330681, C, 1.3),
            d("嵊州市", 330683, C, 0.8),
        ],
    },
    CityDef {
        name: "金华市",
        area_code: "0579",
        weight: 1.1,
        districts: &[
            d("婺城区", 330702, U, 1.0),
            d("金东区", 330703, S, 0.6),
            d("武义县", 330723, C, 0.5),
            d("浦江县", 330726, C, 0.5),
            d("磐安县", 330727, C, 0.3),
            d("兰溪市", 330781, C, 0.7),
            d("义乌市", 330782, C, 1.4),
            d("东阳市", 330783, C, 1.0),
            d("永康市", 330784, C, 0.8),
        ],
    },
    CityDef {
        name: "衢州市",
        area_code: "0570",
        weight: 0.55,
        districts: &[
            d("柯城区", 330802, U, 0.9),
            d("衢江区", 330803, S, 0.8),
            d("常山县", 330822, C, 0.6),
            d("开化县", 330824, C, 0.6),
            d("龙游县", 330825, C, 0.7),
            d("江山市", 330881, C, 0.9),
        ],
    },
    CityDef {
        name: "舟山市",
        area_code: "0580",
        weight: 0.3,
        districts: &[
            d("定海区", 330902, U, 1.0),
            d("普陀区", 330903, U, 0.9),
            d("岱山县", 330921, C, 0.5),
            d("嵊泗县", 330922, C, 0.2),
        ],
    },
    CityDef {
        name: "台州市",
        area_code: "0576",
        weight: 1.1,
        districts: &[
            d("椒江区", 331002, U, 1.0),
            d("黄岩区", 331003, S, 0.9),
            d("路桥区", 331004, S, 0.9),
            d("三门县", 331022, C, 0.6),
            d("天台县", 331023, C, 0.7),
            d("仙居县", 331024, C, 0.6),
            d("温岭市", 331081, C, 1.4),
            d("临海市", 331082, C, 1.2),
            d("玉环市", 331083, C, 0.6),
        ],
    },
    CityDef {
        name: "丽水市",
        area_code: "0578",
        weight: 0.55,
        districts: &[
            d("莲都区", 331102, U, 1.0),
            d("青田县", 331121, C, 0.8),
            d("缙云县", 331122, C, 0.7),
            d("遂昌县", 331123, C, 0.5),
            d("松阳县", 331124, C, 0.5),
            d("云和县", 331125, C, 0.3),
            d("庆元县", 331126, C, 0.4),
            d("景宁畲族自治县", 331127, C, 0.4),
            d("龙泉市", 331181, C, 0.6),
        ],
    },
];

/// First characters of Jiangnan place names.
const PLACE_HEADS: &[&str] = &[
    "横", "古", "石", "高", "洞", "龙", "望", "章", "集", "白", "西", "东", "南", "北", "梅", "瞻", "咸", "塘", "姜",
    "邱", "云", "湖", "溪", "峰", "泗", "浒", "马", "观", "坎", "掌", "庵", "周", "庄", "崇", "天", "长", "大", "小",
    "新", "金", "凤", "鹤", "桃", "柳", "松", "黄", "青", "泉", "茅", "樟", "竹", "莼", "蒲", "洪", "岳", "鸣", "丰",
    "宝", "安", "平", "福", "兴", "和", "永", "梁", "林", "陆", "钱", "邵", "胡", "徐", "沈", "孔", "潘", "施", "盛",
    "万", "前", "后", "上", "下", "中", "双", "三", "五", "九", "桑", "杨", "梓", "茶", "渔", "盐", "雁", "岩", "燕",
];

/// Second characters of place names: the landform or water that gave the place its name.
const PLACE_TAILS: &[&str] = &[
    "溪", "浦", "山", "桥", "塘", "岙", "港", "头", "墩", "岭", "渡", "泾", "堰", "庄", "湾", "林", "洋", "田", "坪",
    "口", "浜", "河", "畈", "宅", "门", "埠", "岗", "阳", "亭", "峰", "江", "湖", "碶", "潭", "坑", "漕", "垟", "屿",
];

/// Surnames that name villages (陈家岙, 王家桥).
const CLAN_NAMES: &[&str] = &[
    "陈", "王", "张", "李", "林", "周", "徐", "胡", "吴", "朱", "杨", "黄", "孙", "郑", "应", "叶", "毛", "沈", "俞",
    "邵", "蒋", "钱", "董", "屠", "史", "戴", "袁", "方", "余", "何", "许", "金", "冯", "范", "邬", "竺", "虞", "舒",
];

/// Collective-era and aspirational village names.
const VILLAGE_MOTTOS: &[&str] = &[
    "光明", "胜利", "红旗", "前进", "团结", "东风", "先锋", "新华", "联合", "立新", "建新", "永丰", "五星", "红星",
    "和平", "幸福", "民主", "新民", "联丰", "勤丰", "三联", "双桥", "联胜", "兴旺", "富强", "新建", "向阳", "群力",
];

/// Pleasant characters of urban community and road names.
const URBAN_HEADS: &[&str] = &[
    "锦", "翠", "和", "嘉", "华", "丽", "明", "春", "秀", "瑞", "福", "安", "康", "宁", "泰", "兴", "盛", "景", "星",
    "文", "雅", "新", "月", "白", "青", "金", "紫", "兰", "桂", "柳", "樱", "梅", "湖", "江", "海", "天", "长", "永",
    "恒", "鼎", "望", "南", "北", "东", "西", "中", "育", "德", "信", "仁", "书", "学", "怡", "振", "甬", "鄞",
];

const URBAN_TAILS: &[&str] = &[
    "园", "苑", "湖", "桥", "城", "华", "兴", "安", "光", "泽", "庭", "江", "山", "河", "港", "庄", "丰", "源", "晖",
    "悦", "新", "居", "里", "坊", "府", "汇", "都", "汀", "洲", "塘", "院", "才", "锦", "宁", "和", "康",
];

/// Draws names until one is not yet in `used`, then records it.
fn unique(rng: &mut SmallRng, used: &mut HashSet<String>, mut draw: impl FnMut(&mut SmallRng) -> String) -> String {
    for attempt in 0.. {
        let mut name = draw(rng);
        // A crowded namespace (a province's worth of villages) eventually gets a disambiguating 新.
        if attempt > 40 {
            name.insert(0, '新');
        }
        if used.insert(name.clone()) {
            return name;
        }
    }
    unreachable!("the loop only ends by returning")
}

/// A two-character place name such as 横溪 or 石碶.
fn place(rng: &mut SmallRng) -> String {
    format!("{}{}", pick(rng, PLACE_HEADS), pick(rng, PLACE_TAILS))
}

/// A township or street name, without 镇/街道/乡, unique within `used`.
pub(crate) fn township_name(rng: &mut SmallRng, used: &mut HashSet<String>) -> String {
    unique(rng, used, place)
}

/// A village name including 村 (大桥村, 陈家岙村, 光明村), unique within `used`.
pub(crate) fn village_name(rng: &mut SmallRng, used: &mut HashSet<String>) -> String {
    unique(rng, used, |rng| {
        let x: f64 = rand::Rng::random(rng);
        if x < 0.5 {
            format!("{}村", place(rng))
        } else if x < 0.8 {
            format!("{}家{}村", pick(rng, CLAN_NAMES), pick(rng, PLACE_TAILS))
        } else {
            format!("{}村", pick(rng, VILLAGE_MOTTOS))
        }
    })
}

/// A community name including 社区 (锦苑社区), unique within `used`.
pub(crate) fn community_name(rng: &mut SmallRng, used: &mut HashSet<String>) -> String {
    unique(rng, used, |rng| format!("{}{}社区", pick(rng, URBAN_HEADS), pick(rng, URBAN_TAILS)))
}

/// A road name (春晖路, 横溪大道), unique within `used`.
pub(crate) fn road_name(rng: &mut SmallRng, used: &mut HashSet<String>) -> String {
    unique(rng, used, |rng| {
        let kind = crate::sample::pick_weighted(rng, &[("路", 0.7), ("街", 0.14), ("大道", 0.05), ("巷", 0.11)]);
        if rand::Rng::random::<f64>(rng) < 0.6 {
            format!("{}{}{kind}", pick(rng, URBAN_HEADS), pick(rng, URBAN_TAILS))
        } else {
            format!("{}{kind}", place(rng))
        }
    })
}

/// A two-character pleasant word for brands and neighbourhoods (华盛, 锦园).
pub(crate) fn urban_word(rng: &mut SmallRng) -> String {
    format!("{}{}", pick(rng, URBAN_HEADS), pick(rng, URBAN_TAILS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn district_short_names_drop_the_level() {
        assert_eq!(NINGBO.districts[0].short(), "海曙");
        assert_eq!(ZHEJIANG[10].districts[7].short(), "景宁");
        assert_eq!(NINGBO.short(), "宁波");
    }

    #[test]
    fn region_codes_are_unique_and_belong_to_their_city() {
        let mut seen = HashSet::new();
        for (i, city) in ZHEJIANG.iter().enumerate() {
            for d in city.districts {
                assert!(seen.insert(d.region), "{}", d.name);
                assert_eq!(d.region / 100, 3301 + i as u32, "{}", d.name);
            }
        }
    }
}
