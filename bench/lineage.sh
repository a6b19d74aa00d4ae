#!/usr/bin/env bash
# Lineage benchmark (docs/benchmarks.md, "Lineage"). Goals: indexing a commit's metadata adds
# <= 10 ms to the commit; a descendants query over a graph of 100,000 models answers in <= 50 ms.
#   bench/lineage.sh              (LINEAGE_MODELS=100000 by default)
# Prints the commit median with and without indexing (in process, alternating commit by
# commit), then the graph build, its first load, and the descendants medians.
set -euo pipefail
source "$(dirname "$0")/common.sh"
build="${BUILD_DIR:-$REPO_ROOT/build}"
cmake --build "$build" --target vitrine_lineage_bench >/dev/null
"$build/vitrine_lineage_bench" --models "${LINEAGE_MODELS:-100000}"
