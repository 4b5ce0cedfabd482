#!/bin/sh
# Files at the size limits: a ~100 MB model loads and runs; a file over the 256 MiB limit is
# refused before it is read, with a message that says so.
set -eu
bin="$1"
src="$2"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 "$src/tools/make_big_model.py" "$dir/big.json"
python3 -c "import json; json.dump([[0.1] * 512] * 3, open('$dir/x.json', 'w'))"
size=$(stat -c %s "$dir/big.json")
[ "$size" -gt 100000000 ] || { echo "the model file is only $size bytes"; exit 1; }
"$bin" trace --model "$dir/big.json" --inputs "$dir/x.json" --format json > "$dir/out.json"
grep -q '"steps": 3' "$dir/out.json" || { echo "no trace from the 100 MB model"; exit 1; }
truncate -s 300M "$dir/huge.json"
if "$bin" trace --model "$dir/huge.json" --inputs "$dir/x.json" 2> "$dir/err.txt"; then
  echo "a 300 MB file was accepted"; exit 1
fi
grep -q "larger than the 256 MiB limit" "$dir/err.txt" || { cat "$dir/err.txt"; exit 1; }
echo "a $size-byte model runs; a 300 MB file is refused: $(cat "$dir/err.txt")"
