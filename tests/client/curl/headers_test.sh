#!/usr/bin/env bash
# Wire-level checks of the HF Hub contract (docs: /work/shared/reference/hf-api-contract.md,
# §11 cheat-sheet) with curl against a real `vitrine serve` started on a free port.
#
# Prints `ok - NAME` / `not ok - NAME` per check, then `N passed, M failed`; exits non-zero
# when anything failed. Needs bash, curl, jq, git (hash-object), sha256sum, base64.
#
# VITRINE_BIN: server binary (absolute, or relative to the repository root; default build/vitrine).
# VITRINE_KEEP=1 keeps the data folder; VERBOSE=1 prints every request.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
BIN="${VITRINE_BIN:-build/vitrine}"
case "$BIN" in /*) ;; *) BIN="$root/$BIN" ;; esac

for tool in curl jq git sha256sum base64 head cmp; do
  command -v "$tool" >/dev/null 2>&1 || { echo "headers_test: '$tool' is required" >&2; exit 1; }
done
[ -x "$BIN" ] || { echo "headers_test: vitrine binary not found at $BIN (set VITRINE_BIN)" >&2; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/vitrine-curl-XXXXXX")"
DATA="$WORK/data"
mkdir -p "$DATA" "$WORK/f"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  if [ -n "${VITRINE_KEEP:-}" ]; then echo "# kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

die() { echo "headers_test: setup failed: $*" >&2; [ -f "$WORK/server.err" ] && tail -20 "$WORK/server.err" >&2; exit 1; }

# ---------------------------------------------------------------- server
"$BIN" user create alice --data "$DATA" >/dev/null || die "user create alice"
"$BIN" user create bob --data "$DATA" >/dev/null || die "user create bob"
TOK="$("$BIN" token create --user alice --role write --data "$DATA")" || die "token create alice"
BOB="$("$BIN" token create --user bob --role write --data "$DATA")" || die "token create bob"
[[ "$TOK" =~ ^hf_[A-Za-z0-9]+$ ]] || die "token create printed '$TOK'"
[[ "$BOB" =~ ^hf_[A-Za-z0-9]+$ ]] || die "token create printed '$BOB'"

PAGE=3
start_server() { # args: extra serve flags
  : >"$WORK/server.out"; : >"$WORK/server.err"
  "$BIN" serve --data "$DATA" --listen 127.0.0.1:0 "$@" >"$WORK/server.out" 2>"$WORK/server.err" &
  SERVER_PID=$!
  for _ in $(seq 200); do
    if grep -q "listening on http://" "$WORK/server.out"; then return 0; fi
    kill -0 "$SERVER_PID" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
TREE_PAGING=1
if ! start_server --tree-page-size "$PAGE"; then
  if grep -qi "tree-page-size" "$WORK/server.err"; then
    echo "# server refused --tree-page-size: $(head -c 200 "$WORK/server.err")" >&2
    TREE_PAGING=0
    start_server || die "server did not start"
  else
    die "server did not print 'listening on' (see stderr above)"
  fi
fi
BASE="$(grep -o 'listening on http://[^[:space:]]*' "$WORK/server.out" | head -1 | sed 's/^listening on //; s:/*$::')"
echo "# server at $BASE (pid $SERVER_PID)"

# ---------------------------------------------------------------- request helpers
# req METHOD PATH [curl args...]  → sets STATUS; headers in $H, body in $B.
H="$WORK/h"; B="$WORK/b"; NOREQID="$WORK/no-request-id"; : >"$NOREQID"
req() {
  local method="$1" path="$2"; shift 2
  local m=(-X "$method")
  [ "$method" = HEAD ] && m=(--head)
  : >"$B"; : >"$H"   # curl does not create -o when there is no body (304, HEAD)
  STATUS="$(curl -sS -g "${m[@]}" -o "$B" -D "$H" -w '%{http_code}' "$@" "$BASE$path")" || STATUS=000
  [ "$method" = HEAD ] && : >"$B"
  [ -n "${VERBOSE:-}" ] && echo "    $method $path -> $STATUS" >&2
  if [ -z "$(hdr X-Request-Id)" ]; then echo "$method $path -> $STATUS" >>"$NOREQID"; fi
  return 0
}
auth() { echo "Authorization: Bearer $1"; }
# hdr NAME → value of the header in the last response (empty if absent).
hdr() { tr -d '\r' <"$H" | awk -v n="$(echo "$1" | tr 'A-Z' 'a-z')" 'BEGIN{IGNORECASE=1} /^HTTP\//{v=""; f=0} { i=index($0,":"); if(i>0 && tolower(substr($0,1,i-1))==n){v=substr($0,i+1); sub(/^[ \t]+/,"",v); f=1} } END{ if(f) print v }'; }
has_hdr() { tr -d '\r' <"$H" | grep -qi "^$1:"; }
body() { cat "$B"; }
# req_all PATH [curl args...]: GET every page (following Link rel="next"), $B = all items in one array.
req_all() {
  local url="$1" n=0; shift
  echo '[]' >"$WORK/all.json"
  while [ -n "$url" ] && [ "$n" -lt 100 ]; do
    req GET "$url" "$@"
    [ "$STATUS" = 200 ] || return 0
    jq -s '.[0] + .[1]' "$WORK/all.json" "$B" >"$WORK/all2.json" && mv "$WORK/all2.json" "$WORK/all.json"
    url=""
    if [[ "$(hdr Link)" =~ $LINK_RE ]]; then url="${BASH_REMATCH[1]#"$BASE"}"; fi
    n=$((n + 1))
  done
  cp "$WORK/all.json" "$B"
}
jbody() { jq -r "$1" <"$B"; }

# assertions: print the reason and return 1 (the test subshell runs with set -e).
fail() { echo "    # $*" >&2; return 1; }
eq() { [ "$1" = "$2" ] || fail "${3:-value}: got '$1', expected '$2'"; }
match() { [[ "$1" =~ $2 ]] || fail "${3:-value}: '$1' does not match /$2/"; }
status_is() { [ "$STATUS" = "$1" ] || fail "status $STATUS, expected $1; body: $(head -c 300 "$B")"; }
hdr_is() { eq "$(hdr "$1")" "$2" "header $1"; }
hdr_present() { [ -n "$(hdr "$1")" ] || fail "header $1 missing"; }
hdr_absent() { ! has_hdr "$1" || fail "header $1 must be absent (got '$(hdr "$1")')"; }
body_is_file() { cmp -s "$B" "$1" || fail "body differs from $1 ($(wc -c <"$B") vs $(wc -c <"$1") bytes)"; }
err_is() { # STATUS CODE — an error response with X-Error-Code, X-Request-Id, JSON {"error"}
  status_is "$1"
  [ -z "${2:-}" ] || hdr_is X-Error-Code "$2"
  hdr_present X-Request-Id
  hdr_present X-Error-Message
  match "$(hdr Content-Type)" '^application/json' "error Content-Type"
  jq -e '.error | type == "string"' <"$B" >/dev/null 2>&1 || fail "error body is not JSON {\"error\": …}: $(head -c 200 "$B")"
}

# Link: <ABSOLUTE_URL>; rel="next" (the JS parser needs the absolute URL, ';', at least one space).
LINK_RE='^<(https?://[^>]+)>; +rel="next"$'

PASSED=0; FAILED=0; FAILED_NAMES=()
t() { # t NAME FUNCTION
  local name="$1" fn="$2" rc
  set +e
  : >"$WORK/t.trace"
  ( set -eE; trap 'echo "    # failed: $BASH_COMMAND (line $LINENO)" >>"$WORK/t.trace"' ERR; "$fn" ) 2>"$WORK/t.err"
  rc=$?
  set -e
  if [ "$rc" -eq 0 ]; then
    echo "ok - $name"; PASSED=$((PASSED + 1))
  else
    echo "not ok - $name"; sed 's/^/  /' "$WORK/t.err"
    grep -q '# ' "$WORK/t.err" || sed 's/^/  /' "$WORK/t.trace" | head -3; FAILED=$((FAILED + 1)); FAILED_NAMES+=("$name")
  fi
}

# ---------------------------------------------------------------- API helpers used by setup and tests
R=alice/hdr-model
create_repo() { # name [private-bool] [type]
  req POST /api/repos/create -H "$(auth "$TOK")" -H 'Content-Type: application/json' \
    --data "{\"name\":\"$1\",\"organization\":\"alice\",\"type\":\"${3:-model}\",\"private\":${2:-false}}"
}
main_sha() { # repo [rev]
  curl -sS -H "$(auth "$TOK")" "$BASE/api/models/$1/revision/${2:-main}" | jq -r .sha
}
# ndjson commit: commit REPO REV QUERY LINE... (LINE = JSON object per line, header first)
commit() {
  local repo="$1" rev="$2" query="$3"; shift 3
  printf '%s\n' "$@" >"$WORK/commit.ndjson"
  req POST "/api/models/$repo/commit/$rev$query" -H "$(auth "$TOK")" -H 'Content-Type: application/x-ndjson' \
    --data-binary @"$WORK/commit.ndjson"
}
hdr_line() { # summary [parentCommit]
  if [ -n "${2:-}" ]; then
    jq -cn --arg s "$1" --arg p "$2" '{key:"header",value:{summary:$s,description:"",parentCommit:$p}}'
  else
    jq -cn --arg s "$1" '{key:"header",value:{summary:$s,description:""}}'
  fi
}
file_line() { # path localfile
  base64 -w0 <"$2" | jq -cRs --arg p "$1" '{key:"file",value:{path:$p,content:.,encoding:"base64"}}'
}
lfs_line() { # path oid size
  jq -cn --arg p "$1" --arg o "$2" --argjson s "$3" '{key:"lfsFile",value:{path:$p,algo:"sha256",oid:$o,size:$s}}'
}
sha256() { sha256sum "$1" | cut -d' ' -f1; }
fsize() { wc -c <"$1" | tr -d ' '; }
lfs_batch() { # repo oid size → batch response in $B
  req POST "/$1.git/info/lfs/objects/batch" -H "$(auth "$TOK")" \
    -H 'Accept: application/vnd.git-lfs+json' -H 'Content-Type: application/vnd.git-lfs+json' \
    --data "{\"operation\":\"upload\",\"transfers\":[\"basic\"],\"hash_algo\":\"sha_256\",\"ref\":{\"name\":\"main\"},\"objects\":[{\"oid\":\"$2\",\"size\":$3}]}"
}
lfs_upload() { # repo localfile → uploads with basic PUT (if needed)
  local oid size href
  oid="$(sha256 "$2")"; size="$(fsize "$2")"
  lfs_batch "$1" "$oid" "$size"
  [ "$STATUS" = 200 ] || return 1
  href="$(jq -r '.objects[0].actions.upload.href // empty' <"$B")"
  if [ -n "$href" ]; then
    curl -sS -o /dev/null -w '%{http_code}' -X PUT --data-binary @"$2" "$href" >"$WORK/put.status"
    [[ "$(cat "$WORK/put.status")" =~ ^2 ]] || return 1
  fi
}

# ---------------------------------------------------------------- setup: one repo with known content
printf 'hello world\n' >"$WORK/f/hello.txt"
: >"$WORK/f/empty.txt"
printf 'in a dir\n' >"$WORK/f/a.txt"
head -c 102400 /dev/urandom >"$WORK/f/blob.bin"
printf 'from a pull request\n' >"$WORK/f/pr.txt"
for i in 1 2 3 4 5; do printf 'file %s\n' "$i" >"$WORK/f/n$i.txt"; done

create_repo hdr-model
[ "$STATUS" = 200 ] || die "create repo: $STATUS $(body)"
lfs_upload "$R" "$WORK/f/blob.bin" || die "LFS upload of blob.bin: $STATUS $(body)"
BLOB_OID="$(sha256 "$WORK/f/blob.bin")"; BLOB_SIZE=102400
commit "$R" main "" "$(hdr_line 'add files')" \
  "$(file_line hello.txt "$WORK/f/hello.txt")" "$(file_line empty.txt "$WORK/f/empty.txt")" \
  "$(file_line dir/a.txt "$WORK/f/a.txt")" "$(lfs_line blob.bin "$BLOB_OID" "$BLOB_SIZE")" \
  "$(file_line many/n1.txt "$WORK/f/n1.txt")" "$(file_line many/n2.txt "$WORK/f/n2.txt")" \
  "$(file_line many/n3.txt "$WORK/f/n3.txt")" "$(file_line many/n4.txt "$WORK/f/n4.txt")" \
  "$(file_line many/n5.txt "$WORK/f/n5.txt")"
[ "$STATUS" = 200 ] || die "commit: $STATUS $(body)"
SHA1="$(jq -r .commitOid <"$B")"
[[ "$SHA1" =~ ^[0-9a-f]{40}$ ]] || die "commitOid '$SHA1'"
req POST "/api/models/$R/tag/main" -H "$(auth "$TOK")" -H 'Content-Type: application/json' --data '{"tag":"v1.0"}'
[ "$STATUS" = 200 ] || die "create tag: $STATUS $(body)"
commit "$R" main "?create_pr=1" "$(hdr_line 'a PR')" "$(file_line pr.txt "$WORK/f/pr.txt")"
[ "$STATUS" = 200 ] || die "create_pr commit: $STATUS $(body)"
PR_SHA="$(jq -r .commitOid <"$B")"
PR_URL="$(jq -r .pullRequestUrl <"$B")"
NCOMMITS=2 # initial commit + 'add files' on main
GITSHA_HELLO="$(git hash-object "$WORK/f/hello.txt")"
POINTER="$(printf 'version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize %s\n' "$BLOB_OID" "$BLOB_SIZE")"
printf '%s\n' "$POINTER" >"$WORK/f/pointer.txt"
create_repo hdr-private true
[ "$STATUS" = 200 ] || die "create private repo: $STATUS $(body)"

# ---------------------------------------------------------------- tests
t_create_response() {
  eq "$(main_sha "$R")" "$SHA1" "main sha after setup"
  eq "$PR_URL" "$BASE/$R/discussions/1" "pullRequestUrl"
  match "$PR_SHA" '^[0-9a-f]{40}$' "PR commitOid"
}
t "setup: commit response, PR url, main sha" t_create_response

t_resolve_head_regular() {
  req HEAD "/$R/resolve/main/hello.txt"
  status_is 200
  hdr_is X-Repo-Commit "$SHA1"
  match "$(hdr ETag)" "^(W/)?\"$GITSHA_HELLO\"$" ETag
  hdr_is Content-Length 12
  hdr_is Accept-Ranges bytes
  hdr_present X-Request-Id
  hdr_absent X-Linked-Etag
  hdr_absent X-Xet-Hash
  eq "$(fsize "$B")" 0 "HEAD body size"
}
t "resolve HEAD regular file: X-Repo-Commit, ETag=git sha1, Content-Length, Accept-Ranges" t_resolve_head_regular

t_resolve_get_regular() {
  req GET "/$R/resolve/main/hello.txt"
  status_is 200
  hdr_is X-Repo-Commit "$SHA1"
  match "$(hdr ETag)" "^(W/)?\"$GITSHA_HELLO\"$" ETag
  hdr_is Content-Length 12
  hdr_is Accept-Ranges bytes
  body_is_file "$WORK/f/hello.txt"
}
t "resolve GET regular file: headers and exact bytes" t_resolve_get_regular

t_resolve_lfs() {
  local m
  for m in HEAD GET; do
    req "$m" "/$R/resolve/main/blob.bin"
    hdr_is X-Repo-Commit "$SHA1"
    hdr_is X-Linked-Etag "\"$BLOB_OID\""
    hdr_is X-Linked-Size "$BLOB_SIZE"
    # Stored in Xet form: Xet-aware clients get its id and where to get a read token.
    match "$(hdr X-Xet-Hash)" '^[0-9a-f]{64}$' "X-Xet-Hash"
    match "$(hdr Link)" 'rel="xet-auth"' "Link xet-auth"
    match "$(hdr Link)" 'rel="xet-reconstruction-info"' "Link xet-reconstruction-info"
    match "$(hdr X-Xet-Refresh-Route)" "^$BASE/api/models/$R/xet-read-token/$SHA1\$" "X-Xet-Refresh-Route"
    if [ "$STATUS" = 200 ]; then
      hdr_is Content-Length "$BLOB_SIZE"
      hdr_present ETag
      hdr_is Accept-Ranges bytes
      [ "$m" = HEAD ] || body_is_file "$WORK/f/blob.bin"
    elif [[ "$STATUS" =~ ^30[27]$ ]]; then
      hdr_present Location
    else
      fail "$m LFS resolve: status $STATUS"
    fi
  done
  curl -sSL -o "$WORK/dl.bin" "$BASE/$R/resolve/main/blob.bin"
  cmp -s "$WORK/dl.bin" "$WORK/f/blob.bin" || fail "LFS download bytes differ"
}
t "resolve HEAD/GET LFS file: X-Linked-Etag=sha256, X-Linked-Size, Content-Length, bytes" t_resolve_lfs

t_range_0_0() {
  req GET "/$R/resolve/main/hello.txt" -H 'Range: bytes=0-0'
  status_is 206
  hdr_is Content-Range "bytes 0-0/12"
  hdr_is Content-Length 1
  eq "$(body)" "h" body
  hdr_is X-Repo-Commit "$SHA1"
  hdr_present ETag
  req GET "/$R/resolve/main/blob.bin" -H 'Range: bytes=0-0'
  status_is 206
  hdr_is Content-Range "bytes 0-0/$BLOB_SIZE"
  hdr_is Content-Length 1
  hdr_is X-Linked-Etag "\"$BLOB_OID\""
  eq "$(od -An -tx1 "$B" | tr -d ' \n')" "$(head -c1 "$WORK/f/blob.bin" | od -An -tx1 | tr -d ' \n')" "first byte"
}
t "Range bytes=0-0 → 206 Content-Range bytes 0-0/N (regular and LFS)" t_range_0_0

t_range_open() {
  req GET "/$R/resolve/main/hello.txt" -H 'Range: bytes=5-'
  status_is 206
  hdr_is Content-Range "bytes 5-11/12"
  hdr_is Content-Length 7
  eq "$(body)" " world" body
}
t "Range bytes=5- → 206 bytes 5-11/12" t_range_open

t_range_suffix() {
  req GET "/$R/resolve/main/hello.txt" -H 'Range: bytes=-3'
  status_is 206
  hdr_is Content-Range "bytes 9-11/12"
  hdr_is Content-Length 3
  printf 'ld\n' >"$WORK/suffix.txt"
  body_is_file "$WORK/suffix.txt"
}
t "Range suffix bytes=-3 → 206 bytes 9-11/12" t_range_suffix

t_range_mid_lfs() {
  req GET "/$R/resolve/main/blob.bin" -H 'Range: bytes=1000-1999'
  status_is 206
  hdr_is Content-Range "bytes 1000-1999/$BLOB_SIZE"
  hdr_is Content-Length 1000
  dd if="$WORK/f/blob.bin" of="$WORK/slice.bin" bs=1000 skip=1 count=1 status=none
  body_is_file "$WORK/slice.bin"
  req GET "/$R/resolve/main/blob.bin" -H "Range: bytes=100000-999999"
  status_is 206
  hdr_is Content-Range "bytes 100000-102399/$BLOB_SIZE"
  hdr_is Content-Length 2400
}
t "Range inside an LFS file (exact slice; end clamped to size)" t_range_mid_lfs

t_range_past_end() {
  req GET "/$R/resolve/main/hello.txt" -H 'Range: bytes=100-200'
  status_is 416
  hdr_present X-Request-Id
  req GET "/$R/resolve/main/blob.bin" -H "Range: bytes=$BLOB_SIZE-"
  status_is 416
}
t "Range past the end → 416" t_range_past_end

t_empty_file() {
  req GET "/$R/resolve/main/empty.txt"
  status_is 200
  hdr_is Content-Length 0
  hdr_is X-Repo-Commit "$SHA1"
  hdr_present ETag
  req HEAD "/$R/resolve/main/empty.txt"
  status_is 200
  hdr_is Content-Length 0
  req GET "/$R/resolve/main/empty.txt" -H 'Range: bytes=0-0'
  status_is 200
  hdr_is Content-Length 0
  hdr_is Content-Range "bytes */0"
}
t "empty file: 200 Content-Length 0; with Range 0-0 → 200 + Content-Range bytes */0" t_empty_file

