//! Who holds which policies, and what they allow: the policy sets of principals assembled from a
//! snapshot for the evaluator, with what is missing recorded as gaps.

pub mod assemble;

pub use assemble::{Assembled, add_role_as_resource, role_identity, user_identity};
