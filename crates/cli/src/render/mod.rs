//! Text rendering helpers shared by commands.

pub mod table;
