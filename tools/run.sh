#!/bin/sh
# Quick start, part 1: install what is missing, build, and open rnnscope: a trained LSTM
# reads a recall sentence one word at a time (press Right; H lists the keys). Without a
# display it prints the same model and sentence as a table instead.
set -eu
cd "$(dirname "$0")/.."
tools/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default -j"$(nproc)"
exec build/rnnscope "$@"
