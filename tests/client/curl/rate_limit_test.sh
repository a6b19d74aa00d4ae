#!/usr/bin/env bash
# Rate limits on the wire (src/api/request_limits.hpp): servers started with tiny limits, checked
# with curl. The 429 must carry what huggingface_hub parses (utils/_http.py): `RateLimit:
# "api";r=0;t=N`, `RateLimit-Policy: "fixed window";"api";q=Q;w=W`, Retry-After, and the usual
# X-Error-Message / {"error"} error shape.
#
# Prints `ok - NAME` / `not ok - NAME` per check, then `N passed, M failed`; exits non-zero
# when anything failed. Needs bash, curl, jq. A second client address is 127.0.0.2 (any
# 127/8 address is loopback on Linux); its checks are skipped where it cannot be bound.
#
# VITRINE_BIN: server binary (absolute, or relative to the repository root; default build/vitrine).
# VITRINE_KEEP=1 keeps the data folder.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
BIN="${VITRINE_BIN:-build/vitrine}"
case "$BIN" in /*) ;; *) BIN="$root/$BIN" ;; esac

for tool in curl jq; do
  command -v "$tool" >/dev/null 2>&1 || { echo "rate_limit_test: '$tool' is required" >&2; exit 1; }
done
[ -x "$BIN" ] || { echo "rate_limit_test: vitrine binary not found at $BIN (set VITRINE_BIN)" >&2; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/vitrine-ratelimit-XXXXXX")"
DATA="$WORK/data"
mkdir -p "$DATA"
SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
cleanup() {
  stop_server
  if [ -n "${VITRINE_KEEP:-}" ]; then echo "# kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

die() { echo "rate_limit_test: setup failed: $*" >&2; [ -f "$WORK/server.err" ] && tail -20 "$WORK/server.err" >&2; exit 1; }

"$BIN" user create alice --data "$DATA" >/dev/null || die "user create alice"
"$BIN" user create bob --data "$DATA" >/dev/null || die "user create bob"
ALICE="$("$BIN" token create --user alice --role write --data "$DATA")" || die "token create alice"
BOB="$("$BIN" token create --user bob --role write --data "$DATA")" || die "token create bob"
BAD="hf_notarealtokennotarealtokenxx"

URL=""
start_server() { # args: extra serve flags
  : >"$WORK/server.out"; : >"$WORK/server.err"
  "$BIN" serve --data "$DATA" --listen 127.0.0.1:0 "$@" >"$WORK/server.out" 2>"$WORK/server.err" &
  SERVER_PID=$!
  for _ in $(seq 200); do
    if grep -q "listening on http://" "$WORK/server.out"; then
      URL="$(grep -o 'http://[^ ]*' "$WORK/server.out" | head -1)"
      return 0
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

PASS=0
FAIL=0
ok() { PASS=$((PASS + 1)); echo "ok - $1"; }
not_ok() { FAIL=$((FAIL + 1)); echo "not ok - $1"; [ -n "${2:-}" ] && echo "#   $2"; return 0; }
check() { # NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected '$2', got '$3'"; fi
}
check_match() { # NAME REGEX ACTUAL
  if [[ "$3" =~ $2 ]]; then ok "$1"; else not_ok "$1" "'$3' does not match /$2/"; fi
}

# req [curl args...]: GET /api/models; sets STATUS, HDRS (file) and BODY (file).
N=0
req() {
  N=$((N + 1))
  HDRS="$WORK/h$N"
  BODY="$WORK/b$N"
  STATUS="$(curl -sS -o "$BODY" -D "$HDRS" -w '%{http_code}' "$@" "$URL/api/models?limit=1")"
}
# header NAME: the value of a header of the last response (case-insensitive), without CR.
header() { grep -i "^$1:" "$HDRS" | head -1 | sed -e 's/^[^:]*:[[:space:]]*//' -e 's/\r$//'; }

# The patterns huggingface_hub applies (utils/_http.py, _RATELIMIT_REGEX and
# _RATELIMIT_POLICY_REGEX), with the values this test expects.
RL_API_ZERO='^"api";r=0;t=[0-9]+$'

OTHER_IP=127.0.0.2
# Nothing listens on port 1: "connection refused" (7) means the address could be bound, 45 not.
rc=0
curl -s -o /dev/null --interface "$OTHER_IP" --max-time 5 "http://127.0.0.1:1/" || rc=$?
[ "$rc" = 45 ] && OTHER_IP=""

# ------------------------------------------------------------- API calls: 5 per 60 s
start_server --rate-limit-requests 5 --rate-limit-window-seconds 60 --rate-limit-auth-failures 0 ||
  die "serve with rate-limit options"

req -H "Authorization: Bearer $ALICE"
check "first call is answered" 200 "$STATUS"
check "RateLimit on a normal answer counts down" '"api";r=4;t=60' "$(header RateLimit)"
check "RateLimit-Policy names the window" '"fixed window";"api";q=5;w=60' "$(header RateLimit-Policy)"
check_match "CORS exposes RateLimit" 'RateLimit, RateLimit-Policy, Retry-After' \
  "$(header Access-Control-Expose-Headers)"
