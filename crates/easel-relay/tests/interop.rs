//! Interop: a stock Yjs client (npm `yjs` + `y-websocket` in node, `tests/interop/client.mjs`)
//! and a Rust client in one room on the relay. Skipped, with a printed reason, only when
//! `node` is missing; runs `npm ci` first when `node_modules` is missing. Once over ws://, and
//! once over wss:// with a throwaway CA that node trusts through `NODE_EXTRA_CA_CERTS`.

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
    interop(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stock_yjs_client_interoperates_over_wss() {
    interop(true).await;
}

/// The stock client's directory with its packages installed (by the first test that needs
/// them; the others wait), or `None` when node is not installed.
fn stock_client() -> Option<std::path::PathBuf> {
    static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    if !have("node") {
        println!("skipped: `node` is not installed, so the stock Yjs client cannot run");
        return None;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop");
    let _one = INSTALL.lock().unwrap_or_else(|p| p.into_inner());
    if !dir.join("node_modules").exists() {
        let st = std::process::Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .status()
            .expect("npm ci (node is installed, so npm should be)");
        assert!(st.success(), "npm ci failed in {}", dir.display());
    }
    Some(dir)
}

async fn interop(tls: bool) {
    let Some(dir) = stock_client() else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let mut config = test_config(data.path());
    let pki = pki(&["localhost", "127.0.0.1"], false);
    let ca_file = data.path().join("ca.pem");
    std::fs::write(&ca_file, &pki.ca_pem).unwrap();
    if tls {
        config.tls = Some(
            easel_relay::TlsSettings::from_pem(pki.cert_pem.as_bytes(), pki.key_pem.as_bytes())
                .unwrap(),
        );
    }
    let srv = TestServer::start(config).await;
    let (base, mut rust) = if tls {
        let base = format!("wss://127.0.0.1:{}", srv.addr.port());
        let rust = Client::connect_tls(&format!("{base}/{ROOM}"), &pki.ca_pem).await;
        (base, rust)
    } else {
        (
            format!("ws://{}", srv.addr),
            Client::connect(&srv.url(ROOM)).await,
        )
    };

    let mut node = tokio::process::Command::new("node");
    if tls {
        // Node's TLS trusts its bundled roots plus this file, read at startup.
        node.env("NODE_EXTRA_CA_CERTS", &ca_file);
    }
    let node = node
        .arg("client.mjs")
        .arg(&base)
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stock_yjs_client_joins_a_document_bigger_than_a_frame() {
    let Some(dir) = stock_client() else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let srv = TestServer::start(test_config(data.path())).await;
    // 4 MiB of content written in frames under the limit; the answer to a joiner's sync
    // request is the whole document, so it must go as several frames.
    let mut writer = Client::connect(&srv.url(ROOM)).await;
    for i in 0..40 {
        writer
            .set(&format!("k{i}"), &"x".repeat(100 * 1024 + i))
            .await;
    }
    let mut probe = Client::connect(&srv.url(ROOM)).await;
    probe
        .pump_until("everything stored", |c| c.len() == 40)
        .await;
    drop(probe);

    let out = tokio::process::Command::new("node")
        .arg("client.mjs")
        .arg(format!("ws://{}", srv.addr))
        .arg(ROOM)
        .env("EXPECT_KEYS", "40")
        .current_dir(&dir)
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(25), out)
        .await
        .expect("node finished in time")
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("SYNCED keys=40"),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    let max_frame: usize = stdout
        .split("max_frame=")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no max_frame in:\n{stdout}\n{stderr}"));
    assert!(
        max_frame <= easel_proto::chunk::MAX_FRAME_BYTES,
        "a frame of {max_frame} bytes"
    );
    assert_eq!(srv.metrics.refused(easel_relay::Refusal::TooLarge), 0);
    drop(writer);
    srv.shutdown().await;
}
