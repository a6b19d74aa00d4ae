#!/usr/bin/env bash
# `vitrine verify` (docs/transparency.md) against a real `vitrine serve` on a free port: API
# commits, a git push with an LFS file, a force-push and a branch deletion; then the history
# check (force-push and deletion reported), --revision, --file (plain and huggingface_hub cache
# layout), --checkpoint gossip, --json, and tampering caught: an edited entry, a wrong key, a
# log rewritten (entry deleted, hashes rebuilt with `vitrine tlog rehash`) after a witness saw it.
#
# Prints `ok - NAME` / `not ok - NAME` per check, then `N passed, M failed`; exits non-zero
# when anything failed. Needs bash, curl, jq, git, git-lfs, sqlite3, sha256sum.
#
# VITRINE_BIN: the vitrine binary (absolute, or relative to the repository root; default
# build/vitrine). VERBOSE=1 prints what verify printed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/../../.."  # VITRINE_BIN may be relative to the repository root
# shellcheck source=../lib/harness.sh
source "$here/../lib/harness.sh"

for tool in curl jq git git-lfs sqlite3 sha256sum; do
  command -v "$tool" >/dev/null 2>&1 || { echo "verify_test: '$tool' is required" >&2; exit 1; }
done
[ -x "$BIN" ] || { echo "verify_test: vitrine binary not found at $BIN (set VITRINE_BIN)" >&2; exit 1; }
DATA="$WORK/data"
mkdir -p "$DATA"

die() { echo "verify_test: setup failed: $*" >&2; [ -f "$WORK/out" ] && tail -20 "$WORK/out" >&2; exit 1; }
# serve / stop_server: the hub on DATA (BASE, HOSTPORT), stopped cleanly so SQLite is closed.
serve() {
  start_server "$DATA"
  BASE="$B"
  HOSTPORT="${B#http://}"
}
stop_server() {
  if [ -n "$PID" ]; then
    kill -TERM "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
  fi
  PID=""
}

# ---------------------------------------------------------------- isolated git + git-lfs
export HOME="$WORK/home"
export XDG_CONFIG_HOME="$WORK/home/.config"
export XDG_STATE_HOME="$WORK/home/.state"
export GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0 GIT_ASKPASS=/bin/false SSH_ASKPASS=/bin/false
export LC_ALL=C
unset HF_TOKEN GIT_DIR GIT_WORK_TREE GIT_LFS_SKIP_SMUDGE 2>/dev/null || true
mkdir -p "$HOME"
git config --global user.name "Vitrine Verify Test"
git config --global user.email "verify-test@vitrine.invalid"
git config --global init.defaultBranch main
git config --global credential.helper ""
git lfs install >/dev/null || die "git lfs install"

# ---------------------------------------------------------------- server
"$BIN" user create alice --data "$DATA" >/dev/null 2>&1 || die "user create alice"
TOK="$("$BIN" token create --user alice --role write --data "$DATA")" || die "token create"

serve
echo "# server at $BASE (pid $PID)"

# ---------------------------------------------------------------- helpers
mismatch() { echo "    # $*" >&2; return 1; }
contains() { grep -qE -- "$2" <<<"$1" || mismatch "${3:-output} does not match /$2/: $(head -c 1500 <<<"$1")"; }
lacks() { ! grep -qE -- "$2" <<<"$1" || mismatch "${3:-output} matches /$2/: $(head -c 1500 <<<"$1")"; }

