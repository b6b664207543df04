//! The `easel` binary end to end: each test runs the real executable against its own SQLite
//! file in a temporary directory (`EASEL_DATA_DIR` and `HOME` both point there).

mod common;

use std::ops::Deref;

use serde_json::Value;

struct Env(common::Install);

impl Deref for Env {
    type Target = common::Install;
    fn deref(&self) -> &common::Install {
        &self.0
    }
}

impl Env {
    fn new() -> Env {
        Env(common::Install::new())
    }

    fn board_count(&self) -> usize {
        self.json(&["boards", "list", "--all"])
            .as_array()
            .unwrap()
            .len()
    }

    fn elements(&self, board: &str) -> Vec<Value> {
        self.json(&["element", "list", board])
            .as_array()
            .unwrap()
            .clone()
    }

    fn audit_actions(&self, board: &str, extra: &[&str]) -> Vec<String> {
        let mut a = vec!["audit", board];
        a.extend_from_slice(extra);
        self.json(&a)
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["action"].as_str().unwrap().to_string())
            .collect()
    }
}

/// An element as compared across boards: without who wrote it and when.
fn content(mut el: Value) -> Value {
    let o = el.as_object_mut().unwrap();
    o.remove("author");
    o.remove("updatedAt");
    el
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn create_list_rename_show_export_import() {
    let env = Env::new();
    let id = env.ok(&["boards", "create", "Sprint planning"]);
    assert_eq!(id.len(), 36, "prints the full id: {id}");

    // Text: a header and one aligned row; JSON: the same board.
    let text = env.ok(&["boards", "list"]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0].starts_with("ID") && lines[0].contains("TITLE"),
        "{text}"
    );
    assert!(lines[1].starts_with(&id) && lines[1].contains("Sprint planning"));
    assert!(lines[1].contains("OWNER"));
    assert_eq!(lines[0].find("TITLE"), lines[1].find("Sprint"), "aligned");
    let list = env.json(&["boards", "list"]);
    assert_eq!(ids(&list), vec![id.clone()]);
    assert_eq!(list[0]["title"], "Sprint planning");
    assert_eq!(list[0]["access"], "OWNER");

    // Rename by a unique prefix.
    env.ok(&["boards", "rename", &id[..6], "Sprint 12"]);
    assert_eq!(env.json(&["boards", "list"])[0]["title"], "Sprint 12");

    // Draw, then show counts by kind.
    let r1 = env.ok(&[
        "element",
        "add",
        &id,
        "--kind",
        "rectangle",
        "--x",
        "-10",
        "--y",
        "0",
        "--width",
        "200",
        "--height",
        "100",
        "--fill",
        "#ffec99",
    ]);
    env.ok(&[
        "element", "add", &id, "--kind", "text", "--x", "5", "--y", "5", "--text", "Hi",
    ]);
    env.ok(&[
        "element",
        "add",
        &id,
        "--kind",
        "rectangle",
        "--x",
        "300",
        "--y",
        "0",
    ]);
    let show = env.json(&["board", "show", &id[..8]]);
    assert_eq!(show["title"], "Sprint 12");
    assert_eq!(show["elements"], 3);
    assert_eq!(show["elements_by_kind"]["rectangle"], 2);
    assert_eq!(show["elements_by_kind"]["text"], 1);
    assert_eq!(show["access"], "OWNER");
    let show_text = env.ok(&["board", "show", &id]);
    assert!(show_text.contains("3 (2 rectangle, 1 text)"), "{show_text}");
    let els = env.elements(&id);
    let first = els.iter().find(|e| e["id"] == r1.as_str()).unwrap();
    assert_eq!(first["x"], -10.0);
    assert_eq!(first["fill"], "#ffec99");

    // Export json (format from the extension), import it back as a new board.
    let file = env.path("sprint.json");
    let f = file.to_str().unwrap();
    let exported = env.json(&["export", &id, "-o", f]);
    assert_eq!(exported["format"], "json");
    assert_eq!(exported["elements"], 3);
    let bytes = std::fs::read(&file).unwrap();
    let doc: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(doc["type"], "easel");
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["scene"]["meta"]["title"], "Sprint 12");
    // No temporary file left next to it.
    let names: Vec<_> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| !n.starts_with("easel.db"))
        .collect();
    assert_eq!(names, vec!["sprint.json"]);

    let copy = env.ok(&["import", f, "--title", "Sprint 12 (copy)"]);
    assert_eq!(copy.len(), 36);
    assert_ne!(copy, id);
    let all = env.json(&["boards", "list"]);
    assert_eq!(all.as_array().unwrap().len(), 2);
    assert!(
        all.as_array()
            .unwrap()
            .iter()
            .any(|b| b["title"] == "Sprint 12 (copy)")
    );
    let orig: Vec<Value> = env.elements(&id).into_iter().map(content).collect();
    let imported: Vec<Value> = env.elements(&copy).into_iter().map(content).collect();
    assert_eq!(orig, imported);

    // Without --title the file's title is used.
    let again = env.json(&["import", f]);
    assert_eq!(again["title"], "Sprint 12");
    assert_eq!(again["elements"], 3);

    // Every other format: excalidraw and canvas round trip through import; svg and png are
    // real files that re-import (they carry the scene).
    for ext in ["excalidraw", "svg", "png"] {
        let file = env.path(&format!("sprint.{ext}"));
        let exported = env.json(&["export", &id, "-o", file.to_str().unwrap()]);
        assert_eq!(exported["format"], ext);
        let bytes = std::fs::read(&file).unwrap();
        match ext {
            "png" => assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n"),
            "svg" => assert!(String::from_utf8_lossy(&bytes).contains("<svg")),
            _ => assert_eq!(
                serde_json::from_slice::<Value>(&bytes).unwrap()["type"],
                "excalidraw"
            ),
        }
        let back = env.ok(&["import", file.to_str().unwrap(), "--title", ext]);
        let round: Vec<Value> = env.elements(&back).into_iter().map(content).collect();
        assert_eq!(round, orig, "{ext} round trip");
    }
    let canvas = env.path("sprint.canvas");
    env.ok(&["export", &id, "-o", canvas.to_str().unwrap()]);
    let doc: Value = serde_json::from_slice(&std::fs::read(&canvas).unwrap()).unwrap();
    assert!(doc["nodes"].is_array());
    // The shared fixtures made by other tools import from the command line.
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    for (file, min_elements) in [
        ("excalidraw/smiley_embedded_v2.png", 1),
        ("excalidraw/test_embedded_v1.svg", 1),
        ("excalidraw/fixture_library.excalidrawlib", 1),
        ("jsoncanvas-sample.canvas", 4),
    ] {
        let imported = env.json(&["import", fixtures.join(file).to_str().unwrap()]);
        assert!(
            imported["elements"].as_u64().unwrap() >= min_elements,
            "{file}: {imported}"
        );
    }
    let line = env.fail(
        &["export", &id, "-o", env.path("x.txt").to_str().unwrap()],
        1,
    );
    assert!(line.contains("--format"), "{line}");
}

