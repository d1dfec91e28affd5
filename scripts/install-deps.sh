#!/usr/bin/env bash
# Installs what building, testing and benchmarking need on Debian/Ubuntu (all Debian packages).
#   scripts/install-deps.sh          compiler, CMake, Eigen, doctest, stb, zlib,
#                                    CLI11 and nlohmann/json (the gan-tabular tool) and
#                                    Fashion-MNIST (dataset-fashion-mnist: 31 MB, in /usr/share/datasets/fashion-mnist)
#   scripts/install-deps.sh --bench  also Google Benchmark, PyTorch (the benchmark's peer) and OpenBLAS
#                                    (the peer's BLAS; serial build for -DGAN_USE_OPENBLAS=ON)
set -euo pipefail
pkgs=(g++ cmake make libeigen3-dev doctest-dev libstb-dev zlib1g-dev libcli11-dev nlohmann-json3-dev dataset-fashion-mnist)
# The Thrust backend tests need Thrust: the CUDA toolkit ships it; otherwise Debian's package.
[[ -e /usr/local/cuda/include/cccl/thrust/device_vector.h || -e /usr/local/cuda/include/thrust/device_vector.h ]] || pkgs+=(libthrust-dev libcub-dev)
# PyTorch as users run it needs an optimised BLAS: Debian's torch otherwise uses the reference BLAS.
[[ "${1:-}" == "--bench" ]] && pkgs+=(libbenchmark-dev python3-torch libopenblas0-openmp libopenblas-dev libopenblas0-serial)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
