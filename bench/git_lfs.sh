#!/usr/bin/env bash
# git-lfs push and pull of COUNT x SIZE_MIB files vs curl PUT/GET of the same bytes against the
# same `vitrine serve` (loopback), using the signed hrefs the LFS batch API hands out.
#
# Per run (RUNS times; medians reported):
#   upload   - the server's copies of the objects are deleted (data/lfs/objects/..), then
#              `git lfs push --object-id origin OID...` (git-lfs's own concurrency, default 8);
#              the objects are deleted again, fresh upload hrefs are taken from the batch API
#              (not timed) and the same files are PUT with curl: all at once (--parallel) and
#              one after the other.
#   download - a fresh `GIT_LFS_SKIP_SMUDGE=1 git clone` (not timed), then `git lfs pull`
#              (download + sha256 check into .git/lfs/objects + checkout copy into the work
#              tree), and in another fresh clone `git lfs fetch` (download only); curl GETs the
#              download hrefs into files: all at once and one after the other.
# The ratio is git-lfs's median over the better of the two curl medians.
#
# Knobs: COUNT (4), SIZE_MIB (1024), RUNS (3), BENCH_TMP (/tmp), VITRINE_BIN (build/vitrine).
# Disk: about COUNT x SIZE x 5 at the peak (checked first); everything is deleted at exit.
# Goal (issue #3): git lfs push / pull <= 1.5x the curl PUT / GET time.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
BIN="${VITRINE_BIN:-$root/build/vitrine}"
case "$BIN" in /*) ;; *) BIN="$root/$BIN" ;; esac
COUNT="${COUNT:-4}"
SIZE_MIB="${SIZE_MIB:-1024}"
RUNS="${RUNS:-3}"
BENCH_TMP="${BENCH_TMP:-/tmp}"
SIZE=$(( SIZE_MIB << 20 ))

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
for t in git git-lfs curl jq openssl sha256sum awk; do command -v "$t" >/dev/null 2>&1 || die "missing tool: $t"; done
[ -x "$BIN" ] || die "vitrine binary not found at $BIN (build it first)"

WORK="$(mktemp -d "$BENCH_TMP/vitrine-bench-lfs.XXXXXX")"
PIDS=()
cleanup() {
  local rc=$? p
  for p in "${PIDS[@]:-}"; do
    [ -n "$p" ] || continue
    kill "$p" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  rm -rf -- "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# source files + git-lfs's copies (.git/lfs/objects) + server store + pull clone (objects +
# work tree) + curl GET outputs, plus 2 GiB of margin
need=$(( COUNT * SIZE * 6 + (2 << 30) ))
avail=$(df -B1 --output=avail "$WORK" | tail -1 | tr -d ' ')
log "disk: $(df -h --output=avail,target "$WORK" | tail -1 | tr -s ' ') free; need about $((need >> 30)) GiB"
(( avail > need )) || die "not enough free disk under $WORK: need $need bytes, have $avail"
log "machine: nproc=$(nproc) cpu=\"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')\" git=$(git --version | cut -d' ' -f3) $(git lfs version | cut -d' ' -f1) curl=$(curl --version | head -1 | cut -d' ' -f2) load=$(cut -d' ' -f1-3 /proc/loadavg)"
log "files: $COUNT x $SIZE_MIB MiB, runs: $RUNS"

export HOME="$WORK/home" GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0
mkdir -p "$HOME"
git config --global user.name bench
git config --global user.email bench@vitrine.invalid
git config --global init.defaultBranch main
git config --global gc.auto 0
git lfs install >/dev/null

median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) {print "nan"; exit} if (NR%2) print a[(NR+1)/2]; else printf "%.6g\n", (a[NR/2]+a[NR/2+1])/2}'; }
fdiv() { awk -v a="$1" -v b="$2" 'BEGIN { if (b+0 == 0) print "nan"; else printf "%.3f\n", a/b }'; }
fmin() { awk -v a="$1" -v b="$2" 'BEGIN { print (a+0 <= b+0) ? a : b }'; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", b - a }'; }
mbps() { awk -v s="$(( COUNT * SIZE ))" -v t="$1" 'BEGIN { if (t+0 == 0) print "nan"; else printf "%.0f", s / t / 1048576 }'; }

# ---------------------------------------------------------------- vitrine
DATA="$WORK/data"
mkdir -p "$DATA"
cp "$BIN" "$WORK/vitrine.bin" # a concurrent rebuild must not swap the binary mid-run
"$WORK/vitrine.bin" user create bench --data "$DATA" >/dev/null 2>&1
TOKEN="$("$WORK/vitrine.bin" token create --user bench --role write --data "$DATA" | grep -o 'hf_[A-Za-z0-9]*' | head -1)"
[ -n "$TOKEN" ] || die "could not create a token"
"$WORK/vitrine.bin" serve --data "$DATA" --listen 127.0.0.1:0 >"$WORK/serve.log" 2>&1 &
PIDS+=($!)
URL=""
for _ in $(seq 1 100); do
  URL="$(grep -o 'listening on http://[^[:space:]]*' "$WORK/serve.log" | head -1 | sed 's/^listening on //; s:/*$::' || true)"
  [ -n "$URL" ] && break
  sleep 0.1
done
[ -n "$URL" ] || die "vitrine did not start: $(cat "$WORK/serve.log")"
log "vitrine $(sha256sum "$WORK/vitrine.bin" | cut -c1-12) (git $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')) at $URL"
HOSTPORT="${URL#http://}"
REPO=bench/lfs-bench
REMOTE="http://x:$TOKEN@$HOSTPORT/$REPO"
curl -sS --fail-with-body -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"name":"lfs-bench"}' "$URL/api/repos/create" >/dev/null || die "create repo"

# ---------------------------------------------------------------- the files, committed as LFS
log "writing $COUNT x $SIZE_MIB MiB of incompressible data"
git clone -q "$REMOTE" "$WORK/push" 2>/dev/null
for ((i = 1; i <= COUNT; i++)); do
  head -c "$SIZE" < <(openssl enc -aes-128-ctr -nosalt -pass "pass:vitrine-lfs-bench-$i-$RANDOM" -in /dev/zero 2>/dev/null) \
    >"$WORK/push/file$i.bin" || true
  [ "$(stat -c %s "$WORK/push/file$i.bin")" = "$SIZE" ] || die "could not write file$i.bin"
done
log "git add (git-lfs clean: hash + copy into .git/lfs/objects)"
git -C "$WORK/push" add file*.bin
git -C "$WORK/push" commit -qm "$COUNT LFS files"
OIDS=()
OBJ=()
for ((i = 1; i <= COUNT; i++)); do
  oid="$(git -C "$WORK/push" show "HEAD:file$i.bin" | awk '/^oid sha256:/ { sub("oid sha256:", ""); print }')"
  [ ${#oid} = 64 ] || die "file$i.bin is not an LFS pointer in the commit"
  OIDS+=("$oid")
  OBJ+=("$WORK/push/.git/lfs/objects/${oid:0:2}/${oid:2:2}/$oid")
  [ "$(stat -c %s "${OBJ[-1]}")" = "$SIZE" ] || die "git-lfs object of file$i.bin missing"
done
rm -f "$WORK"/push/file*.bin # the bytes live on in .git/lfs/objects (the curl PUT source too)
cat "${OBJ[@]}" >/dev/null  # page-cache them: both sides read the same cached files

server_obj() { echo "$DATA/lfs/objects/${1:0:2}/${1:2:2}/$1"; }
drop_server_objects() { local o; for o in "${OIDS[@]}"; do rm -f "$(server_obj "$o")"; done; }
check_server_objects() {
  local o
  for o in "${OIDS[@]}"; do
    [ "$(stat -c %s "$(server_obj "$o")" 2>/dev/null)" = "$SIZE" ] || die "$1: object $o is not on the server"
  done
}
batch() { # batch upload|download → JSON on stdout
  local objs
  objs="$(printf '%s\n' "${OIDS[@]}" | jq -R --argjson s "$SIZE" '{oid: ., size: $s}' | jq -cs .)"
  curl -sS --fail-with-body -u "x:$TOKEN" -H 'Content-Type: application/vnd.git-lfs+json' \
    -H 'Accept: application/vnd.git-lfs+json' \
    -d "{\"operation\":\"$1\",\"transfers\":[\"basic\"],\"ref\":{\"name\":\"refs/heads/main\"},\"objects\":$objs}" \
    "$URL/$REPO.git/info/lfs/objects/batch"
}
# hrefs upload|download → one "oid href header-args..." per line is too fiddly for curl; hrefs
# are signed (no Authorization needed), so only the href is kept.
hrefs() { batch "$1" | jq -r --arg op "$1" '.objects[] | "\(.oid) \(.actions[$op].href // "")"'; }
href_for() { awk -v o="$2" '$1 == o { print $2 }' "$1"; }

git -C "$WORK/push" config lfs.locksverify false # locks/verify is answered 501 anyway; skip the round trip

: >"$WORK/t.lfspush"; : >"$WORK/t.putpar"; : >"$WORK/t.putseq"
: >"$WORK/t.lfspull"; : >"$WORK/t.lfsfetch"; : >"$WORK/t.getpar"; : >"$WORK/t.getseq"; : >"$WORK/t.sha"
PUSHED_GIT=0
for ((r = 1; r <= RUNS; r++)); do
  log "run $r/$RUNS (load $(cut -d' ' -f1 /proc/loadavg))"
  # ---- upload: git lfs push
  drop_server_objects
  t0=$(now)
  (cd "$WORK/push" && git lfs push --object-id origin "${OIDS[@]}") >"$WORK/lfspush.log" 2>&1 ||
    die "git lfs push: $(tail -5 "$WORK/lfspush.log")"
  t1=$(now)
  check_server_objects "git lfs push"
  elapsed "$t0" "$t1" >>"$WORK/t.lfspush"
  log "  git lfs push:      $(tail -1 "$WORK/t.lfspush")s"
  if [ "$PUSHED_GIT" = 0 ]; then # the commit itself, once, so that clones see the pointers
    (cd "$WORK/push" && git push -q --no-verify origin main) 2>"$WORK/gitpush.log" || die "git push: $(cat "$WORK/gitpush.log")"
    PUSHED_GIT=1
  fi

  # ---- upload: curl PUT, all at once
  drop_server_objects
  hrefs upload >"$WORK/up.hrefs"
  args=()
  for ((i = 0; i < COUNT; i++)); do
    h="$(href_for "$WORK/up.hrefs" "${OIDS[$i]}")"; [ -n "$h" ] || die "no upload href for ${OIDS[$i]}"
    args+=(-T "${OBJ[$i]}" -H 'Content-Type: application/octet-stream' "$h")
  done
  t0=$(now)
  curl -sS --no-progress-meter --fail --parallel --parallel-max "$COUNT" -o /dev/null "${args[@]}" >/dev/null || die "curl PUT --parallel failed"
  t1=$(now)
  check_server_objects "curl PUT --parallel"
  elapsed "$t0" "$t1" >>"$WORK/t.putpar"
  log "  curl PUT parallel: $(tail -1 "$WORK/t.putpar")s"

  # ---- upload: curl PUT, one after the other
  drop_server_objects
  hrefs upload >"$WORK/up.hrefs"
  t0=$(now)
  for ((i = 0; i < COUNT; i++)); do
    curl -sS --fail -o /dev/null -T "${OBJ[$i]}" -H 'Content-Type: application/octet-stream' \
      "$(href_for "$WORK/up.hrefs" "${OIDS[$i]}")" || die "curl PUT failed"
  done
  t1=$(now)
  check_server_objects "curl PUT"
  elapsed "$t0" "$t1" >>"$WORK/t.putseq"
  log "  curl PUT serial:   $(tail -1 "$WORK/t.putseq")s"

  # ---- download: git lfs pull in a fresh clone
  rm -rf "$WORK/pull"
  GIT_LFS_SKIP_SMUDGE=1 git clone -q "$REMOTE" "$WORK/pull" 2>/dev/null || die "clone for pull"
  git -C "$WORK/pull" config lfs.locksverify false
  sync; t0=$(now)
  (cd "$WORK/pull" && git lfs pull) >"$WORK/lfspull.log" 2>&1 || die "git lfs pull: $(tail -5 "$WORK/lfspull.log")"
  t1=$(now)
  elapsed "$t0" "$t1" >>"$WORK/t.lfspull"
  for ((i = 1; i <= COUNT; i++)); do
    [ "$(stat -c %s "$WORK/pull/file$i.bin")" = "$SIZE" ] || die "git lfs pull did not check out file$i.bin"
  done
  [ "$r" = 1 ] && { for ((i = 1; i <= COUNT; i++)); do
    [ "$(sha256sum "$WORK/pull/file$i.bin" | cut -d' ' -f1)" = "${OIDS[$((i - 1))]}" ] || die "file$i.bin differs after git lfs pull"
  done; }
  rm -rf "$WORK/pull"
  log "  git lfs pull:      $(tail -1 "$WORK/t.lfspull")s"

  # ---- download: git lfs fetch (no checkout) in a fresh clone
  GIT_LFS_SKIP_SMUDGE=1 git clone -q "$REMOTE" "$WORK/pull" 2>/dev/null || die "clone for fetch"
  git -C "$WORK/pull" config lfs.locksverify false
  sync; t0=$(now)
  (cd "$WORK/pull" && git lfs fetch) >"$WORK/lfsfetch.log" 2>&1 || die "git lfs fetch: $(tail -5 "$WORK/lfsfetch.log")"
  t1=$(now)
  elapsed "$t0" "$t1" >>"$WORK/t.lfsfetch"
  rm -rf "$WORK/pull"
  log "  git lfs fetch:     $(tail -1 "$WORK/t.lfsfetch")s"

  # ---- download: curl GET into files, all at once, then one after the other
  hrefs download >"$WORK/down.hrefs"
  mkdir -p "$WORK/get"
  args=()
  for ((i = 0; i < COUNT; i++)); do
    h="$(href_for "$WORK/down.hrefs" "${OIDS[$i]}")"; [ -n "$h" ] || die "no download href for ${OIDS[$i]}"
    args+=(-o "$WORK/get/$i" "$h")
  done
  sync; t0=$(now)
  curl -sS --no-progress-meter --fail --parallel --parallel-max "$COUNT" "${args[@]}" || die "curl GET --parallel failed"
  t1=$(now)
  elapsed "$t0" "$t1" >>"$WORK/t.getpar"
  for ((i = 0; i < COUNT; i++)); do [ "$(stat -c %s "$WORK/get/$i")" = "$SIZE" ] || die "curl GET: short file"; done
  rm -rf "$WORK/get"; mkdir -p "$WORK/get"
  log "  curl GET parallel: $(tail -1 "$WORK/t.getpar")s"
  sync; t0=$(now)
  for ((i = 0; i < COUNT; i++)); do
    curl -sS --fail -o "$WORK/get/$i" "$(href_for "$WORK/down.hrefs" "${OIDS[$i]}")" || die "curl GET failed"
  done
  t1=$(now)
  elapsed "$t0" "$t1" >>"$WORK/t.getseq"
  rm -rf "$WORK/get"
  log "  curl GET serial:   $(tail -1 "$WORK/t.getseq")s"
  # reference: sha256 of the same (page-cached) bytes, which git-lfs computes on every transfer
  t0=$(now); sha256sum "${OBJ[@]}" >/dev/null; t1=$(now)
  elapsed "$t0" "$t1" >>"$WORK/t.sha"
done

m() { median <"$WORK/t.$1"; }
LP=$(m lfspush); PP=$(m putpar); PS=$(m putseq)
LL=$(m lfspull); LF=$(m lfsfetch); GP=$(m getpar); GS=$(m getseq); SH=$(m sha)
PUT=$(fmin "$PP" "$PS"); GET=$(fmin "$GP" "$GS")
rpush=$(fdiv "$LP" "$PUT"); rpull=$(fdiv "$LL" "$GET"); rfetch=$(fdiv "$LF" "$GET")
okp=$(awk -v r="$rpush" 'BEGIN { print (r + 0 <= 1.5) ? "MET" : "MISSED" }')
okl=$(awk -v r="$rpull" 'BEGIN { print (r + 0 <= 1.5) ? "MET" : "MISSED" }')
printf '%-32s %9s %9s\n' "$COUNT x $SIZE_MIB MiB (median of $RUNS)" "seconds" "MiB/s"
for row in "git lfs push:$LP" "curl PUT (parallel $COUNT):$PP" "curl PUT (serial):$PS" \
  "git lfs pull:$LL" "git lfs fetch (no checkout):$LF" "curl GET (parallel $COUNT):$GP" "curl GET (serial):$GS" "sha256sum (reference):$SH"; do
  printf '%-32s %9s %9s\n' "${row%%:*}" "${row##*:}" "$(mbps "${row##*:}")"
done
echo "SUMMARY git_lfs files=${COUNT}x${SIZE_MIB}MiB runs=$RUNS push=${LP}s curl_put=${PUT}s ratio=$rpush goal<=1.5 $okp; pull=${LL}s curl_get=${GET}s ratio=$rpull goal<=1.5 $okl; fetch-only ratio=$rfetch"