#[test]
fn history_snapshot_restore() {
    let env = Env::new();
    let id = env.ok(&["boards", "create", "History"]);
    let el = env.ok(&[
        "element", "add", &id, "--kind", "ellipse", "--x", "1", "--y", "2",
    ]);
    assert_eq!(env.ok(&["history", &id]), "no snapshots");
    let snap = env.ok(&["snapshot", &id, "--name", "before"]);
    let snap_id: i64 = snap.parse().expect("prints the snapshot id");
    let hist = env.json(&["history", &id]);
    let hist = hist.as_array().unwrap();
    assert_eq!(hist.len(), 1);
    assert_eq!(hist[0]["id"], snap_id);
    assert_eq!(hist[0]["name"], "before");
    assert_eq!(hist[0]["element_count"], 1);
    assert!(env.ok(&["history", &id]).contains("before"));

    env.ok(&["element", "delete", &id, &el]);
    assert!(env.elements(&id).is_empty());
    env.ok(&["restore", &id, &snap]);
    let back = env.elements(&id);
    assert_eq!(back.len(), 1);
    assert_eq!(back[0]["id"], el.as_str());
    assert_eq!(back[0]["kind"], "ellipse");
    assert_eq!(env.json(&["board", "show", &id])["snapshots"], 1);

    // A snapshot of another board, or none at all, is an error.
    env.fail(&["restore", &id, "999"], 1);
    env.fail(&["element", "delete", &id, "no-such-element"], 1);
}

