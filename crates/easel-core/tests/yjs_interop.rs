//! A stock Yjs client (npm `yjs`, run with node) reads an Easel board document and writes to it:
//! the document is a Yjs document, not just yrs-internal bytes. Text positions are UTF-16 on both
//! sides. Needs `node`; installs the package with `npm ci` on first run.

use std::path::{Path, PathBuf};
use std::process::Command;

use easel_core::{Anchor, Author, Binding, BoardDoc, BoardFile, CommentsDoc, Element, ElementKind};

fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/yjs")
}

fn node(args: &[&str]) -> String {
    let dir = interop_dir();
    if !dir.join("node_modules/yjs").exists() {
        let st = Command::new("npm")
            .args(["ci", "--silent", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .status()
            .expect("npm is needed for the Yjs interop test (./dev test installs Node's packages)");
        assert!(st.success(), "npm ci failed in {}", dir.display());
    }
    let out = Command::new("node")
        .arg(dir.join("interop.mjs"))
        .args(args)
        .output()
        .expect("node is needed for the Yjs interop test");
    assert!(
        out.status.success(),
        "node failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_stock_yjs_client_reads_and_writes_a_board() {
    let mut d = BoardDoc::new();
    let mut t = Element::new("t", ElementKind::Text, 1.0, 2.0).with_size(100.0, 30.0);
    t.text = "👋 hi".into();
    d.add("me", t).unwrap();
    let r = Element::new("r", ElementKind::Rectangle, 10.0, 20.0).with_size(30.0, 40.0);
    d.add("me", r).unwrap();
    let mut a = Element::new("a", ElementKind::Arrow, 0.0, 0.0);
    a.points = vec![[0.0, 0.0], [50.5, 25.0]];
    a.start = Some(Binding {
        element: "r".into(),
        focus: 0.5,
        gap: 4.0,
        side: None,
    });
    a.end_arrowhead = Some("arrow".into());
    d.add("me", a).unwrap();
    let mut meta = d.meta();
    meta.title = "Interop".into();
    d.set_meta(&meta).unwrap();
    // An image: the document holds its reference (the bytes live beside it, by hash). A 1x1
    // PNG, so the reference carries its natural size.
    let png = BoardFile::new(
        "image/png",
        vec![
            0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52,
            0, 0, 0, 3, 0, 0, 0, 2, 8, 6, 0, 0, 0, 0, 0, 0, 0,
        ],
    );
    d.add_file(&png).unwrap();
    let mut img = Element::new("img", ElementKind::Image, 0.0, 0.0).with_size(3.0, 2.0);
    img.file_id = Some(png.id.clone());
    d.add("me", img).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.bin");
    std::fs::write(&state, d.encode_state()).unwrap();

    // Yjs reads what Easel wrote.
    let json: serde_json::Value =
        serde_json::from_str(&node(&["read", state.to_str().unwrap()])).unwrap();
    let els = &json["elements"];
    assert_eq!(json["meta"]["title"], "Interop");
    assert_eq!(els["t"]["kind"], "text");
    assert_eq!(els["t"]["text"], "👋 hi");
    assert_eq!(els["r"]["geom"], serde_json::json!([10, 20, 30, 40, 0]));
    assert_eq!(els["a"]["points"], serde_json::json!([0, 0, 50.5, 25]));
    assert_eq!(els["a"]["start"]["element"], "r");
    assert_eq!(els["a"]["endArrowhead"], "arrow");
    assert_eq!(els["r"]["z"].as_str().unwrap(), d.element("r").unwrap().z);
    assert_eq!(els["img"]["fileId"], png.id.as_str());
    assert_eq!(
        json["files"][png.id.as_str()],
        serde_json::json!({"mime": "image/png", "size": png.data.len(), "width": 3, "height": 2}),
        "a file's reference as a stock client reads it: no bytes"
    );

    // Easel reads what Yjs wrote: a new element, and typing into an existing text.
    let update = dir.path().join("update.bin");
    node(&["write", state.to_str().unwrap(), update.to_str().unwrap()]);
    d.apply_remote(&std::fs::read(&update).unwrap()).unwrap();
    let sticky = d
        .element("from-yjs")
        .expect("the Yjs client's element reads as an Easel element");
    assert_eq!(sticky.kind, ElementKind::Sticky);
    assert_eq!(
        (sticky.x, sticky.y, sticky.width, sticky.height),
        (5.0, 6.0, 200.0, 100.0)
    );
    assert_eq!(sticky.text, "written by Yjs");
    assert_eq!(sticky.author, "yjs-user");
    assert_eq!(
        d.element("t").unwrap().text,
        "👋>> hi",
        "UTF-16 positions agree"
    );
}

#[test]
fn a_stock_yjs_client_reads_and_replies_to_comments() {
    let mut d = CommentsDoc::new();
    let me = Author::new("me", "Me");
    let t = d
        .add_thread(&me, &Anchor::element("r", 15.0, 40.0), "Is this 👋 right?")
        .unwrap();
    d.resolve("me", &t.id).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("comments.bin");
    std::fs::write(&state, d.encode_state()).unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&node(&["comments-read", state.to_str().unwrap()])).unwrap();
    let th = &json["threads"][&t.id];
    assert_eq!(
        th["anchor"],
        serde_json::json!({"element": "r", "x": 15, "y": 40})
    );
    assert_eq!(th["createdBy"], "me");
    assert_eq!(th["resolved"], true);
    assert_eq!(th["resolvedBy"], "me");
    assert_eq!(th["messages"][0]["text"], "Is this 👋 right?");
    assert_eq!(th["messages"][0]["authorName"], "Me");

    let update = dir.path().join("reply.bin");
    node(&[
        "comments-reply",
        state.to_str().unwrap(),
        &t.id,
        update.to_str().unwrap(),
    ]);
    d.apply_remote(&std::fs::read(&update).unwrap()).unwrap();
    let th = d.thread(&t.id).unwrap();
    assert_eq!(th.messages.len(), 2);
    assert_eq!(th.messages[1].id, "from-yjs");
    assert_eq!(th.messages[1].author_name, "Yjs");
    assert_eq!(th.messages[1].text, "replied by Yjs");
}
