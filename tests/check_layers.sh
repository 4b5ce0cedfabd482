#!/bin/sh
# The layers depend one way, checked on what the compiler built rather than on what the
# sources say:
#
#   engine <- io <- ui <- platform <- app
#
# 1. Symbols (nm): a file may call only files of its own layer or below. The engine uses
#    libc and libm alone; io adds cJSON, libhdf5 and libzip (Keras files); the UI core adds
#    md4c; SDL, SDL2_ttf, fontconfig, libpng and giflib are used by the platform files alone.
# 2. Headers (the compiler's .d files): only platform files include SDL, SDL2_ttf,
#    fontconfig, libpng or giflib headers, so the plain-C layers cannot even see them; only
#    io files include libhdf5's and libzip's.
# 3. Cycles: the graph "file A calls a function defined in file B" has no cycle of two or
#    more files.
#
# usage: check_layers.sh BUILD_DIR   (a build of every layer, e.g. build-dev/)
# Prints each offence and fails; prints "layers ok" and the graph's size otherwise.
set -u
build="$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Every object of the five layer libraries, with the source file it came from.
find "$build" -path '*/CMakeFiles/rnnscope_*.dir/src/*.o' | sort >"$tmp/objects"
[ -s "$tmp/objects" ] || { echo "no objects under $build: build it first"; exit 1; }

# What libc, libm and the compiler's runtime define (a symbol the engine may use).
for lib in /lib/x86_64-linux-gnu/libc.so.6 /lib/x86_64-linux-gnu/libm.so.6 \
  /usr/lib/x86_64-linux-gnu/libc.so.6 /usr/lib/x86_64-linux-gnu/libm.so.6; do
  [ -f "$lib" ] && nm -D --defined-only "$lib" 2>/dev/null | awk '{print $NF}' | sed 's/@.*//'
done | sort -u >"$tmp/libc"
[ -s "$tmp/libc" ] || { echo "cannot read libc's symbols"; exit 1; }

# file TAB kind(D defined / U undefined) TAB symbol
while read -r o; do
  f=$(printf '%s\n' "$o" | sed 's|.*/CMakeFiles/rnnscope_[a-z]*\.dir/||; s|\.o$||')
  nm -P "$o" | awk -v f="$f" '$2 == "U" {print f "\tU\t" $1; next}
                                $2 ~ /^[TDBRCVW]$/ {print f "\tD\t" $1}'
done <"$tmp/objects" >"$tmp/symbols"

