#!/bin/sh
# The Quick start's trace command: exit 0, and the table says what the model read and what
# it predicts. "The food was not good." is the negation example: the model must say neg.
set -eu
bin="$1"
models="$2/assets/models"
out=$("$bin" trace --model "$models/sentiment-en.json" --text "The food was not good." \
      --format table)
fail() { echo "cli_quick_start_trace: $1"; echo "$out"; exit 1; }
has() { printf '%s\n' "$out" | grep -Eq "$1" || fail "no line matching: $1"; }
has '^model +sentiment-en: lstm, 1 layer, forward, input 16, hidden 16$'
has '^tokens +the food was not good \.'
has '^layer 0, forward$'
has '^ +unit +0 +1 +2 '
for t in 0 1 2 3 4 5; do has "^  t=$t "; done
[ "$(printf '%s\n' "$out" | grep -Ec '^ +[ifgoch] +[-+][0-9]')" -eq 36 ] ||
    fail "want 6 steps x 6 rows (i f g o c h)"
has '^output \(many-to-one\)$'
has '^  neg +0\.[0-9]+ +#+ +<- prediction$'
printf '%s\n' "$out" | grep -Eq '^  pos .*<- prediction' && fail "pos is marked as the prediction"
echo "cli_quick_start_trace: table and prediction (neg) as expected"
