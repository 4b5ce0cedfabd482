#!/bin/sh
# Builds rnnscope's libFuzzer targets (tests/fuzz) with clang and runs each of them.
#
#   tools/fuzz.sh [SECONDS] [BUILD_DIR]     defaults: 60 seconds per target, build-fuzz
#
# For each target: every saved input in tests/fuzz/regressions/<target>/ runs once, then the
# target fuzzes for SECONDS from a fresh temporary copy of its seed corpus (rebuilt here in
# tests/fuzz/corpus/<target>/ from tests/fuzz/seeds/ and the repository's own models, data
# and lessons). One line per target gives the executions and the verdict; a crash, leak,
# timeout or out-of-memory input is copied to tests/fuzz/regressions/<target>/ and the
# script exits 1. Full logs: BUILD_DIR/fuzz-logs/<target>.log (and .regressions.log).
#
# Environment: FUZZ_TARGETS="fuzz_model fuzz_data" runs only those; FUZZ_JOBS sets build jobs;
# FUZZ_ARGS adds libFuzzer options to every run (e.g. FUZZ_ARGS=-detect_leaks=0 to look past
# a known leak).
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
seconds=${1:-60}
build=${2:-build-fuzz}
case "$seconds" in '' | *[!0-9]*) echo "usage: tools/fuzz.sh [SECONDS] [BUILD_DIR]" >&2; exit 2 ;; esac
case "$build" in /*) ;; *) build="$root/$build" ;; esac
fuzz="$root/tests/fuzz"
all_targets="fuzz_model fuzz_lesson fuzz_data fuzz_tokenize fuzz_inputs fuzz_markdown fuzz_po
fuzz_keras_h5 fuzz_keras_zip fuzz_keras_tokenizer"
targets=${FUZZ_TARGETS:-$all_targets}

# ---- tools: clang with libFuzzer, and the build dependencies ---------------------------------
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
can_fuzz() {
  command -v clang >/dev/null 2>&1 || return 1
  probe=$(mktemp -d)
  printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\n%s\n' \
    'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }' \
    >"$probe/p.c"
  ok=0
  clang -fsanitize=fuzzer,address,undefined "$probe/p.c" -o "$probe/p" >/dev/null 2>&1 || ok=1
  rm -rf "$probe"
  return $ok
}
if ! can_fuzz; then
  echo "installing clang and libclang-rt-14-dev (libFuzzer)"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends \
    clang libclang-rt-14-dev
  can_fuzz || { echo "clang cannot build a libFuzzer target" >&2; exit 1; }
fi
# The main project needs everything rnnscope builds with; tests/fuzz alone needs cJSON, md4c,
# libhdf5 and libzip.
if grep -q 'tests/fuzz' "$root/CMakeLists.txt"; then main=1; else main=0; fi
if [ $main -eq 1 ]; then
  tools/install-deps.sh
else
  missing=""
  for p in cmake make pkg-config libcjson-dev libmd4c-dev libhdf5-dev libzip-dev; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  if [ -n "$missing" ]; then
    echo "installing:$missing"
    $sudo apt-get update -q
    # shellcheck disable=SC2086 # one word per package
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends $missing
  fi
fi

# ---- build -------------------------------------------------------------------------------
# From the main project when it includes tests/fuzz (RNNSCOPE_FUZZ), else tests/fuzz alone.
if [ $main -eq 1 ]; then
  source_dir="$root"
  bin_dir="$build/tests/fuzz"
  set -- -DRNNSCOPE_FUZZ=ON -DBUILD_TESTING=OFF
else
  source_dir="$fuzz"
  bin_dir="$build"
  set --
fi
if [ -f "$build/CMakeCache.txt" ] &&
  ! grep -qx "CMAKE_HOME_DIRECTORY:INTERNAL=$source_dir" "$build/CMakeCache.txt"; then
  echo "$build was configured from another source tree: reconfiguring it"
  rm -rf "$build/CMakeCache.txt" "$build/CMakeFiles"
fi
CC=clang cmake -S "$source_dir" -B "$build" -DCMAKE_C_COMPILER=clang "$@" >/dev/null
jobs=${FUZZ_JOBS:-$(nproc)}
for t in $targets; do
  cmake --build "$build" --target "$t" -j"$jobs" >/dev/null ||
    { cmake --build "$build" --target "$t" -j1; exit 1; }
done

# ---- seed corpora --------------------------------------------------------------------------
# copy_seed FILE DIR [MAX_BYTES]: copies FILE into DIR under a name made from its path; a
# file over MAX_BYTES (default 64 KiB) is skipped, so the largest seed (which sets libFuzzer's
# -max_len) stays small and the runs stay fast.
copy_seed() {
  [ -f "$1" ] || return 0
  size=$(wc -c <"$1")
  [ "$size" -le "${3:-65536}" ] || return 0
  name=$(printf '%s' "${1#"$root"/}" | tr '/' '_')
  cp "$1" "$2/$name"
}
# head_lines FILE DIR BYTES: the first whole lines of FILE, up to about BYTES.
head_lines() {
  [ -f "$1" ] || return 0
  name=$(printf '%s' "${1#"$root"/}" | tr '/' '_')
  head -c "$3" "$1" | sed '$d' >"$2/head-$name"
}
make_corpus() { # TARGET
  dir="$fuzz/corpus/$1"
  rm -rf "$dir"
  mkdir -p "$dir"
  for f in "$fuzz/seeds/${1#fuzz_}"/*; do copy_seed "$f" "$dir"; done
  case "$1" in
  fuzz_model)
    for f in "$root"/assets/models/*.json "$root"/tests/fixtures/parity/*.model.json \
      "$root"/tests/fixtures/train/*/init.model.json; do
      copy_seed "$f" "$dir"
    done
    ;;
  fuzz_lesson)
    find "$root/lessons" -name '*.md' | while read -r f; do copy_seed "$f" "$dir"; done
    ;;
  fuzz_po)
    for f in "$root"/po/*.po; do copy_seed "$f" "$dir"; done
    ;;
  fuzz_keras_h5)
    for f in "$root"/tests/fixtures/keras/*.h5; do copy_seed "$f" "$dir"; done
    ;;
  fuzz_keras_zip)
    for f in "$root"/tests/fixtures/keras/*.keras; do copy_seed "$f" "$dir"; done
    ;;
  fuzz_keras_tokenizer)
    for f in "$root"/tests/fixtures/keras/*tokenizer*.json; do copy_seed "$f" "$dir"; done
    ;;
  fuzz_data)
    for f in "$root"/assets/data/*.jsonl "$root"/tests/fixtures/train/*/data.jsonl; do
      if [ "$(wc -c <"$f")" -le 32768 ]; then copy_seed "$f" "$dir"; else head_lines "$f" "$dir" 8192; fi
    done
    ;;
  fuzz_tokenize)
    # the sentences of the lessons and of the data files
    find "$root/lessons" -name '*.md' | while read -r f; do
      sed -n 's/^text: //p' "$f" | head -1 >"$dir/text-$(printf '%s' "${f#"$root"/}" | tr '/' '_')"
    done
    for f in "$root"/assets/data/*.jsonl; do head_lines "$f" "$dir" 1024; done
    ;;
  fuzz_inputs)
    for f in "$root"/tests/fixtures/train/*vec*/data.jsonl; do
      [ -f "$f" ] || continue
      # the "inputs" of one line, behind a byte choosing its width
      line=$(head -1 "$f" | sed -n 's/.*"inputs": \(\[\[[^]]*\]\(, \[[^]]*\]\)*\]\).*/\1/p')
      width=$(printf '%s' "$line" | sed 's/\].*//' | tr -cd ',' | wc -c)
      [ -n "$line" ] && printf "\\$(printf '%03o' "$width")%s" "$line" \
        >"$dir/$(basename "$(dirname "$f")").json"
    done
    ;;
  fuzz_markdown)
    find "$root/lessons" -name '*.md' | while read -r f; do copy_seed "$f" "$dir"; done
    for f in "$root"/README.md "$root"/DEVELOPERS.md "$root"/assets/models/README.md; do
      copy_seed "$f" "$dir"
    done
    ;;
  esac
}

