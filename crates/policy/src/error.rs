//! Errors of parsing a policy: what was wrong, and where (a JSON pointer into the document).

/// A policy that cannot be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The text is not JSON (or not URL-encoded JSON).
    #[error("policy is not valid JSON: {0}")]
    Json(String),
    /// The JSON is not a valid policy: the pointer says where.
    #[error("invalid policy at `{pointer}`: {message}")]
    Invalid { pointer: String, message: String },
}

impl ParseError {
    pub(crate) fn at(pointer: &str, message: impl Into<String>) -> Self {
        ParseError::Invalid {
            pointer: if pointer.is_empty() { "/".to_owned() } else { pointer.to_owned() },
            message: message.into(),
        }
    }

    /// The JSON pointer of the error, if it has one.
    pub fn pointer(&self) -> Option<&str> {
        match self {
            ParseError::Json(_) => None,
            ParseError::Invalid { pointer, .. } => Some(pointer),
        }
    }
}
