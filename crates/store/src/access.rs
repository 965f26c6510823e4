//! Who is acting and what they may see. Every public store function takes `&Access` first.
//!
//! `Access` has private fields; it is built only from a logged-in user's grant
//! (by the store's session lookup) or by [`Access::system`], which only
//! maintenance commands call and whose reason goes into the ledger with every change it makes.

use crate::db::Value;

/// 角色.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    SystemAdmin,
    DepartmentAdmin,
    CommitteeAdmin,
    BranchSecretary,
    Member,
}

impl Role {
    pub const ALL: [Role; 5] =
        [Role::SystemAdmin, Role::DepartmentAdmin, Role::CommitteeAdmin, Role::BranchSecretary, Role::Member];

    pub fn code(self) -> &'static str {
        match self {
            Role::SystemAdmin => "system_admin",
            Role::DepartmentAdmin => "department_admin",
            Role::CommitteeAdmin => "committee_admin",
            Role::BranchSecretary => "branch_secretary",
            Role::Member => "member",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::SystemAdmin => "系统管理员",
            Role::DepartmentAdmin => "组织部管理员",
            Role::CommitteeAdmin => "党委管理员",
            Role::BranchSecretary => "支部书记",
            Role::Member => "党员",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == s)
    }
}

/// What the actor may see: an organization subtree, or only their own member record.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Scope {
    Subtree { path: String },
    SelfOnly { member_id: i64, org_path: String },
}

/// The acting user and their grant.
#[derive(Debug, Clone)]
pub struct Access {
    actor_id: Option<i64>,
    actor_name: String,
    role: Role,
    scope_org_id: i64,
    scope: Scope,
}

impl Access {
    /// Whole-deployment access for maintenance commands (`qiangji demo`, `check`, `user`).
    /// `reason` is recorded as the actor name of every ledger entry it writes.
    pub fn system(reason: &str, root_org_id: i64) -> Access {
        Access {
            actor_id: None,
            actor_name: format!("系统（{reason}）"),
            role: Role::SystemAdmin,
            scope_org_id: root_org_id,
            scope: Scope::Subtree { path: "/".into() },
        }
    }

    /// Access of a logged-in user; built only by the store from the user's row.
    pub(crate) fn for_user(
        user_id: i64,
        display_name: String,
        role: Role,
        scope_org_id: i64,
        scope_path: String,
        member_id: Option<i64>,
    ) -> Access {
        let scope = match (role, member_id) {
            (Role::Member, Some(member_id)) => Scope::SelfOnly { member_id, org_path: scope_path },
            // A member account without a member record sees nothing rather than everything.
            (Role::Member, None) => Scope::SelfOnly { member_id: -1, org_path: "\u{0}".into() },
            _ => Scope::Subtree { path: scope_path },
        };
        Access { actor_id: Some(user_id), actor_name: display_name, role, scope_org_id, scope }
    }

    pub fn actor_id(&self) -> Option<i64> {
        self.actor_id
    }

    pub fn actor_name(&self) -> &str {
        &self.actor_name
    }

    pub fn role(&self) -> Role {
        self.role
    }

    /// The organization at the top of the grant (for members: their own organization).
    pub fn scope_org_id(&self) -> i64 {
        self.scope_org_id
    }

    /// The member record of a self-only grant.
    pub fn self_member_id(&self) -> Option<i64> {
        match self.scope {
            Scope::SelfOnly { member_id, .. } => Some(member_id),
            Scope::Subtree { .. } => None,
        }
    }

    /// The subtree path range `[lo, hi)` the actor may see; members see only their own organization.
    pub fn path_range(&self) -> (String, String) {
        match &self.scope {
            Scope::Subtree { path } => (path.clone(), format!("{path}~")),
            Scope::SelfOnly { org_path, .. } => (org_path.clone(), format!("{org_path}\u{1}")),
        }
    }

    /// Whether an organization with this path is inside the grant.
    pub fn sees_path(&self, path: &str) -> bool {
        let (lo, hi) = self.path_range();
        path >= lo.as_str() && path < hi.as_str()
    }

    /// SQL predicate limiting organizations (alias `o`) to the grant.
    pub(crate) fn org_predicate(&self) -> (&'static str, Vec<Value>) {
        let (lo, hi) = self.path_range();
        ("o.path >= ? AND o.path < ?", vec![lo.into(), hi.into()])
    }

    /// SQL predicate limiting members (alias `m`, joined to their organization `o`) to the grant.
    pub(crate) fn member_predicate(&self) -> (&'static str, Vec<Value>) {
        match &self.scope {
            Scope::Subtree { .. } => self.org_predicate(),
            Scope::SelfOnly { member_id, .. } => ("m.id = ?", vec![(*member_id).into()]),
        }
    }

    /// Creating, editing, moving and dissolving organizations.
    pub fn may_manage_orgs(&self) -> bool {
        matches!(self.role, Role::SystemAdmin | Role::DepartmentAdmin | Role::CommitteeAdmin)
    }

    /// Registering and editing member records.
    pub fn may_edit_members(&self) -> bool {
        !matches!(self.role, Role::Member)
    }

    /// Seeing a member's identity and phone numbers in full (each time recorded): those who keep
    /// the records of their subtree, and a member their own. System administrators run accounts,
    /// not records, and see them masked like everyone else.
    pub fn may_reveal_personal(&self) -> bool {
        !matches!(self.role, Role::SystemAdmin)
    }

    /// Reading the audit log of the subtree.
    pub fn may_read_audit(&self) -> bool {
        !matches!(self.role, Role::Member)
    }

    /// Setting the organizational-life rules of the whole deployment: an administrator whose grant
    /// is the whole tree (`root_path` is the root organization's path).
    pub fn may_set_rules(&self, root_path: &str) -> bool {
        let from = self.path_range().0;
        (from == "/" || from == root_path) && matches!(self.role, Role::SystemAdmin | Role::DepartmentAdmin)
    }

    /// Managing user accounts.
    pub fn may_manage_users(&self) -> bool {
        matches!(self.role, Role::SystemAdmin)
    }

    /// Scheduling and delivering reminders: the server's own work, never a user's.
    pub fn is_system(&self) -> bool {
        self.actor_id.is_none()
    }

    /// `Forbidden` unless `allowed` (one of the `may_*` answers).
    pub fn require(&self, allowed: bool) -> Result<(), crate::StoreError> {
        if allowed { Ok(()) } else { Err(crate::StoreError::Forbidden) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subtree_grant_sees_its_descendants_and_nothing_beside_them() {
        let a = Access::for_user(1, "x".into(), Role::BranchSecretary, 7, "/00000001/00000007/".into(), None);
        assert!(a.sees_path("/00000001/00000007/"));
        assert!(a.sees_path("/00000001/00000007/00000009/"));
        assert!(!a.sees_path("/00000001/00000070/"));
        assert!(!a.sees_path("/00000001/"));
    }

    #[test]
    fn a_member_grant_sees_only_their_own_organization_and_record() {
        let a = Access::for_user(1, "x".into(), Role::Member, 7, "/00000001/00000007/".into(), Some(42));
        assert!(a.sees_path("/00000001/00000007/"));
        assert!(!a.sees_path("/00000001/00000007/00000009/"));
        assert_eq!(a.member_predicate().0, "m.id = ?");
        assert!(!a.may_edit_members());
    }
}