# api_commit REPO SUMMARY PATH=LOCALFILE... → prints commitOid
api_commit() {
  local repo="$1" summary="$2" nd="$WORK/commit.ndjson"; shift 2
  {
    jq -cn --arg s "$summary" '{key:"header",value:{summary:$s,description:""}}'
    local spec
    for spec in "$@"; do
      base64 -w0 <"${spec#*=}" | jq -cRs --arg p "${spec%%=*}" '{key:"file",value:{path:$p,content:.,encoding:"base64"}}'
    done
  } >"$nd"
  curl -sS -X POST -H "Authorization: Bearer $TOK" -H 'Content-Type: application/x-ndjson' \
    --data-binary @"$nd" "$BASE/api/models/$repo/commit/main" | jq -r '.commitOid // empty'
}
# settle: waits until the hub has signed a checkpoint of everything logged so far (its size
# stops moving for 2.5 s; the hub signs within a second of an append).
settle() {
  local last="" now same=0
  for _ in $(seq 100); do
    now="$(curl -sS "$BASE/tlog/checkpoint" | sed -n 2p)"
    if [ "$now" = "$last" ]; then same=$((same + 1)); else same=0; last="$now"; fi
    [ "$same" -ge 5 ] && return 0
    sleep 0.5
  done
  die "the checkpoint never settled"
}
# verify ARGS... → runs vitrine verify against the hub with the key; output (stdout+stderr) in
# $OUT, exit status in $RC.
verify() {
  set +e
  OUT="$("$BIN" verify --hub "$BASE" --key "$KEYFILE" "$@" 2>&1)"
  RC=$?
  set -e
  [ -z "${VERBOSE:-}" ] || printf '$ vitrine verify %s\n%s\n' "$*" "$OUT" | sed 's/^/# /'
}
rc_is() { [ "$RC" = "$1" ] || mismatch "exit status $RC, expected $1; output: $(head -c 2000 <<<"$OUT")"; }

# ---------------------------------------------------------------- history to check
R=alice/verified
code="$(curl -sS -o "$WORK/create.body" -w '%{http_code}' -X POST -H "Authorization: Bearer $TOK" \
  -H 'Content-Type: application/json' "$BASE/api/repos/create" --data '{"name":"verified"}')"
[ "$code" = 200 ] || die "create repo: $code $(cat "$WORK/create.body")"
mkdir -p "$WORK/f"
echo "first" >"$WORK/f/a.txt"
echo "second" >"$WORK/f/b.txt"
C1="$(api_commit "$R" "api one" a.txt="$WORK/f/a.txt")"
[ -n "$C1" ] || die "API commit 1"
settle
curl -sS "$BASE/tlog/checkpoint" >"$WORK/early.checkpoint"
C2="$(api_commit "$R" "api two" b.txt="$WORK/f/b.txt")"
[ -n "$C2" ] || die "API commit 2"

# git: an LFS file, a branch, a force-push of main, the branch deleted.
git clone -q "http://x:$TOK@$HOSTPORT/$R" "$WORK/clone" 2>"$WORK/git.err" || die "clone: $(cat "$WORK/git.err")"
head -c 200000 /dev/urandom >"$WORK/f/weights.bin"
LFS_SHA="$(sha256sum "$WORK/f/weights.bin" | cut -d' ' -f1)"
(
  cd "$WORK/clone"
  git lfs track '*.bin' >/dev/null
  cp "$WORK/f/weights.bin" weights.bin
  git add .gitattributes weights.bin
  git commit -qm "LFS weights"
  git push -q origin main
  git checkout -qb feature
  echo "feature" >feature.txt
  git add feature.txt
  git commit -qm "feature"
  git push -q origin feature
  git checkout -q main
  git reset -q --hard HEAD~1
  echo "rewritten" >rewritten.txt
  git add rewritten.txt
  git commit -qm "rewritten history"
  git push -q -f origin main
  git push -q origin :feature
) >"$WORK/git.out" 2>&1 || die "git: $(cat "$WORK/git.out")"
FORCED="$(git -C "$WORK/clone" rev-parse HEAD)"
# A private repository: its entries are sealed; the token's owner gets the openings.
P=alice/secret
code="$(curl -sS -o "$WORK/create.body" -w '%{http_code}' -X POST -H "Authorization: Bearer $TOK" \
  -H 'Content-Type: application/json' "$BASE/api/repos/create" --data '{"name":"secret","private":true}')"
