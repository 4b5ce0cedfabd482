#!/bin/sh
# The real window under Xvfb: it opens on `rnnscope open`, answers Right and 1/2/3 (the
# screenshots change), saves a PNG (Ctrl+S) and records a GIF (Ctrl+G), survives resizing,
# and quits on Q with exit code 0; the lesson picker; the compare view with live training.
#   tests/check_window.sh path/to/rnnscope [outdir]
set -eu
bin="$1"
out="${2:-$(mktemp -d)}"
mkdir -p "$out"
if [ -z "${RNNSCOPE_IN_XVFB:-}" ]; then
  command -v xvfb-run >/dev/null || { echo "xvfb-run is not installed"; exit 1; }
  RNNSCOPE_IN_XVFB=1 exec xvfb-run -a -s "-screen 0 1280x800x24" sh "$0" "$bin" "$out"
fi
# Under the asan preset the window still runs with AddressSanitizer's memory checks, but not
# its leak report: SDL's X11 driver loads libdbus and unloads it at exit, and what libdbus
# keeps until exit is then reported from an "unknown module" that no suppression can name.
# Leaks of rnnscope's own code are checked by test_ui, which drives the same view headless.
case "$bin" in /*) ;; *) bin="$PWD/$bin" ;; esac
cd "$out" # Ctrl+S and Ctrl+G save their PNG and GIF in the working directory
# the window of this very process (SDL sets _NET_WM_PID), not one that is closing
find_window() { timeout 20 xdotool search --sync --onlyvisible --pid "$1" --name '^rnnscope$' | head -n 1; }
# Starts rnnscope with the given arguments (output in $out/LOG) and finds its window.
launch() {
  log="$1"; shift
  ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" "$bin" "$@" > "$out/$log" 2>&1 &
  pid=$!
  win=$(find_window "$pid")
  [ -n "$win" ] || { echo "no window for rnnscope $*"; cat "$out/$log"; exit 1; }
}
launch app.log open
echo "window $win: stepping, switching models, theme, help, screenshot, resizing"
shot() { sleep 0.3; import -window root "$out/$1.png"; }
# Q, then the process must end by itself within 5 s with exit code 0 (log: $1).
quit_and_wait() {
  key q
  i=0
  while kill -0 "$pid" 2>/dev/null; do
    i=$((i + 1))
    [ $i -lt 50 ] || { echo "Q did not quit"; kill "$pid"; exit 1; }
    sleep 0.1
  done
  wait "$pid" || { echo "exit code $?"; cat "$out/$1"; exit 1; }
}
# Sends keys; if the X server has not settled the window yet (BadWindow), finds it again.
key() {
  for try in 1 2 3 4 5; do
    xdotool key --window "$win" "$@" 2>/dev/null && return 0
    sleep 0.5
    win=$(find_window "$pid")
  done
  echo "cannot send $* to the window"; exit 1
}
# After a key: capture until the screen differs from the previous capture (up to 5 s).
differs() {
  i=0
  while cmp -s "$out/$1.png" "$out/$2.png"; do
    i=$((i + 1))
    [ $i -lt 20 ] || { echo "$2 looks the same as $1"; cat "$out/app.log"; exit 1; }
    shot "$2"
  done
}
xdotool windowfocus --sync "$win" 2>/dev/null || true
sleep 1 # the first frame
shot start
key Right; shot right;  differs start right
key 1;     shot rnn;    differs right rnn
key 3;     shot gru;    differs rnn gru
key 2;     shot lstm;   differs gru lstm
key t;     shot dark;   differs lstm dark
key b;     shot backward; differs dark backward   # the backward pass
key Right; shot walk-back; differs backward walk-back
key m;     shot what-if; differs walk-back what-if  # W_hh x1.25, marked in the top bar
key z;     shot undo;    differs what-if undo
key b
key h;     shot help;   differs undo help
key Escape
key ctrl+s
i=0
until ls "$out"/rnnscope-*.png >/dev/null 2>&1; do
  i=$((i + 1)); [ $i -lt 30 ] || { echo "Ctrl+S saved no PNG"; exit 1; }; sleep 0.1
done
key ctrl+g # the sentence's 10 words as a GIF of 11 frames, named for the model
i=0
until ls "$out"/rnnscope-recall-lstm-*.gif >/dev/null 2>&1; do
  i=$((i + 1)); [ $i -lt 100 ] || { echo "Ctrl+G recorded no GIF"; cat "$out/app.log"; exit 1; }; sleep 0.1
done
frames=$(identify "$out"/rnnscope-recall-lstm-*.gif | wc -l)
[ "$frames" -eq 11 ] || { echo "Ctrl+G recorded $frames frames, not 11"; exit 1; }
xdotool windowsize --sync "$win" 800 500 2>/dev/null || xdotool windowsize "$win" 800 500
shot small
xdotool windowsize "$win" 1280 800
shot big
kill -0 "$pid" || { echo "the app died while resizing"; cat "$out/app.log"; exit 1; }
quit_and_wait app.log

# `rnnscope` alone: the lesson picker; Enter opens the first lesson, N steps it, Q quits.
launch picker.log --lang en
echo "window $win: picker, lesson, next step, answer"
sleep 1
shot picker
key Down; shot picker-down; differs picker picker-down
key Up Return; shot lesson; differs picker-down lesson
key n; shot lesson-next; differs lesson lesson-next
key a; shot lesson-answer
quit_and_wait picker.log
# `rnnscope compare`: C goes back and forth; Ctrl+T trains all three live in the
# background, and the window answers keys while it does (T changes the theme at once);
# W writes the trained models.
launch compare.log compare
echo "window $win: compare, live training, keys while training, write the models"
sleep 1
shot compare
key c; shot compare-single; differs compare compare-single
key c; shot compare-again; differs compare-single compare-again
key ctrl+t; shot training; differs compare-again training
key t; shot training-dark; differs training training-dark
key Right; shot training-right; differs training-dark training-right
i=0
while :; do # W writes the models trained so far; all three files must appear
  key w
  sleep 0.5
  [ -f recall-lstm-live.json ] && [ -f recall-rnn-live.json ] && [ -f recall-gru-live.json ] && break
  i=$((i + 1)); [ $i -lt 120 ] || { echo "W wrote no models"; cat "$out/compare.log"; exit 1; }
done
quit_and_wait compare.log
echo "window: opened, stepped, switched RNN/GRU/LSTM, themed, walked back (B, M, Z), saved a PNG," \
  "resized, quit;" \
  "picker -> lesson -> next step -> quit; compare -> live training -> keys -> models" \
  "written -> quit; shots in $out"
