//! Host entities (两新组织): the registry of an organization's area with its list and download
//! (`list.rs`), one entity's page and edit form (`show.rs`), and the reconciliation of registry
//! extracts (`reconcile.rs`). The form, the JSON and the report's download are shared by the
//! pages and the API, here.

pub mod list;
pub mod reconcile;
pub mod show;

use crate::error::AppError;
use crate::export::{Cell, Column, FileFormat, TableWriter};
use crate::page::local_time;
use qiangji_domain::host_entity::reconcile::{Counts, Matched, ReconcileSource, Report};
use qiangji_domain::host_entity::{HostEntityError, HostEntityInput};
use qiangji_store::host_entity::{HostEntity, Reconciliation};
use serde::Deserialize;
use serde_json::{Value, json};

/// An entity as a form or a JSON body sends it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct HostEntityForm {
    pub credit_code: String,
    pub name: String,
    pub kind: String,
    pub registered_on: String,
    pub legal_rep: String,
    pub address: String,
    /// Text, so that a form's empty field and a JSON number both arrive.
    pub employees: StringOrNumber,
    pub status: String,
    pub party_org_id: StringOrNumber,
    /// Why it changed, for the ledger.
    pub reason: String,
}

/// A field a form sends as text and a JSON client as a number (or null).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(from = "Option<serde_json::Value>")]
pub struct StringOrNumber(pub String);

impl From<Option<Value>> for StringOrNumber {
    fn from(v: Option<Value>) -> Self {
        StringOrNumber(match v {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s,
            Some(other) => other.to_string(),
        })
    }
}

impl HostEntityForm {
    pub fn input(&self) -> HostEntityInput {
        HostEntityInput {
            credit_code: self.credit_code.clone(),
            name: self.name.clone(),
            kind: self.kind.clone(),
            registered_on: self.registered_on.clone(),
            legal_rep: self.legal_rep.clone(),
            address: self.address.clone(),
            employees: self.employees.0.clone(),
            status: self.status.clone(),
            party_org_id: self.party_org_id.0.clone(),
        }
    }

    /// The form filled with a stored entity.
    pub fn of(e: &HostEntity) -> Self {
        let f = &e.fields;
        HostEntityForm {
            credit_code: f.credit_code.to_string(),
            name: f.name.clone(),
            kind: f.kind.code().to_owned(),
            registered_on: crate::page::opt_date(f.registered_on),
            legal_rep: f.legal_rep.clone(),
            address: f.address.clone(),
            employees: StringOrNumber(f.employees.map(|n| n.to_string()).unwrap_or_default()),
            status: f.status.code().to_owned(),
            party_org_id: StringOrNumber(f.party_org_id.map(|n| n.to_string()).unwrap_or_default()),
            reason: String::new(),
        }
    }
}

/// The source of an extract from a form or query value.
pub fn source_of(s: &str) -> Result<ReconcileSource, HostEntityError> {
    ReconcileSource::parse(s.trim()).map_err(|_| HostEntityError::SourceUnknown(s.to_owned()))
}

pub fn entity_json(e: &HostEntity) -> Value {
    let f = &e.fields;
    json!({
        "id": e.id.0,
        "org_id": e.org_id.0,
        "org_name": e.org_name,
        "credit_code": f.credit_code.as_str(),
        "name": f.name,
        "kind": f.kind.code(),
        "kind_label": f.kind.label(),
        "registered_on": f.registered_on.map(|d| d.to_string()),
        "legal_rep": f.legal_rep,
        "address": f.address,
        "employees": f.employees,
        "status": f.status.code(),
        "status_label": f.status.label(),
        "party_org_id": f.party_org_id,
        "party_org_name": e.party_org_name,
        "check_note": e.check_note,
        "created_at": e.created_at,
        "created_by": e.created_by,
        "updated_at": e.updated_at,
        "updated_by": e.updated_by,
    })
}

fn counts_json(c: &Counts) -> Value {
    json!({
        "rows": c.rows, "equal": c.equal, "mismatched": c.mismatched, "closed": c.closed,
        "new": c.new, "missing": c.missing, "unreadable": c.unreadable,
    })
}

fn matched_json(m: &Matched) -> Value {
    json!({
        "line": m.line,
        "id": m.id.0,
        "credit_code": m.credit_code.as_str(),
        "name": m.name,
        "extract_status": m.extract_status.map(|s| s.code()),
        "diffs": m.diffs.iter().map(|d| json!({
            "field": d.field.code(), "label": d.field.label(), "ours": d.ours, "theirs": d.theirs,
        })).collect::<Vec<_>>(),
    })
}

/// A reconciliation as the API answers it: the run with its counts as of the run (`counts_at_run`)
/// and the report against the registry now (`counts` and a list per section).
pub fn report_json(run: &Reconciliation, r: &Report) -> Value {
    json!({
        "id": run.id,
        "org_id": run.org_id.0,
        "org_name": run.org_name,
        "source": run.source.code(),
        "file_name": run.file_name,
        "sha256": run.sha256,
        "created_at": run.created_at,
        "created_by": run.created_by,
        "counts_at_run": counts_json(&run.counts),
        "counts": counts_json(&r.counts()),
        "equal": r.equal.iter().map(matched_json).collect::<Vec<_>>(),
        "mismatched": r.mismatched.iter().map(matched_json).collect::<Vec<_>>(),
        "closed": r.closed.iter().map(matched_json).collect::<Vec<_>>(),
        "new": r.new.iter().map(|n| json!({
            "line": n.row.line,
            "credit_code": n.row.credit_code.as_str(),
            "name": n.row.name,
            "legal_rep": n.row.legal_rep,
            "address": n.row.address,
            "registered_on": n.row.registered_on.map(|d| d.to_string()),
            "status": n.row.status_text,
            "employees": n.row.employees,
            "elsewhere": n.elsewhere,
            "takeable": n.takeable(),
        })).collect::<Vec<_>>(),
        "missing": r.missing.iter().map(|e| json!({
            "id": e.id.0,
            "credit_code": e.fields.credit_code.as_str(),
            "name": e.fields.name,
            "kind": e.fields.kind.code(),
            "kind_label": e.fields.kind.label(),
            "address": e.fields.address,
        })).collect::<Vec<_>>(),
        "unreadable": r.unreadable.iter().map(|u| json!({
            "line": u.line, "raw": u.raw, "code": u.code, "reason": u.reason,
        })).collect::<Vec<_>>(),
    })
}