t_if_none_match() {
  req GET "/$R/resolve/main/hello.txt"
  local etag; etag="$(hdr ETag)"
  req GET "/$R/resolve/main/hello.txt" -H "If-None-Match: $etag"
  status_is 304
  eq "$(fsize "$B")" 0 "304 body"
  hdr_present X-Request-Id
  req GET "/$R/resolve/main/blob.bin" -H "If-None-Match: \"$BLOB_OID\""
  status_is 304
  req GET "/$R/resolve/main/hello.txt" -H 'If-None-Match: "0000000000000000000000000000000000000000"'
  status_is 200
}
t "If-None-Match with the current ETag → 304 (regular and LFS); other tag → 200" t_if_none_match

t_raw() {
  req GET "/$R/raw/main/blob.bin"
  status_is 200
  body_is_file "$WORK/f/pointer.txt"
  hdr_is X-Repo-Commit "$SHA1"
  req HEAD "/$R/raw/main/blob.bin"
  status_is 200
  hdr_is Content-Length "$(fsize "$WORK/f/pointer.txt")"
  req GET "/$R/raw/main/hello.txt"
  status_is 200
  body_is_file "$WORK/f/hello.txt"
  req HEAD "/$R/raw/main/nope.txt" -H "$(auth "$TOK")"
  status_is 404
  hdr_is X-Error-Code EntryNotFound
}
t "raw returns the LFS pointer text; regular files as is; 404 EntryNotFound" t_raw

