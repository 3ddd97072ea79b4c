#!/usr/bin/env bash
# The one test command (README "Quickstart", called by .ci/run): installs what the tests need if it is
# missing, builds every guest module from source, and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n== %s\n' "$*" >&2; }

step "toolchains"
bash scripts/install-toolchains.sh

step "guest modules (SDK examples and fixtures)"
bash scripts/build-guests.sh

step "guest SDK native tests"
for lang in rust cpp go; do
  bash "guest-sdk/$lang/test-native.sh"
done

step "format and lints"
cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings

step "runtime tests (unit, sandbox, HTTP black-box, example case tables)"
cargo test --locked

step "connection handling on the release build (its code generation differs: see vendor/may/PATCHES.md)"
cargo test --release --locked --test hostile_clients -- reset_connections

if [ -f scripts/container-test.sh ]; then
  step "container image"
  bash scripts/container-test.sh
fi
step "all tests passed"