[ "$code" = 200 ] || die "create private repo: $code $(cat "$WORK/create.body")"
echo "secret" >"$WORK/f/s.txt"
PC="$(api_commit "$P" "private one" s.txt="$WORK/f/s.txt")"
[ -n "$PC" ] || die "private commit"
settle

curl -sS "$BASE/tlog/key" >"$WORK/key"
KEYFILE="$WORK/key"
grep -qE '^[^+]+\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+$' "$KEYFILE" || die "GET /tlog/key: $(cat "$KEYFILE")"
echo "# key $(cat "$KEYFILE")"

# ---------------------------------------------------------------- the honest log verifies
t_repo() {
  verify --repo "models/$R"
  rc_is 0
  contains "$OUT" '^checkpoint: .* \(signature and tiles verified\)' "checkpoint line"
  contains "$OUT" 'no checkpoint of this log seen before' "first run"
  contains "$OUT" "refs/heads/main .* -> ${C1:0:12} +alice +via api" "API commit in the history"
  contains "$OUT" "WARNING: entry [0-9]+: force-push of refs/heads/main by alice: .* -> $FORCED" "force-push warning"
  contains "$OUT" "WARNING: entry [0-9]+: refs/heads/feature deleted by alice" "deletion warning"
  contains "$OUT" 'via git' "git pushes in the history"
  contains "$OUT" '^OK: everything verified$' "summary"
  ls "$XDG_STATE_HOME/vitrine-verify/" | grep -q vitrine-log || mismatch "no witness state saved"
}
t "verify --repo: every entry checked, force-push and branch deletion reported, exit 0" t_repo

t_again() {
  verify --repo "models/$R" --ref main
  rc_is 0
  contains "$OUT" 'consistent with the checkpoint of size [0-9]+ seen before' "second run"
  lacks "$OUT" 'refs/heads/feature' "--ref main history"
}
t "second run: consistent with the saved checkpoint; --ref narrows the history" t_again

t_revision() {
  verify --repo "models/$R" --revision main
  rc_is 0
  contains "$OUT" "revision $FORCED of models/$R is in the log" "main resolved and logged"
  verify --repo "models/$R" --revision "$C2"
  rc_is 0
  verify --repo "models/$R" --revision 0123456789012345678901234567890123456789
  rc_is 1
  contains "$OUT" '^vitrine verify: FAILED: revision 0123456789012345678901234567890123456789 of models/alice/verified is not in the log$' "unlogged revision"
}
t "verify --revision: the resolved head and an older commit pass, an unknown commit fails" t_revision

t_file() {
  verify --file "$WORK/f/weights.bin"
  rc_is 0
  contains "$OUT" "file .*weights.bin \(sha256 $LFS_SHA\) is in the log: models/$R refs/heads/main commit [0-9a-f]{40} path weights.bin" "LFS file found"
  echo "never uploaded $RANDOM" >"$WORK/f/stranger.bin"
  verify --file "$WORK/f/stranger.bin"
  rc_is 1
  contains "$OUT" "FAILED: file .*stranger.bin \(sha256 [0-9a-f]{64}\) is not in the log" "unknown file"
}
t "verify --file: the pushed LFS file is in the log, an unknown file is not" t_file

t_cache() {
  # The huggingface_hub cache layout: snapshots/<commit>/<path> -> ../../blobs/<sha256>.
  local commit repo_dir="$WORK/hfcache/models--alice--verified"
  commit="$(jq -r '.entries[] | select(.entry.kind == "ref") | select(.entry.files | map(.sha256) | index("'"$LFS_SHA"'")) | .entry.new' \
    < <(curl -sS "$BASE/api/tlog/lookup?file=$LFS_SHA") | head -1)"
  [ -n "$commit" ] || mismatch "no logged commit with the LFS file"
  mkdir -p "$repo_dir/blobs" "$repo_dir/snapshots/$commit"
  cp "$WORK/f/weights.bin" "$repo_dir/blobs/$LFS_SHA"
  ln -s "../../blobs/$LFS_SHA" "$repo_dir/snapshots/$commit/weights.bin"
  verify --file "$repo_dir/snapshots/$commit/weights.bin"
  rc_is 0
  contains "$OUT" "commit $commit of models/$R is in the log" "cache commit checked"
  # The same bytes under a commit the log never saw.
  local fake=0000000000000000000000000000000000000000
  mkdir -p "$repo_dir/snapshots/$fake"
  ln -s "../../blobs/$LFS_SHA" "$repo_dir/snapshots/$fake/weights.bin"
  verify --file "$repo_dir/snapshots/$fake/weights.bin"
  rc_is 1
  contains "$OUT" "FAILED: file .*: commit $fake of models/$R is not in the log" "unlogged cache commit"
}
t "verify --file in a huggingface_hub cache: repo and commit from the path, both checked" t_cache