t_revision_forms() {
  local short="${SHA1:0:7}"
  for rev in main v1.0 "$SHA1" HEAD; do
    req GET "/$R/resolve/$rev/hello.txt"
    [ "$STATUS" = 200 ] || fail "resolve at '$rev': $STATUS"
    hdr_is X-Repo-Commit "$SHA1"
    body_is_file "$WORK/f/hello.txt"
  done
  req GET "/$R/resolve/refs%2Fheads%2Fmain/hello.txt"
  [ "$STATUS" = 200 ] || fail "resolve at refs%2Fheads%2Fmain: $STATUS"
  req GET "/api/models/$R/revision/v1.0"
  status_is 200
  eq "$(jbody .sha)" "$SHA1" "sha at tag"
  req GET "/api/models/$R/revision/HEAD"
  status_is 200
  eq "$(jbody .sha)" "$SHA1" "sha at HEAD"
}
t "revision forms: branch, tag, full sha, HEAD, refs%2Fheads%2Fmain" t_revision_forms

t_short_sha() {
  req GET "/$R/resolve/${SHA1:0:7}/hello.txt"
  status_is 200
  hdr_is X-Repo-Commit "$SHA1"
}
t "revision form: short sha (optional in the contract)" t_short_sha

t_pr_revision() {
  req GET "/$R/resolve/refs%2Fpr%2F1/pr.txt"
  status_is 200
  hdr_is X-Repo-Commit "$PR_SHA"
  body_is_file "$WORK/f/pr.txt"
  req GET "/$R/resolve/refs/pr/1/pr.txt"
  status_is 200
  hdr_is X-Repo-Commit "$PR_SHA"
  body_is_file "$WORK/f/pr.txt"
  req GET "/$R/resolve/main/pr.txt"
  status_is 404
  hdr_is X-Error-Code EntryNotFound
  req_all "/api/models/$R/tree/refs/pr/1?recursive=false"
  status_is 200
  jq -e 'map(.path) | index("pr.txt") != null' <"$B" >/dev/null || fail "raw refs/pr/1 tree lacks pr.txt: $(body)"
  req GET "/api/models/$R/tree/refs%2Fpr%2F1/dir"
  status_is 200
  eq "$(jbody '[.[].path] | join(",")')" "dir/a.txt" "tree refs%2Fpr%2F1/dir"
  req GET "/api/models/$R/tree/refs/pr/1/dir"
  status_is 200
  eq "$(jbody '[.[].path] | join(",")')" "dir/a.txt" "tree refs/pr/1/dir (raw)"
  req GET "/api/models/$R/revision/refs%2Fpr%2F1"
  status_is 200
  eq "$(jbody .sha)" "$PR_SHA" "sha at refs/pr/1"
  req GET "/api/models/$R/commits/refs/pr/1"
  status_is 200
  eq "$(jbody '.[0].id')" "$PR_SHA" "commits at raw refs/pr/1"
  req GET "/api/models/$R/refs?include_prs=1"
  status_is 200
  eq "$(jbody '[.pullRequests[].ref] | join(",")')" "refs/pr/1" "refs pullRequests"
}
t "refs/pr/1 as refs%2Fpr%2F1 and raw (resolve, tree, revision, commits, refs)" t_pr_revision

