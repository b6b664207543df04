//! The board document on real yrs docs: typed operations, validation, undo that never touches
//! other people's changes, z-order and text merges between replicas.

use easel_core::model::limits;
use easel_core::{
    Binding, BoardDoc, BoardFile, Element, ElementKind, ElementPatch, Error, Reorder,
};

fn rect(id: &str) -> Element {
    Element::new(id, ElementKind::Rectangle, 0.0, 0.0).with_size(10.0, 10.0)
}

/// Sends everything `from` has that `to` lacks, as a sync layer would.
fn sync(from: &BoardDoc, to: &BoardDoc) {
    let diff = from.encode_diff(&to.state_vector()).unwrap();
    to.apply_remote(&diff).unwrap();
}

fn sync_both(a: &BoardDoc, b: &BoardDoc) {
    sync(a, b);
    sync(b, a);
}

#[test]
fn every_kind_round_trips_through_the_document() {
    let mut d = BoardDoc::new();
    let file = BoardFile::new("image/png", vec![1, 2, 3]);
    let fid = d.add_file(&file).unwrap().id;
    let mut added = Vec::new();
    for (i, kind) in ElementKind::ALL.into_iter().enumerate() {
        let mut e =
            Element::new(format!("e{i}"), kind, i as f64, 2.0 * i as f64).with_size(5.0, 6.0);
        e.angle = 0.5;
        e.stroke = "#ff0000".into();
        e.opacity = 0.5;
        e.group_ids = vec!["g1".into()];
        e.roughness = 1.0;
        e.seed = 2_147_483_000 + i as u32;
        if kind.has_points() {
            e.points = vec![[0.0, 0.0], [3.5, 4.25]];
        }
        if kind == ElementKind::Freedraw {
            e.pressures = vec![0.2, 0.9];
        }
        if kind == ElementKind::Image {
            e.file_id = Some(fid.clone());
        }
        if matches!(kind, ElementKind::Text | ElementKind::Sticky) {
            e.text = "héllo 👋\nworld".into();
        }
        if kind == ElementKind::Frame {
            e.name = Some("Frame A".into());
        }
        added.push(d.add("alice", e).unwrap());
    }
    let mut arrow = Element::new("arrow", ElementKind::Arrow, 0.0, 0.0);
    arrow.points = vec![[0.0, 0.0], [100.0, 0.0]];
    arrow.start = Some(Binding {
        element: "e0".into(),
        focus: 0.1,
        gap: 4.0,
        side: None,
    });
    arrow.end = Some(Binding {
        element: "e1".into(),
        focus: -0.2,
        gap: 2.0,
        side: Some("left".into()),
    });
    arrow.end_arrowhead = Some("arrow".into());
    arrow.elbowed = true;
    added.push(d.add("alice", arrow).unwrap());

    // A second replica that only ever sees the encoded state reads the same elements.
    let other = BoardDoc::from_updates([d.encode_state().as_slice()]).unwrap();
    assert_eq!(other.elements(), d.elements());
    assert_eq!(
        d.elements(),
        added,
        "drawing order is insertion order for appended elements"
    );
    // The document holds the file's reference, never its bytes.
    let r = other.file_ref(&fid).unwrap();
    assert_eq!(
        (r.id.as_str(), r.mime.as_str(), r.size),
        (file.id.as_str(), "image/png", 3)
    );
    assert!(other.legacy_files().is_empty());
    assert_eq!(other.shown_files(), [fid].into_iter().collect());
}

