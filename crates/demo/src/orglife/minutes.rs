//! The minutes of a demo record, composed like real ones: a formulaic opening and closing that
//! every secretary writes the same way, and between them what only this meeting had — who spoke
//! about what, which study material, which tasks were decided, by whom and by when. The formulaic
//! parts make ordinary minutes look alike on the surface; the specific parts are what tells a
//! copied record from a merely similar one.

use crate::sample::{pick, pick_str};
use chrono::Datelike;
use qiangji_domain::Date;
use qiangji_domain::member::Sex;
use qiangji_domain::orglife::{MeetingKind, MeetingTimes};
use rand::Rng;
use rand::rngs::SmallRng;
use std::collections::HashSet;

/// What the minutes are written about.
pub(super) struct Context<'a> {
    pub org: &'a str,
    pub kind: MeetingKind,
    pub held_on: Date,
    pub times: MeetingTimes,
    pub place: &'a str,
    pub host: &'a str,
    pub recorder: &'a str,
    pub expected: usize,
    pub present: usize,
    /// Names of members who can be quoted as speakers (at least one).
    pub speakers: &'a [String],
    pub topic: &'a str,
}

const MATERIALS: &[&str] = &[
    "《中国共产党章程》总纲部分",
    "《中国共产党纪律处分条例》第二编",
    "《习近平新时代中国特色社会主义思想学习纲要》第三章",
    "《中国共产党支部工作条例（试行）》",
    "《关于新形势下党内政治生活的若干准则》",
    "上级党委关于基层党建工作的通知",
    "《中国共产党党员教育管理工作条例》",
    "全市基层党建工作会议精神",
    "《中国共产党组织工作条例》",
    "党史学习教育读本第五章",
    "《中国共产党廉洁自律准则》",
    "省委关于深化“四下基层”工作的意见",
];
const SUBJECTS: &[&str] = &[
    "为民服务",
    "作风建设",
    "业务能力提升",
    "安全生产",
    "垃圾分类",
    "邻里纠纷调解",
    "老旧小区改造",
    "青年党员培养",
    "困难群众帮扶",
    "优化营商环境",
    "防汛防台",
    "文明城市创建",
    "志愿服务常态化",
    "网格化管理",
    "乡村振兴",
    "科技创新",
];
const VIEWS: &[&str] = &[
    "认为自己在理论学习上还不够系统",
    "提出要把学习成果落实到岗位上",
    "谈到身边党员带头作用发挥得不够",
    "建议增加与群众面对面交流的次数",
    "反映了工作中遇到的实际困难",
    "结合近期一次走访讲了自己的体会",
    "表示要在急难险重任务中冲在前面",
    "指出部分制度执行还有走过场的现象",
    "建议支部建立问题清单逐项销号",
    "分享了参加上级培训的收获",
];
const TASKS: &[&str] = &[
    "走访辖区内的独居老人",
    "整理支部年度学习台账",
    "组织一次清洁家园志愿活动",
    "收集群众对服务窗口的意见",
    "完成党员信息核对",
    "督促党费按时足额交纳",
    "联系结对共建单位开展一次联学",
    "排查楼道消防安全隐患",
    "撰写本季度工作小结",
    "对接社区网格开展入户宣传",
    "筹备下月主题党日活动",
    "整改上次检查发现的问题",
    "落实入党积极分子的培养联系",
    "开展一次安全生产检查",
];
const DEEDS: &[(&str, &str)] = &[
    ("走访", "户"),
    ("上门服务", "人次"),
    ("排查隐患", "处"),
    ("调解纠纷", "起"),
    ("收集意见", "条"),
    ("组织志愿服务", "场"),
];
const ISSUES: &[&str] = &[
    "屋顶漏雨的问题",
    "就医预约的难题",
    "孩子入学的手续",
    "楼道堆物的问题",
    "低保复核的材料",
    "电动车充电的难题",
    "门前路灯不亮的问题",
    "养老金认证的手续",
    "邻里停车的纠纷",
    "用工欠薪的问题",
    "危房改造的申请",
    "医保报销的疑问",
];

