#!/usr/bin/env bash
# Runs every Vitrine benchmark in sequence and repeats their SUMMARY lines at the end.
# Knobs are passed through (SIZE_MIB, RUNS, DURATION, NGINX_WORKERS, BENCH_TMP, VITRINE_BIN, ...).
# Set LOG=path to keep the full output.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LOG="${LOG:-$(mktemp /tmp/vitrine-bench-log.XXXXXX)}"
: >"$LOG"
echo "machine: nproc=$(nproc) cpu=\"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')\" kernel=$(uname -r) date=$(date -u +%Y-%m-%dT%H:%M:%SZ)" | tee -a "$LOG"
status=0
for b in download upload api_info xet_download xet_ingest; do
  echo "=== $b (load average: $(cut -d' ' -f1-3 /proc/loadavg))" | tee -a "$LOG"
  bash "$here/$b.sh" 2>&1 | tee -a "$LOG" || status=1
done
echo "=== summary (full log: $LOG)"
grep '^SUMMARY' "$LOG" || true
exit "$status"
