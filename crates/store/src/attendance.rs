//! Members' attendance by month, across all the records they were on: what absence streaks (党章第九条)
//! are computed from. A month is summed up as "present at something" and "absent from something";
//! a month with records but neither (only 请假) breaks a streak.

use crate::Store;
use crate::access::Access;
use crate::db::Row;
use crate::error::StoreError;
use qiangji_domain::Date;
use qiangji_domain::member::MemberId;
use qiangji_domain::orglife::MeetingId;

/// One member's attendance in one calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttendanceMonth {
    pub member_id: MemberId,
    /// The month's first day.
    pub month: Date,
    pub present: bool,
    pub absent: bool,
}

/// Members asked about at once; keeps statements within every backend's parameter limit.
const CHUNK: usize = 500;

impl Store {
    /// Members in scope absent (缺席) in at least `min_months` distinct months: only they can be
    /// on a streak that long. Uses the partial index of absences, not the whole attendance table.
    pub async fn absence_candidates(&self, access: &Access, min_months: u32) -> Result<Vec<MemberId>, StoreError> {
        let (pred, mut p) = access.org_predicate();
        p.push(i64::from(min_months).into());
        let rows = self
            .db
            .all(
                &format!(
                    "SELECT a.member_id FROM meeting_attendance a JOIN meeting g ON g.id = a.meeting_id \
                     JOIN org o ON o.id = g.org_id WHERE a.attendance = 'absent' AND {pred} \
                     GROUP BY a.member_id HAVING COUNT(DISTINCT substr(g.held_on, 1, 7)) >= ?"
                ),
                p,
            )
            .await?;
        Ok(rows.iter().map(|r| MemberId(r.int(0))).collect())
    }

    /// Every month in which `members` were on a record in scope, oldest first per member.
    pub async fn attendance_months(
        &self,
        access: &Access,
        members: &[MemberId],
    ) -> Result<Vec<AttendanceMonth>, StoreError> {
        let ids: Vec<i64> = members.iter().map(|m| m.0).collect();
        let sql = |marks: &str, pred: &str| {
            format!(
                "SELECT a.member_id, substr(g.held_on, 1, 7), \
                 COUNT(CASE WHEN a.attendance = 'present' THEN 1 END), \
                 COUNT(CASE WHEN a.attendance = 'absent' THEN 1 END) \
                 FROM meeting_attendance a JOIN meeting g ON g.id = a.meeting_id \
                 JOIN org o ON o.id = g.org_id WHERE a.member_id IN ({marks}) AND {pred} \
                 GROUP BY a.member_id, substr(g.held_on, 1, 7) ORDER BY a.member_id, 2"
            )
        };
        let mut out = Vec::new();
        for r in &self.in_chunks(access, &ids, sql).await? {
            let month = qiangji_domain::date::parse(&format!("{}-01", r.text(1)))
                .ok_or_else(|| StoreError::Other(format!("数据库中的组织生活日期无法识别：{}", r.text(1))))?;
            out.push(AttendanceMonth {
                member_id: MemberId(r.int(0)),
                month,
                present: r.int(2) > 0,
                absent: r.int(3) > 0,
            });
        }
        Ok(out)
    }

    /// Members on the records `meetings`, for following new records.
    pub async fn members_on(&self, access: &Access, meetings: &[MeetingId]) -> Result<Vec<MemberId>, StoreError> {
        let ids: Vec<i64> = meetings.iter().map(|m| m.0).collect();
        let sql = |marks: &str, pred: &str| {
            format!(
                "SELECT DISTINCT a.member_id FROM meeting_attendance a JOIN meeting g ON g.id = a.meeting_id \
                 JOIN org o ON o.id = g.org_id WHERE a.meeting_id IN ({marks}) AND {pred}"
            )
        };
        Ok(self.in_chunks(access, &ids, sql).await?.iter().map(|r| MemberId(r.int(0))).collect())
    }

    /// Runs `sql(placeholders, scope predicate)` for `ids` a chunk at a time; rows in chunk order.
    async fn in_chunks(
        &self,
        access: &Access,
        ids: &[i64],
        sql: impl Fn(&str, &str) -> String,
    ) -> Result<Vec<Row>, StoreError> {
        let mut out = Vec::new();
        for chunk in ids.chunks(CHUNK) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let (pred, scope) = access.org_predicate();
            let mut p: Vec<crate::db::Value> = chunk.iter().map(|&i| i.into()).collect();
            p.extend(scope);
            out.extend(self.db.all(&sql(&marks, pred), p).await?);
        }
        Ok(out)
    }
}
