//! Names of the units that host Party organizations: government bodies, schools, hospitals,
//! state and private enterprises, social organizations, colleges.
//!
//! A district's own bodies are named as in real life: "海曙区财政局", "国家税务总局宁波市海曙区税务局",
//! "宁波市公安局海曙分局"; enterprises and organizations get invented brand names.

use crate::geo::{CityDef, DistrictDef, urban_word};
use crate::sample::{chance, chinese_number, pick, pick_weighted};
use rand::rngs::SmallRng;
use std::collections::HashSet;

/// Where a unit is: the names its own name is built from.
#[derive(Clone, Copy)]
pub(crate) struct Locale<'a> {
    pub city: &'a CityDef,
    pub district: &'a DistrictDef,
}

impl Locale<'_> {
    /// "宁波市海曙区" for a city district, "余姚市" for a county-level division: how its schools are named.
    pub fn prefix(&self) -> String {
        if self.district.is_city_district() {
            format!("{}{}", self.city.name, self.district.name)
        } else {
            self.district.name.to_owned()
        }
    }

    /// "宁波海曙" / "余姚": the short form used in enterprise and college names.
    pub fn brand_prefix(&self) -> String {
        if self.district.is_city_district() {
            format!("{}{}", self.city.short(), self.district.short())
        } else {
            self.district.short().to_owned()
        }
    }
}

/// Government bodies of a district (直属机关), with their relative Party membership.
const ORGANS: &[(&str, f64)] = &[
    ("{d}委办公室", 0.6),
    ("{d}人大常委会机关", 0.5),
    ("{d}人民政府办公室", 0.7),
    ("{d}政协机关", 0.4),
    ("{d}纪委监委机关", 0.8),
    ("{d}委组织部", 0.5),
    ("{d}委宣传部", 0.4),
    ("{d}委统战部", 0.3),
    ("{d}委政法委员会", 0.4),
    ("{d}发展和改革局", 0.6),
    ("{d}经济和信息化局", 0.6),
    ("{d}科学技术局", 0.4),
    ("{d}民政局", 0.5),
    ("{d}司法局", 0.7),
    ("{d}财政局", 0.8),
    ("{d}人力资源和社会保障局", 0.8),
    ("{d}住房和城乡建设局", 0.9),
    ("{d}交通运输局", 0.7),
    ("{d}农业农村局", 0.9),
    ("{d}水利局", 0.5),
    ("{d}商务局", 0.5),
    ("{d}文化和广电旅游体育局", 0.6),
    ("{d}退役军人事务局", 0.3),
    ("{d}应急管理局", 0.4),
    ("{d}审计局", 0.3),
    ("{d}市场监督管理局", 1.5),
    ("{d}统计局", 0.3),
    ("{d}医疗保障局", 0.3),
    ("{d}综合行政执法局", 1.4),
    ("{d}信访局", 0.3),
    ("{d}人民法院", 1.5),
    ("{d}人民检察院", 1.0),
    ("{d}总工会", 0.3),
    ("共青团{d}委员会", 0.2),
    ("{d}妇女联合会", 0.2),
    ("{d}科学技术协会", 0.2),
    ("{d}机关事务管理中心", 0.4),
    ("{d}档案馆", 0.2),
    ("{d}消防救援大队", 0.6),
    ("国家税务总局{p}税务局", 1.6),
    ("{police}", 3.0),
    ("{c}生态环境局{s}分局", 0.4),
    ("{c}自然资源和规划局{s}分局", 0.6),
];

/// The government bodies of a district with their relative sizes, in a fixed order.
pub(crate) fn organs(loc: Locale<'_>) -> Vec<(String, f64)> {
    let d = loc.district;
    let police = if d.is_city_district() {
        format!("{}公安局{}分局", loc.city.name, d.short())
    } else {
        format!("{}公安局", d.name)
    };
    ORGANS
        .iter()
        .map(|&(t, w)| {
            let name = t
                .replace("{police}", &police)
                .replace("{p}", &loc.prefix())
                .replace("{d}", d.name)
                .replace("{c}", loc.city.name)
                .replace("{s}", d.short());
            (name, w)
        })
        .collect()
}

