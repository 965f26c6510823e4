//! What a member studied and does: school, major and degree for the education level, and a job title
//! that fits the occupation and the kind of branch.

use crate::mix::Flavour;
use crate::sample::{chance, pick_str};
use qiangji_domain::member::{Education, Occupation};
use rand::rngs::SmallRng;

const UNIVERSITIES: &[&str] = &[
    "浙江大学",
    "宁波大学",
    "浙江工业大学",
    "浙江师范大学",
    "杭州师范大学",
    "浙江工商大学",
    "浙江理工大学",
    "中国计量大学",
    "浙江财经大学",
    "温州医科大学",
    "浙江中医药大学",
    "宁波工程学院",
    "浙江万里学院",
    "浙大宁波理工学院",
    "宁波诺丁汉大学",
    "浙江海洋大学",
    "浙江农林大学",
    "杭州电子科技大学",
    "华东师范大学",
    "复旦大学",
    "上海交通大学",
    "同济大学",
    "南京大学",
    "武汉大学",
    "安徽大学",
    "江西财经大学",
    "郑州大学",
];

/// Where older members took their in-service degrees (函授, 电大, 党校).
const IN_SERVICE: &[&str] =
    &["中共浙江省委党校", "中共宁波市委党校", "浙江广播电视大学", "宁波广播电视大学", "中央党校函授学院"];

const JUNIOR_COLLEGES: &[&str] = &[
    "宁波职业技术学院",
    "浙江工商职业技术学院",
    "宁波城市职业技术学院",
    "浙江纺织服装职业技术学院",
    "宁波卫生职业技术学院",
    "浙江交通职业技术学院",
    "浙江金融职业学院",
    "浙江医药高等专科学校",
    "浙江机电职业技术学院",
    "浙江经贸职业技术学院",
];

const SECONDARY_SCHOOLS: &[&str] = &[
    "宁波市职业技术教育中心学校",
    "宁波卫生学校",
    "浙江省宁波商业学校",
    "宁波市鄞州职业教育中心学校",
    "宁波师范学校",
    "宁波市甬江职业高级中学",
];

const TEACHING: &[&str] = &[
    "汉语言文学",
    "数学与应用数学",
    "英语",
    "物理学",
    "化学",
    "学前教育",
    "小学教育",
    "体育教育",
    "音乐学",
    "美术学",
    "思想政治教育",
    "历史学",
];
const MEDICINE: &[&str] =
    &["临床医学", "护理学", "中医学", "药学", "医学影像学", "预防医学", "口腔医学", "医学检验技术"];
const PUBLIC: &[&str] = &[
    "法学",
    "行政管理",
    "汉语言文学",
    "经济学",
    "会计学",
    "公共事业管理",
    "计算机科学与技术",
    "财政学",
    "农业经济管理",
    "土木工程",
    "思想政治教育",
];
const ENGINEERING_AND_BUSINESS: &[&str] = &[
    "机械设计制造及其自动化",
    "电气工程及其自动化",
    "计算机科学与技术",
    "软件工程",
    "会计学",
    "国际经济与贸易",
    "市场营销",
    "工商管理",
    "材料科学与工程",
    "化学工程与工艺",
    "电子信息工程",
    "物流管理",
    "土木工程",
];
const GENERAL: &[&str] =
    &["农学", "园艺", "工商管理", "会计学", "行政管理", "法学", "汉语言文学", "社会工作", "经济管理"];

