//! Importing organizational-life records (组织生活记录) kept in a spreadsheet — the ledger of
//! 三会一课 many branches keep in Excel before they use the system: every row one meeting, with
//! who attended, who was on leave and who was absent written as names. A record already there (same
//! organization, kind, day and topic) is skipped.

use super::{Columns, DedupeMode, Header, Issue, OrgProblem, Outcome, Planned, RowReader, coded, resolve_org};
use crate::date::Date;
use crate::member::MemberId;
use crate::org::OrgId;
use crate::orglife::{Attendance, MeetingError, MeetingFields, MeetingId, MeetingInput, MeetingKind};
use qiangji_sheet::Table;
use std::collections::{HashMap, HashSet};

/// The columns of the meeting template, with the other names they go by in real files.
pub const COLUMNS: Columns = &[
    ("党组织", &["所在党组织", "组织名称", "所在支部", "支部名称"]),
    ("活动类型", &["会议类型", "活动形式", "类型"]),
    ("活动日期", &["会议日期", "召开日期", "日期", "时间"]),
    ("开始时间", &[]),
    ("结束时间", &[]),
    ("活动地点", &["会议地点", "地点"]),
    ("主持人", &[]),
    ("记录人", &[]),
    ("授课人", &["主讲人"]),
    ("主题", &["会议主题", "活动主题", "议题"]),
    ("活动内容", &["会议内容", "主要内容", "内容"]),
    ("决定事项", &["会议决定", "决议"]),
    ("出席", &["出席人员", "参会人员", "实到人员"]),
    ("请假", &["请假人员"]),
    ("缺席", &["缺席人员"]),
];

/// Columns without which a sheet of meetings cannot be read.
pub const REQUIRED: &[&str] = &["活动类型", "活动日期", "主题"];

/// Why a name on an attendance list does not resolve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberProblem {
    /// Nobody of that name belonged to the organization that day.
    NotMember,
    /// Two members of the organization that day share the name.
    Ambiguous,
}

/// Where the planner looks organizations, members and records up, within the importer's scope.
pub trait Lookup {
    /// The organization imported into: rows naming none are its records.
    fn root(&self) -> OrgId;
    /// The organization named `name` (or `上级/…/名称`), not dissolved, if exactly one in scope.
    fn org(&self, name: &str) -> Result<OrgId, OrgProblem>;
    /// The member named `name` who belonged to `org` on `day`.
    fn member(&self, org: OrgId, day: Date, name: &str) -> Result<MemberId, MemberProblem>;
    /// A record of `org` of this kind, day and topic, if there is one.
    fn recorded(&self, org: OrgId, kind: MeetingKind, day: Date, topic: &str) -> Option<MeetingId>;
}

/// What a row will do when the batch is committed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create {
        org: OrgId,
    },
    /// Recorded already: skipped.
    Existing(MeetingId),
    None,
}

/// A row of the file as read.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedMeeting {
    pub line: usize,
    pub topic: String,
    pub held_on: String,
    pub fields: Option<MeetingFields>,
    /// Each member named on the lists, once: how they attended and the reason given.
    pub attendance: Vec<(MemberId, Attendance, String)>,
    pub action: Action,
    pub issues: Vec<Issue>,
}

impl Planned for PlannedMeeting {
    fn line(&self) -> usize {
        self.line
    }

    fn label(&self) -> String {
        self.topic.clone()
    }

    fn key(&self) -> String {
        self.held_on.clone()
    }

    fn outcome(&self) -> Outcome {
        match self.action {
            Action::Create { .. } => Outcome::Create,
            Action::Existing(_) => Outcome::Existing(DedupeMode::Skip),
            Action::None => Outcome::None,
        }
    }

    fn issues(&self) -> &[Issue] {
        &self.issues
    }
}

/// The organization names the rows of `table` give (for the store to load those organizations'
/// rosters only).
pub fn org_names(table: &Table) -> Vec<String> {
    let header = Header::find(table, COLUMNS);
    let names: HashSet<String> =
        table.rows.iter().map(|(_, cells)| RowReader::new(cells, &header).text("党组织")).collect();
    names.into_iter().filter(|n| !n.is_empty()).collect()
}

