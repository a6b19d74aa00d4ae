#!/usr/bin/env bash
# Runs the @huggingface/hub client tests against a real `vitrine serve`.
# Needs node >= 20 and node_modules (run `npm ci` in this folder first).
# VITRINE_BIN: path of the server binary (default: build/vitrine under the repository root).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# Test files given as arguments are taken relative to the caller's directory.
args=()
for a in "$@"; do
  case "$a" in /*) args+=("$a") ;; *) args+=("$PWD/$a") ;; esac
done
cd "$here"

if ! command -v node >/dev/null 2>&1; then
  echo "client_js: node is not installed (need node >= 20)" >&2
  exit 1
fi
if [ ! -f node_modules/@huggingface/hub/package.json ]; then
  echo "client_js: node_modules is missing; run 'npm ci' in $here first" >&2
  exit 1
fi
version="$(node -p 'require("./node_modules/@huggingface/hub/package.json").version')"
if [ "$version" != "2.17.5" ]; then
  echo "client_js: @huggingface/hub $version installed, 2.17.5 expected; run 'npm ci' in $here" >&2
  exit 1
fi

root="$(cd "$here/../../.." && pwd)"
bin="${VITRINE_BIN:-build/vitrine}"
case "$bin" in /*) ;; *) bin="$root/$bin" ;; esac
if [ ! -x "$bin" ]; then
  echo "client_js: vitrine binary not found at $bin (set VITRINE_BIN or build it)" >&2
  exit 1
fi
export VITRINE_BIN="$bin"

files=()
if [ "${#args[@]}" -gt 0 ]; then
  files=("${args[@]}")
else
  for f in ./*.test.mjs; do files+=("$f"); done
fi
# One test file at a time: each starts its own server, and CI machines are small.
exec node --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