t_private() {
  verify --repo "models/$P" --token "$TOK" --revision "$PC"
  rc_is 0
  contains "$OUT" "refs/heads/main .* -> ${PC:0:12} +alice +via api" "opened sealed entry"
  contains "$OUT" "revision $PC of models/$P is in the log" "private revision"
  HF_TOKEN="$TOK" verify --repo "models/$P"
  rc_is 0
  verify --repo "models/$P"
  rc_is 1
  contains "$OUT" "FAILED: repo models/$P is not in the log" "private repository without a token"
  [ "$(curl -sS "$BASE/api/tlog/lookup?commit=$PC" | jq -r '.entries | length')" = 0 ] || mismatch "sealed entry visible anonymously"
}
t "a private repository: sealed entries opened with the owner's token (--token, HF_TOKEN), invisible without" t_private

t_rename_delete() {
  local code
  code="$(curl -sS -o "$WORK/rd.body" -w '%{http_code}' -X POST -H "Authorization: Bearer $TOK" \
    -H 'Content-Type: application/json' "$BASE/api/repos/create" --data '{"name":"doomed"}')"
  [ "$code" = 200 ] || mismatch "create doomed: $code $(cat "$WORK/rd.body")"
  code="$(curl -sS -o "$WORK/rd.body" -w '%{http_code}' -X POST -H "Authorization: Bearer $TOK" \
    -H 'Content-Type: application/json' "$BASE/api/repos/move" \
    --data '{"fromRepo":"alice/doomed","toRepo":"alice/renamed","type":"model"}')"
  [ "$code" = 200 ] || mismatch "move: $code $(cat "$WORK/rd.body")"
  code="$(curl -sS -o "$WORK/rd.body" -w '%{http_code}' -X DELETE -H "Authorization: Bearer $TOK" \
    -H 'Content-Type: application/json' "$BASE/api/repos/delete" \
    --data '{"name":"renamed","organization":"alice","type":"model"}')"
  [ "$code" = 200 ] || mismatch "delete: $code $(cat "$WORK/rd.body")"
  settle
  verify --repo models/alice/renamed
  rc_is 0
  contains "$OUT" "WARNING: entry [0-9]+: repository renamed from models/alice/doomed to models/alice/renamed by alice" "rename warning"
  contains "$OUT" "WARNING: entry [0-9]+: repository models/alice/renamed deleted by alice" "delete warning"
}
t "a repository renamed, then deleted: both reported as warnings, exit 0" t_rename_delete

t_json() {
  set +e
  OUT="$("$BIN" verify --hub "$BASE" --key "$(cat "$KEYFILE")" --repo "models/$R" --json 2>/dev/null)"
  RC=$?
  set -e
  rc_is 0
  [ "$(jq -r .ok <<<"$OUT")" = true ] || mismatch "json ok: $OUT"
  [ "$(jq '[.warnings[] | select(test("force-push"))] | length' <<<"$OUT")" = 1 ] || mismatch "json warnings: $OUT"
  [ "$(jq '.repo.history | length' <<<"$OUT")" -ge 5 ] || mismatch "json history: $OUT"
}
t "--json (key given as text): one JSON report with ok, warnings and history" t_json