/// Draws names until one is not in `used`, then records it. `draw` gets a brand word: two characters
/// at first, three once the two-character words run out (a province has tens of thousands of firms).
fn unique(
    rng: &mut SmallRng,
    used: &mut HashSet<String>,
    mut draw: impl FnMut(&mut SmallRng, &str) -> String,
) -> String {
    for attempt in 0.. {
        let mut brand = urban_word(rng);
        if attempt >= 30 {
            brand.push_str(crate::sample::pick_str(
                rng,
                &["华", "达", "源", "信", "盛", "泰", "通", "宏", "立", "创", "诚", "远"],
            ));
        }
        let name = draw(rng, &brand);
        if used.insert(name.clone()) {
            return name;
        }
    }
    unreachable!("the loop only ends by returning")
}

/// A school of the district's education bureau, unique within `used`; `places` are its townships.
pub(crate) fn school(rng: &mut SmallRng, loc: Locale<'_>, places: &[String], used: &mut HashSet<String>) -> String {
    let p = loc.prefix();
    unique(rng, used, |rng, brand| {
        let place = pick(rng, places);
        match pick_weighted(rng, &[(0, 4.0), (1, 2.0), (2, 1.5), (3, 2.0), (4, 1.0), (5, 0.4), (6, 0.3)]) {
            0 => format!("{p}{place}中心小学"),
            1 => format!("{p}{place}初级中学"),
            2 => format!("{p}{place}幼儿园"),
            3 => format!("{p}{brand}小学"),
            4 => format!("{p}{brand}中学"),
            5 => format!("{p}第{}中学", chinese_number(rand::Rng::random_range(rng, 1..=9))),
            _ => format!(
                "{p}{}",
                pick(rng, &["实验小学", "实验中学", "高级中学", "职业高级中学", "特殊教育学校", "教师进修学校"])
            ),
        }
    })
}

/// Hospitals and health bodies of a district: (name, relative size). Health centres come per township.
pub(crate) fn hospitals(loc: Locale<'_>, townships: &[String]) -> Vec<(String, f64)> {
    let p = loc.prefix();
    let mut out = vec![
        (format!("{p}人民医院"), 12.0),
        (format!("{p}中医医院"), 6.0),
        (format!("{p}第二人民医院"), 5.0),
        (format!("{p}妇幼保健院"), 3.0),
        (format!("{p}疾病预防控制中心"), 1.5),
    ];
    for t in townships {
        let name =
            if t.ends_with("街道") { format!("{p}{t}社区卫生服务中心") } else { format!("{p}{t}卫生院") };
        out.push((name, 1.0));
    }
    out
}

/// Departments of a hospital, each with its own branch.
pub(crate) const HOSPITAL_DEPARTMENTS: &[&str] =
    &["内科", "外科", "护理", "医技", "门诊", "妇儿", "急诊", "行政后勤", "药剂", "五官科", "康复科", "公共卫生"];

/// Businesses of a district's state-owned groups.
const STATE_BUSINESSES: &[&str] = &[
    "城市建设投资",
    "国有资本投资运营",
    "交通投资",
    "水务",
    "文化旅游",
    "农业发展",
    "开发建设",
    "产业投资",
    "公用事业",
    "粮食收储",
    "公共交通",
    "商贸",
    "港口",
    "能源",
    "现代服务业发展",
];

/// A state-owned group, unique within `used`: "宁波海曙城市建设投资集团有限公司", or with a brand word
/// once the district's plain business names are taken.
pub(crate) fn state_group(rng: &mut SmallRng, loc: Locale<'_>, used: &mut HashSet<String>) -> String {
    let p = loc.brand_prefix();
    let plain = format!("{p}{}集团有限公司", pick(rng, STATE_BUSINESSES));
    if used.insert(plain.clone()) {
        return plain;
    }
    unique(rng, used, |rng, brand| format!("{p}{brand}{}有限公司", pick(rng, STATE_BUSINESSES)))
}

/// Industries of Ningbo-style private enterprises.
const INDUSTRIES: &[&str] = &[
    "科技",
    "电子",
    "机械",
    "模具",
    "塑料",
    "电器",
    "汽车部件",
    "服饰",
    "文具",
    "轴承",
    "智能装备",
    "新材料",
    "化工",
    "物流",
    "进出口",
    "家电",
    "纺织",
    "光电",
    "建设",
    "包装",
    "食品",
    "五金",
    "阀门",
    "紧固件",
    "水产",
    "生物科技",
    "信息技术",
    "网络科技",
    "医疗器械",
    "新能源",
    "精密铸造",
    "橡胶",
    "卫浴",
    "照明",
    "建材",
];

