#!/usr/bin/env bash
# Where a wasmshim request's time goes: serves MODULE from the symbol-carrying `profiling` build, loads it with
# wrk (127.0.0.1, bounded by -d) and records the server with `perf record` (flat, self time per symbol), then
# prints the top symbols and a breakdown by component (wasmi interpreter, restore/memcpy, HTTP, JSON, kernel).
#
#   bench/scripts/profile.sh [MODULE.wasm] [SECONDS] [CONNECTIONS]   (default compare-rust, 5 s, 64)
#
# Needs perf (Debian: apt-get install linux-perf) and root or kernel.perf_event_paranoid <= 1.
set -euo pipefail
cd "$(dirname "$0")/../.."
module=${1:-target/examples/compare-rust.wasm}
seconds=${2:-5}
connections=${3:-64}
out=${PROFILE_OUT:-/tmp/wasmshim-profile}
mkdir -p "$out"
cargo build --profile profiling --locked >&2
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
LOG_LEVEL=warn FUNCTION_WASM_MODULE="$module" HTTP_HOST=127.0.0.1 HTTP_PORT=$port target/profiling/wasmshim serve \
  2>"$out/server.log" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.05; done
wrk -t2 -c"$connections" -d1s -s bench/wrk/post.lua "http://127.0.0.1:$port/" >/dev/null
perf record -F 1999 -p $server -o "$out/perf.data" -- sleep "$seconds" 2>"$out/perf-record.log" &
recorder=$!
wrk -t2 -c"$connections" -d"${seconds}s" -s bench/wrk/post.lua "http://127.0.0.1:$port/" | grep -E 'Requests/sec|WRK_JSON'
wait $recorder
perf report -i "$out/perf.data" --stdio --no-children --sort symbol --percent-limit 0.7 2>/dev/null \
  | grep -v '^#' | grep -v '^$' | head -40
perf report -i "$out/perf.data" --stdio --no-children --sort symbol 2>/dev/null | grep -v '^#' | grep '%' \
  | python3 bench/scripts/profile_groups.py
