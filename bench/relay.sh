#!/usr/bin/env bash
# Side-by-side benchmark: easel-relay (durability full and normal) against y-websocket's
# reference server and a pure forwarder (the harness's ceiling), interleaved over ROUNDS rounds
# on 127.0.0.1. See bench/README.md for what each figure means.
#
#   bench/relay.sh                 # 3 rounds
#   ROUNDS=1 UPDATES=5000 bench/relay.sh
#   BASE_BIN=/saved/release SERVERS="relay relay-base forwarder" bench/relay.sh   # against an older build
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=${ROUNDS:-3}
CLIENTS=${CLIENTS:-50}
SENDERS=${SENDERS:-5}
UPDATES=${UPDATES:-10000}
WINDOW=${WINDOW:-8}
RATE=${RATE:-1000}
IDLE=${IDLE:-500}
SERVERS=${SERVERS:-"relay relay-normal y-websocket forwarder"}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
# BIN=dir BUILD=0 runs binaries built elsewhere (e.g. a saved baseline) without building.
BIN=${BIN:-$CARGO_TARGET_DIR/release}
BUILD=${BUILD:-1}
WORK=$(mktemp -d -t easel-bench.XXXXXX)
RESULTS=$WORK/results.txt
PID=

cleanup() {
  if [[ -n "$PID" ]] && kill -0 "$PID" 2>/dev/null; then
    kill "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

if [[ $BUILD == 1 ]]; then
  echo "building (release)..." >&2
  (cd "$ROOT" && cargo build --release --quiet -p easel-relay -p easel-loadgen)
fi
if [[ ! -d "$ROOT/bench/ywebsocket/node_modules/@y/websocket-server" ]]; then
  (cd "$ROOT/bench/ywebsocket" && npm ci --no-audit --no-fund --silent)
fi
ulimit -n 65536 2>/dev/null || true

port_of() {
  case $1 in
    relay) echo 18787 ;;
    relay-normal) echo 18788 ;;
    y-websocket) echo 18789 ;;
    forwarder) echo 18790 ;;
    relay-base) echo 18791 ;;
  esac
}

# Starts server $1 as a child process; sets PID.
start() {
  local name=$1 port
  port=$(port_of "$name")
  case $name in
    relay | relay-normal | relay-base)
      local dur=full relay=$BIN/easel-relay
      [[ $name == relay-normal ]] && dur=normal
      # relay-base: another build of the relay (BASE_BIN=dir), e.g. before a change.
      [[ $name == relay-base ]] && relay=${BASE_BIN:?relay-base needs BASE_BIN}/easel-relay
      # Rate and per-IP limits are raised: every client comes from 127.0.0.1 and the closed loop
      # sends far above the production per-connection rate. Persistence stays on.
      RUST_LOG=warn "$relay" --listen "127.0.0.1:$port" --data "$WORK/$name-$ROUND" \
        --auth none --durability "$dur" --message-rate 1000000 --message-burst 1000000 \
        --max-connections-per-ip 100000 --connect-rate 1000000 --connect-burst 1000000 >"$WORK/$name.log" 2>&1 &
      ;;
    y-websocket)
      (cd "$ROOT/bench/ywebsocket" && HOST=127.0.0.1 PORT=$port \
        exec node node_modules/@y/websocket-server/src/server.js) >"$WORK/$name.log" 2>&1 &
      ;;
    forwarder)
      "$BIN/easel-loadgen" forwarder --listen "127.0.0.1:$port" >"$WORK/$name.log" 2>&1 &
      ;;
  esac
  PID=$!
  for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "$name did not start listening on $port:" >&2
  cat "$WORK/$name.log" >&2
  exit 1
}

stop() {
  kill "$PID" 2>/dev/null || true
  wait "$PID" 2>/dev/null || true
  PID=
}

run() { # server round mode args...
  local name=$1 round=$2
  shift 2
  local line
  if ! line=$(timeout 300 "$BIN/easel-loadgen" "$@" | grep '^RESULT'); then
    line="RESULT mode=$1 failed=1"
  fi
  echo "$name round=$round ${line#RESULT }" | tee -a "$RESULTS" >&2
}

# The relay's count of updates committed to its store (easel_relay_updates_persisted_total).
persisted() {
  local port=$1
  exec 3<>"/dev/tcp/127.0.0.1/$port"
  printf 'GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' >&3
  awk '/^easel_relay_updates_persisted_total /{print $2}' <&3
  exec 3>&-
}

