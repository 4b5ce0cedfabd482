#!/bin/sh
# rnnscope against PyTorch on the CPU, side by side in one run on one machine, as ratios.
#   tools/bench.sh            the full run (about 10 minutes); rewrites BENCHMARKS.md
#   tools/bench.sh --quick    a short run for CI: exits 1 when a ratio is below half its target
#   options: --build-dir DIR (default build-bench/, configured and built when needed)
#            --out FILE      (full run: where the report goes, default BENCHMARKS.md)
#
# Rows (targets from issue 8):
#   train CELL hH      training throughput, sequences/s, recall task, T = 30, batch 32, Adam;
#                      rnnscope (double) against torch float64 (target 5x at H <= 32, 2x at 64,
#                      1x at 128) and float32 (2x at H <= 32; the rest reported)
#   forward CELL h16   rnn_model_forward of one 30-step sentence, in-process, per call (20x)
#   screenshot         `rnnscope screenshot` process start to PNG, against
#                      `python3 -c "import torch"` (at most 1/5 of its time: 5x)
#   frame              instructions of one LSTM frame, H = 32, T = 40, 1280x800 (callgrind;
#                      at most 30 M; the first, cold frame is reported beside it)
#   idle               CPU of an idle window over 10 s under Xvfb (at most 1 % of one core)
# PyTorch runs with /usr/bin/python3 (Debian's python3-torch), threads = cores.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
quick=0
build="$root/build-bench"
out="$root/BENCHMARKS.md"
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --build-dir) build="$2"; shift ;;
    --out) out="$2"; shift ;;
    *) echo "usage: tools/bench.sh [--quick] [--build-dir DIR] [--out FILE]" >&2; exit 2 ;;
  esac
  shift
done
py=/usr/bin/python3
$py -c "import torch" 2>/dev/null || { echo "bench: /usr/bin/python3 cannot import torch" >&2; exit 1; }

# configured once, then brought up to date (a no-op when it is)
if [ ! -f "$build/CMakeCache.txt" ]; then
  echo "bench: configuring $build"
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRNNSCOPE_BENCH=ON >/dev/null
fi
cmake --build "$build" -j"$(nproc)" --target rnnscope rnnbench >/dev/null
rb="$build/bench/rnnbench"
bin="$build/rnnscope"
tb="$root/tools/torch_bench.py"
cores=$(nproc)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ $quick -eq 1 ]; then
  # medians of 3 interleaved runs: one short run alone swings by a third on a shared machine
  reps=3; secs=0.3; fwd_reps=3; fwd_secs=0.4; shots=3; idle_secs=5; hiddens="16 32 64 128"
else
  reps=3; secs=2; fwd_reps=5; fwd_secs=1; shots=7; idle_secs=10; hiddens="16 32 64 128"
fi

