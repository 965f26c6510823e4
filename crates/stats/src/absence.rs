//! Members on an absence streak (党章第九条): months in a row without organizational life. Kept
//! only for members absent in at least three different months — nobody else can reach the first
//! level — as one mark per month on record, and followed from new records like the rest.

use crate::day::Day;
use crate::engine::Engine;
use crate::query::Bounds;
use qiangji_domain::Date;
use qiangji_domain::member::MemberId;
use qiangji_domain::org::OrgId;
use qiangji_domain::orglife::{AbsenceLevel, Attendance, MeetingId, absence_level, absence_streak};
use qiangji_store::attendance::AttendanceMonth;
use qiangji_store::{Access, Store, StoreError};
use std::collections::HashMap;

/// A member on an absence streak of at least the first level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Absence {
    pub member: MemberId,
    /// The organization the member belongs to now.
    pub org: OrgId,
    pub months: u32,
    pub level: AbsenceLevel,
}

/// Each candidate's months, as the domain's records: a month present somewhere is `Present`, a
/// month absent and never present `Absent`, a month of leave only `Leave`.
#[derive(Debug, Default)]
pub(crate) struct Absences {
    by_member: HashMap<MemberId, Vec<(Date, Attendance)>>,
}

impl Absences {
    /// Replaces what is known of the members in `months` (sorted by member).
    fn set(&mut self, members: &[MemberId], months: &[AttendanceMonth]) {
        for m in members {
            self.by_member.remove(m);
        }
        for chunk in months.chunk_by(|a, b| a.member_id == b.member_id) {
            let missed = chunk.iter().filter(|m| m.absent && !m.present).count();
            if missed >= AbsenceLevel::ThreeMonths.months() as usize {
                let marks = chunk
                    .iter()
                    .map(|m| {
                        let a = if m.present {
                            Attendance::Present
                        } else if m.absent {
                            Attendance::Absent
                        } else {
                            Attendance::Leave
                        };
                        (m.month, a)
                    })
                    .collect();
                self.by_member.insert(chunk[0].member_id, marks);
            }
        }
    }

    pub fn bytes(&self) -> usize {
        self.by_member.capacity() * (size_of::<(MemberId, Vec<(Date, Attendance)>)>() + 1)
            + self.by_member.values().map(|v| v.capacity() * size_of::<(Date, Attendance)>()).sum::<usize>()
    }
}

impl Engine {
    /// Loads the candidates in `access`'s scope (a whole-tree access at start-up).
    pub(crate) async fn load_absences(&mut self, store: &Store, access: &Access) -> Result<(), StoreError> {
        let members = store.absence_candidates(access, AbsenceLevel::ThreeMonths.months()).await?;
        let months = store.attendance_months(access, &members).await?;
        self.absences.set(&members, &months);
        Ok(())
    }

    /// Takes the months anew of every member on the records `ids` (new records).
    pub(crate) async fn follow_absences(
        &mut self,
        store: &Store,
        access: &Access,
        ids: &[MeetingId],
    ) -> Result<(), StoreError> {
        let members = store.members_on(access, ids).await?;
        let months = store.attendance_months(access, &members).await?;
        self.absences.set(&members, &months);
        Ok(())
    }

    /// Members counted in `b` on `on` whose streak up to `on` has reached a level; longest first.
    pub(crate) fn absences_in(&self, b: &Bounds, on: Date) -> Vec<Absence> {
        let day = Day::of(on).unwrap_or(Day::OPEN);
        let mut out: Vec<Absence> = Vec::new();
        for (&member, marks) in &self.absences.by_member {
            let months = absence_streak(marks, Date::MIN, on);
            let Some(level) = absence_level(months) else { continue };
            let Some(r) = u32::try_from(member.0).ok().and_then(|id| self.row_ref(id)) else { continue };
            let p = self.org_of(r);
            if !(b.lo..b.hi).contains(&p) {
                continue;
            }
            let (rows, i) = self.rows_of(r);
            if rows.is_gone(i) || self.seen(rows, i, r, self.orgs.sector[p as usize], day).is_none() {
                continue; // left, deceased or not yet a member on the day
            }
            out.push(Absence { member, org: self.orgs.id[p as usize], months, level });
        }
        out.sort_unstable_by_key(|a| (std::cmp::Reverse(a.months), a.org, a.member));
        out
    }
}
