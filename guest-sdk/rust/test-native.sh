#!/usr/bin/env bash
# Native (host) checks of the Rust guest SDK, the Rust examples and the no_std fixture: formatting, clippy
# (for the host and for wasm32), and the unit tests (the examples run their case tables, examples/cases.json and
# examples/is-similar-rust/cases.json, directly against the evaluators).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd -P)
target_dir="$root/target/guest-rust"

for manifest in guest-sdk/rust examples tests/fixtures/shimmy-rust-nostd; do
  echo "test-native(rust): $manifest" >&2
  cargo fmt --all --check --manifest-path "$root/$manifest/Cargo.toml"
  cargo clippy --locked --offline --all-targets --target-dir "$target_dir" \
    --manifest-path "$root/$manifest/Cargo.toml" -- -D warnings
  cargo test --locked --offline --target-dir "$target_dir" --manifest-path "$root/$manifest/Cargo.toml"
  # The WebAssembly-only code (exports, allocator, panic handlers) is linted for its own target.
  cargo clippy --locked --offline --target wasm32-unknown-unknown --target-dir "$target_dir" \
    --manifest-path "$root/$manifest/Cargo.toml" -- -D warnings
done
