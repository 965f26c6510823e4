//! Member pages: the filtered list, the record with its history, registration/editing, moving.

pub mod edit;
pub mod export;
pub mod list;
pub mod relocate;
pub mod show;
pub mod status;

/// Chinese labels of member fields, for forms, change history and errors.
pub fn field_label(field: &str) -> &str {
    match field {
        "name" => "姓名",
        "sex" => "性别",
        "ethnicity" => "民族",
        "birth_date" => "出生日期",
        "native_place" => "籍贯",
        "id_number" => "身份证号",
        "education" => "学历",
        "school" => "毕业院校",
        "major" => "专业",
        "degree" => "学位",
        "occupation" => "职业",
        "work_unit" => "工作单位",
        "job_title" => "职务",
        "work_started_on" => "参加工作日期",
        "phone" => "联系电话",
        "address" => "家庭住址",
        "joined_on" => "入党日期",
        "full_on" => "转正日期",
        "kind" => "党员类别",
        "floating" => "流动党员",
        "lost_contact" => "失联党员",
        "hardship" => "困难党员",
        "postless" => "无职党员",
        "org" => "所在组织",
        "since" => "组织关系转入日期",
        other => other,
    }
}

pub use qiangji_domain::mask::mask_phone;
