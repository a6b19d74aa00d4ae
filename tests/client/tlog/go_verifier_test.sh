#!/usr/bin/env bash
# The transparency log (docs/transparency.md) checked by an independent verifier written in Go
# against golang.org/x/mod/sumdb/tlog and sumdb/note (go_verifier/main.go; Debian packages
# golang-go and golang-golang-x-mod-dev, built in GOPATH mode without network).
#
# A scripted history against a real `vitrine serve`: API commits (one with an LFS file), git
# pushes (new commits, a branch created and later deleted by push, a force-push of main), a tag
# created and deleted through the API, a private repository with a commit (sealed entries), a
# rename and a deletion. The verifier runs after the first half (saving the checkpoint) and again
# at the end with that checkpoint as -prev; the trust anchor is the key printed by
# `vitrine tlog key --data DIR` before the server starts. A wrong key, a tampered earlier
# checkpoint and an entry edited in the store must make it fail.
#
# VITRINE_BIN: server binary (default build/vitrine). Needs go, curl, jq, git, sha256sum, sqlite3.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
cd "$root"
source "$here/../lib/harness.sh"

die() { echo "go_verifier_test: $*" >&2; [ -f "$WORK/out" ] && tail -20 "$WORK/out" >&2; exit 1; }
for tool in go curl jq git sha256sum sqlite3; do
  command -v "$tool" >/dev/null 2>&1 ||
    die "'$tool' is required (scripts/install-deps.sh --test installs golang-go golang-golang-x-mod-dev)"
done
[ -x "$BIN" ] || die "vitrine binary not found at $BIN (set VITRINE_BIN)"
GOSRC=/usr/share/gocode
[ -f "$GOSRC/src/golang.org/x/mod/sumdb/tlog/tlog.go" ] ||
  die "golang.org/x/mod is missing under $GOSRC (install golang-golang-x-mod-dev)"

# ---------------------------------------------------------------- the verifier
mkdir -p "$WORK/gocache" "$WORK/f"
GO111MODULE=off GOPATH="$GOSRC" GOCACHE="$WORK/gocache" GOFLAGS= \
  go build -o "$WORK/go-verifier" "$here/go_verifier/main.go" || die "building the Go verifier failed"
verify() { # verify NAME OUTFILE ARGS... → 0 when the verifier passes; its output in OUTFILE
  local out="$2"; shift 2
  "$WORK/go-verifier" -url "$B" "$@" >"$out" 2>&1
}

# ---------------------------------------------------------------- isolated git
export HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config" GIT_CONFIG_NOSYSTEM=1
export GIT_TERMINAL_PROMPT=0 GIT_ASKPASS=/bin/false SSH_ASKPASS=/bin/false LC_ALL=C
mkdir -p "$HOME"
git config --global user.name "Vitrine Tlog Test"
git config --global user.email "tlog-test@vitrine.invalid"
git config --global init.defaultBranch main
git config --global credential.helper ""

# ---------------------------------------------------------------- hub, key out of band
DATA="$WORK/data"
"$BIN" user create alice --data "$DATA" >/dev/null 2>&1 || die "user create alice"
TOK="$("$BIN" token create --user alice --role write --data "$DATA")" || die "token create"
KEY="$("$BIN" tlog key --data "$DATA")" || die "vitrine tlog key"
[[ "$KEY" =~ ^[^+[:space:]]+\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+$ ]] || die "tlog key printed '$KEY'"
OTHER_KEY="$("$BIN" tlog key --data "$WORK/other")" || die "vitrine tlog key (second data dir)"
[ "$OTHER_KEY" != "$KEY" ] || die "two data folders gave the same key"
: >"$WORK/out"  # start_server reads it at once; under set -e a missing file would end the script
start_server "$DATA"
HOSTPORT="${B#http://}"
echo "# server at $B, key $KEY"

