#!/usr/bin/env bash
# Replays the Python huggingface_hub client's requests (python3-requests + python3-pytest)
# against a real `vitrine serve` that the tests start on a free port (see conftest.py).
# VITRINE_BIN: server binary (absolute, or relative to the repository root; default build/vitrine).
# Extra arguments go to pytest (e.g. -k lfs -x -vv).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
cd "$root"

bin="${VITRINE_BIN:-build/vitrine}"
case "$bin" in /*) ;; *) bin="$root/$bin" ;; esac
if [ ! -x "$bin" ]; then
  echo "client_python: vitrine binary not found at $bin (set VITRINE_BIN or build it)" >&2
  exit 1
fi
export VITRINE_BIN="$bin"

# The first interpreter that has both pytest and requests (a pyenv python3 may lack the
# Debian python3-pytest that /usr/bin/python3 sees).
py=""
for cand in "${PYTHON:-}" python3 /usr/bin/python3; do
  [ -n "$cand" ] || continue
  if "$cand" -c 'import pytest, requests' >/dev/null 2>&1; then py="$cand"; break; fi
done
if [ -z "$py" ]; then
  echo "client_python: need python3 with pytest and requests (apt-get install python3-pytest python3-requests)" >&2
  exit 1
fi

export PYTHONDONTWRITEBYTECODE=1
exec "$py" -m pytest -q -p no:cacheprovider tests/client/python "$@"
