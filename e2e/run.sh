#!/usr/bin/env bash
# End-to-end test of the real desktop app (run by `./dev test`): builds the UI, the app and the
# CLI, then drives the app with e2e/drive.mjs through tauri-driver and WebKitWebDriver under Xvfb,
# on a fresh store in a temporary EASEL_DATA_DIR. Screenshots and figures: target/e2e/.
# Needs what `./dev test` installs: apt webkit2gtk-driver xvfb xauth and the app's build packages,
# Node 20+. tauri-driver is built into target/tools/ on first use (TAURI_DRIVER overrides it).
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
TAURI_DRIVER_VERSION=2.1.0

(cd ui && npm run --silent build)
# One cargo invocation for every binary, with the features `cargo test --workspace` resolves, so
# after ./dev test's tests this only links.
cargo build --workspace --bins --locked
app="$target/debug/easel-app"
cli="$target/debug/easel"

driver=${TAURI_DRIVER:-}
if [[ -z $driver ]]; then
    driver="$target/tools/bin/tauri-driver"
    if [[ ! -x $driver ]]; then
        echo "e2e: building tauri-driver $TAURI_DRIVER_VERSION into $target/tools" >&2
        cargo install --quiet --locked --root "$target/tools" tauri-driver --version "$TAURI_DRIVER_VERSION"
    fi
fi
command -v WebKitWebDriver >/dev/null || { echo "e2e: WebKitWebDriver missing (apt install webkit2gtk-driver)" >&2; exit 1; }

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
port=$(free_port)
native_port=$(free_port)
while [[ $native_port == "$port" ]]; do native_port=$(free_port); done

data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
export EASEL_DATA_DIR="$data" E2E_OUT=${E2E_OUT:-target/e2e} WEBDRIVER_URL="http://127.0.0.1:$port"
rm -rf "$E2E_OUT"
mkdir -p "$E2E_OUT"
# Inside Xvfb: tauri-driver in its own process group (it starts WebKitWebDriver, which starts the
# app), killed as a group however the test ends; the whole drive is bounded.
xvfb-run -a -s "-screen 0 1280x800x24" bash -c '
  set -u
  setsid "$1" --port "$4" --native-port "$5" >"$E2E_OUT/driver.log" 2>&1 &
  driver=$!
  trap "kill -- -$driver 2>/dev/null || true" EXIT
  for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/"$4") 2>/dev/null && break; sleep 0.1; done
  timeout 600 node e2e/drive.mjs "$2" "$3"
' _ "$(realpath "$driver")" "$(realpath "$app")" "$(realpath "$cli")" "$port" "$native_port" || {
    rc=$?
    echo "e2e: failed (exit $rc); driver log: $E2E_OUT/driver.log, screenshots: $E2E_OUT/" >&2
    exit $rc
}
