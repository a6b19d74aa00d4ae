#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan) and fuzzes each one in turn.
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]     (default 30 s, every target)
# Environment: BUILD_DIR (default build-fuzz), JOBS (build parallelism, default 1),
# FUZZ_ARGS (extra libFuzzer flags, e.g. "-jobs=4 -workers=4").
# Seeds come from fuzz/corpus/<target>/ and are never modified; inputs the fuzzer finds go to
# $BUILD_DIR/fuzz-corpus/<target>/ and crashes to $BUILD_DIR/fuzz-artifacts/<target>/.
# Replay one with: $BUILD_DIR/fuzz/fuzz_<target> <file>. Exits non-zero if any target crashed,
# leaked, timed out or ran out of memory.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-30}"
shift || true
build="${BUILD_DIR:-$root/build-fuzz}"
jobs="${JOBS:-1}"

if [[ ! -f "$build/CMakeCache.txt" ]]; then
  CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja \
    -DVITRINE_FUZZ=ON -DVITRINE_SANITIZE=ON -DBUILD_TESTING=OFF
fi

# shellcheck disable=SC2207
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  targets=($(sed -n 's/^  \([a-z_0-9]*\)$/\1/p; s/^  \([a-z_0-9]*\))$/\1/p' \
    "$root/fuzz/targets.cmake"))
fi
cmake --build "$build" -j "$jobs" --target "${targets[@]/#/fuzz_}"

failed=()
for target in "${targets[@]}"; do
  corpus="$build/fuzz-corpus/$target"
  artifacts="$build/fuzz-artifacts/$target"
  mkdir -p "$corpus" "$artifacts"
  echo "=== fuzz_$target: ${seconds}s"
  # -timeout: one input running this long is a hang (e.g. exponential pattern matching).
  # shellcheck disable=SC2086
  if ! "$build/fuzz/fuzz_$target" "$corpus" "$root/fuzz/corpus/$target" \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$artifacts/" ${FUZZ_ARGS:-} 2>"$build/fuzz-$target.log"; then
    failed+=("$target")
    tail -n 60 "$build/fuzz-$target.log"
  else
    grep -E '^(stat::number_of_executed_units|stat::new_units_added):' "$build/fuzz-$target.log" |
      tr '\n' ' '
    echo
  fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "FAILED: ${failed[*]} (logs: $build/fuzz-<target>.log, inputs: $build/fuzz-artifacts/)"
  exit 1
fi
echo "all ${#targets[@]} targets ran ${seconds}s without a finding"
