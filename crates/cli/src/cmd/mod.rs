//! One module per subcommand.

pub mod actions;
pub mod conformance;
pub mod eval;
pub mod load;
pub mod role;
pub mod roles;
pub mod users;
pub mod rules_cmd;
pub mod scan;
pub mod serve;
pub mod suggest_policy;
pub mod usage;