# ---- runs --------------------------------------------------------------------------------
logs="$build/fuzz-logs"
mkdir -p "$logs"
work=$(mktemp -d "${TMPDIR:-/tmp}/rnnscope-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
leaks=1
case " ${FUZZ_ARGS:-} " in *" -detect_leaks=0 "*) leaks=0 ;; esac # also at exit, then
# libhdf5 is not instrumented: of what it does wrong with a damaged file the sanitizer sees
# only its leaks and the memcpy/memset it calls (tests/fuzz/lsan.supp, asan.supp). rnnscope
# reads Keras files in a child process for that reason (io_keras.c); the fuzz targets read
# them in their own, so those reports are set aside here.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=$leaks:suppressions=$fuzz/asan.supp}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$fuzz/lsan.supp}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
# where LOG: the sanitizer's verdict and the first frame in rnnscope's own code.
where() {
  grep -m1 -E '^SUMMARY:|ERROR: libFuzzer:|runtime error:' "$1" || true
  grep -m1 -E '^ *#[0-9]+ 0x[0-9a-f]+ in [^ ]+ [^ ]*(/src/|/tests/fuzz/)[^ ]*\.c:[0-9]' "$1" |
    sed 's/^ *#[0-9]* 0x[0-9a-f]* in /at /' || true
}
# in_libhdf5 LOG: true when the finding's stack reaches rnnscope's own code only through
# libhdf5 (a crash or a hang inside the library on a damaged file). rnnscope reads Keras files
# in a child process, so such a file is refused there; the input goes to tests/fuzz/libhdf5/,
# whose files test_keras checks are refused, and the run is not failed.
in_libhdf5() {
  awk 'BEGIN { res = 1 }
       /ERROR: AddressSanitizer|ERROR: libFuzzer|ERROR: LeakSanitizer|runtime error:/ { on = 1 }
       on && /^ *#[0-9]+ 0x/ {
         if ($0 ~ /libhdf5/) h = 1
         if ($0 ~ /(\/src\/|\/tests\/fuzz\/)[^ ]*\.[ch]:[0-9]/) { res = h ? 0 : 1; exit }
       }
       END { exit res }' "$1"
}
failed=0
summary=""
for t in $targets; do
  bin="$bin_dir/$t"
  log="$logs/$t.log"
  : >"$log"
  if [ ! -x "$bin" ]; then
    summary="$summary$(printf '%-14s not built' "$t")
