#!/bin/sh
# Trains every shipped model in assets/models/ with rnnscope's own engine, from the data in
# assets/data/. Deterministic: the same binary writes the same weights (each model file
# records the command that made it). Run from anywhere; builds first if needed.
#   tools/make_models.sh [path/to/rnnscope]
set -eu
cd "$(dirname "$0")/.."
bin="${1:-build/rnnscope}"
[ -x "$bin" ] || { cmake --preset default >/dev/null && cmake --build --preset default -j"$(nproc)"; }
run() { echo "+ $*"; "$@" | tail -n 2; }

# Recall, the long-term memory task: one data set, one budget (5 epochs of 300 steps), one
# seed for all three cells. No seed is picked per cell.
run "$bin" make-data recall --count 9600 --min-distance 1 --max-distance 40 --keys 4 --seed 1 \
  --out assets/data/recall-train.jsonl
for cell in rnn lstm gru; do
  run "$bin" train --cell "$cell" --hidden 16 --embed 8 --data assets/data/recall-train.jsonl \
    --optimizer adam --lr 0.01 --batch-size 32 --epochs 5 --seed 1 --name "recall-$cell" \
    --out "assets/models/recall-$cell.json"
done

# The same vanilla RNN, budget and seed, trained on short gaps only (1..10): it learns the task
# that it fails to learn from gaps up to 40 (lesson 5 shows the two side by side).
run "$bin" make-data recall --count 9600 --min-distance 1 --max-distance 10 --keys 4 --seed 1 \
  --out assets/data/recall-short-train.jsonl
run "$bin" train --cell rnn --hidden 16 --embed 8 --data assets/data/recall-short-train.jsonl \
  --optimizer adam --lr 0.01 --batch-size 32 --epochs 5 --seed 1 --name recall-rnn-short \
  --out assets/models/recall-rnn-short.json

# Sentiment (many-to-one), English and Korean.
for lang in en ko; do
  run "$bin" train --cell lstm --hidden 16 --embed 16 --data "assets/data/sentiment-$lang.jsonl" \
    --valid "assets/data/sentiment-$lang-valid.jsonl" --optimizer adam --lr 0.01 \
    --batch-size 16 --epochs 20 --seed 1 --name "sentiment-$lang" \
    --out "assets/models/sentiment-$lang.json"
done

# Deep RNN: the same sentiment data through two stacked layers (for the lesson on depth:
# more parameters, the same small data).
run "$bin" train --cell lstm --hidden 16 --embed 16 --layers 2 --data assets/data/sentiment-en.jsonl \
  --valid assets/data/sentiment-en-valid.jsonl --optimizer adam --lr 0.01 --batch-size 16 \
  --epochs 20 --seed 1 --name sentiment-en-2layers --out assets/models/sentiment-en-2layers.json

# Name tagging (many-to-many): the same LSTM reading forward only, and both ways.
for lang in en ko; do
  run "$bin" train --cell lstm --hidden 16 --embed 16 --data "assets/data/names-$lang.jsonl" \
    --valid "assets/data/names-$lang-valid.jsonl" --optimizer adam --lr 0.01 --batch-size 16 \
    --epochs 20 --seed 1 --name "names-$lang-forward" --out "assets/models/names-$lang-forward.json"
  run "$bin" train --cell lstm --hidden 16 --embed 16 --bidirectional \
    --data "assets/data/names-$lang.jsonl" --valid "assets/data/names-$lang-valid.jsonl" \
    --optimizer adam --lr 0.01 --batch-size 16 --epochs 20 --seed 1 \
    --name "names-$lang-bidirectional" --out "assets/models/names-$lang-bidirectional.json"
done
