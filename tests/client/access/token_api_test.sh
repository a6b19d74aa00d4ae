#!/usr/bin/env bash
# The access-token API (GET/POST /api/vitrine/tokens, DELETE /api/vitrine/tokens/{id}): who may
# call it, the secret shown once, listings without secrets, revocation effective at once,
# another user's tokens out of reach, no escalation, precise refusals of bad input, the limit
# per user, the audit trail; and the user and organization overviews that profile pages read.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/harness.sh"

D="$WORK/data"
for u in alice bob; do "$BIN" user create "$u" --data "$D" 2>/dev/null; done
"$BIN" user create root --admin --data "$D" 2>/dev/null
echo "correct horse battery" | "$BIN" user set-password alice --data "$D" 2>/dev/null
WRITE=$("$BIN" token create --user alice --role write --name laptop --data "$D")
READ=$("$BIN" token create --user alice --role read --data "$D")
FINE=$("$BIN" token create --user alice --role fineGrained --scope namespace:alice=read,write,manage --data "$D")
SHORT=$("$BIN" token create --user alice --role write --expires-in 1h --data "$D")
BOB=$("$BIN" token create --user bob --role write --data "$D")
ROOT=$("$BIN" token create --user root --role read --data "$D")
"$BIN" org create lab --owner alice --data "$D" 2>/dev/null
"$BIN" org add-member lab bob --role read --data "$D" 2>/dev/null
start_server "$D" --rate-limit-auth-failures 0

# req METHOD PATH [AUTH_TOKEN|-] [BODY] -> status; body in $WORK/b, headers in $WORK/h
req() {
  local args=(-s -D "$WORK/h" -o "$WORK/b" -w '%{http_code}' -X "$1" "$B$2")
  [[ "${3:--}" != "-" ]] && args+=(-H "Authorization: Bearer $3")
  [[ -n "${4:-}" ]] && args+=(-H 'Content-Type: application/json' -d "$4")
  curl "${args[@]}"
}
header() { tr -d '\r' < "$WORK/h" | sed -n "s/^$1: //Ip"; }
whoami() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $1" "$B/api/whoami-v2"; }

check "anonymous callers get 401 on all three" \
  '[[ $(req GET /api/vitrine/tokens) == 401 && $(req POST /api/vitrine/tokens - "{\"name\":\"x\",\"role\":\"read\"}") == 401 &&
      $(req DELETE /api/vitrine/tokens/1) == 401 ]]'
check "a read token is refused (403), even to list" \
  '[[ $(req GET /api/vitrine/tokens "$READ") == 403 && $(req POST /api/vitrine/tokens "$READ" "{\"name\":\"x\",\"role\":\"read\"}") == 403 ]]'
check "a fine-grained token cannot mint a wider token, nor one with its own scopes" \
  '[[ $(req POST /api/vitrine/tokens "$FINE" "{\"name\":\"x\",\"role\":\"write\"}") == 403 &&
      $(req POST /api/vitrine/tokens "$FINE" "{\"name\":\"x\",\"role\":\"fineGrained\",\"scopes\":[\"namespace:lab=read,write,manage\"]}") == 403 &&
      $(req POST /api/vitrine/tokens "$FINE" "{\"name\":\"x\",\"role\":\"fineGrained\",\"scopes\":[\"namespace:alice=read\"]}") == 403 &&
      $(req DELETE /api/vitrine/tokens/1 "$FINE") == 403 ]]'

# A password session: the cookie, and the CSRF token on writes.
curl -s -D "$WORK/lh" -o "$WORK/lb" -X POST "$B/api/vitrine/login" -H 'Content-Type: application/json' \
  -d '{"username":"alice","password":"correct horse battery"}'