/// School, major and degree for a member with `education` born in `birth_year`. Empty below 中专.
pub(crate) fn studies(
    rng: &mut SmallRng,
    education: Education,
    occupation: Occupation,
    flavour: Flavour,
    birth_year: i32,
) -> (&'static str, &'static str, &'static str) {
    let majors = match (flavour, occupation) {
        (Flavour::School, Occupation::Professional | Occupation::Manager) => TEACHING,
        (Flavour::Hospital, Occupation::Professional | Occupation::Manager) => MEDICINE,
        (_, Occupation::CivilServant) | (Flavour::Organ, _) => PUBLIC,
        (Flavour::Students | Flavour::StateFirm | Flavour::PrivateFirm, _) => ENGINEERING_AND_BUSINESS,
        (_, Occupation::Professional | Occupation::Manager) => ENGINEERING_AND_BUSINESS,
        _ => GENERAL,
    };
    // Members born before the mid-1960s mostly earned degrees while working.
    let older = birth_year < 1966;
    match education {
        Education::Postgraduate => {
            if older && chance(rng, 0.6) {
                (pick_str(rng, &IN_SERVICE[..2]), pick_str(rng, PUBLIC), "")
            } else {
                let doctor =
                    matches!(flavour, Flavour::Hospital | Flavour::Students) && chance(rng, 0.25) || chance(rng, 0.05);
                (pick_str(rng, UNIVERSITIES), pick_str(rng, majors), if doctor { "博士" } else { "硕士" })
            }
        }
        Education::University => {
            if older && chance(rng, 0.5) {
                (pick_str(rng, IN_SERVICE), pick_str(rng, majors), "")
            } else {
                (pick_str(rng, UNIVERSITIES), pick_str(rng, majors), if chance(rng, 0.95) { "学士" } else { "" })
            }
        }
        Education::College => {
            if older && chance(rng, 0.5) {
                (pick_str(rng, IN_SERVICE), pick_str(rng, majors), "")
            } else {
                (pick_str(rng, JUNIOR_COLLEGES), pick_str(rng, majors), "")
            }
        }
        Education::TechnicalSecondary => (pick_str(rng, SECONDARY_SCHOOLS), "", ""),
        Education::HighSchool | Education::JuniorOrBelow => ("", "", ""),
    }
}

/// A job title that fits the occupation and the branch (empty where none is usual, as for farmers).
pub(crate) fn job_title(
    rng: &mut SmallRng,
    occupation: Occupation,
    flavour: Flavour,
    education: Education,
    age: i32,
    left_before_1949: bool,
) -> &'static str {
    match occupation {
        Occupation::Worker => pick_str(
            rng,
            &[
                "操作工",
                "技术工人",
                "电工",
                "焊工",
                "装配工",
                "仓库管理员",
                "驾驶员",
                "保安",
                "维修工",
                "质检员",
                "叉车工",
            ],
        ),
        Occupation::Farmer => pick_str(rng, &["", "", "", "种植户", "养殖户"]),
        Occupation::Professional => match flavour {
            Flavour::School => pick_str(
                rng,
                &["小学一级教师", "小学高级教师", "中学一级教师", "中学高级教师", "幼儿园一级教师", "教师"],
            ),
            Flavour::Hospital => pick_str(
                rng,
                &["主治医师", "副主任医师", "主任医师", "住院医师", "主管护师", "护师", "护士", "药师", "检验师"],
            ),
            Flavour::Students => pick_str(rng, &["辅导员", "讲师", "副教授"]),
            Flavour::SocialOrg => pick_str(rng, &["律师", "社会工作师", "会计师", "培训师"]),
            Flavour::Community => pick_str(rng, &["社区专职工作者", "网格员"]),
            _ => pick_str(rng, &["工程师", "助理工程师", "高级工程师", "会计师", "技术员", "设计师", "经济师"]),
        },
        Occupation::Manager => match flavour {
            Flavour::School => pick_str(rng, &["校长", "副校长", "教务主任", "办公室主任"]),
            Flavour::Hospital => pick_str(rng, &["院长", "副院长", "科主任", "护士长", "办公室主任"]),
            Flavour::SocialOrg => pick_str(rng, &["秘书长", "主任", "副会长"]),
            _ => pick_str(
                rng,
                &[
                    "总经理",
                    "副总经理",
                    "部门经理",
                    "办公室主任",
                    "人事主管",
                    "财务经理",
                    "车间主任",
                    "行政主管",
                    "项目经理",
                ],
            ),
        },
        Occupation::CivilServant => {
            if age < 30 {
                pick_str(rng, &["科员", "一级科员", "二级科员"])
            } else {
                pick_str(
                    rng,
                    &["四级主任科员", "三级主任科员", "一级主任科员", "副科长", "科长", "副局长", "办公室主任", "科员"],
                )
            }
        }
        Occupation::Student => match education {
            Education::Postgraduate => "研究生",
            Education::College => "专科生",
            _ => "本科生",
        },
        Occupation::Other => {
            pick_str(rng, &["个体经营", "自由职业", "灵活就业", "快递员", "网约车司机", "保险代理人", "销售员", "", ""])
        }
        Occupation::Retired => {
            if left_before_1949 {
                "离休干部"
            } else {
                "退休"
            }
        }
    }
}
