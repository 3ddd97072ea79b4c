#!/usr/bin/env bash
# Graceful shutdown under load: while wrk sends the soak mix (without endless loops) on kept-alive connections and
# three endless loops (fuel 100,000,000: about 0.7 s each on an idle machine) are running, the server gets SIGTERM. Checked: the loops in flight still get
# their complete reply (500 "evaluation exceeded its CPU budget"), a new connection made after the signal is
# refused, the server exits with code 0, and how long it took.
#   bash scripts/reliability/shutdown.sh
source "$(dirname "$0")/common.sh"
prepare
start_server FUNCTION_MAX_PROCS=4 FUNCTION_WASM_FUEL=100000000 FUNCTION_WORKER_SEND_TIMEOUT=30s \
    FUNCTION_QUEUE_TIMEOUT=30s HTTP_SHUTDOWN_TIMEOUT=20s LOG_LEVEL=info
MIX=soak NO_LOOPS=1 wrk -t1 -c8 -d8s --timeout 20s -s "$HERE/mix.lua" "http://127.0.0.1:$PORT/" >"$OUT/wrk.txt" 2>&1 &
load=$!
loops=()
for i in 1 2 3; do
    curl -s -o "$OUT/loop-$i.body" -w '%{http_code}' --max-time 30 -X POST "http://127.0.0.1:$PORT/" \
        -d '{"response":"#l","answer":1}' >"$OUT/loop-$i.status" &
    loops+=($!)
done
sleep 0.2
signalled=$(date +%s%N)
kill -TERM "$SERVER_PID"
sleep 0.2
refused=no
python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $PORT), timeout=2)" 2>/dev/null || refused=yes
EXIT_CODE=0
wait "$SERVER_PID" || EXIT_CODE=$?
exited=$(date +%s%N)
SERVER_PID=""
for pid in "${loops[@]}"; do wait "$pid" || true; done
wait "$load" || true
python3 - "$OUT" "$EXIT_CODE" "$refused" "$(( (exited - signalled) / 1000000 ))" <<'PY'
import json, sys
out, code, refused, ms = sys.argv[1:]
expected = '{"error":{"message":"evaluation exceeded its CPU budget"}}'
loops = [{"status": open(f"{out}/loop-{i}.status").read(), "complete": open(f"{out}/loop-{i}.body").read() == expected}
         for i in (1, 2, 3)]
mix = next((json.loads(l[4:]) for l in open(f"{out}/wrk.txt") if l.startswith("MIX ")), None)
log = open(f"{out}/server.log").read()
result = {"exit_code": int(code), "new_connection_refused": refused == "yes", "sigterm_to_exit_ms": int(ms),
          "in_flight_loops": loops, "wrk_during_shutdown": mix, "log": log.strip().splitlines()[-3:]}
json.dump(result, open(f"{out}/result.json", "w"), indent=1)
print(json.dumps(result, indent=1))
ok = code == "0" and refused == "yes" and all(l["status"] == "500" and l["complete"] for l in loops) \
    and (mix is None or mix["mismatches"] == 0)
print("SHUTDOWN", "PASSED" if ok else "FAILED", f"(details in {out})")
sys.exit(0 if ok else 1)
PY
