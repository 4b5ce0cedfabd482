#!/bin/sh
# rnnscope memory --quick: under a minute, and the RNN-vs-LSTM/GRU contrast at gap 40.
set -eu
bin="$1"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
start=$(date +%s)
"$bin" memory --quick --format json --plot "$dir/memory.png" > "$dir/memory.json"
took=$(( $(date +%s) - start ))
echo "memory --quick took ${took} s"
/usr/bin/python3 - "$dir/memory.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
acc = {(x["cell"], x["distance"]): x["mean"] for x in r["results"]}
for k, v in sorted(acc.items()): print(f"  {k[0]:5} D={k[1]:3}  accuracy {v:.3f}")
assert acc[("lstm", 40)] >= 0.95 and acc[("gru", 40)] >= 0.95, "LSTM/GRU should hold gap 40"
assert acc[("rnn", 40)] <= acc[("lstm", 40)] - 0.2, "the RNN should fall behind at gap 40"
PY
head -c 8 "$dir/memory.png" | od -An -c | grep -q 'P   N   G' || { echo "no PNG written"; exit 1; }
# "under a minute" is for a normal build; sanitizer builds run several times slower
case "$bin" in *asan*) ;; *) [ "$took" -lt 60 ] || { echo "too slow: ${took} s"; exit 1; } ;; esac
echo "memory --quick: contrast shown, plot written"