/// Reads every row of `table` into a plan.
pub fn plan(table: &Table, lookup: &dyn Lookup, today: Date) -> Vec<PlannedMeeting> {
    let header = Header::find(table, COLUMNS);
    let mut seen: HashMap<(OrgId, MeetingKind, Date, String), usize> = HashMap::new();
    table
        .rows
        .iter()
        .map(|(line, cells)| {
            let mut row = read_row(*line, cells, &header, lookup, today);
            if let (Action::Create { org }, Some(f)) = (row.action, &row.fields) {
                match seen.entry((org, f.kind, f.held_on, f.topic.clone())) {
                    std::collections::hash_map::Entry::Occupied(first) => {
                        row.issues.push(Issue::error(
                            "import.duplicate_in_file",
                            "主题",
                            format!("与第{}行是同一组织同一天同一主题的同类活动", first.get()),
                        ));
                        row.action = Action::None;
                    }
                    std::collections::hash_map::Entry::Vacant(slot) => {
                        slot.insert(*line);
                    }
                }
            }
            row
        })
        .collect()
}

fn read_row(
    line: usize,
    cells: &[qiangji_sheet::Cell],
    header: &Header,
    lookup: &dyn Lookup,
    today: Date,
) -> PlannedMeeting {
    let mut r = RowReader::new(cells, header);
    let org_name = r.text("党组织");
    let held_on = r.date("活动日期");
    let mut kinds: Vec<(&str, &str)> = MeetingKind::ALL.iter().map(|k| (k.label(), k.code())).collect();
    kinds.extend([
        ("党员大会", MeetingKind::GeneralMeeting.code()),
        ("支委会", MeetingKind::CommitteeMeeting.code()),
        ("支部委员会", MeetingKind::CommitteeMeeting.code()),
        ("党小组会议", MeetingKind::GroupMeeting.code()),
        ("主题党日活动", MeetingKind::ThemeDay.code()),
    ]);
    let input = MeetingInput {
        kind: coded(r.text("活动类型"), &kinds),
        held_on: held_on.clone(),
        place: r.text("活动地点"),
        host: r.text("主持人"),
        recorder: r.text("记录人"),
        lecturer: r.text("授课人"),
        topic: r.text("主题"),
        content: r.text("活动内容"),
        decisions: r.text("决定事项"),
        starts_at: clock(r.text("开始时间")),
        ends_at: clock(r.text("结束时间")),
    };
    let lists = [
        (Attendance::Present, "出席", r.text("出席")),
        (Attendance::Leave, "请假", r.text("请假")),
        (Attendance::Absent, "缺席", r.text("缺席")),
    ];
    let mut issues = r.finish();
    let fields = match input.validate(today) {
        Ok(f) => Some(f),
        Err(errors) => {
            for e in errors {
                let code = match e {
                    MeetingError::Missing { .. } => "import.value_missing",
                    ref other => other.code(),
                };
                issues.push(Issue::error(code, column_of(e.field()), e.to_string()));
            }
            None
        }
    };
    let org = match org_name.as_str() {
        "" => Some(lookup.root()),
        name => resolve_org(name, "党组织", "党组织", |n| lookup.org(n), &mut issues),
    };
    // Names are checked against the day's roster even when other columns are wrong, so that one
    // upload shows everything to mend.
    let day = fields.as_ref().map(|f| f.held_on).or_else(|| crate::date::parse(&held_on));
    let mut attendance = Vec::new();
    if let (Some(org), Some(day)) = (org, day) {
        let mut named: HashMap<MemberId, &str> = HashMap::new();
        for (how, column, list) in &lists {
            for (name, reason) in names(list) {
                if *how == Attendance::Leave && reason.is_empty() {
                    issues.push(Issue::error(
                        "import.leave_reason_missing",
                        column,
                        format!("请假的“{name}”须写明原因，例如“{name}（出差）”"),
                    ));
                    continue;
                }
                match lookup.member(org, day, &name) {
                    Ok(m) => {
                        if let Some(first) = named.insert(m, column) {
                            issues.push(Issue::error(
                                "import.attendee_twice",
                                column,
                                format!("“{name}”既在“{first}”又在“{column}”中"),
                            ));
                        } else {
                            attendance.push((m, *how, reason));
                        }
                    }
                    Err(MemberProblem::NotMember) => issues.push(Issue::error(
                        "import.attendee_unknown",
                        column,
                        format!("{day}时本组织没有名为“{name}”的党员"),
                    )),
                    Err(MemberProblem::Ambiguous) => issues.push(Issue::error(
                        "import.attendee_ambiguous",
                        column,
                        format!("本组织有两名以上党员名为“{name}”，请在系统中逐条登记其出席情况"),
                    )),
                }
            }
        }
    }
    let action = match (org, &fields) {
        _ if issues.iter().any(|i| i.error) => Action::None,
        (Some(org), Some(f)) => match lookup.recorded(org, f.kind, f.held_on, &f.topic) {
            Some(id) => {
                issues.push(Issue::warning(
                    "import.meeting_exists",
                    "主题",
                    "本组织这一天已有同一主题的同类活动记录，跳过这一行",
                ));
                Action::Existing(id)
            }
            None => Action::Create { org },
        },
        _ => Action::None,
    };
    PlannedMeeting { line, topic: input.topic.clone(), held_on, fields, attendance, action, issues }
}