#[test]
fn bad_input_is_refused_and_changes_nothing() {
    let mut d = BoardDoc::new();
    d.add("a", rect("r")).unwrap();
    let before = d.encode_state();
    let sv = d.state_vector();

    let mut nan = rect("n");
    nan.x = f64::NAN;
    let mut inf = rect("i");
    inf.width = f64::INFINITY;
    let mut neg = rect("neg");
    neg.height = -1.0;
    let mut big = Element::new("t", ElementKind::Text, 0.0, 0.0);
    big.text = "x".repeat(limits::MAX_TEXT_BYTES + 1);
    let mut pts = Element::new("p", ElementKind::Freedraw, 0.0, 0.0);
    pts.points = vec![[0.0, 0.0]; limits::MAX_POINTS + 1];
    let mut elbow_rect = rect("er");
    elbow_rect.elbowed = true;
    let mut dangling = Element::new("a", ElementKind::Arrow, 0.0, 0.0);
    dangling.start = Some(Binding {
        element: "nope".into(),
        focus: 0.0,
        gap: 0.0,
        side: None,
    });

    let cases: Vec<(Element, &str)> = vec![
        (nan, "x"),
        (inf, "width"),
        (neg, "height"),
        (big, "text"),
        (pts, "points"),
        (dangling, "start"),
        (elbow_rect, "elbowed"),
        (
            Element::new("bad id!", ElementKind::Rectangle, 0.0, 0.0),
            "id",
        ),
    ];
    for (el, field) in cases {
        match d.add("a", el) {
            Err(Error::Invalid { field: f, .. }) | Err(Error::TooLarge { field: f, .. }) => {
                assert_eq!(f, field)
            }
            other => panic!("expected an error on {field}, got {other:?}"),
        }
    }
    assert!(matches!(
        d.add("a", rect("r")),
        Err(Error::AlreadyExists { .. })
    ));
    assert!(matches!(
        d.update(
            "a",
            "missing",
            &ElementPatch {
                x: Some(1.0),
                ..Default::default()
            }
        ),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        d.update(
            "a",
            "r",
            &ElementPatch {
                opacity: Some(2.0),
                ..Default::default()
            }
        ),
        Err(Error::Invalid { .. })
    ));
    assert!(matches!(
        d.delete("a", &["r".into(), "missing".into()]),
        Err(Error::NotFound { .. })
    ));
    assert!("blob".parse::<ElementKind>().is_err());
    // A partial multi-update with one bad patch writes none of them.
    d.add("a", rect("s")).unwrap();
    let before2 = d.encode_state();
    let r = d.update_many(
        "a",
        &[
            (
                "r".into(),
                ElementPatch {
                    x: Some(5.0),
                    ..Default::default()
                },
            ),
            (
                "s".into(),
                ElementPatch {
                    width: Some(-5.0),
                    ..Default::default()
                },
            ),
        ],
    );
    assert!(r.is_err());
    assert_eq!(d.encode_state(), before2);
    assert_eq!(d.element("r").unwrap().x, 0.0);
    let _ = (before, sv);
}

#[test]
fn undo_never_removes_a_remote_change() {
    let mut alice = BoardDoc::new();
    let mut bob = BoardDoc::new();
    alice.add("alice", rect("a1")).unwrap();
    sync_both(&alice, &bob);
    bob.add("bob", rect("b1")).unwrap();
    bob.update(
        "bob",
        "a1",
        &ElementPatch {
            fill: Some("#00ff00".into()),
            ..Default::default()
        },
    )
    .unwrap();
    sync_both(&alice, &bob);
    alice
        .update(
            "alice",
            "a1",
            &ElementPatch {
                x: Some(50.0),
                ..Default::default()
            },
        )
        .unwrap();
    sync_both(&alice, &bob);

    // Alice undoes twice: her move, then her add. Bob's element and Bob's fill change must stay
    // untouched by her first undo; the second removes her own element (with Bob's fill on it).
    assert!(alice.undo());
    sync_both(&alice, &bob);
    let a1 = bob.element("a1").unwrap();
    assert_eq!(a1.x, 0.0);
    assert_eq!(a1.fill, "#00ff00");
    assert!(bob.element("b1").is_some());
    assert!(alice.undo());
    assert!(!alice.undo(), "nothing of Alice's left to undo");
    sync_both(&alice, &bob);
    assert!(alice.element("a1").is_none());
    assert!(
        alice.element("b1").is_some(),
        "Bob's element survives Alice's undo"
    );
    assert!(alice.redo());
    sync_both(&alice, &bob);
    assert!(bob.element("a1").is_some());
    assert_eq!(alice.elements(), bob.elements());
}

