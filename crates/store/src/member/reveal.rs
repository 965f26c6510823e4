//! Showing a member's personal numbers in full: allowed to some, and never without a trace.

use super::{Member, MemberId};
use crate::access::Access;
use crate::error::StoreError;
use crate::ledger::{NewEntry, Write};
use crate::{Store, params};

/// A member's identity and phone numbers in the clear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revealed {
    pub id_number: String,
    pub phone: String,
}

impl Store {
    /// The member's numbers in full for an actor allowed to see them, with the purpose stated; the
    /// showing is a ledger entry (`member.personal_shown`: who, when, why), so the member's
    /// history and the audit log tell who has seen them.
    pub async fn reveal_personal(&self, access: &Access, id: MemberId, purpose: &str) -> Result<Revealed, StoreError> {
        access.require(access.may_reveal_personal())?;
        let m: Member = self.get_member(access, id).await?;
        let purpose = purpose.trim();
        if purpose.is_empty() {
            return Err(StoreError::Refused {
                code: "personal.purpose_required",
                message: "查看完整身份证号和电话须填写事由".into(),
            });
        }
        let mut w = Write::begin(self).await?;
        let path = w.tx.one("SELECT path FROM org WHERE id = ?", params![m.org_id.0]).await?.text(0);
        w.record(
            access,
            NewEntry {
                kind: "member.personal_shown",
                org_path: &path,
                subject: format!("member:{}", id.0),
                payload: serde_json::json!({ "fields": ["id_number", "phone"] }),
                reason: purpose,
            },
        )
        .await?;
        w.commit().await?;
        Ok(Revealed { id_number: m.fields.id_number.as_str().to_owned(), phone: m.fields.phone })
    }
}
