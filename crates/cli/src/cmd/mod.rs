//! One module per subcommand.

pub mod actions;
pub mod collect;
pub mod conformance;
pub mod diff;
pub mod eval;
pub mod graph_cmds;
pub mod load;
pub mod resources;
pub mod role;
pub mod roles;
pub mod rules_cmd;
pub mod scan;
pub mod serve;
pub mod snapshot;
pub mod suggest_policy;
pub mod usage;
pub mod users;
