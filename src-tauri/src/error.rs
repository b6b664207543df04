//! The one error type commands return. It reaches the UI as `{kind, message}`; it is serialized
//! here, at the edge, and nowhere else.

use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct AppError {
    /// Stable, machine-readable: `invalid`, `tooLarge`, `notFound`, `denied`, `alreadyExists`,
    /// `notOpen`, `format`, `storage`, `io`, `keyStore` (no identity: sharing is unavailable).
    pub kind: &'static str,
    /// One line for a person.
    pub message: String,
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn new(kind: &'static str, message: impl Into<String>) -> Self {
        AppError {
            kind,
            message: message.into(),
        }
    }

    pub fn not_open(board: uuid::Uuid) -> Self {
        AppError::new("notOpen", format!("board {board} is not open"))
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

impl std::error::Error for AppError {}

impl From<easel_core::Error> for AppError {
    fn from(e: easel_core::Error) -> Self {
        use easel_core::Error as E;
        let kind = match &e {
            E::Invalid { .. } => "invalid",
            E::TooLarge { .. } => "tooLarge",
            E::NotFound { .. } => "notFound",
            E::Denied { .. } => "denied",
            E::AlreadyExists { .. } => "alreadyExists",
            E::Io(_) => "io",
            E::KeyStore(_) => "keyStore",
            _ => "storage",
        };
        AppError::new(kind, e.to_string())
    }
}

impl From<easel_formats::Error> for AppError {
    fn from(e: easel_formats::Error) -> Self {
        match e {
            easel_formats::Error::Core(core) => core.into(),
            other => AppError::new("format", other.to_string()),
        }
    }
}

impl From<std::io::Error> for AppError {
    fn from(e: std::io::Error) -> Self {
        AppError::new("io", e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_kind_and_message() {
        let e: AppError = easel_core::Error::not_found("board", "42").into();
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"kind": "notFound", "message": "board not found: 42"})
        );
    }
}
