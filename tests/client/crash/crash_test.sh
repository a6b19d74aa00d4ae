#!/usr/bin/env bash
# A killed server loses nothing: kill -9 in the middle of an LFS upload and of a commit body,
# and with a ref lock left behind, then restart on the same data folder. Every repository must
# be at its last acknowledged commit, no partial object may be visible, and writes must work.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/harness.sh"
start() { start_server "$WORK/data"; }
kill9() { kill -9 "$PID"; wait "$PID" 2>/dev/null || true; PID=""; }

"$BIN" user create alice --data "$WORK/data" 2>/dev/null
T=$("$BIN" token create --user alice --role write --data "$WORK/data")
AUTH=(-H "Authorization: Bearer $T")
start
curl -sf -X POST "$B/api/repos/create" "${AUTH[@]}" -d '{"name":"r"}' >/dev/null
commit() {  # commit PATH CONTENT
  printf '{"key":"header","value":{"summary":"add %s"}}\n{"key":"file","value":{"path":"%s","content":"%s","encoding":"base64"}}\n' \
    "$1" "$1" "$(printf '%s' "$2" | base64 -w0)" |
    curl -s -o /dev/null -w '%{http_code}' -X POST "$B/api/models/alice/r/commit/main" "${AUTH[@]}" \
      -H 'Content-Type: application/x-ndjson' --data-binary @-
}
head_sha() { curl -sf "$B/api/models/alice/r/revision/main" | sed -n 's/.*"sha":"\([0-9a-f]\{40\}\)".*/\1/p'; }

check "a first commit is acknowledged" '[[ $(commit a.txt first) == 200 ]]'
acked=$(head_sha)

# 1. kill -9 while an LFS object streams in.
head -c 50000000 /dev/urandom > "$WORK/big.bin"
OID=$(sha256sum "$WORK/big.bin" | cut -d' ' -f1)
batch() {
  curl -sf -X POST "$B/alice/r.git/info/lfs/objects/batch" "${AUTH[@]}" \
    -H 'Content-Type: application/vnd.git-lfs+json' \
    -d "{\"operation\":\"upload\",\"transfers\":[\"basic\"],\"objects\":[{\"oid\":\"$OID\",\"size\":50000000}]}"
}
HREF=$(batch | sed -n 's/.*"upload":{[^}]*"href":"\([^"]*\)".*/\1/p')
curl -s -T "$WORK/big.bin" --limit-rate 5M "$HREF" >/dev/null 2>&1 &
CURL=$!
sleep 1.5
kill9
wait "$CURL" 2>/dev/null || true

# 2. kill -9 in the middle of a commit body (the body never finishes arriving).
start
( printf '{"key":"header","value":{"summary":"half"}}\n{"key":"file","value":{"path":"half.txt","content":"'
  head -c 3000000 /dev/zero | base64 -w0 | head -c 2000000; sleep 5 ) |
  curl -s -X POST "$B/api/models/alice/r/commit/main" "${AUTH[@]}" \
    -H 'Content-Type: application/x-ndjson' --data-binary @- >/dev/null 2>&1 &
CURL=$!
sleep 1
kill9
wait "$CURL" 2>/dev/null || true

# 3. A crash that leaves git's ref lock behind.
repo_dir=$(ls -d "$WORK"/data/repos/*.git | head -1)
echo "$acked" > "$repo_dir/refs/heads/main.lock"

start
check "the repository is at its last acknowledged commit" '[[ $(head_sha) == "$acked" ]]'
check "the acknowledged file is intact" '[[ $(curl -sf "$B/alice/r/resolve/main/a.txt") == first ]]'
check "the half-sent commit left no file" \
  '[[ $(curl -s -o /dev/null -w "%{http_code}" "$B/alice/r/resolve/main/half.txt") == 404 ]]'
check "the interrupted LFS object is not visible (the batch asks for it again)" \
  'batch | grep -q "\"upload\""'
check "no stale upload files remain" '[[ -z "$(ls -A "$WORK/data/lfs/tmp")" ]]'
check "a commit after the restart succeeds (stale ref lock recovered)" '[[ $(commit b.txt second) == 200 ]]'
check "and moves the branch" '[[ $(head_sha) != "$acked" && $(curl -sf "$B/alice/r/resolve/main/b.txt") == second ]]'
HREF=$(batch | sed -n 's/.*"upload":{[^}]*"href":"\([^"]*\)".*/\1/p')
check "the LFS upload can be redone and is stored whole" \
  '[[ $(curl -s -o /dev/null -w "%{http_code}" -T "$WORK/big.bin" "$HREF") == 200 ]] && ! batch | grep -q "\"actions\""'

finish
