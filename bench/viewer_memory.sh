#!/usr/bin/env bash
# Dataset viewer memory benchmark (docs/benchmarks.md, "Dataset viewer"). Goal (issue 16):
# processing a 10 GiB dataset keeps the hub's RSS growth under 512 MiB.
#   bench/viewer_memory.sh      (MEMORY_GB=10, FORMAT=parquet or csv, BUILD_DIR=build by default)
# 1. DuckDB (@duckdb/node-api from tests/client/js/node_modules) writes MEMORY_GB GiB of data in
#    four files: Parquet (its defaults) or CSV, rows of an id, two md5 texts, a float, an int.
# 2. A real `vitrine serve` (tests/client/js/harness.mjs); the real @huggingface/hub client
#    uploads the files as one dataset; the server's RSS (/proc/PID/status) is sampled every
#    second from before the upload until the job has answered every step (first rows, the
#    export for CSV, statistics, the search index), and its peak (VmHWM) read at the end.
#    Prints the growth over the idle server's RSS, during the upload and during processing.
# No peer: DuckDB's memory is not the question; the bound is the goal's.
set -euo pipefail
source "$(dirname "$0")/common.sh"
viewer_bench_setup
make_tmpdir WORK
gb="${MEMORY_GB:-10}"
check_disk "$WORK" $(( (gb * 3 + 2) << 30 ))
VITRINE_BIN="$build/vitrine" MEMORY_GB="$gb" FORMAT="${FORMAT:-parquet}" BENCH_DIR="$WORK" \
  node "$REPO_ROOT/bench/viewer_memory.mjs"