#[test]
fn audit_rows_and_filters() {
    let env = Env::new();
    let id = env.ok(&["boards", "create", "Audited"]);
    env.ok(&["boards", "rename", &id, "Audited 2"]);
    env.ok(&[
        "element", "add", &id, "--kind", "diamond", "--x", "0", "--y", "0",
    ]);
    let file = env.path("a.json");
    env.ok(&["export", &id, "-o", file.to_str().unwrap()]);
    let copy = env.ok(&["import", file.to_str().unwrap()]);

    let actions = env.audit_actions(&id, &[]);
    for a in ["create", "rename", "open", "export"] {
        assert!(
            actions.contains(&a.to_string()),
            "{a} missing from {actions:?}"
        );
    }
    assert_eq!(
        actions.first().unwrap(),
        "export",
        "newest first: {actions:?}"
    );
    assert_eq!(actions.last().unwrap(), "create");
    assert_eq!(env.audit_actions(&copy, &[]), vec!["import"]);

    assert_eq!(
        env.audit_actions(&id, &["--action", "export"]),
        vec!["export"]
    );
    assert_eq!(
        env.audit_actions(&id, &["--action", "rename"]),
        vec!["rename"]
    );
    let export_row = &env.json(&["audit", &id, "--action", "export"])[0];
    assert_eq!(export_row["detail"]["format"], "json");
    assert_eq!(export_row["detail"]["elements"], 1);
    let import_row = &env.json(&["audit", &copy])[0];
    assert_eq!(import_row["detail"]["source"], "a.json");

    // Paging and time bounds.
    let limited = env.json(&["audit", &id, "--limit", "2"]);
    let limited = limited.as_array().unwrap();
    assert_eq!(limited.len(), 2);
    let last = limited[1]["id"].as_i64().unwrap().to_string();
    let next = env.json(&["audit", &id, "--before", &last, "--limit", "1"]);
    assert!(next[0]["id"].as_i64().unwrap() < last.parse::<i64>().unwrap());
    assert_eq!(
        env.audit_actions(&id, &["--since", "2999-01-01"]),
        Vec::<String>::new()
    );
    assert_eq!(
        env.audit_actions(&id, &["--until", "2000-01-01T00:00:00Z"])
            .len(),
        0
    );
    assert_eq!(
        env.audit_actions(&id, &["--since", "2000-01-01T00:00:00Z"]),
        actions
    );
    let line = env.fail(&["audit", &id, "--since", "yesterday"], 1);
    assert!(line.contains("--since"), "{line}");

    // Text output has the columns.
    let text = env.ok(&["audit", &id, "--action", "create"]);
    assert!(text.lines().next().unwrap().contains("ACTION"));
    assert!(text.contains("create"));
}

#[test]
fn delete_hides_and_undelete_restores() {
    let env = Env::new();
    let keep = env.ok(&["boards", "create", "Keep"]);
    let gone = env.ok(&["boards", "create", "Trash me"]);
    env.ok(&["boards", "delete", &gone[..8]]);
    assert_eq!(ids(&env.json(&["boards", "list"])), vec![keep.clone()]);
    let all = env.json(&["boards", "list", "--all"]);
    let deleted = all
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["id"] == gone.as_str())
        .unwrap();
    assert!(deleted["deleted_at"].is_string());
    let text = env.ok(&["boards", "list", "--all"]);
    assert!(text.lines().next().unwrap().contains("DELETED"));
    // A deleted board cannot be opened.
    env.fail(&["board", "show", &gone], 1);
    // Undelete finds it by prefix although it is deleted.
    env.ok(&["boards", "undelete", &gone[..8]]);
    let mut listed = ids(&env.json(&["boards", "list"]));
    listed.sort();
    let mut want = vec![keep, gone];
    want.sort();
    assert_eq!(listed, want);
}

#[test]
fn permission_denied_for_another_user() {
    let env = Env::new();
    let id = env.ok(&["boards", "create", "Mine"]);
    let bob = env.ok(&["users", "add", "Bob"]);
    let users = env.json(&["users", "list"]);
    assert_eq!(users.as_array().unwrap().len(), 2);

    // Bob holds nothing: he cannot see the board, so a prefix does not resolve for him...
    assert_eq!(
        env.json(&["--as", &bob, "boards", "list"]),
        Value::Array(vec![])
    );
    env.fail(&["--as", &bob, "boards", "rename", &id[..8], "Ours"], 1);
    // ...and the full id is denied.
    let line = env.fail(&["--as", &bob, "boards", "rename", &id, "Ours"], 3);
    assert_eq!(
        line,
        "easel: permission denied: rename needs EDIT, you have NONE"
    );

    // With VIEW he can look but not draw or rename.
    env.ok(&["grant", &id, &bob[..8], "view"]);
    let perms = env.json(&["permissions", &id]);
    assert_eq!(perms[0]["level"], "VIEW");
    assert_eq!(perms[0]["user_id"], bob.as_str());
    assert_eq!(
        env.json(&["--as", &bob, "boards", "list"])[0]["access"],
        "VIEW"
    );
    env.ok(&["--as", &bob, "board", "show", &id[..8]]);
    let line = env.fail(&["--as", &bob, "boards", "rename", &id[..8], "Ours"], 3);
    assert_eq!(
        line,
        "easel: permission denied: rename needs EDIT, you have VIEW"
    );
    let line = env.fail(
        &[
            "--as", &bob, "element", "add", &id, "--kind", "text", "--x", "0", "--y", "0",
        ],
        3,
    );
    assert!(line.contains("needs EDIT"), "{line}");
    env.fail(&["--as", &bob, "audit", &id], 3);
    assert_eq!(env.json(&["board", "show", &id])["title"], "Mine");
    assert_eq!(env.json(&["board", "show", &id])["elements"], 0);

    let denied = env.json(&["audit", &id, "--action", "denied", "--actor", &bob]);
    let denied = denied.as_array().unwrap();
    // rename (NONE), rename (VIEW), edit, audit; the unresolvable prefix never reached the core.
    assert_eq!(denied.len(), 4, "{denied:?}");
    assert_eq!(denied.last().unwrap()["detail"]["op"], "rename");
    assert_eq!(denied.last().unwrap()["detail"]["held"], "NONE");
    assert_eq!(denied[0]["detail"]["op"], "audit");

    // Public grants and revoking.
    env.ok(&["grant", &id, "public", "comment"]);
    env.ok(&["revoke", &id, &bob]);
    assert_eq!(
        env.json(&["--as", &bob, "boards", "list"])[0]["access"],
        "COMMENT"
    );
    env.ok(&["revoke", &id, "public"]);
    assert_eq!(env.json(&["permissions", &id]), Value::Array(vec![]));

    // Acting as someone unknown is an error, not a new user.
    env.fail(
        &[
            "--as",
            "00000000-0000-4000-8000-000000000000",
            "boards",
            "list",
        ],
        1,
    );
    assert_eq!(env.json(&["users", "list"]).as_array().unwrap().len(), 2);
}

