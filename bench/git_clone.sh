#!/usr/bin/env bash
# git clone of a repository with 10,000 small files: Vitrine's smart HTTP vs `git daemon`
# serving the very same bare repository (Vitrine's data/repos/<uid>.git) on loopback.
#
# Each run clones into a fresh folder and deletes it; the two servers alternate which goes
# first. Reported: the median wall time of a full clone (with checkout, the issue's figure)
# and of `git clone --no-checkout` (transfer + index-pack only, where the server's share of the
# time is larger), and the ratio vitrine/git-daemon of the medians.
#
# Knobs: FILES (10000), FILE_BYTES (512, the mean size of a file), RUNS (5), BENCH_TMP (/tmp),
#        VITRINE_BIN (build/vitrine), PROTOCOL (2; 0 for the v0 protocol on both sides).
# Goal (issue #3): vitrine clone time <= 1.2x git daemon's.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
BIN="${VITRINE_BIN:-$root/build/vitrine}"
case "$BIN" in /*) ;; *) BIN="$root/$BIN" ;; esac
FILES="${FILES:-10000}"
FILE_BYTES="${FILE_BYTES:-512}"
RUNS="${RUNS:-5}"
PROTOCOL="${PROTOCOL:-2}"
BENCH_TMP="${BENCH_TMP:-/tmp}"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
for t in git curl python3 awk; do command -v "$t" >/dev/null 2>&1 || die "missing tool: $t"; done
git daemon --help >/dev/null 2>&1 || [ -x "$(git --exec-path)/git-daemon" ] ||
  die "git daemon is not installed (Debian: apt-get install git-daemon-run, or git with git-daemon)"
[ -x "$BIN" ] || die "vitrine binary not found at $BIN (build it first)"

WORK="$(mktemp -d "$BENCH_TMP/vitrine-bench-clone.XXXXXX")"
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

avail=$(df -B1 --output=avail "$WORK" | tail -1 | tr -d ' ')
need=$(( (FILES * (FILE_BYTES + 4096)) * 6 + (1 << 30) ))
(( avail > need )) || die "not enough free disk under $WORK: need $need bytes, have $avail"
log "machine: nproc=$(nproc) cpu=\"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')\" git=$(git --version | cut -d' ' -f3) load=$(cut -d' ' -f1-3 /proc/loadavg)"
log "files: $FILES x ~$FILE_BYTES B, runs: $RUNS, protocol v$PROTOCOL"

export HOME="$WORK/home" GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0
mkdir -p "$HOME"
git config --global user.name bench
git config --global user.email bench@vitrine.invalid
git config --global init.defaultBranch main
git config --global protocol.version "$PROTOCOL"
git config --global gc.auto 0 # no detached auto-gc writing into folders being deleted

median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) {print "nan"; exit} if (NR%2) print a[(NR+1)/2]; else printf "%.6g\n", (a[NR/2]+a[NR/2+1])/2}'; }
fdiv() { awk -v a="$1" -v b="$2" 'BEGIN { if (b+0 == 0) print "nan"; else printf "%.3f\n", a/b }'; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", b - a }'; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# ---------------------------------------------------------------- vitrine + the repository
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

curl -sS --fail-with-body -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"name":"many-files"}' "$URL/api/repos/create" >/dev/null || die "create repo"
HOSTPORT="${URL#http://}"

log "writing $FILES files and pushing them"
git clone -q "http://x:$TOKEN@$HOSTPORT/bench/many-files" "$WORK/src" 2>/dev/null
python3 - "$WORK/src" "$FILES" "$FILE_BYTES" <<'EOF'
import os, random, sys
root, n, mean = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(3)
words = [("w%05d" % i) for i in range(5000)]
for i in range(n):
    d = os.path.join(root, "d%03d" % (i // 100))
    os.makedirs(d, exist_ok=True)
    size = rnd.randint(mean // 2, mean * 3 // 2)
    text = []
    while sum(len(w) + 1 for w in text) < size:
        text.append(rnd.choice(words))
    with open(os.path.join(d, "f%05d.txt" % i), "w") as f:
        f.write(" ".join(text)[:size] + "\n")
EOF
git -C "$WORK/src" add -A
git -C "$WORK/src" commit -qm "$FILES small files"
# http.postBuffer: the pack is a few MiB; with the default 1 MiB buffer git first sends a probe
# POST ("0000") that vitrine answered 400 at the time of writing (see docs/benchmarks.md).
git -C "$WORK/src" -c http.postBuffer=1073741824 push -q origin main 2>"$WORK/push.err" || die "push: $(cat "$WORK/push.err")"
HEAD_SHA="$(git -C "$WORK/src" rev-parse HEAD)"
rm -rf "$WORK/src"

# the bare repository Vitrine serves: the only folder under data/repos
mapfile -t bare < <(find "$DATA/repos" -mindepth 1 -maxdepth 1 -type d -name '*.git')
[ "${#bare[@]}" = 1 ] || die "expected one bare repository under $DATA/repos, found ${#bare[@]}"
BARE="${bare[0]}"
log "bare repository: $BARE ($(du -sh "$BARE" | cut -f1), $(find "$BARE/objects/pack" -name '*.pack' | wc -l) pack(s))"

# ---------------------------------------------------------------- git daemon on the same bare repo
DPORT="$(free_port)"
git daemon --export-all --base-path="$DATA/repos" --listen=127.0.0.1 --port="$DPORT" --reuseaddr \
  --informative-errors "$DATA/repos" >"$WORK/daemon.log" 2>&1 &
PIDS+=($!)
DAEMON_URL="git://127.0.0.1:$DPORT/$(basename "$BARE")"
for _ in $(seq 1 100); do git ls-remote "$DAEMON_URL" >/dev/null 2>&1 && break; sleep 0.1; done
[ "$(git ls-remote "$DAEMON_URL" refs/heads/main | cut -f1)" = "$HEAD_SHA" ] ||
  die "git daemon does not serve $BARE: $(cat "$WORK/daemon.log")"
VITRINE_URL="$URL/bench/many-files"
[ "$(git ls-remote "$VITRINE_URL" refs/heads/main | cut -f1)" = "$HEAD_SHA" ] || die "vitrine does not serve the pushed head"
log "git daemon pid ${PIDS[-1]} at $DAEMON_URL"

# one_clone URL MODE → seconds (MODE: full | nocheckout); checks the result, then deletes it
one_clone() {
  local dest="$WORK/clone" t0 t1 args=(-q)
  rm -rf "$dest"
  [ "$2" = nocheckout ] && args+=(--no-checkout)
  t0=$(now)
  git clone "${args[@]}" "$1" "$dest" 2>"$WORK/clone.err" || die "clone $1: $(cat "$WORK/clone.err")"
  t1=$(now)
  [ "$(git -C "$dest" rev-parse HEAD)" = "$HEAD_SHA" ] || die "clone of $1 has the wrong HEAD"
  if [ "$2" = full ]; then
    local n
    n=$(find "$dest" -path "$dest/.git" -prune -o -type f -name 'f*.txt' -print | wc -l)
    [ "$n" = "$FILES" ] || die "clone of $1 checked out $n files, expected $FILES"
  fi
  rm -rf "$dest"
  elapsed "$t0" "$t1"
}

# warm-up (page cache, first pack reuse) — not measured
one_clone "$VITRINE_URL" full >/dev/null
one_clone "$DAEMON_URL" full >/dev/null

declare -A T
for mode in full nocheckout; do
  : >"$WORK/v.$mode"; : >"$WORK/d.$mode"
  for ((r = 1; r <= RUNS; r++)); do
    if (( r % 2 )); then
      v=$(one_clone "$VITRINE_URL" "$mode"); d=$(one_clone "$DAEMON_URL" "$mode")
    else
      d=$(one_clone "$DAEMON_URL" "$mode"); v=$(one_clone "$VITRINE_URL" "$mode")
    fi
    echo "$v" >>"$WORK/v.$mode"; echo "$d" >>"$WORK/d.$mode"
    log "run $r $mode: vitrine ${v}s, git daemon ${d}s (load $(cut -d' ' -f1 /proc/loadavg))"
  done
  T[v$mode]=$(median <"$WORK/v.$mode")
  T[d$mode]=$(median <"$WORK/d.$mode")
done

ratio_full=$(fdiv "${T[vfull]}" "${T[dfull]}")
ratio_nc=$(fdiv "${T[vnocheckout]}" "${T[dnocheckout]}")
ok=$(awk -v r="$ratio_full" 'BEGIN { print (r + 0 <= 1.2) ? "MET" : "MISSED" }')
printf '%-28s %10s %12s %8s\n' "clone ($FILES files, v$PROTOCOL)" "vitrine" "git daemon" "ratio"
printf '%-28s %9ss %11ss %8s\n' "full (with checkout)" "${T[vfull]}" "${T[dfull]}" "$ratio_full"
printf '%-28s %9ss %11ss %8s\n' "--no-checkout" "${T[vnocheckout]}" "${T[dnocheckout]}" "$ratio_nc"
echo "SUMMARY git_clone files=$FILES runs=$RUNS protocol=v$PROTOCOL vitrine=${T[vfull]}s git_daemon=${T[dfull]}s ratio=$ratio_full goal<=1.2 $ok; no-checkout ratio=$ratio_nc (${T[vnocheckout]}s vs ${T[dnocheckout]}s)"
