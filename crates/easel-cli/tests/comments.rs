//! `easel comments` end to end on one installation: threads on points and elements, replies,
//! own-message edits, resolve/reopen, listings, errors and exit codes, audit rows.

mod common;

use common::Install;
use serde_json::Value;

fn threads(i: &Install, board: &str, all: bool) -> Vec<Value> {
    let mut args = vec!["comments", board];
    if all {
        args.push("--all");
    }
    i.json(&args).as_array().unwrap().clone()
}

#[test]
fn threads_replies_edits_and_resolution() {
    let a = Install::new();
    let board = a.ok(&["boards", "create", "Review"]);
    let el = a.ok(&[
        "element",
        "add",
        &board,
        "--kind",
        "rectangle",
        "--x",
        "100",
        "--y",
        "40",
        "--width",
        "20",
        "--height",
        "10",
    ]);
    assert_eq!(a.ok(&["comments", &board]), "no open comment threads");

    // A thread at a point (negative numbers parse) and one on an element (by prefix).
    let t1 = a.ok(&[
        "comments",
        &board,
        "add",
        "--text",
        "Logo here?",
        "--at",
        "-12.5,30",
    ]);
    let t2 = a.json(&[
        "comments",
        &board[..8],
        "add",
        "--text",
        "Too dark",
        "--element",
        &el[..6],
    ]);
    assert_eq!(t2["anchor"]["element"], el.as_str());
    assert_eq!(t2["anchor"]["x"], 110.0);
    assert_eq!(t2["anchor"]["y"], 45.0);
    assert_eq!(t2["messages"][0]["authorName"], "tester");
    let t2 = t2["id"].as_str().unwrap().to_string();

    let listed = threads(&a, &board, false);
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0]["id"], t1.as_str());
    assert_eq!(listed[0]["anchor"]["x"], -12.5);
    assert!(listed[0]["anchor"].get("element").is_none());

    // Replies by prefix; the readable listing shows both threads and every message.
    let m = a.ok(&[
        "comments",
        &board,
        "reply",
        &t1[..6],
        "--text",
        "Yes, top left",
    ]);
    a.ok(&[
        "comments",
        &board,
        "edit",
        &m[..6],
        "--text",
        "Yes, top right",
    ]);
    let text = a.ok(&["comments", &board]);
    assert!(text.contains(&format!("thread {}", &t1[..8])), "{text}");
    assert!(text.contains("at (-12.5, 30)"), "{text}");
    assert!(text.contains(&format!("on element {}", &el[..8])), "{text}");
    assert!(text.contains("tester (edited): Yes, top right"), "{text}");

    // Deleting leaves a tombstone.
    let d = a.json(&["comments", &board, "delete", &m]);
    assert_eq!(d["deleted"], true);
    assert!(a.ok(&["comments", &board]).contains("tester: [deleted]"));

    // Resolved threads leave the default listing and come back with --all or a reopen.
    let r = a.json(&["comments", &board, "resolve", &t2]);
    assert_eq!(r["changed"], true);
    assert_eq!(
        a.json(&["comments", &board, "resolve", &t2])["changed"],
        false
    );
    assert_eq!(threads(&a, &board, false).len(), 1);
    let all = threads(&a, &board, true);
    assert_eq!(all.len(), 2);
    assert_eq!(all[1]["resolved"], true);
    assert!(
        a.ok(&["comments", &board])
            .contains("1 resolved thread not shown")
    );
    a.ok(&["comments", &board, "reopen", &t2]);
    assert_eq!(threads(&a, &board, false).len(), 2);

    let audit = a.json(&["audit", &board]);
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    for want in [
        "comment.add",
        "comment.reply",
        "comment.edit",
        "comment.delete",
        "comment.resolve",
        "comment.reopen",
    ] {
        assert!(actions.contains(&want), "no {want} in {actions:?}");
    }
}

#[test]
fn errors_are_clear_and_permissions_hold() {
    let a = Install::new();
    let board = a.ok(&["boards", "create", "Shared"]);
    let t = a.ok(&["comments", &board, "add", "--text", "mine", "--at", "0,0"]);
    let first = threads(&a, &board, false)[0]["messages"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();

    // Unknown ids name what was not found.
    let line = a.fail(&["comments", &board, "reply", "ffffffff", "--text", "x"], 1);
    assert_eq!(line, "easel: thread not found: ffffffff");
    let line = a.fail(&["comments", &board, "edit", "ffffffff", "--text", "x"], 1);
    assert_eq!(line, "easel: comment not found: ffffffff");
    let line = a.fail(&["comments", &board, "element", "ffffffff"], 2);
    assert!(line.contains("element"), "{line}");
    let line = a.fail(
        &[
            "comments",
            &board,
            "add",
            "--text",
            "x",
            "--element",
            "nope1",
        ],
        1,
    );
    assert!(line.contains("element not found"), "{line}");
    // Validation and usage.
    let line = a.fail(
        &["comments", &board, "add", "--text", " ", "--at", "0,0"],
        1,
    );
    assert!(line.contains("empty"), "{line}");
    let long = "x".repeat(10_001);
    let line = a.fail(
        &["comments", &board, "add", "--text", &long, "--at", "0,0"],
        1,
    );
    assert!(line.contains("too large"), "{line}");
    a.fail(&["comments", &board, "add", "--text", "x"], 2);
    a.fail(&["comments", &board, "add", "--text", "x", "--at", "1"], 2);

    // A commenter writes, but only edits their own messages; a viewer only reads.
    let bob = a.ok(&["users", "add", "Bob"]);
    let vic = a.ok(&["users", "add", "Vic"]);
    a.ok(&["grant", &board, &bob, "comment"]);
    a.ok(&["grant", &board, &vic, "view"]);
    let reply = a.ok(&[
        "--as", &bob, "comments", &board, "reply", &t, "--text", "theirs",
    ]);
    let line = a.fail(
        &[
            "--as", &bob, "comments", &board, "edit", &first, "--text", "x",
        ],
        3,
    );
    assert!(line.contains("only its author can edit"), "{line}");
    a.fail(&["--as", &bob, "comments", &board, "delete", &first], 3);
    a.fail(&["comments", &board, "delete", &reply], 3);
    a.ok(&["--as", &bob, "comments", &board, "resolve", &t]);
    assert_eq!(threads(&a, &board, true)[0]["resolvedBy"], bob.as_str());

    assert_eq!(threads(&a, &board, true).len(), 1);
    let listed = a.json(&["--as", &vic, "comments", &board, "--all"]);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let line = a.fail(
        &["--as", &vic, "comments", &board, "reply", &t, "--text", "x"],
        3,
    );
    assert!(
        line.contains("permission denied: comment needs COMMENT"),
        "{line}"
    );
    let denied = a.json(&["audit", &board, "--action", "denied"]);
    assert_eq!(denied[0]["detail"]["op"], "comment");
}
