//! Members: reading within scope, and registering, editing and moving them.

pub(crate) mod reveal;
pub(crate) mod status;
pub(crate) mod write;

pub use reveal::Revealed;
pub(crate) use write::{relocate, set_floating};

use crate::access::Access;
use crate::db::Row;
use crate::error::StoreError;
use crate::ledger::{self, Entry};
use crate::seal::{Field, Keyring};
use crate::{Store, params};
use qiangji_domain::Date;
use qiangji_domain::id_number::IdNumber;
use qiangji_domain::member::{Education, Ethnicity, MemberFields, MemberId, MemberKind, MemberStatus, Occupation, Sex};
use qiangji_domain::org::OrgId;

/// A stored member with the name of their current (or last) organization.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub id: MemberId,
    pub org_id: OrgId,
    pub org_name: String,
    pub status: MemberStatus,
    pub fields: MemberFields,
}

/// One interval of organization membership.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub org_id: OrgId,
    pub org_name: String,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
}

/// One interval of member kind and status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateSpan {
    pub kind: MemberKind,
    pub status: MemberStatus,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
}

/// Everything known about a member's past: effective-dated facts and the ledger entries.
#[derive(Debug, Clone)]
pub struct History {
    pub memberships: Vec<Membership>,
    pub states: Vec<StateSpan>,
    pub entries: Vec<Entry>,
}

pub(crate) const COLUMNS: &str = "m.id, m.org_id, o.name, m.status, m.name, m.initials, m.sex, m.ethnicity, m.birth_date, \
     m.native_place, m.id_number, m.education, m.school, m.major, m.degree, m.occupation, m.work_unit, m.job_title, \
     m.work_started_on, m.phone, m.address, m.joined_on, m.full_on, m.kind, m.floating, m.lost_contact, m.hardship, m.postless";

fn bad(what: &str) -> StoreError {
    StoreError::Other(format!("数据库中的党员记录无法识别：{what}"))
}

/// `m.id IN (?, …) AND <scope>` with its parameters: a set of members, within the grant.
fn members_in(access: &Access, ids: &[MemberId]) -> (String, Vec<crate::db::Value>) {
    let (pred, scope) = access.member_predicate();
    let marks = vec!["?"; ids.len()].join(", ");
    let mut params: Vec<crate::db::Value> = ids.iter().map(|i| i.0.into()).collect();
    params.extend(scope);
    (format!("m.id IN ({marks}) AND {pred}"), params)
}

pub(crate) fn member_of(r: &Row, keys: &Keyring) -> Result<Member, StoreError> {
    let code = |i: usize| r.text(i);
    Ok(Member {
        id: MemberId(r.int(0)),
        org_id: OrgId(r.int(1)),
        org_name: r.text(2),
        status: MemberStatus::parse(&code(3)).map_err(|e| bad(&e.to_string()))?,
        fields: MemberFields {
            name: r.text(4),
            initials: r.text(5),
            sex: Sex::parse(&code(6)).map_err(|e| bad(&e.to_string()))?,
            ethnicity: u8::try_from(r.int(7)).ok().and_then(Ethnicity::from_code).ok_or_else(|| bad("民族"))?,
            birth_date: r.opt_date(8).ok_or_else(|| bad("出生日期"))?,
            native_place: r.text(9),
            id_number: IdNumber::parse(&keys.open(Field::IdNumber, &r.text(10))?).map_err(|e| bad(&e.to_string()))?,
            education: Education::parse(&code(11)).map_err(|e| bad(&e.to_string()))?,
            school: r.text(12),
            major: r.text(13),
            degree: r.text(14),
            occupation: Occupation::parse(&code(15)).map_err(|e| bad(&e.to_string()))?,
            work_unit: r.text(16),
            job_title: r.text(17),
            work_started_on: r.opt_date(18),
            phone: keys.open(Field::Phone, &r.text(19))?,
            address: r.text(20),
            joined_on: r.opt_date(21).ok_or_else(|| bad("入党日期"))?,
            full_on: r.opt_date(22),
            kind: MemberKind::parse(&code(23)).map_err(|e| bad(&e.to_string()))?,
            floating: r.flag(24),
            lost_contact: r.flag(25),
            hardship: r.flag(26),
            postless: r.flag(27),
        },
    })
}

impl Store {
    /// One member, if within scope.
    pub async fn get_member(&self, access: &Access, id: MemberId) -> Result<Member, StoreError> {
        let (pred, mut p) = access.member_predicate();
        let mut params = params![id.0];
        params.append(&mut p);
        let r = self
            .db
            .one(
                &format!("SELECT {COLUMNS} FROM member m JOIN org o ON o.id = m.org_id WHERE m.id = ? AND {pred}"),
                params,
            )
            .await?;
        member_of(&r, &self.keys)
    }

