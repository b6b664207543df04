//! The one edit vocabulary: what the UI, the desktop shell, the CLI and the session methods ask a
//! board to do. A batch of [`Edit`]s is applied by [`crate::BoardDoc::apply_edits`] in one yrs
//! transaction (one undo step) and costs what it touches, whatever the board's size.
//!
//! What a transaction changed is not worked out by comparing boards: the document's deep observer
//! records the element ids yrs reports in its events ([`ElementChanges`]), for local edits,
//! undo/redo and updates from elsewhere alike, and readers look up only those.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::model::{Element, ElementPatch};

/// Most element entries one batch may name (summed over its edits): a select-all drag of the
/// largest board fits; a request that would hold the session for minutes does not.
pub const MAX_ENTRIES_PER_BATCH: usize = 1_000_000;

/// Changes to some fields of one element.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IdPatch {
    pub id: String,
    pub patch: ElementPatch,
}

/// An element's new place in the z-order (a fractional index key, [`crate::zorder`]).
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ZMove {
    pub id: String,
    pub z: String,
}

/// One edit of a board's elements. In JSON: `{"type": "add", "elements": [...]}` and so on, the
/// shape the UI's `Command` has.
///
/// Applied leniently, as a collaborator's concurrent delete requires: an edit naming an element
/// that is not (or no longer) there is skipped, and `add` of an id that exists replaces that
/// element. The session's typed methods (`add`, `update`, ...) are the strict form: they refuse
/// unknown or duplicate ids before anything is written.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum Edit {
    /// Adds elements (or replaces those whose id exists). An empty `z` puts an element on top,
    /// in the order given.
    Add { elements: Vec<Element> },
    /// Changes fields of elements.
    Update { updates: Vec<IdPatch> },
    /// Deletes elements; arrows bound to them are unbound and frame members released.
    Delete { ids: Vec<String> },
    /// Sets elements' z keys.
    Reorder { moves: Vec<ZMove> },
    /// Appends `group_id` (as the new outermost group) to each element's groups.
    Group { ids: Vec<String>, group_id: String },
    /// Removes `group_id` from the groups of each element that has it.
    Ungroup { ids: Vec<String>, group_id: String },
    /// Replaces an element's text; only the changed span is written to its `Y.Text`.
    SetText { id: String, text: String },
}

impl Edit {
    /// How many element entries the edit names (what a batch's size is bounded by).
    pub fn len(&self) -> usize {
        match self {
            Edit::Add { elements } => elements.len(),
            Edit::Update { updates } => updates.len(),
            Edit::Delete { ids } | Edit::Group { ids, .. } | Edit::Ungroup { ids, .. } => ids.len(),
            Edit::Reorder { moves } => moves.len(),
            Edit::SetText { .. } => 1,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What a batch of edits wrote: each element as stored (stamped with author and time), in the
/// order first touched, and the ids deleted. Elements an edit left as they were are not here.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Applied {
    pub put: Vec<Element>,
    pub removed: Vec<String>,
}

/// The element ids one or more transactions changed, as yrs's events reported them. Readers
/// look the ids up afterwards: an id whose element is gone was removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ElementChanges {
    /// Ids whose element map was inserted under `elements` (new elements, or replaced ones).
    pub inserted: BTreeSet<String>,
    /// Every id touched: inserted, removed, or any field changed (text included).
    pub touched: BTreeSet<String>,
    /// The whole document may have changed (it was rebuilt from the store after a failure):
    /// readers must read everything.
    pub everything: bool,
}

impl ElementChanges {
    pub fn is_empty(&self) -> bool {
        self.touched.is_empty() && !self.everything
    }

    /// Adds `other`'s changes to these.
    pub fn merge(&mut self, other: &ElementChanges) {
        self.inserted.extend(other.inserted.iter().cloned());
        self.touched.extend(other.touched.iter().cloned());
        self.everything |= other.everything;
    }

    /// Everything changed.
    pub fn everything() -> Self {
        ElementChanges {
            everything: true,
            ..Default::default()
        }
    }
}

/// Elements as a reader of [`ElementChanges`] sees them: what was added, what changed, what
/// went. The `board-changed` event carries exactly this.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ElementDiff {
    pub added: Vec<Element>,
    pub updated: Vec<Element>,
    pub removed: Vec<String>,
}

impl ElementDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.updated.is_empty() && self.removed.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_ui_command_shapes() {
        let edits: Vec<Edit> = serde_json::from_value(serde_json::json!([
            {"type": "update", "updates": [{"id": "a", "patch": {"x": 5, "frameId": null}}]},
            {"type": "reorder", "moves": [{"id": "a", "z": "a5"}]},
            {"type": "group", "ids": ["a"], "groupId": "g"},
            {"type": "ungroup", "ids": ["a"], "groupId": "g"},
            {"type": "setText", "id": "a", "text": "hi"},
            {"type": "delete", "ids": ["a"]},
        ]))
        .unwrap();
        assert_eq!(edits.len(), 6);
        assert_eq!(
            edits[2],
            Edit::Group {
                ids: vec!["a".into()],
                group_id: "g".into()
            }
        );
        let back = serde_json::to_value(&edits[4]).unwrap();
        assert_eq!(
            back,
            serde_json::json!({"type": "setText", "id": "a", "text": "hi"})
        );
    }

    #[test]
    fn unknown_edits_and_fields_are_refused() {
        for bad in [
            serde_json::json!({"type": "explode", "ids": []}),
            serde_json::json!({"type": "delete", "ids": ["a"], "also": 1}),
            serde_json::json!({"type": "update", "updates": [{"id": "a", "patch": {"nope": 1}}]}),
        ] {
            assert!(
                serde_json::from_value::<Edit>(bad.clone()).is_err(),
                "{bad}"
            );
        }
    }
}