api() { # api METHOD PATH [curl args] → body in $WORK/body, status in $ST
  local m="$1" p="$2"; shift 2
  ST="$(curl -sS -g -X "$m" -H "Authorization: Bearer $TOK" -o "$WORK/body" -w '%{http_code}' "$@" "$B$p")" || ST=000
}
must() { # must WHAT — the last api call answered 200
  [ "$ST" = 200 ] || die "$1: status $ST: $(head -c 400 "$WORK/body")"
}
create_repo() { # create_repo NAME PRIVATE
  api POST /api/repos/create -H 'Content-Type: application/json' \
    --data "{\"name\":\"$1\",\"organization\":\"alice\",\"type\":\"model\",\"private\":$2}"
  must "create $1"
}
file_line() { base64 -w0 <"$2" | jq -cRs --arg p "$1" '{key:"file",value:{path:$p,content:.,encoding:"base64"}}'; }
commit() { # commit REPO SUMMARY LINE... → commitOid in $SHA
  local repo="$1" summary="$2"; shift 2
  { jq -cn --arg s "$summary" '{key:"header",value:{summary:$s,description:""}}'; printf '%s\n' "$@"; } >"$WORK/commit.ndjson"
  api POST "/api/models/$repo/commit/main" -H 'Content-Type: application/x-ndjson' --data-binary @"$WORK/commit.ndjson"
  must "commit '$summary' to $repo"
  SHA="$(jq -r .commitOid "$WORK/body")"
}
cp_size() { sed -n 2p "$1"; }
# settle: wait for the checkpoint to cover everything done so far (a new one at least every 2 s
# while entries arrive): its size must stay the same across 2.5 s.
settle() {
  local a b
  sleep 2.2
  curl -sS "$B/tlog/checkpoint" >"$WORK/cp.a"
  for _ in $(seq 20); do
    sleep 2.5
    curl -sS "$B/tlog/checkpoint" >"$WORK/cp.b"
    a="$(cp_size "$WORK/cp.a")"; b="$(cp_size "$WORK/cp.b")"
    [ "$a" = "$b" ] && return 0
    cp "$WORK/cp.b" "$WORK/cp.a"
  done
  die "the checkpoint never settled"
}
summary_of() { sed -n "s/^$2: //p" "$1" | head -1; }

# ---------------------------------------------------------------- history, first half
R=alice/tl-model
create_repo tl-model false
printf 'hello transparency\n' >"$WORK/f/readme.md"
commit "$R" "add readme" "$(file_line README.md "$WORK/f/readme.md")"

# An LFS file: batch upload (basic transfer) then an lfsFile line in the commit.
head -c 4096 /dev/urandom >"$WORK/f/weights.bin"
BLOB_OID="$(sha256sum "$WORK/f/weights.bin" | cut -d' ' -f1)"
api POST "/$R.git/info/lfs/objects/batch" -H 'Accept: application/vnd.git-lfs+json' \
  -H 'Content-Type: application/vnd.git-lfs+json' \
  --data "{\"operation\":\"upload\",\"transfers\":[\"basic\"],\"hash_algo\":\"sha_256\",\"objects\":[{\"oid\":\"$BLOB_OID\",\"size\":4096}]}"
must "LFS batch"
HREF="$(jq -r '.objects[0].actions.upload.href // empty' "$WORK/body")"
if [ -n "$HREF" ]; then
  code="$(curl -sS -o /dev/null -w '%{http_code}' -X PUT --data-binary @"$WORK/f/weights.bin" "$HREF")"
  [[ "$code" =~ ^2 ]] || die "LFS PUT: $code"
fi
commit "$R" "add weights" \
  "$(jq -cn --arg o "$BLOB_OID" '{key:"lfsFile",value:{path:"weights.bin",algo:"sha256",oid:$o,size:4096}}')"
LFS_COMMIT="$SHA"

# git: clone, push new commits to main, create a branch by push.
git clone -q "http://x:$TOK@$HOSTPORT/$R" "$WORK/clone" || die "git clone"
cd "$WORK/clone"
echo one >one.txt && git add one.txt && git commit -qm "one (git)"
echo two >two.txt && git add two.txt && git commit -qm "two (git)"
git push -q origin main 2>"$WORK/push.err" || die "git push main: $(cat "$WORK/push.err")"
git checkout -qb feature
echo feat >feat.txt && git add feat.txt && git commit -qm "feature (git)"
git push -q origin feature 2>"$WORK/push.err" || die "git push feature: $(cat "$WORK/push.err")"
git checkout -q main
cd "$root"

settle
check "verifier passes on the first half (trusted key from the CLI)" \
  'verify first "$WORK/v1.out" -key "$KEY" -save "$WORK/cp1"'
cat "$WORK/v1.out" | sed 's/^/    # /'
SIZE1="$(cp_size "$WORK/cp1" 2>/dev/null || echo 0)"
check "first checkpoint covers the first half (>= 5 entries: create, 2 commits, push, branch)" '[ "$SIZE1" -ge 5 ]'

# ---------------------------------------------------------------- history, second half
cd "$WORK/clone"
echo amended >one.txt && git add one.txt && git commit -q --amend -m "two, amended (git)"
git push -q -f origin main 2>"$WORK/push.err" || die "git push -f main: $(cat "$WORK/push.err")"
FORCED_SHA="$(git rev-parse HEAD)"
git push -q origin :feature 2>"$WORK/push.err" || die "git push :feature: $(cat "$WORK/push.err")"
cd "$root"

