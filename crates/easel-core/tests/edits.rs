//! The one edit vocabulary on real yrs docs: a batch of `Edit`s is one transaction and one undo
//! step, what changed is read from yrs's events (local edits, undo, remote updates alike), and
//! the caches it keeps instead of scanning the board (references, the top z key) stay right
//! when other replicas change things.

use std::collections::BTreeSet;

use easel_core::zorder;
use easel_core::{
    Binding, BoardDoc, Edit, Element, ElementChanges, ElementKind, ElementPatch, IdPatch, ZMove,
};

fn rect(id: &str, x: f64) -> Element {
    Element::new(id, ElementKind::Rectangle, x, 0.0).with_size(10.0, 10.0)
}

fn arrow(id: &str, from: &str, to: &str) -> Element {
    let mut a = Element::new(id, ElementKind::Arrow, 0.0, 0.0).with_size(10.0, 10.0);
    a.points = vec![[0.0, 0.0], [10.0, 10.0]];
    let bind = |e: &str| Binding {
        element: e.into(),
        focus: 0.0,
        gap: 4.0,
        side: None,
    };
    a.start = Some(bind(from));
    a.end = Some(bind(to));
    a
}

fn sync(from: &BoardDoc, to: &BoardDoc) {
    let diff = from.encode_diff(&to.state_vector()).unwrap();
    to.apply_remote(&diff).unwrap();
}

fn ids(v: &[&str]) -> BTreeSet<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn edits(json: serde_json::Value) -> Vec<Edit> {
    serde_json::from_value(json).unwrap()
}

#[test]
fn a_gesture_is_one_transaction_one_undo_step_and_names_what_it_touched() {
    let mut d = BoardDoc::new();
    let board: Vec<Element> = (0..200).map(|i| rect(&format!("r{i}"), i as f64)).collect();
    d.add_many("me", board).unwrap();
    d.take_changes();
    d.take_updates();
    d.clear_undo();

    let before = d.encode_state();
    let gesture = edits(serde_json::json!([
        {"type": "add", "elements": [serde_json::to_value(rect("new", 5.0)).unwrap()]},
        {"type": "update", "updates": [{"id": "new", "patch": {"width": 50}}]},
        {"type": "update", "updates": [{"id": "r3", "patch": {"x": 300}}, {"id": "ghost", "patch": {"x": 1}}]},
        {"type": "group", "ids": ["r3", "new"], "groupId": "g"},
        {"type": "setText", "id": "r4", "text": "hello"},
        {"type": "delete", "ids": ["r5", "missing"]},
    ]));
    let applied = d.apply_edits("me", &gesture).unwrap();
    assert_eq!(
        applied
            .put
            .iter()
            .map(|e| e.id.as_str())
            .collect::<Vec<_>>(),
        ["new", "r3", "r4"]
    );
    assert_eq!(applied.removed, ["r5"]);
    assert_eq!(d.take_updates().len(), 1, "one transaction");
    let new = d.element("new").unwrap();
    assert_eq!((new.width, new.group_ids.clone()), (50.0, vec!["g".into()]));
    assert_eq!(new.author, "me");

    let changes = d.take_changes();
    assert_eq!(changes.touched, ids(&["new", "r3", "r4", "r5"]));
    assert_eq!(changes.inserted, ids(&["new"]));
    let diff = d.diff_for(&changes);
    assert_eq!(diff.added.len(), 1);
    assert_eq!(diff.updated.len(), 2);
    assert_eq!(diff.removed, ["r5"]);
    assert!(d.take_changes().is_empty(), "taken once");

    // One undo step takes the whole gesture back, and names the same elements.
    assert!(d.undo());
    assert!(!d.can_undo());
    assert_eq!(d.take_changes().touched, ids(&["new", "r3", "r4", "r5"]));
    let after_undo = BoardDoc::from_updates([d.encode_state().as_slice()]).unwrap();
    let was = BoardDoc::from_updates([before.as_slice()]).unwrap();
    assert_eq!(after_undo.elements(), was.elements());
}

#[test]
fn an_edit_that_changes_nothing_writes_nothing() {
    let mut d = BoardDoc::new();
    d.add("me", rect("a", 0.0)).unwrap();
    d.take_updates();
    d.take_changes();
    let same = d.element("a").unwrap();
    let applied = d
        .apply_edits(
            "someone else",
            &[
                Edit::Add {
                    elements: vec![same.clone()],
                },
                Edit::Update {
                    updates: vec![IdPatch {
                        id: "a".into(),
                        patch: ElementPatch {
                            x: Some(0.0),
                            ..Default::default()
                        },
                    }],
                },
            ],
        )
        .unwrap();
    assert!(applied.put.is_empty());
    assert!(d.take_updates().is_empty());
    assert!(d.take_changes().is_empty());
    assert_eq!(d.element("a").unwrap().author, "me");
}