t_gossip() {
  verify --state "$WORK/other-witness" --checkpoint "$WORK/early.checkpoint"
  rc_is 0
  contains "$OUT" 'consistent with the checkpoint of size [0-9]+ in .*early.checkpoint' "gossip"
}
t "--checkpoint: an older checkpoint from another witness is consistent" t_gossip

t_wrong_key() {
  # Same key name, another Ed25519 public key (key hash recomputed, so the key parses).
  local name pub hash
  name="$(cut -d+ -f1 "$KEYFILE")"
  head -c 32 /dev/urandom >"$WORK/pub"
  hash="$( { printf '%s\n\001' "$name"; cat "$WORK/pub"; } | sha256sum | cut -c1-8)"
  pub="$( { printf '\001'; cat "$WORK/pub"; } | base64 -w0)"
  echo "$name+$hash+$pub" >"$WORK/wrong.key"
  set +e
  OUT="$("$BIN" verify --hub "$BASE" --key "$WORK/wrong.key" --state "$WORK/wrong-state" 2>&1)"
  RC=$?
  set -e
  rc_is 1
  contains "$OUT" '^vitrine verify: FAILED: checkpoint signature does not verify with the given key' "wrong key"
  [ ! -e "$WORK/wrong-state" ] || [ -z "$(ls -A "$WORK/wrong-state")" ] || mismatch "state saved for a failed check"
}
t "a wrong key: the checkpoint signature does not verify, nothing saved" t_wrong_key

t_usage() {
  verify --ref main
  rc_is 2
  set +e
  OUT="$("$BIN" verify --hub "http://127.0.0.1:1" --key "$KEYFILE" 2>&1)"
  RC=$?
  set -e
  rc_is 2
  contains "$OUT" '^vitrine verify: GET http://127.0.0.1:1/' "network error message"
}
t "usage and network errors exit 2" t_usage

# ---------------------------------------------------------------- tampering is caught
LOG="$DATA/tlog/log.sqlite"
backup_log() { rm -rf "$WORK/log-backup"; mkdir -p "$WORK/log-backup"; cp -p "$LOG"* "$WORK/log-backup/"; }
restore_log() { rm -f "$LOG"*; cp -p "$WORK/log-backup/"* "$DATA/tlog/"; }

# The server is stopped and started here, outside the subshells the checks run in, so that
# BASE and PID stay this shell's.
first_forced() { sqlite3 "$LOG" "SELECT idx FROM entries WHERE CAST(data AS TEXT) LIKE '%\"forced\":true%' ORDER BY idx LIMIT 1"; }
stop_server
backup_log
EDITED="$(first_forced)"
[ -n "$EDITED" ] || die "no force-push entry in the log"
sqlite3 "$LOG" "UPDATE entries SET data = CAST(replace(CAST(data AS TEXT), '\"forced\":true', '\"forced\":false') AS BLOB) WHERE idx = $EDITED"
SEALED="$(sqlite3 "$LOG" "SELECT idx FROM entries WHERE CAST(sealed AS TEXT) LIKE '%\"new\":\"$PC\"%' ORDER BY idx LIMIT 1")"
[ -n "$SEALED" ] || die "no sealed entry for the private commit"
sqlite3 "$LOG" "UPDATE entries SET sealed = CAST(replace(CAST(sealed AS TEXT), '\"actor\":\"alice\"', '\"actor\":\"mallory\"') AS BLOB) WHERE idx = $SEALED"
serve
t_edited_entry() {
  verify --repo "models/$R"
  rc_is 1
  contains "$OUT" "^vitrine verify: FAILED: entry $EDITED does not match the log: " "edited entry"
  lacks "$OUT" "force-push" "history of an edited log"
}
t "an entry edited in log.sqlite (force-push hidden) fails verification" t_edited_entry
t_edited_opening() {
  verify --repo "models/$P" --token "$TOK"
  rc_is 1
  contains "$OUT" "^vitrine verify: FAILED: entry $SEALED does not match the log: its opening does not match the sealed commitment" "edited opening"
}
t "a sealed entry's opening edited in log.sqlite fails verification" t_edited_opening
stop_server
restore_log
serve
t_restored() {
  verify --repo "models/$R"
  rc_is 0
}
t "the log restored, it verifies again" t_restored

