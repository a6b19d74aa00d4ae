#!/usr/bin/env bash
# Download of a cached LFS file from Vitrine vs nginx (sendfile on) serving the same bytes.
#
# For each concurrency level (1, 4, 32 by default) every run starts C curl processes that each
# download the whole file to /dev/null; aggregate throughput = C * size / wall time. Vitrine and
# nginx runs alternate so that background noise hits both alike. The median over RUNS runs is
# reported per server, and the ratio vitrine/nginx of the medians.
# During every Vitrine run its VmRSS is sampled every 20 ms; the peak growth over the pre-run
# RSS (max over runs), per concurrency level, and VmHWM are printed.
#
# Knobs: SIZE_MIB (default 2048), RUNS (default 3), CONCURRENCY ("1 4 32"), MAX_SECONDS (10: a
#        stream still running then is cut and its bytes so far count), NGINX_WORKERS (2),
#        BENCH_TMP (/tmp), VITRINE_BIN.
# Goals (issue #2): 1 stream >= 0.95x nginx; 4 and 32 streams >= 0.9x nginx;
#        RSS growth <= ~1 MiB per transfer.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
require curl nginx openssl python3 awk

SIZE_MIB="${SIZE_MIB:-2048}"
RUNS="${RUNS:-3}"
CONCURRENCY="${CONCURRENCY:-1 4 32}"
MAX_SECONDS="${MAX_SECONDS:-10}"
SIZE=$(( SIZE_MIB << 20 ))

make_tmpdir WORK
check_disk "$WORK" $(( SIZE * 2 ))
log "machine: $(machine_info)"
log "file: $SIZE_MIB MiB, runs: $RUNS, concurrency: $CONCURRENCY, max ${MAX_SECONDS}s per run, nginx workers: $NGINX_WORKERS"

mkdir -p "$WORK/data" "$WORK/www" "$WORK/nginx"
FILE="$WORK/src.bin"
make_random_file "$FILE" "$SIZE"
OID="$(openssl dgst -sha256 -r "$FILE" | cut -d' ' -f1)"

start_vitrine "$WORK/data"
create_repo dl
HREF="$(lfs_upload_href "$REPO_ID" "$OID" "$SIZE")"
[[ -n "$HREF" ]] || die "no upload href"
curl -sS --fail -T "$FILE" "$HREF" >/dev/null
lfs_commit "$REPO_ID" big.bin "$OID" "$SIZE"

# nginx serves the very file Vitrine stores (a hard link: same inode, same page-cache pages)
# when the object is a plain file; in the Xet store (chunks in xorbs) it serves the source file.
STORED="$WORK/data/lfs/objects/${OID:0:2}/${OID:2:2}/$OID"
[[ -f "$STORED" ]] || STORED="$(find "$WORK/data" -type f -name "$OID" | head -1)"
if [[ -f "$STORED" ]]; then
  ln "$STORED" "$WORK/www/big.bin" 2>/dev/null || cp "$STORED" "$WORK/www/big.bin"
  rm -f "$FILE"
else
  log "object is not a plain file under $WORK/data (Xet store): nginx serves the source file"
  mv "$FILE" "$WORK/www/big.bin"
fi
start_nginx "$WORK/www" "$WORK/nginx"

V_URL="$VITRINE_URL/$REPO_ID/resolve/main/big.bin"
N_URL="$NGINX_URL/big.bin"

# Warm the page cache and check both serve the full file.
for u in "$V_URL" "$N_URL"; do
  got=$(curl -sS -L --fail -o /dev/null -w '%{size_download}' "$u")
  [[ "$got" == "$SIZE" ]] || die "$u returned $got bytes, expected $SIZE"
done

# sample_rss PID FILE: appends VmRSS (KiB) every 20 ms until killed.
sample_rss() {
  while kill -0 "$1" 2>/dev/null; do rss_kib "$1" >>"$2" 2>/dev/null || true; sleep 0.02; done
}


SUMMARY=()
for c in $CONCURRENCY; do
  : >"$WORK/v.$c"; : >"$WORK/n.$c"
  for ((r = 1; r <= RUNS; r++)); do
    base=$(rss_kib "$VITRINE_PID")
    : >"$WORK/rss"
    sample_rss "$VITRINE_PID" "$WORK/rss" &
    sampler=$!
    register_pid "$sampler"
    v=$(fetch_parallel "$V_URL" "$c")
    kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true
    peak=$(sort -n "$WORK/rss" | tail -1)
    growth=$(( ${peak:-$base} - base ))
    echo "$growth" >>"$WORK/rssgrowth.$c"
    echo "$base" >>"$WORK/rssbase.$c"
    n=$(fetch_parallel "$N_URL" "$c")
    echo "$v" >>"$WORK/v.$c"; echo "$n" >>"$WORK/n.$c"
    log "streams=$c run=$r vitrine=${v} GB/s nginx=${n} GB/s"
  done
  vm=$(median <"$WORK/v.$c"); nm=$(median <"$WORK/n.$c")
  ratio=$(fdiv "$vm" "$nm")
  goal=0.90; [[ "$c" == 1 ]] && goal=0.95
  ok=$(verdict fge "$ratio" "$goal")
  printf 'download streams=%-2s vitrine_median=%s GB/s nginx_median=%s GB/s ratio=%s goal>=%s %s  (runs: vitrine %s | nginx %s)\n' \
    "$c" "$vm" "$nm" "$ratio" "$goal" "$ok" "$(paste -sd, "$WORK/v.$c")" "$(paste -sd, "$WORK/n.$c")"
  SUMMARY+=("${c}x:${ratio}(${ok})")
  if [[ -f "$WORK/rssgrowth.$c" ]]; then
    gmax=$(sort -n "$WORK/rssgrowth.$c" | tail -1)
    gmed=$(median <"$WORK/rssgrowth.$c")
    limit=$(( c * 1024 ))
    hwm=$(hwm_kib "$VITRINE_PID")
    rok=$(verdict fge "$limit" "$gmax")
    echo "rss streams=$c base=$(median <"$WORK/rssbase.$c") KiB peak_growth_median=${gmed} KiB peak_growth_max=${gmax} KiB ($(fdiv "$gmax" "$c" %.1f) KiB/transfer) VmHWM=${hwm} KiB goal<=${limit} KiB ${rok}"
    SUMMARY+=("rss${c}x:+${gmax}KiB(${rok})")
  fi
done

echo "SUMMARY download size=${SIZE_MIB}MiB runs=$RUNS nginx_workers=$NGINX_WORKERS ratios vitrine/nginx: ${SUMMARY[*]}"
