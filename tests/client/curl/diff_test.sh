#!/usr/bin/env bash
# A commit's changes over the wire (GET /api/vitrine/diff/{type}s/{ns}/{name}/{rev}, docs/api.md
# "Commit diffs") against a real `vitrine serve`: a root commit, then a commit that modifies a
# text file, deletes one, changes a binary file and an LFS file (uploaded through the LFS batch
# API), each read back with its status, sizes and unified diff; revisions by branch, short id
# and tag; a bad revision; private and gated repositories; datasets.
# Needs bash, curl, jq, sha256sum.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/harness.sh"

D="$WORK/data"
"$BIN" user create alice --data "$D" 2>/dev/null
"$BIN" user create bob --data "$D" 2>/dev/null
TOK=$("$BIN" token create --user alice --role write --data "$D")
BOB=$("$BIN" token create --user bob --role write --data "$D")
start_server "$D"

api() { curl -sf -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' "$@"; }
b64() { printf '%s' "$1" | base64 -w0; }
# ndjson TYPE REPO LINE...: one commit of the given operation lines; prints the commit id.
ndjson() {
  local type=$1 repo=$2
  shift 2
  { printf '{"key":"header","value":{"summary":"change %s"}}\n' "$repo"; printf '%s\n' "$@"; } |
    curl -sf -X POST "$B/api/${type}s/$repo/commit/main" -H "Authorization: Bearer $TOK" \
      -H 'Content-Type: application/x-ndjson' --data-binary @- | jq -r .commitOid
}
file_op() { printf '{"key":"file","value":{"path":"%s","content":"%s","encoding":"base64"}}' "$1" "$2"; }
# lfs_op REPO PATH FILE: uploads FILE through the LFS batch API; prints the lfsFile operation.
lfs_op() {
  local oid size href
  oid=$(sha256sum "$3" | cut -d' ' -f1)
  size=$(stat -c %s "$3")
  href=$(curl -sf -X POST "$B/$1.git/info/lfs/objects/batch" -H "Authorization: Bearer $TOK" \
    -H 'Content-Type: application/vnd.git-lfs+json' \
    -d "{\"operation\":\"upload\",\"transfers\":[\"basic\"],\"objects\":[{\"oid\":\"$oid\",\"size\":$size}]}" |
    jq -r '.objects[0].actions.upload.href // empty')
  [[ -z "$href" ]] || curl -sf -X PUT --data-binary @"$3" "$href" >/dev/null
  printf '{"key":"lfsFile","value":{"path":"%s","algo":"sha256","oid":"%s","size":%s}}' "$2" "$oid" "$size"
}
diff_of() { curl -sf -H "Authorization: Bearer $TOK" "$B/api/vitrine/diff/$1"; }

api -X POST "$B/api/repos/create" -d '{"name":"m"}' >/dev/null
head -c 3000 /dev/urandom >"$WORK/w1.bin"
head -c 5000 /dev/urandom >"$WORK/w2.bin"
OID1=$(sha256sum "$WORK/w1.bin" | cut -d' ' -f1)
OID2=$(sha256sum "$WORK/w2.bin" | cut -d' ' -f1)
C1=$(ndjson model alice/m "$(file_op a.txt "$(b64 $'one\ntwo\nthree\n')")" \
  "$(file_op gone.txt "$(b64 $'bye\n')")" "$(file_op img.bin "$(printf 'P\0\1' | base64 -w0)")" \
  "$(lfs_op alice/m w.bin "$WORK/w1.bin")")
C2=$(ndjson model alice/m "$(file_op a.txt "$(b64 $'one\n2\nthree\n')")" \
  '{"key":"deletedFile","value":{"path":"gone.txt"}}' \
  "$(file_op img.bin "$(printf 'P\0\2\3' | base64 -w0)")" "$(lfs_op alice/m w.bin "$WORK/w2.bin")")
api -X POST "$B/api/models/alice/m/tag/$C1" -d '{"tag":"v1"}' >/dev/null
diff_of models/alice/m/main >"$WORK/c2.json"
diff_of "models/alice/m/${C1:0:7}" >"$WORK/c1.json"
[[ -n "${VERBOSE:-}" ]] && jq . "$WORK/c1.json" "$WORK/c2.json"

check "diff: a branch names its head; commit id, title, parents, author, date" \
  'jq -e ".commit.id == \"$C2\" and .commit.title == \"change alice/m\" and .commit.parents == [\"$C1\"] and .commit.authors[0].user == \"alice\" and (.commit.date | test(\"^[0-9]{4}-\")) and .truncated == false" "$WORK/c2.json" >/dev/null'
check "diff: a modified text file has its unified diff and line counts" \
  'jq -e ".files[] | select(.path == \"a.txt\") | .status == \"modified\" and .patch == \"@@ -1,3 +1,3 @@\n one\n-two\n+2\n three\n\" and .additions == 1 and .deletions == 1 and .binary == false and .oldSize == 14 and .newSize == 12" "$WORK/c2.json" >/dev/null'
check "diff: a deleted file" \
  'jq -e ".files[] | select(.path == \"gone.txt\") | .status == \"deleted\" and .oldSize == 4 and .newSize == null and .patch == \"@@ -1 +0,0 @@\n-bye\n\"" "$WORK/c2.json" >/dev/null'
check "diff: a binary file has no patch" \
  'jq -e ".files[] | select(.path == \"img.bin\") | .binary == true and .patch == \"\" and .oldSize == 3 and .newSize == 4" "$WORK/c2.json" >/dev/null'
check "diff: an LFS file gives the old and new objects and their sizes" \
  'jq -e ".files[] | select(.path == \"w.bin\") | .status == \"modified\" and .lfs.old.oid == \"$OID1\" and .lfs.new.oid == \"$OID2\" and .lfs.old.size == 3000 and .oldSize == 3000 and .newSize == 5000 and .patch == \"\"" "$WORK/c2.json" >/dev/null'
check "diff: a commit by short id, its files added" \
  'jq -e ".commit.id == \"$C1\" and ([.files[].status] | unique) == [\"added\"] and (.files | length) == 4 and (.files[] | select(.path == \"a.txt\") | .patch == \"@@ -0,0 +1,3 @@\n+one\n+two\n+three\n\" and .oldSize == null) and (.files[] | select(.path == \"w.bin\") | .lfs.old == null and .lfs.new.size == 3000)" "$WORK/c1.json" >/dev/null'
# The repository's first commit (made by create: .gitattributes) has no parent.
ROOT=$(jq -r ".commit.parents[0]" "$WORK/c1.json")
check "diff: the root commit adds its files against the empty tree" \
  'diff_of "models/alice/m/$ROOT" | jq -e ".commit.parents == [] and (.files | length) > 0 and ([.files[].status] | unique) == [\"added\"] and all(.files[]; .oldSize == null and (.patch | startswith(\"@@ -0,0 +1\")))" >/dev/null'
check "diff: a tag names its commit" \
  '[[ $(diff_of models/alice/m/v1 | jq -r .commit.id) == "$C1" ]]'
check "compare: ?base= diffs two revisions (a tag to a branch: the same as the commit between)" \
  'diff_of "models/alice/m/main?base=v1" >"$WORK/cmp.json" &&
   jq -e ".base == \"$C1\" and .commit.id == \"$C2\"" "$WORK/cmp.json" >/dev/null &&
   [[ $(jq -c "[.files[] | [.path, .status, .patch]]" "$WORK/cmp.json") == "$(jq -c "[.files[] | [.path, .status, .patch]]" "$WORK/c2.json")" ]]'
check "compare: across several commits, a file added then deleted in between does not show" \
  'diff_of "models/alice/m/main?base=$ROOT" | jq -e "([.files[].path] | sort) == [\"a.txt\", \"img.bin\", \"w.bin\"] and ([.files[].status] | unique) == [\"added\"] and (.files[] | select(.path == \"a.txt\") | .patch) == \"@@ -0,0 +1,3 @@\\n+one\\n+2\\n+three\\n\"" >/dev/null'
check "compare: backwards, and an unknown base is 404" \
  'diff_of "models/alice/m/v1?base=main" | jq -e "(.files[] | select(.path == \"gone.txt\") | .status) == \"added\"" >/dev/null &&
   [[ $(code -H "Authorization: Bearer $TOK" "$B/api/vitrine/diff/models/alice/m/main?base=nope") == 404 ]]'
check "diff: an unknown revision is 404 RevisionNotFound" \
  '[[ $(curl -s -D - -o /dev/null "$B/api/vitrine/diff/models/alice/m/nope" | tr -d "\r" | grep -ci "^x-error-code: RevisionNotFound") == 1 &&
      $(code "$B/api/vitrine/diff/models/alice/m/0000000000000000000000000000000000000000") == 404 ]]'
