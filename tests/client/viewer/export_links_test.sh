#!/usr/bin/env bash
# A replaced Parquet export gives its space back (docs/datasets.md, "Parquet export"): once a new
# revision's export replaces refs/convert/parquet, `vitrine gc` takes back the links only the old
# export made (past its grace) when no ref's history names the objects, then removes them; a
# branch created from the old export keeps its files, and so does a file a commit names. Against
# a real `vitrine serve` with curl and the real `vitrine gc`.
# Needs bash, curl, jq, sha256sum, sqlite3.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/harness.sh"

D="$WORK/data"
"$BIN" user create alice --data "$D" 2>/dev/null
TOK=$("$BIN" token create --user alice --role write --data "$D")
start_server "$D"

api() { curl -sf -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' "$@"; }
# commit REPO PATH LOCAL_FILE: one commit adding the file.
commit() {
  {
    printf '{"key":"header","value":{"summary":"add a file"}}\n'
    printf '{"key":"file","value":{"path":"%s","content":"%s","encoding":"base64"}}\n' \
      "$2" "$(base64 -w0 <"$3")"
  } | curl -sf -X POST "$B/api/datasets/$1/commit/main" -H "Authorization: Bearer $TOK" \
    -H 'Content-Type: application/x-ndjson' --data-binary @- >/dev/null
}
# export_commit REPO: the commit refs/convert/parquet names ("" before the first export).
export_commit() {
  api "$B/api/datasets/$1/revision/refs%2Fconvert%2Fparquet" 2>/dev/null | jq -r '.sha // ""' || true
}
# await_export REPO NOT_THIS: waits until the export names a commit other than NOT_THIS.
await_export() {
  for _ in $(seq 600); do
    local now
    now=$(export_commit "$1")
    if [[ -n "$now" && "$now" != "$2" ]]; then
      echo "$now"
      return 0
    fi
    sleep 0.1
  done
  echo "the export of $1 never moved from '$2'" >&2
  return 1
}
# shard REPO REV: the status of downloading the split's first shard at REV; the bytes in $WORK/got.
shard() {
  curl -s -o "$WORK/got" -w '%{http_code}' -H "Authorization: Bearer $TOK" \
    "$B/datasets/$1/resolve/$2/default/train/0000.parquet"
}
digest() { sha256sum "$WORK/got" | cut -d' ' -f1; }

for name in a b c; do
  api -X POST "$B/api/repos/create" -d "{\"name\":\"$name\",\"type\":\"dataset\"}" >/dev/null
done
# Each dataset's rows differ, so no two exports share a shard.
for name in a b c; do
  printf 'text,n\nfirst revision of %s,1\nof the data,2\n' "$name" >"$WORK/v1.csv"
  commit "alice/$name" train.csv "$WORK/v1.csv"
done
printf 'text,n\nsecond revision,3\n' >"$WORK/v2.csv"
declare -A OLD OLD_SHA
for name in a b c; do
  OLD[$name]=$(await_export "alice/$name" "")
  [[ $(shard "alice/$name" "${OLD[$name]}") == 200 ]]
  OLD_SHA[$name]=$(digest)
done
# b: a branch made from the export holds its files.
api -X POST "$B/api/datasets/alice/b/branch/kept" -d '{"startingPoint":"refs/convert/parquet"}' >/dev/null
# c: a commit naming the old export's shard as an LFS file (the dataset holds the object).
shard alice/c "${OLD[c]}" >/dev/null
printf '{"key":"header","value":{"summary":"keep a shard"}}\n{"key":"lfsFile","value":{"path":"copy.parquet","algo":"sha256","oid":"%s","size":%d}}\n' \
  "${OLD_SHA[c]}" "$(stat -c %s "$WORK/got")" |
  curl -sf -X POST "$B/api/datasets/alice/c/commit/main" -H "Authorization: Bearer $TOK" \
    -H 'Content-Type: application/x-ndjson' --data-binary @- >/dev/null
for name in a b c; do commit "alice/$name" train.csv "$WORK/v2.csv"; done
declare -A NEW
for name in a b c; do NEW[$name]=$(await_export "alice/$name" "${OLD[$name]}"); done
# gc with its default grace (a day) keeps what a replaced export linked today: downloads that
# began from it still finish.
"$BIN" gc --data "$D" >/dev/null
check "a replaced export's shard still downloads after gc within the grace" \
  '[[ $(shard alice/a "${OLD[a]}") == 200 && $(digest) == "${OLD_SHA[a]}" ]]'
sleep 1.1 # past the links' and objects' second, for --grace-seconds 0
GC=$("$BIN" gc --data "$D" --grace-seconds 0)

# in_store SHA256: how many files of the object store have this content (its Xet index).
in_store() { sqlite3 "$D/xet/index.sqlite" "select count(*) from files where sha256 = '$1';"; }
check "the old export's shard is unlinked and removed by gc ($GC)" \
  '[[ $(shard alice/a "${OLD[a]}") == 404 && $(in_store "${OLD_SHA[a]}") == 0 ]]'
check "the new export's shard downloads after gc" \
  '[[ $(shard alice/a "${NEW[a]}") == 200 && $(digest) != "${OLD_SHA[a]}" ]]'
check "a branch made from the old export keeps its shard through gc" \
  '[[ $(shard alice/b kept) == 200 && $(digest) == "${OLD_SHA[b]}" ]]'
check "a file a commit names keeps the same bytes the old export held" \
  '[[ $(shard alice/c "${OLD[c]}") == 200 && $(digest) == "${OLD_SHA[c]}" ]] &&
   [[ $(code -H "Authorization: Bearer $TOK" "$B/datasets/alice/c/resolve/main/copy.parquet") == 200 ]]'
check "the dataset's own files are untouched" \
  '[[ $(code -H "Authorization: Bearer $TOK" "$B/datasets/alice/a/resolve/main/train.csv") == 200 ]]'
finish