/// What a new registration's row says will happen to it.
pub fn new_row_note(n: &qiangji_domain::host_entity::reconcile::NewRow) -> &'static str {
    if n.elsewhere {
        "已在其他组织的台账中登记，不收录"
    } else if n.takeable() {
        "可收录"
    } else if n.row.name.is_empty() {
        "名单未写名称，不收录"
    } else {
        "名单显示已注销或吊销，不收录"
    }
}

/// The report as a file. One table per section rather than one table with a 结果 column: the
/// sections have different columns (a mismatch has a row per field with ours and the extract's
/// value, an unreadable row a code and reason, a missing entity no line of the file), and an
/// officer works through them one at a time. A 汇总 table comes first with the counts of the run
/// and of now.
pub fn report_file(format: FileFormat, run: &Reconciliation, r: &Report) -> Result<Vec<u8>, AppError> {
    let cols = |spec: &[(&str, usize)]| spec.iter().map(|(t, w)| Column::new(*t, *w)).collect::<Vec<_>>();
    let note = format!(
        "{} · {}名单“{}” · {} {}上传 · 按当前台账比对",
        run.org_name,
        run.source.label(),
        run.file_name,
        local_time(&run.created_at),
        run.created_by
    );
    let n = |v: usize| Cell::Number(v as i64);
    let mut w = TableWriter::new(format);
    w.table("汇总", &note, &cols(&[("项目", 24), ("比对时", 8), ("当前", 8)]))?;
    let (then, now) = (run.counts, r.counts());
    for (label, a, b) in [
        ("名单行数", then.rows, now.rows),
        ("一致", then.equal, now.equal),
        ("信息不一致", then.mismatched, now.mismatched),
        ("名单显示注销或吊销", then.closed, now.closed),
        ("台账中没有（新登记）", then.new, now.new),
        ("台账有、名单中没有", then.missing, now.missing),
        ("无法读取", then.unreadable, now.unreadable),
    ] {
        w.row(&[label.into(), n(a), n(b)])?;
    }
    w.table(
        "信息不一致",
        &note,
        &cols(&[("行号", 4), ("统一社会信用代码", 18), ("名称", 24), ("项目", 8), ("台账", 24), ("名单", 24)]),
    )?;
    for m in &r.mismatched {
        for d in &m.diffs {
            let cells = [
                n(m.line),
                m.credit_code.as_str().into(),
                m.name.as_str().into(),
                d.field.label().into(),
                d.ours.as_str().into(),
                d.theirs.as_str().into(),
            ];
            w.row(&cells)?;
        }
    }
    w.table("注销或吊销", &note, &cols(&[("行号", 4), ("统一社会信用代码", 18), ("名称", 24), ("名单状态", 8)]))?;
    for m in &r.closed {
        let status = m.extract_status.map_or("", |s| s.label());
        w.row(&[n(m.line), m.credit_code.as_str().into(), m.name.as_str().into(), status.into()])?;
    }
    w.table(
        "新登记",
        &note,
        &cols(&[
            ("行号", 4),
            ("统一社会信用代码", 18),
            ("名称", 24),
            ("法定代表人", 8),
            ("住所", 24),
            ("成立日期", 10),
            ("登记状态", 8),
            ("处理", 16),
        ]),
    )?;
    for x in &r.new {
        let row = &x.row;
        w.row(&[
            n(row.line),
            row.credit_code.as_str().into(),
            row.name.as_str().into(),
            row.legal_rep.as_str().into(),
            row.address.as_str().into(),
            row.registered_on.map(|d| d.to_string()).unwrap_or_default().into(),
            row.status_text.as_str().into(),
            new_row_note(x).into(),
        ])?;
    }
    w.table("名单中没有", &note, &cols(&[("统一社会信用代码", 18), ("名称", 24), ("类型", 8), ("住所", 24)]))?;
    for e in &r.missing {
        let f = &e.fields;
        w.row(&[
            f.credit_code.as_str().into(),
            f.name.as_str().into(),
            f.kind.label().into(),
            f.address.as_str().into(),
        ])?;
    }
    w.table("无法读取", &note, &cols(&[("行号", 4), ("信用代码（原文）", 20), ("代码", 28), ("原因", 30)]))?;
    for u in &r.unreadable {
        w.row(&[n(u.line), u.raw.as_str().into(), u.code.into(), u.reason.as_str().into()])?;
    }
    w.table("一致", &note, &cols(&[("行号", 4), ("统一社会信用代码", 18), ("名称", 24)]))?;
    for m in &r.equal {
        w.row(&[n(m.line), m.credit_code.as_str().into(), m.name.as_str().into()])?;
    }
    Ok(w.finish()?)
}
