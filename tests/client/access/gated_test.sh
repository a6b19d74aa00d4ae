#!/usr/bin/env bash
# Gated and private repositories end to end: access requests (auto and manual), what a user
# sees before and after approval through resolve, LFS batch and git clone, and organization
# members. Real server, curl and git.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/harness.sh"

D="$WORK/data"
for u in owner asker carol; do "$BIN" user create "$u" --data "$D" 2>/dev/null; done
"$BIN" org create lab --owner owner --data "$D" 2>/dev/null
"$BIN" org add-member lab carol --role read --data "$D"
OWN=$("$BIN" token create --user owner --role write --data "$D")
ASK=$("$BIN" token create --user asker --role read --data "$D")
CAR=$("$BIN" token create --user carol --role read --data "$D")
start_server "$D"
export HOME="$WORK/home" GIT_TERMINAL_PROMPT=0
mkdir -p "$HOME"

header() { curl -s -D - -o /dev/null "${@:2}" | tr -d '\r' | sed -n "s/^$1: //Ip" | head -1; }
api() { curl -sf -H "Authorization: Bearer $OWN" -H 'Content-Type: application/json' "$@"; }

api -X POST "$B/api/repos/create" -d '{"name":"m","organization":"lab"}' >/dev/null
printf '{"key":"header","value":{"summary":"w"}}\n{"key":"file","value":{"path":"w.txt","content":"%s","encoding":"base64"}}\n' \
  "$(printf weights | base64)" | curl -sf -X POST "$B/api/models/lab/m/commit/main" \
  -H "Authorization: Bearer $OWN" -H 'Content-Type: application/x-ndjson' --data-binary @- >/dev/null
api -X PUT "$B/api/models/lab/m/settings" -d '{"gated":"manual"}' >/dev/null

check "gated: metadata stays public" '[[ $(code "$B/api/models/lab/m") == 200 && $(curl -s "$B/api/models/lab/m" | jq -r .gated) == manual ]]'
check "gated: anonymous download is 401 GatedRepo" \
  '[[ $(code "$B/lab/m/resolve/main/w.txt") == 401 && $(header X-Error-Code "$B/lab/m/resolve/main/w.txt") == GatedRepo ]]'
check "gated: unapproved user gets 403 GatedRepo with the contract message" \
  '[[ $(code -H "Authorization: Bearer $ASK" "$B/lab/m/resolve/main/w.txt") == 403 ]] &&
   header X-Error-Message -H "Authorization: Bearer $ASK" "$B/lab/m/resolve/main/w.txt" | grep -q "Access to model lab/m is restricted and you are not in the authorized list"'
check "gated: organization members read without a request" \
  '[[ $(curl -s -H "Authorization: Bearer $CAR" "$B/lab/m/resolve/main/w.txt") == weights ]]'
check "gated: git clone refused before approval" \
  '! git clone -q "http://x:$ASK@${B#http://}/lab/m" "$WORK/c1" 2>/dev/null'
check "gated: ask-access needs a user" '[[ $(code -X POST "$B/api/models/lab/m/ask-access") == 401 ]]'
check "gated: ask-access with fields is pending (manual)" \
  '[[ $(code -X POST -H "Authorization: Bearer $ASK" -H "Content-Type: application/json" -d "{\"reason\":\"audit\"}" "$B/api/models/lab/m/ask-access") == 200 ]] &&
   [[ $(api "$B/api/models/lab/m/user-access-request/pending" | jq -r ".[0].user.user + \"/\" + .[0].fields.reason") == asker/audit ]]'
check "gated: still refused while pending" '[[ $(code -H "Authorization: Bearer $ASK" "$B/lab/m/resolve/main/w.txt") == 403 ]]'
check "gated: auth-check refuses while pending and says the request awaits a review" \
  '[[ $(code -H "Authorization: Bearer $ASK" "$B/api/models/lab/m/auth-check") == 403 ]] &&
   header X-Error-Message -H "Authorization: Bearer $ASK" "$B/lab/m/resolve/main/w.txt" | grep -q "Your request to access model lab/m is awaiting a review from the repo authors" &&
   header X-Error-Message -H "Authorization: Bearer $ASK" "$B/api/models/lab/m/auth-check" | grep -q "awaiting a review"'
