use super::*;
use crate::id_number::IdNumber;
use qiangji_sheet::{find_table, read};

struct Fixed;

impl Lookup for Fixed {
    fn org(&self, name: &str) -> Result<OrgId, OrgProblem> {
        match name {
            "中共甲社区支部委员会" => Ok(OrgId(7)),
            "第一支部" => Err(OrgProblem::Ambiguous),
            _ => Err(OrgProblem::Unknown),
        }
    }
    fn registered(&self, id_number: &str) -> Registered {
        match id_number {
            n if n == id(30).to_string() => Registered::Here,
            n if n == id(31).to_string() => Registered::Elsewhere,
            _ => Registered::No,
        }
    }
}

fn id(seq: u16) -> IdNumber {
    IdNumber::compose(330203, crate::date::parse("1985-03-04").unwrap(), seq)
}

fn planned(csv: &str, mode: DedupeMode) -> Vec<PlannedRow> {
    let sheet = read(csv.as_bytes()).unwrap().remove(0);
    let table = find_table(&sheet, &["姓名", "身份证号"], 2).unwrap();
    assert!(crate::import::missing_columns(&table, COLUMNS, REQUIRED).is_empty());
    plan(&table, OrgId(3), &Fixed, mode, crate::date::parse("2026-12-07").unwrap())
}

fn codes(r: &PlannedRow) -> Vec<&'static str> {
    r.issues.iter().map(|i| i.code).collect()
}

#[test]
fn a_clean_row_becomes_a_new_member_with_labels_read_as_codes() {
    let csv = format!(
        "姓名,性别,民族,身份证号,学历,职业,入党日期,转正日期,所在党组织\n张三,男,汉族,{},本科,学生,2010-07-01,2011.07.01,中共甲社区支部委员会\n",
        id(11)
    );
    let rows = planned(&csv, DedupeMode::Skip);
    assert_eq!(codes(&rows[0]), Vec::<&str>::new());
    let f = rows[0].fields.as_ref().unwrap();
    assert_eq!((f.education, f.kind), (Education::University, MemberKind::Full));
    assert_eq!(rows[0].action, Action::Create { org: OrgId(7), since: f.joined_on });
    assert_eq!(rows[0].line, 2);
}

#[test]
fn every_problem_is_named_with_its_code() {
    let csv = format!(
        "标题行\n姓名,身份证号,入党日期,所在党组织,民族,学历,职业\n\
         ,{a},2010-07-01,,汉,大专,工人（工勤技能人员）\n\
         李四,12345,2010-07-01,,汉,大专,学生\n\
         王五,{b},七月一日,,汉,大专,学生\n\
         赵六,{c},2010-07-01,不存在的支部,汉,大专,学生\n\
         钱七,{c},2010-07-01,,汉,大专,学生\n\
         孙八,{d},2010-07-01,第一支部,汉,大专,学生\n\
         周九,{e},2010-07-01,,汉,大专,学生\n\
         吴十,{f},2010-07-01,,汉,大专,学生\n",
        a = id(1),
        b = id(3),
        c = id(5),
        d = id(7),
        e = id(30),
        f = id(31)
    );
    let rows = planned(&csv, DedupeMode::Update);
    assert_eq!(codes(&rows[0]), ["import.value_missing"]);
    assert_eq!(rows[0].issues[0].column, "姓名");
    assert!(codes(&rows[1]).contains(&"member.id_number_invalid"), "{:?}", rows[1].issues);
    assert_eq!(codes(&rows[2])[0], "import.date_invalid");
    assert_eq!(codes(&rows[3]), ["import.org_unknown"]);
    assert_eq!(codes(&rows[4]), ["import.duplicate_in_file"], "the same number twice: the second is refused");
    assert_eq!(rows[4].issues[0].message, "身份证号与第6行重复");
    assert_eq!(codes(&rows[5]), ["import.org_ambiguous"]);
    assert_eq!(codes(&rows[6]), ["import.duplicate_in_db"]);
    assert!(!rows[6].has_errors(), "registered here: a warning, the mode decides");
    assert_eq!(rows[6].action, Action::Existing(DedupeMode::Update));
    assert_eq!(codes(&rows[7]), ["import.registered_elsewhere"]);
    assert!(rows.iter().filter(|r| r.has_errors()).all(|r| r.action == Action::None));
}

#[test]
fn messy_cells_are_normalised_with_a_warning_and_months_taken_as_the_first() {
    let raw = id(9).to_string();
    let full_width: String = raw[..17].chars().map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap()).collect();
    let last = raw.chars().last().unwrap();
    let csv = format!("姓名,身份证号,入党日期,民族,学历,职业\n 张三 ,{full_width}{last},2010年7月,汉族,研究生,学生\n");
    let rows = planned(&csv, DedupeMode::Skip);
    assert_eq!(rows[0].id_number, raw);
    assert_eq!(codes(&rows[0]), ["import.date_month_only", "import.normalized"]);
    assert_eq!(rows[0].fields.as_ref().unwrap().joined_on.to_string(), "2010-07-01");
    assert_eq!(rows[0].name, "张三");
}

#[test]
fn a_file_without_the_needed_columns_says_which() {
    let sheet = read("姓名,电话\n张三,1\n".as_bytes()).unwrap().remove(0);
    let table = find_table(&sheet, &["姓名"], 1).unwrap();
    assert_eq!(crate::import::missing_columns(&table, COLUMNS, REQUIRED), ["身份证号", "入党日期"]);
}

#[test]
fn a_row_shifted_by_a_column_is_refused_as_such() {
    let csv = format!(
        "姓名,身份证号,入党日期,民族,学历,职业\n张三,,{},2010-07-01,汉族,研究生,学生\n李四,{},2010-07-01,汉族,研究生,学生\n",
        id(13),
        id(15)
    );
    let rows = planned(&csv, DedupeMode::Skip);
    assert_eq!(codes(&rows[0])[0], "import.column_shift");
    assert_eq!(rows[0].action, Action::None);
    assert!(!codes(&rows[1]).contains(&"import.column_shift"));
}
