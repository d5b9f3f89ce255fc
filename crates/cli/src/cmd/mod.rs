//! One module per subcommand.

pub mod actions;
pub mod conformance;
pub mod eval;
