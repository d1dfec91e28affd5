#!/usr/bin/env bash
# The test suite: installs the dependencies, builds every test and example, runs CTest.
# Where nvcc is installed (CUDA 12/13) the CUDA build of the backend tests and of toy_ring is
# compiled and linked too; CTest runs it where a GPU is visible and reports it skipped elsewhere.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/install-deps.sh"
cuda=()
nvcc=$(command -v nvcc || true)
[[ -z "$nvcc" && -x /usr/local/cuda/bin/nvcc ]] && nvcc=/usr/local/cuda/bin/nvcc
if [[ -n "$nvcc" && "${GAN_TEST_CUDA:-1}" != 0 ]]; then
  echo "test.sh: $nvcc found: also building the CUDA targets (GAN_TEST_CUDA=0 to skip)"
  cuda=(-DGAN_CUDA=ON -DCMAKE_CUDA_COMPILER="$nvcc" -DCMAKE_CUDA_ARCHITECTURES="${GAN_CUDA_ARCHITECTURES:-90}")
fi
cmake -S "$here" -B "$here/build/test" -DCMAKE_BUILD_TYPE=Release "${cuda[@]}" >/dev/null
cmake --build "$here/build/test" -j"$(nproc)"
ctest --test-dir "$here/build/test" --output-on-failure -j"$(nproc)"
