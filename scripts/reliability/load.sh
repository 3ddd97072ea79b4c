#!/usr/bin/env bash
# Load test: wrk saturates a wasmshim server (release build, tests/fixtures/hostile.wat, 2 instances, fuel 2,000,000
# so an endless loop costs about 15 ms) for SECONDS (default 60) with the mix of mix.lua: correct requests, µEd,
# healthchecks, malformed JSON, invalid requests, wrong methods, traps, endless loops, proc_exit, bad replies, memory
# growth, chunked bodies and bad Content-Length headers. Every reply is checked against the one its request must get.
# In parallel health_probe.py measures /health latency. Fails on any mismatch, failed probe or server crash.
#   bash scripts/reliability/load.sh [SECONDS] [CONNECTIONS]
source "$(dirname "$0")/common.sh"
SECONDS_TOTAL="${1:-60}"
CONNECTIONS="${2:-64}"
prepare
start_server FUNCTION_MAX_PROCS=2 FUNCTION_WASM_FUEL=2000000 FUNCTION_WORKER_SEND_TIMEOUT=5s FUNCTION_QUEUE_TIMEOUT=30s
pid_before="$SERVER_PID"
rss_before="$(rss_kb)"
python3 "$HERE/health_probe.py" "$PORT" "$SECONDS_TOTAL" >"$OUT/probe.json" &
probe=$!
MIX=load wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_TOTAL}s" --timeout 20s -s "$HERE/mix.lua" "http://127.0.0.1:$PORT/" \
    >"$OUT/wrk.txt" 2>&1
wait "$probe"
alive=no
kill -0 "$SERVER_PID" 2>/dev/null && alive=yes
rss_after="$(rss_kb)"
after="$(curl -s -X POST "http://127.0.0.1:$PORT/" -d '{"response":"after","answer":1}')"
stop_server
code="$EXIT_CODE"
cat "$OUT/wrk.txt"
python3 - "$OUT" "$alive" "$rss_before" "$rss_after" "$code" "$after" <<'PY'
import json, sys
out, alive, rss_before, rss_after, code, after = sys.argv[1:]
mix = json.loads(next(l[4:] for l in open(f"{out}/wrk.txt") if l.startswith("MIX ")))
probe = json.loads(open(f"{out}/probe.json").read())
normal = '{"command":"eval","result":{"is_correct":true,"feedback":"ok","global":1,"static":1}}'
result = {"wrk": mix, "health_probe": probe, "server_alive_after": alive == "yes", "rss_kb_before": int(rss_before),
          "rss_kb_after": int(rss_after), "exit_code_after_sigterm": int(code), "normal_request_after": after == normal}
json.dump(result, open(f"{out}/result.json", "w"), indent=1)
print(json.dumps(result, indent=1))
ok = (mix["mismatches"] == 0 and probe["failures"] == 0 and alive == "yes" and code == "0" and after == normal
      and sum(mix["errors"].values()) == 0)
print("LOAD", "PASSED" if ok else "FAILED", f"(details in {out})")
sys.exit(0 if ok else 1)
PY
