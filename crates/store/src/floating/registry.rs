//! Imported registry extracts (流动党员信息库): the rows are matched (by the pure rules of
//! `qiangji_domain::floating::registry`) against the members of the importing organization's
//! subtree, read inside the import's transaction, and the batch and its findings are stored with
//! one `registry.imported` ledger entry.

use crate::access::Access;
use crate::error::StoreError;
use crate::ledger::{NewEntry, Write, now};
use crate::org::write::{load as load_org, next_id};
use crate::seal::Field;
use crate::{Store, params};
use qiangji_domain::floating::registry::{
    InvalidRow, MatchReport, MemberRef, RegistryFlag, RegistryRow, RegistrySource, match_rows,
};
use qiangji_domain::id_number::IdNumber;
use qiangji_domain::member::MemberId;
use qiangji_domain::org::OrgId;

/// Members looked up per statement.
const CHUNK: usize = 500;

/// A stored import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub id: i64,
    pub org_id: OrgId,
    pub source: RegistrySource,
    pub file_name: String,
    pub area: String,
    pub rows: i64,
    pub matched: i64,
    pub unknown: i64,
    pub invalid: i64,
    pub arrivals: i64,
    pub departures: i64,
    pub unit_changes: i64,
    pub imported_at: String,
    pub imported_by: String,
}

/// One stored finding: a flagged member row, or an invalid row (no member, the reason as detail).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchRow {
    pub line: i64,
    pub member_id: Option<MemberId>,
    /// The member's name now, if still within sight.
    pub member_name: String,
    /// Masked.
    pub id_number: String,
    pub flags: Vec<RegistryFlag>,
    pub detail: String,
}

/// What to import: where from, the file's name, the area places are compared with, and the rows.
pub struct Import<'a> {
    pub source: RegistrySource,
    pub file_name: &'a str,
    pub area: &'a str,
    pub rows: &'a [RegistryRow],
    pub invalid: Vec<InvalidRow>,
}

const BATCH_COLUMNS: &str = "b.id, b.org_id, b.source, b.file_name, b.area, b.row_count, b.matched, b.unknown, b.invalid, \
     b.arrivals, b.departures, b.unit_changes, b.imported_at, b.imported_by";

fn batch_of(r: &crate::db::Row) -> Result<Batch, StoreError> {
    Ok(Batch {
        id: r.int(0),
        org_id: OrgId(r.int(1)),
        source: RegistrySource::parse(&r.text(2)).map_err(|e| StoreError::Other(e.to_string()))?,
        file_name: r.text(3),
        area: r.text(4),
        rows: r.int(5),
        matched: r.int(6),
        unknown: r.int(7),
        invalid: r.int(8),
        arrivals: r.int(9),
        departures: r.int(10),
        unit_changes: r.int(11),
        imported_at: r.text(12),
        imported_by: r.text(13),
    })
}