#[test]
fn undo_skips_a_change_someone_else_overwrote() {
    // Alice recolours, then moves; Bob moves the same element after her. Her undo cannot take
    // back a move Bob has replaced without reverting Bob, so it skips it (as Yjs does) and
    // undoes her recolour instead. Bob's geometry stays.
    let mut alice = BoardDoc::new();
    let mut bob = BoardDoc::new();
    alice.add("alice", rect("r")).unwrap();
    alice
        .update(
            "alice",
            "r",
            &ElementPatch {
                fill: Some("#ff0000".into()),
                ..Default::default()
            },
        )
        .unwrap();
    alice
        .update(
            "alice",
            "r",
            &ElementPatch {
                x: Some(10.0),
                ..Default::default()
            },
        )
        .unwrap();
    sync_both(&alice, &bob);
    bob.update(
        "bob",
        "r",
        &ElementPatch {
            y: Some(99.0),
            ..Default::default()
        },
    )
    .unwrap();
    sync_both(&alice, &bob);
    assert!(alice.undo());
    sync_both(&alice, &bob);
    let r = bob.element("r").unwrap();
    assert_eq!((r.x, r.y), (10.0, 99.0), "Bob's move survives");
    assert_eq!(r.fill, "transparent", "Alice's recolour is undone");
    assert_eq!(alice.elements(), bob.elements());
}

#[test]
fn concurrent_typing_in_one_text_merges() {
    let mut a = BoardDoc::new();
    let mut b = BoardDoc::new();
    let mut t = Element::new("t", ElementKind::Text, 0.0, 0.0);
    t.text = "hello world".into();
    a.add("a", t).unwrap();
    sync_both(&a, &b);
    a.set_text("a", "t", "hello brave world").unwrap();
    b.set_text("b", "t", "hello world!").unwrap();
    sync_both(&a, &b);
    assert_eq!(a.element("t").unwrap().text, "hello brave world!");
    assert_eq!(b.element("t").unwrap().text, "hello brave world!");
}

#[test]
fn reorder_moves_within_the_order_and_merges() {
    let mut d = BoardDoc::new();
    for id in ["a", "b", "c", "d"] {
        d.add("u", rect(id)).unwrap();
    }
    let order = |d: &BoardDoc| d.elements().into_iter().map(|e| e.id).collect::<Vec<_>>();
    d.reorder("u", &["a".into()], Reorder::Front).unwrap();
    assert_eq!(order(&d), ["b", "c", "d", "a"]);
    d.reorder("u", &["a".into()], Reorder::Back).unwrap();
    assert_eq!(order(&d), ["a", "b", "c", "d"]);
    d.reorder("u", &["a".into(), "b".into()], Reorder::Forward)
        .unwrap();
    assert_eq!(order(&d), ["c", "a", "b", "d"]);
    d.reorder("u", &["d".into()], Reorder::Backward).unwrap();
    assert_eq!(order(&d), ["c", "a", "d", "b"]);
    d.reorder("u", &["c".into()], Reorder::Back).unwrap(); // Already at the back: no change.
    assert_eq!(order(&d), ["c", "a", "d", "b"]);

    // Two replicas reorder different elements at once; both converge to one order.
    let mut x = BoardDoc::from_updates([d.encode_state().as_slice()]).unwrap();
    let mut y = BoardDoc::from_updates([d.encode_state().as_slice()]).unwrap();
    x.reorder("x", &["c".into()], Reorder::Front).unwrap();
    y.reorder("y", &["b".into()], Reorder::Back).unwrap();
    sync_both(&x, &y);
    assert_eq!(order(&x), order(&y));
    assert_eq!(order(&x), ["b", "a", "d", "c"]);
}

