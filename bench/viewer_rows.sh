#!/usr/bin/env bash
# Dataset viewer benchmark (docs/benchmarks.md, "Dataset viewer"). Goals (issue 16): /rows of
# 100 rows at a random offset of a 1 GiB Parquet split answers in p50 <= 20 ms warm, and no
# slower than DuckDB reading the same rows from the same file; statistics of a Parquet split at
# >= 0.8x DuckDB's SUMMARIZE throughput.
#   bench/viewer_rows.sh        (VIEWER_MB=1024, RUNS=30, BUILD_DIR=build by default)
# 1. DuckDB (@duckdb/node-api from tests/client/js/node_modules) writes a Parquet file of about
#    VIEWER_MB MiB (its defaults: snappy, row groups of 122,880 rows, no page index).
# 2. A real `vitrine serve` (tests/client/js/harness.mjs); the real @huggingface/hub client
#    uploads the file as a dataset; the hub processes it in the background (first rows, then
#    statistics). Processing time (upload done to /statistics answered) gives the statistics'
#    rows per second (of the rows they used: at most 1 GiB of uncompressed row groups), beside
#    DuckDB's SUMMARIZE of the whole file.
# 3. RUNS random offsets (seeded), each read by GET /rows?offset=…&length=100 over HTTP (keep-
#    alive, after 5 warm-up requests) and by DuckDB in process
#    (SELECT * FROM read_parquet(file) LIMIT 100 OFFSET …, after the same warm-up), alternating;
#    medians and the ratio DuckDB / Vitrine (above 1: Vitrine is faster).
set -euo pipefail
source "$(dirname "$0")/common.sh"
viewer_bench_setup
make_tmpdir WORK
check_disk "$WORK" $((${VIEWER_MB:-1024} * 3 << 20))
VITRINE_BIN="$build/vitrine" VIEWER_MB="${VIEWER_MB:-1024}" RUNS="${RUNS:-30}" BENCH_DIR="$WORK" \
  node "$REPO_ROOT/bench/viewer_rows.mjs"
