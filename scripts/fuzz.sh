#!/usr/bin/env bash
# Runs every fuzz target of fuzz/ (cargo-fuzz, libFuzzer) for SECONDS each (default 60), one after another.
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]
# Needs cargo-fuzz (`cargo install cargo-fuzz`, installed here if missing). Only the stable toolchain exists on
# this machine: RUSTC_BOOTSTRAP=1 lets it accept the nightly-only flags cargo-fuzz passes. No sanitizer: the code
# under test is Rust (what fuzzing finds here is panics, failed assertions and hangs, which need none), may's
# coroutines switch stacks, which AddressSanitizer cannot follow, and an instrumented build takes 17 minutes here.
# Corpora grow in fuzz/corpus/<target>, seeded from fuzz/seeds/<target> and fuzz/regressions/<target> (every input
# that once failed, replayed first on every run). Crashes land in fuzz/artifacts/<target> and make this script exit
# non-zero: copy each to fuzz/regressions/<target>/ and write a test for it (RELIABILITY.md).
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(http_raw guest_reply protocol_json wasm_module)
fi
if ! command -v cargo-fuzz >/dev/null; then
    cargo install cargo-fuzz --locked
fi
export RUSTC_BOOTSTRAP=1
status=0
for target in "${targets[@]}"; do
    sanitizer=none
    mkdir -p "corpus/$target" "seeds/$target" "regressions/$target"
    echo "== $target: ${seconds}s, sanitizer $sanitizer"
    if ! cargo fuzz run --sanitizer "$sanitizer" "$target" "corpus/$target" "seeds/$target" "regressions/$target" -- \
        -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 -max_len=8192 -print_final_stats=1; then
        echo "== $target: CRASH (see fuzz/artifacts/$target)"
        status=1
    fi
done
exit $status
