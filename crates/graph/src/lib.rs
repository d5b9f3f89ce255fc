//! The authorization graph: who can ultimately act as each role, computed with the policy
//! engine, with its queries and exports. No I/O.
//!
//! [`build`] turns a [`model::Snapshot`] into a [`Graph`] whose nodes are users, roles, groups,
//! services, identity providers, external accounts and principals, `*`, compute resources and
//! one administrator node per account, and whose edges say how one gets to act as another:
//! can-assume (trust and the caller's own policies allow `sts:AssumeRole`), runs-as, member-of,
//! the documented privilege-escalation paths of pathfinding.cloud, and administrator access.
//! Every edge is decided by `rolegraph-eval` on the policy sets `rolegraph-access` assembles
//! (SCPs, boundaries, RCPs included), with a partial context in which what the caller is is
//! known and everything else is unknown: an edge that holds only under conditions keeps them
//! (as structured atoms and as text) rather than being dropped or assumed, and carries the
//! statements that decided it. A condition that cannot hold removes the edge.
//!
//! The build indexes who each trust policy can name, and each caller's identity policies by the
//! actions and resources they could allow, so that only candidate pairs reach the engine.
//! See `docs/graph.md` for the model, the queries and the export formats, and
//! `docs/privesc-coverage.md` for the documented paths.

mod actor;
mod admin;
mod assume;
mod build;
mod class;
pub mod condition;
mod context;
mod engine;
pub mod export;
mod graph;
pub mod observed;
pub mod privesc;
pub mod query;
pub mod resources;
mod trust;
pub mod types;

pub use build::{GraphOptions, build};
pub use condition::{CondAtom, CondExpr, Condition};
pub use graph::{Graph, Stats, join};
pub use observed::{Observation, ObservedEdge, ObservedStatus};
pub use query::{
    Escalation, EscalationWords, Reached, escalation_words, escalations, hops, paths, reach, who_can_reach, who_can_reach_any,
};
pub use types::{Check, Edge, EdgeKind, Evidence, MAX_WAYS, Node, NodeIdx, NodeKind, Way};

#[cfg(test)]
mod tests;
