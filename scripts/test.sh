#!/usr/bin/env bash
# The test suite: installs the dependencies, builds every test and example, runs CTest.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/install-deps.sh"
cmake -S "$here" -B "$here/build/test" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$here/build/test" -j"$(nproc)"
ctest --test-dir "$here/build/test" --output-on-failure -j"$(nproc)"