t_missing_repo() {
  local p
  for p in "/alice/nope/resolve/main/x.txt" "/api/models/alice/nope" "/api/models/alice/nope/tree/main" "/api/datasets/alice/nope" "/api/models/repo-that-does-not-exist"; do
    req GET "$p"
    err_is 401 RepoNotFound
    req GET "$p" -H "$(auth "$TOK")"
    err_is 404 RepoNotFound
  done
  eq "$(jbody .error)" "Repository not found" "error message"
  req HEAD "/alice/nope/resolve/main/x.txt"
  status_is 401
  hdr_is X-Error-Code RepoNotFound
}
t "missing repo: 401 anonymous / 404 with token, RepoNotFound, {\"error\":\"Repository not found\"}" t_missing_repo

t_private_repo() {
  req GET "/alice/hdr-private/resolve/main/.gitattributes"
  err_is 401 RepoNotFound
  req GET "/alice/hdr-private/resolve/main/.gitattributes" -H "$(auth "$BOB")"
  err_is 404 RepoNotFound
  eq "$(jbody .error)" "Repository not found" "error message"
  req GET "/api/models/alice/hdr-private" -H "$(auth "$BOB")"
  err_is 404 RepoNotFound
  req GET "/alice/hdr-private/resolve/main/.gitattributes" -H "$(auth "$TOK")"
  status_is 200
}
t "private repo: 401 anonymous / 404 for another user / 200 for owner" t_private_repo

t_bad_token() {
  local bad="hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
  req GET /api/whoami-v2 -H "$(auth "$bad")"
  status_is 401
  hdr_is X-Error-Message "Invalid credentials in Authorization header"
  req GET "/api/models/$R" -H "$(auth "$bad")"
  status_is 401
  hdr_is X-Error-Message "Invalid credentials in Authorization header"
  printf '%s\n' "$(hdr_line 'x')" "$(file_line bad.txt "$WORK/f/hello.txt")" >"$WORK/commit.ndjson"
  req POST "/api/models/$R/commit/main" -H "$(auth "$bad")" -H 'Content-Type: application/x-ndjson' --data-binary @"$WORK/commit.ndjson"
  status_is 401
  hdr_is X-Error-Message "Invalid credentials in Authorization header"
  req GET /api/whoami-v2
  status_is 401
  eq "$(main_sha "$R")" "$SHA1" "main sha"
}
t "bad token → 401 with X-Error-Message 'Invalid credentials in Authorization header'" t_bad_token
SHA_NOW="$(main_sha "$R")"

t_missing_revision() {
  req GET "/$R/resolve/nope-branch/hello.txt"
  err_is 404 RevisionNotFound
  req HEAD "/$R/resolve/nope-branch/hello.txt"
  status_is 404
  hdr_is X-Error-Code RevisionNotFound
  req GET "/api/models/$R/revision/nope-branch"
  err_is 404 RevisionNotFound
  req GET "/api/models/$R/tree/nope-branch"
  err_is 404 RevisionNotFound
  req GET "/api/models/$R/commits/nope-branch"
  err_is 404 RevisionNotFound
  req GET "/$R/resolve/0000000000000000000000000000000000000000/hello.txt"
  err_is 404 RevisionNotFound
}
t "missing revision → 404 RevisionNotFound (resolve, revision, tree, commits)" t_missing_revision

t_missing_file() {
  req GET "/$R/resolve/main/nope.txt"
  err_is 404 EntryNotFound
  hdr_is X-Repo-Commit "$SHA_NOW"
  req HEAD "/$R/resolve/main/nope.txt"
  status_is 404
  hdr_is X-Error-Code EntryNotFound
  hdr_is X-Repo-Commit "$SHA_NOW"
  req GET "/$R/resolve/main/dir"
  err_is 404 EntryNotFound
  req GET "/$R/resolve/main/dir/"
  err_is 404 EntryNotFound
  req GET "/api/models/$R/tree/main/no/such/dir"
  err_is 404 EntryNotFound
}
t "missing file / directory path → 404 EntryNotFound with X-Repo-Commit" t_missing_file

bad_path_commit() { # path
  local line
  line="$(jq -cn --arg p "$1" --arg c "$(base64 -w0 <"$WORK/f/hello.txt")" '{key:"file",value:{path:$p,content:$c,encoding:"base64"}}')"
  commit "$R" main "" "$(hdr_line 'bad path')" "$line"
  [ "$STATUS" = 422 ] || fail "path '$1': status $STATUS, expected 422; body: $(head -c 200 "$B")"
  hdr_present X-Error-Message
  eq "$(main_sha "$R")" "$SHA_NOW" "main sha after refused commit ($1)"
}
t_bad_paths() {
  bad_path_commit "../x"
  bad_path_commit '..\ddd'
  bad_path_commit "dir/../../x"
  bad_path_commit "/abs.txt"
  bad_path_commit ".git/config"
  bad_path_commit 'a\b.txt'
}
t "commit with ../x, ..\\ddd, /abs, .git/, backslash → 422, repo unchanged" t_bad_paths

t_malformed_ndjson() {
  printf '{"key":"header","value":{"summary":"x"}}\n{not json\n' >"$WORK/bad.ndjson"
  req POST "/api/models/$R/commit/main" -H "$(auth "$TOK")" -H 'Content-Type: application/x-ndjson' --data-binary @"$WORK/bad.ndjson"
  status_is 400
  hdr_present X-Error-Message
  commit "$R" main "" "$(hdr_line 'x')" '{"key":"bogusOp","value":{"path":"x.txt"}}'
  status_is 400
  hdr_present X-Error-Message
  commit "$R" main "" '{"key":"file","value":{"path":"x.txt","content":"eA==","encoding":"base64"}}'
  [[ "$STATUS" =~ ^4 ]] || fail "commit without header line: $STATUS"
  eq "$(main_sha "$R")" "$SHA_NOW" "main sha"
}
t "malformed NDJSON / unknown op / missing header → 400, repo unchanged" t_malformed_ndjson

t_lfs_missing_object() {
  local oid; oid="$(printf 'never uploaded %s' "$RANDOM" | sha256sum | cut -d' ' -f1)"
  commit "$R" main "" "$(hdr_line 'ghost')" "$(lfs_line ghost.bin "$oid" 1234)"
  [[ "$STATUS" =~ ^4 ]] || fail "lfsFile for an object never uploaded: status $STATUS"
  hdr_present X-Error-Message
  eq "$(main_sha "$R")" "$SHA_NOW" "main sha"
}
t "lfsFile pointing to an object never uploaded → 4xx, repo unchanged" t_lfs_missing_object

t_lfs_wrong_content() {
  head -c 5000 /dev/urandom >"$WORK/f/real.bin"
  head -c 5000 /dev/urandom >"$WORK/f/other.bin"
  local oid href code; oid="$(sha256 "$WORK/f/real.bin")"
  lfs_batch "$R" "$oid" 5000
  status_is 200
  match "$(hdr Content-Type)" '^application/(vnd\.git-lfs\+)?json' "batch Content-Type"
  eq "$(jbody '.objects[0].oid')" "$oid" "object oid"
  eq "$(jbody '.objects[0].size')" 5000 "object size"
  [ "$(jbody .transfer)" != xet ] || fail "transfer must not be xet unless the client offers it"
  href="$(jbody '.objects[0].actions.upload.href')"
  match "$href" "^$BASE/" "upload href uses the public base URL"
  code="$(curl -sS -o /dev/null -w '%{http_code}' -X PUT --data-binary @"$WORK/f/other.bin" "$href")"
  [[ "$code" =~ ^4 ]] || fail "PUT with wrong content: $code, expected 4xx"
  if [[ "$href" == *"?"* ]]; then
    code="$(curl -sS -o /dev/null -w '%{http_code}' -X PUT --data-binary @"$WORK/f/real.bin" "${href%%\?*}")"
    [[ "$code" =~ ^4 ]] || fail "PUT to the href without its query (signature): $code, expected 4xx"
  fi
  lfs_batch "$R" "$oid" 5000
  [ "$(jbody '.objects[0].actions.upload.href // empty')" != "" ] || fail "object must still be missing after a bad PUT"
  commit "$R" main "" "$(hdr_line 'bad lfs')" "$(lfs_line real.bin "$oid" 5000)"
  [[ "$STATUS" =~ ^4 ]] || fail "commit of an object whose PUT failed: $STATUS"
  # Now the right content: accepted, and the batch no longer asks for it.
  code="$(curl -sS -o /dev/null -w '%{http_code}' -X PUT --data-binary @"$WORK/f/real.bin" "$href")"
  [[ "$code" =~ ^2 ]] || fail "PUT with right content: $code"
  lfs_batch "$R" "$oid" 5000
  eq "$(jbody '.objects[0].actions // "none"')" none "actions for a stored object"
  eq "$(jbody '.objects[0].oid')" "$oid" "object oid (stored)"
  eq "$(main_sha "$R")" "$SHA_NOW" "main sha"
}
t "LFS batch shape; PUT with wrong content → 4xx and not stored; unsigned href refused" t_lfs_wrong_content