#[test]
fn bad_input_fails_in_one_line_and_creates_nothing() {
    let env = Env::new();
    let id = env.ok(&["boards", "create", "Only"]);
    assert_eq!(env.board_count(), 1);

    let line = env.fail(
        &["board", "show", "00000000-0000-4000-8000-000000000000"],
        1,
    );
    assert!(line.contains("not found"), "{line}");
    let line = env.fail(&["board", "show", "ffff-ffff"], 1);
    assert!(line.contains("no board matches"), "{line}");
    let line = env.fail(&["board", "show", &id[..3]], 1);
    assert!(line.contains("too short"), "{line}");
    let line = env.fail(&["board", "show", "not-a-uuid!"], 1);
    assert!(line.contains("not a board id"), "{line}");

    // A truncated Easel file: an error, and no board.
    let bad = env.path("bad.json");
    std::fs::write(&bad, br#"{"type":"easel""#).unwrap();
    let line = env.fail(&["import", bad.to_str().unwrap()], 1);
    assert!(line.contains("bad.json"), "{line}");
    // Valid JSON, invalid scene (an element with a negative width).
    std::fs::write(
        &bad,
        br#"{"type":"easel","version":1,"scene":{"meta":{"title":"x"},"elements":[{"id":"a","kind":"rectangle","x":0,"y":0,"width":-1}]}}"#,
    )
    .unwrap();
    env.fail(&["import", bad.to_str().unwrap()], 1);
    env.fail(&["import", env.path("missing.json").to_str().unwrap()], 1);
    assert_eq!(env.board_count(), 1);

    // Values the core rejects, and clap usage errors (exit 2, still one line).
    env.fail(&["boards", "create", "  "], 1);
    env.fail(
        &[
            "element", "add", &id, "--kind", "blob", "--x", "0", "--y", "0",
        ],
        1,
    );
    env.fail(
        &[
            "element", "add", &id, "--kind", "text", "--x", "zero", "--y", "0",
        ],
        2,
    );
    env.fail(&["grant", &id, "public", "admin"], 1);
    env.fail(&["boards", "frobnicate"], 2);
    env.fail(&["boards", "create"], 2);
    assert_eq!(env.board_count(), 1);
    assert_eq!(env.json(&["board", "show", &id])["elements"], 0);
}

#[test]
fn help_documents_examples_and_exit_codes() {
    let env = Env::new();
    let root = env.ok(&["--help"]);
    assert!(
        root.contains("Exit codes:") && root.contains("3  permission denied"),
        "{root}"
    );
    assert!(root.contains("--as <USER_ID>"), "{root}");
    for cmd in [
        &["boards", "list"][..],
        &["boards", "create"],
        &["export"],
        &["import"],
        &["audit"],
        &["element", "add"],
        &["grant"],
        &["users", "add"],
    ] {
        let mut a = cmd.to_vec();
        a.push("--help");
        let h = env.ok(&a);
        assert!(h.contains("Example"), "{cmd:?}: {h}");
    }
}

#[test]
fn unusable_data_dir_is_one_line() {
    let env = Env::new();
    let file = env.path("not-a-dir");
    std::fs::write(&file, b"x").unwrap();
    let out = common::command(env.dir.path(), &["boards", "list"])
        .env("EASEL_DATA_DIR", &file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("easel: cannot open the Easel store: "),
        "{err}"
    );
    // The cause is not repeated.
    let cause = err.trim_end().rsplit(": ").next().unwrap();
    assert_eq!(err.matches(cause).count(), 1, "{err}");
}
