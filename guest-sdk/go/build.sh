#!/usr/bin/env bash
# Builds the Go guest modules (GOOS=wasip1 GOARCH=wasm, -buildmode=c-shared, stdlib only, no network):
#   examples/compare-go         -> target/examples/compare-go.wasm
#   examples/is-exact-equal-go  -> target/examples/is-exact-equal-go.wasm
#   tests/fixtures/shimmy-go    -> target/fixtures/shimmy-go.wasm
# -trimpath, -buildvcs=false and -ldflags='-s -w' make the modules smaller and reproducible.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
command -v go >/dev/null || { echo "guest-sdk/go/build.sh: go not found (scripts/install-toolchains.sh installs it)" >&2; exit 1; }
export GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=mod GOOS=wasip1 GOARCH=wasm
mkdir -p "$root/target/examples" "$root/target/fixtures"

build() { # <source dir> <output file>, both relative to the repository root
  (cd "$root/$1" && go build -buildmode=c-shared -trimpath -buildvcs=false -ldflags='-s -w' -o "$root/$2" .)
  echo "guest-sdk/go/build.sh: $2 ($(wc -c <"$root/$2") bytes)" >&2
}

build examples/compare-go target/examples/compare-go.wasm
build examples/is-exact-equal-go target/examples/is-exact-equal-go.wasm
build tests/fixtures/shimmy-go target/fixtures/shimmy-go.wasm