t_stale_parent() {
  local stale; stale="$(curl -sS "$BASE/api/models/$R/commits/main" | jq -r '.[-1].id')"
  [ "$stale" != "$SHA_NOW" ] || fail "test setup: initial commit and main must differ"
  commit "$R" main "" "$(hdr_line 'stale' "$stale")" "$(file_line stale.txt "$WORK/f/hello.txt")"
  status_is 412
  hdr_is X-Error-Message "The branch was updated since you opened this page. Please refresh and try again."
  eq "$(jbody .error)" "The branch was updated since you opened this page. Please refresh and try again." "error body"
  hdr_present X-Request-Id
  eq "$(main_sha "$R")" "$SHA_NOW" "main sha"
}
t "stale parentCommit → 412 with the exact contract message" t_stale_parent

t_current_parent() {
  commit "$R" main "" "$(hdr_line 'fresh' "$SHA_NOW")" "$(file_line fresh.txt "$WORK/f/hello.txt")"
  status_is 200
  match "$(jbody .commitOid)" '^[0-9a-f]{40}$' commitOid
  eq "$(jbody .commitUrl)" "$BASE/$R/commit/$(jbody .commitOid)" commitUrl
}
t "parentCommit equal to the head → 200 with commitUrl under the base URL" t_current_parent
NCOMMITS=$((NCOMMITS + 1))
SHA_NOW="$(main_sha "$R")"

t_create_twice() {
  create_repo hdr-model
  status_is 409
  eq "$(jbody .url)" "$BASE/$R" "url in 409 body"
  [ -n "$(jbody '.error // empty')" ] || fail "409 body needs an error message"
  hdr_present X-Error-Message
  create_repo hdr-ds false dataset
  status_is 200
  eq "$(jbody .url)" "$BASE/datasets/alice/hdr-ds" "dataset url"
  create_repo hdr-ds false dataset
  status_is 409
  eq "$(jbody .url)" "$BASE/datasets/alice/hdr-ds" "dataset url in 409"
}
t "create repo twice → 409 with url and error in JSON" t_create_twice

t_dataset_prefix() {
  req HEAD "/datasets/alice/hdr-ds/resolve/main/.gitattributes"
  status_is 200
  hdr_present X-Repo-Commit
  hdr_present ETag
  req GET "/api/datasets/alice/hdr-ds"
  status_is 200
  eq "$(jbody .id)" alice/hdr-ds "dataset id"
  req GET "/alice/hdr-ds/resolve/main/.gitattributes"
  err_is 401 RepoNotFound
  req GET "/api/models/alice/hdr-ds" -H "$(auth "$TOK")"
  err_is 404 RepoNotFound
}
t "dataset repos live under /datasets/ and /api/datasets/ only" t_dataset_prefix

t_tree_pagination() {
  [ "$TREE_PAGING" = 1 ] || fail "server refused --tree-page-size; pagination not testable"
  local url="/api/models/$R/tree/main?recursive=true" pages=0 all="$WORK/tree.all" link next
  : >"$all"
  while [ -n "$url" ] && [ "$pages" -lt 50 ]; do
    req GET "$url"
    status_is 200
    [ "$(jbody length)" -le "$PAGE" ] || fail "page of $(jbody length) entries > page size $PAGE"
    jq -r '.[].path' <"$B" >>"$all"
    pages=$((pages + 1))
    link="$(hdr Link)"
    if [ -n "$link" ]; then
      [[ "$link" =~ $LINK_RE ]] || fail "Link header shape: '$link'"
      next="${BASH_REMATCH[1]}"
      [[ "$next" == "$BASE/"* ]] || fail "Link must use the public base URL: $next"
      url="${next#"$BASE"}"
    else
      url=""
    fi
  done
  [ "$pages" -gt 1 ] || fail "expected several pages, got $pages"
  local expected=".gitattributes blob.bin dir dir/a.txt empty.txt fresh.txt hello.txt many many/n1.txt many/n2.txt many/n3.txt many/n4.txt many/n5.txt"
  eq "$(sort "$all" | tr '\n' ' ' | sed 's/ $//')" "$expected" "all pages together"
}
t "tree pagination: Link <abs-url>; rel=\"next\", pages cover everything once" t_tree_pagination

t_tree_shapes() {
  req_all "/api/models/$R/tree/main?recursive=False&expand=False"
  status_is 200
  eq "$(jbody '[.[].path] | sort | join(",")')" ".gitattributes,blob.bin,dir,empty.txt,fresh.txt,hello.txt,many" "non-recursive root (Python False)"
  req GET "/api/models/$R/tree/main/dir"
  status_is 200
  eq "$(jbody 'map(select(.path=="dir/a.txt"))[0].type')" file "entry type"
  eq "$(jbody 'map(select(.path=="dir/a.txt"))[0].size')" 9 "entry size"
  eq "$(jbody 'map(select(.path=="dir/a.txt"))[0].oid')" "$(git hash-object "$WORK/f/a.txt")" "entry oid"
  req GET "/api/models/$R/tree/main/dir/"
  status_is 200
  eq "$(jbody '[.[].path] | join(",")')" "dir/a.txt" "tree main/dir/"
  req GET "/api/models/$R/tree/main/many?recursive=false"
  [ "$(hdr Link)" != "" ] || [ "$TREE_PAGING" = 0 ] || fail "5 entries with page size 3 need a Link"
  req POST "/api/models/$R/paths-info/main" -H "$(auth "$TOK")" --data 'paths=blob.bin&paths=dir&paths=nope&expand=False'
  status_is 200
  eq "$(jbody 'map(.path) | sort | join(",")')" "blob.bin,dir" "paths-info (form)"
  eq "$(jbody 'map(select(.path=="blob.bin"))[0].lfs.oid')" "$BLOB_OID" "paths-info lfs.oid"
  eq "$(jbody 'map(select(.path=="blob.bin"))[0].lfs.size')" "$BLOB_SIZE" "paths-info lfs.size"
  eq "$(jbody 'map(select(.path=="blob.bin"))[0].size')" "$BLOB_SIZE" "paths-info size"
  eq "$(jbody 'map(select(.path=="dir"))[0].type')" directory "paths-info directory"
  req POST "/api/models/$R/paths-info/main" -H "$(auth "$TOK")" -H 'Content-Type: application/json' --data '{"paths":["hello.txt"],"expand":false}'
  status_is 200
  eq "$(jbody '.[0].oid')" "$GITSHA_HELLO" "paths-info (JSON) oid"
  jq -e '[.. | objects | has("xetHash")] | any | not' <"$B" >/dev/null || fail "regular files have no xetHash"
}
t "tree entries, Python-style booleans, trailing slash, paths-info (form and JSON)" t_tree_shapes

t_commits_total() {
  req GET "/api/models/$R/commits/main"
  status_is 200
  hdr_is X-Total-Count "$NCOMMITS"
  eq "$(jbody length)" "$NCOMMITS" "commit list length"
  eq "$(jbody '.[0].id')" "$SHA_NOW" "newest first"
  eq "$(jbody '.[0].authors[0].user')" alice "author"
  match "$(jbody '.[0].date')" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$' "date format"
  eq "$(jbody '.[0].title')" fresh "title"
  req GET "/api/models/$R/commits/main?limit=1"
  status_is 200
  hdr_is X-Total-Count "$NCOMMITS"
  eq "$(jbody length)" 1 "limit=1"
  [[ "$(hdr Link)" =~ $LINK_RE ]] || fail "commits Link: '$(hdr Link)'"
  req GET "/api/models/$R/commits/main?expand[]=formatted"
  status_is 200
  [ "$(jbody '.[0].formatted.title // empty')" != "" ] || fail "formatted.title with expand[]=formatted"
}
t "commits: X-Total-Count, order, authors, ISO dates, limit + Link" t_commits_total

