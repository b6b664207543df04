//! Easel's headless core.
//!
//! Layout:
//! - [`model`]: elements, board meta and files as plain values, with validation.
//! - [`zorder`]: fractional index keys for z-order.
//! - [`doc`]: the yrs board document: typed operations, per-user undo, encode/decode.
//! - [`comments`]: the second yrs document per board: comment threads anchored to elements
//!   or points, with replies, own-message edits and resolve/reopen.
//! - [`capability`]: signed grants of a level on a board, share links, owner-bound board ids.
//! - [`identity`]: this installation's Ed25519 key pair, its secret in the OS keychain.
//! - [`perm`]: permission levels and the access each operation needs.
//! - [`store`]: the SQLite store (sqlx): migrations, group-committed update log, snapshots, audit.
//! - [`sync`]: the y-websocket client that keeps an open board in sync with a relay or host.
//! - [`tls`]: the certificates `wss://` trusts (OS store, `EASEL_EXTRA_CA`) and TLS errors in words.
//! - [`service`]: [`Easel`], the API the CLI and the app call: every operation takes the acting
//!   user, checks permission, applies, persists and audits.
//!
//! Nothing here knows about Tauri or windows; only [`sync`] opens sockets.

/// Signed capabilities, share links, key proofs and revocations: the `easel-keys` crate.
pub use easel_keys::capability;
pub mod comments;
pub mod doc;
pub mod edit;
pub mod error;
pub mod files;
pub mod identity;
pub mod model;
pub mod perm;
pub mod service;
pub mod share;
pub mod store;
pub mod sync;
pub mod tls;
// Generates and checks the UI's TypeScript types of `model` (ui/src/model/generated).
#[cfg(test)]
mod ts_types;
pub mod zorder;

pub use comments::{Anchor, Author, Comment, CommentsDoc, Thread};
pub use doc::{BoardDoc, Reorder};
pub use edit::{Applied, Edit, ElementChanges, ElementDiff, IdPatch, ZMove};
pub use error::{Error, Result};
pub use identity::{Identity, KeyStoreKind};
pub use model::{
    Binding, BoardFile, BoardMeta, Element, ElementKind, ElementPatch, FileRef, Scene,
};
pub use perm::{Access, Level, Op};
pub use service::{
    BoardSession, BoardSummary, ChangeOrigin, CommentsSession, DocChange, Easel, FILE_GRACE,
    SnapshotPolicy, coalesce_changes,
};
pub use store::{DocKind, Durability, Store};
