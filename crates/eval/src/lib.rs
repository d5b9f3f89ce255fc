//! Exact IAM policy evaluation, following AWS's documented evaluation logic, with a partial mode
//! that returns the conditions under which a request would be allowed.

pub mod conditions;
pub mod context;

pub use conditions::{Truth, evaluate_condition};
pub use context::{Context, ContextValue, Lookup, Unknowns};
