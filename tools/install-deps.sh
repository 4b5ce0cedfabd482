#!/bin/sh
# Installs the Debian 12 packages rnnscope needs to build, run and test. Idempotent: when
# everything is present it changes nothing and asks no mirror. Root or sudo required only
# when something is missing.
#   tools/install-deps.sh          build and run
#   tools/install-deps.sh --test   also what the test suite needs
set -eu

# cJSON: model and data files; SDL2, SDL2_ttf, libpng, fontconfig: the window, text and PNG
# output; giflib: the animated GIFs of rnnscope record and Ctrl+G; md4c: the lessons'
# Markdown; fonts-nanum: a font that covers Hangul and Latin; libhdf5-dev, libzip-dev: Keras
# model files (.h5, and the .keras zip with its HDF5 weights), read by rnnscope import and open.
packages="build-essential cmake pkg-config libcjson-dev libsdl2-dev libsdl2-ttf-dev libpng-dev \
libgif-dev libfontconfig-dev libmd4c-dev fonts-nanum libhdf5-dev libzip-dev"
if [ "${1:-}" = "--test" ]; then
  # cmocka: unit tests; clang-format: the format check; python3-torch: the live PyTorch
  # parity check on freshly drawn random models (the committed fixtures need no torch);
  # python3-h5py: the large Keras model written at test time (tests/check_keras_big.sh).
  # xvfb, xauth, xdotool, imagemagick: the real window is opened, driven and captured.
  # valgrind: the memory checks, and tools/bench.sh counts one frame's instructions.
  # chromium: the web page's test drives it (node and npm bring puppeteer-core).
  packages="$packages libcmocka-dev clang-format python3-torch python3-h5py xvfb xauth xdotool imagemagick valgrind \
chromium"
fi

missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
echo "installing:$missing"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends $missing
