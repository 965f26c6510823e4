//! The records of a subtree as the checks for formalism read them ([`Evidence`]): three queries,
//! one per table, instead of one per record.

use crate::access::Access;
use crate::error::StoreError;
use crate::{Store, params};
use qiangji_domain::member::MemberId;
use qiangji_domain::org::OrgId;
use qiangji_domain::orglife::{Evidence, MeetingId};
use std::collections::HashMap;

impl Store {
    /// Every record of `org`'s subtree in scope with its text, times, members present and photos.
    pub async fn list_evidence(&self, access: &Access, org: OrgId) -> Result<Vec<Evidence>, StoreError> {
        let root = self.get_org(access, org).await?;
        let (pred, scope) = access.org_predicate();
        let within = |table_sql: &str| {
            let mut p = params![root.path.as_str(), format!("{}~", root.path)];
            p.extend(scope.clone());
            (format!("{table_sql} JOIN org o ON o.id = g.org_id WHERE o.path >= ? AND o.path < ? AND {pred}"), p)
        };
        let (sql, p) = within(
            "SELECT g.id, g.org_id, g.kind, g.held_on, g.recorded_on, g.starts_at, g.ends_at, g.content, g.decisions, \
             o.name, o.short_name FROM meeting g",
        );
        let mut out = Vec::new();
        let mut index = HashMap::new();
        for r in self.db.all(&format!("{sql} ORDER BY g.id"), p).await? {
            let id = MeetingId(r.int(0));
            index.insert(id, out.len());
            out.push(Evidence {
                meeting: id,
                org: OrgId(r.int(1)),
                kind: super::kind_of(&r.text(2))?,
                held_on: super::date_of(&r, 3)?,
                recorded_on: super::date_of(&r, 4)?,
                times: super::times_of(&r.text(5), &r.text(6))?,
                text: Evidence::minutes(&r.text(7), &r.text(8)),
                org_names: vec![r.text(9), r.text(10)],
                present: Vec::new(),
                photos: Vec::new(),
            });
        }
        let (sql, p) =
            within("SELECT a.meeting_id, a.member_id FROM meeting_attendance a JOIN meeting g ON g.id = a.meeting_id");
        for r in self.db.all(&format!("{sql} AND a.attendance = 'present'"), p).await? {
            if let Some(&i) = index.get(&MeetingId(r.int(0))) {
                out[i].present.push(MemberId(r.int(1)));
            }
        }
        let (sql, p) =
            within("SELECT a.meeting_id, a.sha256 FROM meeting_attachment a JOIN meeting g ON g.id = a.meeting_id");
        for r in self.db.all(&format!("{sql} AND a.content_type LIKE 'image/%' ORDER BY a.id"), p).await? {
            if let Some(&i) = index.get(&MeetingId(r.int(0))) {
                out[i].photos.push(r.text(1));
            }
        }
        Ok(out)
    }
}