SIZE="$(curl -sS "$BASE/tlog/checkpoint" | sed -n 2p)"
curl -sS "$BASE/tlog/checkpoint" >"$WORK/before-rewrite.checkpoint"
verify
[ "$RC" = 0 ] || die "verify before the rewrite: $OUT"
stop_server
# Remove the first commit's entry (the early checkpoint covers it), renumber the later ones,
# rebuild the hashes and checkpoints.
DELETED="$(sqlite3 "$LOG" "SELECT idx FROM entries WHERE CAST(data AS TEXT) LIKE '%\"new\":\"$C1\"%' ORDER BY idx LIMIT 1")"
[ -n "$DELETED" ] || die "no entry for the first commit"
sqlite3 "$LOG" "DELETE FROM entries WHERE idx = $DELETED; UPDATE entries SET idx = -idx WHERE idx > $DELETED; UPDATE entries SET idx = -idx - 1 WHERE idx < 0;"
"$BIN" tlog rehash --data "$DATA" >"$WORK/rehash.out" 2>&1 || die "tlog rehash: $(cat "$WORK/rehash.out")"
serve
t_shrunk() {
  verify
  rc_is 1
  contains "$OUT" "^vitrine verify: FAILED: log shrank: a checkpoint of size $SIZE was seen before" "shrunk log"
  # A fresh witness handed the larger checkpoint by another one: the hub cannot prove it.
  verify --state "$WORK/gossip-witness" --checkpoint "$WORK/before-rewrite.checkpoint"
  rc_is 1
  contains "$OUT" "FAILED: checkpoint of size $SIZE in .*before-rewrite.checkpoint is not consistent with the hub's of size [0-9]+ .*; the hub has no proof to it" "gossip from a larger checkpoint"
}
t "a log rewritten after a witness saw it (entry deleted, tlog rehash): it shrank, and a witness handed the old checkpoint sees it" t_shrunk

# Grow it back to the size the witness saw: two signed checkpoints of one size disagree.
n=0
while [ "$(curl -sS "$BASE/tlog/checkpoint" | sed -n 2p)" -lt "$SIZE" ]; do
  n=$((n + 1))
  [ "$n" -le 3 ] || die "the log does not grow back to $SIZE entries"
  echo "c$n" >"$WORK/f/c$n.txt"
  [ -n "$(api_commit "$R" "after rewrite $n" "c$n.txt=$WORK/f/c$n.txt")" ] || die "commit after rewrite"
  settle
done
t_forked() {
  verify
  rc_is 1
  contains "$OUT" "^vitrine verify: FAILED: log forked: two signed checkpoints of size $SIZE disagree" "fork"
}
t "the rewritten log grown back to the size seen: forked" t_forked

# Past it: a different history of a larger size.
echo "d" >"$WORK/f/d.txt"
[ -n "$(api_commit "$R" "after rewrite, past" d.txt="$WORK/f/d.txt")" ] || die "commit after rewrite"
settle
t_rewritten() {
  verify --repo "models/$R"
  rc_is 1
  contains "$OUT" "^vitrine verify: FAILED: checkpoint of size [0-9]+ is not consistent with the one of size $SIZE seen before \(the log was rewritten or forked\)" "rewritten log"
  # A fresh witness that only holds the early checkpoint, from another witness, sees it too.
  verify --state "$WORK/fresh-witness" --checkpoint "$WORK/early.checkpoint"
  rc_is 1
  contains "$OUT" "FAILED: checkpoint of size [0-9]+ is not consistent with the one of size [0-9]+ in .*early.checkpoint" "gossip catches the rewrite"
}
t "the rewritten log grown past the size seen: not consistent with the saved or a gossiped checkpoint" t_rewritten

finish
