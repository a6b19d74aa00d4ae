#!/usr/bin/env bash
# LFS basic upload into Vitrine (PUT of the whole object to the signed href, curl -T, loopback)
# vs OpenSSL's single-core SHA-256 throughput measured in the same run.
#
# Vitrine hashes the body inline (SHA-256), writes it to the object store and fsyncs it before
# answering, so the PUT time covers receive + hash + write + fsync. A re-PUT of the same oid is
# fully received and verified again, so every run uploads the same href.
# References printed alongside (same run):
#   - openssl speed -evp sha256 -bytes 16384 (the goal's reference, median of RUNS),
#   - openssl dgst -sha256 over the same file (page-cached),
#   - dd of the file with conv=fsync into the same file system (disk write + sync ceiling).
#
# Knobs: SIZE_MIB (2048), RUNS (3), SPEED_SECONDS (2), BENCH_TMP (/tmp), VITRINE_BIN.
# Goal (issue #2): upload throughput >= 0.9x openssl speed -evp sha256.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
require curl openssl python3 awk dd

SIZE_MIB="${SIZE_MIB:-2048}"
RUNS="${RUNS:-3}"
SPEED_SECONDS="${SPEED_SECONDS:-2}"
SIZE=$(( SIZE_MIB << 20 ))

make_tmpdir WORK
# Source file + stored object + its temp copy + dd copy.
check_disk "$WORK" $(( SIZE * 4 ))
log "machine: $(machine_info)"
log "file: $SIZE_MIB MiB, runs: $RUNS"

FILE="$WORK/src.bin"
make_random_file "$FILE" "$SIZE"
cat "$FILE" >/dev/null # page-cache it

: >"$WORK/dgst"
for ((r = 1; r <= RUNS; r++)); do
  t0=$(date +%s.%N)
  OID="$(openssl dgst -sha256 -r "$FILE" | cut -d' ' -f1)"
  t1=$(date +%s.%N)
  awk -v s="$SIZE" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", s / (b - a) / 1e9 }' >>"$WORK/dgst"
done

mkdir -p "$WORK/data"
start_vitrine "$WORK/data"
create_repo up
HREF="$(lfs_upload_href "$REPO_ID" "$OID" "$SIZE")"
[[ -n "$HREF" ]] || die "no upload href"

: >"$WORK/up"; : >"$WORK/speed"; : >"$WORK/dd"
for ((r = 1; r <= RUNS; r++)); do
  # openssl speed: 16384-byte column, kB/s (1000 bytes) -> GB/s.
  s=$(openssl speed -evp sha256 -seconds "$SPEED_SECONDS" -bytes 16384 -mr 2>/dev/null |
      awk -F: '/^\+F:/ { printf "%.3f\n", $4 / 1e9 }' | tail -1)
  [[ -n "$s" ]] || s=$(openssl speed -evp sha256 -seconds "$SPEED_SECONDS" -bytes 16384 2>/dev/null |
      awk '/^sha256/ { sub(/k$/, "", $2); printf "%.3f\n", $2 * 1000 / 1e9 }')
  echo "$s" >>"$WORK/speed"

  out=$(curl -sS --fail -T "$FILE" -w '%{http_code} %{size_upload} %{time_total}' -o /dev/null "$HREF")
  read -r code sent secs <<<"$out"
  [[ "$code" == 200 && "${sent%.*}" == "$SIZE" ]] || die "upload failed: $out"
  u=$(awk -v s="$SIZE" -v t="$secs" 'BEGIN { printf "%.3f\n", s / t / 1e9 }')
  echo "$u" >>"$WORK/up"

  t0=$(date +%s.%N)
  dd if="$FILE" of="$WORK/dd.bin" bs=1M conv=fsync status=none
  t1=$(date +%s.%N)
  rm -f "$WORK/dd.bin"
  d=$(awk -v s="$SIZE" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", s / (b - a) / 1e9 }')
  echo "$d" >>"$WORK/dd"
  log "run=$r upload=${u} GB/s openssl_speed=${s} GB/s dd_fsync=${d} GB/s"
done
hwm=$(hwm_kib "$VITRINE_PID")

um=$(median <"$WORK/up"); sm=$(median <"$WORK/speed"); dm=$(median <"$WORK/dgst"); ddm=$(median <"$WORK/dd")
ratio=$(fdiv "$um" "$sm")
ok=$(verdict fge "$ratio" 0.90)
echo "upload vitrine_median=$um GB/s (runs: $(paste -sd, "$WORK/up"))"
echo "openssl speed -evp sha256 16384B median=$sm GB/s (runs: $(paste -sd, "$WORK/speed"))"
echo "openssl dgst -sha256 same file median=$dm GB/s (runs: $(paste -sd, "$WORK/dgst"))"
echo "dd conv=fsync same fs median=$ddm GB/s (runs: $(paste -sd, "$WORK/dd"))"
echo "upload/dgst ratio=$(fdiv "$um" "$dm")  upload/dd_fsync ratio=$(fdiv "$um" "$ddm")  vitrine VmHWM=${hwm} KiB"
echo "SUMMARY upload size=${SIZE_MIB}MiB runs=$RUNS vitrine/openssl_speed ratio=$ratio goal>=0.90 $ok"
