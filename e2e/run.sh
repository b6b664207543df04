#!/usr/bin/env bash
# End-to-end test of the real desktop app: tauri-driver + WebKitWebDriver under Xvfb, a fresh
# store in a temporary EASEL_DATA_DIR. Needs: apt webkit2gtk-driver xvfb xauth (plus the app's
# build packages, see ./dev), `cargo install tauri-driver --locked`, Node 20+.
set -euo pipefail
cd "$(dirname "$0")/.."
(cd ui && npm run --silent build)
cargo build -p easel-app
app="${CARGO_TARGET_DIR:-target}/debug/easel-app"
data=$(mktemp -d)
trap 'rm -rf "$data"; [[ -n ${driver:-} ]] && kill "$driver" 2>/dev/null || true' EXIT
export EASEL_DATA_DIR="$data"
xvfb-run -a -s "-screen 0 1280x800x24" bash -c '
  tauri-driver --port 4444 >"$EASEL_DATA_DIR/driver.log" 2>&1 &
  driver=$!
  for _ in $(seq 50); do (echo >/dev/tcp/127.0.0.1/4444) 2>/dev/null && break; sleep 0.2; done
  node e2e/drive.mjs "$1"; rc=$?
  kill $driver 2>/dev/null || true
  exit $rc
' _ "$(realpath "$app")"