check "gated: auth-check lets members through, refuses anonymous callers" \
  '[[ $(code -H "Authorization: Bearer $CAR" "$B/api/models/lab/m/auth-check") == 200 &&
      $(code "$B/api/models/lab/m/auth-check") == 401 &&
      $(header X-Error-Code "$B/api/models/lab/m/auth-check") == GatedRepo ]]'
check "gated: only writers list requests" \
  '[[ $(code -H "Authorization: Bearer $CAR" "$B/api/models/lab/m/user-access-request/pending") == 403 ]]'
check "gated: owner accepts; download, LFS batch and git clone work" \
  '[[ $(code -X POST -H "Authorization: Bearer $OWN" -H "Content-Type: application/json" -d "{\"user\":\"asker\",\"status\":\"accepted\"}" "$B/api/models/lab/m/user-access-request/handle") == 200 ]] &&
   [[ $(curl -s -H "Authorization: Bearer $ASK" "$B/lab/m/resolve/main/w.txt") == weights ]] &&
   [[ $(code -H "Authorization: Bearer $ASK" "$B/api/models/lab/m/auth-check") == 200 ]] &&
   git clone -q "http://x:$ASK@${B#http://}/lab/m" "$WORK/c2" && [[ $(cat "$WORK/c2/w.txt") == weights ]]'
check "gated: accepted list shows the user" \
  '[[ $(api "$B/api/models/lab/m/user-access-request/accepted" | jq -r ".[0].user.user") == asker ]]'
check "gated: a rejected user is refused again" \
  '[[ $(code -X POST -H "Authorization: Bearer $OWN" -H "Content-Type: application/json" -d "{\"user\":\"asker\",\"status\":\"rejected\"}" "$B/api/models/lab/m/user-access-request/handle") == 200 &&
      $(code -H "Authorization: Bearer $ASK" "$B/lab/m/resolve/main/w.txt") == 403 ]] &&
   header X-Error-Message -H "Authorization: Bearer $ASK" "$B/api/models/lab/m/auth-check" | grep -q "Your request to access model lab/m has been rejected by the repo.s authors"'
api -X PUT "$B/api/models/lab/m/settings" -d '{"gated":"auto"}' >/dev/null
"$BIN" user create late --fullname "Late Comer" --email late@example.org --avatar-url https://img.example.org/late.png --data "$D" 2>/dev/null
LATE=$("$BIN" token create --user late --role read --data "$D")
check "gated auto: asking grants at once" \
  '[[ $(code -X POST -H "Authorization: Bearer $LATE" "$B/api/models/lab/m/ask-access") == 200 &&
      $(curl -s -H "Authorization: Bearer $LATE" "$B/lab/m/resolve/main/w.txt") == weights ]]'
check "grant without a request" \
  '[[ $(code -X POST -H "Authorization: Bearer $OWN" -H "Content-Type: application/json" -d "{\"user\":\"asker\"}" "$B/api/models/lab/m/user-access-request/grant") == 200 &&
      $(curl -s -H "Authorization: Bearer $ASK" "$B/lab/m/resolve/main/w.txt") == weights ]]'

api -X PUT "$B/api/models/lab/m/settings" -d '{"gated":false,"private":true}' >/dev/null
check "private org repo: members read, outsiders see a missing repo" \
  '[[ $(code -H "Authorization: Bearer $CAR" "$B/api/models/lab/m") == 200 &&
      $(code -H "Authorization: Bearer $ASK" "$B/api/models/lab/m") == 404 &&
      $(code "$B/api/models/lab/m") == 401 &&
      $(header X-Error-Code -H "Authorization: Bearer $ASK" "$B/api/models/lab/m") == RepoNotFound ]]'
check "private org repo: listed for members only" \
  '[[ $(curl -s -H "Authorization: Bearer $CAR" "$B/api/models?author=lab" | jq length) == 1 &&
      $(curl -s -H "Authorization: Bearer $ASK" "$B/api/models?author=lab" | jq length) == 0 ]]'
check "private org repo: read members cannot write" \
  '[[ $(code -X PUT -H "Authorization: Bearer $CAR" -H "Content-Type: application/json" -d "{\"private\":false}" "$B/api/models/lab/m/settings") == 403 ]]'
