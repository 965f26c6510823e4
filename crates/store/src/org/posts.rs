//! Leadership posts (班子成员): who holds which post in an organization, replaced as a whole
//! when the officer saves the list, with the old and new lists in the ledger.

use super::write::load;
use crate::access::Access;
use crate::error::StoreError;
use crate::ledger::{NewEntry, Write};
use crate::{Store, params};
use qiangji_domain::Date;
use qiangji_domain::org::{OrgError, OrgId, Post};

/// One post holder. `member_id` links to a member record when the person is one of ours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostHolder {
    pub post: Post,
    pub person_name: String,
    pub member_id: Option<i64>,
    pub since: Option<Date>,
}

fn as_json(posts: &[PostHolder]) -> serde_json::Value {
    posts
        .iter()
        .map(|p| {
            serde_json::json!({
                "post": p.post.code(), "person_name": p.person_name, "member_id": p.member_id,
                "since": p.since.map(|d| d.to_string()),
            })
        })
        .collect()
}

impl Store {
    /// The organization's post holders, secretary first.
    pub async fn list_posts(&self, access: &Access, org: OrgId) -> Result<Vec<PostHolder>, StoreError> {
        self.get_org(access, org).await?;
        let rows = self
            .db
            .all(
                "SELECT post, person_name, member_id, since FROM org_post WHERE org_id = ? ORDER BY id",
                params![org.0],
            )
            .await?;
        let mut out: Vec<PostHolder> = rows
            .iter()
            .map(|r| {
                Ok(PostHolder {
                    post: Post::parse(&r.text(0)).map_err(|e| StoreError::Other(e.to_string()))?,
                    person_name: r.text(1),
                    member_id: r.opt_int(2),
                    since: r.opt_date(3),
                })
            })
            .collect::<Result<_, StoreError>>()?;
        out.sort_by_key(|p| p.post);
        Ok(out)
    }

    /// Replaces the organization's post holders. A linked member must be in scope.
    /// Organizations in scope with committee members on record besides the secretaries.
    pub async fn committee_org_ids(&self, access: &Access) -> Result<Vec<OrgId>, StoreError> {
        let (pred, mut p) = access.org_predicate();
        let posts: Vec<&str> = Post::ALL.iter().filter(|p| p.is_committee_member()).map(|p| p.code()).collect();
        let marks = vec!["?"; posts.len()].join(", ");
        let mut args: Vec<crate::db::Value> = posts.into_iter().map(Into::into).collect();
        args.append(&mut p);
        let rows = self
            .db
            .all(
                &format!(
                    "SELECT DISTINCT p.org_id FROM org_post p JOIN org o ON o.id = p.org_id \
                     WHERE p.post IN ({marks}) AND {pred}"
                ),
                args,
            )
            .await?;
        Ok(rows.iter().map(|r| OrgId(r.int(0))).collect())
    }

    pub async fn set_posts(
        &self,
        access: &Access,
        org: OrgId,
        posts: &[PostHolder],
        reason: &str,
    ) -> Result<(), StoreError> {
        access.require(access.may_manage_orgs())?;
        if posts.iter().any(|p| p.person_name.trim().is_empty()) {
            return Err(StoreError::Invalid("请填写每个职务的任职人姓名".into()));
        }
        if posts.iter().filter(|p| p.post == Post::Secretary).count() > 1 {
            return Err(StoreError::Invalid("一个组织只能有一名书记".into()));
        }
        if posts.iter().any(|p| p.since.is_some_and(|d| d > qiangji_domain::date::today())) {
            return Err(StoreError::Invalid("任职日期不能晚于今天".into()));
        }
        let old = self.list_posts(access, org).await?;
        for m in posts.iter().filter_map(|p| p.member_id) {
            self.get_member(access, qiangji_domain::member::MemberId(m)).await?;
        }
        if old == posts {
            return Ok(());
        }
        let mut w = Write::begin(self).await?;
        let o = load(&mut w.tx, access, org).await?;
        if o.is_dissolved() {
            return Err(OrgError::Dissolved.into());
        }
        w.tx.exec("DELETE FROM org_post WHERE org_id = ?", params![org.0]).await?;
        for p in posts {
            w.tx.exec(
                "INSERT INTO org_post (org_id, post, person_name, member_id, since) VALUES (?, ?, ?, ?, ?)",
                params![org.0, p.post.code(), p.person_name.trim(), p.member_id, p.since],
            )
            .await?;
        }
        w.record(
            access,
            NewEntry {
                kind: "org.posts_changed",
                org_path: &o.path,
                subject: format!("org:{}", org.0),
                payload: serde_json::json!({ "before": as_json(&old), "after": as_json(posts) }),
                reason,
            },
        )
        .await?;
        w.commit().await
    }
}
