#!/usr/bin/env bash
# Installs what Vitrine needs from Debian 12 packages. Idempotent: only missing packages are
# installed, and the package lists are refreshed only when something is missing.
#   scripts/install-deps.sh          build and run dependencies
#   scripts/install-deps.sh --test   plus what the test suites need (git-lfs, pytest, Chromium
#                                    for the web interface's browser tests)
# Node.js and npm build the web interface (web/); a node already on the PATH is kept.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config ccache
  libboost1.81-dev libgit2-dev libssl-dev libsqlite3-dev nlohmann-json3-dev
  libcli11-dev libspdlog-dev libyaml-cpp-dev zlib1g-dev libargon2-dev
  librust-blake3-dev liblz4-dev  # BLAKE3 C sources (compiled in-tree) and LZ4, for Xet
  libcurl4-openssl-dev  # `vitrine verify` fetches the transparency log over HTTP(S)
  libcmark-gfm-dev libcmark-gfm-extensions-dev  # model/dataset cards rendered to HTML
  libzstd-dev libbz2-dev liblzma-dev libsnappy-dev libbrotli-dev  # dataset files' codecs
  libgtest-dev  # configuring the build looks for it (unit tests build with the hub)
  git
)
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(git-lfs curl jq sqlite3 procps python3 python3-pytest python3-requests golang-go golang-golang-x-mod-dev zstd)
  packages+=(chromium)  # tests/web drives it headless through playwright-core (no browser download)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}" >&2
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
