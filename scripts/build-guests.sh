#!/usr/bin/env bash
# Builds every guest module from source: the SDK examples into target/examples/<folder>.wasm and the
# test fixtures that need a real toolchain into target/fixtures/<name>.wasm.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target/examples target/fixtures
for lang in rust cpp go; do
  echo "build-guests: $lang" >&2
  bash "guest-sdk/$lang/build.sh"
done
