#!/usr/bin/env bash
# Runs the web interface's end-to-end tests: playwright-core (pinned in package-lock.json)
# drives Debian's Chromium headless against a real `vitrine serve` that serves build/web.
# Needs `npm ci` here, Chromium (scripts/install-deps.sh --test installs it) and the web build
# beside the binary (scripts/build.sh). VITRINE_SKIP_BROWSER_TESTS=1 skips them, saying so;
# nothing else does.
# VITRINE_BIN: server binary (default build/vitrine); VITRINE_WEB_TEST_OUT: screenshots folder;
# VITRINE_UPDATE_SCREENSHOTS=1 also refreshes docs/screenshots/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
if [[ "${VITRINE_SKIP_BROWSER_TESTS:-}" == 1 ]]; then
  echo "web_e2e: skipped because VITRINE_SKIP_BROWSER_TESTS=1"
  exit 0
fi
if [ ! -f node_modules/playwright-core/package.json ]; then
  echo "web_e2e: node_modules is missing; run 'npm ci' in $here first" >&2
  exit 1
fi
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  echo "web_e2e: Chromium not found at $CHROMIUM (scripts/install-deps.sh --test installs it)" >&2
  exit 1
fi
exec node --test --test-concurrency=1 --test-reporter=spec ./*.test.mjs
