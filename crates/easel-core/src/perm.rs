//! Permission levels and what each operation needs.
//!
//! Stored grants are VIEW < COMMENT < EDIT (`board_permissions.level`). The board's owner stands
//! above every grant: only the owner shares, revokes, deletes, undeletes and restores history.
//! [`Access`] orders all of these, with `None` at the bottom for a user who holds nothing.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A level that can be granted on a board and stored in `board_permissions` (defined with the
/// capabilities that carry it, in `easel-keys`).
pub use easel_keys::Level;

/// What a user holds on a board, from nothing to ownership.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Access {
    None,
    View,
    Comment,
    Edit,
    Owner,
}

impl From<Level> for Access {
    fn from(l: Level) -> Self {
        match l {
            Level::View => Access::View,
            Level::Comment => Access::Comment,
            Level::Edit => Access::Edit,
        }
    }
}

impl Access {
    pub fn as_str(self) -> &'static str {
        match self {
            Access::None => "NONE",
            Access::View => "VIEW",
            Access::Comment => "COMMENT",
            Access::Edit => "EDIT",
            Access::Owner => "OWNER",
        }
    }
}

impl std::fmt::Display for Access {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every operation the core performs on a board, with the access it needs. One table, so the
/// permission matrix test can walk it and nothing is decided ad hoc at call sites.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    Open,
    Export,
    ListHistory,
    ReadAudit,
    /// Reading a board's comments (opening its comments document).
    ReadComments,
    /// Writing its comments: add, reply, edit or delete one's own message, resolve, reopen.
    Comment,
    Edit,
    Rename,
    Snapshot,
    Undo,
    Restore,
    Share,
    Delete,
    Undelete,
}

impl Op {
    pub const ALL: [Op; 14] = [
        Op::Open,
        Op::Export,
        Op::ListHistory,
        Op::ReadAudit,
        Op::ReadComments,
        Op::Comment,
        Op::Edit,
        Op::Rename,
        Op::Snapshot,
        Op::Undo,
        Op::Restore,
        Op::Share,
        Op::Delete,
        Op::Undelete,
    ];

    pub fn needs(self) -> Access {
        match self {
            Op::Open | Op::Export | Op::ListHistory | Op::ReadComments => Access::View,
            Op::Comment => Access::Comment,
            Op::Edit | Op::Rename | Op::Snapshot | Op::Undo => Access::Edit,
            Op::ReadAudit | Op::Restore | Op::Share | Op::Delete | Op::Undelete => Access::Owner,
        }
    }

    /// The name written to the audit log and shown in errors.
    pub fn name(self) -> &'static str {
        match self {
            Op::Open => "open",
            Op::Export => "export",
            Op::ListHistory => "history",
            Op::ReadAudit => "audit",
            Op::ReadComments => "comments",
            Op::Comment => "comment",
            Op::Edit => "edit",
            Op::Rename => "rename",
            Op::Snapshot => "snapshot",
            Op::Undo => "undo",
            Op::Restore => "restore",
            Op::Share => "share",
            Op::Delete => "delete",
            Op::Undelete => "undelete",
        }
    }

    /// `Ok` if `held` suffices, else the typed denial.
    pub fn check(self, held: Access) -> Result<()> {
        if held >= self.needs() {
            Ok(())
        } else {
            Err(Error::Denied {
                action: self.name(),
                needed: self.needs(),
                held,
            })
        }
    }
}