check "diff: a missing repository and a bad type are 404s" \
  '[[ $(code -H "Authorization: Bearer $BOB" "$B/api/vitrine/diff/models/alice/nope/main") == 404 &&
      $(code "$B/api/vitrine/diff/spaces/alice/m/main") == 404 ]]'

api -X POST "$B/api/repos/create" -d '{"name":"p","private":true}' >/dev/null
ndjson model alice/p "$(file_op x.txt "$(b64 x)")" >/dev/null
check "diff: a private repository is hidden like a missing one (401 anonymous, 404 outsider, 200 owner)" \
  '[[ $(code "$B/api/vitrine/diff/models/alice/p/main") == 401 &&
      $(code -H "Authorization: Bearer $BOB" "$B/api/vitrine/diff/models/alice/p/main") == 404 &&
      $(code -H "Authorization: Bearer $BOB" "$B/api/vitrine/diff/models/alice/nope/main") == 404 &&
      $(code -H "Authorization: Bearer $TOK" "$B/api/vitrine/diff/models/alice/p/main") == 200 ]]'
api -X PUT "$B/api/models/alice/m/settings" -d '{"gated":"manual"}' >/dev/null
check "diff: a gated repository's diffs need file access (401 anonymous, 403 not granted, 200 owner)" \
  '[[ $(code "$B/api/vitrine/diff/models/alice/m/main") == 401 &&
      $(code -H "Authorization: Bearer $BOB" "$B/api/vitrine/diff/models/alice/m/main") == 403 &&
      $(code -H "Authorization: Bearer $TOK" "$B/api/vitrine/diff/models/alice/m/main") == 200 ]]'

api -X POST "$B/api/repos/create" -d '{"name":"d","type":"dataset"}' >/dev/null
DC=$(ndjson dataset alice/d "$(file_op data.csv "$(b64 $'a,b\n1,2\n')")")
check "diff: dataset URLs" \
  '[[ $(diff_of datasets/alice/d/main | jq -r ".commit.id + \" \" + .files[0].path") == "$DC data.csv" ]]'

finish