t_preupload() {
  local sample; sample="$(head -c 512 "$WORK/f/blob.bin" | base64 -w0)"
  req POST "/api/models/$R/preupload/main" -H "$(auth "$TOK")" -H 'Content-Type: application/json' \
    --data "{\"files\":[{\"path\":\"hello.txt\",\"size\":12,\"sample\":\"$(base64 -w0 <"$WORK/f/hello.txt")\"},{\"path\":\"new.bin\",\"size\":4,\"sample\":\"AAEC\"},{\"path\":\"blob.bin\",\"size\":$BLOB_SIZE,\"sample\":\"$sample\"},{\"path\":\"x.lfs.txt\",\"size\":5,\"sample\":\"aGVsbG8=\"}]}"
  status_is 200
  eq "$(jbody '.files | map(select(.path=="hello.txt"))[0].uploadMode')" regular "hello.txt mode"
  eq "$(jbody '.files | map(select(.path=="hello.txt"))[0].shouldIgnore')" false "shouldIgnore"
  eq "$(jbody '.files | map(select(.path=="hello.txt"))[0].oid')" "$GITSHA_HELLO" "oid of existing regular file"
  eq "$(jbody '.files | map(select(.path=="new.bin"))[0].uploadMode')" lfs "*.bin mode"
  eq "$(jbody '.files | map(select(.path=="x.lfs.txt"))[0].uploadMode')" lfs "*.lfs.* mode"
  eq "$(jbody '.files | map(select(.path=="blob.bin"))[0].oid')" "$BLOB_OID" "oid of existing LFS file"
  req POST "/api/models/$R/preupload/main" -H "$(auth "$TOK")" -H 'Content-Type: application/json' \
    --data '{"files":[{"path":"nested/file.bin","size":3,"sample":"YWJj"}],"gitIgnore":"nested/*\n"}'
  status_is 200
  eq "$(jbody '.files[0].shouldIgnore')" true "shouldIgnore with gitIgnore"
}
t "preupload: uploadMode, shouldIgnore, oid of existing files" t_preupload

t_no_gzip() {
  req GET "/$R/resolve/main/hello.txt" -H 'Accept-Encoding: gzip, br'
  status_is 200
  hdr_absent Content-Encoding
  hdr_is Content-Length 12
}
t "resolve is not compressed even when gzip is accepted" t_no_gzip

t_branches_tags() {
  req POST "/api/models/$R/branch/dev" -H "$(auth "$TOK")" -H 'Content-Type: application/json' --data '{}'
  status_is 200
  req POST "/api/models/$R/branch/dev" -H "$(auth "$TOK")" -H 'Content-Type: application/json' --data '{}'
  status_is 409
  hdr_present X-Error-Message
  match "$(jbody .error)" 'Reference refs/heads/dev already exists' "409 message"
  req POST "/api/models/$R/tag/main" -H "$(auth "$TOK")" -H 'Content-Type: application/json' --data '{"tag":"v1.0"}'
  status_is 409
  req POST "/api/models/$R/tag/nope-rev" -H "$(auth "$TOK")" -H 'Content-Type: application/json' --data '{"tag":"v9"}'
  err_is 404 RevisionNotFound
  req DELETE "/api/models/$R/tag/no-such-tag" -H "$(auth "$TOK")"
  err_is 404 RevisionNotFound
  req DELETE "/api/models/$R/branch/main" -H "$(auth "$TOK")"
  [[ "$STATUS" =~ ^4 ]] || fail "deleting main: $STATUS"
  match "$(jbody .error)" 'Cannot delete refs/heads/main' "delete main message"
  req DELETE "/api/models/$R/branch/dev" -H "$(auth "$TOK")"
  status_is 200
  req GET "/api/models/$R/refs"
  status_is 200
  eq "$(jbody '[.branches[].name] | sort | join(",")')" main "branches"
  eq "$(jbody '[.tags[].name] | join(",")')" v1.0 "tags"
  eq "$(jbody '.tags[0].targetCommit')" "$SHA1" "tag target"
  eq "$(jbody '.converts | type')" array "converts"
}
t "branches and tags: 409 conflicts, RevisionNotFound, main undeletable, refs listing" t_branches_tags

# ---------------------------------------------------------------- more contract corners
t_gated() {
  create_repo hdr-gated
  status_is 200
  req PUT "/api/models/alice/hdr-gated/settings" -H "$(auth "$TOK")" -H 'Content-Type: application/json' --data '{"gated":"auto"}'
  status_is 200
  jq -e . <"$B" >/dev/null || fail "settings must answer JSON"
  req GET "/api/models/alice/hdr-gated"
  status_is 200
  eq "$(jbody .gated)" auto "gated in model info"
  req GET "/api/models/alice/hdr-gated/tree/main"
  status_is 200
  req GET "/alice/hdr-gated/resolve/main/.gitattributes"
  err_is 401 GatedRepo
  match "$(jbody .error)" 'Access to model alice/hdr-gated is restricted and you are not in the authorized list' "gated message"
  req GET "/alice/hdr-gated/resolve/main/.gitattributes" -H "$(auth "$BOB")"
  err_is 403 GatedRepo
  req GET "/alice/hdr-gated/resolve/main/.gitattributes" -H "$(auth "$TOK")"
  status_is 200
  req PUT "/api/models/alice/hdr-gated/settings" -H "$(auth "$TOK")" -H 'Content-Type: application/json' --data '{"gated":false}'
  status_is 200
  req GET "/alice/hdr-gated/resolve/main/.gitattributes"
  status_is 200
}
t "gated repo: metadata/tree readable; resolve 401 anonymous / 403 other user with GatedRepo" t_gated

t_encoded_paths() {
  printf 'odd\n' >"$WORK/f/odd.txt"
  commit "$R" main "" "$(hdr_line 'odd names')" "$(file_line 'sp ace/a b?c%,d:e.txt' "$WORK/f/odd.txt")" \
    "$(file_line 'deep/er/x.txt' "$WORK/f/odd.txt")"
  status_is 200
  # Python: quote(path) keeps '/', encodes ' ', '?', '%', ',', ':'
  req GET "/$R/resolve/main/sp%20ace/a%20b%3Fc%25%2Cd%3Ae.txt"
  status_is 200
  body_is_file "$WORK/f/odd.txt"
  # Python tree: the path is one segment with %2F
  req GET "/api/models/$R/tree/main/deep%2Fer?recursive=False&expand=False"
  status_is 200
  eq "$(jbody '[.[].path] | join(",")')" "deep/er/x.txt" "tree with %2F path"
  req GET "/api/models/$R/tree/main/deep/er"
  status_is 200
  eq "$(jbody '[.[].path] | join(",")')" "deep/er/x.txt" "tree with raw path"
  req GET "/api/models/$R/tree/main/sp%20ace"
  status_is 200
  eq "$(jbody '.[0].path')" 'sp ace/a b?c%,d:e.txt' "tree entry with odd characters"
  # case-insensitive repo id
  req GET "/ALICE/HDR-MODEL/resolve/main/hello.txt"
  status_is 200
  body_is_file "$WORK/f/hello.txt"
}
t "percent-encoded paths (Python quote), %2F tree paths, case-insensitive ids" t_encoded_paths

