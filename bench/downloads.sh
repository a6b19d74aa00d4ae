#!/usr/bin/env bash
# Download counting (docs/api.md, "Download counts"): the cost of counting on the download path
# (DownloadCounter::record, from 1 and 4 threads) and of writing the counts of DOWNLOAD_REPOS
# repositories (default 1000) in one flush. In process; no server.
set -euo pipefail
source "$(dirname "$0")/common.sh"
build="${BUILD_DIR:-$REPO_ROOT/build}"
cmake --build "$build" --target vitrine_download_counter_bench >/dev/null
log "machine: $(machine_info)"
"$build/vitrine_download_counter_bench" --repos "${DOWNLOAD_REPOS:-1000}"
