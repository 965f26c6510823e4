use super::*;
use qiangji_sheet::{find_table, read};

/// A branch (7) of 张三, 李四, 王五 and two members named 刘洋; 赵六 left it on 2026-06-30. One
/// record is there already: the 2026-03-05 支部委员会会议 on 学习计划.
struct Branch;

impl Lookup for Branch {
    fn root(&self) -> OrgId {
        OrgId(7)
    }

    fn org(&self, name: &str) -> Result<OrgId, OrgProblem> {
        match name {
            "第一支部" => Ok(OrgId(7)),
            "第二支部" => Err(OrgProblem::Ambiguous),
            _ => Err(OrgProblem::Unknown),
        }
    }

    fn member(&self, org: OrgId, day: Date, name: &str) -> Result<MemberId, MemberProblem> {
        let left = crate::date::parse("2026-06-30").unwrap();
        match (org, name) {
            (OrgId(7), "张三") => Ok(MemberId(1)),
            (OrgId(7), "李四") => Ok(MemberId(2)),
            (OrgId(7), "王五") => Ok(MemberId(3)),
            (OrgId(7), "赵六") if day < left => Ok(MemberId(4)),
            (OrgId(7), "刘洋") => Err(MemberProblem::Ambiguous),
            _ => Err(MemberProblem::NotMember),
        }
    }

    fn recorded(&self, org: OrgId, kind: MeetingKind, day: Date, topic: &str) -> Option<MeetingId> {
        let there = (OrgId(7), MeetingKind::CommitteeMeeting, crate::date::parse("2026-03-05").unwrap(), "学习计划");
        ((org, kind, day, topic) == there).then_some(MeetingId(40))
    }
}

const HEAD: &str = "党组织,活动类型,日期,开始时间,结束时间,地点,主持人,记录人,授课人,主题,内容,出席,请假,缺席\n";

fn planned(rows: &str) -> Vec<PlannedMeeting> {
    let sheet = read(format!("{HEAD}{rows}").as_bytes()).unwrap().remove(0);
    let table = find_table(&sheet, &["活动类型", "活动日期", "主题"], 2).unwrap();
    assert!(crate::import::missing_columns(&table, COLUMNS, REQUIRED).is_empty());
    plan(&table, &Branch, crate::date::parse("2026-12-07").unwrap())
}

fn codes(r: &PlannedMeeting) -> Vec<&'static str> {
    r.issues.iter().map(|i| i.code).collect()
}

#[test]
fn a_row_becomes_a_record_with_its_attendance_read_from_names() {
    let rows = planned(
        "第一支部,党员大会,2026.3.12,14时30分,16：00,党员活动室,张三,李四,,学习二十届四中全会精神,传达学习……,\
         \"张三、李四\",王五（出差）,赵六\n",
    );
    assert_eq!(codes(&rows[0]), Vec::<&str>::new());
    let f = rows[0].fields.as_ref().unwrap();
    assert_eq!(f.kind, MeetingKind::GeneralMeeting);
    assert_eq!(f.held_on.to_string(), "2026-03-12");
    assert_eq!(
        f.times.map(|t| (t.starts_at().to_string(), t.ends_at().to_string())),
        Some(("14:30".into(), "16:00".into()))
    );
    assert_eq!(
        rows[0].attendance,
        [
            (MemberId(1), Attendance::Present, String::new()),
            (MemberId(2), Attendance::Present, String::new()),
            (MemberId(3), Attendance::Leave, "出差".into()),
            (MemberId(4), Attendance::Absent, String::new()),
        ]
    );
    assert_eq!(rows[0].action, Action::Create { org: OrgId(7) });
}

#[test]
fn every_problem_is_named_with_its_code() {
    let rows = planned(
        "第一支部,支委会,2026-03-05,,,活动室,张三,李四,,学习计划,内容,张三,,\n\
         ,党课,2026-04-01,,,活动室,张三,李四,,党课一,内容,,,\n\
         ,茶话会,2026-04-02,,,活动室,张三,李四,,主题,内容,,,\n\
         ,主题党日,明年,,,活动室,张三,李四,,主题,内容,,,\n\
         查无此支部,主题党日,2026-04-03,,,活动室,张三,李四,,主题,内容,,,\n\
         第二支部,主题党日,2026-04-03,,,活动室,张三,李四,,主题,内容,,,\n\
         ,主题党日,2026-08-01,,,活动室,张三,李四,,主题,内容,张三 赵六,,\n\
         ,主题党日,2026-04-04,,,活动室,张三,李四,,主题,内容,刘洋,王五,\n\
         ,主题党日,2026-04-05,,,活动室,张三,李四,,主题,内容,张三,张三（病）,\n\
         ,主题党日,2026-04-06,15:00,14:00,活动室,张三,李四,,主题,内容,,,\n\
         ,主题党日,2026-04-07,,,活动室,张三,李四,,重复的主题,内容,,,\n\
         ,主题党日,2026-04-07,,,活动室,张三,李四,,重复的主题,内容,,,\n\
         ,主题党日,2026-04-08,,,,张三,李四,,主题,内容,,,\n",
    );
    let by_line: Vec<(usize, Vec<&str>)> = rows.iter().map(|r| (r.line, codes(r))).collect();
    assert_eq!(
        by_line,
        [
            (2, vec!["import.meeting_exists"]),
            (3, vec!["import.value_missing"]),
            (4, vec!["meeting.kind_unknown"]),
            (5, vec!["import.date_invalid", "import.value_missing"]),
            (6, vec!["import.org_unknown"]),
            (7, vec!["import.org_ambiguous"]),
            (8, vec!["import.attendee_unknown"]),
            (9, vec!["import.attendee_ambiguous", "import.leave_reason_missing"]),
            (10, vec!["import.attendee_twice"]),
            (11, vec!["meeting.times_out_of_order"]),
            (12, vec![]),
            (13, vec!["import.duplicate_in_file"]),
            (14, vec!["import.value_missing"]),
        ]
    );
    assert_eq!(rows[0].action, Action::Existing(MeetingId(40)));
    assert!(rows.iter().filter(|r| r.has_errors()).all(|r| r.action == Action::None));
}

#[test]
fn names_split_on_any_separator_and_keep_reasons_with_commas_inside_brackets() {
    assert_eq!(
        names("张三，李四;王五 （病假，住院）、 赵六"),
        [
            ("张三".to_owned(), String::new()),
            ("李四".into(), String::new()),
            ("王五".into(), "病假，住院".into()),
            ("赵六".into(), String::new()),
        ]
    );
}