#[test]
fn group_ungroup_and_delete_cleanup() {
    let mut d = BoardDoc::new();
    d.add("u", rect("a")).unwrap();
    d.add("u", rect("b")).unwrap();
    let mut frame = Element::new("f", ElementKind::Frame, 0.0, 0.0).with_size(500.0, 500.0);
    frame.name = Some("F".into());
    d.add("u", frame).unwrap();
    let mut arrow = Element::new("arr", ElementKind::Arrow, 0.0, 0.0);
    arrow.points = vec![[0.0, 0.0], [10.0, 10.0]];
    arrow.start = Some(Binding {
        element: "a".into(),
        focus: 0.0,
        gap: 1.0,
        side: None,
    });
    arrow.end = Some(Binding {
        element: "b".into(),
        focus: 0.0,
        gap: 1.0,
        side: None,
    });
    arrow.frame_id = Some("f".into());
    d.add("u", arrow).unwrap();
    assert!(
        d.group("u", &["a".into()]).is_err(),
        "one element is not a group"
    );
    let g = d.group("u", &["a".into(), "b".into()]).unwrap();
    assert_eq!(d.element("a").unwrap().group_ids, vec![g.clone()]);
    let g2 = d.group("u", &["a".into(), "b".into()]).unwrap();
    assert_eq!(
        d.element("b").unwrap().group_ids,
        vec![g.clone(), g2.clone()]
    );
    assert_eq!(d.ungroup("u", &g).unwrap(), 2);
    assert_eq!(d.element("b").unwrap().group_ids, vec![g2]);
    assert!(d.ungroup("u", "no-such-group").is_err());

    d.delete("u", &["a".into(), "f".into()]).unwrap();
    let arr = d.element("arr").unwrap();
    assert!(
        arr.start.is_none(),
        "binding to a deleted element is removed"
    );
    assert_eq!(arr.end.unwrap().element, "b");
    assert!(arr.frame_id.is_none());
    // One undo brings back the deleted elements and the bindings together.
    assert!(d.undo());
    let arr = d.element("arr").unwrap();
    assert_eq!(arr.start.unwrap().element, "a");
    assert_eq!(arr.frame_id.as_deref(), Some("f"));
}

#[test]
fn files_are_referenced_once_and_checked() {
    let mut d = BoardDoc::new();
    let f = BoardFile::new("image/png", vec![9; 1000]);
    let id1 = d.add_file(&f).unwrap();
    let size = d.encode_state().len();
    assert!(
        size < 300,
        "the document holds a reference, not the bytes: {size}"
    );
    let id2 = d.add_file(&f).unwrap();
    assert_eq!(id1, id2);
    assert_eq!(
        d.encode_state().len(),
        size,
        "the same file is not referenced twice"
    );
    let forged = BoardFile {
        id: "abc".into(),
        mime: "image/png".into(),
        data: vec![1],
    };
    assert!(d.add_file(&forged).is_err());
    let huge = BoardFile::new("image/png", vec![0; limits::MAX_FILE_BYTES + 1]);
    assert!(matches!(d.add_file(&huge), Err(Error::TooLarge { .. })));
    let mut img = Element::new("img", ElementKind::Image, 0.0, 0.0);
    img.file_id = Some("0".repeat(64));
    assert!(
        d.add("u", img).is_err(),
        "an image must reference a stored file"
    );
}

