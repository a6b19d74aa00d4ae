#!/usr/bin/env bash
# Xet ingest on the server: (a) xorb uploads with full verification, (b) server-side chunking of
# an LFS upload. Each is measured with the hub's data dir on disk (BENCH_TMP, fsync'ed before the
# answer, as in production) and on /dev/shm (tmpfs: fsync is free, which isolates the CPU part).
#
# (a) POST /v1/xorbs/default/{hash} (Xet write token) of XORBS distinct ~64 MiB xorbs per run:
#     random data cut into 1023 uncompressed 64 KiB chunks (8-byte headers), hashed by the hidden
#     `vitrine xet-hash` CLI, built once. The server parses the xorb, recomputes every chunk hash
#     and the Merkle hash, writes and fsyncs it. A xorb already stored is not verified again, so
#     every run posts new ones and each store gets a fresh server. Reported per run: wall
#     throughput of the N sequential curl POSTs over loopback, and payload / the server's CPU
#     time (utime + stime of all its threads, /proc/PID/stat) = GB/s per core. Peers in the same
#     run: `openssl speed -evp sha256` (16 KiB blocks) and, when build/vitrine_xet_bench exists
#     (bench/xet_hash.sh builds it), its in-process parse_xorb and SHA-256 figures on one core.
# (b) LFS basic PUT (`curl -T` to the signed href from the batch API) of an LFS_SIZE_MIB random
#     file into a fresh hub each run (a re-PUT would dedup every chunk and write nothing). The
#     server cuts the stream (gear CDC), BLAKE3-hashes each chunk, SHA-256s the whole on a second
#     thread, packs new chunks into xorbs and writes + fsyncs them before answering. Throughput =
#     size / curl time_total; the server's CPU seconds / wall = cores it used. References in the
#     same run: `openssl dgst -sha256` of the file (one core) and `dd bs=1M conv=fsync` of it into
#     BENCH_TMP (the disk's write + sync ceiling).
#
# Knobs: XORBS (8 per run, 64 MiB each), LFS_SIZE_MIB (1024), RUNS (3), SPEED_SECONDS (1),
#        PARTS ("xorb lfs"), STORES ("disk shm"), BENCH_TMP (/tmp), VITRINE_BIN, XET_BENCH_BIN.
# Goals (Xet issue): (a) >= 2 GB/s per core of uncompressed payload; (b) >= 0.9 GB/s.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
require curl openssl python3 awk dd

XORBS="${XORBS:-8}"
LFS_SIZE_MIB="${LFS_SIZE_MIB:-1024}"
RUNS="${RUNS:-3}"
SPEED_SECONDS="${SPEED_SECONDS:-1}"
PARTS="${PARTS:-xorb lfs}"
STORES="${STORES:-disk shm}"
XET_BENCH_BIN="${XET_BENCH_BIN:-$(dirname "$VITRINE_BIN")/vitrine_xet_bench}"
[[ -x "$XET_BENCH_BIN" ]] || XET_BENCH_BIN="$REPO_ROOT/build/vitrine_xet_bench"
LFS_SIZE=$(( LFS_SIZE_MIB << 20 ))
CHUNK=65536
CHUNKS_PER_XORB=1023 # 1023 * (65536 + 8) bytes <= 64 MiB
XORB_PAYLOAD=$(( CHUNK * CHUNKS_PER_XORB ))

make_tmpdir WORK
# A private copy: a concurrent rebuild must not remove the binary between the hubs this starts.
[[ -x "$VITRINE_BIN" ]] || die "vitrine binary not found at $VITRINE_BIN (build it first)"
cp "$VITRINE_BIN" "$WORK/vitrine.snapshot"
VITRINE_BIN="$WORK/vitrine.snapshot"
SHM="$(mktemp -d /dev/shm/vitrine-bench.XXXXXX)"
_BENCH_DIRS+=("$SHM")
log "machine: $(machine_info)"
log "parts: $PARTS, stores: $STORES, runs: $RUNS, xorbs per run: $XORBS x $(( XORB_PAYLOAD >> 20 )) MiB payload, LFS file: $LFS_SIZE_MIB MiB"

store_root() { if [[ "$1" == shm ]]; then echo "$SHM"; else echo "$WORK"; fi; }

# fresh_hub STORE: a new hub on an empty data dir in STORE, with repo bench/ingest.
fresh_hub() {
  local data
  data="$(store_root "$1")/data"
  rm -rf "$data"; mkdir -p "$data"
  start_vitrine "$data"
  create_repo ingest
}
drop_hub() { stop_vitrine; rm -rf "$(store_root "$1")/data"; }

