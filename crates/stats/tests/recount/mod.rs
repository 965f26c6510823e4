//! Members counted on a day, the plain SQL way, for comparing with the engine's answers.

use qiangji_domain::Date;
use qiangji_domain::member::{AgeBand, Education, JoinPeriod, MemberKind, MemberStatus, Occupation, Sex};
use qiangji_domain::org::Sector;
use qiangji_stats::Dim;
use qiangji_store::Store;
use std::collections::BTreeMap;

/// One member counted on a day, as plain SQL sees them: id, the organization counted in, and the
/// value of every dimension computed with the domain's own rules.
pub struct Counted {
    pub id: i64,
    pub org: i64,
    pub values: BTreeMap<Dim, u8>,
}

pub async fn sql_counted(store: &Store, path: &str, on: Date) -> Vec<Counted> {
    let on_s = on.to_string();
    let rows = store
        .db()
        .all(
            "SELECT m.id, ms.org_id, m.sex, m.ethnicity, m.education, m.birth_date, m.joined_on, m.occupation, \
             m.floating, st.kind, st.status, o.sector \
             FROM membership ms JOIN member m ON m.id = ms.member_id JOIN org o ON o.id = ms.org_id \
             JOIN member_state st ON st.member_id = m.id \
             WHERE ms.valid_from <= ? AND (ms.valid_to IS NULL OR ms.valid_to > ?) \
             AND st.valid_from <= ? AND (st.valid_to IS NULL OR st.valid_to > ?) \
             AND st.status IN ('active', 'suspended') AND o.path >= ? AND o.path < ?",
            vec![
                on_s.clone().into(),
                on_s.clone().into(),
                on_s.clone().into(),
                on_s.into(),
                path.to_owned().into(),
                format!("{path}~").into(),
            ],
        )
        .await
        .unwrap();
    rows.iter()
        .map(|r| Counted {
            id: r.int(0),
            org: r.int(1),
            values: BTreeMap::from([
                (Dim::Sex, Sex::parse(&r.text(2)).unwrap().index()),
                (Dim::Ethnicity, u8::from(r.int(3) != 1)),
                (Dim::Education, Education::parse(&r.text(4)).unwrap().index()),
                (Dim::AgeBand, AgeBand::of(r.opt_date(5).unwrap(), on).index()),
                (Dim::JoinPeriod, JoinPeriod::of(r.opt_date(6).unwrap()).index()),
                (Dim::Occupation, Occupation::parse(&r.text(7)).unwrap().index()),
                (Dim::Floating, u8::from(r.flag(8))),
                (Dim::Kind, MemberKind::parse(&r.text(9)).unwrap().index()),
                (Dim::Status, MemberStatus::parse(&r.text(10)).unwrap().index()),
                (Dim::Sector, Sector::parse(&r.text(11)).unwrap().index()),
            ]),
        })
        .collect()
}
