#!/bin/sh
# Quick start, part 1: install what is missing, build, and run rnnscope on a shipped model:
# every state and gate of a trained sentiment LSTM reading a sentence, step by step.
set -eu
cd "$(dirname "$0")/.."
tools/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default -j"$(nproc)"
exec build/rnnscope trace --model assets/models/sentiment-en.json \
  --text "The food was not good." --format table
