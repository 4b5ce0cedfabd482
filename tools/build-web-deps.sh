#!/bin/sh
# Builds the C libraries the web (emscripten) build of rnnscope links against, from Debian
# 12's own source packages: SDL2, freetype, SDL2_ttf, cJSON and md4c, all static. They are
# installed into one prefix in the user's cache, outside the clone, named by the emscripten
# and library versions; a second run finds every library's stamp there and does nothing.
#   tools/build-web-deps.sh                 build what is missing, then print the prefix
#   tools/build-web-deps.sh --print-prefix  print the prefix; exit 1 if it is not complete
#   tools/build-web-deps.sh --smoke [DIR]   also build web/smoke.c into DIR (default
#                                           build-web/smoke): smoke.js, .wasm, .data, .html
#   tools/build-web-deps.sh --smoke-check [DIR]
#                                           --smoke, then serve DIR on 127.0.0.1 and take a
#                                           headless chromium screenshot, DIR/smoke.png
# Root or sudo is needed only when a Debian package is missing. The deb-src entries are
# derived at run time from the machine's own apt sources and kept in a private list in the
# cache, so the system's apt configuration is never changed.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cache="${XDG_CACHE_HOME:-$HOME/.cache}/rnnscope-web"

# Source package, the upstream version it must carry, and the short name used in the
# prefix's name. Raise "recipe" when a configure flag below changes: that names a new prefix.
libs="libsdl2:2.26.5:sdl2 freetype:2.12.1:ft libsdl2-ttf:2.20.1:ttf cjson:1.7.15:cjson md4c:0.4.8:md4c"
recipe=1

mode=build
smoke_dir="$root/build-web/smoke"
case "${1:-}" in
  "") ;;
  --print-prefix) mode=print ;;
  --smoke | --smoke-check)
    mode=${1#--}
    if [ -n "${2:-}" ]; then smoke_dir=$2; fi ;;
  -h | --help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "unknown option: $1 (try --help)" >&2; exit 2 ;;
esac

say() { echo "build-web-deps: $*" >&2; }
run() { nice -n 19 "$@"; }

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

# --- Debian packages --------------------------------------------------------------------
# emscripten: emcc, emcmake; cmake, make: the libraries' builds; dpkg-dev: apt-get source
# unpacks with dpkg-source; fonts-nanum: the smoke test's font; chromium: its screenshot.
packages="emscripten cmake make dpkg-dev"
case $mode in
  smoke) packages="$packages fonts-nanum" ;;
  smoke-check) packages="$packages fonts-nanum chromium" ;;
esac
if [ "$mode" != print ]; then
  missing=""
  for p in $packages; do installed "$p" || missing="$missing $p"; done
  if [ -n "$missing" ]; then
    if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
    say "installing:$missing"
    $sudo apt-get update -q
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends $missing
  fi
fi

em_version=$(dpkg-query -W -f='${Version}' emscripten 2>/dev/null | sed 's/[~+-].*//')
if [ -z "$em_version" ]; then
  echo "emscripten is not installed: run tools/build-web-deps.sh without options" >&2
  exit 1