COOKIE=$(tr -d '\r' < "$WORK/lh" | sed -n 's/^Set-Cookie: \(vitrine_session=[^;]*\).*/\1/Ip')
CSRF=$(jq -r .csrfToken "$WORK/lb")
session() {
  local args=(-s -D "$WORK/h" -o "$WORK/b" -w '%{http_code}' -X "$1" "$B$2" -H "Cookie: $COOKIE"
    -H "X-CSRF-Token: ${CSRF_SENT-$CSRF}")
  [[ -n "${3:-}" ]] && args+=(-H 'Content-Type: application/json' -d "$3")
  curl "${args[@]}"
}
check "a session without the CSRF token cannot create one" \
  '[[ $(CSRF_SENT="" session POST /api/vitrine/tokens "{\"name\":\"web\",\"role\":\"write\"}") == 403 ]]'
check "a session creates a write token: 201, the secret once, no-store" \
  '[[ $(session POST /api/vitrine/tokens "{\"name\":\"web token\",\"role\":\"write\"}") == 201 &&
      $(jq -r .token "$WORK/b") == hf_* && $(jq -r .name "$WORK/b") == "web token" && $(jq -r .role "$WORK/b") == write &&
      $(jq -r .expiresAt "$WORK/b") == null && $(header Cache-Control) == no-store ]]'
NEW=$(jq -r .token "$WORK/b")
NEW_ID=$(jq -r .id "$WORK/b")
check "the new token works for whoami-v2 as alice" \
  '[[ $(whoami "$NEW") == 200 && $(curl -s -H "Authorization: Bearer $NEW" "$B/api/whoami-v2" | jq -r .auth.accessToken.displayName) == "web token" ]]'
check "the audit log names who made it (the web session)" \
  '[[ $(curl -s -H "Authorization: Bearer $ROOT" "$B/api/vitrine/audit?type=token.create&actor=alice" |
        jq -r "[.[] | select(.details.token_id == $NEW_ID)][0].details.token") == "web session" ]]'
check "the list has it, without any secret or hash" \
  '[[ $(session GET /api/vitrine/tokens) == 200 && $(jq -r "[.[] | select(.id == $NEW_ID)][0].name" "$WORK/b") == "web token" &&
      $(jq "[.[] | has(\"token\") or has(\"hash\")] | any" "$WORK/b") == false &&
      $(jq "[.[] | .name] | index(\"laptop\") != null" "$WORK/b") == true ]] &&
   ! grep -q -e "$NEW" -e "$WRITE" "$WORK/b"'
check "a write token may list and create (a fine-grained token, scopes listed as sent)" \
  '[[ $(req GET /api/vitrine/tokens "$WRITE") == 200 &&
      $(req POST /api/vitrine/tokens "$WRITE" "{\"name\":\"ci\",\"role\":\"fineGrained\",\"scopes\":[\"model:alice/m=read\",\"namespace:lab=read,write\"]}") == 201 &&
      $(jq -c .scopes "$WORK/b") == "[\"model:alice/m=read\",\"namespace:lab=read,write\"]" ]]'
FG_SECRET=$(jq -r .token "$WORK/b")
check "the fine-grained token it made carries those scopes" \
  '[[ $(curl -s -H "Authorization: Bearer $FG_SECRET" "$B/api/whoami-v2" | jq -r .auth.accessToken.role) == fineGrained ]]'
check "a token made by an expiring token expires no later than it" \
  '[[ $(req POST /api/vitrine/tokens "$SHORT" "{\"name\":\"child\",\"role\":\"read\"}") == 201 &&
      $(jq -r .expiresAt "$WORK/b") != null &&
      $(( $(date -d "$(jq -r .expiresAt "$WORK/b")" +%s) - $(date +%s) )) -le 3600 ]]'
check "expiresIn sets a lifetime (1h)" \
  '[[ $(req POST /api/vitrine/tokens "$WRITE" "{\"name\":\"hour\",\"role\":\"read\",\"expiresIn\":\"1h\"}") == 201 &&
      $(( $(date -d "$(jq -r .expiresAt "$WORK/b")" +%s) - $(date +%s) )) -gt 3500 ]]'