api POST "/api/models/$R/tag/main" -H 'Content-Type: application/json' --data '{"tag":"v1"}'
must "create tag v1"
api DELETE "/api/models/$R/tag/v1"
must "delete tag v1"

# Enough entries to fill the first entry bundle and hash tile (256) and start the next level.
for i in $(seq 140); do
  api POST "/api/models/$R/tag/main" -H 'Content-Type: application/json' --data "{\"tag\":\"bulk-$i\"}"
  must "create tag bulk-$i"
  api DELETE "/api/models/$R/tag/bulk-$i"
  must "delete tag bulk-$i"
done

PRIV=tl-secret-$RANDOM$RANDOM
create_repo "$PRIV" true
printf 'private bytes\n' >"$WORK/f/secret.txt"
commit "alice/$PRIV" "a private commit" "$(file_line secret.txt "$WORK/f/secret.txt")"

create_repo tl-old false
commit alice/tl-old "before the rename" "$(file_line README.md "$WORK/f/readme.md")"
api POST /api/repos/move -H 'Content-Type: application/json' \
  --data '{"fromRepo":"alice/tl-old","toRepo":"alice/tl-renamed","type":"model"}'
must "rename tl-old → tl-renamed"
api DELETE /api/repos/delete -H 'Content-Type: application/json' \
  --data '{"name":"tl-renamed","organization":"alice","type":"model"}'
must "delete tl-renamed"

# One commit of 320 LFS files: its file list (~38 KB of JSON) goes into `part` entries.
create_repo tl-many false
python3 - "$WORK/many" <<'PY'
import hashlib, json, os, sys
d = sys.argv[1]
os.makedirs(d, exist_ok=True)
objects, lines = [], []
for i in range(1, 321):
    data = b"many %d\n" % i
    open(f"{d}/f{i}.bin", "wb").write(data)
    oid = hashlib.sha256(data).hexdigest()
    open(f"{d}/{oid}", "wb").write(data)  # the upload loop finds each object by its oid
    objects.append({"oid": oid, "size": len(data)})
    lines.append({"key": "lfsFile", "value": {"path": f"shards/f{i}.bin", "algo": "sha256", "oid": oid, "size": len(data)}})
json.dump({"operation": "upload", "transfers": ["basic"], "objects": objects}, open(f"{d}/batch.json", "w"))
open(f"{d}/lines.ndjson", "w").write("".join(json.dumps(l) + "\n" for l in lines))
PY
api POST "/alice/tl-many.git/info/lfs/objects/batch" -H 'Accept: application/vnd.git-lfs+json' \
  -H 'Content-Type: application/vnd.git-lfs+json' --data @"$WORK/many/batch.json"
must "LFS batch of 320 objects"
jq -r '.objects[] | [.oid, (.actions.upload.href // "")] | @tsv' "$WORK/body" >"$WORK/many/hrefs"
while IFS=$'\t' read -r oid href; do
  [ -z "$href" ] || curl -sS -o /dev/null -X PUT --data-binary @"$WORK/many/$oid" "$href"
done <"$WORK/many/hrefs"
mapfile -t lines <"$WORK/many/lines.ndjson"
commit alice/tl-many "320 LFS files" "${lines[@]}"

settle
check "verifier passes at the end, consistent with the first checkpoint (-prev)" \
  'verify second "$WORK/v2.out" -key "$KEY" -token "$TOK" -prev "$WORK/cp1" -size "$SIZE1" -size 255 -size 256 -size 257 -save "$WORK/cp2" -bundles "$WORK/bundles"'
cat "$WORK/v2.out" | sed 's/^/    # /'
SIZE2="$(cp_size "$WORK/cp2" 2>/dev/null || echo 0)"
check "the log grew ($SIZE1 → $SIZE2) past one full tile" '[ "$SIZE2" -gt 257 ]'
check "summary: the 320-file commit's list went into part entries" \
  '[ "$(summary_of "$WORK/v2.out" "kind part")" -ge 1 ]'
check "vitrine verify finds a file listed in a part entry" \
  '"$BIN" verify --hub "$B" --key "$KEY" --state "$WORK/witness" --repo models/alice/tl-many --file "$WORK/many/f320.bin" >"$WORK/many.out" 2>&1 ||
   { sed "s/^/    # /" "$WORK/many.out"; false; }'
