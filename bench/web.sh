#!/usr/bin/env bash
# Web interface benchmark (docs/benchmarks.md, "Web interface"). Goals (issue 8): the first load
# of a repository page takes <= 300 KB of JavaScript (gzip) and <= 1 s to interactive with a
# local server; the search page answers as the user types, <= 100 ms per query over 10,000
# repositories.
#   bench/web.sh              (SEARCH_REPOS=10000, RUNS=10, BUILD_DIR=build by default)
# 1. vitrine_search_bench writes 10,000 repositories' index rows and listing tags (as
#    bench/search.sh does); `vitrine serve` on that folder serves build/web.
# 2. A model with a card, files, a fine-tune and a history is created through the API.
# 3. bench/web_timing.mjs (Chromium through playwright-core from tests/web/node_modules): the
#    repository page's first load RUNS times (fresh context each: nothing cached), and "llama"
#    typed key by key on /models RUNS times (keydown to the answering results on screen).
# There is no peer to run beside it here (the Hugging Face Hub's pages are not self-hostable):
# the figures are printed as ratios to the goals.
set -euo pipefail
source "$(dirname "$0")/common.sh"
require curl jq node
build="${BUILD_DIR:-$REPO_ROOT/build}"
REPOS="${SEARCH_REPOS:-10000}"
RUNS="${RUNS:-10}"
# BENCH_NO_BUILD=1: use the binaries already in BUILD_DIR (e.g. a staged copy) as they are.
[[ "${BENCH_NO_BUILD:-}" == 1 ]] || cmake --build "$build" --target vitrine_search_bench vitrine >/dev/null
VITRINE_BIN="$build/vitrine"
[[ -f "$build/web/index.html" ]] || die "no web build in $build/web (scripts/build.sh builds it)"
[[ -f "$REPO_ROOT/tests/web/node_modules/playwright-core/package.json" ]] ||
  die "playwright-core missing: run 'npm ci' in tests/web"

make_tmpdir WORK
mkdir -p "$WORK/data"
"$build/vitrine_search_bench" --data "$WORK/data" --repos "$REPOS" >/dev/null
# The server runs a private copy of the binary (common.sh): it is told where the web build is.
VITRINE_SERVE_ARGS=(--web-dir "$build/web")
start_vitrine "$WORK/data"

ndjson_commit() {  # REPO SUMMARY PATH CONTENT...: one commit through the commit API
  local repo=$1 summary=$2
  shift 2
  {
    jq -cn --arg s "$summary" '{key:"header", value:{summary:$s}}'
    while (($#)); do
      jq -cn --arg p "$1" --arg c "$(printf '%s' "$2" | base64 -w0)" \
        '{key:"file", value:{path:$p, encoding:"base64", content:$c}}'
      shift 2
    done
  } | api -o /dev/null -H 'Content-Type: application/x-ndjson' --data-binary @- \
    "$VITRINE_URL/api/models/$repo/commit/main"
}
api -o /dev/null -H 'Content-Type: application/json' -d '{"name":"web-bench"}' "$VITRINE_URL/api/repos/create"
readme=$'---\nlicense: apache-2.0\nlanguage: [en]\npipeline_tag: text-generation\nlibrary_name: transformers\n---\n# A benchmark model\n\n'
for i in $(seq 1 40); do readme+="Paragraph $i: **bold**, \`code\`, [a link](https://example.org/$i)."$'\n\n'; done
ndjson_commit bench/web-bench "add the model" README.md "$readme" config.json '{"hidden_size": 64}' \
  src/train.py $'import sys\nprint(sys.argv)\n'
for i in 1 2 3; do ndjson_commit bench/web-bench "tune $i" config.json "{\"hidden_size\": $((64 * i))}"; done
api -o /dev/null -H 'Content-Type: application/json' -d '{"name":"web-bench-child"}' "$VITRINE_URL/api/repos/create"
ndjson_commit bench/web-bench-child "fine-tune" README.md $'---\nbase_model: bench/web-bench\n---\n# Child\n'
log "repository bench/web-bench created; timing $RUNS page loads and $RUNS typed searches"

out=$(node "$BENCH_DIR/web_timing.mjs" "$VITRINE_URL" bench/web-bench "$RUNS")
echo "$out" | jq .
tti=$(jq -r .repositoryPage.interactiveMsMedian <<<"$out")
tti_max=$(jq -r .repositoryPage.interactiveMsMax <<<"$out")
js=$(jq -r .repositoryPage.jsGzipBytes <<<"$out")
key=$(jq -r .searchAsYouType.msMedian <<<"$out")
key_max=$(jq -r .searchAsYouType.msMax <<<"$out")
printf 'repository page, first load: %.0f ms to interactive (median of %s; max %.0f), ratio to the 1 s goal %s\n' \
  "$tti" "$RUNS" "$tti_max" "$(fdiv "$tti" 1000)"
printf 'repository page JavaScript: %.1f KB gzip, ratio to the 300 KB budget %s\n' "$(fdiv "$js" 1024 %.1f)" "$(fdiv "$js" 307200)"
printf 'search as you type over %s repositories: %.0f ms per key (median; max %.0f), ratio to the 100 ms goal %s\n' \
  "$REPOS" "$key" "$key_max" "$(fdiv "$key" 100)"
printf "SUMMARY web: tti_ms=%.0f js_gzip_kb=%.1f search_key_ms=%.0f\n" "$tti" "$(fdiv "$js" 1024 %.1f)" "$key"
