//! Exact IAM policy evaluation, following AWS's documented evaluation logic, with a partial mode
//! that returns the conditions under which a request would be allowed.
//!
//! The one entry point is [`evaluate`]: it never fails and never panics. A request whose context
//! holds every key it needs gets `Allowed`, `ExplicitlyDenied` or `ImplicitlyDenied`; one whose
//! context leaves keys unknown (see [`Unknowns`]) may get `Conditional` with the residual
//! condition in [`Decision::allowed_if`]; anything the engine cannot evaluate is named in
//! [`Decision::could_not_evaluate`] and, where it could change the outcome, makes the outcome
//! `Conditional` rather than a guess.

pub mod case;
pub mod conditions;
pub mod context;
pub mod corpus;
pub mod decide;
pub mod expr;
pub mod index;
pub mod principal;

pub use case::{Case, CaseError, DecisionReport};
pub use conditions::{Truth, evaluate_condition};
pub use context::{Context, ContextValue, Lookup, Unknowns};
pub use decide::{Decision, Outcome, PolicyEntry, PolicyKind, PolicySet, Request, StatementRef, evaluate, evaluate_as};
pub use expr::{Atom, Expr};
pub use principal::{Caller, CallerKind, Naming};
