//! Who holds which policies, and what they allow: the policy sets of principals assembled from a
//! snapshot for the evaluator, with what is missing recorded as gaps; and the per-role view built
//! on them: decoded trust ([`trust`]), role kinds ([`kind`]), permissions computed with the
//! engine ([`permissions`]), privilege ([`privilege`]), the role records of `rolegraph roles` and
//! `rolegraph role` ([`record`]) and the credentials of `rolegraph users` ([`users`]).

pub mod assemble;
pub mod build;
pub mod condition;
pub mod kind;
pub mod known;
pub mod lists;
pub mod permissions;
pub mod privilege;
pub mod record;
#[cfg(test)]
mod testutil;
pub mod trust;
pub mod users;

pub use assemble::{Assembled, add_role_as_resource, role_identity, user_identity};
pub use kind::RoleKind;
pub use permissions::{Permissions, PermissionsView};
pub use privilege::{Privilege, PrivilegeLevel};
pub use record::{RoleRecord, RoleSummary, RolesReport, role_record, roles_report};
pub use trust::{Trust, TrustedEntity};
pub use users::{UsersReport, users_report};
