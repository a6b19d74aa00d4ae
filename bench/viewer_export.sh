#!/usr/bin/env bash
# Parquet export benchmark (docs/benchmarks.md, "Dataset viewer"). Goal (issue 16): a CSV or
# JSON Lines split exported to Parquet at >= 0.8x the speed of DuckDB's COPY … TO of the same
# file, same machine, same run.
#   bench/viewer_export.sh      (EXPORT_MB=256, RUNS=3, BUILD_DIR=build by default)
# 1. DuckDB (@duckdb/node-api from tests/client/js/node_modules) writes a CSV file and a JSON
#    Lines file of about EXPORT_MB MiB each (numbers, booleans, strings with commas; JSON with a
#    struct and a list).
# 2. A real `vitrine serve` (tests/client/js/harness.mjs); the real @huggingface/hub client
#    uploads a file of the same shape RUNS times as a new dataset, each run's rows other ids and
#    texts (so each export is new content the store keeps whole, not chunks it already holds);
#    the hub's job logs how long the export of the split took (reading, typing, the Parquet
#    shards written and stored), which is the time measured (upload, first rows and statistics
#    are not).
# 3. DuckDB converts the same files RUNS times, in process: COPY (SELECT * FROM read_csv(…)) TO
#    '….parquet' (FORMAT parquet), with its own thread count (every core) and with one thread
#    (the hub's export runs on its job's thread and, for CSV, one spare thread).
# Medians; ratios DuckDB time / Vitrine time (above 1: Vitrine is faster).
set -euo pipefail
source "$(dirname "$0")/common.sh"
viewer_bench_setup
make_tmpdir WORK
check_disk "$WORK" $((${EXPORT_MB:-256} * 14 << 20))
VITRINE_BIN="$build/vitrine" EXPORT_MB="${EXPORT_MB:-256}" RUNS="${RUNS:-3}" BENCH_DIR="$WORK" \
  node "$REPO_ROOT/bench/viewer_export.mjs"
