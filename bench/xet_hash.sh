#!/usr/bin/env bash
# Xet hashing micro benchmark: single-core throughput of chunking, chunking + hashing, BLAKE3
# and xorb ingest (parse_xorb with full verification), next to OpenSSL SHA-256 on the same
# bytes. Median of 3. Goals: chunking + BLAKE3 ~1 GB/s per core, xorb ingest >= 2 GB/s per core.
#   bench/xet_hash.sh            (builds build/vitrine_xet_bench first)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cmake --build "$root/build" --target vitrine_xet_bench >/dev/null
taskset -c 0 "$root/build/vitrine_xet_bench" 2>/dev/null || "$root/build/vitrine_xet_bench"
echo "openssl speed -evp sha256 (16 KiB blocks, for reference):"
openssl speed -seconds 1 -evp sha256 2>/dev/null | tail -1
