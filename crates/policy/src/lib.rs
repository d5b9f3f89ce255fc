//! The IAM policy language: raw JSON → validated AST (statements, action and resource patterns,
//! principals, conditions), ARN parsing, wildcard matching and policy variables. No I/O.
//!
//! Everything that reads a policy goes through [`Policy::parse_str`] or [`Policy::from_json`],
//! which accept JSON objects, JSON text and the URL-encoded text of the raw IAM API, and name the
//! JSON pointer of anything invalid. The evaluator (`rolegraph-eval`) works on this AST only.

pub mod arn;
pub mod ast;
pub mod error;
mod parse;
mod print;
pub mod template;
pub mod wildcard;

pub use arn::{Arn, ResourceMatcher};
pub use ast::*;
pub use error::ParseError;
pub use template::{Resolved, Template, VarValue};
pub use wildcard::Pattern;

#[cfg(test)]
mod tests;
