#!/usr/bin/env bash
# Installs dependencies, builds, and starts the hub on its embedded defaults (./data,
# 127.0.0.1:8080, or VITRINE_DATA / VITRINE_LISTEN). Extra arguments go to `vitrine serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
exec build/vitrine serve "$@"