openssl_speed() {
  openssl speed -evp sha256 -seconds "$SPEED_SECONDS" -bytes 16384 -mr 2>/dev/null |
    awk -F: '/^\+F:/ { printf "%.3f\n", $4 / 1e9 }' | tail -1
}

SUMMARY=()
: >"$WORK/speed"

# ---- (a) xorb ingest --------------------------------------------------------------------------
if [[ " $PARTS " == *" xorb "* ]]; then
  N=$(( XORBS * RUNS ))
  check_disk "$WORK" $(( N * (64 << 20) * 2 ))
  log "building $N xorbs"
  mkdir -p "$WORK/xorbs"
  cp "$VITRINE_BIN" "$WORK/xet-hash.bin"
  python3 - "$WORK/xorbs" "$WORK/xet-hash.bin" "$N" "$CHUNK" "$CHUNKS_PER_XORB" <<'EOF'
import json, os, subprocess, sys
out, tool, n, chunk, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
header = bytes([0]) + chunk.to_bytes(3, "little") + bytes([0]) + chunk.to_bytes(3, "little")
for i in range(n):
    data = os.urandom(chunk * count)
    raw = f"{out}/{i}.raw"
    with open(raw, "wb") as f:
        f.write(data)
    req = {"data_file": raw, "boundaries": [chunk * (k + 1) for k in range(count)]}
    res = json.loads(subprocess.run([tool, "xet-hash"], input=json.dumps(req), capture_output=True,
                                    text=True, check=True).stdout)
    os.unlink(raw)
    with open(f"{out}/{i}.xorb", "wb") as f:
        for k in range(count):
            f.write(header)
            f.write(data[k * chunk:(k + 1) * chunk])
    with open(f"{out}/{i}.hash", "w") as f:
        f.write(res["xorb_hash"])
