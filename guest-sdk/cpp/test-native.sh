#!/usr/bin/env bash
# Builds and runs the native unit tests of the C++ SDK and examples with the host compiler, under
# AddressSanitizer and UndefinedBehaviorSanitizer (g++ by default; CXX_NATIVE picks another compiler,
# which then needs its sanitizer runtimes). Each test binary ends with "<name>: N passed, N failed";
# the script fails if any test fails.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
make -C "$here" --no-print-directory CXX_NATIVE="${CXX_NATIVE:-g++}" OBJ="$root/target/cpp" ROOT="$root" test "$@"