for ROUND in $(seq "$ROUNDS"); do
  for name in $SERVERS; do
    start "$name"
    url="ws://127.0.0.1:$(port_of "$name")"
    run "$name" "$ROUND" idle --url "$url/bench-idle" --clients "$IDLE" --pid "$PID"
    run "$name" "$ROUND" throughput --url "$url/bench-throughput" --clients "$CLIENTS" \
      --senders "$SENDERS" --updates "$UPDATES" --window "$WINDOW"
    run "$name" "$ROUND" latency --url "$url/bench-latency" --clients "$CLIENTS" \
      --senders "$SENDERS" --updates "$UPDATES" --rate "$RATE"
    if [[ $name == relay* ]]; then
      # Every update of both runs changes the document, so each must have been stored.
      sleep 0.5
      echo "$name round=$ROUND mode=persist persisted=$(persisted "$(port_of "$name")")" \
        | tee -a "$RESULTS" >&2
    fi
    stop
  done
done

python3 - "$RESULTS" <<'EOF'
import sys, statistics as st
rows = []
for line in open(sys.argv[1]):
    f = line.split()
    d = dict(kv.split("=", 1) for kv in f[1:])
    d["server"] = f[0]
    rows.append(d)
servers = list(dict.fromkeys(r["server"] for r in rows))
rounds = sorted({int(r["round"]) for r in rows})
def get(s, rnd, mode, key):
    for r in rows:
        if r["server"] == s and int(r["round"]) == rnd and r["mode"] == mode and key in r:
            return float(r[key])
    return float("nan")
def med(xs):
    xs = [x for x in xs if x == x]
    return st.median(xs) if xs else float("nan")

print()
print("Per round (closed loop: deliveries/s, lost; paced: p50/p99 ms, lost; idle: RSS)")
hdr = f"{'server':<13}{'rnd':>4}{'deliv/s':>11}{'lost':>6}{'p50 ms':>9}{'p99 ms':>9}{'lost':>6}{'RSS0 MB':>9}{'RSS500 MB':>10}{'B/conn':>8}"
print(hdr); print("-" * len(hdr))
for rnd in rounds:
    for s in servers:
        print(f"{s:<13}{rnd:>4}{get(s,rnd,'throughput','dps'):>11.0f}{get(s,rnd,'throughput','lost'):>6.0f}"
              f"{get(s,rnd,'latency','p50_ms'):>9.2f}{get(s,rnd,'latency','p99_ms'):>9.2f}{get(s,rnd,'latency','lost'):>6.0f}"
              f"{get(s,rnd,'idle','rss_before_kb')/1024:>9.1f}{get(s,rnd,'idle','rss_after_kb')/1024:>10.1f}"
              f"{get(s,rnd,'idle','per_conn_bytes'):>8.0f}")
print()
print("Median over rounds")
print(hdr.replace(" rnd", "    ")); print("-" * len(hdr))
for s in servers:
    m = lambda mode, key: med([get(s, r, mode, key) for r in rounds])
    print(f"{s:<13}{'':>4}{m('throughput','dps'):>11.0f}{sum(get(s,r,'throughput','lost') for r in rounds):>6.0f}"
          f"{m('latency','p50_ms'):>9.2f}{m('latency','p99_ms'):>9.2f}{sum(get(s,r,'latency','lost') for r in rounds):>6.0f}"
          f"{m('idle','rss_before_kb')/1024:>9.1f}{m('idle','rss_after_kb')/1024:>10.1f}{m('idle','per_conn_bytes'):>8.0f}")
print()
print("Updates persisted by the relay after the closed-loop and paced runs (expected: both runs' updates)")
for s in servers:
    if s.startswith("relay"):
        got = [get(s, r, "persist", "persisted") for r in rounds]
        exp = [get(s, r, "throughput", "updates") + get(s, r, "latency", "updates") for r in rounds]
        print(f"  {s:<13} " + "  ".join(f"{g:.0f}/{e:.0f}" for g, e in zip(got, exp)))
print()
print("Ratios of deliveries/s, within each round, then the median (goal: relay >= 0.75 x forwarder)")
pairs = [(a, b) for a in ("relay", "relay-normal", "relay-base") for b in ("y-websocket", "forwarder")
         if a in servers and b in servers]
if "forwarder" in servers and "y-websocket" in servers:
    pairs.append(("forwarder", "y-websocket"))
for a, b in pairs:
    rs = [get(a, r, "throughput", "dps") / get(b, r, "throughput", "dps") for r in rounds]
    print(f"  {a + ' / ' + b:<30} " + "  ".join(f"{x:5.2f}" for x in rs) + f"   median {med(rs):.2f}")
EOF
