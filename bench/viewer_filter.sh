#!/usr/bin/env bash
# /filter benchmark (docs/benchmarks.md, "Dataset viewer"). Goal (issue 16): /filter with a
# predicate no index serves, over 1 million rows, answers in p50 <= 200 ms.
#   bench/viewer_filter.sh      (FILTER_ROWS=1000000, RUNS=15, BUILD_DIR=build by default)
# 1. DuckDB (@duckdb/node-api from tests/client/js/node_modules) writes a Parquet file of
#    FILTER_ROWS rows (its defaults: snappy, row groups of 122,880 rows).
# 2. A real `vitrine serve` (tests/client/js/harness.mjs); the real @huggingface/hub client
#    uploads it as a dataset; once processed, RUNS requests (after 3 warm-up ones) alternate
#    between four conditions over the whole split — an equality on an int column, a range on a
#    float, a LIKE on a text, a condition with an orderby — each GET /filter?…&length=100 over
#    HTTP, and DuckDB in process runs the same SQL on the same file
#    (SELECT … WHERE … [ORDER BY …] LIMIT 100, plus its count), alternating; medians and the
#    ratio DuckDB / Vitrine (above 1: Vitrine is faster).
set -euo pipefail
source "$(dirname "$0")/common.sh"
viewer_bench_setup
make_tmpdir WORK
check_disk "$WORK" $((256 << 20))
VITRINE_BIN="$build/vitrine" FILTER_ROWS="${FILTER_ROWS:-1000000}" RUNS="${RUNS:-15}" \
  BENCH_DIR="$WORK" node "$REPO_ROOT/bench/viewer_filter.mjs"
