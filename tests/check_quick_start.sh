#!/bin/sh
# The README's first command on a machine without the test-only packages: a copy of the
# source tree (what git tracks, as it is now), configured with cmocka hidden from pkg-config
# and no display, runs tools/run.sh. It must configure without asking for a test package,
# build, exit 0 and print the recall LSTM's table and the lesson list.
#
# A second build from the same copy with RNNSCOPE_UI=OFF must need only a C compiler, libm
# and cJSON: pkg-config there sees cJSON alone, and the result runs `trace`.
#
# usage: check_quick_start.sh SOURCE_DIR
set -eu
src="$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/src" "$tmp/pc" "$tmp/pc-cjson"
(cd "$src" && git ls-files -z | xargs -0 tar cf - 2>/dev/null) | tar xf - -C "$tmp/src"

# Every .pc file pkg-config knows, except cmocka's (a fresh machine does not have it).
for d in $(pkg-config --variable pc_path pkg-config | tr ':' ' '); do
  [ -d "$d" ] || continue
  for f in "$d"/*.pc; do
    [ -e "$f" ] || continue
    case "$(basename "$f")" in cmocka.pc) ;; *) ln -sf "$f" "$tmp/pc/" ;; esac
    case "$(basename "$f")" in libcjson.pc) ln -sf "$f" "$tmp/pc-cjson/" ;; esac
  done
done
pkg-config --exists cmocka && ! PKG_CONFIG_LIBDIR="$tmp/pc" pkg-config --exists cmocka ||
  { echo "could not hide cmocka from pkg-config"; exit 1; }

cd "$tmp/src"
if ! env -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER PKG_CONFIG_LIBDIR="$tmp/pc" \
  PKG_CONFIG_PATH= sh tools/run.sh >"$tmp/out" 2>&1; then
  echo "tools/run.sh failed on a machine without cmocka:"; tail -n 20 "$tmp/out"; exit 1
fi
if grep -qiE 'cmocka|python3-torch|import torch' "$tmp/out"; then
  echo "tools/run.sh mentions a test-only package:"; grep -iE 'cmocka|python3-torch|import torch' "$tmp/out"; exit 1
fi
grep -q 'model *recall-lstm: lstm' "$tmp/out" || { echo "no model table:"; tail -n 20 "$tmp/out"; exit 1; }
grep -q '01-memory-cell' "$tmp/out" || { echo "no lesson list:"; tail -n 20 "$tmp/out"; exit 1; }
echo "tools/run.sh without cmocka and without a display: exit 0, the model's table, the lessons"

# The command line alone: cJSON is all pkg-config may find.
if ! PKG_CONFIG_LIBDIR="$tmp/pc-cjson" PKG_CONFIG_PATH= cmake -S . -B "$tmp/cli" \
  -DRNNSCOPE_UI=OFF -DBUILD_TESTING=OFF -DRNNSCOPE_WERROR=ON >"$tmp/cli.log" 2>&1 ||
  ! cmake --build "$tmp/cli" -j2 >>"$tmp/cli.log" 2>&1; then
  echo "RNNSCOPE_UI=OFF did not build with cJSON alone:"; tail -n 20 "$tmp/cli.log"; exit 1
fi
"$tmp/cli/rnnscope" trace --model assets/models/recall-gru.json --text "violin a b ?" \
  --format table | grep -q 'recall-gru' || { echo "the CLI-only build does not trace"; exit 1; }
if nm "$tmp/cli/rnnscope" | grep -q -E ' U (SDL_|TTF_|Fc|png_|EGif|DGif|md_)'; then
  echo "the CLI-only build links a window library"; exit 1
fi
"$tmp/cli/rnnscope" screenshot --out "$tmp/x.png" 2>&1 | grep -q 'without the window' ||
  { echo "the CLI-only build does not say it has no window"; exit 1; }
echo "RNNSCOPE_UI=OFF: builds with cJSON alone (no SDL, fontconfig, libpng, giflib, md4c); trace works"