# refused BODY CODE: 400 with that X-Error-Code and an X-Error-Message.
refused() {
  [[ $(req POST /api/vitrine/tokens "$WRITE" "$1") == 400 && $(header X-Error-Code) == "$2" &&
     -n $(header X-Error-Message) && $(jq -r .error "$WORK/b") == "$(header X-Error-Message)" ]]
}
check "bad names: 400 InvalidTokenName" \
  'refused "{\"name\":\"\",\"role\":\"read\"}" InvalidTokenName &&
   refused "{\"name\":\"$(printf "x%.0s" {1..65})\",\"role\":\"read\"}" InvalidTokenName &&
   refused "{\"name\":\"bad/name\",\"role\":\"read\"}" InvalidTokenName &&
   refused "{\"name\":\"<script>\",\"role\":\"read\"}" InvalidTokenName &&
   refused "{\"name\":\" padded\",\"role\":\"read\"}" InvalidTokenName &&
   refused "{\"role\":\"read\"}" InvalidTokenName && refused "{\"name\":7,\"role\":\"read\"}" InvalidTokenName'
check "bad roles: 400 InvalidTokenRole" \
  'refused "{\"name\":\"x\",\"role\":\"admin\"}" InvalidTokenRole && refused "{\"name\":\"x\"}" InvalidTokenRole'
check "bad scopes: 400 InvalidTokenScope" \
  'refused "{\"name\":\"x\",\"role\":\"fineGrained\",\"scopes\":[\"nope\"]}" InvalidTokenScope &&
   refused "{\"name\":\"x\",\"role\":\"fineGrained\",\"scopes\":[\"namespace:alice=own\"]}" InvalidTokenScope &&
   refused "{\"name\":\"x\",\"role\":\"fineGrained\",\"scopes\":[\"model:alice=read\"]}" InvalidTokenScope &&
   refused "{\"name\":\"x\",\"role\":\"fineGrained\"}" InvalidTokenScope &&
   refused "{\"name\":\"x\",\"role\":\"fineGrained\",\"scopes\":\"namespace:alice=read\"}" InvalidTokenScope &&
   refused "{\"name\":\"x\",\"role\":\"write\",\"scopes\":[\"namespace:alice=read\"]}" InvalidTokenScope'
check "bad lifetimes: 400 InvalidTokenExpiry" \
  'refused "{\"name\":\"x\",\"role\":\"read\",\"expiresIn\":\"soon\"}" InvalidTokenExpiry &&
   refused "{\"name\":\"x\",\"role\":\"read\",\"expiresIn\":-5}" InvalidTokenExpiry &&
   refused "{\"name\":\"x\",\"role\":\"read\",\"expiresIn\":9223372036854775}" InvalidTokenExpiry &&
   refused "{\"name\":\"x\",\"role\":\"read\",\"expiresIn\":\"106751991167301d\"}" InvalidTokenExpiry &&
   refused "{\"name\":\"x\",\"role\":\"read\",\"expiresIn\":\"3651d\"}" InvalidTokenExpiry'
check "the longest lifetime, 3650 days, is taken and listed with its expiry ten years on" \
  '[[ $(req POST /api/vitrine/tokens "$WRITE" "{\"name\":\"decade\",\"role\":\"read\",\"expiresIn\":\"3650d\"}") == 201 &&
      $(jq -r ".expiresAt[0:4]" "$WORK/b") == $(( $(date -u +%Y) + 10 )) ]]'
check "a malformed body or one that is not an object is 400 InvalidTokenRequest" \
  'refused "{nope" InvalidTokenRequest && refused "[1]" InvalidTokenRequest'
REVOKE_DECADE=$(req GET /api/vitrine/tokens "$WRITE" >/dev/null; jq ".[] | select(.name == \"decade\") | .id" "$WORK/b")
check "the ten-year token is revoked" \
  '[[ $(req DELETE /api/vitrine/tokens/$REVOKE_DECADE "$WRITE") == 200 ]]'

BOB_ID=$(req GET /api/vitrine/tokens "$BOB" >/dev/null; jq ".[0].id" "$WORK/b")
check "another user's token id answers 404 TokenNotFound, and that token still works" \
  '[[ $(req DELETE /api/vitrine/tokens/$BOB_ID "$WRITE") == 404 && $(header X-Error-Code) == TokenNotFound &&
      $(req DELETE /api/vitrine/tokens/999999 "$WRITE") == 404 && $(whoami "$BOB") == 200 ]]'
