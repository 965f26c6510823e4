//! `qiangji check`: verifies the ledger chain and the invariants of the state tables, and says
//! precisely what is wrong.

use crate::db::Db;
use crate::error::StoreError;
use crate::ledger::checkpoint::{self, PublicKey};
use crate::ledger::{Anchor, verify_chain};
use crate::org::segment;
use crate::params;
use std::collections::HashMap;

/// The outcome: counts of what was checked, every problem found, and notes on what the check
/// could not vouch for (which do not fail it).
#[derive(Debug, Default)]
pub struct Report {
    pub ledger_entries: i64,
    /// Checkpoints whose signature verified (against the pinned key, if one was given).
    pub checkpoints: i64,
    /// The newest ledger entry a valid checkpoint signed (0: none).
    pub anchored_seq: i64,
    pub orgs: i64,
    pub members: i64,
    pub problems: Vec<String>,
    pub notes: Vec<String>,
}

impl Report {
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Runs every check without a pinned checkpoint key (see [`run_pinned`]).
pub async fn run(db: &Db) -> Result<Report, StoreError> {
    run_pinned(db, None).await
}

/// Runs every check; checkpoints must be signed by `pinned`. Without a pinned key a checkpoint is
/// verified against the public key stored with it, which proves nothing against someone who can
/// write the database, and the report says so. Reads only; safe on a live database.
pub async fn run_pinned(db: &Db, pinned: Option<&PublicKey>) -> Result<Report, StoreError> {
    let mut report = Report::default();
    let anchors = check_checkpoints(db, pinned, &mut report).await?;
    match verify_chain(db, &anchors).await? {
        Ok(n) => report.ledger_entries = n,
        Err(b) => report.problems.push(b.to_string()),
    }
    if report.is_ok() && report.ledger_entries > report.anchored_seq {
        report.notes.push(if report.anchored_seq == 0 {
            format!("账本{}条均未经签名检查点锚定", report.ledger_entries)
        } else {
            format!("第{}条至第{}条在最近的签名检查点之后，尚未锚定", report.anchored_seq + 1, report.ledger_entries)
        });
    }
    check_tree(db, &mut report).await?;
    check_memberships(db, &mut report).await?;
    check_counts(db, &mut report).await?;
    Ok(report)
}

/// Verifies each checkpoint's signature; a forged or altered one is a problem and anchors nothing.
async fn check_checkpoints(
    db: &Db,
    pinned: Option<&PublicKey>,
    report: &mut Report,
) -> Result<Vec<Anchor>, StoreError> {
    let mut anchors = Vec::new();
    let all = checkpoint::list(db).await?;
    for c in &all {
        let what = format!("{} 的检查点（编号{}，账本第{}条）", c.at, c.id, c.seq);
        let own = PublicKey::parse(&c.public_key).ok();
        let key = match (pinned, own) {
            (Some(p), Some(own)) if own != *p => {
                report.problems.push(format!(
                    "{what}由另一把密钥签署（公钥 {}），不是所配置的检查点密钥（{p}）：检查点是伪造的",
                    c.public_key
                ));
                continue;
            }
            (Some(p), _) => *p,
            (None, Some(own)) => own,
            (None, None) => {
                report.problems.push(format!("{what}的公钥 `{}` 格式不对：检查点被改动", c.public_key));
                continue;
            }
        };
        if !c.is_signed_by(&key) {
            report.problems.push(format!("{what}的签名无效：检查点在签署后被改动，或是伪造的"));
            continue;
        }
        report.checkpoints += 1;
        report.anchored_seq = report.anchored_seq.max(c.seq);
        anchors.push(c.anchor());
    }
    if pinned.is_none() && !all.is_empty() {
        report
            .notes
            .push("未配置检查点密钥或公钥：检查点只按其自带的公钥验证，能改写数据库的人也能伪造它们".to_owned());
    }
    Ok(anchors)
}

/// Every path is its parent's path plus its own segment; so the tree is connected and acyclic.
async fn check_tree(db: &Db, report: &mut Report) -> Result<(), StoreError> {
    let rows = db.all("SELECT id, parent_id, path, name FROM org ORDER BY path", params![]).await?;
    report.orgs = rows.len() as i64;
    let paths: HashMap<i64, String> = rows.iter().map(|r| (r.int(0), r.text(2))).collect();
    for r in &rows {
        let (id, path, name) = (r.int(0), r.text(2), r.text(3));
        let expected = match r.opt_int(1) {
            None => format!("/{}", segment(id)),
            Some(p) => match paths.get(&p) {
                Some(pp) => format!("{pp}{}", segment(id)),
                None => {
                    report.problems.push(format!("组织“{name}”（{id}）的上级组织 {p} 不存在"));
                    continue;
                }
            },
        };
        if path != expected {
            report.problems.push(format!("组织“{name}”（{id}）的路径为 {path}，应为 {expected}：组织树不一致"));
        }
    }
    Ok(())
}

/// Every member who holds membership has exactly one open membership, in their current organization
/// (none once transferred outside the deployment); members who left have none; intervals are not inverted.
async fn check_memberships(db: &Db, report: &mut Report) -> Result<(), StoreError> {
    let rows = db
        .all(
            "SELECT m.id, m.name, m.status, m.org_id, \
             (SELECT COUNT(*) FROM membership ms WHERE ms.member_id = m.id AND ms.valid_to IS NULL), \
             (SELECT MIN(ms.org_id) FROM membership ms WHERE ms.member_id = m.id AND ms.valid_to IS NULL), \
             (SELECT COUNT(*) FROM transfer t WHERE t.member_id = m.id AND t.direction = 'outbound' \
              AND t.state = 'completed') \
             FROM member m",
            params![],
        )
        .await?;
    report.members = rows.len() as i64;
    for r in &rows {
        let (id, name, status, org, open) = (r.int(0), r.text(1), r.text(2), r.int(3), r.int(4));
        let holds = matches!(status.as_str(), "active" | "suspended");
        // A member whose letter to outside came back is a member elsewhere: no membership here.
        let gone_outside = holds && open == 0 && r.int(6) > 0;
        if holds && open != 1 && !gone_outside {
            report.problems.push(format!("党员“{name}”（{id}）应有且只有一段未结束的组织关系，实际有{open}段"));
        } else if holds && !gone_outside && r.int(5) != org {
            report.problems.push(format!("党员“{name}”（{id}）的当前组织与组织关系记录不一致"));
        } else if !holds && open != 0 {
            report.problems.push(format!("党员“{name}”（{id}）状态为 {status}，却仍有未结束的组织关系"));
        }
    }
    let inverted = db
        .all("SELECT member_id FROM membership WHERE valid_to IS NOT NULL AND valid_to < valid_from", params![])
        .await?;
    for r in inverted {
        report.problems.push(format!("党员 {} 有一段组织关系的结束日期早于开始日期", r.int(0)));
    }
    Ok(())
}

/// Every organization, member, meeting record, attachment, developee, host entity and
/// reconciliation was created through the ledger, and nothing else was.
async fn check_counts(db: &Db, report: &mut Report) -> Result<(), StoreError> {
    // Organizations, members and records an import created are removed when it is rolled back,
    // with an entry each.
    for (kind, removed, table, label) in [
        ("org.created", "org.removed", "org", "组织"),
        ("member.created", "member.removed", "member", "党员"),
        ("meeting.recorded", "meeting.removed", "meeting", "组织生活记录"),
        ("meeting.attachment_added", "", "meeting_attachment", "组织生活记录附件"),
        ("development.applied", "", "developee", "发展党员"),
        ("host_entity.created", "", "host_entity", "两新组织"),
        ("host_entity.reconciled", "", "host_entity_reconciliation", "两新组织名单比对"),
    ] {
        let created = db.one("SELECT COUNT(*) FROM ledger WHERE kind = ?", params![kind]).await?.int(0)
            - db.one("SELECT COUNT(*) FROM ledger WHERE kind = ?", params![removed]).await?.int(0);
        let rows = db.one(&format!("SELECT COUNT(*) FROM {table}"), params![]).await?.int(0);
        if created != rows {
            report
                .problems
                .push(format!("{label}表有{rows}条记录，但账本中只有{created}条创建记录：有记录未经账本写入或被删除"));
        }
    }
    Ok(())
}
