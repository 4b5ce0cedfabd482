#!/bin/sh
# Builds rnnscope for the browser into build-web/site/: index.html, page.js, rnnscope.js,
# rnnscope.wasm and rnnscope.data (the shipped models, their training data, the lessons and
# a font). The same C as the desktop, compiled with emscripten; the site is static files
# that any web server can serve. Installs what is missing (Debian's emscripten, fonttools),
# and the C libraries come from tools/build-web-deps.sh (cached outside the clone).
#   tools/build-web.sh            build (or bring up to date) build-web/site/
#   serve it:  python3 -m http.server 8000 --bind 127.0.0.1 --directory build-web/site
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-web"
site="$build/site"
cd "$root"

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
missing=""
for p in emscripten cmake make python3-fonttools fonts-nanum; do installed "$p" || missing="$missing $p"; done
if [ -n "$missing" ]; then
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  echo "build-web: installing:$missing" >&2
  $sudo apt-get update -q
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends $missing
fi

prefix=$(tools/build-web-deps.sh | tail -n 1)
[ -f "$prefix/lib/libSDL2.a" ] || { echo "build-web: no libraries in $prefix" >&2; exit 1; }
# emcc runs on node and python: Debian's node modules and Debian's python (the one first on
# PATH may be another, slower to start and without Debian's packages).
NODE_PATH="/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}"
export NODE_PATH
[ -x /usr/bin/python3 ] && EMSDK_PYTHON=/usr/bin/python3 && export EMSDK_PYTHON
[ -d "$prefix/../emcache" ] && [ -z "${EM_CACHE:-}" ] && EM_CACHE="$prefix/../emcache" && export EM_CACHE

# ---- what the page preloads --------------------------------------------------------------
# Everything the first frame may need; the training data (half the bytes, read only when a
# model trains live) is a second package the page fetches after the first frame.
data="$build/data"
train_data="$build/train-data"
rm -rf "$data" "$train_data"
mkdir -p "$data/assets/fonts" "$data/assets/models" "$data/tmp" "$data/upload" \
  "$train_data/assets/data"
cp assets/models/*.json "$data/assets/models/"
cp assets/data/*.jsonl "$train_data/assets/data/"
cp -r lessons "$data/lessons"

# The font: NanumGothic (SIL Open Font License), cut down to Latin, the symbols and every
# character the lessons and the interface use, and the 2,350 Hangul syllables of KS X 1001 (so
# that typed Korean shows too) with the jamo an input method shows while composing.
font=/usr/share/fonts/truetype/nanum/NanumGothic.ttf
chars="$build/font-chars.txt"
/usr/bin/python3 - "$root" >"$chars" <<'PY'
import glob, sys
root = sys.argv[1]
cps = set(range(0x20, 0x7F)) | set(range(0xA0, 0x100))
for hi in range(0xB0, 0xC9):          # KS X 1001's Hangul rows
    for lo in range(0xA1, 0xFF):
        try:
            cps.add(ord(bytes([hi, lo]).decode("euc_kr")))
        except UnicodeDecodeError:
            pass
cps |= set(range(0x3131, 0x318F))      # compatibility jamo, seen while composing
for pattern in ("lessons/*/*.md", "src/ui/*.c", "src/platform/*.c", "assets/models/*.json"):
    for path in glob.glob(f"{root}/{pattern}"):
        cps |= {ord(c) for c in open(path, encoding="utf-8").read() if ord(c) >= 0x80}
print(",".join(f"U+{c:04X}" for c in sorted(cps)))
PY
/usr/bin/python3 -m fontTools.subset "$font" --unicodes-file="$chars" \
  --output-file="$data/assets/fonts/rnnscope-ui.ttf" --layout-features='*' --no-hinting
cp /usr/share/doc/fonts-nanum/copyright "$data/assets/fonts/NanumGothic-LICENSE.txt" 2>/dev/null ||
  true

# ---- the program ---------------------------------------------------------------------------
emcmake cmake -S "$root" -B "$build/cmake" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
  -DRNNSCOPE_WEB_PREFIX="$prefix" -DRNNSCOPE_WEB_DATA="$data" >/dev/null
rm -f "$build/cmake/rnnscope.js" # relinks: the preloaded files are not a dependency CMake sees
cmake --build "$build/cmake" -j"$(nproc)" --target rnnscope

mkdir -p "$site"
for f in rnnscope.js rnnscope.wasm rnnscope.data; do cp "$build/cmake/$f" "$site/"; done
(cd "$site" && /usr/bin/python3 /usr/share/emscripten/tools/file_packager.py \
  rnnscope-train.data --preload "$train_data/assets/data@/assets/data" \
  --js-output=rnnscope-train.js >/dev/null)
for f in index.html page.js page.css; do [ -f "web/$f" ] && cp "web/$f" "$site/"; done
[ -f "$data/assets/fonts/NanumGothic-LICENSE.txt" ] &&
  cp "$data/assets/fonts/NanumGothic-LICENSE.txt" "$site/"
echo "build-web: $(du -sk "$site" | cut -f1) KB in $site" >&2
echo "$site"
