#!/bin/sh
# `cmake --install` into a temporary prefix; the installed rnnscope, started from another
# directory, finds its models and renders a screenshot; the .desktop entry and icon are there.
set -eu
build="$1"
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
for f in bin/rnnscope share/rnnscope/assets/models/recall-lstm.json \
         share/applications/rnnscope.desktop share/icons/hicolor/scalable/apps/rnnscope.svg; do
  [ -e "$prefix/$f" ] || { echo "not installed: $f"; exit 1; }
done
cd /
"$prefix/bin/rnnscope" screenshot --out "$prefix/shot.png"
head -c 8 "$prefix/shot.png" | od -An -c | grep -q 'P   N   G' || { echo "no PNG"; exit 1; }
echo "installed to $prefix; runs from /; finds its models; desktop entry and icon present"
