#!/bin/sh
# Replays the "training.command" recorded in every shipped model (assets/models/*.json) with
# the given rnnscope binary and checks the weights come out bit for bit the same. Used to
# confirm that an engine optimisation did not change the order of any floating-point sum.
#   bench/check_models_repro.sh path/to/rnnscope [workdir]
set -eu
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
cd "$(dirname "$0")/.."
work="${2:-$(mktemp -d)}"
mkdir -p "$work"
fail=0
for m in assets/models/*.json; do
  cmd=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["training"]["command"])' "$m")
  out="$work/$(basename "$m")"
  # the recorded command names the shipped file as --out: write elsewhere instead
  args=$(echo "$cmd" | sed -e "s#^rnnscope ##" -e "s#--out [^ ]*#--out $out#")
  # shellcheck disable=SC2086
  "$bin" $args >/dev/null
  if /usr/bin/python3 -c 'import json,sys
a=json.load(open(sys.argv[1]))["params"]; b=json.load(open(sys.argv[2]))["params"]
sys.exit(0 if a==b else 1)' "$m" "$out"; then
    echo "same      $m"
  else
    echo "DIFFERENT $m"; fail=1
  fi
done
exit $fail
