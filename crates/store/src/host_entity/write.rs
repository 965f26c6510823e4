//! Creating and updating host entities, and storing and acting on reconciliations: each one
//! transaction under the ledger head lock, with checks inside it and a ledger entry per change.
//! Nothing is ever deleted: an entity the registry says is closed gets its status changed, one
//! missing from an extract gets a note.

use super::{HostEntity, bad, entity_of, report};
use crate::access::Access;
use crate::error::StoreError;
use crate::ledger::{NewEntry, Write, as_object, diff, now};
use crate::org::Org;
use crate::org::write::{load as load_org, next_id};
use crate::{Store, params};
use qiangji_domain::host_entity::reconcile::{ReconcileSource, Report, read_extract};
use qiangji_domain::host_entity::{HostEntityError, HostEntityFields, HostEntityId};
use qiangji_domain::org::OrgId;
use sha2::{Digest, Sha256};

/// Largest extract kept (bytes): a county's registry is a few megabytes.
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;

qiangji_domain::code_enum!(
    /// What an officer does from a reconciliation's report.
    Apply, "reconcile_action", {
    TakeIn = ("take_in", "将新登记的单位收录到台账"),
    Deregister = ("deregister", "将名单显示注销、吊销的单位改为相应状态"),
    MarkMissing = ("mark_missing", "将名单中没有的单位标为待核实"),
});

/// The fields as the ledger records them.
fn rendered(f: &HostEntityFields) -> Vec<(&'static str, String)> {
    let opt = |v: Option<String>| v.unwrap_or_default();
    vec![
        ("credit_code", f.credit_code.to_string()),
        ("name", f.name.clone()),
        ("kind", f.kind.code().to_owned()),
        ("registered_on", opt(f.registered_on.map(|d| d.to_string()))),
        ("legal_rep", f.legal_rep.clone()),
        ("address", f.address.clone()),
        ("employees", opt(f.employees.map(|n| n.to_string()))),
        ("status", f.status.code().to_owned()),
        ("party_org_id", opt(f.party_org_id.map(|n| n.to_string()))),
    ]
}

/// The stored columns of the fields, in the order credit_code, name, kind, registered_on,
/// legal_rep, address, employees, status, party_org_id.
fn values(f: &HostEntityFields) -> Vec<crate::db::Value> {
    params![
        f.credit_code.as_str(),
        f.name.as_str(),
        f.kind.code(),
        f.registered_on,
        f.legal_rep.as_str(),
        f.address.as_str(),
        f.employees,
        f.status.code(),
        f.party_org_id
    ]
}

/// Checks, inside the write, what the fields point at: the Party organization within the grant,
/// and the credit code not registered to another entity.
async fn check(
    w: &mut Write,
    access: &Access,
    f: &HostEntityFields,
    own: Option<HostEntityId>,
) -> Result<(), StoreError> {
    if let Some(p) = f.party_org_id {
        match load_org(&mut w.tx, access, OrgId(p)).await {
            Err(StoreError::NotFound) => return Err(HostEntityError::PartyOrgOutside.into()),
            r => {
                r?;
            }
        }
    }
    let other = w.tx.opt("SELECT id FROM host_entity WHERE credit_code = ?", params![f.credit_code.as_str()]).await?;
    if other.is_some_and(|r| Some(HostEntityId(r.int(0))) != own) {
        return Err(HostEntityError::Duplicate(f.credit_code.to_string()).into());
    }
    Ok(())
}

/// Inserts one entity under `org` with its `host_entity.created` entry.
async fn insert(
    w: &mut Write,
    access: &Access,
    org: &Org,
    f: &HostEntityFields,
    reason: &str,
    reconciliation: Option<i64>,
) -> Result<HostEntityId, StoreError> {
    check(w, access, f, None).await?;
    let id = next_id(&mut w.tx, "host_entity").await?;
    let at = now();
    w.tx.exec(
        "INSERT INTO host_entity (id, org_id, credit_code, name, kind, registered_on, legal_rep, address, employees, \
         status, party_org_id, check_note, created_at, created_by, updated_at, updated_by) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?)",
        [params![id, org.id.0], values(f), params![at.clone(), access.actor_name(), at, access.actor_name()]].concat(),
    )
    .await?;
    let mut payload = as_object(&rendered(f));
    payload["summary"] = serde_json::json!(format!("登记两新组织“{}”（{}）", f.name, f.credit_code));
    if let Some(r) = reconciliation {
        payload["reconciliation_id"] = serde_json::json!(r);
    }
    w.record(
        access,
        NewEntry {
            kind: "host_entity.created",
            org_path: &org.path,
            subject: format!("host_entity:{id}"),
            payload,
            reason,
        },
    )
    .await?;
    Ok(HostEntityId(id))
}