    /// Several members by id, within scope, in the order asked (ids outside scope are left out).
    pub async fn get_members(&self, access: &Access, ids: &[MemberId]) -> Result<Vec<Member>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let (within, params) = members_in(access, ids);
        let rows = self
            .db
            .all(&format!("SELECT {COLUMNS} FROM member m JOIN org o ON o.id = m.org_id WHERE {within}"), params)
            .await?;
        let mut found: Vec<Member> = rows.iter().map(|r| member_of(r, &self.keys)).collect::<Result<_, _>>()?;
        found.sort_by_key(|m| ids.iter().position(|i| *i == m.id));
        Ok(found)
    }

    /// The member with this identity number, if within scope (exact match).
    pub async fn find_member_by_id_number(
        &self,
        access: &Access,
        id_number: &IdNumber,
    ) -> Result<Option<Member>, StoreError> {
        let (pred, mut p) = access.member_predicate();
        let mut params = params![self.keys.index(Field::IdNumber, id_number.as_str())];
        params.append(&mut p);
        self.db
            .opt(
                &format!(
                    "SELECT {COLUMNS} FROM member m JOIN org o ON o.id = m.org_id WHERE m.id_number_index = ? AND {pred}"
                ),
                params,
            )
            .await?
            .map(|r| member_of(&r, &self.keys))
            .transpose()
    }

    /// A member's effective-dated history and ledger entries.
    pub async fn member_history(&self, access: &Access, id: MemberId) -> Result<History, StoreError> {
        self.get_member(access, id).await?;
        let memberships = self
            .db
            .all(
                "SELECT ms.org_id, o.name, ms.valid_from, ms.valid_to FROM membership ms JOIN org o ON o.id = ms.org_id \
                 WHERE ms.member_id = ? ORDER BY ms.valid_from, ms.id",
                params![id.0],
            )
            .await?
            .iter()
            .map(|r| Membership {
                org_id: OrgId(r.int(0)),
                org_name: r.text(1),
                valid_from: r.opt_date(2).unwrap_or_default(),
                valid_to: r.opt_date(3),
            })
            .collect();
        let states = self
            .db
            .all(
                "SELECT kind, status, valid_from, valid_to FROM member_state WHERE member_id = ? ORDER BY valid_from, id",
                params![id.0],
            )
            .await?
            .iter()
            .map(|r| {
                Ok(StateSpan {
                    kind: MemberKind::parse(&r.text(0)).map_err(|e| bad(&e.to_string()))?,
                    status: MemberStatus::parse(&r.text(1)).map_err(|e| bad(&e.to_string()))?,
                    valid_from: r.opt_date(2).unwrap_or_default(),
                    valid_to: r.opt_date(3),
                })
            })
            .collect::<Result<_, StoreError>>()?;
        // The member's own entries and, if they joined through the pipeline here, how they were
        // developed: one timeline, in ledger order.
        let mut entries = ledger::of_subject(&self.db, &format!("member:{}", id.0)).await?;
        for r in self.db.all("SELECT id FROM developee WHERE member_id = ?", params![id.0]).await? {
            entries.extend(ledger::of_subject(&self.db, &format!("developee:{}", r.int(0))).await?);
        }
        entries.sort_by_key(|e| e.seq);
        for e in &mut entries {
            e.payload = self.keys.mask_payload_text(&e.payload);
        }
        Ok(History { memberships, states, entries })
    }
}

/// The compact facts the in-memory index keeps about each member.
#[derive(Debug, Clone)]
pub struct MemberSummary {
    pub id: MemberId,
    pub org_id: OrgId,
    pub name: String,
    pub initials: String,
    pub sex: Sex,
    pub ethnicity: Ethnicity,
    pub birth_date: Date,
    pub education: Education,
    pub occupation: Occupation,
    pub kind: MemberKind,
    pub status: MemberStatus,
    pub floating: bool,
    pub joined_on: Date,
    /// 转正日期: set once the member became full.
    pub full_on: Option<Date>,
}

/// One effective-dated fact of a member, for the in-memory index: an organization membership or a
/// kind-and-status interval, `[from, to)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Span {
    Org { member: MemberId, org: OrgId, from: Date, to: Option<Date> },
    State { member: MemberId, kind: MemberKind, status: MemberStatus, from: Date, to: Option<Date> },
}

const SUMMARY_COLUMNS: &str = "m.id, m.org_id, m.name, m.initials, m.sex, m.ethnicity, m.birth_date, m.education, \
     m.occupation, m.kind, m.status, m.floating, m.joined_on, m.full_on";