EOF
  cat "$WORK"/xorbs/*.xorb >/dev/null # page-cache them

  for store in $STORES; do
    fresh_hub "$store"
    XET_TOKEN="$(xet_write_token "$REPO_ID")"
    [[ -n "$XET_TOKEN" ]] || die "no Xet write token"
    : >"$WORK/xw.$store"; : >"$WORK/xc.$store"
    for ((r = 0; r < RUNS; r++)); do
      [[ "$store" == disk ]] && openssl_speed >>"$WORK/speed"
      c0=$(cpu_seconds "$VITRINE_PID"); t0=$(date +%s.%N)
      for ((i = r * XORBS; i < (r + 1) * XORBS; i++)); do
        out=$(curl -sS --fail-with-body -X POST -T "$WORK/xorbs/$i.xorb" \
          -H "Authorization: Bearer $XET_TOKEN" -H 'Content-Type: application/octet-stream' \
          "$VITRINE_URL/v1/xorbs/default/$(cat "$WORK/xorbs/$i.hash")") || die "xorb POST failed: $out"
        [[ "$out" == *'"was_inserted":true'* ]] || die "xorb $i not inserted: $out"
      done
      t1=$(date +%s.%N); c1=$(cpu_seconds "$VITRINE_PID")
      bytes=$(( XORBS * XORB_PAYLOAD ))
      w=$(awk -v n="$bytes" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", n / (b - a) / 1e9 }')
      c=$(awk -v n="$bytes" -v a="$c0" -v b="$c1" 'BEGIN { printf "%.3f\n", n / (b - a) / 1e9 }')
      echo "$w" >>"$WORK/xw.$store"; echo "$c" >>"$WORK/xc.$store"
      log "xorb store=$store run=$((r + 1)) wall=${w} GB/s server_cpu=$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", b - a }') s -> ${c} GB/s per core"
    done
    drop_hub "$store"
  done
  sm=$(median <"$WORK/speed")
  echo "openssl speed -evp sha256 16384B median=$sm GB/s (runs: $(paste -sd, "$WORK/speed"))"
  for store in $STORES; do
    wm=$(median <"$WORK/xw.$store"); cm=$(median <"$WORK/xc.$store")
    ok=$(verdict fge "$cm" 2.0)
    echo "xorb ingest store=$store wall_median=$wm GB/s per_core_median=$cm GB/s (server CPU) x_sha256=$(fdiv "$cm" "$sm") goal>=2.0 GB/s/core $ok  (runs: wall $(paste -sd, "$WORK/xw.$store") | per core $(paste -sd, "$WORK/xc.$store"))"
    SUMMARY+=("xorb_${store}:${cm}GB/s/core(${ok})")
  done
  if [[ -x "$XET_BENCH_BIN" ]]; then
    cp "$XET_BENCH_BIN" "$WORK/xet_bench"
    taskset -c 0 "$WORK/xet_bench" >"$WORK/inproc" 2>/dev/null || "$WORK/xet_bench" >"$WORK/inproc"
    ip=$(awk '/^parse_xorb/ { print $(NF-1) }' "$WORK/inproc")
    ipsha=$(awk '/^OpenSSL SHA-256/ { print $(NF-1) }' "$WORK/inproc")
    echo "in-process ($XET_BENCH_BIN, one core): parse_xorb 64 MiB uncompressed=$ip GB/s, SHA-256 same bytes=$ipsha GB/s, ratio=$(fdiv "$ip" "$ipsha")"
    SUMMARY+=("xorb_inproc:${ip}GB/s")
  else
    log "no $XET_BENCH_BIN: skipping the in-process parse_xorb figure (ninja vitrine_xet_bench)"
  fi
fi

# ---- (b) LFS upload, chunked server-side --------------------------------------------------------
if [[ " $PARTS " == *" lfs "* ]]; then
  check_disk "$WORK" $(( LFS_SIZE * 3 ))
  FILE="$WORK/src.bin"
  make_random_file "$FILE" "$LFS_SIZE"
  cat "$FILE" >/dev/null
  : >"$WORK/dgst"; : >"$WORK/dd"
  for store in $STORES; do : >"$WORK/lu.$store"; : >"$WORK/lc.$store"; done
  for ((r = 1; r <= RUNS; r++)); do
    t0=$(date +%s.%N)
    OID="$(openssl dgst -sha256 -r "$FILE" | cut -d' ' -f1)"
    t1=$(date +%s.%N)
    awk -v s="$LFS_SIZE" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", s / (b - a) / 1e9 }' >>"$WORK/dgst"
    line="run=$r"
    for store in $STORES; do
      fresh_hub "$store"
      HREF="$(lfs_upload_href "$REPO_ID" "$OID" "$LFS_SIZE")"
      [[ -n "$HREF" ]] || die "no upload href"
      c0=$(cpu_seconds "$VITRINE_PID")
      out=$(curl -sS --fail -T "$FILE" -w '%{http_code} %{size_upload} %{time_total}' -o /dev/null "$HREF")
      c1=$(cpu_seconds "$VITRINE_PID")
      read -r code sent secs <<<"$out"
      [[ "$code" == 200 && "${sent%.*}" == "$LFS_SIZE" ]] || die "upload failed: $out"
      xorbs=$(find "$(store_root "$store")/data" -path '*xorbs*' -type f | wc -l)
      ((xorbs > 0)) || die "no xorbs written: the upload was not chunked into the Xet store"
      u=$(awk -v s="$LFS_SIZE" -v t="$secs" 'BEGIN { printf "%.3f\n", s / t / 1e9 }')
      cores=$(awk -v a="$c0" -v b="$c1" -v t="$secs" 'BEGIN { printf "%.2f\n", (b - a) / t }')
      echo "$u" >>"$WORK/lu.$store"; echo "$cores" >>"$WORK/lc.$store"
      line+=" $store=${u}GB/s(${cores}cores,${xorbs}xorbs)"
      drop_hub "$store"
    done
    t0=$(date +%s.%N)
    dd if="$FILE" of="$WORK/dd.bin" bs=1M conv=fsync status=none
    t1=$(date +%s.%N)
    rm -f "$WORK/dd.bin"
    d=$(awk -v s="$LFS_SIZE" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", s / (b - a) / 1e9 }')
    echo "$d" >>"$WORK/dd"
    log "lfs $line openssl_dgst=$(tail -1 "$WORK/dgst")GB/s dd_fsync=${d}GB/s"
  done
  dm=$(median <"$WORK/dgst"); ddm=$(median <"$WORK/dd")
  echo "openssl dgst -sha256 same file median=$dm GB/s (runs: $(paste -sd, "$WORK/dgst"))"
  echo "dd conv=fsync same fs median=$ddm GB/s (runs: $(paste -sd, "$WORK/dd"))"
  for store in $STORES; do
    um=$(median <"$WORK/lu.$store"); cm=$(median <"$WORK/lc.$store")
    ok=$(verdict fge "$um" 0.9)
    echo "lfs chunked upload store=$store median=$um GB/s server_cores_median=$cm x_dgst=$(fdiv "$um" "$dm") x_dd_fsync=$(fdiv "$um" "$ddm") goal>=0.9 GB/s $ok  (runs: $(paste -sd, "$WORK/lu.$store"))"
    SUMMARY+=("lfs_${store}:${um}GB/s(${ok})")
  done
fi

echo "SUMMARY xet_ingest xorbs=${XORBS}x64MiB lfs=${LFS_SIZE_MIB}MiB runs=$RUNS: ${SUMMARY[*]}"