median() { sort -g | awk '{v[NR] = $1} END {if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
now_ns() { date +%s%N; }
rows="$tmp/rows"
: > "$rows"
# row NAME RNNSCOPE TORCH RATIO TARGET(number or -) UNIT-NOTE
row() { echo "$1|$2|$3|$4|$5|$6" >> "$rows"; echo "  $1: rnnscope $2, reference $3, ratio $4 (target $5)"; }

"$rb" data --out "$tmp/recall.txt" --count 320 --distance 28 --seed 1

# ---- training throughput ------------------------------------------------------------------
echo "training throughput (sequences/s), $reps run(s) of ${secs}s each, medians:"
for cell in lstm gru rnn; do
  for h in $hiddens; do
    : > "$tmp/c"; : > "$tmp/t64"; : > "$tmp/t32"
    i=0
    while [ $i -lt $reps ]; do # interleaved, so that a busy moment hits all three alike
      "$rb" train --data "$tmp/recall.txt" --cell $cell --hidden $h --embed 16 --batch 32 \
        --seconds $secs --min-steps 3 | awk '{print $4}' >> "$tmp/c"
      $py "$tb" train --data "$tmp/recall.txt" --cell $cell --hidden $h --embed 16 --batch 32 \
        --dtype float64 --seconds $secs --min-steps 3 --threads "$cores" | awk '{print $5}' >> "$tmp/t64"
      $py "$tb" train --data "$tmp/recall.txt" --cell $cell --hidden $h --embed 16 --batch 32 \
        --dtype float32 --seconds $secs --min-steps 3 --threads "$cores" | awk '{print $5}' >> "$tmp/t32"
      i=$((i + 1))
    done
    c=$(median < "$tmp/c"); t64=$(median < "$tmp/t64"); t32=$(median < "$tmp/t32")
    if [ $h -le 32 ]; then g64=5; g32=2; elif [ $h -eq 64 ]; then g64=2; g32=-; else g64=1; g32=-; fi
    row "train $cell h$h vs float64" "$c" "$t64" "$(awk -v a="$c" -v b="$t64" 'BEGIN{printf "%.2f", a/b}')" $g64 "seq/s"
    row "train $cell h$h vs float32" "$c" "$t32" "$(awk -v a="$c" -v b="$t32" 'BEGIN{printf "%.2f", a/b}')" $g32 "seq/s"
  done
done

# ---- forward trace of one sentence ----------------------------------------------------------
echo "forward trace of one 30-step sentence (microseconds per call), medians:"
for cell in lstm gru rnn; do
  : > "$tmp/c"; : > "$tmp/t"
  i=0
  while [ $i -lt $fwd_reps ]; do
    "$rb" forward --cell $cell --hidden 16 --steps 30 --seconds $fwd_secs | awk '{print $4}' >> "$tmp/c"
    for dt in float64 float32; do # the faster of the two is the reference
      $py "$tb" forward --cell $cell --hidden 16 --steps 30 --dtype $dt --seconds $fwd_secs \
        --threads "$cores" | awk '{print $5}'
    done | sort -g | head -n 1 >> "$tmp/t"
    i=$((i + 1))
  done
  c=$(median < "$tmp/c"); t=$(median < "$tmp/t")
  [ $cell = lstm ] && g=20 || g=-
  row "forward $cell h16 (us/call)" "$c" "$t" "$(awk -v a="$c" -v b="$t" 'BEGIN{printf "%.2f", b/a}')" $g "PyTorch: faster of float64/float32"
done

# ---- end to end: screenshot against importing torch ----------------------------------------
echo "end to end (ms, median of $shots):"
: > "$tmp/c"; : > "$tmp/t"
i=0
while [ $i -lt $shots ]; do
  a=$(now_ns); "$bin" screenshot --out "$tmp/shot.png" >/dev/null; b=$(now_ns)
  echo $(((b - a) / 1000)) >> "$tmp/c"
  a=$(now_ns); $py -c "import torch"; b=$(now_ns)
  echo $(((b - a) / 1000)) >> "$tmp/t"
  i=$((i + 1))
done
c=$(median < "$tmp/c" | awk '{printf "%.1f", $1 / 1000}'); t=$(median < "$tmp/t" | awk '{printf "%.1f", $1 / 1000}')
row "screenshot vs import torch (ms)" "$c" "$t" "$(awk -v a="$c" -v b="$t" 'BEGIN{printf "%.2f", b/a}')" 5 "median of $shots"

# ---- one frame in instructions ----------------------------------------------------------------
if command -v valgrind >/dev/null && command -v callgrind_annotate >/dev/null; then
  echo "one frame (callgrind):"
  valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" --collect-atstart=no \
    --toggle-collect=bench_frame_cold --toggle-collect=bench_frame_steady \
    "$rb" frame --hidden 32 --steps 40 --width 1280 --height 800 --frames 3 \
    --model-out "$tmp/frame-model.json" > "$tmp/frame.log" 2> "$tmp/valgrind.log"
  callgrind_annotate --inclusive=yes "$tmp/cg.out" > "$tmp/cg.txt" 2>/dev/null
  ir() { awk -v f="$1" '$0 ~ f && /bench\/rnnbench.c|rnnbench/ {gsub(",", "", $1); print $1; exit}' "$tmp/cg.txt"; }
  cold=$(ir "bench_frame_cold"); steady=$(ir "bench_frame_steady")
  cold_m=$(awk -v a="$cold" 'BEGIN{printf "%.1f", a / 1e6}')
  steady_m=$(awk -v a="$steady" 'BEGIN{printf "%.1f", a / 3 / 1e6}')
  row "frame, steady (M instructions)" "$steady_m" "30" "$(awk -v a="$steady_m" 'BEGIN{printf "%.2f", 30 / a}')" 1 "reference = the 30 M target; first (cold) frame: $cold_m M"
  cp "$tmp/cg.txt" "$tmp/frame-profile.txt"
else
  echo "valgrind missing: the frame row is skipped"
fi

# ---- an idle window --------------------------------------------------------------------------
if command -v xvfb-run >/dev/null && command -v xdotool >/dev/null; then
  echo "idle window (${idle_secs}s under Xvfb):"
  cat > "$tmp/idle.sh" <<EOF
"$bin" open > "$tmp/open.log" 2>&1 &
pid=\$!
timeout 20 xdotool search --sync --onlyvisible --pid \$pid --name '^rnnscope\$' >/dev/null 2>&1 || true
sleep 2 # the first frames
ticks() { awk '{print \$14 + \$15}' /proc/\$pid/stat; }
a=\$(ticks); sleep $idle_secs; b=\$(ticks)
kill \$pid; wait \$pid 2>/dev/null || true
echo \$((b - a))
EOF
  ticks=$(xvfb-run -a -s "-screen 0 1280x800x24" sh "$tmp/idle.sh" | tail -n 1)
  hz=$(getconf CLK_TCK)
  pct=$(awk -v t="$ticks" -v hz="$hz" -v s="$idle_secs" 'BEGIN{printf "%.2f", 100 * t / hz / s}')
  # the ratio is target / measured, floored at one tick's resolution
  floor=$(awk -v hz="$hz" -v s="$idle_secs" 'BEGIN{printf "%.3f", 100 / hz / s}')
  row "idle window, CPU % of one core" "$pct" "1" "$(awk -v p="$pct" -v f="$floor" 'BEGIN{if (p < f) p = f; printf "%.2f", 1 / p}')" 1 "reference = the 1 % target; over ${idle_secs} s, ratio floored at one tick"
else
  echo "xvfb-run or xdotool missing: the idle row is skipped"
fi

# ---- the table -------------------------------------------------------------------------------
table="$tmp/table.md"
{
  echo "| measure | rnnscope | reference | ratio | target | OK | note |"
  echo "| --- | ---: | ---: | ---: | ---: | --- | --- |"
  awk -F'|' '{
    ok = "report"
    if ($6 == "") $6 = "-"
    if ($5 != "-") { ok = ($4 + 0 >= $5 + 0) ? "OK" : (($4 + 0 >= $5 / 2) ? "missed" : "FAIL (< half)") }
    tgt = ($5 == "-") ? "-" : $5 "x"
    printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, tgt, ok, $6
  }' "$rows"
} > "$table"
echo
cat "$table"
fails=$(awk -F'|' '$5 != "-" && $4 + 0 < $5 / 2' "$rows" | wc -l)

