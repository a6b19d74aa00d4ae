#!/usr/bin/env bash
# The web interface's files over the wire, against a real `vitrine serve` given a small web
# folder made here (no npm build needed): page URLs answer index.html (no-cache, CSP), assets
# answer with their type and `immutable`, pre-compressed .gz files go to gzip clients only,
# conditional requests get 304, nothing outside the folder is reachable (.., %2e%2e, %2F,
# absolute paths, hidden files), and API, git and download routes are not taken over. Without
# a web folder, pages answer the plain text line they always did.
#
# Prints `ok - NAME` / `not ok - NAME` per check, then `N passed, M failed`.
# VITRINE_BIN: server binary (default build/vitrine). Needs bash, curl.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/../../.."
source tests/client/lib/harness.sh
[ -x "$BIN" ] || { echo "web_test: vitrine binary not found at $BIN (set VITRINE_BIN)" >&2; exit 1; }

# A web folder, and a secret beside it that must stay unreachable.
WEB="$WORK/site/web"
mkdir -p "$WEB/assets/sub"
echo '<!doctype html><title>spa</title><script type="module" src="/assets/app-1234.js"></script>' >"$WEB/index.html"
echo 'console.log("app")' >"$WEB/assets/app-1234.js"
printf 'body{}' >"$WEB/assets/sub/s.css"
echo '<svg xmlns="http://www.w3.org/2000/svg"/>' >"$WEB/favicon.svg"
echo hidden >"$WEB/assets/.hidden"
echo secret >"$WORK/site/secret.txt"
echo secret >"$WEB/secret.txt.bak"
mkdir "$WEB/assets/dir.js"
ln -s "$WORK/site/secret.txt" "$WEB/assets/link.js"
printf 'gzipped-bytes' | gzip -c >"$WEB/assets/app-1234.js.gz"

"$BIN" user create alice --data "$WORK/data" >/dev/null
TOKEN=$("$BIN" token create --user alice --role write --data "$WORK/data")
start_server "$WORK/data" --web-dir "$WEB"

# get PATH [curl args...]: sets STATUS, HDRS (lower-case header lines) and BODY.
get() {
  local path=$1
  shift
  BODY=$(curl -s --path-as-is -D "$WORK/h" "$@" "$B$path")
  STATUS=$(head -1 "$WORK/h" | cut -d' ' -f2)
  HDRS=$(tr -d '\r' <"$WORK/h" | tr 'A-Z' 'a-z')
}
has() { grep -q -- "$1" <<<"$HDRS"; }

pages() {
  for p in / /models /login /alice/m1 /datasets/alice/d1 "/alice/m1?x=1" /datasets \
    /alice/m1/blob/main/README.md /datasets/alice/d1/blob/main/dir/data.csv; do
    get "$p"
    [ "$STATUS" = 200 ] || { echo "$p: $STATUS" >&2; return 1; }
    grep -q '<title>spa</title>' <<<"$BODY" || { echo "$p: not index.html" >&2; return 1; }
    has '^content-type: text/html; charset=utf-8' && has '^cache-control: no-cache' || return 1
    has "^content-security-policy: default-src 'self'; script-src 'self'" || return 1
  done
  get / -I
  [ "$STATUS" = 200 ] && has '^content-length: '
}
t "page URLs answer index.html (text/html, no-cache, CSP); HEAD too" pages

assets() {
  get /assets/app-1234.js
  [ "$STATUS" = 200 ] && [ "$BODY" = 'console.log("app")' ] || return 1
  has '^content-type: text/javascript; charset=utf-8' || return 1
  has '^cache-control: public, max-age=31536000, immutable' || return 1
  has '^x-content-type-options: nosniff' && has '^vary: accept-encoding' || return 1
  ! has '^content-encoding' || return 1
  get /assets/sub/s.css
  [ "$STATUS" = 200 ] && [ "$BODY" = 'body{}' ] && has '^content-type: text/css'
  get /favicon.svg
  [ "$STATUS" = 200 ] && has '^content-type: image/svg+xml'
}
t "assets: their type, immutable caching, nosniff; root files such as favicon.svg" assets

