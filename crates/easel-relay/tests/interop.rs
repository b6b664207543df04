//! Interop: a stock Yjs client (npm `yjs` + `y-websocket` in node, `tests/interop/client.mjs`)
//! and a Rust client in one room on the relay. Skipped, with a printed reason, only when
//! `node` is missing; runs `npm ci` first when `node_modules` is missing.

mod common;

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use common::*;

const ROOM: &str = "6b0c7a52-1d4e-4f7a-9a35-0c6c2b1f0e11";

fn have(cmd: &str) -> bool {
    std::process::Command::new(cmd)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stock_yjs_client_interoperates() {
    if !have("node") {
        println!("skipped: `node` is not installed, so the stock Yjs client cannot run");
        return;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop");
    if !dir.join("node_modules").exists() {
        let st = std::process::Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .status()
            .expect("npm ci (node is installed, so npm should be)");
        assert!(st.success(), "npm ci failed in {}", dir.display());
    }
    let data = tempfile::tempdir().unwrap();
    let srv = TestServer::start(test_config(data.path())).await;
    let mut rust = Client::connect(&srv.url(ROOM)).await;

    let node = tokio::process::Command::new("node")
        .arg("client.mjs")
        .arg(format!("ws://{}", srv.addr))
        .arg(ROOM)
        .current_dir(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();

    // Yjs -> Rust: the map entry and the awareness state.
    rust.pump_until("the Yjs client's edit and awareness", |c| {
        c.get("from_js").is_some()
            && c.peer
                .awareness()
                .states()
                .any(|(_, s)| s.contains("yjs-node"))
    })
    .await;
    assert_eq!(rust.get("from_js").as_deref(), Some("hello from yjs"));

    // Rust -> Yjs.
    rust.set("from_rust", "hello from yrs").await;
    let out = tokio::time::timeout(Duration::from_secs(25), node.wait_with_output())
        .await
        .expect("node finished in time")
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("node stdout:\n{stdout}\nnode stderr:\n{stderr}");
    assert!(out.status.success(), "node failed: {stderr}");
    assert!(stdout.contains("GOT from_rust=hello from yrs"), "{stdout}");
    srv.shutdown().await;
}