/// A time written 14:30, 14：30, 14.30 or 14时30分, as 'HH:MM'; anything
/// else as written, for the validation to report.
fn clock(raw: String) -> String {
    let t = raw.replace(['.', '时', '：'], ":").replace('分', "");
    match t.split_once(':') {
        Some((h, m)) if !h.is_empty() && h.len() <= 2 && m.len() == 2 => format!("{h:0>2}:{m}"),
        _ => raw,
    }
}

/// The names of an attendance list — separated by 、，,；; or spaces — each with the reason in
/// brackets after it, if any: "张三、李四（出差）".
fn names(list: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut current = String::new();
    let mut push = |s: &mut String| {
        let item = std::mem::take(s);
        let item = item.trim();
        if item.is_empty() {
            return;
        }
        if item.starts_with(['（', '(']) {
            // "王五 （出差）": the reason of the name before it.
            if let Some(last) = out.last_mut().filter(|l: &&mut (String, String)| l.1.is_empty()) {
                last.1 = item.trim_start_matches(['（', '(']).trim_end_matches(['）', ')']).trim().to_owned();
                return;
            }
        }
        match item.split_once(['（', '(']) {
            Some((name, rest)) => {
                out.push((name.trim().to_owned(), rest.trim_end_matches(['）', ')']).trim().to_owned()))
            }
            None => out.push((item.to_owned(), String::new())),
        }
    };
    for c in list.chars() {
        match c {
            '（' | '(' => {
                depth += 1;
                current.push(c);
            }
            '）' | ')' => {
                depth = depth.saturating_sub(1);
                current.push(c);
            }
            '、' | '，' | ',' | '；' | ';' | ' ' | '\n' if depth == 0 => push(&mut current),
            _ => current.push(c),
        }
    }
    push(&mut current);
    out
}

/// The template column of a meeting field.
fn column_of(field: &str) -> &'static str {
    match field {
        "kind" => "活动类型",
        "held_on" => "活动日期",
        "place" => "活动地点",
        "host" => "主持人",
        "recorder" => "记录人",
        "lecturer" => "授课人",
        "topic" => "主题",
        "content" => "活动内容",
        "decisions" => "决定事项",
        "starts_at" => "开始时间",
        "ends_at" => "结束时间",
        _ => "",
    }
}

#[cfg(test)]
#[path = "meeting_tests.rs"]
mod tests;