awk -F '\t' -v libc="$tmp/libc" '
function layer(f) {
  if (f ~ /^src\/engine\//) return 0
  if (f ~ /^src\/io\//) return 1
  if (f ~ /^src\/ui\//) return 2
  if (f ~ /^src\/platform\//) return 3
  return 4
}
function external(s) { # which outside library a symbol is from
  if (s in C) return "libc"
  if (s ~ /^(_GLOBAL_OFFSET_TABLE_|__cpu_model|__cpu_indicator_init|__stack_chk_fail)$/) return "libc"
  if (s ~ /^__(asan|ubsan|lsan|sanitizer)_/) return "libc" # the sanitizer runtime (asan preset)
  if (s ~ /^(SDL_|TTF_)/) return "SDL"
  if (s ~ /^Fc/) return "fontconfig"
  if (s ~ /^png_/) return "libpng"
  if (s ~ /^(EGif|DGif|Gif)/) return "giflib"
  if (s ~ /^cJSON_/) return "cJSON"
  if (s ~ /^md_/) return "md4c"
  if (s ~ /^H5/) return "libhdf5"
  if (s ~ /^zip_/) return "libzip"
  return "?"
}
BEGIN {
  while ((getline s < libc) > 0) C[s] = 1
  name[0] = "engine"; name[1] = "io"; name[2] = "ui"; name[3] = "platform"; name[4] = "app"
  allow[0] = "libc"; allow[1] = "libc cJSON libhdf5 libzip"; allow[2] = "libc md4c"
  allow[3] = "libc SDL fontconfig libpng giflib"; allow[4] = "libc"
}
$2 == "D" { def[$3] = $1; files[$1] = 1; next }
{ use[++n] = $1; sym[n] = $3; files[$1] = 1 }
END {
  bad = 0
  for (i = 1; i <= n; i++) {
    f = use[i]; s = sym[i]
    if (s in def) {
      g = def[s]
      if (g == f) continue
      if (layer(g) > layer(f)) {
        printf "%s (%s) calls %s of %s (%s): layers depend one way\n", f, name[layer(f)], s, g, name[layer(g)]
        bad = 1
      }
      if (!((f, g) in edge)) { edge[f, g] = 1; edges++ }
      continue
    }
    lib = external(s)
    if (index(" " allow[layer(f)] " ", " " lib " ") == 0) {
      printf "%s (%s) uses %s from %s\n", f, name[layer(f)], s, lib
      bad = 1
    }
  }
  # cycles: reachability over the file graph (a few dozen files)
  k = 0
  for (f in files) node[++k] = f
  for (a = 1; a <= k; a++) for (b = 1; b <= k; b++) R[a, b] = ((node[a], node[b]) in edge)
  for (m = 1; m <= k; m++) for (a = 1; a <= k; a++) if (R[a, m]) for (b = 1; b <= k; b++) if (R[m, b]) R[a, b] = 1
  for (a = 1; a <= k; a++) for (b = a + 1; b <= k; b++)
    if (R[a, b] && R[b, a]) { printf "cycle: %s and %s call each other (directly or through others)\n", node[a], node[b]; bad = 1 }
  if (!bad) printf "symbols ok: %d files, %d calls between files, no cycle\n", k, edges
  exit bad
}' "$tmp/symbols"
bad=$?

# Headers: the platform's libraries are invisible outside src/platform.
for d in $(sed 's/$/.d/' "$tmp/objects"); do
  [ -f "$d" ] || continue
  case "$d" in */src/platform/*) continue ;; esac
  hits=$(tr ' \\' '\n\n' <"$d" | grep -E '/SDL2/|/fontconfig/|/png\.h$|/pngconf\.h$|/gif_lib\.h$' | head -n 3)
  if [ -n "$hits" ]; then
    echo "$(basename "$d" .o.d) includes a platform header:"; echo "$hits"; bad=1
  fi
  case "$d" in */src/io/*) ;; *)
    hits=$(tr ' \\' '\n\n' <"$d" | grep -E '/hdf5/|/H5[A-Za-z]*\.h$|/zip\.h$|/zipconf\.h$' | head -n 3)
    if [ -n "$hits" ]; then
      echo "$(basename "$d" .o.d) includes a libhdf5 or libzip header outside src/io:"; echo "$hits"; bad=1
    fi ;;
  esac
  case "$d" in
    */src/engine/*)
      hits=$(tr ' \\' '\n\n' <"$d" | grep -E '/src/(io|ui|platform|app)/|cjson|md4c' | head -n 3)
      [ -n "$hits" ] && { echo "$(basename "$d" .o.d) (engine) includes:"; echo "$hits"; bad=1; } ;;
    */src/io/*)
      hits=$(tr ' \\' '\n\n' <"$d" | grep -E '/src/(ui|platform|app)/|md4c' | head -n 3)
      [ -n "$hits" ] && { echo "$(basename "$d" .o.d) (io) includes:"; echo "$hits"; bad=1; } ;;
    */src/ui/*)
      hits=$(tr ' \\' '\n\n' <"$d" | grep -E '/src/(platform|app)/' | head -n 3)
      [ -n "$hits" ] && { echo "$(basename "$d" .o.d) (ui) includes:"; echo "$hits"; bad=1; } ;;
  esac
done
[ $bad -eq 0 ] && echo "layers ok"
exit $bad
