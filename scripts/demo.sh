#!/usr/bin/env bash
# The demo: installs the dependencies, builds the toy example and trains a GAN on a ring of
# 8 Gaussians. Writes toy_ring.png (real vs generated points at several steps) in the current
# directory and prints the figures (modes covered, high-quality samples) and one JSON line.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/install-deps.sh"
cmake -S "$here" -B "$here/build/release" -DCMAKE_BUILD_TYPE=Release -DGAN_BUILD_TESTS=OFF >/dev/null
cmake --build "$here/build/release" --target toy_ring one_step conditional_ring -j"$(nproc)"
"$here/build/release/examples/toy_ring" "$@"
