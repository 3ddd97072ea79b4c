#!/usr/bin/env bash
# Builds the C++ examples (examples/compare-cpp, examples/array-equal-cpp) into WebAssembly modules at
# target/examples/<folder>.wasm, relative to the repository root, with clang-19 + wasi-libc + libc++.
# Extra arguments go to make (e.g. -B to rebuild everything). Run scripts/install-toolchains.sh first
# on a fresh machine.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
CXX_WASM="${CXX_WASM:-clang++-19}"
if ! command -v "$CXX_WASM" >/dev/null; then
  echo "guest-sdk/cpp/build.sh: $CXX_WASM not found (run scripts/install-toolchains.sh)" >&2
  exit 1
fi
make -C "$here" --no-print-directory CXX_WASM="$CXX_WASM" OUT="$root/target/examples" OBJ="$root/target/cpp" all "$@"