#[test]
fn foreign_garbage_in_the_document_is_skipped_not_fatal() {
    // A Yjs client that does not know our schema writes an element with a bad kind and one with a
    // string where a number belongs. Readers skip them; valid elements still read.
    use yrs::{Map, MapPrelim, Transact};
    let mut d = BoardDoc::new();
    d.add("u", rect("ok")).unwrap();
    let other = yrs::Doc::new();
    let elements = other.get_or_insert_map("elements");
    {
        let mut txn = other.transact_mut();
        let m = elements.insert(&mut txn, "weird", MapPrelim::default());
        m.insert(&mut txn, "kind", "hexagon");
        m.insert(
            &mut txn,
            "geom",
            yrs::Any::from(vec![yrs::Any::from(1.0); 5]),
        );
        let m = elements.insert(&mut txn, "bad-geom", MapPrelim::default());
        m.insert(&mut txn, "kind", "rectangle");
        m.insert(&mut txn, "geom", "left");
        let m = elements.insert(&mut txn, "nan-size", MapPrelim::default());
        m.insert(&mut txn, "kind", "rectangle");
        m.insert(
            &mut txn,
            "geom",
            yrs::Any::from(vec![
                yrs::Any::from(1.0),
                yrs::Any::from(1.0),
                yrs::Any::from(-5.0),
                yrs::Any::from(1.0),
                yrs::Any::from(0.0),
            ]),
        );
    }
    let update = {
        use yrs::{ReadTxn, StateVector};
        other
            .transact()
            .encode_state_as_update_v1(&StateVector::default())
    };
    d.apply_remote(&update).unwrap();
    let ids: Vec<String> = d.elements().into_iter().map(|e| e.id).collect();
    assert_eq!(ids, ["ok"]);
    assert!(d.apply_remote(&[0xff, 0xff, 0xff]).is_err());
}

/// Stored bytes pass the same validating decoder as network bytes: a damaged update in the
/// database (every input that crashes or aborts yrs, and plain garbage) is a clean
/// `Error::Corrupt`, and the process lives.
#[test]
fn damaged_stored_updates_are_refused_before_yrs_sees_them() {
    let dir = format!(
        "{}/../../fixtures/yrs-malformed",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut inputs: Vec<Vec<u8>> = vec![vec![0xff; 16], b"not an update".to_vec()];
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            continue;
        }
        inputs.push(std::fs::read(path).unwrap());
    }
    assert!(inputs.len() > 1000);
    let good = {
        let mut d = BoardDoc::new();
        d.add("a", rect("r")).unwrap();
        d.encode_state()
    };
    let mut refused = 0;
    for bytes in &inputs {
        // Some corpus entries are well-formed updates (the crash was in an awareness message
        // or a v2 decoder); those must load or fail cleanly, never crash.
        match BoardDoc::from_updates([good.as_slice(), bytes.as_slice()]) {
            Err(Error::Corrupt(why)) => {
                assert!(why.starts_with("stored update 1:"), "{why}");
                refused += 1;
            }
            Err(Error::Engine(_)) => refused += 1,
            Err(other) => panic!("unexpected error {other}"),
            Ok(d) => assert!(d.element("r").is_some()),
        }
    }
    assert!(refused > inputs.len() / 2, "{refused} of {}", inputs.len());
}

#[test]
fn the_rough_seed_is_the_elements_or_one_derived_from_its_id() {
    let mut e = rect("0f8fad5b-d9cb-469f-a165-70867728950e");
    // The UI's roughSeed gives the same number for this id (ui/src/engine/rough.test.ts).
    assert_eq!(e.rough_seed(), 572_823_233);
    e.seed = 77;
    assert_eq!(e.rough_seed(), 77);
    // A seed survives the document; an element without one stores none.
    let mut d = BoardDoc::new();
    d.add("a", e.clone()).unwrap();
    d.add("a", rect("plain")).unwrap();
    assert_eq!(
        d.element("0f8fad5b-d9cb-469f-a165-70867728950e")
            .unwrap()
            .seed,
        77
    );
    assert_eq!(d.element("plain").unwrap().seed, 0);
}

#[test]
fn every_file_added_is_referenced_whatever_its_bytes() {
    let mut d = BoardDoc::new();
    let mut x: u64 = 1;
    for i in 0..20 {
        let bytes: Vec<u8> = (0..4096)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect();
        let f = BoardFile::new("image/jpeg", bytes);
        let r = d.add_file(&f).unwrap();
        assert_eq!(d.file_ref(&f.id), Some(r), "file {i}");
    }
    assert_eq!(d.file_refs().len(), 20);
}