gzipped() {
  get /assets/app-1234.js -H 'Accept-Encoding: gzip, deflate'
  has '^content-encoding: gzip' || return 1
  [ "$(curl -s --compressed "$B/assets/app-1234.js")" = gzipped-bytes ] || return 1
  get /assets/app-1234.js -H 'Accept-Encoding: gzip;q=0'
  ! has '^content-encoding' || return 1
  # A cross-origin request keeps both Vary values.
  get /assets/app-1234.js -H 'Accept-Encoding: gzip' -H 'Origin: http://elsewhere'
  has '^vary: accept-encoding, origin'
}
t "a pre-compressed .gz goes to gzip clients only, with Vary: Accept-Encoding" gzipped

conditional() {
  get /assets/sub/s.css
  local etag
  etag=$(sed -n 's/^etag: //p' <<<"$HDRS")
  [ -n "$etag" ] || return 1
  get /assets/sub/s.css -H "If-None-Match: ${etag//w\//W/}"
  [ "$STATUS" = 304 ] && [ -z "$BODY" ]
}
t "conditional requests: ETag and 304" conditional

traversal() {
  for p in /assets/../secret.txt.bak /assets/..%2fsecret.txt.bak /assets/%2e%2e/secret.txt.bak \
           /assets/%2E%2E/%2E%2E/secret.txt /assets/sub/..%2F..%2Fsecret.txt.bak \
           "/assets/%2fetc%2fpasswd" /assets//etc/passwd /assets/.hidden /assets/dir.js \
           /assets/link.js /assets/ /assets "/assets/..%5csecret.txt.bak" /assets/nope.js \
           "/assets/app-1234.js%00.png" /.hidden /secret.txt.bak.gz; do
    get "$p"
    if [ "$BODY" = secret ] || [ "$BODY" = hidden ] || grep -q 'console.log' <<<"$BODY"; then
      echo "$p leaked: $BODY" >&2
      return 1
    fi
    case "$p" in
      /.hidden | /secret.txt.bak.gz)  # not files: pages, so index.html
        [ "$STATUS" = 200 ] && grep -q '<title>spa' <<<"$BODY" || { echo "$p: $STATUS" >&2; return 1; } ;;
      *) [ "$STATUS" = 404 ] || [ "$STATUS" = 400 ] || { echo "$p: $STATUS" >&2; return 1; } ;;
    esac
  done
}
t "no path leaves the web folder (.., %2e%2e, %2F, %5C, absolute, hidden, symlinks, dirs)" traversal

others() {
  # API, downloads and git keep their own answers.
  get /api/models
  [ "$STATUS" = 200 ] && has '^content-type: application/json' || return 1
  get /api/nothing-here
  [ "$STATUS" = 404 ] && has '^x-error-message: not found' || return 1
  curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d '{"name":"m1"}' "$B/api/repos/create"
  get /alice/m1/resolve/main/.gitattributes
  [ "$STATUS" = 200 ] && ! grep -q '<title>spa' <<<"$BODY" || return 1
  get "/alice/m1/info/refs?service=git-upload-pack"
  [ "$STATUS" = 200 ] && has 'application/x-git-upload-pack-advertisement' || return 1
  get /alice/m1/bogus
  [ "$STATUS" = 404 ]
}
t "API, download and git routes are not taken over by pages" others

kill "$PID"
wait "$PID" 2>/dev/null || true
no_web() {
  for p in / /alice/m1 /models; do
    get "$p"
    [ "$STATUS" = 200 ] && [ "$BODY" = "Vitrine hub. API under /api; see the README." ] || return 1
  done
  get /assets/app-1234.js
  [ "$STATUS" = 404 ]
}
# The binary under test may have a build/web beside it: run it from a folder without one.
mkdir -p "$WORK/bin"
ln "$BIN" "$WORK/bin/vitrine" 2>/dev/null || cp "$BIN" "$WORK/bin/vitrine"
BIN="$WORK/bin/vitrine"
start_server "$WORK/data"
t "without a web folder, pages answer the plain text line and assets 404" no_web

bad_dir() {
  ! "$BIN" serve --data "$WORK/data" --listen 127.0.0.1:0 --web-dir "$WORK/site" >"$WORK/bad" 2>&1 &&
    grep -q 'has no index.html' "$WORK/bad"
}
t "--web-dir without index.html is refused" bad_dir

finish
