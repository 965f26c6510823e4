//! Organization pages: show (with the expandable tree), search, create/edit, move, dissolve.

pub mod dissolve;
pub mod edit;
pub mod posts;
pub mod relocate;
pub mod search;
pub mod show;

use qiangji_domain::org::{OrgInput, OrgKind};
use qiangji_store::org::Org;

/// The form pre-filled from a stored organization.
pub fn input_of(o: &Org) -> OrgInput {
    let f = &o.fields;
    OrgInput {
        name: f.name.clone(),
        short_name: f.short_name.clone(),
        kind: f.kind.code().into(),
        sector: f.sector.code().into(),
        formation_mode: f.formation_mode.code().into(),
        regional: f.regional,
        joint: f.joint,
        temporary: f.temporary,
        founded_on: crate::page::opt_date(f.founded_on),
        term_start: crate::page::opt_date(f.term_start),
        term_years: f.term_years.map(|y| y.to_string()).unwrap_or_default(),
        host_units: f.host_units.clone(),
        contact: f.contact.clone(),
        phone: f.phone.clone(),
        address: f.address.clone(),
    }
}

/// A short description for lists: "党支部 · 农村".
pub fn describe(o: &Org) -> String {
    let mut s = format!("{} · {}", o.fields.kind.label(), o.fields.sector.label());
    if o.fields.regional {
        s.push_str(" · 区域性");
    }
    if o.fields.joint {
        s.push_str(" · 联合");
    }
    if let Some(d) = o.dissolved_on {
        s.push_str(&format!(" · 已于{d}撤销"));
    }
    s
}

/// Whether members are registered here from the UI: not in a 党小组 (members belong to the branch),
/// not in a 组织部 (a level of administration, not a grassroots organization), not once dissolved.
pub fn holds_members(o: &Org) -> bool {
    !matches!(o.fields.kind, OrgKind::Group | OrgKind::Department) && !o.is_dissolved()
}
