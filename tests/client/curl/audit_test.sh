#!/usr/bin/env bash
# The security audit log over the wire (GET /api/vitrine/audit, docs/api.md) against a real
# `vitrine serve` on a free port: events from API calls and from the admin CLI, who may read
# them (admins; 403 for other users, 401 anonymous), filters and Link pagination.
#
# Prints `ok - NAME` / `not ok - NAME` per check, then `N passed, M failed`; exits non-zero
# when anything failed. Needs bash, curl, jq.
#
# VITRINE_BIN: server binary (absolute, or relative to the repository root; default build/vitrine).
# VITRINE_KEEP=1 keeps the data folder; VERBOSE=1 prints every request.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
BIN="${VITRINE_BIN:-build/vitrine}"
case "$BIN" in /*) ;; *) BIN="$root/$BIN" ;; esac

for tool in curl jq; do
  command -v "$tool" >/dev/null 2>&1 || { echo "audit_test: '$tool' is required" >&2; exit 1; }
done
[ -x "$BIN" ] || { echo "audit_test: vitrine binary not found at $BIN (set VITRINE_BIN)" >&2; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/vitrine-audit-XXXXXX")"
DATA="$WORK/data"
mkdir -p "$DATA"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  if [ -n "${VITRINE_KEEP:-}" ]; then echo "# kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

die() { echo "audit_test: setup failed: $*" >&2; [ -f "$WORK/server.err" ] && tail -20 "$WORK/server.err" >&2; exit 1; }

# ---------------------------------------------------------------- server
"$BIN" user create root --admin --data "$DATA" >/dev/null 2>&1 || die "user create root"
"$BIN" user create alice --data "$DATA" >/dev/null 2>&1 || die "user create alice"
"$BIN" user create bob --data "$DATA" >/dev/null 2>&1 || die "user create bob"
ROOT="$("$BIN" token create --user root --role read --data "$DATA")" || die "token create root"
ALICE="$("$BIN" token create --user alice --role write --data "$DATA")" || die "token create alice"
BOB="$("$BIN" token create --user bob --role write --data "$DATA")" || die "token create bob"
"$BIN" token create --user bob --role read --name spare --data "$DATA" >/dev/null || die "token create spare"

"$BIN" serve --data "$DATA" --listen 127.0.0.1:0 >"$WORK/server.out" 2>"$WORK/server.err" &
SERVER_PID=$!
for _ in $(seq 200); do
  grep -q "listening on http://" "$WORK/server.out" && break
  kill -0 "$SERVER_PID" 2>/dev/null || die "server exited"
  sleep 0.1
done
BASE="$(grep -o 'listening on http://[^[:space:]]*' "$WORK/server.out" | head -1 | sed 's/^listening on //; s:/*$::')"
[ -n "$BASE" ] || die "server did not print 'listening on'"
echo "# server at $BASE (pid $SERVER_PID)"

# ---------------------------------------------------------------- helpers
# req METHOD PATH [curl args...] → sets STATUS; headers in $H, body in $B.
H="$WORK/h"; B="$WORK/b"
req() {
  local method="$1" path="$2"; shift 2
  : >"$B"; : >"$H"
  STATUS="$(curl -sS -g -X "$method" -o "$B" -D "$H" -w '%{http_code}' "$@" "$BASE$path")" || STATUS=000
  [ -n "${VERBOSE:-}" ] && echo "    $method $path -> $STATUS" >&2
  return 0
}
auth() { echo "Authorization: Bearer $1"; }
json() { echo "Content-Type: application/json"; }
hdr() { tr -d '\r' <"$H" | awk -v n="$(echo "$1" | tr 'A-Z' 'a-z')" '{ i=index($0,":"); if(i>0 && tolower(substr($0,1,i-1))==n){v=substr($0,i+1); sub(/^[ \t]+/,"",v)} } END{ print v }'; }
jbody() { jq -r "$1" <"$B"; }
LINK_RE='^<(https?://[^>]+)>; +rel="next"$'

fail() { echo "    # $*" >&2; return 1; }
eq() { [ "$1" = "$2" ] || fail "${3:-value}: got '$1', expected '$2'"; }
status_is() { [ "$STATUS" = "$1" ] || fail "status $STATUS, expected $1; body: $(head -c 300 "$B")"; }

PASSED=0; FAILED=0
t() { # t NAME FUNCTION
  local name="$1" fn="$2" rc
  set +e
  ( set -eE; "$fn" ) 2>"$WORK/t.err"
  rc=$?
  set -e
  if [ "$rc" -eq 0 ]; then
    echo "ok - $name"; PASSED=$((PASSED + 1))
  else
    echo "not ok - $name"; sed 's/^/  /' "$WORK/t.err"; FAILED=$((FAILED + 1))
  fi
}

# ---------------------------------------------------------------- actions that leave events
R=alice/audited
req POST /api/repos/create -H "$(auth "$ALICE")" -H "$(json)" -d '{"name":"audited"}'
[ "$STATUS" = 200 ] || die "repo create: $STATUS $(cat "$B")"
req PUT "/api/models/$R/settings" -H "$(auth "$ALICE")" -H "$(json)" -d '{"private":true}'
[ "$STATUS" = 200 ] || die "settings private: $STATUS $(cat "$B")"
req PUT "/api/models/$R/settings" -H "$(auth "$ALICE")" -H "$(json)" -d '{"private":false,"gated":"manual"}'
[ "$STATUS" = 200 ] || die "settings gated: $STATUS $(cat "$B")"
req POST "/api/models/$R/ask-access" -H "$(auth "$BOB")" -H "$(json)" -d '{"reason":"research"}'
[ "$STATUS" = 200 ] || die "ask-access: $STATUS $(cat "$B")"
req POST "/api/models/$R/user-access-request/handle" -H "$(auth "$ALICE")" -H "$(json)" \
  -d '{"user":"bob","status":"accepted"}'
[ "$STATUS" = 200 ] || die "handle access request: $STATUS $(cat "$B")"
req GET /api/whoami-v2 -H "Authorization: Bearer hf_thisIsNotAValidTokenAtAll0000000"
[ "$STATUS" = 401 ] || die "bad token: $STATUS"
# The CLI writes to the same database while the server runs.
SPARE_ID="$("$BIN" token list --user bob --data "$DATA" | awk -F'\t' '$2 == "spare" {print $1}')"
[ -n "$SPARE_ID" ] || die "token list did not show the spare token"
"$BIN" token revoke "$SPARE_ID" --user bob --data "$DATA" || die "token revoke"

# event TYPE → the newest event of that type, as JSON, from the admin's unfiltered listing.
event() { jq -c --arg t "$1" '[.[] | select(.type == $t)][0] // empty' <"$WORK/all.json"; }

# ---------------------------------------------------------------- tests
t_admin_reads() {
  req GET /api/vitrine/audit -H "$(auth "$ROOT")"
  status_is 200
  eq "$(jbody 'type')" array "body"
  cp "$B" "$WORK/all.json"
  eq "$(jq '[.[].id] == ([.[].id] | sort | reverse)' "$WORK/all.json")" true "newest first"
  eq "$(jq '.[0].type' -r "$WORK/all.json")" token.revoke "newest event"
  local e
  e="$(event repo.create)"
  eq "$(jq -r .actor <<<"$e")/$(jq -r .target <<<"$e")" alice/models/alice/audited "repo.create"
}
t "an admin reads the log, newest first" t_admin_reads

t_api_events() {
  local e
  e="$(event repo.visibility)"
  [ -n "$e" ] || fail "no repo.visibility event"
  eq "$(jq -r '[.actor, .target, .ip, .details.private] | join(" ")' <<<"$e")" \
    "alice models/alice/audited 127.0.0.1 false" "latest repo.visibility"
  eq "$(jq '[.[] | select(.type == "repo.visibility")] | length' "$WORK/all.json")" 2 "visibility events"
  e="$(event repo.gating)"
  eq "$(jq -r '.details.gated' <<<"$e")" manual "repo.gating"
  e="$(event access.request)"
  eq "$(jq -r '[.actor, .details.status] | join(" ")' <<<"$e")" "bob pending" "access.request"
  e="$(event access.decision)"
  eq "$(jq -r '[.actor, .target, .details.user, .details.status] | join(" ")' <<<"$e")" \
    "alice models/alice/audited bob accepted" "access.decision"
  match_time="$(jq -r '.time' <<<"$e")"
  [[ "$match_time" =~ ^20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T ]] || fail "time: $match_time"
}
t "settings, gating and access decisions are recorded with actor, target and IP" t_api_events

t_cli_and_failures() {
  local e
  e="$(event token.revoke)"
  eq "$(jq -r '[.actor, .target, .ip] | join(" ")' <<<"$e")" "cli bob " "token.revoke"
  eq "$(jq '[.[] | select(.type == "token.create")] | length' "$WORK/all.json")" 4 "token.create events"
  e="$(event auth.failure)"
  eq "$(jq -r '[.actor, .target, .ip] | join(" ")' <<<"$e")" "anonymous /api/whoami-v2 127.0.0.1" \
    "auth.failure"
  if grep -q "thisIsNotAValidToken" "$WORK/all.json"; then fail "a presented token was logged"; fi
}
t "CLI token changes and rejected credentials are recorded" t_cli_and_failures

t_filters() {
  req GET "/api/vitrine/audit?type=repo.visibility" -H "$(auth "$ROOT")"
  status_is 200
  eq "$(jbody '[.[].type] | unique | join(",")')" repo.visibility "type filter"
  eq "$(jbody length)" 2 "type filter count"
  req GET "/api/vitrine/audit?actor=bob" -H "$(auth "$ROOT")"
  eq "$(jbody '[.[].type] | join(",")')" access.request "actor filter"
  req GET "/api/vitrine/audit?target=models/alice/audited&actor=alice&type=access.decision" \
    -H "$(auth "$ROOT")"
  eq "$(jbody length)" 1 "combined filters"
}
t "type, actor and target filters" t_filters

t_pagination() {
  local url="/api/vitrine/audit?limit=3" pages=0
  echo '[]' >"$WORK/paged.json"
  while [ -n "$url" ] && [ "$pages" -lt 50 ]; do
    req GET "$url" -H "$(auth "$ROOT")"
    status_is 200
    [ "$(jbody length)" -le 3 ] || fail "page larger than limit"
    jq -s '.[0] + .[1]' "$WORK/paged.json" "$B" >"$WORK/paged2.json"
    mv "$WORK/paged2.json" "$WORK/paged.json"
    url=""
    if [[ "$(hdr Link)" =~ $LINK_RE ]]; then url="${BASH_REMATCH[1]#"$BASE"}"; fi
    pages=$((pages + 1))
  done
  [ "$pages" -ge 3 ] || fail "expected several pages, got $pages"
  eq "$(jq -c '[.[].id]' "$WORK/paged.json")" "$(jq -c '[.[].id]' "$WORK/all.json")" "paged ids"
  req GET "/api/vitrine/audit?limit=abc" -H "$(auth "$ROOT")"
  status_is 400
}
t "Link pagination walks every event once" t_pagination

t_refusals() {
  req GET /api/vitrine/audit -H "$(auth "$ALICE")"
  status_is 403
  req GET /api/vitrine/audit
  status_is 401
  req GET /api/vitrine/audit -H "Authorization: Bearer hf_nope"
  status_is 401
  req DELETE /api/vitrine/audit -H "$(auth "$ROOT")"
  [ "$STATUS" != 200 ] || fail "DELETE answered 200"
}
t "non-admins get 403, anonymous and bad tokens 401, no delete" t_refusals

t_cli_list() {
  "$BIN" audit list --data "$DATA" --type repo.gating >"$WORK/cli.out"
  eq "$(wc -l <"$WORK/cli.out" | tr -d ' ')" 1 "cli lines"
  grep -q $'\trepo.gating\talice\tmodels/alice/audited\t127.0.0.1\t' "$WORK/cli.out" ||
    fail "cli output: $(cat "$WORK/cli.out")"
}
t "vitrine audit list reads the same log" t_cli_list

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
