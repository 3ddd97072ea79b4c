# Shared by load.sh, soak.sh and shutdown.sh: build, compile the hostile fixture, start and stop one server on a
# free loopback port. Everything goes to target/reliability/<script>-<time>/ (OUT). Only 127.0.0.1 is used.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/scripts/reliability"
OUT="$ROOT/target/reliability/$(basename "$0" .sh)-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
SERVER_PID=""

# The release binary and the hostile module (tests/fixtures/hostile.wat, compiled with wabt's wat2wasm).
# WASMSHIM_TARGET=x86_64-unknown-linux-musl tests the static binary the container image ships (musl's allocator)
# instead of the glibc one.
prepare() {
    command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
    command -v wat2wasm >/dev/null || { apt-get update -qq && apt-get install -y -qq wabt; }
    if [ -n "${WASMSHIM_TARGET:-}" ]; then
        (cd "$ROOT" && cargo build --release --quiet --target "$WASMSHIM_TARGET")
        BIN="$ROOT/target/$WASMSHIM_TARGET/release/wasmshim"
    else
        (cd "$ROOT" && cargo build --release --quiet)
        BIN="$ROOT/target/release/wasmshim"
    fi
    MODULE="$OUT/hostile.wasm"
    wat2wasm "$ROOT/tests/fixtures/hostile.wat" -o "$MODULE"
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_server VAR=value...: starts the server with the hostile module and waits for /health. SERVER_ENV (space
# separated VAR=value words) adds to the server's environment, e.g. SERVER_ENV=MALLOC_ARENA_MAX=1.
start_server() {
    PORT="$(free_port)"
    # shellcheck disable=SC2086 # SERVER_ENV is a list of words
    env -i PATH="$PATH" HTTP_HOST=127.0.0.1 HTTP_PORT="$PORT" FUNCTION_WASM_MODULE="$MODULE" LOG_LEVEL=error \
        "$@" ${SERVER_ENV:-} "$BIN" serve >"$OUT/server.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 100); do
        if curl -sf "http://127.0.0.1:$PORT/health" >/dev/null; then return 0; fi
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$OUT/server.log"; echo "the server did not start"; exit 1; }
        sleep 0.1
    done
    echo "the server did not answer /health"; exit 1
}

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$SERVER_PID/status"; }
fd_count() { ls "/proc/$SERVER_PID/fd" | wc -l; }
threads() { awk '/^Threads/ {print $2}' "/proc/$SERVER_PID/status"; }

# stop_server: SIGTERM, wait; the exit code is left in EXIT_CODE.
stop_server() {
    kill -TERM "$SERVER_PID"
    EXIT_CODE=0
    wait "$SERVER_PID" || EXIT_CODE=$?
    SERVER_PID=""
}

cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then kill -KILL "$SERVER_PID"; fi
}
trap cleanup EXIT

# mix_line FILE: the "MIX {...}" line of a wrk run, as JSON.
mix_line() { sed -n 's/^MIX //p' "$1"; }
