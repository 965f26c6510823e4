//! Host entities (两新组织) of the demo: the registry (台账) of each township and street. The
//! enterprises and social organizations that host a branch below the township are in it with that
//! branch as their Party organization; a few more without one (small companies, sole traders, an
//! association), so that the registry has work to do. Credit codes are valid GB 32100 codes,
//! unique across the deployment.

use crate::Dataset;
use crate::sample::{chance, date_between, pick, pick_str, years_before};
use qiangji_domain::Date;
use qiangji_domain::host_entity::{CreditCode, EntityStatus, HostEntityFields, HostEntityKind};
use qiangji_domain::member::Sex;
use qiangji_domain::org::{OrgKind, Sector};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::collections::HashSet;

/// An entity of the registry of `orgs[org]`, a township or street.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoHostEntity {
    pub org: usize,
    pub fields: HostEntityFields,
}

/// Entities with a Party organization per township at most, and without one at least and most.
const WITH_ORG_MAX: usize = 4;
const WITHOUT_ORG: (usize, usize) = (2, 4);

const INDUSTRIES: &[&str] = &["科技", "电子", "模具", "五金", "服饰", "物流", "包装", "食品", "电器", "网络科技"];
const BRANDS: &[&str] =
    &["恒达", "永盛", "华瑞", "信诚", "宏远", "东润", "金鼎", "嘉禾", "云帆", "博创", "天和", "汇丰源"];
const ROADS: &[&str] = &["中山路", "解放路", "人民路", "环城西路", "新华路", "工业路", "兴业大道", "望春路"];
const SHOPS: &[&str] = &["便利店", "小吃店", "五金店", "汽车维修部", "理发店", "水果店"];

/// Whether an organization is a township or street: a 街道党工委, or a 镇/乡党委 (regional).
fn is_township(o: &crate::DemoOrg) -> bool {
    let f = &o.fields;
    f.regional
        && ((f.kind == OrgKind::WorkingCommittee && f.name.contains("街道"))
            || (f.kind == OrgKind::Committee && (f.name.ends_with("镇委员会") || f.name.ends_with("乡委员会"))))
}

/// The place name of a township for addresses ("南门街道").
fn place(o: &crate::DemoOrg) -> String {
    o.fields.name.trim_start_matches("中共").trim_end_matches("工作委员会").trim_end_matches("委员会").to_owned()
}

/// A valid credit code: the prefix of its kind (91 a company, 92 a sole trader, 51 an association,
/// 52 a private non-enterprise unit), the division, and a serial number unique in the dataset.
fn credit_code(prefix: &str, serial: u32) -> CreditCode {
    const CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let mut n = serial;
    let mut tail = String::new();
    for _ in 0..6 {
        tail.insert(0, char::from(CHARS[(n % 31) as usize]));
        n /= 31;
    }
    CreditCode::compose(&format!("{prefix}330200MA{tail}0")).expect("the demo's codes use the code's character set")
}

