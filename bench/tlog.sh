#!/usr/bin/env bash
# Transparency log benchmark (docs/benchmarks.md, "Transparency log"). Goals: >= 5,000 appends/s;
# logging adds <= 5% to the commit API's median latency; an inclusion proof for a 10^7-entry
# log served in <= 1 ms.
#   bench/tlog.sh                 (TLOG_PROOF_SIZE=10000000 by default; the log is built once
#                                  into $TLOG_BENCH_DIR, default /tmp/vitrine-tlog-bench-1e7)
# Prints: appends/s next to plain SQLite rows; commit median with and without the log
# (in process, alternating commit by commit); proof time in process; then the proof served over
# HTTP by `vitrine serve` (median of 300 curl requests, curl's time_total).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
size="${TLOG_PROOF_SIZE:-10000000}"
dir="${TLOG_BENCH_DIR:-/tmp/vitrine-tlog-bench-1e7}"
cmake --build "$build" --target vitrine_tlog_bench vitrine >/dev/null
mkdir -p "$dir"
"$build/vitrine_tlog_bench" --proof-size "$size" --dir "$dir" 2> >(grep -v '^  built' >&2)

"$build/vitrine" serve --data "$dir" --listen 127.0.0.1:0 --log-level warn > "$dir/serve.out" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 200); do
  url=$(sed -n 's/^listening on //p' "$dir/serve.out" 2>/dev/null || true)
  [[ -n "$url" ]] && break
  sleep 0.1
done
[[ -n "$url" ]] || { echo "server did not start"; cat "$dir/serve.out"; exit 1; }
times=()
for i in $(seq 300); do
  index=$(( (RANDOM * 32768 + RANDOM) % size ))
  times+=("$(curl -s -o /dev/null -w '%{time_total}' "$url/api/tlog/proof/inclusion?index=$index&tree_size=$size")")
done
printf '%s\n' "${times[@]}" | sort -n | awk -v n="$size" '
  { t[NR] = $1 }
  END { m = t[int((NR + 1) / 2)] * 1e6;
        printf "served   /api/tlog/proof/inclusion over HTTP, log of %d entries: median %.0f us (goal <= 1000 us: %.2fx of the budget)\n", n, m, m / 1000 }'