t_python_style() {
  req POST /api/repos/create -H "$(auth "$TOK")" -H 'Content-Type: application/json' \
    --data '{"name":"hdr-py","organization":null,"private":true}'
  status_is 200
  eq "$(jbody .url)" "$BASE/alice/hdr-py" "url (organization null → token owner)"
  req GET /api/models/alice/hdr-py
  status_is 401
  req POST /api/repos/create -H "$(auth "$TOK")" -H 'Content-Type: application/json' \
    --data '{"name":"hdr-py2","organization":"alice","visibility":"private","type":"model"}'
  status_is 200
  req GET /api/models/alice/hdr-py2
  status_is 401
  req GET "/api/models/$R/tree/main?recursive=True&expand=False"
  status_is 200
  req_all "/api/models/$R/tree/main?recursive=True&expand=False"
  jq -e 'map(.path) | index("dir/a.txt") != null' <"$B" >/dev/null || fail "recursive=True must recurse"
  req GET "/api/models/$R?blobs=true" -H "$(auth "$TOK")"
  status_is 200
  eq "$(jbody '.siblings | map(select(.rfilename=="blob.bin"))[0].lfs.sha256')" "$BLOB_OID" "siblings lfs.sha256 with blobs=true"
  eq "$(jbody '.siblings | map(select(.rfilename=="blob.bin"))[0].size')" "$BLOB_SIZE" "siblings size"
  eq "$(jbody '.siblings | map(select(.rfilename=="hello.txt"))[0].blobId')" "$GITSHA_HELLO" "siblings blobId"
  match "$(jbody .lastModified)" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$' "lastModified format"
  match "$(jbody .createdAt)" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$' "createdAt format"
  req GET "/api/models/$R?expand=sha&expand=private"
  status_is 200
  eq "$(jbody 'keys | sort | join(",")')" "_id,id,private,sha" "expand returns only the asked fields plus _id and id"
  req GET "/api/models/$R/auth-check" -H "$(auth "$TOK")"
  status_is 200
  req GET "/api/models/alice/hdr-private/auth-check" -H "$(auth "$BOB")"
  err_is 404 RepoNotFound
}
t "Python-style requests: organization null, private/visibility, True booleans, blobs=true, expand, auth-check" t_python_style

t_commit_errors() {
  commit "alice/nope" main "" "$(hdr_line x)" "$(file_line x.txt "$WORK/f/hello.txt")"
  err_is 404 RepoNotFound
  eq "$(jbody .error)" "Repository not found" "message"
  req POST "/api/models/alice/nope/preupload/main" -H "$(auth "$TOK")" -H 'Content-Type: application/json' --data '{"files":[]}'
  err_is 404 RepoNotFound
  commit "$R" no-such-branch "" "$(hdr_line x)" "$(file_line x.txt "$WORK/f/hello.txt")"
  err_is 404 RevisionNotFound
  commit "$R" no-such-branch "?create_pr=1" "$(hdr_line x)" "$(file_line x.txt "$WORK/f/hello.txt")"
  err_is 404 RevisionNotFound
  commit "$R" "$SHA1" "?create_pr=1" "$(hdr_line x)" "$(file_line x.txt "$WORK/f/hello.txt")"
  err_is 404 RevisionNotFound
  commit "$R" main "" "$(hdr_line x)" '{"key":"deletedFile","value":{"path":"never-there.txt"}}'
  err_is 404 EntryNotFound
  req DELETE /api/repos/delete -H "$(auth "$TOK")" -H 'Content-Type: application/json' --data '{"name":"nope","organization":"alice","type":"model"}'
  err_is 404 RepoNotFound
}
t "commit/preupload/delete errors: RepoNotFound, RevisionNotFound (missing branch, create_pr on oid), EntryNotFound" t_commit_errors

t_commit_ops() {
  local before after
  before="$(main_sha "$R")"
  # lfsFile without size (server-side copy): size comes from the stored object
  commit "$R" main "" "$(hdr_line 'copy lfs')" "$(jq -cn --arg o "$BLOB_OID" '{key:"lfsFile",value:{path:"copy/blob.bin",algo:"sha256",oid:$o}}')" \
    "$(jq -cn '{key:"file",value:{path:"utf8.txt",content:"plain text\n",encoding:"utf-8"}}')"
  status_is 200
  req GET "/$R/resolve/main/copy/blob.bin"
  status_is 200
  hdr_is X-Linked-Size "$BLOB_SIZE"
  body_is_file "$WORK/f/blob.bin"
  req GET "/$R/resolve/main/utf8.txt"
  status_is 200
  eq "$(body)" "plain text" "utf-8 encoded file"
  # deletedFile on a folder deletes the folder; deletedFolder with a trailing slash
  commit "$R" main "" "$(hdr_line 'del folders')" '{"key":"deletedFile","value":{"path":"copy"}}' '{"key":"deletedFolder","value":{"path":"deep/"}}'
  status_is 200
  req GET "/$R/resolve/main/copy/blob.bin"
  err_is 404 EntryNotFound
  req GET "/$R/resolve/main/deep/er/x.txt"
  err_is 404 EntryNotFound
  after="$(main_sha "$R")"
  [ "$before" != "$after" ] || fail "main should have moved"
}
t "commit ops: lfsFile without size, utf-8 encoding, deletedFile on folder, deletedFolder" t_commit_ops

t_big_bodies() {
  # A 9 MiB regular file inside one NDJSON commit (the contract asks for ~150 MB bodies).
  head -c $((9 * 1024 * 1024)) /dev/urandom >"$WORK/f/big9.dat"
  commit "$R" main "" "$(hdr_line 'big regular')" "$(file_line big9.dat "$WORK/f/big9.dat")"
  status_is 200
  req GET "/$R/resolve/main/big9.dat"
  status_is 200
  body_is_file "$WORK/f/big9.dat"
  # A 24 MiB LFS object through a basic PUT (this server runs without multipart flags).
  head -c $((24 * 1024 * 1024)) /dev/urandom >"$WORK/f/big24.bin"
  lfs_upload "$R" "$WORK/f/big24.bin" || fail "24 MiB LFS upload: $STATUS $(cat "$WORK/put.status" 2>/dev/null)"
  commit "$R" main "" "$(hdr_line 'big lfs')" "$(lfs_line big24.bin "$(sha256 "$WORK/f/big24.bin")" $((24 * 1024 * 1024)))"
  status_is 200
  req GET "/$R/resolve/main/big24.bin"
  status_is 200
  body_is_file "$WORK/f/big24.bin"
  req GET "/$R/resolve/main/big24.bin" -H 'Range: bytes=20000000-20000009'
  status_is 206
  dd if="$WORK/f/big24.bin" of="$WORK/slice10" bs=10 skip=2000000 count=1 status=none
  body_is_file "$WORK/slice10"
  rm -f "$WORK/f/big9.dat" "$WORK/f/big24.bin"
}
t "large bodies: 9 MiB regular file in NDJSON, 24 MiB basic LFS PUT, ranged read far in" t_big_bodies

t_ref_errors() {
  req POST "/api/models/$R/branch/refs%2Fpr%2F5" -H "$(auth "$TOK")" -H 'Content-Type: application/json' --data '{}'
  status_is 400
  match "$(jbody .error)" 'Invalid reference for a branch' "message"
  req DELETE "/api/models/$R/branch/no-such-branch" -H "$(auth "$TOK")"
  [[ "$STATUS" =~ ^4 ]] || fail "delete missing branch: $STATUS"
  match "$(jbody .error)" 'Invalid rev id' "message"
  req DELETE "/api/models/$R/branch/v1.0" -H "$(auth "$TOK")"
  [[ "$STATUS" =~ ^4 ]] || fail "delete a tag as branch: $STATUS"
  match "$(jbody .error)" 'Invalid rev id' "message"
  req POST "/api/models/$R/tag/main" -H "$(auth "$TOK")" -H 'Content-Type: application/json' --data '{"tag":"invalid tag"}'
  status_is 400
  req POST "/api/models/$R/branch/v1.0" -H "$(auth "$TOK")" -H 'Content-Type: application/json' --data '{}'
  status_is 200
  req DELETE "/api/models/$R/branch/v1.0" -H "$(auth "$TOK")"
  status_is 200
  req GET "/$R/resolve/v1.0/hello.txt"
  status_is 200
  req POST /api/repos/create -H "$(auth "$TOK")" -H 'Content-Type: application/json' --data '{"name":"a--b","organization":"alice","type":"model"}'
  [[ "$STATUS" =~ ^4 ]] || fail "name with -- must be refused: $STATUS"
  create_repo hdr-mv-target
  req POST /api/repos/move -H "$(auth "$TOK")" -H 'Content-Type: application/json' --data "{\"fromRepo\":\"$R\",\"toRepo\":\"alice/hdr-mv-target\",\"type\":\"model\"}"
  [[ "$STATUS" =~ ^4 ]] || fail "move onto an existing repo: $STATUS"
  match "$(jbody .error)" 'A model repository called .* already exists' "message"
}
t "branch/tag/name errors: refs/pr/5, Invalid rev id, invalid tag, branch named like a tag, --, move conflict" t_ref_errors

