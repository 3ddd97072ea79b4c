#!/usr/bin/env bash
# Checks the Go guest code natively (host GOOS/GOARCH): gofmt must list nothing, go vet must pass for the
# host and for wasip1 (the exports live behind the wasip1 build tag), and go test runs the SDK's tests and
# the examples' tests, which include their case tables (examples/cases.json, examples/<folder>/cases.json).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
export GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=mod
modules=(guest-sdk/go examples/compare-go examples/is-exact-equal-go tests/fixtures/shimmy-go)

cd "$root"
unformatted="$("$(go env GOROOT)/bin/gofmt" -l "${modules[@]}")"
if [ -n "$unformatted" ]; then
  echo "guest-sdk/go/test-native.sh: gofmt would change:" >&2
  echo "$unformatted" >&2
  exit 1
fi
for m in "${modules[@]}"; do
  echo "guest-sdk/go/test-native.sh: $m" >&2
  (cd "$root/$m" && go vet ./... && GOOS=wasip1 GOARCH=wasm go vet ./... && go test ./...)
done
