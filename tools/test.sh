#!/bin/sh
# Quick start, part 2: install what is missing, build, and run the whole test suite twice:
# a normal build, then under AddressSanitizer + UndefinedBehaviorSanitizer.
set -eu
cd "$(dirname "$0")/.."
tools/install-deps.sh --test
jobs="$(nproc)"

cmake --preset default >/dev/null
cmake --build --preset default -j"$jobs"
ctest --preset default -j"$jobs"

cmake --preset asan >/dev/null
cmake --build --preset asan -j"$jobs"
ctest --preset asan -j"$jobs"
