//! Gesture benchmark: what one edit costs on boards of growing size. Prints figures, asserts
//! nothing about time. `bench/gesture.sh` runs it (`-- --quick` for a short run).
//!
//! - `gesture N=<n> p50_ms=<x> p99_ms=<y>`: one new rectangle as the desktop app handles it,
//!   from the command's JSON arguments (parsed into `Edit`s) through `apply_edits` and the
//!   acknowledged commit to the `board-changed` payload, serialized, that the app's watcher
//!   (src-tauri/src/state.rs `watch`, mirrored here without Tauri) emits for it.
//! - `core N=...`: the same gesture, `apply_edits` with its commit only.
//! - `legacy N=...`: the path this replaced, in the same process: the whole scene built,
//!   `replace_content` diffing it, and the watcher's whole-board read and compare against its
//!   mirror (without the commit, so it flatters the old path).
//! - `drag N=<n> selected=200 frames=60 p50_ms= p99_ms=`: each frame moves 200 elements,
//!   through the same path as `gesture`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use easel_core::{BoardDoc, BoardSession, DocChange, Easel, Edit, Element, ElementKind, Store};
use tokio::sync::Mutex;
use tokio::sync::mpsc;

mod common;
use common::{ms, scene};

fn pct(samples: &mut [Duration], p: f64) -> f64 {
    samples.sort();
    ms(samples[((samples.len() as f64 - 1.0) * p).round() as usize])
}

/// The app's `board-changed` watcher without Tauri: coalesces queued changes, reads only the
/// touched elements under the session's lock, serializes the payload; reports when it is done.
fn spawn_watcher(
    session: Arc<Mutex<BoardSession>>,
    mut changes: mpsc::UnboundedReceiver<DocChange>,
) -> mpsc::UnboundedReceiver<usize> {
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(change) = changes.recv().await {
            let (local, touched) = easel_core::coalesce_changes(&change, &mut changes);
            if touched.is_empty() {
                continue;
            }
            let diff = session.lock().await.doc().diff_for(&touched);
            let payload = serde_json::json!({
                "board": "b", "origin": if local { "local" } else { "remote" },
                "reset": touched.everything, "added": diff.added, "updated": diff.updated,
                "removed": diff.removed,
            });
            let bytes = serde_json::to_vec(&payload).unwrap();
            if tx.send(bytes.len()).is_err() {
                break;
            }
        }
    });
    rx
}

fn one_rect_json(i: usize) -> String {
    let el = Element::new(
        format!("g{i}"),
        ElementKind::Rectangle,
        5.0 * i as f64,
        -50.0,
    )
    .with_size(40.0, 30.0);
    serde_json::to_string(&[Edit::Add { elements: vec![el] }]).unwrap()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("bench.db")).await.unwrap();
    let easel = Easel::new(store.clone());
    let me = easel.local_user().await.unwrap().id;
    let sizes: &[usize] = &[1_000, 10_000, 100_000];
    let runs = if quick { 30 } else { 200 };

    println!("# one-element gesture, release build, {runs} gestures per size after 10 warm-up");
    let mut largest = None;
    for &n in sizes {
        let b = easel
            .import_board(me, &scene(n), None, "bench")
            .await
            .unwrap()
            .id;
        let mut s = easel.open_board(me, b).await.unwrap();
        s.snapshot(None).await.unwrap();
        let changes = s.subscribe();
        let session = Arc::new(Mutex::new(s));
        let mut events = spawn_watcher(session.clone(), changes);

        let mut total = Vec::new();
        let mut core = Vec::new();
        for i in 0..runs + 10 {
            let json = one_rect_json(n * 10 + i);
            let t = Instant::now();
            let edits: Vec<Edit> = serde_json::from_str(&json).unwrap();
            session.lock().await.apply_edits(&edits).await.unwrap();
            let c = t.elapsed();
            events.recv().await.unwrap();
            if i >= 10 {
                core.push(c);
                total.push(t.elapsed());
            }
        }
        let (p50, p99) = (pct(&mut total, 0.5), pct(&mut total, 0.99));
        println!("gesture N={n} p50_ms={p50:.3} p99_ms={p99:.3}");
        println!(
            "core N={n} p50_ms={:.3} p99_ms={:.3}",
            pct(&mut core, 0.5),
            pct(&mut core, 0.99)
        );

        // Today's path before this change, on a copy of the same document.
        let state = session.lock().await.doc().encode_state();
        let mut doc = BoardDoc::from_updates([state.as_slice()]).unwrap();
        let mut mirror: HashMap<String, Element> = doc
            .elements()
            .into_iter()
            .map(|e| (e.id.clone(), e))
            .collect();
        let legacy_runs = match n {
            0..=1_000 => runs,
            1_001..=10_000 => runs.min(30),
            _ => 5,
        };
        let mut legacy = Vec::new();
        for i in 0..legacy_runs {
            let mut el = Element::new(format!("l{i}"), ElementKind::Rectangle, 0.0, -90.0)
                .with_size(40.0, 30.0);
            let t = Instant::now();
            let mut whole = doc.scene();
            el.z =
                easel_core::zorder::key_between(whole.elements.last().map(|e| e.z.as_str()), None);
            whole.elements.push(el);
            doc.replace_content("me", &whole, &[]).unwrap();
            let now = doc.elements();
            let mut changed = 0;
            let mut seen = HashMap::with_capacity(now.len());
            for e in now {
                if mirror.remove(&e.id).as_ref() != Some(&e) {
                    changed += 1;
                }
                seen.insert(e.id.clone(), e);
            }
            mirror = seen;
            assert!(changed >= 1);
            legacy.push(t.elapsed());
        }
        let (l50, l99) = (pct(&mut legacy, 0.5), pct(&mut legacy, 0.99));
        println!(
            "legacy N={n} p50_ms={l50:.3} p99_ms={l99:.3} ({legacy_runs} runs; gesture is {:.0}x faster at p50)",
            l50 / p50
        );
        largest = Some((n, session, events));
    }

    let (n, session, mut events) = largest.unwrap();
    let ids: Vec<String> = (0..200).map(|i| format!("e{}", i * 37)).collect();
    let mut frames = Vec::new();
    for f in 0..60 {
        let updates: Vec<serde_json::Value> = ids
            .iter()
            .enumerate()
            .map(|(k, id)| {
                serde_json::json!({"id": id, "patch": {
                    "x": ((k * 37) % 1000) as f64 * 12.0 + 1.0 + f as f64,
                    "y": ((k * 37) / 1000) as f64 * 12.0 + 1.0 + f as f64}})
            })
            .collect();
        let json = serde_json::json!([{"type": "update", "updates": updates}]).to_string();
        let t = Instant::now();
        let edits: Vec<Edit> = serde_json::from_str(&json).unwrap();
        let applied = session.lock().await.apply_edits(&edits).await.unwrap();
        assert_eq!(
            applied.put.len(),
            200,
            "every frame moves every selected element"
        );
        events.recv().await.unwrap();
        frames.push(t.elapsed());
    }
    println!(
        "drag N={n} selected=200 frames=60 p50_ms={:.3} p99_ms={:.3}",
        pct(&mut frames, 0.5),
        pct(&mut frames, 0.99)
    );
}
