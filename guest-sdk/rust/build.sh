#!/usr/bin/env bash
# Builds the Rust guests for wasm32-unknown-unknown, byte-for-byte reproducibly:
#   examples/<folder>               -> target/examples/<folder>.wasm   (compare-rust, stateful, is-similar-rust)
#   tests/fixtures/shimmy-rust-nostd -> target/fixtures/shimmy-rust-nostd.wasm
# Paths are relative to the repository root; cargo's own output goes to target/guest-rust.
#
# Reproducibility: the checkout path and CARGO_HOME are remapped out of the binaries, cargo's path-derived
# `-C metadata` is replaced by a stable one (rustc-stable-metadata.sh), no dependency comes from outside the
# repository (--locked --offline), and the profiles strip debug info and symbols.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd -P)
cargo_home=$(cd "${CARGO_HOME:-$HOME/.cargo}" 2>/dev/null && pwd -P || echo "${CARGO_HOME:-$HOME/.cargo}")
target_dir="$root/target/guest-rust"
wasm_dir="$target_dir/wasm32-unknown-unknown/release"

# RUSTFLAGS replaces examples/.cargo/config.toml, so the stack size is repeated here. Encoded (0x1f-separated)
# so that paths with spaces survive.
flags=(
  -C link-arg=-zstack-size=65536
  "--remap-path-prefix=$root=/wasmshim"
  "--remap-path-prefix=$cargo_home=/cargo"
)
CARGO_ENCODED_RUSTFLAGS=$(IFS=$'\x1f'; printf '%s' "${flags[*]}")
export CARGO_ENCODED_RUSTFLAGS
unset RUSTFLAGS
export RUSTC_WRAPPER="$root/guest-sdk/rust/rustc-stable-metadata.sh"

build() {
  cargo build --release --locked --offline --target wasm32-unknown-unknown --target-dir "$target_dir" \
    --manifest-path "$root/$1/Cargo.toml"
}

mkdir -p "$root/target/examples" "$root/target/fixtures"

build examples
for folder in compare-rust stateful is-similar-rust; do
  cp "$wasm_dir/${folder//-/_}.wasm" "$root/target/examples/$folder.wasm"
done

build tests/fixtures/shimmy-rust-nostd
cp "$wasm_dir/shimmy_rust_nostd.wasm" "$root/target/fixtures/shimmy-rust-nostd.wasm"

for f in "$root"/target/examples/{compare-rust,stateful,is-similar-rust}.wasm "$root/target/fixtures/shimmy-rust-nostd.wasm"; do
  printf 'build-guests(rust): %s (%s bytes)\n' "${f#"$root"/}" "$(wc -c <"$f")" >&2
done