check "whoami lists the organization with the role" \
  '[[ $(curl -s -H "Authorization: Bearer $CAR" "$B/api/whoami-v2" | jq -r ".orgs[0].name + \":\" + .orgs[0].roleInOrg") == lab:read ]]'
check "user profile: full name, e-mail and avatar URL" \
  '[[ $(curl -s "$B/api/users/late/overview" | jq -r ".fullname + \" \" + .avatarUrl") == "Late Comer https://img.example.org/late.png" &&
      $(curl -s -H "Authorization: Bearer $LATE" "$B/api/whoami-v2" | jq -r ".email + \" \" + .avatarUrl") == "late@example.org https://img.example.org/late.png" ]]'
check "organization members endpoint" \
  '[[ $(curl -s "$B/api/organizations/lab/members" | jq -r "[.[].user] | join(\",\")") == carol,owner ]]'

api -X POST "$B/api/repos/create" -d '{"name":"form","organization":"lab"}' >/dev/null
README=$'---\nextra_gated_fields:\n  Company: text\n  I agree to the terms: checkbox\n---\n# Form\n'
printf '{"key":"header","value":{"summary":"card"}}\n{"key":"file","value":{"path":"README.md","content":"%s","encoding":"base64"}}\n' \
  "$(printf '%s' "$README" | base64 -w0)" | curl -sf -X POST "$B/api/models/lab/form/commit/main" \
  -H "Authorization: Bearer $OWN" -H 'Content-Type: application/x-ndjson' --data-binary @- >/dev/null
api -X PUT "$B/api/models/lab/form/settings" -d '{"gated":"manual"}' >/dev/null
ask_form() { curl -s -o "$WORK/ask" -w '%{http_code}' -X POST -H "Authorization: Bearer $ASK" \
  -H 'Content-Type: application/json' -d "$1" "$B/api/models/lab/form/ask-access"; }
check "ask-access needs the fields the card asks for (extra_gated_fields)" \
  '[[ $(ask_form "{}") == 400 ]] && grep -q "Company, I agree to the terms" "$WORK/ask" &&
   [[ $(ask_form "{\"Company\":\"ACME\",\"I agree to the terms\":false}") == 400 ]] &&
   [[ $(ask_form "{\"Company\":\"ACME\",\"I agree to the terms\":true}") == 200 ]] &&
   [[ $(api "$B/api/models/lab/form/user-access-request/pending" | jq -r ".[0].fields.Company") == ACME ]]'

FG=$("$BIN" token create --user owner --role fineGrained --scope model:lab/m=read --data "$D")
check "fine-grained token: whoami shows role and scopes" \
  '[[ $(curl -s -H "Authorization: Bearer $FG" "$B/api/whoami-v2" | jq -r ".auth.accessToken.role + \" \" + .auth.accessToken.fineGrained.scoped[0].entity.name + \" \" + .auth.accessToken.fineGrained.scoped[0].permissions[0]") == "fineGrained lab/m repo.content.read" ]]'
check "fine-grained token: reads its private repo, cannot write it" \
  '[[ $(code -H "Authorization: Bearer $FG" "$B/api/models/lab/m") == 200 &&
      $(code -X PUT -H "Authorization: Bearer $FG" -H "Content-Type: application/json" -d "{\"private\":false}" "$B/api/models/lab/m/settings") == 403 ]]'
api -X POST "$B/api/repos/create" -d '{"name":"other","organization":"lab","private":true}' >/dev/null
check "fine-grained token: a private repo out of scope looks missing" \
  '[[ $(code -H "Authorization: Bearer $FG" "$B/api/models/lab/other") == 404 ]]'
EXP=$("$BIN" token create --user owner --role read --expires-in 1 --data "$D")
sleep 1.2
check "expired token: 401 Invalid credentials in Authorization header" \
  '[[ $(code -H "Authorization: Bearer $EXP" "$B/api/whoami-v2") == 401 &&
      $(header X-Error-Message -H "Authorization: Bearer $EXP" "$B/api/models/lab/m") == "Invalid credentials in Authorization header" ]]'

finish
