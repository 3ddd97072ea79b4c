"""Groups a flat `perf report --sort symbol` listing (stdin) into components, to say what dominates."""
import re
import sys

GROUPS = [
    ("kernel (syscalls, network stack, scheduling)", lambda s: "[k]" in s),
    ("wasmi: executing guest code", lambda s: re.search(r"wasmi::engine::executor|Executor|execute_|wasmi::engine::code", s)),
    ("wasmi: instantiation, linking, other", lambda s: "wasmi" in s),
    ("memcpy/memset (restore, body copies)", lambda s: re.search(r"memcpy|memmove|memset", s)),
    ("JSON (serde_json)", lambda s: "serde_json" in s or "serde::" in s),
    ("HTTP (may_minihttp, httparse, may coroutines)", lambda s: re.search(r"may_minihttp|httparse|\bmay::|generator|bytes::", s)),
    ("allocator (malloc/free)", lambda s: re.search(r"malloc|free|_int_|cfree|realloc|alloc::", s)),
    ("wasmshim code", lambda s: "wasmshim" in s),
]
totals = {name: 0.0 for name, _ in GROUPS}
totals["other"] = 0.0
for line in sys.stdin:
    match = re.match(r"\s*([\d.]+)%\s+(.*)", line)
    if not match:
        continue
    share, symbol = float(match.group(1)), match.group(2)
    for name, test in GROUPS:
        if test(symbol):
            totals[name] += share
            break
    else:
        totals["other"] += share
print("\nshare of server CPU samples by component:")
for name, share in sorted(totals.items(), key=lambda item: -item[1]):
    print(f"  {share:5.1f}%  {name}")
