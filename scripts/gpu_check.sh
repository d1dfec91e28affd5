#!/usr/bin/env bash
# The GPU checks, on a machine with an NVIDIA GPU and the CUDA toolkit:
#   1. the CUDA backend tests (test_backends_cuda: every layer, loss and optimiser on gan::Gpu
#      against gan::Cpu, and a step that moves no data between host and device);
#   2. the GPU benchmarks beside PyTorch on the same GPU (bench/peers/compare.py --device cuda);
#   3. tabular_adult trained on the GPU (ADULT_EPOCHS, default 300) with its quality report;
#   4. the toy ring GAN trained on the GPU (it prints how many of the 8 modes it covers);
#   5. gan-tabular-cuda --backend gpu: fit, sample and augment on the breast-cancer table (where
#      CLI11 and nlohmann/json were there to build it).
#
#   bash scripts/gpu_check.sh [BUILD_DIR (default build/cuda)] [OUT_DIR (default out/gpu)]
# (relative paths are taken from the repository root; exit 77 where no NVIDIA GPU is visible)
#
# BUILD_DIR is configured and built when it holds no test_backends_cuda (set CUDA_ARCH, default
# 90 for H100/H200). A prebuilt BUILD_DIR from another machine works too: it needs
# tests/test_backends_cuda, bench/gan_bench_cuda, examples/tabular_adult_cuda and
# examples/toy_ring_cuda (and lib/libbenchmark.so.* unless installed). Each check is limited to
# CHECK_TIMEOUT seconds (default 300). The exit status is non-zero if a check failed.
set -uo pipefail
cd "$(dirname "$0")/.."
B=${1:-build/cuda}
O=${2:-out/gpu}
if ! nvidia-smi -L >/dev/null 2>&1; then
  echo "gpu_check: no NVIDIA GPU visible (nvidia-smi -L failed): nothing to check here" >&2
  exit 77
fi
mkdir -p "$O"
export PYTHONUNBUFFERED=1
export GAN_DATA_DIR="${GAN_DATA_DIR:-$PWD/data}"  # the tabular benchmarks read data/adult
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$O/gpu.txt"
grep -m1 "model name" /proc/cpuinfo | tee -a "$O/gpu.txt"

if [ ! -x "$B/tests/test_backends_cuda" ]; then
  targets=(test_backends_cuda tabular_adult_cuda toy_ring_cuda)
  if cmake -S . -B "$B" -DGAN_CUDA=ON -DGAN_BUILD_BENCH=ON -DCMAKE_CUDA_ARCHITECTURES="${CUDA_ARCH:-90}" >/dev/null; then
    targets+=(gan_bench_cuda)
  else  # no Google Benchmark (libbenchmark-dev): compare.py then prints PyTorch's figures alone
    cmake -S . -B "$B" -DGAN_CUDA=ON -DGAN_BUILD_BENCH=OFF -DCMAKE_CUDA_ARCHITECTURES="${CUDA_ARCH:-90}" >/dev/null || exit 1
  fi
  cmake --build "$B" -j "$(nproc)" --target "${targets[@]}" || exit 1
  cmake --build "$B" -j "$(nproc)" --target gan-tabular-cuda >/dev/null 2>&1 || echo "gpu_check: gan-tabular-cuda not built (needs libcli11-dev, nlohmann-json3-dev)"
fi
# Prebuilt binaries: libbenchmark beside them; cuBLAS and the CUDA runtime, if the loader does not
# find them, from pip's wheels (the ones torch loads) or the toolkit.
export LD_LIBRARY_PATH="$(cd "$B" && pwd)/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
if ldd "$B/tests/test_backends_cuda" | grep -q "not found"; then
  for d in $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, n, "lib") for p in nvidia.__path__ for n in os.listdir(p)))' 2>/dev/null) /usr/local/cuda/lib64 /usr/local/cuda/lib; do
    LD_LIBRARY_PATH="$LD_LIBRARY_PATH:$d"
  done
fi
ldd "$B"/tests/test_backends_cuda "$B"/bench/gan_bench_cuda 2>/dev/null | grep -E "cublas|cudart|benchmark|not found"

status=0
step() {  # step NAME COMMAND...: runs it, logs to $O/NAME.log, remembers a failure
  local name=$1; shift
  echo "== $name: $*"
  local t0=$(date +%s.%N)
  timeout "${CHECK_TIMEOUT:-300}" "$@" 2>&1 | tee "$O/$name.log"
  local rc=${PIPESTATUS[0]}
  echo "== $name: exit $rc, $(python3 -c "import time; print(f'{time.time() - $t0:.1f}')") s"
  [ "$rc" = 0 ] || status=1
}

step test_backends_cuda "$B/tests/test_backends_cuda"
step compare python3 bench/peers/compare.py --ours "$B/bench/gan_bench_cuda" --device cuda --python python3 --benchmark_filter=_gpu
step tabular_adult_gpu "$B/examples/tabular_adult_cuda" --backend gpu --epochs "${ADULT_EPOCHS:-300}" --seed 1 \
  --out "${TMPDIR:-/tmp}/adult_gpu.csv"
step toy_ring_gpu "$B/examples/toy_ring_cuda" --backend gpu --seed 1 --out "$O/toy_ring_gpu.png"
if [ -x "$B/examples/gan-tabular-cuda" ]; then
  T="$B/examples/gan-tabular-cuda"
  D=data/breast_cancer
  step cli_fit_gpu "$T" fit $D/breast_cancer_train.csv -o "$O/bc_gpu.gan" --epochs 300 --target target --backend gpu --quiet
  step cli_sample_gpu "$T" sample "$O/bc_gpu.gan" -n 2000 -o "$O/bc_gpu.csv" --where target=1 --backend gpu
  step cli_report_gpu "$T" report $D/breast_cancer_train.csv "$O/bc_gpu.csv" --test $D/breast_cancer_test.csv
  step cli_augment_gpu "$T" augment $D/breast_cancer_train.csv --target target -o "$O/bc_balanced.csv" --model "$O/bc_gpu.gan" --backend gpu
fi
exit $status