fn summary_of(r: &Row) -> Result<MemberSummary, StoreError> {
    Ok(MemberSummary {
        id: MemberId(r.int(0)),
        org_id: OrgId(r.int(1)),
        name: r.text(2),
        initials: r.text(3),
        sex: Sex::parse(&r.text(4)).map_err(|e| bad(&e.to_string()))?,
        ethnicity: u8::try_from(r.int(5)).ok().and_then(Ethnicity::from_code).ok_or_else(|| bad("民族"))?,
        birth_date: r.opt_date(6).ok_or_else(|| bad("出生日期"))?,
        education: Education::parse(&r.text(7)).map_err(|e| bad(&e.to_string()))?,
        occupation: Occupation::parse(&r.text(8)).map_err(|e| bad(&e.to_string()))?,
        kind: MemberKind::parse(&r.text(9)).map_err(|e| bad(&e.to_string()))?,
        status: MemberStatus::parse(&r.text(10)).map_err(|e| bad(&e.to_string()))?,
        floating: r.flag(11),
        joined_on: r.opt_date(12).ok_or_else(|| bad("入党日期"))?,
        full_on: r.opt_date(13),
    })
}

fn org_span_of(r: &Row) -> Result<Span, StoreError> {
    Ok(Span::Org {
        member: MemberId(r.int(0)),
        org: OrgId(r.int(1)),
        from: r.opt_date(2).ok_or_else(|| bad("组织关系开始日期"))?,
        to: r.opt_date(3),
    })
}

fn state_span_of(r: &Row) -> Result<Span, StoreError> {
    Ok(Span::State {
        member: MemberId(r.int(0)),
        kind: MemberKind::parse(&r.text(1)).map_err(|e| bad(&e.to_string()))?,
        status: MemberStatus::parse(&r.text(2)).map_err(|e| bad(&e.to_string()))?,
        from: r.opt_date(3).ok_or_else(|| bad("状态开始日期"))?,
        to: r.opt_date(4),
    })
}

impl Store {
    /// Streams the summary of every member in scope (building the in-memory index at start).
    pub async fn scan_members(&self, access: &Access, mut each: impl FnMut(MemberSummary)) -> Result<(), StoreError> {
        let (pred, p) = access.member_predicate();
        let mut failed = None;
        self.db
            .for_each(
                &format!("SELECT {SUMMARY_COLUMNS} FROM member m JOIN org o ON o.id = m.org_id WHERE {pred}"),
                p,
                |r| match summary_of(&r) {
                    Ok(s) => each(s),
                    Err(e) => failed = Some(e),
                },
            )
            .await?;
        failed.map_or(Ok(()), Err)
    }

    /// Streams every membership and kind/status interval of the members in scope (index start-up).
    pub async fn scan_spans(&self, access: &Access, mut each: impl FnMut(Span)) -> Result<(), StoreError> {
        let (pred, p) = access.member_predicate();
        let mut failed = None;
        let mut take = |r: Result<Span, StoreError>| match r {
            Ok(s) => each(s),
            Err(e) => failed = Some(e),
        };
        self.db
            .for_each(
                &format!(
                    "SELECT ms.member_id, ms.org_id, ms.valid_from, ms.valid_to FROM membership ms \
                     JOIN member m ON m.id = ms.member_id JOIN org o ON o.id = m.org_id WHERE {pred}"
                ),
                p.clone(),
                |r| take(org_span_of(&r)),
            )
            .await?;
        self.db
            .for_each(
                &format!(
                    "SELECT st.member_id, st.kind, st.status, st.valid_from, st.valid_to FROM member_state st \
                     JOIN member m ON m.id = st.member_id JOIN org o ON o.id = m.org_id WHERE {pred}"
                ),
                p,
                |r| take(state_span_of(&r)),
            )
            .await?;
        failed.map_or(Ok(()), Err)
    }

    /// The intervals of the given members within scope (refreshing the index after changes).
    pub async fn spans_of(&self, access: &Access, ids: &[MemberId]) -> Result<Vec<Span>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let (within, params) = members_in(access, ids);
        let mut out = Vec::new();
        for r in self
            .db
            .all(
                &format!(
                    "SELECT ms.member_id, ms.org_id, ms.valid_from, ms.valid_to FROM membership ms \
                     JOIN member m ON m.id = ms.member_id JOIN org o ON o.id = m.org_id WHERE {within}"
                ),
                params.clone(),
            )
            .await?
        {
            out.push(org_span_of(&r)?);
        }
        for r in self
            .db
            .all(
                &format!(
                    "SELECT st.member_id, st.kind, st.status, st.valid_from, st.valid_to FROM member_state st \
                     JOIN member m ON m.id = st.member_id JOIN org o ON o.id = m.org_id WHERE {within}"
                ),
                params,
            )
            .await?
        {
            out.push(state_span_of(&r)?);
        }
        Ok(out)
    }

    /// Summaries of the given members within scope (refreshing the index after changes).
    pub async fn member_summaries(&self, access: &Access, ids: &[MemberId]) -> Result<Vec<MemberSummary>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let (within, params) = members_in(access, ids);
        self.db
            .all(
                &format!("SELECT {SUMMARY_COLUMNS} FROM member m JOIN org o ON o.id = m.org_id WHERE {within}"),
                params,
            )
            .await?
            .iter()
            .map(summary_of)
            .collect()
    }
}