/// The host entities of every township, deterministic for a seed.
pub fn host_entities(data: &Dataset, seed: u64, today: Date) -> Vec<DemoHostEntity> {
    let mut rng = SmallRng::seed_from_u64(seed ^ 0x4845);
    let mut parent_township: Vec<Option<usize>> = vec![None; data.orgs.len()];
    // Parents come before children in the dataset, so one pass finds each township above.
    for (i, o) in data.orgs.iter().enumerate() {
        parent_township[i] = if is_township(o) { Some(i) } else { o.parent.and_then(|p| parent_township[p]) };
    }
    let mut size = vec![0u32; data.orgs.len()];
    for m in &data.members {
        size[m.org] += 1;
    }
    let mut out = Vec::new();
    let mut serial = 1u32;
    let mut next = |prefix: &str| {
        serial += 1;
        credit_code(prefix, serial * 7919 % 887_503_681)
    };
    for (t, township) in data.orgs.iter().enumerate().filter(|(_, o)| is_township(o)) {
        let here = place(township);
        let mut seen = HashSet::new();
        let address = |rng: &mut SmallRng| format!("{here}{}{}号", pick(rng, ROADS), rng.random_range(1..400));
        let registered =
            |rng: &mut SmallRng| Some(date_between(rng, years_before(today, 25.0), years_before(today, 0.5)));
        let hosts = data.orgs.iter().enumerate().filter(|(b, o)| {
            parent_township[*b] == Some(t)
                && o.fields.kind == OrgKind::Branch
                && matches!(o.fields.sector, Sector::PrivateEnterprise | Sector::SocialOrganization)
                && !o.fields.host_units.is_empty()
        });
        for (b, o) in hosts {
            if seen.len() >= WITH_ORG_MAX || !seen.insert(o.fields.host_units.clone()) {
                continue;
            }
            let social = o.fields.sector == Sector::SocialOrganization;
            let fields = HostEntityFields {
                credit_code: next(if social { "52" } else { "91" }),
                name: o.fields.host_units.clone(),
                kind: if social { HostEntityKind::SocialOrg } else { HostEntityKind::Enterprise },
                registered_on: registered(&mut rng),
                legal_rep: crate::names::person(&mut rng, Sex::Male, 1970),
                address: address(&mut rng),
                employees: Some(i64::from(size[b]) * rng.random_range(8..30)),
                status: EntityStatus::Active,
                party_org_id: Some(b as i64 + 1),
            };
            out.push(DemoHostEntity { org: t, fields });
        }
        let stem = here.trim_end_matches("街道").trim_end_matches(['镇', '乡']).to_owned();
        for k in 0..rng.random_range(WITHOUT_ORG.0..=WITHOUT_ORG.1) {
            let sex = if chance(&mut rng, 0.3) { Sex::Female } else { Sex::Male };
            let rep = crate::names::person(&mut rng, sex, 1975);
            let (prefix, kind, name, employees) = match k {
                1 => (
                    "92",
                    HostEntityKind::SoleTrader,
                    format!("{stem}{}记{}", rep.chars().next().unwrap_or('陈'), pick_str(&mut rng, SHOPS)),
                    rng.random_range(1..6),
                ),
                3 => (
                    "51",
                    HostEntityKind::SocialOrg,
                    format!("{here}{}行业协会", pick(&mut rng, INDUSTRIES)),
                    rng.random_range(2..10),
                ),
                _ => (
                    "91",
                    HostEntityKind::Enterprise,
                    format!("宁波{}{}{}有限公司", stem, pick(&mut rng, BRANDS), pick(&mut rng, INDUSTRIES)),
                    rng.random_range(8..160),
                ),
            };
            let fields = HostEntityFields {
                credit_code: next(prefix),
                name,
                kind,
                registered_on: registered(&mut rng),
                legal_rep: rep,
                address: address(&mut rng),
                employees: Some(employees),
                status: if chance(&mut rng, 0.08) { EntityStatus::Deregistered } else { EntityStatus::Active },
                party_org_id: None,
            };
            out.push(DemoHostEntity { org: t, fields });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_township_has_a_few_entities_with_valid_unique_codes() {
        let today = qiangji_domain::date::parse("2026-06-01").unwrap();
        let data = crate::generate(crate::Scale::Small, 7, today);
        let entities = host_entities(&data, 7, today);
        let townships = data.orgs.iter().filter(|o| is_township(o)).count();
        assert!(townships > 3, "{townships}");
        assert!(entities.len() >= townships * WITHOUT_ORG.0, "{}", entities.len());
        let codes: HashSet<&str> = entities.iter().map(|e| e.fields.credit_code.as_str()).collect();
        assert_eq!(codes.len(), entities.len(), "unique codes");
        assert!(entities.iter().all(|e| CreditCode::parse(e.fields.credit_code.as_str()).is_ok()));
        assert!(entities.iter().any(|e| e.fields.party_org_id.is_some()), "some with a Party organization");
    }
}