check "summary: at least one forced ref update (the force-push)" '[ "$(summary_of "$WORK/v2.out" "ref forced")" -ge 1 ]'
check "summary: ref deletions (branch by push, tag by API) >= 2" '[ "$(summary_of "$WORK/v2.out" "ref deletions")" -ge 2 ]'
check "summary: sealed entries for the private repository (create + commit) >= 2" \
  '[ "$(summary_of "$WORK/v2.out" "kind sealed")" -ge 2 ]'
check "summary: a rename and a deletion" \
  '[ "$(summary_of "$WORK/v2.out" "repo rename")" -ge 1 ] && [ "$(summary_of "$WORK/v2.out" "repo delete")" -ge 1 ]'
check "summary: ref entries from the API and from git pushes" \
  '[ "$(summary_of "$WORK/v2.out" "via api")" -ge 1 ] && [ "$(summary_of "$WORK/v2.out" "via git")" -ge 1 ]'
check "the owner's token opens both sealed entries; each opening matches its commitment" \
  '[ "$(summary_of "$WORK/v2.out" "sealed opened")" = 2 ] && [ "$(grep -c "^opened: .* repo models/alice/$PRIV\$" "$WORK/v2.out")" = 2 ]'
check "the raw entry bundles never name the private repository" '[ -s "$WORK/bundles" ] && ! grep -aq "$PRIV" "$WORK/bundles"'
check "the raw entry bundles name the public repository and the LFS file's sha256" \
  'grep -aq "$R" "$WORK/bundles" && grep -aq "$BLOB_OID" "$WORK/bundles"'
check "the force-push's new commit is logged" 'grep -aq "$FORCED_SHA" "$WORK/bundles"'

# The log's own lookup of the public repo agrees with what the verifier read.
api GET "/api/models/$R/tlog"
check "lookup API: the forced update of main, and the LFS commit with its file's sha256 and size" \
  '[ "$ST" = 200 ] && jq -e --arg s "$FORCED_SHA" --arg l "$LFS_COMMIT" --arg b "$BLOB_OID" \
     "[.entries[].entry | select(.kind==\"ref\")] | any(.new==\$s and .forced==true and .via==\"git\")
      and any(.new==\$l and (.files // [] | any(.path==\"weights.bin\" and .sha256==\$b and .size==4096)))" "$WORK/body" >/dev/null'

api GET "/api/models/$R/tlog?ref=feature"
check "lookup API: the branch was created and deleted by git push" \
  '[ "$ST" = 200 ] && jq -e "[.entries[].entry | select(.via==\"git\")] | any(.new==\"\") and any(.old==\"\")" "$WORK/body" >/dev/null'

# Same size, same hash: a third run with the second checkpoint as -prev.
check "verifier passes again with the second checkpoint as -prev; without a token nothing is opened" \
  'verify third "$WORK/v3.out" -key "$KEY" -prev "$WORK/cp2" -prev "$WORK/cp1" && [ "$(summary_of "$WORK/v3.out" "sealed opened")" = 0 ]'

# ---------------------------------------------------------------- negative checks
check "verifier fails under a wrong key (another data folder's)" \
  '! verify wrongkey "$WORK/v4.out" -key "$OTHER_KEY" && grep -q "FAIL: .*signature does not verify" "$WORK/v4.out"'
sed "3s/^./$( [ "$(sed -n 3p "$WORK/cp1" | cut -c1)" = A ] && echo B || echo A )/" "$WORK/cp1" >"$WORK/cp1.tampered"
check "verifier fails on a tampered earlier checkpoint (-prev)" \
  '! verify tampered "$WORK/v5.out" -key "$KEY" -prev "$WORK/cp1.tampered" && grep -q "FAIL: -prev" "$WORK/v5.out"'
check "verifier trusting the served key (no -key) passes" 'verify tofu "$WORK/v6.out"'
# Last, as it damages the log: an entry edited in place in the store (its stored hashes kept)
# no longer hashes to the authenticated leaf.
sqlite3 "$DATA/tlog/log.sqlite" "PRAGMA busy_timeout=5000; UPDATE entries SET data = CAST(replace(CAST(data AS TEXT), 'refs/tags/bulk-7\"', 'refs/tags/bulk-9\"') AS BLOB) WHERE CAST(data AS TEXT) LIKE '%refs/tags/bulk-7\"%';" >/dev/null ||
  die "editing the log store"
check "verifier fails when a logged entry was edited in the store" \
  '! verify edited "$WORK/v7.out" -key "$KEY" && grep -q "FAIL: entry [0-9]*: bundle bytes hash to" "$WORK/v7.out"'
sed 's/^/    # /' "$WORK/v7.out"

finish
