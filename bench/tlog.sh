#!/usr/bin/env bash
# Transparency log benchmark (docs/benchmarks.md, "Transparency log"). Goals: >= 5,000 appends/s;
# logging adds <= 5% to the commit API's median latency; an inclusion proof for a 10^7-entry
# log served in <= 1 ms.
#   bench/tlog.sh                 (TLOG_PROOF_SIZE=10000000 by default; the log is built once
#                                  into $TLOG_BENCH_DIR, default /tmp/vitrine-tlog-bench-1e7)
# Prints: appends/s next to plain SQLite rows; commit median with and without the log
# (in process, alternating commit by commit); proof time in process; then the proof served over
# HTTP by `vitrine serve` (median of 300 curl requests, curl's time_total). Servers are started
# with bench/common.sh's start_vitrine.
set -euo pipefail
source "$(dirname "$0")/common.sh"
build="${BUILD_DIR:-$REPO_ROOT/build}"
VITRINE_BIN="$build/vitrine"
size="${TLOG_PROOF_SIZE:-10000000}"
dir="${TLOG_BENCH_DIR:-/tmp/vitrine-tlog-bench-1e7}"
cmake --build "$build" --target vitrine_tlog_bench vitrine >/dev/null
mkdir -p "$dir"
"$build/vitrine_tlog_bench" --proof-size "$size" --dir "$dir" 2> >(grep -v '^  built' >&2) |
  tee "$dir/bench.out" | grep -v '^COMMIT_DELTA_MS'
delta=$(sed -n 's/^COMMIT_DELTA_MS //p' "$dir/bench.out")

# The commit API over HTTP (what clients wait for): 200 one-file commits, curl's time_total.
# The log's share of it is the in-process difference above over this median.
rm -rf "$dir/api"
mkdir -p "$dir/api"
start_vitrine "$dir/api"
create_repo b
for i in $(seq 200); do
  printf '{"key":"header","value":{"summary":"c%d"}}\n{"key":"file","value":{"path":"f%d.txt","content":"%s","encoding":"base64"}}\n' \
    "$i" "$((i % 50))" "$(printf 'content %d' "$i" | base64 -w0)" |
    curl -s -o /dev/null -w '%{time_total}\n' -X POST -H "Authorization: Bearer $VITRINE_TOKEN" \
      -H 'Content-Type: application/x-ndjson' --data-binary @- "$VITRINE_URL/api/models/$REPO_ID/commit/main"
done | sort -n | awk -v d="$delta" '{ t[NR] = $1 } END { m = t[int((NR + 1) / 2)] * 1000;
  printf "commit   over HTTP: median %.3f ms per commit; the log adds %.3f ms (in process, above) = %.1f%% of it (goal <= 5%%)\n", m, d, d / m * 100 }'
stop_vitrine

start_vitrine "$dir"
url="$VITRINE_URL"
# One curl process, one kept-alive connection, 300 requests each: the proof, and the hub's
# cheapest answer (/tlog/key) as the peer that shows what HTTP alone costs here.
median_ms() {  # URL-PREFIX URL-SUFFIX-GENERATOR
  local urls=()
  for i in $(seq 300); do urls+=(-o /dev/null "$($1)"); done
  curl -s -w '%{time_total}\n' "${urls[@]}" | sort -n | awk '{ t[NR] = $1 } END { printf "%.0f", t[int((NR + 1) / 2)] * 1e6 }'
}
proof_url() { echo "$url/api/tlog/proof/inclusion?index=$(( (RANDOM * 32768 + RANDOM) % size ))&tree_size=$size"; }
key_url() { echo "$url/tlog/key"; }
proof=$(median_ms proof_url)
key=$(median_ms key_url)
echo "served   /api/tlog/proof/inclusion over HTTP (keep-alive), log of $size entries: median ${proof} us; /tlog/key ${key} us; goal <= 1000 us: $(awk -v p="$proof" 'BEGIN { printf "%.2fx of the budget", p / 1000 }')"
