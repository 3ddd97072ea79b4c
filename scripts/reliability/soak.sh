#!/usr/bin/env bash
# Soak test: REQUESTS (default 1,000,000) requests of the soak mix (mix.lua with MIX=soak: every kind of request
# and fault, fewer endless loops) against one server (release build, tests/fixtures/hostile.wat, 2 instances).
# wrk runs in chunks (the first stops at 10,000 replies, then 5 s each) until the total is reached; after each chunk the
# server's RSS, open file descriptors and threads are read from /proc (samples.csv). Passes when every reply was the
# expected one, the RSS at the end is within 10% of the RSS after the first 10,000 requests, the descriptor count is
# unchanged, and the server still answers and exits 0 on SIGTERM.
#   bash scripts/reliability/soak.sh [REQUESTS] [CONNECTIONS]
source "$(dirname "$0")/common.sh"
TOTAL="${1:-1000000}"
CONNECTIONS="${2:-32}"
prepare
start_server FUNCTION_MAX_PROCS=2 FUNCTION_WASM_FUEL=2000000 FUNCTION_WORKER_SEND_TIMEOUT=5s FUNCTION_QUEUE_TIMEOUT=30s
echo "replies,mismatches,faults,rss_kb,fds,threads" >"$OUT/samples.csv"
echo "0,0,0,$(rss_kb),$(fd_count),$(threads)" >>"$OUT/samples.csv"
replies=0 mismatches=0 faults=0 errors=0 chunk=0
started=$(date +%s)
while [ "$replies" -lt "$TOTAL" ]; do
    chunk=$((chunk + 1))
    duration=5 stop_after=0
    # The first chunk stops at exactly 10,000 replies (5,000 per wrk thread; wrk still waits out -d): the RSS
    # baseline of the criterion.
    [ "$replies" -lt 10000 ] && duration=10 stop_after=$(((10000 - replies) / 2))
    STOP_AFTER=$stop_after MIX=soak wrk -t2 -c"$CONNECTIONS" -d"${duration}s" --timeout 20s -s "$HERE/mix.lua" "http://127.0.0.1:$PORT/" \
        >"$OUT/wrk-$chunk.txt" 2>&1
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "the server died"; tail "$OUT/server.log"; exit 1; }
    read -r r m f e < <(mix_line "$OUT/wrk-$chunk.txt" | python3 -c \
        'import json,sys; m=json.load(sys.stdin); print(m["replies"], m["mismatches"], m["faults_sent"], sum(m["errors"].values()))')
    replies=$((replies + r)) mismatches=$((mismatches + m)) faults=$((faults + f)) errors=$((errors + e))
    sleep 1 # let the server close the finished connections before counting descriptors
    echo "$replies,$mismatches,$faults,$(rss_kb),$(fd_count),$(threads)" >>"$OUT/samples.csv"
    echo "chunk $chunk: $replies replies, $mismatches mismatches, rss $(rss_kb) kB, $(fd_count) fds"
done
elapsed=$(( $(date +%s) - started ))
after="$(curl -s -X POST "http://127.0.0.1:$PORT/" -d '{"response":"after","answer":1}')"
stop_server
cat "$OUT/samples.csv"
python3 - "$OUT" "$TOTAL" "$replies" "$mismatches" "$faults" "$errors" "$EXIT_CODE" "$after" "$elapsed" <<'PY'
import csv, json, sys
out, total, replies, mismatches, faults, errors, code, after, elapsed = sys.argv[1:]
rows = list(csv.DictReader(open(f"{out}/samples.csv")))
at_10k = next(r for r in rows if int(r["replies"]) >= 10000)
end = rows[-1]
growth = int(end["rss_kb"]) / int(at_10k["rss_kb"]) - 1
# The first 30 s chunk after the 10,000: RSS rises while new connections come and go, then stays flat.
warm = next((r for r in rows if int(r["replies"]) >= 200000), end)
warm_growth = int(end["rss_kb"]) / int(warm["rss_kb"]) - 1
normal = '{"command":"eval","result":{"is_correct":true,"feedback":"ok","global":1,"static":1}}'
result = {"requests_target": int(total), "replies": int(replies), "mismatches": int(mismatches),
          "faults_sent": int(faults), "socket_errors": int(errors), "seconds": int(elapsed),
          "at_10k": at_10k, "at_200k": warm, "at_end": end, "rss_growth_percent": round(growth * 100, 2),
          "rss_growth_after_200k_percent": round(warm_growth * 100, 2),
          "exit_code_after_sigterm": int(code), "normal_request_after": after == normal}
json.dump(result, open(f"{out}/result.json", "w"), indent=1)
print(json.dumps(result, indent=1))
ok = (int(mismatches) == 0 and int(errors) == 0 and abs(growth) <= 0.10 and end["fds"] == at_10k["fds"]
      and code == "0" and after == normal)
print("SOAK", "PASSED" if ok else "FAILED", f"(details in {out})")
sys.exit(0 if ok else 1)
PY
