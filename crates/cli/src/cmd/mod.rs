//! One module per subcommand.

pub mod actions;
pub mod conformance;
pub mod eval;
pub mod rules_cmd;
pub mod scan;
pub mod suggest_policy;
pub mod usage;
pub mod load;
pub mod role;
pub mod roles;
pub mod users;
pub mod snapshot;
pub mod diff;
pub mod serve;
pub mod graph_cmds;
pub mod collect;