for _ in 2 3 4 5; do req -H "Authorization: Bearer $ALICE"; done
check "fifth call is still answered" 200 "$STATUS"
check_match "fifth call leaves r=0" "$RL_API_ZERO" "$(header RateLimit)"

req -H "Authorization: Bearer $ALICE"
check "sixth call from the same user: 429" 429 "$STATUS"
check_match "429 RateLimit: \"api\";r=0;t=N" "$RL_API_ZERO" "$(header RateLimit)"
check "429 RateLimit-Policy" '"fixed window";"api";q=5;w=60' "$(header RateLimit-Policy)"
ra="$(header Retry-After)"
if [[ "$ra" =~ ^[0-9]+$ ]] && [ "$ra" -ge 1 ] && [ "$ra" -le 60 ]; then
  ok "429 Retry-After is 1..60 seconds"
else
  not_ok "429 Retry-After is 1..60 seconds" "got '$ra'"
fi
t="$(header RateLimit | sed -n 's/.*;t=\([0-9]*\)$/\1/p')"
check "Retry-After equals RateLimit t" "$t" "$ra"
check_match "429 X-Error-Message" '^Rate limit exceeded' "$(header X-Error-Message)"
check_match "429 JSON error" '^Rate limit exceeded' "$(jq -r .error "$BODY" 2>/dev/null)"
check_match "429 carries X-Request-Id" '.' "$(header X-Request-Id)"
req -H "Authorization: Bearer $ALICE"
check "a refused call does not extend the window (still 429)" 429 "$STATUS"

req -H "Authorization: Bearer $BOB"
check "another user is unaffected" 200 "$STATUS"
check "another user has their own count" '"api";r=4;t=60' "$(header RateLimit)"

req
check "anonymous caller (by IP) is counted apart from users" 200 "$STATUS"
for _ in 2 3 4 5; do req; done
req
check "sixth anonymous call from the same IP: 429" 429 "$STATUS"
check_match "anonymous 429 RateLimit" "$RL_API_ZERO" "$(header RateLimit)"
req -H "Authorization: Bearer $ALICE"
check "the user is still limited whatever the IP's count" 429 "$STATUS"
if [ -n "$OTHER_IP" ]; then
  req --interface "$OTHER_IP"
  check "anonymous caller from another IP is unaffected" 200 "$STATUS"
  check "another IP has its own count" '"api";r=4;t=60' "$(header RateLimit)"
else
  echo "# skipped: cannot bind 127.0.0.2 for a second client address"
fi

for _ in $(seq 10); do req -H "Authorization: Bearer $BAD"; done
check "auth-failure limit 0 disables it: bad tokens keep getting 401" 401 "$STATUS"
check "401 message unchanged" "Invalid credentials in Authorization header" \
  "$(header X-Error-Message)"
stop_server

# ------------------------------------------------------------- limits disabled
start_server --rate-limit-requests 0 --rate-limit-auth-failures 0 || die "serve with limits 0"
for _ in $(seq 20); do req -H "Authorization: Bearer $ALICE"; done
check "limit 0: no 429" 200 "$STATUS"
check "limit 0: no RateLimit header" "" "$(header RateLimit)"
stop_server

# ------------------------------------------------------------- auth failures: 3 per 3 s
start_server --rate-limit-requests 0 --rate-limit-auth-failures 3 --rate-limit-window-seconds 3 ||
  die "serve with an auth-failure limit"
for i in 1 2 3; do
  req -H "Authorization: Bearer $BAD"
  check "bad token #$i: 401" 401 "$STATUS"
done
req -H "Authorization: Bearer $BAD"
check "a fourth bad token gets 429" 429 "$STATUS"
check_match "auth 429 RateLimit" '^"auth";r=0;t=[0-9]+$' "$(header RateLimit)"
check "auth 429 RateLimit-Policy" '"fixed window";"auth";q=3;w=3' "$(header RateLimit-Policy)"
ra="$(header Retry-After)"
check_match "auth 429 Retry-After" '^[1-3]$' "$ra"
check_match "auth 429 X-Error-Message" '^Too many failed authentication attempts' \
  "$(header X-Error-Message)"
check_match "auth 429 JSON error" '^Too many failed authentication attempts' \
  "$(jq -r .error "$BODY" 2>/dev/null)"
# Behind one address (a NAT, a reverse proxy) one client's bad tokens lock nobody else out.
req -H "Authorization: Bearer $ALICE"
check "a good token from that same address is still served" 200 "$STATUS"
req
check "a request without credentials from that IP is still answered" 200 "$STATUS"
if [ -n "$OTHER_IP" ]; then
  req --interface "$OTHER_IP" -H "Authorization: Bearer $ALICE"
  check "a good token from another IP is unaffected" 200 "$STATUS"
fi
[[ "$ra" =~ ^[0-9]+$ ]] || ra=3
sleep "$ra"
sleep 0.3
req -H "Authorization: Bearer $BAD"
check "once the window has passed a bad token gets 401 again" 401 "$STATUS"
check "the api RateLimit header stays off when that limit is 0" "" "$(header RateLimit)"
stop_server

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
