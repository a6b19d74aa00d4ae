#!/usr/bin/env bash
# Installs dependencies (build + test), builds, and runs every test: unit tests and the
# client tests (@huggingface/hub, curl, Python requests, git) against real servers the
# tests start themselves. Ends with CTest's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
scripts/build.sh
for dir in tests/client/js tests/web; do
  if [[ -f $dir/package-lock.json ]]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done
cd build
ctest --output-on-failure --timeout 900 -j "$(nproc 2>/dev/null || echo 2)"
