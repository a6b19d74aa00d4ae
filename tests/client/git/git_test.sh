#!/usr/bin/env bash
# git smart HTTP and git-lfs against a real `vitrine serve` (issue 3; contract:
# /work/shared/reference/hf-api-contract.md §5): clone (v2, v0, .git suffix, datasets, shallow),
# fetch/pull, LFS pull of a file uploaded with the JS client, push of small and LFS files then
# download through HTTP and the JS client, refused pushes that leave every ref as it was,
# private repositories, force-push, concurrent push + API commit, malformed pkt-lines and a
# truncated pack.
#
# Prints `ok - NAME` / `not ok - NAME` per check, then `N passed, M failed`; exits non-zero
# when anything failed. Needs bash, git, git-lfs, curl, jq, node (with tests/client/js
# node_modules for the JS client checks), sha256sum, timeout.
#
# VITRINE_BIN: server binary (absolute, or relative to the repository root; default build/vitrine).
# VITRINE_KEEP=1 keeps the work folder; RACE_ITERATIONS (default 6) sets the concurrency rounds.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
BIN="${VITRINE_BIN:-build/vitrine}"
case "$BIN" in /*) ;; *) BIN="$root/$BIN" ;; esac

for tool in git git-lfs curl jq node sha256sum timeout cmp base64 date; do
  command -v "$tool" >/dev/null 2>&1 || { echo "git_test: '$tool' is required" >&2; exit 1; }
done
[ -x "$BIN" ] || { echo "git_test: vitrine binary not found at $BIN (set VITRINE_BIN)" >&2; exit 1; }
[ -f "$here/../js/node_modules/@huggingface/hub/package.json" ] ||
  { echo "git_test: run 'npm ci' in tests/client/js first (the JS client is needed)" >&2; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/vitrine-git-XXXXXX")"
DATA="$WORK/data"
mkdir -p "$DATA" "$WORK/f" "$WORK/home"
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

die() { echo "git_test: setup failed: $*" >&2; [ -f "$WORK/server.err" ] && tail -20 "$WORK/server.err" >&2; exit 1; }

# ---------------------------------------------------------------- isolated git + git-lfs
export HOME="$WORK/home"
export XDG_CONFIG_HOME="$WORK/home/.config"
export GIT_CONFIG_NOSYSTEM=1
export GIT_TERMINAL_PROMPT=0
export GIT_ASKPASS=/bin/false SSH_ASKPASS=/bin/false
export LC_ALL=C
unset GIT_DIR GIT_WORK_TREE GIT_PROTOCOL GIT_TRACE GIT_TRACE_PACKET GIT_LFS_SKIP_SMUDGE 2>/dev/null || true
git config --global user.name "Vitrine Git Test"
git config --global user.email "git-test@vitrine.invalid"
git config --global init.defaultBranch main
git config --global advice.detachedHead false
git config --global credential.helper ""
git lfs install >/dev/null || die "git lfs install"

# ---------------------------------------------------------------- server
"$BIN" user create alice --data "$DATA" >/dev/null 2>>"$WORK/cli.err" || die "user create alice"
"$BIN" user create bob --data "$DATA" >/dev/null 2>>"$WORK/cli.err" || die "user create bob"
"$BIN" user create root --admin --data "$DATA" >/dev/null 2>>"$WORK/cli.err" || die "user create root --admin"
TOK="$("$BIN" token create --user alice --role write --data "$DATA")" || die "token alice"
RTOK="$("$BIN" token create --user alice --role read --data "$DATA")" || die "read token alice"
BOB="$("$BIN" token create --user bob --role write --data "$DATA")" || die "token bob"
ADMIN="$("$BIN" token create --user root --role write --data "$DATA")" || die "token root"
for t in "$TOK" "$RTOK" "$BOB" "$ADMIN"; do [[ "$t" =~ ^hf_[A-Za-z0-9]+$ ]] || die "token create printed '$t'"; done

"$BIN" serve --data "$DATA" --listen 127.0.0.1:0 >"$WORK/server.out" 2>"$WORK/server.err" &
SERVER_PID=$!
for _ in $(seq 200); do
  grep -q "listening on http://" "$WORK/server.out" && break
  kill -0 "$SERVER_PID" 2>/dev/null || die "server exited"
  sleep 0.1
done
BASE="$(grep -o 'listening on http://[^[:space:]]*' "$WORK/server.out" | head -1 | sed 's/^listening on //; s:/*$::')"
[ -n "$BASE" ] || die "server did not print 'listening on'"
HOSTPORT="${BASE#http://}"
echo "# server at $BASE (pid $SERVER_PID)"

# ---------------------------------------------------------------- helpers
fail() { echo "    # $*" >&2; return 1; }
eq() { [ "$1" = "$2" ] || fail "${3:-value}: got '$1', expected '$2'"; }
contains() { grep -qiE -- "$2" <<<"$1" || fail "${3:-output} does not match /$2/: $(head -c 600 <<<"$1")"; }
sha256() { sha256sum "$1" | cut -d' ' -f1; }
same_file() { cmp -s "$1" "$2" || fail "${3:-file} differs: $1 ($(wc -c <"$1") bytes) vs $2 ($(wc -c <"$2" 2>/dev/null || echo missing) bytes)"; }

# url [TOKEN|-] REPO: clone URL with credentials in it (REPO = ns/name or datasets/ns/name).
url() {
  if [ "$1" = - ]; then echo "http://$HOSTPORT/$2"; else echo "http://x:$1@$HOSTPORT/$2"; fi
}
# api_path REPO → /api/models/ns/name or /api/datasets/ns/name
api_path() {
  case "$1" in datasets/*) echo "/api/datasets/${1#datasets/}" ;; spaces/*) echo "/api/spaces/${1#spaces/}" ;; *) echo "/api/models/$1" ;; esac
}
api() { # api METHOD PATH [curl args] → body on stdout (status in $WORK/api.status)
  local m="$1" p="$2"; shift 2
  curl -sS -g -X "$m" -H "Authorization: Bearer $TOK" -o "$WORK/api.body" -w '%{http_code}' "$@" "$BASE$p" >"$WORK/api.status" || echo 000 >"$WORK/api.status"
  cat "$WORK/api.body"
}
api_status() { cat "$WORK/api.status"; }
create_repo() { # create_repo NAME [private] [type] [token]
  local code
  code="$(curl -sS -o "$WORK/create.body" -w '%{http_code}' -X POST -H "Authorization: Bearer ${4:-$TOK}" \
    -H 'Content-Type: application/json' "$BASE/api/repos/create" \
    --data "{\"name\":\"$1\",\"type\":\"${3:-model}\",\"private\":${2:-false}}")"
  [ "$code" = 200 ] || fail "create $1: $code $(cat "$WORK/create.body")"
}
head_sha() { api GET "$(api_path "$1")/revision/${2:-main}" | jq -r .sha; }
# refs_state REPO: every ref, through the API (branches, tags, converts, PRs) and through git.
refs_state() {
  {
    curl -sS -H "Authorization: Bearer $TOK" "$BASE$(api_path "$1")/refs?include_prs=1" | jq -S -c .
    timeout 60 git ls-remote "$(url "$TOK" "$1")" 2>&1 | sort
  }
}
# api_commit REPO BRANCH SUMMARY [PARENT] -- PATH=LOCALFILE... → prints commitOid (status in api.status)
api_commit() {
  local repo="$1" rev="$2" summary="$3" parent="${4:-}" nd="$WORK/commit.$$.$BASHPID.ndjson"; shift 4
  [ "${1:-}" = -- ] && shift
  {
    if [ -n "$parent" ]; then
      jq -cn --arg s "$summary" --arg p "$parent" '{key:"header",value:{summary:$s,description:"",parentCommit:$p}}'
    else
      jq -cn --arg s "$summary" '{key:"header",value:{summary:$s,description:""}}'
    fi
    local spec
    for spec in "$@"; do
      base64 -w0 <"${spec#*=}" | jq -cRs --arg p "${spec%%=*}" '{key:"file",value:{path:$p,content:.,encoding:"base64"}}'
    done
  } >"$nd"
  api POST "$(api_path "$repo")/commit/$rev" -H 'Content-Type: application/x-ndjson' \
    --data-binary @"$nd" >/dev/null
  jq -r '.commitOid // empty' "$WORK/api.body" 2>/dev/null || true
}
g() { timeout 180 git "$@"; } # no git call may hang the suite
# reset_to_origin DIR: the clone's main back at the server's main, work tree clean
reset_to_origin() { (cd "$1" && git fetch -q origin && git checkout -q main && git reset -q --hard origin/main && git clean -qfdx); }
jsclient() { timeout 180 node "$here/hfjs.mjs" "$@"; }
iso_of_commit() { date -u -d "@$(git -C "$1" log -1 --format=%ct "${2:-HEAD}")" +%Y-%m-%dT%H:%M:%S.000Z; }
# norm TEXT REPO → git's output with this repo's name, the server and tokens made neutral.
norm() { sed -e "s#$2#REPO#g" -e "s#$TOK#TOKEN#g; s#$BOB#TOKEN#g; s#$RTOK#TOKEN#g; s#$ADMIN#TOKEN#g; s#$HOSTPORT#HOST#g" <<<"$1"; }

PASSED=0; FAILED=0
t() { # t NAME FUNCTION
  local name="$1" fn="$2" rc
  set +e
  : >"$WORK/t.trace"
  ( set -eE; trap 'echo "    # failed: $BASH_COMMAND (line $LINENO)" >>"$WORK/t.trace"' ERR; cd "$WORK"; "$fn" ) 2>"$WORK/t.err"
  rc=$?
  set -e
  if [ "$rc" -eq 0 ]; then
    echo "ok - $name"; PASSED=$((PASSED + 1))
  else
    echo "not ok - $name"; sed 's/^/  /' "$WORK/t.err" | head -40
    grep -q '# ' "$WORK/t.err" || sed 's/^/  /' "$WORK/t.trace" | head -3
    FAILED=$((FAILED + 1))
  fi
}

# ---------------------------------------------------------------- fixtures
printf 'hello from the API\n' >"$WORK/f/readme.txt"
printf 'second\n' >"$WORK/f/two.txt"
printf 'third\n' >"$WORK/f/three.txt"
head -c 3145728 /dev/urandom >"$WORK/f/js-upload.bin"   # 3 MiB, LFS through the JS client

M=alice/clone-model
D=datasets/alice/clone-data
create_repo clone-model || die "create $M"
create_repo clone-data false dataset || die "create $D"
C1="$(api_commit "$M" main "first" "" -- README.txt="$WORK/f/readme.txt")"
C2="$(api_commit "$M" main "second" "" -- two.txt="$WORK/f/two.txt")"
C3="$(api_commit "$M" main "third" "" -- dir/three.txt="$WORK/f/three.txt")"
[ -n "$C3" ] || die "API commits on $M failed: $(cat "$WORK/api.body")"
DC="$(api_commit "$D" main "data" "" -- data/train.csv="$WORK/f/two.txt")"
[ -n "$DC" ] || die "API commit on $D failed: $(cat "$WORK/api.body")"

# ================================================================ clone / fetch
check_clone() { # DIR EXPECTED_SHA
  eq "$(git -C "$1" rev-parse HEAD)" "$2" "HEAD of the clone"
  eq "$(git -C "$1" symbolic-ref HEAD)" refs/heads/main "checked-out branch"
  same_file "$WORK/f/readme.txt" "$1/README.txt" README.txt
  same_file "$WORK/f/three.txt" "$1/dir/three.txt" dir/three.txt
  git -C "$1" fsck --no-progress >/dev/null 2>&1 || fail "git fsck failed in $1"
}

t_clone_v2() {
  local out
  out="$(GIT_TRACE_PACKET=1 g clone "$(url - "$M")" c-v2 2>&1)" || fail "clone: $out"
  contains "$out" 'version 2' "packet trace (protocol v2 expected)"
  check_clone c-v2 "$C3"
}
t "clone, protocol v2 (default), checks out main at the API head" t_clone_v2

t_clone_v0() {
  local out
  out="$(GIT_TRACE_PACKET=1 g -c protocol.version=0 clone "$(url - "$M")" c-v0 2>&1)" || fail "clone: $out"
  ! grep -q 'git< version 2' <<<"$out" || fail "server spoke v2 although v0 was asked"
  check_clone c-v0 "$C3"
}
t "clone, protocol v0 (-c protocol.version=0)" t_clone_v0

t_clone_v1() {
  g -c protocol.version=1 clone -q "$(url - "$M")" c-v1 2>&1 || fail "v1 clone failed"
  check_clone c-v1 "$C3"
}
t "clone, protocol v1" t_clone_v1

t_clone_dotgit() {
  g clone -q "$(url - "$M").git" c-dotgit || fail "clone of .git URL failed"
  check_clone c-dotgit "$C3"
  g clone -q "$(url "$TOK" "$M").git" c-dotgit-auth || fail "clone of .git URL with a token failed"
  check_clone c-dotgit-auth "$C3"
}
t "clone with a .git suffix URL (anonymous and with a token)" t_clone_dotgit

t_clone_dataset() {
  local d
  for d in "$(url - "$D")" "$(url - "$D").git" "$(url "$TOK" "$D")"; do
    rm -rf c-ds
    g clone -q "$d" c-ds || fail "clone $d failed"
    eq "$(git -C c-ds rev-parse HEAD)" "$DC" "dataset HEAD"
    same_file "$WORK/f/two.txt" c-ds/data/train.csv data/train.csv
  done
  # a dataset is not reachable as a model, nor the other way round
  ! g clone -q "$(url - "${D#datasets/}")" c-ds-wrong 2>/dev/null || fail "dataset cloned at the model URL"
  ! g clone -q "$(url - "datasets/$M")" c-m-wrong 2>/dev/null || fail "model cloned at the dataset URL"
}
t "clone a dataset under /datasets/ (with and without .git); wrong repo type is not found" t_clone_dataset

t_clone_shallow() {
  g clone -q --depth 1 "$(url - "$M")" c-shallow || fail "shallow clone failed"
  eq "$(git -C c-shallow rev-list --count HEAD)" 1 "commits in a --depth 1 clone"
  [ -f c-shallow/.git/shallow ] || fail ".git/shallow missing"
  eq "$(git -C c-shallow rev-parse HEAD)" "$C3" "shallow HEAD"
  g -C c-shallow fetch -q --deepen 1 || fail "fetch --deepen failed"
  eq "$(git -C c-shallow rev-list --count HEAD)" 2 "commits after --deepen 1"
  g -c protocol.version=0 clone -q --depth 1 "$(url - "$M")" c-shallow0 || fail "v0 shallow clone failed"
  eq "$(git -C c-shallow0 rev-list --count HEAD)" 1 "commits in a v0 --depth 1 clone"
}
t "shallow clone --depth 1 (v2 and v0), then fetch --deepen" t_clone_shallow

t_head_main() {
  local out
  out="$(g ls-remote --symref "$(url - "$M")" HEAD)"
  contains "$out" '^ref: refs/heads/main[[:space:]]+HEAD' "ls-remote --symref HEAD"
  # a second branch created through the API does not change what HEAD points to
  api POST "$(api_path "$M")/branch/other" -H 'Content-Type: application/json' --data "{\"startingPoint\":\"$C1\"}" >/dev/null
  rm -rf c-head
  g clone -q "$(url - "$M")" c-head
  eq "$(git -C c-head symbolic-ref HEAD)" refs/heads/main "branch checked out"
  eq "$(git -C c-head rev-parse HEAD)" "$C3" "HEAD"
  eq "$(git -C c-head rev-parse origin/other)" "$C1" "origin/other"
}
t "HEAD points at main (ls-remote --symref; other branches do not change it)" t_head_main

t_fetch_pull() {
  local c4 c5
  printf 'fourth\n' >"$WORK/f/four.txt"
  c4="$(api_commit "$M" main "fourth" "" -- four.txt="$WORK/f/four.txt")"
  [ -n "$c4" ] || fail "API commit: $(cat "$WORK/api.body")"
  # the API commit is cloneable at once
  g -C c-v2 pull -q --ff-only || fail "pull failed"
  eq "$(git -C c-v2 rev-parse HEAD)" "$c4" "HEAD after pull"
  same_file "$WORK/f/four.txt" c-v2/four.txt four.txt
  g -C c-v0 -c protocol.version=0 fetch -q origin || fail "v0 fetch failed"
  eq "$(git -C c-v0 rev-parse origin/main)" "$c4" "origin/main after v0 fetch"
  g -C c-shallow fetch -q origin || fail "fetch into the shallow clone failed"
  eq "$(git -C c-shallow rev-parse origin/main)" "$c4" "origin/main after fetch in the shallow clone"
  printf 'fifth\n' >"$WORK/f/five.txt"
  c5="$(api_commit "$M" main "fifth" "" -- five.txt="$WORK/f/five.txt")"
  g -C c-dotgit pull -q --ff-only || fail "pull (.git URL) failed"
  eq "$(git -C c-dotgit rev-parse HEAD)" "$c5" "HEAD after second pull"
  eq "$(git -C c-dotgit log --format=%s -2 | tr '\n' ,)" "fifth,fourth," "latest commit titles"
}
t "fetch and pull of new commits made through the API (v2, v0, shallow, .git URL)" t_fetch_pull

# ================================================================ LFS: JS upload → git lfs pull
L=alice/lfs-model
create_repo lfs-model || die "create $L"

t_lfs_pull_js_upload() {
  local oid out
  oid="$(jsclient upload "$BASE" "$TOK" "$L" weights/model.bin "$WORK/f/js-upload.bin")" || fail "JS uploadFile failed"
  [ -n "$oid" ] || fail "JS uploadFile returned no commit oid"
  GIT_LFS_SKIP_SMUDGE=1 g clone -q "$(url - "$L")" c-lfs-skip || fail "clone (skip smudge) failed"
  eq "$(git -C c-lfs-skip rev-parse HEAD)" "$oid" "HEAD is the JS commit"
  grep -q '^version https://git-lfs.github.com/spec/v1' c-lfs-skip/weights/model.bin ||
    fail "before git lfs pull the file should be a pointer"
  out="$(cd c-lfs-skip && timeout 180 git lfs pull 2>&1)" || fail "git lfs pull: $out"
  same_file "$WORK/f/js-upload.bin" c-lfs-skip/weights/model.bin "weights/model.bin after git lfs pull"
  # a plain clone smudges at checkout; git lfs fetch --all also works
  g clone -q "$(url "$TOK" "$L")" c-lfs || fail "clone (smudge) failed"
  same_file "$WORK/f/js-upload.bin" c-lfs/weights/model.bin "weights/model.bin after clone"
  out="$(cd c-lfs && timeout 180 git lfs fetch --all 2>&1)" || fail "git lfs fetch --all: $out"
  out="$(cd c-lfs && timeout 60 git lfs fsck 2>&1)" || fail "git lfs fsck: $out"
}
t "LFS: file uploaded with the JS client (useXet:false) → git clone + git lfs pull gives identical bytes" t_lfs_pull_js_upload

t_lfs_pull_xet_upload() {
  local out oid xorbs
  head -c 3000000 /dev/urandom >"$WORK/f/xet-upload.bin"
  out="$(jsclient upload-xet "$BASE" "$TOK" "$L" weights/xet.bin "$WORK/f/xet-upload.bin")" ||
    fail "JS uploadFile (Xet) failed"
  read -r oid xorbs <<<"$out"
  [ -n "$oid" ] || fail "JS uploadFile returned no commit oid"
  [ "${xorbs:-0}" -ge 1 ] || fail "the upload did not go through Xet (xorb POSTs: ${xorbs:-none})"
  GIT_LFS_SKIP_SMUDGE=1 g clone -q "$(url - "$L")" c-xet || fail "clone (skip smudge) failed"
  out="$(cd c-xet && timeout 180 git lfs pull 2>&1)" || fail "git lfs pull: $out"
  same_file "$WORK/f/xet-upload.bin" c-xet/weights/xet.bin "weights/xet.bin (Xet upload) after git lfs pull"
  out="$(cd c-xet && timeout 60 git lfs fsck 2>&1)" || fail "git lfs fsck: $out"
}
t "LFS: file uploaded through Xet (@huggingface/hub default) → git lfs pull gives identical bytes" t_lfs_pull_xet_upload

t_lfs_locks_verify() {
  local code
  code="$(curl -sS -o "$WORK/locks.body" -w '%{http_code}' -X POST -u "x:$TOK" \
    -H 'Content-Type: application/vnd.git-lfs+json' -H 'Accept: application/vnd.git-lfs+json' \
    --data '{"ref":{"name":"refs/heads/main"}}' "$BASE/$L.git/info/lfs/locks/verify")"
  case "$code" in
    501) ;;
    200) jq -e '(.ours|type=="array") and (.theirs|type=="array")' "$WORK/locks.body" >/dev/null || fail "locks/verify 200 body: $(cat "$WORK/locks.body")" ;;
    *) fail "locks/verify answered $code (expected 501 or 200 {ours,theirs})" ;;
  esac
}
t "LFS: POST info/lfs/locks/verify answers 501 or {ours:[],theirs:[]}" t_lfs_locks_verify

t_auth_challenges() {
  local h
  h="$(curl -sS -o /dev/null -D - "$BASE/$L.git/info/refs?service=git-receive-pack" | tr -d '\r')"
  contains "$h" '^HTTP/[0-9.]+ 401' "receive-pack advertisement without credentials"
  contains "$h" '^WWW-Authenticate: Basic' "WWW-Authenticate"
  h="$(curl -sS -o /dev/null -D - -X POST -H 'Content-Type: application/vnd.git-lfs+json' \
    --data '{"operation":"upload","objects":[{"oid":"'"$(printf '%064d' 0)"'","size":1}]}' \
    "$BASE/$L.git/info/lfs/objects/batch" | tr -d '\r')"
  contains "$h" '^HTTP/[0-9.]+ 401' "LFS upload batch without credentials"
  contains "$h" '^LFS-Authenticate: Basic' "LFS-Authenticate"
}
t "push without credentials: 401 with WWW-Authenticate / LFS-Authenticate (Basic)" t_auth_challenges

# ================================================================ push: small + LFS files
P=alice/push-model
create_repo push-model || die "create $P"
# the head pushed last to $P (tests run in subshells: kept in a file)
pushed() { cat "$WORK/pushed" 2>/dev/null || true; }
set_pushed() { echo "$1" >"$WORK/pushed"; }

t_push_small_and_lfs() {
  local out before_lm
  g clone -q "$(url "$TOK" "$P")" c-push || fail "clone failed"
  before_lm="$(api GET "/api/models?author=alice&sort=lastModified" | jq -r --arg id "$P" '.[] | select(.id==$id) | .lastModified')"
  cd c-push
  grep -q '^\*\.bin ' .gitattributes || fail "default .gitattributes does not track *.bin"
  printf 'small text\n' >small.txt
  mkdir -p nested/deeper
  printf '{"a": 1}\n' >nested/deeper/config.json
  head -c 2621440 /dev/urandom >model.bin           # 2.5 MiB, LFS through the default .gitattributes
  git lfs track '*.dat' >/dev/null
  head -c 1048577 /dev/urandom >nested/blob.dat     # 1 MiB + 1, LFS through git lfs track
  : >empty.txt
  git add -A
  git commit -qm "push small and LFS files"
  [ "$(git lfs ls-files -n | sort | tr '\n' ,)" = "model.bin,nested/blob.dat," ] ||
    fail "git lfs ls-files: $(git lfs ls-files -n | tr '\n' ,)"
  out="$(timeout 180 git push origin main 2>&1)" || fail "push: $out"
  set_pushed "$(git rev-parse HEAD)"
  cd ..
  # visible through the API at once
  eq "$(head_sha "$P")" "$(pushed)" "/revision/main sha right after the push"
  local tree
  tree="$(api GET "/api/models/$P/tree/main?recursive=true")"
  eq "$(jq -r '[.[] | select(.type=="file") | .path] | sort | join(",")' <<<"$tree")" \
    ".gitattributes,empty.txt,model.bin,nested/blob.dat,nested/deeper/config.json,small.txt" "tree paths"
  eq "$(jq -r '.[] | select(.path=="model.bin") | .lfs.oid' <<<"$tree")" "$(sha256 c-push/model.bin)" "model.bin lfs.oid"
  eq "$(jq -r '.[] | select(.path=="model.bin") | .size' <<<"$tree")" 2621440 "model.bin size"
  eq "$(jq -r '.[] | select(.path=="nested/blob.dat") | .lfs.oid' <<<"$tree")" "$(sha256 c-push/nested/blob.dat)" "blob.dat lfs.oid"
  eq "$(jq -r '.[] | select(.path=="small.txt") | has("lfs")' <<<"$tree")" false "small.txt is not LFS"
  local listing
  listing="$(api GET "/api/models?author=alice&sort=lastModified" | jq -c --arg id "$P" '.[] | select(.id==$id)')"
  eq "$(jq -r .sha <<<"$listing")" "$(pushed)" "listing sha"
  eq "$(jq -r .lastModified <<<"$listing")" "$(iso_of_commit c-push)" "listing lastModified (pushed commit's date)"
  [ -z "$before_lm" ] || [[ "$(jq -r .lastModified <<<"$listing")" > "$before_lm" || "$(jq -r .lastModified <<<"$listing")" == "$before_lm" ]] ||
    fail "lastModified went backwards: $before_lm → $(jq -r .lastModified <<<"$listing")"
  eq "$(api GET "/api/models/$P" | jq -r .sha)" "$(pushed)" "model info sha"
  eq "$(api GET "/api/models/$P/commits/main" | jq -r '.[0].id')" "$(pushed)" "commits API head"
}
t "push small files and LFS files (default *.bin and git lfs track *.dat); revision, tree, listing reflect it at once" t_push_small_and_lfs

t_push_download_http() {
  [ -n "$(pushed)" ] || fail "previous push failed"
  local f code
  for f in small.txt nested/deeper/config.json model.bin nested/blob.dat empty.txt; do
    code="$(curl -sS -L -o "$WORK/dl" -w '%{http_code}' "$BASE/$P/resolve/main/$f")"
    eq "$code" 200 "resolve $f"
    same_file c-push/"$f" "$WORK/dl" "resolve/main/$f"
    code="$(curl -sS -L -o "$WORK/dl" -w '%{http_code}' "$BASE/$P/resolve/$(pushed)/$f")"
    eq "$code" 200 "resolve by sha $f"
    same_file c-push/"$f" "$WORK/dl" "resolve/<sha>/$f"
  done
  # the resolve headers of an LFS file name its sha256 and the commit
  local h
  h="$(curl -sS -o /dev/null -D - -I "$BASE/$P/resolve/main/model.bin" | tr -d '\r')"
  contains "$h" "^X-Repo-Commit: $(pushed)" "X-Repo-Commit"
  contains "$h" "^(X-Linked-Etag|ETag): \"?$(sha256 c-push/model.bin)" "LFS etag"
}
t "pushed files download byte-identical through HTTP resolve (by branch and by sha)" t_push_download_http

t_push_download_js() {
  [ -n "$(pushed)" ] || fail "previous push failed"
  local f
  for f in small.txt model.bin nested/blob.dat nested/deeper/config.json; do
    jsclient download "$BASE" "$TOK" "$P" "$f" "$WORK/dl-js" || fail "JS downloadFile $f failed"
    same_file c-push/"$f" "$WORK/dl-js" "JS downloadFile $f"
  done
  jsclient download "$BASE" "$TOK" "$P" model.bin "$WORK/dl-js" "$(pushed)" || fail "JS downloadFile by sha"
  same_file c-push/model.bin "$WORK/dl-js" "JS downloadFile model.bin @sha"
}
t "pushed files download byte-identical through the JS client (downloadFile)" t_push_download_js

t_push_branches_tags() {
  cd c-push
  git checkout -q -b feature
  printf 'on a branch\n' >feature.txt
  git add feature.txt && git commit -qm "feature"
  local fsha out refs
  fsha="$(git rev-parse HEAD)"
  out="$(timeout 120 git push origin feature 2>&1)" || fail "push new branch: $out"
  git tag v1.0 && git tag -a -m annotated v1.1
  out="$(timeout 120 git push origin v1.0 v1.1 2>&1)" || fail "push tags: $out"
  git checkout -q main
  cd ..
  refs="$(api GET "/api/models/$P/refs")"
  eq "$(jq -r '.branches[] | select(.name=="feature") | .targetCommit' <<<"$refs")" "$fsha" "feature branch in refs API"
  eq "$(jq -r '[.tags[].name] | sort | join(",")' <<<"$refs")" "v1.0,v1.1" "tags in refs API"
  eq "$(head_sha "$P" feature)" "$fsha" "revision/feature"
  eq "$(curl -sS "$BASE/$P/resolve/feature/feature.txt")" "on a branch" "resolve on the pushed branch"
  eq "$(curl -sS "$BASE/$P/resolve/v1.1/feature.txt")" "on a branch" "resolve on the pushed annotated tag"
  out="$(cd c-push && timeout 120 git push origin --delete feature v1.0 2>&1)" || fail "delete branch/tag: $out"
  refs="$(api GET "/api/models/$P/refs")"
  eq "$(jq -r '[.branches[].name] | sort | join(",")' <<<"$refs")" "main" "branches after deleting feature"
  eq "$(jq -r '[.tags[].name] | join(",")' <<<"$refs")" "v1.1" "tags after deleting v1.0"
}
t "push a new branch and tags, then delete them; the refs API follows" t_push_branches_tags

t_force_push() {
  cd c-push
  git fetch -q origin && git reset -q --hard origin/main
  printf 'to be rewritten\n' >rewrite.txt && git add rewrite.txt && git commit -qm "will be rewritten"
  local old new out
  old="$(git rev-parse HEAD)"
  timeout 120 git push -q origin main 2>&1 || fail "push before rewrite"
  git reset -q --hard HEAD~1
  printf 'rewritten\n' >rewritten.txt && git add rewritten.txt && git commit -qm "rewritten history"
  new="$(git rev-parse HEAD)"
  out="$(timeout 120 git push origin main 2>&1)" && fail "a non-fast-forward push without --force was accepted"
  contains "$out" 'rejected|non-fast-forward|fetch first' "non-ff push output"
  out="$(timeout 120 git push --force origin main 2>&1)" || fail "force push: $out"
  contains "$out" 'forced update' "force push output"
  cd ..
  eq "$(head_sha "$P")" "$new" "revision/main after force-push"
  local commits
  commits="$(api GET "/api/models/$P/commits/main")"
  eq "$(jq -r '.[0].id' <<<"$commits")" "$new" "first entry of the commits API"
  eq "$(jq -r '.[0].title' <<<"$commits")" "rewritten history" "title of the new head"
  eq "$(jq -r --arg o "$old" '[.[] | select(.id==$o)] | length' <<<"$commits")" 0 "the rewritten commit is gone from the history"
  eq "$(jq -r --arg p "$(pushed)" '[.[] | select(.id==$p)] | length' <<<"$commits")" 1 "the earlier history is kept"
  eq "$(curl -sS -o /dev/null -w '%{http_code}' "$BASE/$P/resolve/main/rewrite.txt")" 404 "file of the rewritten commit"
  set_pushed "$new"
}
t "force-push to a branch is accepted and the commits API shows the new history" t_force_push

t_push_large_pack() {
  # git sends a pack larger than http.postBuffer (1 MiB by default) with chunked encoding, after
  # a probe POST whose body is a lone flush-pkt "0000": the probe must get 200 (as from
  # git http-backend), or git gives up with "RPC failed; HTTP 400".
  reset_to_origin c-push
  # 3 MiB of base64 text in a non-LFS file: the pack is ~2.3 MiB
  (cd c-push && head -c 2359296 /dev/urandom | base64 >large.txt && git add large.txt && git commit -qm "large pack")
  local out code
  out="$(cd c-push && timeout 180 git push origin main 2>&1)" || fail "push of a 2 MiB pack: $out"
  eq "$(head_sha "$P")" "$(git -C c-push rev-parse HEAD)" "head after the large push"
  code="$(curl -sS -L -o "$WORK/dl" -w '%{http_code}' "$BASE/$P/resolve/main/large.txt")"
  eq "$code" 200 "resolve large.txt"
  same_file c-push/large.txt "$WORK/dl" large.txt
  set_pushed "$(git -C c-push rev-parse HEAD)"
  code="$(curl -sS -u "x:$TOK" -o "$WORK/probe.body" -w '%{http_code}' -X POST --max-time 20 \
    -H 'Content-Type: application/x-git-receive-pack-request' --data-binary '0000' "$BASE/$P/git-receive-pack")"
  eq "$code" 200 "probe POST of '0000' to git-receive-pack (body: $(head -c 200 "$WORK/probe.body"))"
  code="$(curl -sS -o "$WORK/probe.body" -w '%{http_code}' -X POST --max-time 20 \
    -H 'Content-Type: application/x-git-upload-pack-request' --data-binary '0000' "$BASE/$P/git-upload-pack")"
  eq "$code" 200 "probe POST of '0000' to git-upload-pack (body: $(head -c 200 "$WORK/probe.body"))"
}
t "push of a pack larger than http.postBuffer (git's '0000' probe POST answered 200)" t_push_large_pack

# ================================================================ refused pushes
# refused_push NAME_OF_REPO PUSH_CMD... : runs the push in c-push (or given dir), expects failure,
# and checks that every ref is as before. The push output is left in $WORK/push.out.
expect_refused() { # DIR REPO -- git args...
  local dir="$1" repo="$2" before after rc; shift 3
  before="$(refs_state "$repo")"
  set +e
  (cd "$dir" && timeout 180 git "$@") >"$WORK/push.out" 2>&1
  rc=$?
  set -e
  [ "$rc" -ne 0 ] || fail "push was accepted: $(cat "$WORK/push.out")"
  [ "$rc" -ne 124 ] || fail "push timed out"
  after="$(refs_state "$repo")"
  [ "$before" = "$after" ] || fail "refs changed by a refused push: before $before, after $after"
}

t_refuse_missing_lfs() {
  reset_to_origin c-push
  (cd c-push && head -c 4096 /dev/urandom >never-uploaded.bin && git add never-uploaded.bin && git commit -qm "pointer without object")
  local oid
  oid="$(sha256 c-push/never-uploaded.bin)"
  # --no-verify skips git-lfs's pre-push hook, so the object is never uploaded and the server decides
  expect_refused c-push "$P" -- -c lfs.allowincompletepush=true push --no-verify origin main
  contains "$(cat "$WORK/push.out")" "LFS object $oid.*is not on the server" "git output"
  contains "$(cat "$WORK/push.out")" 'remote rejected|declined' "git output"
  # the object really is not there
  local code
  code="$(curl -sS -o /dev/null -w '%{http_code}' "$BASE/$P/resolve/main/never-uploaded.bin")"
  eq "$code" 404 "resolve of the refused file"
  # a pointer whose object is missing, hidden in a commit below the tip, is refused as well
  (cd c-push && printf 'on top\n' >top.txt && git add top.txt && git commit -qm "clean tip")
  expect_refused c-push "$P" -- push --no-verify origin main
  contains "$(cat "$WORK/push.out")" "LFS object $oid" "git output (pointer below the tip)"
  # and on a new branch
  expect_refused c-push "$P" -- push --no-verify origin main:refs/heads/sneaky
  contains "$(cat "$WORK/push.out")" "LFS object $oid" "git output (new branch)"
  # a pointer to an object the server has, but with the wrong size (a name git-lfs does not filter)
  local known size
  known="$(api GET "/api/models/$P/tree/main" | jq -r '.[] | select(.path=="model.bin") | .lfs.oid')"
  size="$(api GET "/api/models/$P/tree/main" | jq -r '.[] | select(.path=="model.bin") | .size')"
  (cd c-push && git checkout -q -b wrong-size origin/main &&
    printf 'version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize %s\n' "$known" $((size + 1)) >wrong.ptr &&
    git add wrong.ptr && git commit -qm "pointer with a wrong size" && git checkout -q main)
  expect_refused c-push "$P" -- push --no-verify origin wrong-size
  contains "$(cat "$WORK/push.out")" "LFS object $known.*is not on the server" "git output (wrong size)"
  # once the object is uploaded with git lfs push, the same commits go through
  local out
  out="$(cd c-push && timeout 180 git push origin main 2>&1)" || fail "push with the LFS object uploaded: $out"
  eq "$(head_sha "$P")" "$(git -C c-push rev-parse HEAD)" "head after the complete push"
  set_pushed "$(git -C c-push rev-parse HEAD)"
}
t "push refused when it adds an LFS pointer whose object was never uploaded; refs unchanged" t_refuse_missing_lfs

t_refuse_bad_path() {
  reset_to_origin c-push
  (cd c-push && printf 'x\n' >'a\b.txt' && git add 'a\b.txt' && git commit -qm "backslash path")
  expect_refused c-push "$P" -- push origin main
  contains "$(cat "$WORK/push.out")" 'backslash|invalid path' "git output"
  reset_to_origin c-push
  # a path with a control character (tab) is refused too
  (cd c-push && printf 'x\n' >"$(printf 'tab\there.txt')" && git add -A && git commit -qm "control char path")
  expect_refused c-push "$P" -- push origin main
  contains "$(cat "$WORK/push.out")" 'control character|invalid path' "git output"
  reset_to_origin c-push
  # a path under .git/ (in a subfolder) cannot be added by git itself; a bad path on a new branch is refused
  (cd c-push && git checkout -q -b bad && printf 'x\n' >'c\d.txt' && git add 'c\d.txt' && git commit -qm "bad on a branch")
  expect_refused c-push "$P" -- push origin bad
  reset_to_origin c-push
}
t "push refused for a bad path (backslash, control character), on main and on a new branch; refs unchanged" t_refuse_bad_path

t_refuse_read_token() {
  reset_to_origin c-push
  (cd c-push && printf 'read\n' >read.txt && git add read.txt && git commit -qm "with a read token")
  expect_refused c-push "$P" -- push "$(url "$RTOK" "$P")" main
  contains "$(cat "$WORK/push.out")" '403' "git output"
  local code
  code="$(curl -sS -o /dev/null -w '%{http_code}' -u "x:$RTOK" "$BASE/$P/info/refs?service=git-receive-pack")"
  eq "$code" 403 "receive-pack advertisement with a read token"
  code="$(curl -sS -o /dev/null -w '%{http_code}' -u "x:$RTOK" -X POST -H 'Content-Type: application/x-git-receive-pack-request' --data-binary '0000' "$BASE/$P/git-receive-pack")"
  eq "$code" 403 "POST git-receive-pack with a read token"
  # ... but the read token clones
  g clone -q "$(url "$RTOK" "$P")" c-read || fail "clone with a read token"
  eq "$(git -C c-read rev-parse HEAD)" "$(pushed)" "HEAD of the read-token clone"
}
t "push with a read token is refused (403); refs unchanged; the read token can clone" t_refuse_read_token

t_refuse_other_users_private() {
  create_repo bob-private true model "$BOB"
  local bp=bob/bob-private
  api_commit "$bp" main "bob's" "" -- x.txt="$WORK/f/two.txt" >/dev/null || true
  reset_to_origin c-push
  (cd c-push && printf 'intruder\n' >intruder.txt && git add intruder.txt && git commit -qm "intruder")
  local before_bob out_priv rc_priv out_missing rc_missing
  before_bob="$(curl -sS -H "Authorization: Bearer $BOB" "$BASE/api/models/$bp/refs?include_prs=1")"
  set +e
  out_priv="$(cd c-push && timeout 120 git push "$(url "$TOK" "$bp")" HEAD:main 2>&1)"; rc_priv=$?
  out_missing="$(cd c-push && timeout 120 git push "$(url "$TOK" bob/no-such-repo)" HEAD:main 2>&1)"; rc_missing=$?
  set -e
  [ "$rc_priv" -ne 0 ] || fail "push to bob's private repo was accepted"
  eq "$rc_priv" "$rc_missing" "exit code (private of another user vs missing repo)"
  eq "$(norm "$out_priv" "$bp")" "$(norm "$out_missing" bob/no-such-repo)" "git output (private of another user vs missing repo)"
  eq "$(curl -sS -H "Authorization: Bearer $BOB" "$BASE/api/models/$bp/refs?include_prs=1")" "$before_bob" "bob's refs"
  # the same at the HTTP level, for both services
  local s1 s2 svc
  for svc in git-receive-pack git-upload-pack; do
    s1="$(curl -sS -o "$WORK/b1" -w '%{http_code}' -u "x:$TOK" "$BASE/$bp/info/refs?service=$svc")"
    s2="$(curl -sS -o "$WORK/b2" -w '%{http_code}' -u "x:$TOK" "$BASE/bob/no-such-repo/info/refs?service=$svc")"
    eq "$s1" "$s2" "$svc advertisement status (private vs missing)"
    cmp -s "$WORK/b1" "$WORK/b2" || fail "$svc advertisement body differs: '$(cat "$WORK/b1")' vs '$(cat "$WORK/b2")'"
  done
}
t "push to another user's private repo fails exactly like a push to a missing repo; refs unchanged" t_refuse_other_users_private

t_refuse_pr_refs() {
  reset_to_origin c-push
  (cd c-push && printf 'pr\n' >pr.txt && git add pr.txt && git commit -qm "pr attempt")
  expect_refused c-push "$P" -- push origin HEAD:refs/pr/1
  contains "$(cat "$WORK/push.out")" 'refs/pr/' "git output"
  expect_refused c-push "$P" -- push origin HEAD:refs/convert/parquet
  contains "$(cat "$WORK/push.out")" 'refs/convert/' "git output"
  # and refs outside branches and tags
  expect_refused c-push "$P" -- push origin HEAD:refs/notes/x
  # an admin may push to refs/pr/
  local out sha
  sha="$(git -C c-push rev-parse HEAD)"
  out="$(cd c-push && timeout 120 git push "$(url "$ADMIN" "$P")" HEAD:refs/pr/1 2>&1)" || fail "admin push to refs/pr/1: $out"
  eq "$(api GET "/api/models/$P/refs?include_prs=1" | jq -r '.pullRequests[] | select(.ref=="refs/pr/1") | .targetCommit')" "$sha" "refs/pr/1 after the admin push"
}
t "push to refs/pr/1 and refs/convert/… by a non-admin owner is refused (refs unchanged); an admin may" t_refuse_pr_refs

t_refuse_delete_main() {
  reset_to_origin c-push
  expect_refused c-push "$P" -- push origin --delete main
  contains "$(cat "$WORK/push.out")" 'main' "git output"
  expect_refused c-push "$P" -- push origin :refs/heads/main
  eq "$(head_sha "$P")" "$(pushed)" "main after the refused deletions"
}
t "deleting main by push is refused; refs unchanged" t_refuse_delete_main

t_refuse_mixed() {
  # one good and one bad ref update in the same push: nothing moves (atomic or per-ref, the bad one never lands)
  reset_to_origin c-push
  (cd c-push && git checkout -q -b good && printf 'good\n' >good.txt && git add good.txt && git commit -qm good &&
    git checkout -q -b evil && printf 'x\n' >'e\vil.txt' && git add -A && git commit -qm evil && git checkout -q main)
  local before after
  before="$(refs_state "$P")"
  set +e
  (cd c-push && timeout 120 git push origin good evil) >"$WORK/push.out" 2>&1
  set -e
  after="$(refs_state "$P")"
  [ "$before" = "$after" ] || fail "refs changed: before $before, after $after"
}
t "a push with one valid and one invalid branch moves no ref" t_refuse_mixed

# ================================================================ private repositories
PR=alice/private-model
create_repo private-model true || die "create $PR"
PRC="$(api_commit "$PR" main "private" "" -- secret.txt="$WORK/f/readme.txt")"

t_private_clone() {
  local out_p rc_p out_m rc_m
  set +e
  out_p="$(g clone "$(url - "$PR")" c-x 2>&1)"; rc_p=$?
  [ ! -e c-x ] || fail "an anonymous clone of a private repo left a checkout"
  out_m="$(g clone "$(url - alice/missing-model)" c-x 2>&1)"; rc_m=$?
  set -e
  [ "$rc_p" -ne 0 ] || fail "anonymous clone of a private repo succeeded"
  eq "$rc_p" "$rc_m" "exit code, anonymous (private vs missing)"
  eq "$(norm "$out_p" "$PR")" "$(norm "$out_m" alice/missing-model)" "git output, anonymous (private vs missing)"
  set +e
  out_p="$(g clone "$(url "$BOB" "$PR")" c-x 2>&1)"; rc_p=$?
  out_m="$(g clone "$(url "$BOB" alice/missing-model)" c-x 2>&1)"; rc_m=$?
  set -e
  [ "$rc_p" -ne 0 ] || fail "an outsider cloned a private repo"
  eq "$rc_p" "$rc_m" "exit code, outsider (private vs missing)"
  eq "$(norm "$out_p" "$PR")" "$(norm "$out_m" alice/missing-model)" "git output, outsider (private vs missing)"
  # v0 and .git variants behave the same
  set +e
  out_p="$(g -c protocol.version=0 clone "$(url "$BOB" "$PR").git" c-x 2>&1)"; rc_p=$?
  out_m="$(g -c protocol.version=0 clone "$(url "$BOB" alice/missing-model).git" c-x 2>&1)"; rc_m=$?
  set -e
  eq "$rc_p" "$rc_m" "exit code, outsider v0 .git (private vs missing)"
  eq "$(norm "$out_p" "$PR")" "$(norm "$out_m" alice/missing-model)" "git output, outsider v0 .git"
  # raw HTTP: same status and body for the upload-pack POST too
  local s1 s2
  s1="$(curl -sS -o "$WORK/b1" -w '%{http_code}' -u "x:$BOB" -X POST -H 'Content-Type: application/x-git-upload-pack-request' --data-binary '0000' "$BASE/$PR/git-upload-pack")"
  s2="$(curl -sS -o "$WORK/b2" -w '%{http_code}' -u "x:$BOB" -X POST -H 'Content-Type: application/x-git-upload-pack-request' --data-binary '0000' "$BASE/alice/missing-model/git-upload-pack")"
  eq "$s1" "$s2" "POST git-upload-pack status (private vs missing)"
  cmp -s "$WORK/b1" "$WORK/b2" || fail "POST git-upload-pack body differs"
  # the LFS batch endpoint as well
  s1="$(curl -sS -o /dev/null -w '%{http_code}' -u "x:$BOB" -X POST -H 'Content-Type: application/vnd.git-lfs+json' --data '{"operation":"download","objects":[]}' "$BASE/$PR.git/info/lfs/objects/batch")"
  s2="$(curl -sS -o /dev/null -w '%{http_code}' -u "x:$BOB" -X POST -H 'Content-Type: application/vnd.git-lfs+json' --data '{"operation":"download","objects":[]}' "$BASE/alice/missing-model.git/info/lfs/objects/batch")"
  eq "$s1" "$s2" "LFS batch status (private vs missing)"
}
t "private repo: clone without credentials or with an outsider's token fails exactly like a missing repo" t_private_clone

t_private_read_token() {
  g clone -q "$(url "$RTOK" "$PR")" c-priv-read || fail "read token cannot clone its own private repo"
  eq "$(git -C c-priv-read rev-parse HEAD)" "$PRC" "HEAD of the private clone"
  same_file "$WORK/f/readme.txt" c-priv-read/secret.txt secret.txt
  (cd c-priv-read && printf 'nope\n' >nope.txt && git add nope.txt && git commit -qm nope)
  expect_refused c-priv-read "$PR" -- push origin main
  contains "$(cat "$WORK/push.out")" '403' "git output"
  # the write token can push
  local out
  out="$(cd c-priv-read && timeout 120 git push "$(url "$TOK" "$PR")" main 2>&1)" || fail "write-token push: $out"
  eq "$(head_sha "$PR")" "$(git -C c-priv-read rev-parse HEAD)" "private head after write push"
}
t "private repo: a read token clones but cannot push (403); a write token pushes" t_private_read_token

# ================================================================ concurrent push + API commit
RC=alice/race-model
create_repo race-model || die "create $RC"
api_commit "$RC" main "race base" "" -- base.txt="$WORK/f/two.txt" >/dev/null

# race_round I MODE: MODE=parent (the API commit carries parentCommit) or free (it does not)
race_round() {
  local i="$1" mode="$2" x pushc apic push_rc api_code final
  reset_to_origin c-race
  x="$(git -C c-race rev-parse HEAD)"
  printf 'push %s %s\n' "$mode" "$i" >"c-race/push-$mode-$i.txt"
  (cd c-race && git add -A && git commit -qm "push $mode $i")
  pushc="$(git -C c-race rev-parse HEAD)"
  printf 'api %s %s\n' "$mode" "$i" >"$WORK/f/api-$mode-$i.txt"
  {
    if [ "$mode" = parent ]; then
      jq -cn --arg s "api $mode $i" --arg p "$x" '{key:"header",value:{summary:$s,description:"",parentCommit:$p}}'
    else
      jq -cn --arg s "api $mode $i" '{key:"header",value:{summary:$s,description:""}}'
    fi
    base64 -w0 <"$WORK/f/api-$mode-$i.txt" | jq -cRs --arg p "api-$mode-$i.txt" '{key:"file",value:{path:$p,content:.,encoding:"base64"}}'
  } >"$WORK/race.ndjson"
  # alternate which side gets a head start (git push needs a few round trips, the API one)
  local dpush=0 dapi=0
  case $((i % 4)) in 1) dapi=0.05 ;; 2) dapi=0.15 ;; 3) dpush=0.05 ;; 0) ;; esac
  rm -f "$WORK/race-push.rc" "$WORK/race-api.code" "$WORK/race-api.body"
  (set +e; sleep "$dpush"; cd c-race && timeout 120 git push origin main >"$WORK/race-push.out" 2>&1; echo $? >"$WORK/race-push.rc") &
  local pid1=$!
  (set +e; sleep "$dapi"; curl -sS --max-time 120 -X POST -H "Authorization: Bearer $TOK" -H 'Content-Type: application/x-ndjson' \
    --data-binary @"$WORK/race.ndjson" -o "$WORK/race-api.body" -w '%{http_code}' "$BASE/api/models/$RC/commit/main" >"$WORK/race-api.code" 2>&1 || true) &
  local pid2=$!
  wait "$pid1" || true
  wait "$pid2" || true
  api_code="$(cat "$WORK/race-api.code")"
  apic="$(jq -r '.commitOid // empty' "$WORK/race-api.body" 2>/dev/null || true)"
  push_rc="$(cat "$WORK/race-push.rc")"
  final="$(head_sha "$RC")"
  echo "#   round $mode $i: push rc=$push_rc, API $api_code, final ${final:0:8}$([ "$api_code" = 200 ] || echo " ($(head -c 200 "$WORK/race-api.body"))")" | tee -a "$WORK/race.log" >&2
  [ "$push_rc" != 124 ] || fail "round $i: push hung"
  [[ "$api_code" =~ ^(200|412|409)$ ]] || fail "round $i: API commit answered $api_code: $(cat "$WORK/race-api.body")"
  g -C c-race fetch -q origin
  local hist
  hist="$(git -C c-race rev-list origin/main)"
  # nothing is lost: every accepted change is in the final head's history
  if [ "$push_rc" = 0 ]; then grep -qx "$pushc" <<<"$hist" || fail "round $i: accepted push $pushc is not in main's history"; fi
  if [ "$api_code" = 200 ]; then grep -qx "$apic" <<<"$hist" || fail "round $i: accepted API commit $apic is not in main's history"; fi
  grep -qx "$x" <<<"$hist" || fail "round $i: the base commit left main's history"
  if [ "$push_rc" != 0 ]; then
    contains "$(cat "$WORK/race-push.out")" 'rejected|non-fast-forward|fetch first|failed|cannot lock|stale' "round $i: loser push output"
  fi
  if [ "$mode" = parent ]; then
    # exactly one wins
    if [ "$push_rc" = 0 ] && [ "$api_code" = 200 ]; then fail "round $i: both the push and the API commit on parent $x were accepted"; fi
    if [ "$push_rc" != 0 ] && [ "$api_code" != 200 ]; then fail "round $i: both lost (push rc $push_rc, API $api_code)"; fi
    if [ "$push_rc" = 0 ]; then
      eq "$final" "$pushc" "round $i: final head (push won)"
      eq "$api_code" 412 "round $i: API commit of the loser"
    else
      eq "$final" "$apic" "round $i: final head (API won)"
    fi
  else
    # without parentCommit the API commit may go on top of a push that landed first, or be
    # refused (412) if the branch moved under it; never may both sides fail
    if [ "$push_rc" != 0 ] && [ "$api_code" != 200 ]; then fail "round $i: both lost (push rc $push_rc, API $api_code)"; fi
    if [ "$api_code" = 200 ]; then
      eq "$final" "$apic" "round $i: final head"
      if [ "$push_rc" = 0 ]; then eq "$(git -C c-race rev-parse "origin/main^")" "$pushc" "round $i: parent of the API commit"; fi
    else
      eq "$final" "$pushc" "round $i: final head (push won, API refused)"
    fi
  fi
  # the files of the accepted changes are served
  if [ "$api_code" = 200 ]; then eq "$(curl -sS "$BASE/$RC/resolve/main/api-$mode-$i.txt")" "api $mode $i" "round $i: api file"; fi
  if [ "$push_rc" = 0 ]; then eq "$(curl -sS "$BASE/$RC/resolve/main/push-$mode-$i.txt")" "push $mode $i" "round $i: pushed file"; fi
}

t_race() {
  g clone -q "$(url "$TOK" "$RC")" c-race
  : >"$WORK/race.log"
  local i n="${RACE_ITERATIONS:-6}"
  for i in $(seq 1 "$n"); do race_round "$i" parent; done
  for i in $(seq 1 "$n"); do race_round "$i" free; done
  cat "$WORK/race.log"
  # both outcomes happened at least once in the parent rounds, or the race was not a race
  grep -q 'parent.*push rc=0' "$WORK/race.log" && grep -q 'parent.*API 200' "$WORK/race.log" ||
    echo "#   note: one side won every parent round (timing)"
}
t "concurrent git push + API commit on one branch: one wins, the loser errors (git rejected / API 412), nothing lost" t_race

# ================================================================ bad input
BI=alice/badinput-model
create_repo badinput-model || die "create $BI"
BIC="$(api_commit "$BI" main "bad input base" "" -- a.txt="$WORK/f/two.txt")"

# post_git SERVICE BODYFILE [extra curl args] → status in $WORK/gp.status, body in $WORK/gp.body
post_git() {
  local svc="$1" body="$2"; shift 2
  local code
  code="$(curl -sS -u "x:$TOK" --max-time 20 -o "$WORK/gp.body" -w '%{http_code}' -X POST \
    -H "Content-Type: application/x-$svc-request" "$@" --data-binary @"$body" "$BASE/$BI/$svc")" || code="curl-rc-$?"
  echo "$code" >"$WORK/gp.status"
}
git_error_answer() { # what: the last post_git answered in time with a git error
  local code; code="$(cat "$WORK/gp.status")"
  [[ "$code" != curl-rc-28 ]] || fail "$1: no answer within 20 s (hung connection)"
  [[ "$code" != curl-rc-* ]] || fail "$1: curl failed ($code)"
  if [ "$code" = 200 ]; then
    grep -aqE 'ERR |unpack (error|[^o])|ng refs/|fatal|error' "$WORK/gp.body" ||
      fail "$1: 200 without a git error in the body: $(head -c 300 "$WORK/gp.body" | tr -c '[:print:]\n' '.')"
  fi
}
pkt() { printf '%04x%s' $((${#1} + 4)) "$1"; }

t_bad_upload_pack() {
  local before; before="$(refs_state "$BI")"
  printf 'zzzz this is not a pkt-line' >"$WORK/bad1"
  post_git git-upload-pack "$WORK/bad1"; git_error_answer "garbage to upload-pack (v0)"
  post_git git-upload-pack "$WORK/bad1" -H 'Git-Protocol: version=2'; git_error_answer "garbage to upload-pack (v2)"
  # a want line cut off in the middle of its pkt-line
  { printf '0032want %s' "${BIC:0:20}"; } >"$WORK/bad2"
  post_git git-upload-pack "$WORK/bad2"; git_error_answer "truncated want pkt-line"
  # a want of an object that does not exist
  { pkt "want $(printf '%040d' 1) multi_ack_detailed side-band-64k"$'\n'; printf '0000'; pkt $'done\n'; } >"$WORK/bad3"
  post_git git-upload-pack "$WORK/bad3"; git_error_answer "want of an unknown object"
  # v2: a command without its flush, and an unknown command
  { pkt $'command=ls-refs\n'; } >"$WORK/bad4"
  post_git git-upload-pack "$WORK/bad4" -H 'Git-Protocol: version=2'; git_error_answer "v2 command without flush"
  { pkt $'command=frobnicate\n'; printf '0000'; } >"$WORK/bad5"
  post_git git-upload-pack "$WORK/bad5" -H 'Git-Protocol: version=2'; git_error_answer "v2 unknown command"
  # a length prefix larger than the body
  printf 'ffffwant' >"$WORK/bad6"
  post_git git-upload-pack "$WORK/bad6"; git_error_answer "oversized pkt-line length"
  # gzip that is not gzip
  post_git git-upload-pack "$WORK/bad1" -H 'Content-Encoding: gzip'; git_error_answer "corrupt gzip body"
  [ "$before" = "$(refs_state "$BI")" ] || fail "refs changed"
}
t "malformed pkt-lines to git-upload-pack get a git error in time (curl --max-time 20)" t_bad_upload_pack

t_bad_receive_pack() {
  local before; before="$(refs_state "$BI")"
  printf 'zzzz this is not a pkt-line' >"$WORK/bad1"
  post_git git-receive-pack "$WORK/bad1"; git_error_answer "garbage to receive-pack"
  # a malformed command line (old/new not hex)
  { pkt $'not-a-sha also-not refs/heads/main\0 report-status\n'; printf '0000'; } >"$WORK/bad7"
  post_git git-receive-pack "$WORK/bad7"; git_error_answer "malformed receive-pack command"
  # a command line cut off inside its pkt-line
  printf '00a0%s %s refs/heads/ma' "$BIC" "$(printf '%040d' 0)" >"$WORK/bad8"
  post_git git-receive-pack "$WORK/bad8"; git_error_answer "truncated receive-pack command"
  [ "$before" = "$(refs_state "$BI")" ] || fail "refs changed"
}
t "malformed pkt-lines to git-receive-pack get a git error in time; refs unchanged" t_bad_receive_pack

t_truncated_pack() {
  g clone -q "$(url "$TOK" "$BI")" c-bad
  (cd c-bad && head -c 200000 /dev/urandom >big.txt && printf 'n\n' >n.txt && git add -A && git commit -qm "to be truncated")
  local new full half before
  new="$(git -C c-bad rev-parse HEAD)"
  git -C c-bad pack-objects --revs --stdout >"$WORK/full.pack" 2>/dev/null <<<"$new
^$BIC"
  full="$(wc -c <"$WORK/full.pack")"
  half=$((full / 2))
  before="$(refs_state "$BI")"
  local cmdline
  cmdline="$BIC $new refs/heads/main"$'\0'" report-status side-band-64k agent=git/test"$'\n'
  for cut in 8 30 "$half" $((full - 20)); do
    { pkt "$cmdline"; printf '0000'; head -c "$cut" "$WORK/full.pack"; } >"$WORK/trunc.req"
    post_git git-receive-pack "$WORK/trunc.req"
    git_error_answer "pack truncated to $cut of $full bytes"
    [ "$before" = "$(refs_state "$BI")" ] || fail "refs changed after a pack truncated to $cut bytes"
  done
  # a new branch from a truncated pack is not created either
  cmdline="$(printf '%040d' 0) $new refs/heads/from-truncated"$'\0'" report-status"$'\n'
  { pkt "$cmdline"; printf '0000'; head -c "$half" "$WORK/full.pack"; } >"$WORK/trunc.req"
  post_git git-receive-pack "$WORK/trunc.req"; git_error_answer "truncated pack for a new branch"
  [ "$before" = "$(refs_state "$BI")" ] || fail "refs changed after a truncated pack for a new branch"
  # a pack with a corrupted body (right length)
  cp "$WORK/full.pack" "$WORK/corrupt.pack"
  printf 'XXXXXXXXXXXXXXXX' | dd of="$WORK/corrupt.pack" bs=1 seek=$((full / 2)) conv=notrunc status=none
  cmdline="$BIC $new refs/heads/main"$'\0'" report-status"$'\n'
  { pkt "$cmdline"; printf '0000'; cat "$WORK/corrupt.pack"; } >"$WORK/trunc.req"
  post_git git-receive-pack "$WORK/trunc.req"; git_error_answer "corrupted pack"
  [ "$before" = "$(refs_state "$BI")" ] || fail "refs changed after a corrupted pack"
  # the server still works, and the real push of the same commit succeeds
  local out
  out="$(cd c-bad && timeout 120 git push origin main 2>&1)" || fail "real push after the bad ones: $out"
  eq "$(head_sha "$BI")" "$new" "head after the real push"
  g -C c-v2 fetch -q origin || fail "fetch from another repo after the bad requests"
}
t "truncated and corrupted packs to git-receive-pack: git error in time, refs unchanged, server still serves" t_truncated_pack

t_server_alive() {
  kill -0 "$SERVER_PID" 2>/dev/null || fail "the server died"
  local code
  code="$(curl -sS -o /dev/null -w '%{http_code}' --max-time 10 "$BASE/api/models/$M")"
  eq "$code" 200 "model info after the suite"
}
t "the server is alive and answering after the suite" t_server_alive

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