check "a token id that is not a number is 400" '[[ $(req DELETE /api/vitrine/tokens/abc "$WRITE") == 400 ]]'
check "a token made by the write token works" \
  '[[ $(req POST /api/vitrine/tokens "$NEW" "{\"name\":\"made by a token\",\"role\":\"read\"}") == 201 ]]'
CHILD=$(jq -r .token "$WORK/b")
check "revoking with the session: 200, then the token and the token it made answer 401 at once" \
  '[[ $(whoami "$CHILD") == 200 && $(session DELETE /api/vitrine/tokens/$NEW_ID) == 200 && $(whoami "$NEW") == 401 &&
      $(whoami "$CHILD") == 401 ]]'
check "the revoked token leaves the list; revoking it again is 404" \
  '[[ $(session GET /api/vitrine/tokens) == 200 && $(jq "[.[] | select(.id == $NEW_ID)] | length" "$WORK/b") == 0 &&
      $(session DELETE /api/vitrine/tokens/$NEW_ID) == 404 ]]'
check "the revocation is in the audit log" \
  '[[ $(curl -s -H "Authorization: Bearer $ROOT" "$B/api/vitrine/audit?type=token.revoke&actor=alice" |
        jq "[.[] | select(.details.token_id == $NEW_ID)] | length") == 1 ]]'

# The limit: 100 active tokens per user (bob has 1).
for i in $(seq 2 100); do req POST /api/vitrine/tokens "$BOB" "{\"name\":\"t$i\",\"role\":\"read\"}" >/dev/null; done
check "the 101st active token is refused: 409 TooManyTokens" \
  '[[ $(req GET /api/vitrine/tokens "$BOB") == 200 && $(jq length "$WORK/b") == 100 &&
      $(req POST /api/vitrine/tokens "$BOB" "{\"name\":\"one more\",\"role\":\"read\"}") == 409 &&
      $(header X-Error-Code) == TooManyTokens ]]'
LAST=$(req GET /api/vitrine/tokens "$BOB" >/dev/null; jq ".[-1].id" "$WORK/b")
check "after a revocation there is room again" \
  '[[ $(req DELETE /api/vitrine/tokens/$LAST "$BOB") == 200 &&
      $(req POST /api/vitrine/tokens "$BOB" "{\"name\":\"one more\",\"role\":\"read\"}") == 201 ]]'

# Overviews (profile pages): public repositories only are counted.
req POST /api/repos/create "$WRITE" '{"name":"pub"}' >/dev/null
req POST /api/repos/create "$WRITE" '{"name":"secret","private":true}' >/dev/null
req POST /api/repos/create "$WRITE" '{"name":"data","type":"dataset"}' >/dev/null
req POST /api/repos/create "$WRITE" '{"name":"org-model","organization":"lab"}' >/dev/null
req POST /api/repos/create "$WRITE" '{"name":"org-secret","organization":"lab","private":true}' >/dev/null
check "the user overview: orgs, public counts" \
  '[[ $(req GET /api/users/alice/overview) == 200 && $(jq -r .user "$WORK/b") == alice &&
      $(jq -c "[.numModels, .numDatasets]" "$WORK/b") == "[1,1]" && $(jq -r ".orgs[0].name" "$WORK/b") == lab ]]'
check "the organization overview, HF-shaped" \
  '[[ $(req GET /api/organizations/lab/overview) == 200 && $(jq -r .name "$WORK/b") == lab && $(jq -r .type "$WORK/b") == org &&
      $(jq -r .fullname "$WORK/b") == lab && $(jq -r .avatarUrl "$WORK/b") != null &&
      $(jq -c "[.numUsers, .numModels, .numDatasets]" "$WORK/b") == "[2,1,0]" ]]'
check "an unknown organization is 404, a user is not an organization" \
  '[[ $(req GET /api/organizations/nobody/overview) == 404 && $(req GET /api/organizations/alice/overview) == 404 &&
      $(req GET /api/users/lab/overview) == 404 ]]'

finish
