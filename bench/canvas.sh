#!/usr/bin/env bash
# Canvas benchmark: Easel's canvas engine vs Excalidraw 0.18 in headless Chromium (see bench/README.md).
#   bench/canvas.sh                          # all three sizes, ~10 minutes
#   BENCH_SIZES=10000 bench/canvas.sh        # env: see bench/canvas/run.mjs
set -euo pipefail
cd "$(dirname "$0")/canvas"
if [ ! -x "${BENCH_CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "needs Chromium at ${BENCH_CHROMIUM:-/usr/bin/chromium} (apt-get install -y chromium)" >&2
  exit 1
fi
npm ci --no-audit --no-fund --loglevel=error
exec node run.mjs "$@"
