#!/usr/bin/env bash
# /search benchmark (docs/benchmarks.md, "Dataset viewer"). Goal (issue 16): /search over
# 1 million rows answers in p50 <= 50 ms.
#   bench/viewer_search.sh      (SEARCH_ROWS=1000000, RUNS=15, BUILD_DIR=build by default)
# 1. DuckDB (@duckdb/node-api from tests/client/js/node_modules) writes a Parquet file of
#    SEARCH_ROWS rows of 4 to 24 words each, drawn from 20,000 with a Zipf-like law (a few in
#    most rows, most rare), in two text columns.
# 2. A real `vitrine serve` (tests/client/js/harness.mjs); the real @huggingface/hub client
#    uploads it as a dataset; the time until /search answers (the job: footers, first rows,
#    statistics, the index) is printed. Then RUNS requests (after a warm-up round) alternate
#    between five queries — a rare word, a word in ~1% of the rows, a word in ~10%, two words,
#    three words — each GET /search?…&length=100 over HTTP; DuckDB in process answers the same
#    query by BM25 in SQL over a table of the rows' words it built once (the Hub's viewer runs
#    DuckDB's fts macros over such tables), alternating; the counts and the best row's score
#    must agree. Medians and the ratio DuckDB / Vitrine (above 1: Vitrine is faster).
set -euo pipefail
source "$(dirname "$0")/common.sh"
viewer_bench_setup
make_tmpdir WORK
check_disk "$WORK" $((1024 << 20))
VITRINE_BIN="$build/vitrine" SEARCH_ROWS="${SEARCH_ROWS:-1000000}" RUNS="${RUNS:-15}" \
  BENCH_DIR="$WORK" node "$REPO_ROOT/bench/viewer_search.mjs"