#[test]
fn a_refused_batch_changes_nothing_and_names_the_edit() {
    let mut d = BoardDoc::new();
    d.add("me", rect("a", 0.0)).unwrap();
    d.take_updates();
    let err = d
        .apply_edits(
            "me",
            &edits(serde_json::json!([
                {"type": "update", "updates": [{"id": "a", "patch": {"x": 7}}]},
                {"type": "update", "updates": [{"id": "a", "patch": {"width": -1}}]},
            ])),
        )
        .unwrap_err();
    assert!(err.to_string().contains("width"), "{err}");
    let err = d
        .apply_edits(
            "me",
            &[Edit::Group {
                ids: vec!["a".into()],
                group_id: "bad id!".into(),
            }],
        )
        .unwrap_err();
    assert!(err.to_string().contains("edits[0]"), "{err}");
    assert!(d.take_updates().is_empty());
    assert_eq!(d.element("a").unwrap().x, 0.0);
}

#[test]
fn adding_an_existing_id_with_another_kind_replaces_the_element() {
    let mut d = BoardDoc::new();
    let mut t = Element::new("a", ElementKind::Text, 0.0, 0.0).with_size(10.0, 10.0);
    t.text = "hi".into();
    d.add("me", t).unwrap();
    let e = Element::new("a", ElementKind::Ellipse, 3.0, 0.0).with_size(10.0, 10.0);
    d.apply_edits("me", &[Edit::Add { elements: vec![e] }])
        .unwrap();
    let now = d.element("a").unwrap();
    assert_eq!(
        (now.kind, now.x, now.text.as_str()),
        (ElementKind::Ellipse, 3.0, "")
    );
}

#[test]
fn deleting_unbinds_arrows_found_through_the_index_even_when_bound_elsewhere() {
    let mut mine = BoardDoc::new();
    mine.add_many("me", vec![rect("a", 0.0), rect("b", 100.0)])
        .unwrap();
    let mut theirs = BoardDoc::new();
    sync(&mine, &theirs);
    // The binding is made on another replica and arrives as a remote update.
    theirs.add("them", arrow("ar", "a", "b")).unwrap();
    let mut framed = rect("inside", 5.0);
    let frame = Element::new("f", ElementKind::Frame, 0.0, 0.0).with_size(50.0, 50.0);
    theirs.add("them", frame).unwrap();
    framed.frame_id = Some("f".into());
    theirs.add("them", framed).unwrap();
    sync(&theirs, &mine);
    mine.take_changes();

    let applied = mine
        .apply_edits(
            "me",
            &[Edit::Delete {
                ids: vec!["a".into(), "f".into()],
            }],
        )
        .unwrap();
    let ar = mine.element("ar").unwrap();
    assert!(ar.start.is_none(), "bound to a deleted element");
    assert_eq!(ar.end.as_ref().unwrap().element, "b", "other end kept");
    assert!(mine.element("inside").unwrap().frame_id.is_none());
    assert_eq!(applied.removed.len(), 2);
    assert_eq!(
        mine.take_changes().touched,
        ids(&["a", "f", "ar", "inside"])
    );

    // Rebinding the arrow to b on both ends, then deleting b: the index followed the update.
    mine.apply_edits(
        "me",
        &[Edit::Update {
            updates: vec![IdPatch {
                id: "ar".into(),
                patch: ElementPatch {
                    start: Some(arrow("x", "b", "b").start),
                    ..Default::default()
                },
            }],
        }],
    )
    .unwrap();
    mine.apply_edits(
        "me",
        &[Edit::Delete {
            ids: vec!["b".into()],
        }],
    )
    .unwrap();
    let ar = mine.element("ar").unwrap();
    assert!(ar.start.is_none() && ar.end.is_none());
}

#[test]
fn remote_changes_are_named_too() {
    let mut a = BoardDoc::new();
    let mut b = BoardDoc::new();
    a.add_many("a", vec![rect("x", 0.0), rect("y", 0.0)])
        .unwrap();
    sync(&a, &b);
    b.take_changes();
    a.set_text("a", "y", "typed").unwrap();
    a.delete("a", &["x".into()]).unwrap();
    sync(&a, &b);
    let changes = b.take_changes();
    assert_eq!(changes.touched, ids(&["x", "y"]));
    let diff = b.diff_for(&changes);
    assert_eq!(diff.removed, ["x"]);
    assert_eq!(diff.updated[0].text, "typed");
    // A duplicate delivery changes nothing and names nothing.
    sync(&a, &b);
    assert_eq!(b.take_changes(), ElementChanges::default());
}

#[test]
fn new_elements_go_above_a_top_that_arrived_from_elsewhere() {
    let mut a = BoardDoc::new();
    let mut b = BoardDoc::new();
    a.add("a", rect("first", 0.0)).unwrap(); // Warms a's cached top key.
    sync(&a, &b);
    let mut high = rect("high", 0.0);
    high.z = "a9".into();
    b.add("b", high).unwrap();
    sync(&b, &a);
    let on_top = a.add("a", rect("later", 0.0)).unwrap();
    assert!(on_top.z.as_str() > "a9", "{} above a9", on_top.z);

    // The top element moves down: the next add finds the new top (a9), not the cached one.
    a.apply_edits(
        "a",
        &[Edit::Reorder {
            moves: vec![ZMove {
                id: "later".into(),
                z: "Zz".into(),
            }],
        }],
    )
    .unwrap();
    let next = a.add("a", rect("next", 0.0)).unwrap();
    assert_eq!(next.z, zorder::key_between(Some("a9"), None));
}