/// A private enterprise's name, unique within `used`; big ones are groups or joint-stock companies.
pub(crate) fn company(rng: &mut SmallRng, loc: Locale<'_>, members: u32, used: &mut HashSet<String>) -> String {
    unique(rng, used, |rng, brand| {
        let region = if chance(rng, 0.12) {
            "浙江"
        } else if loc.district.is_city_district() || chance(rng, 0.2) {
            loc.city.short()
        } else {
            loc.district.name
        };
        let suffix = if members > 150 {
            pick(rng, &["集团有限公司", "股份有限公司", "集团股份有限公司"])
        } else if chance(rng, 0.08) {
            "股份有限公司"
        } else {
            "有限公司"
        };
        format!("{region}{brand}{}{suffix}", pick(rng, INDUSTRIES))
    })
}

/// Functional departments of an enterprise, for the branches of a large one.
pub(crate) const COMPANY_DEPARTMENTS: &[&str] =
    &["生产", "研发", "营销", "质量", "财务", "行政", "技术", "工程", "物流", "采购", "客服", "制造"];

/// Associations, chambers, service centres: a social organization's name, unique within `used`.
pub(crate) fn social_org(rng: &mut SmallRng, loc: Locale<'_>, used: &mut HashSet<String>) -> String {
    const TRADES: &[&str] = &[
        "餐饮",
        "物流",
        "电子商务",
        "家政服务",
        "建筑业",
        "模具",
        "文具",
        "家电",
        "服装",
        "软件",
        "汽车维修",
        "物业管理",
    ];
    const CHAMBERS: &[&str] =
        &["温州", "台州", "安徽", "江西", "福建", "湖南", "河南", "四川", "贵州", "青年企业家", "女企业家"];
    let p = loc.prefix();
    unique(rng, used, |rng, brand| {
        match pick_weighted(rng, &[(0, 2.0), (1, 2.0), (2, 1.5), (3, 1.0), (4, 1.0), (5, 1.0)]) {
            0 => format!("{p}{}行业协会", pick(rng, TRADES)),
            1 => format!("{p}{brand}社会工作服务中心"),
            2 => format!("{p}{brand}养老服务中心"),
            3 => format!("{p}{}商会", pick(rng, CHAMBERS)),
            4 => format!("{p}{brand}志愿服务中心"),
            _ => format!("{p}{brand}文化艺术培训学校"),
        }
    })
}

/// A law firm of the city, unique within `used`.
pub(crate) fn law_firm(rng: &mut SmallRng, loc: Locale<'_>, used: &mut HashSet<String>) -> String {
    unique(rng, used, |rng, brand| {
        let region = if chance(rng, 0.4) { "浙江" } else { loc.city.short() };
        format!("{region}{brand}律师事务所")
    })
}

/// The district's vocational college (its students are the student Party members).
pub(crate) fn college(loc: Locale<'_>) -> String {
    format!("{}职业技术学院", loc.brand_prefix())
}

/// Schools (二级学院) of a college.
pub(crate) const COLLEGE_SCHOOLS: &[&str] = &[
    "机电工程学院",
    "信息工程学院",
    "经济管理学院",
    "艺术设计学院",
    "建筑工程学院",
    "医学院",
    "外国语学院",
    "人文学院",
    "化学工程学院",
    "国际商务学院",
];

/// Where the district's tiny firms cluster; names the joint branches of the regional committee.
pub(crate) const CLUSTERS: &[&str] = &["工业区", "小微企业园", "商贸城", "电商产业园", "创业园", "个私企业"];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::NINGBO;

    #[test]
    fn district_bodies_are_named_as_in_real_life() {
        let haishu = Locale { city: &NINGBO, district: &NINGBO.districts[0] };
        let names: Vec<String> = organs(haishu).into_iter().map(|(n, _)| n).collect();
        assert!(names.contains(&"海曙区财政局".to_owned()));
        assert!(names.contains(&"宁波市公安局海曙分局".to_owned()));
        assert!(names.contains(&"国家税务总局宁波市海曙区税务局".to_owned()));
        let yuyao = Locale { city: &NINGBO, district: &NINGBO.districts[6] };
        let names: Vec<String> = organs(yuyao).into_iter().map(|(n, _)| n).collect();
        assert!(names.contains(&"余姚市公安局".to_owned()));
        assert!(names.contains(&"国家税务总局余姚市税务局".to_owned()));
        assert_eq!(college(yuyao), "余姚职业技术学院");
    }
}
