#!/bin/sh
# Quick start, part 2: install what is missing, build, and run the whole test suite twice:
# a normal build (with the browser build's page in chromium), then under AddressSanitizer +
# UndefinedBehaviorSanitizer; in between, a short deterministic run of every fuzz target.
set -eu
cd "$(dirname "$0")/.."
tools/install-deps.sh --test
jobs="$(nproc)"

# The browser build (build-web/site/), which the suite's web_page test drives in chromium.
tools/build-web.sh >/dev/null

# The app, the tests and the benchmark harness, warnings as errors (build-dev/).
cmake --preset dev >/dev/null
cmake --build --preset dev -j"$jobs"
ctest --preset dev -j"$jobs"

# Every parser under libFuzzer: the saved regressions, then 20,000 inputs per target from a
# fixed seed, so that the run is the same on every machine (tools/fuzz.sh 60 fuzzes longer).
FUZZ_ARGS="-seed=1 -runs=20000" tools/fuzz.sh 60

cmake --preset asan >/dev/null
cmake --build --preset asan -j"$jobs"
ctest --preset asan -j"$jobs"
