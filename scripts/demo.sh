#!/usr/bin/env bash
# The demo: installs the dependencies, builds the examples and trains a GAN.
#   bash scripts/demo.sh [toy_ring options]   the toy GAN on a ring of 8 Gaussians (about 30 s):
#                                             toy_ring.png and the figures (modes covered,
#                                             high-quality samples), one JSON line
#   bash scripts/demo.sh dcgan [options]      DCGAN on Fashion-MNIST (docs/image_gans.md): sample
#                                             grids in dcgan_out/, FD/KID/precision/recall, JSON
#   bash scripts/demo.sh cdcgan [options]     the class-conditional DCGAN: cdcgan_out/
#   bash scripts/demo.sh tabular [options]    CTGAN-class synthesis of the Adult table
#                                             (examples/tabular_adult, docs/tabular.md):
#                                             adult_synthetic.csv, the quality report, JSON;
#                                             also builds the gan-tabular command
# Outputs go to the current directory.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/install-deps.sh"
cmake -S "$here" -B "$here/build/release" -DCMAKE_BUILD_TYPE=Release -DGAN_BUILD_TESTS=OFF >/dev/null
case "${1:-}" in
  dcgan | cdcgan)
    example="${1}_fashion"
    shift
    cmake --build "$here/build/release" --target "$example" fashion_classifier gan-image-metrics -j"$(nproc)"
    "$here/build/release/examples/$example" "$@"
    ;;
  tabular)
    shift
    cmake --build "$here/build/release" --target tabular_adult gan-tabular -j"$(nproc)"
    "$here/build/release/examples/tabular_adult" "$@"
    ;;
  *)
    cmake --build "$here/build/release" --target toy_ring one_step conditional_ring -j"$(nproc)"
    "$here/build/release/examples/toy_ring" "$@"
    ;;
esac
