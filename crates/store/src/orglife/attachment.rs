//! Photos and files attached to a record (会议附件), stored in the database with their sha256, so
//! that a photo reused on another record can be found and the ledger can name the file without
//! holding its bytes.

use crate::access::Access;
use crate::error::StoreError;
use crate::ledger::{NewEntry, Write};
use crate::org::write::{load as load_org, next_id};
use crate::{Store, params};
use qiangji_domain::Date;
use qiangji_domain::org::OrgId;
use qiangji_domain::orglife::MeetingId;
use qiangji_domain::orglife::attachment::{AttachmentError, ContentType, MAX_PER_MEETING, NewAttachment};
use sha2::{Digest, Sha256};

/// A stored attachment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AttachmentId(pub i64);

/// An attachment as listed on its record (without the bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub id: AttachmentId,
    pub file_name: String,
    pub content_type: ContentType,
    pub size: i64,
    pub sha256: String,
    pub uploaded_on: Date,
    pub uploaded_by: String,
}

/// The lowercase hex sha256 of a file: how attachments are compared.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The ledger payload of an attachment: what identifies the file, not the file.
pub(crate) fn payload(meeting: i64, a: &NewAttachment<'_>, sha256: &str) -> serde_json::Value {
    serde_json::json!({
        "meeting_id": meeting, "file_name": a.file_name, "content_type": a.content_type.mime(),
        "size": a.bytes.len(), "sha256": sha256,
    })
}

pub(crate) const INSERT_COLUMNS: &str =
    "id, meeting_id, file_name, content_type, size, sha256, bytes, uploaded_on, uploaded_by";

fn attachment_of(r: &crate::db::Row) -> Result<Attachment, StoreError> {
    let bad = |what: &str| StoreError::Other(format!("数据库中的附件无法识别：{what}"));
    Ok(Attachment {
        id: AttachmentId(r.int(0)),
        file_name: r.text(1),
        content_type: ContentType::parse_mime(&r.text(2)).ok_or_else(|| bad("类型"))?,
        size: r.int(3),
        sha256: r.text(4),
        uploaded_on: r.opt_date(5).ok_or_else(|| bad("日期"))?,
        uploaded_by: r.text(6),
    })
}

impl Store {
    /// Attaches a file to a record whose organization is in scope, with the same rights as
    /// recording it. The file is checked (size, type by its bytes) and the record may hold at most
    /// [`MAX_PER_MEETING`]; a refused file changes nothing.
    pub async fn add_attachment(
        &self,
        access: &Access,
        meeting: MeetingId,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<AttachmentId, StoreError> {
        access.require(access.may_edit_members())?;
        let file = NewAttachment::check(file_name, bytes)?;
        let mut w = Write::begin(self).await?;
        let (pred, scope) = access.org_predicate();
        let mut p = params![meeting.0];
        p.extend(scope);
        let org = w
            .tx
            .opt(&format!("SELECT g.org_id FROM meeting g JOIN org o ON o.id = g.org_id WHERE g.id = ? AND {pred}"), p)
            .await?
            .ok_or(StoreError::NotFound)?
            .int(0);
        let o = load_org(&mut w.tx, access, OrgId(org)).await?;
        let held = w.tx.one("SELECT COUNT(*) FROM meeting_attachment WHERE meeting_id = ?", params![meeting.0]).await?;
        if held.int(0) as usize >= MAX_PER_MEETING {
            return Err(AttachmentError::TooMany.into());
        }
        let id = next_id(&mut w.tx, "meeting_attachment").await?;
        let sha256 = sha256_hex(file.bytes);
        w.tx.exec(
            &format!("INSERT INTO meeting_attachment ({INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
            params![
                id,
                meeting.0,
                file.file_name.as_str(),
                file.content_type.mime(),
                file.bytes.len() as i64,
                sha256.as_str(),
                file.bytes,
                qiangji_domain::date::today(),
                access.actor_name()
            ],
        )
        .await?;
        w.record(
            access,
            NewEntry {
                kind: "meeting.attachment_added",
                org_path: &o.path,
                subject: format!("meeting:{}", meeting.0),
                payload: payload(meeting.0, &file, &sha256),
                reason: "",
            },
        )
        .await?;
        w.commit().await?;
        Ok(AttachmentId(id))
    }

    /// The attachments of a record already read through scope, in upload order.
    pub(crate) async fn list_attachments(&self, meeting: MeetingId) -> Result<Vec<Attachment>, StoreError> {
        self.db
            .all(
                "SELECT id, file_name, content_type, size, sha256, uploaded_on, uploaded_by FROM meeting_attachment \
                 WHERE meeting_id = ? ORDER BY id",
                params![meeting.0],
            )
            .await?
            .iter()
            .map(attachment_of)
            .collect()
    }

    /// One attachment of a record in scope, with its bytes.
    pub async fn get_attachment(
        &self,
        access: &Access,
        meeting: MeetingId,
        id: AttachmentId,
    ) -> Result<(Attachment, Vec<u8>), StoreError> {
        let (pred, scope) = access.org_predicate();
        let mut p = params![id.0, meeting.0];
        p.extend(scope);
        let r = self
            .db
            .opt(
                &format!(
                    "SELECT a.id, a.file_name, a.content_type, a.size, a.sha256, a.uploaded_on, a.uploaded_by, a.bytes \
                     FROM meeting_attachment a JOIN meeting g ON g.id = a.meeting_id JOIN org o ON o.id = g.org_id \
                     WHERE a.id = ? AND a.meeting_id = ? AND {pred}"
                ),
                p,
            )
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok((attachment_of(&r)?, r.bytes(7)))
    }
}