const OPENINGS: &[&str] = &["会议开始，", "首先，", "会上，"];
const CLOSINGS: &[&str] = &[
    "会议要求全体党员把学习成果转化为推动工作的实际行动。",
    "最后，主持人作总结讲话，要求大家认真抓好落实。",
    "会议在热烈的氛围中结束。",
    "会后，与会党员在签到表上签字确认。",
];

fn agenda(kind: MeetingKind) -> &'static str {
    match kind {
        MeetingKind::GeneralMeeting => "听取支部委员会工作报告，讨论本季度党员教育管理和发展党员工作",
        MeetingKind::CommitteeMeeting => "研究本月支部重点工作，分析党员思想状况",
        MeetingKind::GroupMeeting => "组织小组成员学习交流，通报党员近期思想和工作情况",
        MeetingKind::PartyLecture => "讲授专题党课，与会党员认真听讲并做好笔记",
        MeetingKind::ThemeDay => "开展主题党日活动：签到、交纳党费、集中学习、议事讨论",
        MeetingKind::OrgLifeMeeting => "对照检查，开展批评和自我批评",
        MeetingKind::DemocraticLifeMeeting => "班子成员逐一对照检查，相互开展批评",
        MeetingKind::Appraisal => "开展民主评议党员，党员个人总结、自评互评",
        MeetingKind::HeartToHeartTalk => "开展谈心谈话，了解党员的思想、工作和生活情况",
    }
}

/// The content and the decisions of one record.
pub(super) fn compose(rng: &mut SmallRng, c: &Context) -> (String, String) {
    let d = c.held_on;
    let (s, e) = (c.times.starts_at(), c.times.ends_at());
    let mut content = format!(
        "{}年{}月{}日{}至{}，{}在{}召开{}，应到{}人，实到{}人。会议由{}主持，{}记录。主题：{}。会议议程：{}。",
        d.year(),
        d.month(),
        d.day(),
        s,
        e,
        c.org,
        c.place,
        c.kind.label(),
        c.expected,
        c.present,
        c.host,
        c.recorder,
        c.topic,
        agenda(c.kind),
    );
    content.push_str(pick_str(rng, OPENINGS));
    let material = pick_str(rng, MATERIALS);
    content.push_str(&format!(
        "{}领学了{}，重点围绕{}作了{}分钟的解读。",
        c.host,
        material,
        pick_str(rng, SUBJECTS),
        10 + 5 * rng.random_range(0..5)
    ));
    let spoke = rng.random_range(2..=4).min(c.speakers.len());
    for _ in 0..spoke {
        let who = pick(rng, c.speakers);
        content.push_str(&format!(
            "{}结合{}工作，{}，并就{}提出{}条具体建议。",
            who,
            pick_str(rng, SUBJECTS),
            pick_str(rng, VIEWS),
            pick_str(rng, SUBJECTS),
            rng.random_range(1..5)
        ));
        // What only this meeting heard: whom the speaker helped, where, with what.
        let (deed, unit) = *pick(rng, DEEDS);
        let sex = if rng.random_bool(0.5) { Sex::Male } else { Sex::Female };
        let born = rng.random_range(1940..2000);
        let resident = crate::names::person(rng, sex, born);
        let road = crate::geo::road_name(rng, &mut HashSet::new());
        content.push_str(&format!(
            "{who}介绍，近一个月{deed}{}{unit}，帮助{road}{}号的{resident}解决了{}。",
            rng.random_range(2..40),
            rng.random_range(1..300),
            pick_str(rng, ISSUES)
        ));
    }
    content.push_str(pick_str(rng, CLOSINGS));
    let decisions = (0..rng.random_range(1..=3))
        .map(|i| {
            let by = d + chrono::Days::new(rng.random_range(7..40));
            format!(
                "{}. 由{}牵头，于{}月{}日前{}。",
                i + 1,
                pick(rng, c.speakers),
                by.month(),
                by.day(),
                pick_str(rng, TASKS)
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    (content, decisions)
}
