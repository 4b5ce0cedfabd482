#!/bin/sh
# The web page in a real browser: serves the built site on 127.0.0.1 and drives it with
# Debian's chromium (headless) through puppeteer-core, comparing it with the native program
# (first frame, no console errors, the same heatmap colours, keys, Korean typing, lessons,
# a bad model file, and rnnscope.trace against `rnnscope trace --format json`).
#   tests/check_web.sh SITE_DIR NATIVE_RNNSCOPE SOURCE_DIR
# SITE_DIR is what tools/build-web.sh makes (build-web/site). puppeteer-core is installed
# from tests/web/package-lock.json with `npm ci` when tests/web/node_modules is missing.
# Screenshots go to $WEB_SHOTS (default /tmp/rnnscope-web-shots); the whole run is limited
# to $RNNSCOPE_WEB_TIMEOUT seconds (default 600).
set -eu
if [ $# -ne 3 ]; then
  echo "usage: $0 SITE_DIR NATIVE_RNNSCOPE SOURCE_DIR" >&2
  exit 2
fi
site=$(cd "$1" && pwd)
native=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
source_dir=$(cd "$3" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
limit="${RNNSCOPE_WEB_TIMEOUT:-600}"

for f in index.html page.js rnnscope.js rnnscope.wasm rnnscope.data; do
  [ -f "$site/$f" ] || { echo "no $site/$f: build the site with tools/build-web.sh"; exit 1; }
done
[ -x "$native" ] || { echo "no native rnnscope at $native"; exit 1; }
command -v node >/dev/null || { echo "node is not installed"; exit 1; }
command -v python3 >/dev/null || { echo "python3 is not installed"; exit 1; }
chromium="${CHROMIUM:-/usr/bin/chromium}"
[ -x "$chromium" ] || { echo "no chromium at $chromium (apt-get install chromium)"; exit 1; }

if [ ! -d "$here/web/node_modules/puppeteer-core" ]; then
  command -v npm >/dev/null || { echo "npm is not installed"; exit 1; }
  echo "installing puppeteer-core from tests/web/package-lock.json"
  (cd "$here/web" && PUPPETEER_SKIP_DOWNLOAD=1 timeout 300 npm ci --no-audit --no-fund \
    --loglevel=error) || { echo "npm ci failed"; exit 1; }
fi

work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A free port, then the server on it (again with another port if it was taken meanwhile).
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
port=""
for try in 1 2 3 4 5; do
  p=$(free_port)
  python3 -m http.server --bind 127.0.0.1 --directory "$site" "$p" >"$work/server.log" 2>&1 &
  server=$!
  i=0
  while [ $i -lt 50 ]; do
    if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$p/index.html', timeout=1)" 2>/dev/null; then
      port=$p
      break
    fi
    kill -0 "$server" 2>/dev/null || break
    i=$((i + 1))
    sleep 0.1
  done
  [ -z "$port" ] || break
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  server=""
done
[ -n "$port" ] || { echo "could not serve $site on 127.0.0.1"; cat "$work/server.log"; exit 1; }

echo "serving $site on http://127.0.0.1:$port/"
status=0
CHROMIUM="$chromium" timeout -k 10 "$limit" node "$here/web/check_web.mjs" \
  --url "http://127.0.0.1:$port/" --native "$native" --source "$source_dir" || status=$?
if [ "$status" -eq 124 ]; then echo "the browser test did not finish within $limit s"; fi
exit "$status"