impl Store {
    /// Matches an extract against the members of `org`'s subtree and stores the outcome.
    pub async fn import_registry(
        &self,
        access: &Access,
        org: OrgId,
        import: Import<'_>,
    ) -> Result<(i64, MatchReport), StoreError> {
        access.require(access.may_edit_members())?;
        let mut w = Write::begin(self).await?;
        let org = load_org(&mut w.tx, access, org).await?;
        let mut wanted: Vec<String> =
            import.rows.iter().map(|r| w.keys.index(Field::IdNumber, r.id_number.as_str())).collect();
        wanted.sort_unstable();
        wanted.dedup();
        let mut members = Vec::new();
        for chunk in wanted.chunks(CHUNK) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let mut p: Vec<crate::db::Value> = chunk.iter().map(|s| s.clone().into()).collect();
            p.push(org.path.clone().into());
            p.push(format!("{}~", org.path).into());
            for r in
                w.tx.all(
                    &format!(
                        "SELECT m.id, m.id_number, m.name, m.address, m.work_unit, m.floating FROM member m \
                         JOIN org o ON o.id = m.org_id WHERE m.id_number_index IN ({marks}) AND o.path >= ? AND o.path < ? \
                         AND m.status IN ('active', 'suspended')"
                    ),
                    p,
                )
                .await?
            {
                members.push(MemberRef {
                    id: MemberId(r.int(0)),
                    id_number: IdNumber::parse(&w.keys.open(Field::IdNumber, &r.text(1))?)
                        .map_err(|e| StoreError::Other(e.to_string()))?,
                    name: r.text(2),
                    address: r.text(3),
                    work_unit: r.text(4),
                    floating: r.flag(5),
                });
            }
        }
        let report = match_rows(import.rows, import.invalid, &members, import.area);
        let id = next_id(&mut w.tx, "registry_batch").await?;
        let count = |n: usize| n as i64;
        w.tx.exec(
            &format!(
                "INSERT INTO registry_batch ({}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                BATCH_COLUMNS.replace("b.", "")
            ),
            params![
                id,
                org.id.0,
                import.source.code(),
                import.file_name,
                import.area,
                count(report.rows),
                count(report.matched),
                count(report.unknown),
                count(report.invalid.len()),
                count(report.count(RegistryFlag::Arrival)),
                count(report.count(RegistryFlag::Departure)),
                count(report.count(RegistryFlag::UnitChange)),
                now(),
                access.actor_name()
            ],
        )
        .await?;
        let mut next = next_id(&mut w.tx, "registry_result").await?;
        for m in &report.flagged {
            let flags: Vec<&str> = m.flags.iter().map(|f| f.code()).collect();
            w.tx.exec(
                "INSERT INTO registry_result (id, batch_id, line, member_id, id_number, flags, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
                params![next, id, count(m.line), m.member.0, m.id_number.masked(), flags.join(","), m.detail.as_str()],
            )
            .await?;
            next += 1;
        }
        for r in &report.invalid {
            w.tx.exec(
                "INSERT INTO registry_result (id, batch_id, line, member_id, id_number, flags, detail) VALUES (?, ?, ?, NULL, '', '', ?)",
                params![next, id, count(r.line), r.reason.as_str()],
            )
            .await?;
            next += 1;
        }
        w.record(
            access,
            NewEntry {
                kind: "registry.imported",
                org_path: &org.path,
                subject: format!("registry:{id}"),
                payload: serde_json::json!({
                    "source": import.source.code(), "file_name": import.file_name, "area": import.area,
                    "rows": report.rows, "matched": report.matched, "unknown": report.unknown,
                    "invalid": report.invalid.len(),
                    "arrivals": report.count(RegistryFlag::Arrival),
                    "departures": report.count(RegistryFlag::Departure),
                    "unit_changes": report.count(RegistryFlag::UnitChange),
                }),
                reason: "",
            },
        )
        .await?;
        w.commit().await?;
        Ok((id, report))
    }

    /// Imports made by organizations in `org`'s subtree, newest first.
    pub async fn list_registry_batches(&self, access: &Access, org: OrgId) -> Result<Vec<Batch>, StoreError> {
        let top = self.get_org(access, org).await?;
        if access.self_member_id().is_some() {
            return Ok(Vec::new());
        }
        let (pred, scope) = access.org_predicate();
        let mut p = params![top.path.clone(), format!("{}~", top.path)];
        p.extend(scope);
        self.db
            .all(
                &format!(
                    "SELECT {BATCH_COLUMNS} FROM registry_batch b JOIN org o ON o.id = b.org_id \
                     WHERE o.path >= ? AND o.path < ? AND {pred} ORDER BY b.id DESC LIMIT 50"
                ),
                p,
            )
            .await?
            .iter()
            .map(batch_of)
            .collect()
    }

    /// One import within the grant and its findings, in file order.
    pub async fn get_registry_batch(&self, access: &Access, id: i64) -> Result<(Batch, Vec<BatchRow>), StoreError> {
        if access.self_member_id().is_some() {
            return Err(StoreError::NotFound);
        }
        let (pred, scope) = access.org_predicate();
        let mut p = params![id];
        p.extend(scope);
        let batch = batch_of(
            &self
                .db
                .one(&format!("SELECT {BATCH_COLUMNS} FROM registry_batch b JOIN org o ON o.id = b.org_id WHERE b.id = ? AND {pred}"), p)
                .await?,
        )?;
        let rows = self
            .db
            .all(
                "SELECT r.line, r.member_id, COALESCE(m.name, ''), r.id_number, r.flags, r.detail FROM registry_result r \
                 LEFT JOIN member m ON m.id = r.member_id WHERE r.batch_id = ? ORDER BY r.line",
                params![id],
            )
            .await?
            .iter()
            .map(|r| BatchRow {
                line: r.int(0),
                member_id: r.opt_int(1).map(MemberId),
                member_name: r.text(2),
                id_number: r.text(3),
                flags: r.text(4).split(',').filter_map(|c| RegistryFlag::parse(c).ok()).collect(),
                detail: r.text(5),
            })
            .collect();
        Ok((batch, rows))
    }
}
