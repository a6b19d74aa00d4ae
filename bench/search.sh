#!/usr/bin/env bash
# Listing search benchmark (docs/benchmarks.md, "Search"). Goal (issue 8): the search page
# answers as the user types, <= 100 ms per query over 10,000 repositories.
#   bench/search.sh              (SEARCH_REPOS=10000, RUNS=30 by default)
# 1. vitrine_search_bench writes the index rows and listing tags of SEARCH_REPOS repositories
#    into a fresh data folder (as reindexing writes them) and times the queries in process,
#    with SQLite's plans (the tag index must be used).
# 2. `vitrine serve` on that folder; a few models are created through the API (card in the
#    README, so reindexing writes their tags) and must be found by the filters.
# 3. curl times typical queries (search substring + 2 filters + sort by downloads + limit 20,
#    as-you-type prefixes, filters alone, no filter, a deep page): medians of RUNS requests.
set -euo pipefail
source "$(dirname "$0")/common.sh"
require curl jq awk
build="${BUILD_DIR:-$REPO_ROOT/build}"
REPOS="${SEARCH_REPOS:-10000}"
RUNS="${RUNS:-30}"
cmake --build "$build" --target vitrine_search_bench vitrine >/dev/null
VITRINE_BIN="$build/vitrine"  # the binary built with the benchmark, whatever common.sh chose

make_tmpdir WORK
mkdir -p "$WORK/data"
"$build/vitrine_search_bench" --data "$WORK/data" --repos "$REPOS"

start_vitrine "$WORK/data"
auth=(-H "Authorization: Bearer $VITRINE_TOKEN")
for i in 1 2 3; do
  readme=$'---\nlicense: apache-2.0\nlanguage: [en]\npipeline_tag: text-generation\nlibrary_name: transformers\ntags: [pytorch]\n---\n'
  body=$(jq -cn --arg name "llama-api-$i" --arg readme "$readme" \
    '{name:$name, files:[{path:"README.md", content:$readme}]}')
  curl -fsS -o /dev/null "${auth[@]}" -H 'Content-Type: application/json' -d "$body" \
    "$VITRINE_URL/api/repos/create"
done
found=$(curl -fsS "$VITRINE_URL/api/models?author=bench&search=llama-api&pipeline_tag=text-generation&library=transformers&filter=license:apache-2.0" | jq length)
[[ $found == 3 ]] || die "models created through the API: $found of 3 found by the filters"
log "3 models created through the API are found by search + filters"

# time_query QUERY: median of RUNS requests, in ms (curl's total time, keep-alive off).
time_query() {
  local i
  for i in $(seq "$RUNS"); do
    curl -fsS -o /dev/null -w '%{time_total}\n' "$VITRINE_URL/api/models?$1"
  done | awk '{print $1 * 1000}' | median
}
printf '%-84s %10s %6s\n' "over HTTP (GET /api/models?...)" "median ms" "rows"
worst=0
for q in \
  "search=llama&pipeline_tag=text-generation&library=transformers&sort=downloads&limit=20" \
  "search=bert&license=apache-2.0&language=en&sort=downloads&limit=20" \
  "search=qwen&filter=license:gpl-3.0&filter=medical&sort=downloads&limit=20" \
  "search=l&sort=downloads&limit=20" \
  "search=lla&sort=downloads&limit=20" \
  "search=llam&sort=downloads&limit=20" \
  "pipeline_tag=fill-mask&filter=pytorch&sort=likes&limit=20" \
  "sort=downloads&limit=20" \
  "sort=downloads&limit=20&cursor=5000" \
  "search=llama&pipeline_tag=text-generation&sort=downloads&limit=500"; do
  ms=$(time_query "$q")
  rows=$(curl -fsS "$VITRINE_URL/api/models?$q" | jq length)
  printf '%-84s %10.2f %6s\n' "$q" "$ms" "$rows"
  awk -v a="$ms" -v b="$worst" 'BEGIN { exit !(a > b) }' && worst=$ms
done
echo "worst median: $worst ms; goal <= 100 ms: $(verdict awk -v a="$worst" 'BEGIN { exit !(a <= 100) }')"
