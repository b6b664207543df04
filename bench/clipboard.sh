#!/usr/bin/env bash
# Copy/paste between Easel and the real Excalidraw 0.18 in headless Chromium, both ways (see
# bench/README.md, "Clipboard check"). Exits non-zero on any failed check.
#   bench/clipboard.sh                      # ~30 s; env: see bench/canvas/clipboard.mjs
set -euo pipefail
cd "$(dirname "$0")/canvas"
if [ ! -x "${CLIP_CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "needs Chromium at ${CLIP_CHROMIUM:-/usr/bin/chromium} (apt-get install -y chromium)" >&2
  exit 1
fi
npm ci --no-audit --no-fund --loglevel=error
exec timeout 300 node clipboard.mjs "$@"
