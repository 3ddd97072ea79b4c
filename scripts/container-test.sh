#!/usr/bin/env bash
# The container test (part of scripts/test.sh): builds the runtime stage of the real Dockerfile from artifacts
# built on this machine (no base image can be pulled here), runs it with podman + runc, waits for its
# HEALTHCHECK, marks one correct and one wrong answer, checks the image size, and removes everything.
# Podman missing or unable to run a container is a failure, never a silent skip.
set -euo pipefail
cd "$(dirname "$0")/.."
fail() { printf 'container-test: FAILED: %s\n' "$*" >&2; exit 1; }
say() { printf 'container-test: %s\n' "$*" >&2; }

command -v podman >/dev/null || fail "podman is not installed (scripts/install-toolchains.sh installs it)"
command -v runc >/dev/null || fail "runc is not installed (scripts/install-toolchains.sh installs it)"

cargo build --release --locked --target x86_64-unknown-linux-musl
[ -f target/examples/compare-rust.wasm ] || bash guest-sdk/rust/build.sh

tag="localhost/wasmshim-test:$$"
name="wasmshim-test-$$"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() {
  podman rm -f "$name" >/dev/null 2>&1 || true
  podman rmi -f "$tag" >/dev/null 2>&1 || true
}
trap cleanup EXIT

say "building the runtime stage from prebuilt artifacts"
podman build --quiet --format docker --target runtime \
  --build-arg ARTIFACTS=prebuilt \
  --build-arg EVALUATOR_MODULE=target/examples/compare-rust.wasm \
  -t "$tag" -f Dockerfile . >/dev/null || fail "podman build failed"

size=$(podman image inspect --format '{{.Size}}' "$tag")
say "image size: $size bytes"
[ "$size" -lt $((10 * 1024 * 1024)) ] || fail "the image is $size bytes, above the 10 MiB budget"

say "running it"
podman run -d --name "$name" --runtime runc \
  --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
  --network host -e HTTP_PORT="$port" -e HTTP_HOST=127.0.0.1 \
  "$tag" >/dev/null 2>/tmp/"$name".err || { cat /tmp/"$name".err >&2; fail "podman run failed"; }
# Without systemd, podman cannot schedule the HEALTHCHECK timer (it says so on stderr); `podman healthcheck run`
# below runs the same check on demand.

healthy=""
for _ in $(seq 1 50); do
  if podman healthcheck run "$name" >/dev/null 2>&1; then healthy=yes; break; fi
  sleep 0.2
done
[ -n "$healthy" ] || { podman logs "$name" >&2 || true; fail "the container's HEALTHCHECK (wasmshim health) never passed"; }
say "healthy"

post() {
  python3 - "$port" "$1" <<'PY'
import http.client, sys
conn = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=5)
conn.request("POST", "/", body=sys.argv[2], headers={"command": "eval"})
reply = conn.getresponse()
print(reply.status, reply.read().decode())
PY
}
correct=$(post '{"response": "0.1001", "answer": 0.1, "params": {"atol": 0.001}}')
wrong=$(post '{"response": 2, "answer": 3}')
say "correct answer: $correct"
say "wrong answer:   $wrong"
[ "$correct" = '200 {"command":"eval","result":{"is_correct":true,"feedback":"Correct!"}}' ] || fail "unexpected reply to the correct answer"
[ "$wrong" = '200 {"command":"eval","result":{"is_correct":false,"feedback":"Incorrect."}}' ] || fail "unexpected reply to the wrong answer"

user=$(podman inspect --format '{{.Config.User}}' "$name")
[ "$user" = "65532:65532" ] || fail "the container runs as '$user', expected the non-root 65532:65532"
say "passed"
