#!/usr/bin/env bash
# The commits listing (GET /api/models/{repo}/commits/main) of a long history vs `git log` of
# the same page on the same repository (issue 14: a page must not cost a walk of the whole
# history). A history of COMMITS linear commits is made with git fast-import and pushed; then,
# with curl's time_total: the first page once (the hub walks and caches the history), the
# median of RUNS first pages and of RUNS pages deep in the history, and the first page again
# after one more commit (extended from the cached history, no walk). The peer, same run:
# `git log -n 50 --skip=N --format=%H` on the pushed bare repository (median of RUNS).
#
# Knobs: COMMITS (100000), RUNS (9), VITRINE_BIN, BENCH_TMP.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
require curl git python3 awk

COMMITS="${COMMITS:-100000}"
RUNS="${RUNS:-9}"
make_tmpdir WORK
git init -q -b main "$WORK/src"
python3 - "$COMMITS" <<'PY' | git -C "$WORK/src" fast-import --quiet
import sys
n = int(sys.argv[1])
w = sys.stdout.write
for i in range(n):
    data = f"v{i}\n"
    w(f"commit refs/heads/main\nmark :{i + 1}\ncommitter A <a@x> {1600000000 + i} +0000\n"
      f"data 3\nc{i % 10}\n")
    if i:
        w(f"from :{i}\n")
    w(f"M 644 inline f{i % 100}.txt\ndata {len(data)}\n{data}\n")
PY
mkdir -p "$WORK/data"
start_vitrine "$WORK/data"
create_repo history
git -C "$WORK/src" -c http.extraHeader="Authorization: Bearer $VITRINE_TOKEN" \
  push -q -f "$VITRINE_URL/$REPO_ID" main:main
bare="$(ls -d "$WORK"/data/repos/*.git | head -1)"
url="$VITRINE_URL/api/models/$REPO_ID/commits/main?limit=50"
deep=$(( COMMITS / 50 - 1 ))
page_ms() { curl -s -o /dev/null -w '%{time_total}\n' "$url&p=$1" | awk '{ printf "%.3f\n", $1 * 1000 }'; }
git_ms() {
  local t0 t1
  t0=$(date +%s%N)
  git -C "$bare" log -n 50 --skip="$1" --format=%H main >/dev/null
  t1=$(date +%s%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", (b - a) / 1e6 }'
}
first=$(page_ms 0)
total=$(curl -s -D - -o /dev/null "$url" | tr -d '\r' | awk -F': ' 'tolower($1) == "x-total-count" { print $2 }')
[[ "$total" == "$COMMITS" ]] || die "X-Total-Count $total, expected $COMMITS"
top=$(for _ in $(seq "$RUNS"); do page_ms 0; done | median)
bottom=$(for _ in $(seq "$RUNS"); do page_ms "$deep"; done | median)
git_top=$(for _ in $(seq "$RUNS"); do git_ms 0; done | median)
git_bottom=$(for _ in $(seq "$RUNS"); do git_ms $(( deep * 50 )); done | median)
printf '{"key":"header","value":{"summary":"one more"}}\n{"key":"file","value":{"path":"more.txt","content":"bW9yZQ==","encoding":"base64"}}\n' |
  curl -s -o /dev/null -X POST -H "Authorization: Bearer $VITRINE_TOKEN" \
    -H 'Content-Type: application/x-ndjson' --data-binary @- "$VITRINE_URL/api/models/$REPO_ID/commit/main"
after=$(page_ms 0)
echo "history of $COMMITS commits, 50 a page (ms, curl time_total; medians of $RUNS)"
echo "first page, first request (walks, caches):  $first"
echo "first page:                                 $top   git log: $git_top   ratio $(fdiv "$top" "$git_top")"
echo "last page (p=$deep):                        $bottom   git log --skip: $git_bottom   ratio $(fdiv "$bottom" "$git_bottom")"
echo "first page after one more commit (extends): $after"
