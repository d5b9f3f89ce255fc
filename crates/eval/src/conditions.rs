//! Condition operators: one small function per operator family. (Being written.)

use policy::Condition;

use crate::context::Context;

/// Whether a condition holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Truth {
    True,
    False,
    /// Depends on a key whose value is unknown (partial evaluation only).
    Unknown,
    /// Cannot be evaluated (an operator the engine does not know, a malformed value): the reason.
    CouldNotEvaluate(String),
}

/// Evaluates one condition (operator, key, values) against the context.
pub fn evaluate_condition(cond: &Condition, ctx: &Context) -> Truth {
    let _ = (cond, ctx);
    Truth::CouldNotEvaluate("not yet implemented".into())
}
