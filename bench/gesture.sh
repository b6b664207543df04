#!/usr/bin/env bash
# What one edit costs on boards of 1k, 10k and 100k elements: one line per size,
#   gesture N=<elements> p50_ms=<x> p99_ms=<y>
# (the desktop app's path from the command's arguments to the emitted change event), then the
# core alone, the path it replaced side by side, and a 200-element drag on the largest board.
# crates/easel-core/benches/gesture.rs says exactly what each line measures. `--quick`: fewer runs.
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo bench --locked -p easel-core --bench gesture -- "$@"