if [ $quick -eq 0 ]; then
  {
    echo "# Benchmarks"
    echo
    echo "rnnscope against PyTorch on the CPU, side by side in one run of \`tools/bench.sh\` on one"
    echo "machine. Ratios are rnnscope's speed over PyTorch's (higher is better for rnnscope); for the"
    echo "frame and the idle window, the target over the measurement. Regenerate with:"
    echo
    echo '```sh'
    echo "tools/bench.sh            # full run, rewrites this file"
    echo "tools/bench.sh --quick    # the CI form (ctest -R bench_quick): fails below half a target"
    echo '```'
    echo
    echo "- Date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "- Command: \`tools/bench.sh\` (build: $(basename "$build")/, CMAKE_BUILD_TYPE=RelWithDebInfo, gcc $(gcc -dumpfullversion 2>/dev/null || echo '?'), no -march)"
    echo "- Machine: $(lscpu | awk -F: '/^Model name/ {gsub(/^ +/, "", $2); print $2}'), $cores cores ($(lscpu | awk -F: '/^Thread\(s\) per core/ {gsub(/ /, "", $2); print $2}') thread(s) per core), $(uname -sr), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
    echo "- PyTorch: $($py -c 'import torch; print(torch.__version__)') (Debian python3-torch), \`torch.set_num_threads($cores)\`; rnnscope trains on up to 2 threads, matrix kernels $("$rb" width) doubles wide (4: AVX, chosen at run time; 2: SSE2)"
    echo "- Medians of $reps interleaved runs of ${secs} s for throughput; $shots runs end to end"
    echo
    cat "$table"
    echo
    echo "What each row runs (bench/rnnbench.c and tools/torch_bench.py, same model and data):"
    echo
    echo "- **train**: one full step (forward, cross-entropy, backward, Adam) on batches of 32"
    echo "  equal-length recall sentences (a key, 28 fillers, \"?\": T = 30; 22 words, 8 labels),"
    echo "  embedding 16, one layer, many-to-one head; sequences per second. PyTorch gets batched"
    echo "  (T, B, I) tensors (nn.Embedding, nn.LSTM/GRU/RNN, nn.Linear on h_n)."
    echo "- **forward**: \`rnn_model_forward\` of one 30-word sentence into a trace made once (every"
    echo "  gate, state, logit and probability), against the module under \`torch.no_grad()\` plus"
    echo "  softmax, per call, in-process; the faster of PyTorch's float64 and float32."
    echo "- **screenshot**: \`rnnscope screenshot --out F.png\` of the default view, process start"
    echo "  to PNG written, against \`/usr/bin/python3 -c \"import torch\"\` alone."
    echo "- **frame**: layout, draw list and rasterising with SDL's software renderer, for an LSTM"
    echo "  with H = 32 on a 40-word sentence at 1280x800, every column computed; instructions from"
    echo "  \`valgrind --tool=callgrind --toggle-collect=bench_frame_steady\` (mean of 3 frames after"
    echo "  a cold one, whose count is in the note)."
    echo "- **idle**: \`rnnscope open\` under \`xvfb-run\`, utime + stime from /proc/PID/stat over"
    echo "  ${idle_secs} s after the first frames (resolution: one clock tick)."
    if [ -f "$tmp/frame-profile.txt" ]; then
      echo
      echo "Where the frames' instructions go (callgrind_annotate --inclusive=yes over the cold frame"
      echo "and the three steady ones together, top entries):"
      echo
      echo '```'
      awk '/Ir/ && /file:function/ {on = 1} on && NF' "$tmp/frame-profile.txt" | head -n 25 | cut -c1-110
      echo '```'
    fi
    if [ -f "$root/bench/NOTES.md" ]; then echo; cat "$root/bench/NOTES.md"; fi
  } > "$out"
  echo "wrote $out"
fi

if [ $fails -gt 0 ]; then
  echo "bench: $fails ratio(s) below half their target" >&2
  exit 1
fi
exit 0