"
    failed=1
    continue
  fi
  regress="$fuzz/regressions/$t"
  mkdir -p "$regress"
  tdir="$work/$t"
  mkdir -p "$tdir/corpus" "$tdir/artifacts" "$tdir/replay"
  dict="$tdir/dict"
  : >"$dict"
  case "$t" in fuzz_model | fuzz_data | fuzz_inputs | fuzz_keras_*) cat "$fuzz/dicts/json.dict" >>"$dict" ;; esac
  case "$t" in fuzz_keras_h5 | fuzz_keras_zip) cat "$fuzz/dicts/keras.dict" >>"$dict" ;; esac
  [ -f "$fuzz/dicts/${t#fuzz_}.dict" ] && cat "$fuzz/dicts/${t#fuzz_}.dict" >>"$dict"
  # shellcheck disable=SC2086 # FUZZ_ARGS holds several options
  set -- -rss_limit_mb=2048 -timeout=10 ${FUZZ_ARGS:-}

  # 1. the saved inputs, once each
  still=0
  : >"$logs/$t.regressions.log"
  for f in "$regress"/* "$regress"/.[!.]*; do
    [ -f "$f" ] || continue
    case "$(basename "$f")" in .gitkeep | README*) continue ;; esac
    # -runs=1 after FUZZ_ARGS: a saved input runs once even when FUZZ_ARGS asks for -runs=N
    if ! "$bin" "$@" -runs=1 -artifact_prefix="$tdir/replay/" "$f" >"$tdir/replay.log" 2>&1; then
      still=$((still + 1))
      echo "$t: still fails: ${f#"$root"/}" >&2
      where "$tdir/replay.log" | sed 's/^/    /' >&2
    fi
    cat "$tdir/replay.log" >>"$logs/$t.regressions.log"
  done

  # 2. fuzzing from a fresh copy of the seed corpus
  make_corpus "$t"
  cp -R "$fuzz/corpus/$t/." "$tdir/corpus/"
  rc=0
  "$bin" "$@" -max_total_time="$seconds" -dict="$dict" -artifact_prefix="$tdir/artifacts/" \
    -print_final_stats=1 "$tdir/corpus" >>"$log" 2>&1 || rc=$?
  runs=$(sed -n 's/^Done \([0-9][0-9]*\) runs.*/\1/p' "$log" | tail -1)
  [ -n "$runs" ] || runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9][0-9]*\).*/\1/p' "$log" | tail -1)
  [ -n "$runs" ] || runs=$(sed -n 's/^#\([0-9][0-9]*\).*/\1/p' "$log" | tail -1)
  [ -n "$runs" ] || runs="?"
  found=""
  hdf5=""
  case "$t" in fuzz_keras_h5 | fuzz_keras_zip) [ "$rc" -ne 0 ] && in_libhdf5 "$log" && hdf5=1 ;; esac
  for a in "$tdir/artifacts"/crash-* "$tdir/artifacts"/leak-* "$tdir/artifacts"/timeout-* \
    "$tdir/artifacts"/oom-*; do
    [ -f "$a" ] || continue
    if [ -n "$hdf5" ]; then # the file as the target read it: its signature set
      if [ "$t" = fuzz_keras_h5 ]; then ext=h5 magic='\211HDF\r\n\032\n'; else ext=keras magic='PK\003\004'; fi
      dest="$fuzz/libhdf5/$(basename "$a").$ext"
      known=""
      [ -f "$dest" ] && known=" (known)"
      cp "$a" "$dest"
      printf "$magic" | dd of="$dest" bs=1 conv=notrunc 2>/dev/null
      found="$found ${dest#"$root"/}$known"
      continue
    fi
    cp "$a" "$regress/"
    found="$found ${regress#"$root"/}/$(basename "$a")"
  done
  verdict="ok"
  if [ -n "$hdf5" ]; then
    verdict="libhdf5 failed inside itself, which rnnscope's child process turns into a refusal
               saved:${found:- nothing} (give a new file a line in tests/fuzz/libhdf5/README.md)"
  elif [ -n "$found" ] || [ "$rc" -ne 0 ]; then
    why=$(where "$log" | tr '\n' ' ')
    verdict="FOUND (exit $rc): ${why:-see $log}
               saved:${found:- nothing}"
    failed=1
  fi
  if [ "$still" -gt 0 ]; then
    [ "$verdict" = ok ] && verdict="nothing new"
    verdict="$verdict; FAILING: $still saved input(s) in ${regress#"$root"/}"
    failed=1
  fi
  summary="$summary$(printf '%-14s %12s runs in %ss  %s' "$t" "$runs" "$seconds" "$verdict")
"
done
printf '\n%s' "$summary"
echo "logs: ${logs#"$root"/}/"
exit $failed
