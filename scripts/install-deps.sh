#!/usr/bin/env bash
# Installs what building, testing and benchmarking need on Debian/Ubuntu (all Debian packages).
#   scripts/install-deps.sh          compiler, CMake, Eigen, doctest, stb
#   scripts/install-deps.sh --bench  also Google Benchmark and PyTorch (the benchmark's peer)
set -euo pipefail
pkgs=(g++ cmake make libeigen3-dev doctest-dev libstb-dev)
[[ "${1:-}" == "--bench" ]] && pkgs+=(libbenchmark-dev python3-torch)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