/// The entity `id` as stored now, read inside the write, with its organization (within the grant).
async fn load(w: &mut Write, access: &Access, id: HostEntityId) -> Result<(HostEntity, Org), StoreError> {
    let (pred, scope) = access.org_predicate();
    let mut p = params![id.0];
    p.extend(scope);
    let e = entity_of(
        &w.tx.one(&format!("SELECT {} FROM {} WHERE h.id = ? AND {pred}", super::COLUMNS, super::FROM), p).await?,
    )?;
    let org = load_org(&mut w.tx, access, e.org_id).await?;
    Ok((e, org))
}

/// Writes an entity's new fields and note with its `host_entity.updated` entry (none when
/// nothing changed).
async fn save(
    w: &mut Write,
    access: &Access,
    (old, org): (&HostEntity, &Org),
    f: &HostEntityFields,
    note: &str,
    reason: &str,
) -> Result<(), StoreError> {
    let mut changes = diff(&rendered(&old.fields), &rendered(f));
    if note != old.check_note {
        changes.insert("check_note".into(), serde_json::json!([old.check_note, note]));
    }
    if changes.is_empty() {
        return Ok(());
    }
    w.tx.exec(
        "UPDATE host_entity SET credit_code = ?, name = ?, kind = ?, registered_on = ?, legal_rep = ?, address = ?, \
         employees = ?, status = ?, party_org_id = ?, check_note = ?, updated_at = ?, updated_by = ? WHERE id = ?",
        [values(f), params![note, now(), access.actor_name(), old.id.0]].concat(),
    )
    .await?;
    w.record(
        access,
        NewEntry {
            kind: "host_entity.updated",
            org_path: &org.path,
            subject: format!("host_entity:{}", old.id.0),
            payload: serde_json::json!({ "summary": format!("修改两新组织“{}”", f.name), "changes": changes }),
            reason,
        },
    )
    .await?;
    Ok(())
}

impl Store {
    /// Registers host entities under `org`, all or none (the demo's and a reconciliation's
    /// batches); each one gets its `host_entity.created` entry.
    pub async fn create_host_entities(
        &self,
        access: &Access,
        org: OrgId,
        entities: &[HostEntityFields],
        reason: &str,
    ) -> Result<Vec<HostEntityId>, StoreError> {
        access.require(access.may_edit_members())?;
        let mut w = Write::begin(self).await?;
        let org = load_org(&mut w.tx, access, org).await?;
        let mut ids = Vec::with_capacity(entities.len());
        for f in entities {
            ids.push(insert(&mut w, access, &org, f, reason, None).await?);
        }
        w.commit().await?;
        Ok(ids)
    }

    /// Changes an entity's fields; saving clears a 待核实 note (someone has looked at it).
    pub async fn update_host_entity(
        &self,
        access: &Access,
        id: HostEntityId,
        f: &HostEntityFields,
        reason: &str,
    ) -> Result<(), StoreError> {
        access.require(access.may_edit_members())?;
        let mut w = Write::begin(self).await?;
        let (old, org) = load(&mut w, access, id).await?;
        check(&mut w, access, f, Some(id)).await?;
        save(&mut w, access, (&old, &org), f, "", reason).await?;
        w.commit().await
    }