fi
name="em$em_version"
for l in $libs; do
  v=${l#*:}
  name="${name}_${v#*:}-${v%%:*}"
done
prefix="$cache/${name}_r$recipe"

prefix_complete() {
  for l in $libs; do
    [ -f "$prefix/share/rnnscope-web/${l%%:*}.stamp" ] || return 1
  done
}

if [ "$mode" = print ]; then
  echo "$prefix"
  prefix_complete
  exit
fi

# --- emscripten's environment ------------------------------------------------------------
# emcc runs "python3" from PATH once per file compiled; a version manager's shim there costs
# about a second a call. Debian's own python3 is what emscripten was packaged for.
if [ -z "${EMSDK_PYTHON:-}" ] && [ -x /usr/bin/python3 ]; then
  EMSDK_PYTHON=/usr/bin/python3
  export EMSDK_PYTHON
fi
# emcc's JavaScript passes need Debian's node modules (acorn) even under another node.
NODE_PATH="/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}"
export NODE_PATH
# Debian's emscripten ships its system libraries prebuilt in a frozen cache; emcc still
# writes a lock file there. When that directory is not writable, use a private cache whose
# files link to the shipped ones.
em_cache_ready=""
setup_em_cache() {
  [ -n "$em_cache_ready" ] && return
  em_cache_ready=1
  [ -n "${EM_CACHE:-}" ] && return
  default=$(em-config CACHE)
  if [ ! -w "$default" ]; then
    if [ ! -f "$cache/emcache/sysroot_install.stamp" ]; then
      say "emcc's cache $default is not writable: linking it into $cache/emcache"
      rm -rf "$cache/emcache"
      mkdir -p "$cache/emcache"
      cp -Rs "$default/." "$cache/emcache/"
      rm -f "$cache/emcache/cache.lock"
    fi
    EM_CACHE="$cache/emcache"
    export EM_CACHE
  fi
}

# --- Source packages --------------------------------------------------------------------
apt_dir="$cache/apt"
apt_opts=""
apt_ready=""
setup_apt() {
  [ -n "$apt_ready" ] && return
  apt_ready=1
  rm -rf "$apt_dir/sources.list.d"
  mkdir -p "$apt_dir/sources.list.d" "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
  # One-line sources: every "deb" line becomes a "deb-src" line.
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f"
  done >"$apt_dir/sources.list"
  # deb822 sources: every enabled stanza whose Types include "deb" is copied as deb-src.
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk '
      function flush() {
        if (isdeb && enabled && body != "") printf "Types: deb-src\n%s\n", body
        body = ""; isdeb = 0; enabled = 1
      }
      BEGIN { enabled = 1 }
      /^[[:space:]]*$/ { flush(); next }
      /^#/ { next }
      tolower($1) == "types:" {
        for (i = 2; i <= NF; i++) if ($i == "deb") isdeb = 1
        next
      }
      tolower($1) == "enabled:" && tolower($2) == "no" { enabled = 0 }
      { body = body $0 "\n" }
      END { flush() }
    ' "$f" >"$apt_dir/sources.list.d/$(basename "$f")"
  done
  if [ ! -s "$apt_dir/sources.list" ] && [ -z "$(cat "$apt_dir"/sources.list.d/*.sources 2>/dev/null)" ]; then
    echo "no 'deb' entries found in /etc/apt to derive deb-src entries from" >&2
    exit 1
  fi
  apt_opts="-o Dir::Etc::SourceList=$apt_dir/sources.list -o Dir::Etc::SourceParts=$apt_dir/sources.list.d \
-o Dir::State::Lists=$apt_dir/lists -o Dir::Cache=$apt_dir/cache"
  # Downloads land in the private cache, which apt's own download user cannot enter.
  apt_opts="$apt_opts -o APT::Sandbox::User=$(id -un)"
  if [ "$(id -u)" -ne 0 ]; then apt_opts="$apt_opts -o Debug::NoLocking=1"; fi
  say "reading the source package indexes"
  # shellcheck disable=SC2086
  apt-get -q $apt_opts update >&2
}

unpack_upstream() {
  dsc=$(find "$cache/src/$1" -maxdepth 1 -name '*.dsc' | head -n 1)
  orig=$(find "$cache/src/$1" -maxdepth 1 -name '*.orig.tar.*' ! -name '*.asc' | head -n 1)
  if [ -z "$dsc" ] || [ -z "$orig" ]; then
    echo "could not download source package $1" >&2
    exit 1
  fi
  want=$(sed -n '/^Checksums-Sha256:/,/^[^ ]/p' "$dsc" | awk -v f="$(basename "$orig")" '$3 == f { print $1 }')
  have=$(sha256sum "$orig" | cut -d' ' -f1)
  if [ -z "$want" ] || [ "$want" != "$have" ]; then
    echo "$orig does not match the checksum in $dsc" >&2
    exit 1
  fi
  say "warning: Debian's part of $1 is not in the archive; building its upstream tarball unpatched"
  find "$cache/src/$1" -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} +
  tar -xf "$orig" -C "$cache/src/$1"
}

