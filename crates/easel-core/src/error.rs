//! The core's error type. Every failure a caller can act on has its own variant, so the CLI and
//! the desktop app can say exactly what went wrong.

use crate::perm::Access;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A value broke the model's rules; `field` names the first offending field.
    #[error("invalid {field}: {message}")]
    Invalid { field: String, message: String },

    /// A value is larger than the model allows.
    #[error("{field} is too large: {size} > {max}")]
    TooLarge {
        field: String,
        size: usize,
        max: usize,
    },

    /// No such board, element, user, snapshot or file.
    #[error("{what} not found: {id}")]
    NotFound { what: &'static str, id: String },

    /// The acting user does not hold the level the operation needs.
    #[error("permission denied: {action} needs {needed}, you have {held}")]
    Denied {
        action: &'static str,
        needed: Access,
        held: Access,
    },

    /// The acting user may not change what another user wrote (a comment, say), whatever their
    /// level on the board.
    #[error("{what} {id} was written by someone else; only its author can {action} it")]
    NotAuthor {
        what: &'static str,
        id: String,
        action: &'static str,
    },

    /// An element with this id already exists.
    #[error("{what} already exists: {id}")]
    AlreadyExists { what: &'static str, id: String },

    /// The database on disk has a schema this build cannot adopt or migrate.
    #[error("database schema: {0}")]
    Schema(String),

    /// Stored or received document bytes that do not decode.
    #[error("corrupt document data: {0}")]
    Corrupt(String),

    #[error("database: {0}")]
    Database(#[from] sqlx::Error),

    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),

    #[error("{0}")]
    Io(#[from] std::io::Error),

    /// No key store can keep the identity secret, or the one in use refused or lost it. The
    /// message names the store(s) tried and what to do (e.g. opt in to the file store).
    #[error("key store: {0}")]
    KeyStore(String),

    /// The CRDT engine (yrs) failed inside a call, e.g. panicked while applying a remote
    /// update. The document it ran on may be half-changed: the session that owns it reloads it
    /// from the store before returning this.
    #[error("the document engine failed: {0}")]
    Engine(String),

    /// The store's background writer is gone (the process is shutting down).
    #[error("the store is closed")]
    Closed,
}

/// Runs `f`, a call into yrs, and turns a panic inside it into [`Error::Engine`] naming `what`
/// was being done. yrs panics on some inputs it accepted (an arithmetic overflow in its block
/// store, a failed lookup); a panic must not take down the sync task, a relay room or the app.
/// The caller must treat the document as suspect afterwards (see [`Error::Engine`]).
pub(crate) fn guard_engine<T>(what: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            let reason = panic_message(payload.as_ref());
            tracing::error!(%reason, "yrs panicked while {what}");
            Err(Error::Engine(format!("{what}: {reason}")))
        }
    }
}

pub use easel_proto::panic_message;

impl From<easel_log::LogError> for Error {
    fn from(e: easel_log::LogError) -> Error {
        use easel_log::LogError as L;
        match e {
            L::Database(e) => Error::Database(e),
            L::Migrate(e) => Error::Migrate(e),
            L::Commit(msg) => Error::Database(sqlx::Error::Protocol(msg)),
            L::Closed => Error::Closed,
            L::Invalid(msg) => Error::invalid("document", msg),
            L::Quota(msg) => Error::invalid("files", format!("over quota: {msg}")),
            L::Io(e) => Error::Io(e),
        }
    }
}

impl From<easel_keys::BadLevel> for Error {
    fn from(e: easel_keys::BadLevel) -> Self {
        Error::invalid("level", e.to_string())
    }
}

impl Error {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn too_large(field: impl Into<String>, size: usize, max: usize) -> Self {
        Error::TooLarge {
            field: field.into(),
            size,
            max,
        }
    }

    pub fn not_found(what: &'static str, id: impl Into<String>) -> Self {
        Error::NotFound {
            what,
            id: id.into(),
        }
    }

    /// Prefixes the field path of a validation error, e.g. `x` becomes `elements[3].x`.
    pub fn at(self, prefix: impl AsRef<str>) -> Self {
        let prefix = prefix.as_ref();
        match self {
            Error::Invalid { field, message } => Error::Invalid {
                field: format!("{prefix}.{field}"),
                message,
            },
            Error::TooLarge { field, size, max } => Error::TooLarge {
                field: format!("{prefix}.{field}"),
                size,
                max,
            },
            other => other,
        }
    }

    /// A short stable name for the error's kind, for `--json` output and the UI.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Invalid { .. } => "invalid",
            Error::TooLarge { .. } => "too_large",
            Error::NotFound { .. } => "not_found",
            Error::Denied { .. } => "denied",
            Error::NotAuthor { .. } => "not_author",
            Error::AlreadyExists { .. } => "already_exists",
            Error::Schema(_) => "schema",
            Error::Corrupt(_) => "corrupt",
            Error::Database(_) => "database",
            Error::Migrate(_) => "migrate",
            Error::Io(_) => "io",
            Error::KeyStore(_) => "key_store",
            Error::Engine(_) => "engine",
            Error::Closed => "closed",
        }
    }
}
