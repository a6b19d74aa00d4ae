#!/usr/bin/env bash
# Configures and builds Vitrine into build/ (binary: build/vitrine), then the web interface
# (web/, built with Vite) into build/web, where the binary finds it. Extra arguments go to
# CMake, e.g. scripts/build.sh -DVITRINE_SANITIZE=ON. VITRINE_SKIP_WEB=1 skips the web build.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
ninja -C build -j "$jobs"

if [[ "${VITRINE_SKIP_WEB:-}" == 1 ]]; then exit 0; fi
# Dependencies as pinned in web/package-lock.json; `npm ci` runs again only when the lock
# file changed since the last install.
stamp=web/node_modules/.vitrine-lock.sha256
lock_sum=$(sha256sum web/package-lock.json | cut -d' ' -f1)
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$lock_sum" ]]; then
  (cd web && npm ci --no-audit --no-fund --loglevel=error)
  echo "$lock_sum" >"$stamp"
fi
(cd web && npm run --silent build >/dev/null)
# Installed whole into a fresh folder, then swapped in, so a running hub never sees half of it.
rm -rf build/web.new
cp -r web/dist build/web.new
rm -rf build/web
mv build/web.new build/web
