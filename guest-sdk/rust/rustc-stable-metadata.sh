#!/usr/bin/env bash
# RUSTC_WRAPPER used by build.sh: cargo derives `-C metadata` (and with it the symbol hashes that decide the
# order of functions in the module) from the absolute path of a path dependency that lies outside the
# workspace, here guest-sdk/rust. Replacing it by the crate name makes the output independent of where the
# repository is checked out. Usage (by cargo): rustc-stable-metadata.sh RUSTC ARGS...
set -euo pipefail
rustc=$1
shift
crate=""
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  if [ "${args[i]}" = "--crate-name" ]; then crate=${args[i + 1]}; fi
done
for ((i = 0; i < ${#args[@]}; i++)); do
  case ${args[i]} in
    metadata=*) [ -n "$crate" ] && args[i]="metadata=wasmshim-$crate" ;;
  esac
done
exec "$rustc" "${args[@]}"