# fetch PKG VERSION: unpacks source package PKG (patched, as Debian builds it) under
# $cache/src/PKG and sets $srcdir and $debver; fails unless its upstream version is VERSION.
fetch() {
  setup_apt
  rm -rf "$cache/src/$1"
  mkdir -p "$cache/src/$1"
  say "fetching source package $1"
  # shellcheck disable=SC2086
  if ! (cd "$cache/src/$1" && apt-get -q $apt_opts source "$1" >&2); then
    # The archive can lack a package's Debian part while it has the upstream tarball (seen:
    # md4c_0.4.8-1.debian.tar.xz, 404). Then build the upstream tarball the .dsc names,
    # checked against the .dsc's SHA-256, without Debian's patches.
    unpack_upstream "$1"
  fi
  debver=$(sed -n 's/^Version:[[:space:]]*//p' "$cache/src/$1"/*.dsc | head -n 1)
  upstream=${debver#*:}
  upstream=${upstream%-*}
  case $upstream in
    "$2" | "$2"+* | "$2"~*) ;;
    *)
      echo "source package $1 is $debver, this script builds upstream $2: update \$libs" >&2
      exit 1 ;;
  esac
  srcdir=$(find "$cache/src/$1" -mindepth 1 -maxdepth 1 -type d | head -n 1)
}

# cmake_build PKG SUBDIR [configure flags]: configure, build and install into the prefix.
cmake_build() {
  pkg=$1 sub=$2
  shift 2
  b="$cache/build/$pkg"
  rm -rf "$b"
  setup_em_cache
  run emcmake cmake -S "$srcdir/$sub" -B "$b" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_FIND_ROOT_PATH="$prefix" "$@" >&2
  run cmake --build "$b" -j2 >&2
  run cmake --install "$b" >&2
  rm -rf "$b"
}

build_lib() {
  case $1 in
    libsdl2)
      cmake_build "$1" . -DSDL_SHARED=OFF -DSDL_STATIC=ON -DSDL_TEST=OFF ;;
    freetype)
      cmake_build "$1" . -DBUILD_SHARED_LIBS=OFF -DFT_DISABLE_ZLIB=ON -DFT_DISABLE_BZIP2=ON \
        -DFT_DISABLE_PNG=ON -DFT_DISABLE_HARFBUZZ=ON -DFT_DISABLE_BROTLI=ON ;;
    libsdl2-ttf)
      cmake_build "$1" . -DBUILD_SHARED_LIBS=OFF -DSDL2TTF_VENDORED=OFF \
        -DSDL2TTF_HARFBUZZ=OFF -DSDL2TTF_SAMPLES=OFF ;;
    cjson)
      cmake_build "$1" . -DBUILD_SHARED_LIBS=OFF -DENABLE_CJSON_TEST=OFF \
        -DENABLE_CUSTOM_COMPILER_FLAGS=OFF ;;
    md4c)
      cmake_build "$1" . -DBUILD_SHARED_LIBS=OFF ;;
  esac
}

# --- The libraries, in dependency order ---------------------------------------------------
if ! prefix_complete; then
  started=$(date +%s)
  mkdir -p "$prefix/share/rnnscope-web"
  for l in $libs; do
    pkg=${l%%:*}
    v=${l#*:}
    v=${v%%:*}
    stamp="$prefix/share/rnnscope-web/$pkg.stamp"
    [ -f "$stamp" ] && continue
    fetch "$pkg" "$v"
    say "building $pkg $debver"
    build_lib "$pkg"
    echo "$pkg $debver emscripten $em_version" >"$stamp"
    rm -rf "$cache/src/$pkg"
  done
  say "built in $(($(date +%s) - started)) s"
fi

# --- Smoke test: SDL2 + SDL2_ttf + freetype in a page ------------------------------------
if [ "$mode" = smoke ] || [ "$mode" = smoke-check ]; then
  setup_em_cache
  mkdir -p "$smoke_dir"
  font=/usr/share/fonts/truetype/nanum/NanumGothic.ttf
  say "building $smoke_dir/smoke.js"
  run emcc -O2 -std=c11 -Wall -Wextra -sUSE_SDL=0 -I"$prefix/include" -I"$prefix/include/SDL2" \
    "$root/web/smoke.c" -o "$smoke_dir/smoke.js" \
    "$prefix/lib/libSDL2_ttf.a" "$prefix/lib/libfreetype.a" "$prefix/lib/libSDL2.a" \
    -sALLOW_MEMORY_GROWTH=1 --preload-file "$font@/NanumGothic.ttf"
  cp "$root/web/smoke.html" "$smoke_dir/smoke.html"
fi

if [ "$mode" = smoke-check ]; then
  # A free port from the kernel, a server that stops by itself after two minutes.
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  (cd "$smoke_dir" && exec timeout 120 python3 -m http.server "$port" --bind 127.0.0.1 \
    >"$smoke_dir/server.log" 2>&1) &
  server=$!
  i=0
  while ! python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/smoke.html')" 2>/dev/null; do
    i=$((i + 1))
    if [ "$i" -gt 50 ]; then kill "$server" 2>/dev/null; echo "the smoke server did not start" >&2; exit 1; fi
    sleep 0.1
  done
  rm -f "$smoke_dir/smoke.png"
  timeout 90 chromium --headless=new --no-sandbox --enable-logging=stderr --v=0 \
    --screenshot="$smoke_dir/smoke.png" \
    --window-size=640,400 --virtual-time-budget=5000 "http://127.0.0.1:$port/smoke.html" \
    >"$smoke_dir/chromium.log" 2>&1 || true
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  if [ ! -s "$smoke_dir/smoke.png" ] || ! grep -q '"smoke: first frame"' "$smoke_dir/chromium.log"; then
    echo "no screenshot or no first frame: see $smoke_dir/chromium.log" >&2
    exit 1
  fi
  say "screenshot: $smoke_dir/smoke.png"
fi

echo "$prefix"
