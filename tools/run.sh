#!/bin/sh
# Quick start, part 1: install what is missing, build, and run rnnscope on the bundled
# example: every state and gate of an LSTM reading a sentence, step by step.
set -eu
cd "$(dirname "$0")/.."
tools/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default -j"$(nproc)"
exec build/rnnscope trace --model assets/models/example-lstm.json \
  --text "The cat sat on the mat." --format table
