//! The UI's edit commands (`ui/src/engine/commands.ts`) and how a batch of them becomes one core
//! transaction: the batch is folded over the current elements into whole elements to put and
//! ids to remove, then applied with [`easel_core::BoardSession::apply_elements`] (one undo step).
//! Also the element diff the `board-changed` event carries.

use std::collections::HashMap;

use easel_core::{Element, ElementPatch};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdPatch {
    pub id: String,
    pub patch: ElementPatch,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Move {
    pub id: String,
    pub z: String,
}

/// One edit, as the UI's `Command` type spells it.
#[derive(Debug, Clone, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum UiCommand {
    Add { elements: Vec<Element> },
    Update { updates: Vec<IdPatch> },
    Delete { ids: Vec<String> },
    Reorder { moves: Vec<Move> },
    Group { ids: Vec<String>, group_id: String },
    Ungroup { ids: Vec<String>, group_id: String },
    SetText { id: String, text: String },
}

/// What a batch does, net: elements to add or replace, ids to delete.
#[derive(Debug, Default, PartialEq)]
pub struct Net {
    pub put: Vec<Element>,
    pub remove: Vec<String>,
}

/// Folds `commands` over `lookup` (the current elements). Commands naming unknown elements are
/// skipped, as the in-memory implementation does. Order is kept: an element added then updated
/// in one batch is put once, as it ends up.
pub fn fold(commands: &[UiCommand], lookup: impl Fn(&str) -> Option<Element>) -> Net {
    // None = deleted in this batch.
    let mut next: HashMap<String, Option<Element>> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    let cur = |next: &HashMap<String, Option<Element>>, id: &str| match next.get(id) {
        Some(v) => v.clone(),
        None => lookup(id),
    };
    let mut set = |next: &mut HashMap<String, Option<Element>>, id: &str, v: Option<Element>| {
        if !next.contains_key(id) {
            order.push(id.to_string());
        }
        next.insert(id.to_string(), v);
    };
    for cmd in commands {
        match cmd {
            UiCommand::Add { elements } => {
                for el in elements {
                    set(&mut next, &el.id, Some(el.clone()));
                }
            }
            UiCommand::Update { updates } => {
                for u in updates {
                    if let Some(el) = cur(&next, &u.id) {
                        set(&mut next, &u.id, Some(u.patch.apply_to(&el)));
                    }
                }
            }
            UiCommand::Delete { ids } => {
                for id in ids {
                    if cur(&next, id).is_some() {
                        set(&mut next, id, None);
                    }
                }
            }
            UiCommand::Reorder { moves } => {
                for m in moves {
                    if let Some(mut el) = cur(&next, &m.id) {
                        el.z = m.z.clone();
                        set(&mut next, &m.id, Some(el));
                    }
                }
            }
            UiCommand::Group { ids, group_id } => {
                for id in ids {
                    if let Some(mut el) = cur(&next, id) {
                        el.group_ids.push(group_id.clone());
                        set(&mut next, id, Some(el));
                    }
                }
            }
            UiCommand::Ungroup { ids, group_id } => {
                for id in ids {
                    if let Some(mut el) = cur(&next, id)
                        && el.group_ids.contains(group_id)
                    {
                        el.group_ids.retain(|g| g != group_id);
                        set(&mut next, id, Some(el));
                    }
                }
            }
            UiCommand::SetText { id, text } => {
                if let Some(mut el) = cur(&next, id) {
                    el.text = text.clone();
                    set(&mut next, id, Some(el));
                }
            }
        }
    }
    let mut net = Net::default();
    for id in order {
        match next.remove(&id).flatten() {
            Some(el) => net.put.push(el),
            None => {
                if lookup(&id).is_some() {
                    net.remove.push(id);
                }
            }
        }
    }
    net
}

/// Element changes between two states of a board, as the `board-changed` event carries them.
#[derive(Debug, Default, Clone, Serialize, PartialEq)]
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

/// Diffs `now` against `known` and makes `known` equal to `now`.
pub fn diff(known: &mut HashMap<String, Element>, now: Vec<Element>) -> ElementDiff {
    let mut d = ElementDiff::default();
    let mut seen: HashMap<String, Element> = HashMap::with_capacity(now.len());
    for el in now {
        match known.remove(&el.id) {
            None => d.added.push(el.clone()),
            Some(old) if old != el => d.updated.push(el.clone()),
            Some(_) => {}
        }
        seen.insert(el.id.clone(), el);
    }
    d.removed = known.drain().map(|(id, _)| id).collect();
    d.removed.sort();
    *known = seen;
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use easel_core::ElementKind;

    fn rect(id: &str, x: f64) -> Element {
        Element::new(id, ElementKind::Rectangle, x, 0.0).with_size(10.0, 10.0)
    }

    fn commands(json: serde_json::Value) -> Vec<UiCommand> {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn parses_the_ui_command_shapes() {
        let cmds = commands(serde_json::json!([
            {"type": "update", "updates": [{"id": "a", "patch": {"x": 5, "frameId": null}}]},
            {"type": "reorder", "moves": [{"id": "a", "z": "a5"}]},
            {"type": "group", "ids": ["a"], "groupId": "g"},
            {"type": "ungroup", "ids": ["a"], "groupId": "g"},
            {"type": "setText", "id": "a", "text": "hi"},
            {"type": "delete", "ids": ["a"]},
        ]));
        assert_eq!(cmds.len(), 6);
    }

    #[test]
    fn a_gesture_folds_to_its_net_effect() {
        let existing = [rect("a", 0.0), rect("b", 0.0)];
        let lookup = |id: &str| existing.iter().find(|e| e.id == id).cloned();
        let mut new = serde_json::to_value(rect("n", 1.0)).unwrap();
        new["width"] = 1.into();
        let cmds = commands(serde_json::json!([
            {"type": "add", "elements": [new]},
            {"type": "update", "updates": [{"id": "n", "patch": {"width": 50}}]},
            {"type": "update", "updates": [{"id": "n", "patch": {"width": 80}}, {"id": "zz", "patch": {"x": 1}}]},
            {"type": "group", "ids": ["a", "n"], "groupId": "g"},
            {"type": "delete", "ids": ["b", "missing"]},
        ]));
        let net = fold(&cmds, lookup);
        assert_eq!(net.remove, vec!["b".to_string()]);
        assert_eq!(net.put.len(), 2);
        let n = net.put.iter().find(|e| e.id == "n").unwrap();
        assert_eq!(
            (n.width, n.group_ids.clone()),
            (80.0, vec!["g".to_string()])
        );
    }

    #[test]
    fn adding_then_deleting_in_one_batch_does_nothing() {
        let cmds = commands(serde_json::json!([
            {"type": "add", "elements": [serde_json::to_value(rect("n", 1.0)).unwrap()]},
            {"type": "delete", "ids": ["n"]},
        ]));
        assert_eq!(fold(&cmds, |_| None), Net::default());
    }

    #[test]
    fn diff_reports_added_updated_removed_once() {
        let mut known = HashMap::new();
        let d = diff(&mut known, vec![rect("a", 0.0), rect("b", 0.0)]);
        assert_eq!((d.added.len(), d.updated.len()), (2, 0));
        let d = diff(&mut known, vec![rect("a", 9.0)]);
        assert_eq!(d.updated[0].x, 9.0);
        assert_eq!(d.removed, vec!["b".to_string()]);
        assert!(diff(&mut known, vec![rect("a", 9.0)]).is_empty());
    }
}