t_lfs_batch_errors() {
  req POST "/$R.git/info/lfs/objects/batch" -H 'Accept: application/vnd.git-lfs+json' -H 'Content-Type: application/vnd.git-lfs+json' \
    --data '{"operation":"download","transfers":["basic"],"objects":[{"oid":"0000000000000000000000000000000000000000000000000000000000000000","size":3}]}'
  status_is 200
  eq "$(jbody '.objects[0].error.code')" 404 "per-object 404 for a missing object"
  eq "$(jbody '.objects[0].size')" 3 "size echoed"
  req POST "/$R.git/info/lfs/objects/batch" -H 'Accept: application/vnd.git-lfs+json' -H 'Content-Type: application/vnd.git-lfs+json' \
    --data "{\"operation\":\"download\",\"transfers\":[\"basic\"],\"objects\":[{\"oid\":\"$BLOB_OID\",\"size\":$BLOB_SIZE}]}"
  status_is 200
  local href; href="$(jbody '.objects[0].actions.download.href')"
  match "$href" "^$BASE/" "download href"
  local hdrs=(); while IFS= read -r line; do [ -n "$line" ] && hdrs+=(-H "$line"); done < <(jq -r '.objects[0].actions.download.header // {} | to_entries[] | "\(.key): \(.value)"' <"$B")
  curl -sS "${hdrs[@]}" -o "$WORK/lfsdl.bin" "$href"
  cmp -s "$WORK/lfsdl.bin" "$WORK/f/blob.bin" || fail "LFS download action bytes differ"
  req POST "/alice/hdr-private.git/info/lfs/objects/batch" -H 'Content-Type: application/vnd.git-lfs+json' \
    --data '{"operation":"download","objects":[]}'
  status_is 401
  hdr_present LFS-Authenticate
  req POST "/alice/hdr-private.git/info/lfs/objects/batch" -H "$(auth "$BOB")" -H 'Content-Type: application/vnd.git-lfs+json' \
    --data '{"operation":"download","objects":[]}'
  status_is 404
}
t "LFS batch download: per-object 404, download action, 401 + LFS-Authenticate, 404 for hidden repo" t_lfs_batch_errors

t_cors() {
  req OPTIONS "/api/models/$R" -H 'Origin: http://example.test' -H 'Access-Control-Request-Method: GET' -H 'Access-Control-Request-Headers: authorization,range'
  [[ "$STATUS" =~ ^2 ]] || fail "preflight: $STATUS"
  hdr_present Access-Control-Allow-Origin
  req GET "/$R/resolve/main/hello.txt" -H 'Origin: http://example.test'
  status_is 200
  local e; e="$(hdr Access-Control-Expose-Headers | tr 'A-Z' 'a-z')"
  for h in x-repo-commit x-linked-etag x-linked-size etag content-range link x-error-code x-request-id x-total-count; do
    [[ ",$(echo "$e" | tr -d ' ')," == *",$h,"* ]] || fail "Access-Control-Expose-Headers lacks $h: '$e'"
  done
}
t "CORS: preflight and exposed headers" t_cors

t_empty_commit() {
  create_repo hdr-empty-commit
  status_is 200
  printf 'keep me\n' >"$WORK/f/keep.txt"
  commit alice/hdr-empty-commit main "" "$(hdr_line 'add keep')" "$(file_line keep.txt "$WORK/f/keep.txt")"
  status_is 200
  local before; before="$(main_sha alice/hdr-empty-commit)"
  commit alice/hdr-empty-commit main "" "$(hdr_line 'no operations')"
  if [[ "$STATUS" =~ ^4 ]]; then
    eq "$(main_sha alice/hdr-empty-commit)" "$before" "refused empty commit must not move main"
  else
    status_is 200
  fi
  req_all "/api/models/alice/hdr-empty-commit/tree/main"
  eq "$(jbody '[.[].path] | sort | join(",")')" ".gitattributes,keep.txt" "tree after a commit without operations"
  req GET "/alice/hdr-empty-commit/resolve/main/keep.txt"
  status_is 200
  body_is_file "$WORK/f/keep.txt"
}
t "commit with a header and no operations keeps the tree (or is refused)" t_empty_commit

t_concurrent_commits() {
  create_repo hdr-race
  status_is 200
  local i n=8 ok=0
  for i in $(seq $n); do
    printf 'writer %s\n' "$i" >"$WORK/f/w$i.txt"
    printf '%s\n' "$(hdr_line "writer $i")" "$(file_line "w$i.txt" "$WORK/f/w$i.txt")" >"$WORK/race$i.ndjson"
  done
  for i in $(seq $n); do
    curl -sS -o "$WORK/race$i.out" -w '%{http_code}' -X POST -H "$(auth "$TOK")" -H 'Content-Type: application/x-ndjson' \
      --data-binary @"$WORK/race$i.ndjson" "$BASE/api/models/alice/hdr-race/commit/main" >"$WORK/race$i.status" &
  done
  wait
  req_all "/api/models/alice/hdr-race/tree/main"
  for i in $(seq $n); do
    local st; st="$(cat "$WORK/race$i.status")"
    if [ "$st" = 200 ]; then
      ok=$((ok + 1))
      jq -e --arg p "w$i.txt" 'map(.path) | index($p) != null' <"$B" >/dev/null || fail "commit $i answered 200 but w$i.txt is missing (lost update)"
    else
      [[ "$st" =~ ^(409|412|429|503)$ ]] || fail "concurrent commit $i: status $st $(head -c 200 "$WORK/race$i.out")"
    fi
  done
  [ "$ok" -ge 1 ] || fail "no concurrent commit succeeded"
  req GET "/api/models/alice/hdr-race/commits/main"
  hdr_is X-Total-Count "$((ok + 1))"
}
t "concurrent commits to one branch: no lost updates" t_concurrent_commits

t_lfs_href_binding() {
  printf 'abc-%s' "$RANDOM$RANDOM" >"$WORK/f/h1.bin"; printf 'xyz-%s' "$RANDOM$RANDOM" >"$WORK/f/h2.bin"
  local o1 o2 s1 href code
  o1="$(sha256 "$WORK/f/h1.bin")"; o2="$(sha256 "$WORK/f/h2.bin")"; s1="$(fsize "$WORK/f/h1.bin")"
  lfs_batch "$R" "$o1" "$s1"
  status_is 200
  href="$(jbody '.objects[0].actions.upload.href')"
  code="$(curl -sS -o /dev/null -w '%{http_code}' -X PUT --data-binary @"$WORK/f/h2.bin" "${href//$o1/$o2}")"
  [[ "$code" =~ ^4 ]] || fail "href re-targeted to another oid: $code, expected 4xx"
  printf 'extra' >>"$WORK/f/h1.bin.more"; cat "$WORK/f/h1.bin" "$WORK/f/h1.bin.more" >"$WORK/f/h1.long"
  code="$(curl -sS -o /dev/null -w '%{http_code}' -X PUT --data-binary @"$WORK/f/h1.long" "$href")"
  [[ "$code" =~ ^4 ]] || fail "PUT longer than the declared size: $code, expected 4xx"
  code="$(curl -sS -o /dev/null -w '%{http_code}' -X PUT --data-binary @"$WORK/f/h1.bin" "$href")"
  [[ "$code" =~ ^2 ]] || fail "PUT with the right content: $code"
  req POST "/$R.git/info/lfs/objects/batch" -H "$(auth "$TOK")" -H 'Content-Type: application/vnd.git-lfs+json' \
    --data "{\"operation\":\"download\",\"objects\":[{\"oid\":\"$o2\",\"size\":3}]}"
  eq "$(jbody '.objects[0].error.code')" 404 "the re-targeted object must not exist"
  commit "$R" main "" "$(hdr_line 'wrong size')" "$(lfs_line h1.bin "$o1" 999)"
  [[ "$STATUS" =~ ^4 ]] || fail "lfsFile with a wrong size: $STATUS"
}
t "LFS upload href is bound to its oid; oversize PUT and wrong lfsFile size refused" t_lfs_href_binding

t_request_id_everywhere() {
  if [ -s "$NOREQID" ]; then
    fail "responses without X-Request-Id: $(sort -u "$NOREQID" | head -10 | tr '\n' ';')"
  fi
}
t "every response carried X-Request-Id" t_request_id_everywhere

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
