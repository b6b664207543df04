//! Capabilities and keys, with nothing else: signed grants of a [`Level`] on a board, share
//! links, owner-bound board ids, key proofs and revocations ([`capability`]), and the
//! `ws://`/`wss://` room URLs links carry ([`url`]). No I/O, no store, no keychain: the relay
//! checks links with this crate alone, and the core issues them with it.

pub mod capability;
pub mod url;

use serde::{Deserialize, Serialize};

/// A level that can be granted on a board: VIEW < COMMENT < EDIT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Level {
    View,
    Comment,
    Edit,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::View => "VIEW",
            Level::Comment => "COMMENT",
            Level::Edit => "EDIT",
        }
    }
}

/// A word that is not a level.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not one of VIEW, COMMENT, EDIT")]
pub struct BadLevel(pub String);

impl std::str::FromStr for Level {
    type Err = BadLevel;
    fn from_str(s: &str) -> Result<Self, BadLevel> {
        match s.to_ascii_uppercase().as_str() {
            "VIEW" => Ok(Level::View),
            "COMMENT" => Ok(Level::Comment),
            "EDIT" => Ok(Level::Edit),
            _ => Err(BadLevel(s.to_string())),
        }
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
