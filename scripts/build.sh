#!/usr/bin/env bash
# Configures and builds Vitrine into build/ (binary: build/vitrine). Extra arguments go to
# CMake, e.g. scripts/build.sh -DVITRINE_SANITIZE=ON.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
ninja -C build -j "$jobs"