    /// Reconciles an extract with the registry of `org`'s area and keeps the file and the size of
    /// each section, with a `host_entity.reconciled` entry; returns the run's id and the report.
    pub async fn reconcile_extract(
        &self,
        access: &Access,
        org: OrgId,
        source: ReconcileSource,
        file_name: &str,
        content: &[u8],
    ) -> Result<(i64, Report), StoreError> {
        access.require(access.may_edit_members())?;
        if content.len() > MAX_FILE_BYTES {
            return Err(StoreError::Refused {
                code: "import.file_too_large",
                message: format!("文件超过{}MB，请分成几个文件比对", MAX_FILE_BYTES / 1024 / 1024),
            });
        }
        let (rows, unreadable) = read_extract(content)?;
        let mut w = Write::begin(self).await?;
        let org = load_org(&mut w.tx, access, org).await?;
        let report = report(&mut w.tx, &org.path, source, rows, unreadable).await?;
        let c = report.counts();
        let id = next_id(&mut w.tx, "host_entity_reconciliation").await?;
        let sha = hex::encode(Sha256::digest(content));
        let n = |v: usize| v as i64;
        w.tx.exec(
            "INSERT INTO host_entity_reconciliation (id, org_id, source, file_name, sha256, content, row_count, \
             equal_count, mismatched_count, closed_count, new_count, missing_count, unreadable_count, created_at, \
             created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            params![
                id,
                org.id.0,
                source.code(),
                file_name,
                sha.as_str(),
                content,
                n(c.rows),
                n(c.equal),
                n(c.mismatched),
                n(c.closed),
                n(c.new),
                n(c.missing),
                n(c.unreadable),
                now(),
                access.actor_name()
            ],
        )
        .await?;
        w.record(
            access,
            NewEntry {
                kind: "host_entity.reconciled",
                org_path: &org.path,
                subject: format!("reconciliation:{id}"),
                payload: serde_json::json!({
                    "summary": format!("比对{}名单“{file_name}”：{}行", source.label(), c.rows),
                    "source": source.code(), "file_name": file_name, "sha256": sha,
                    "rows": c.rows, "equal": c.equal, "mismatched": c.mismatched, "closed": c.closed,
                    "new": c.new, "missing": c.missing, "unreadable": c.unreadable,
                }),
                reason: "",
            },
        )
        .await?;
        w.commit().await?;
        Ok((id, report))
    }

    /// Acts on a reconciliation's report, computed again inside the write against the registry as
    /// it is now, all or nothing: takes in the new registrations (under the run's organization, of
    /// the source's kind), changes the status of entities the extract says are closed, or notes
    /// those it does not name. Returns how many entities it wrote.
    pub async fn apply_reconciliation(
        &self,
        access: &Access,
        id: i64,
        action: Apply,
        reason: &str,
    ) -> Result<usize, StoreError> {
        let (run, content) = self.get_reconciliation(access, id).await?;
        let (rows, unreadable) = read_extract(&content)?;
        let mut w = Write::begin(self).await?;
        let org = load_org(&mut w.tx, access, run.org_id).await?;
        let report = report(&mut w.tx, &org.path, run.source, rows, unreadable).await?;
        let why = |what: &str| {
            if reason.trim().is_empty() {
                format!("{}名单比对（第{id}次）：{what}", run.source.label())
            } else {
                reason.trim().to_owned()
            }
        };
        let mut done = 0;
        match action {
            Apply::TakeIn => {
                for n in report.new.iter().filter(|n| n.takeable()) {
                    let f = n.row.fields(run.source.kind())?;
                    insert(&mut w, access, &org, &f, &why("新登记"), Some(id)).await?;
                    done += 1;
                }
            }
            Apply::Deregister => {
                for m in &report.closed {
                    let (old, at) = load(&mut w, access, m.id).await?;
                    let status = m.extract_status.ok_or_else(|| bad("名单状态"))?;
                    let f = HostEntityFields { status, ..old.fields.clone() };
                    let note = old.check_note.clone();
                    save(&mut w, access, (&old, &at), &f, &note, &why(status.label())).await?;
                    done += 1;
                }
            }
            Apply::MarkMissing => {
                let today = qiangji_domain::date::today();
                let note = format!("{today} {}名单（第{id}次比对）中没有，待核实", run.source.label());
                for e in &report.missing {
                    let (old, at) = load(&mut w, access, e.id).await?;
                    if old.check_note == note {
                        continue;
                    }
                    let f = old.fields.clone();
                    save(&mut w, access, (&old, &at), &f, &note, &why("名单中没有")).await?;
                    done += 1;
                }
            }
        }
        if done == 0 {
            return Err(HostEntityError::NothingToDo.into());
        }
        w.commit().await?;
        Ok(done)
    }
}
