#!/usr/bin/env bash
# Web sign-in: Argon2id passwords, the session cookie's flags, CSRF on cookie-authenticated
# writes, logout, the audit trail, and password failures sharing the auth-failure budget.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/harness.sh"

D="$WORK/data"
"$BIN" user create eve --data "$D" 2>/dev/null
"$BIN" user create root --admin --data "$D" 2>/dev/null
ROOT=$("$BIN" token create --user root --role read --data "$D")
check "short passwords are refused" '! echo short | "$BIN" user set-password eve --data "$D" 2>/dev/null'
echo "correct horse battery" | "$BIN" user set-password eve --data "$D" 2>/dev/null
check "the password is stored as an Argon2id hash" \
  '[[ $(sqlite3 "$D/vitrine.db" "select password_hash from users where name = '"'"'eve'"'"'") == \$argon2id\$* ]]'
start_server "$D" --rate-limit-auth-failures 4 --rate-limit-window-seconds 3

login() { curl -s -D "$WORK/h" -o "$WORK/b" -w '%{http_code}' -X POST "$B/api/vitrine/login" \
  -H 'Content-Type: application/json' -d "{\"username\":\"$1\",\"password\":\"$2\"}"; }
check "login succeeds with the right password" '[[ $(login eve "correct horse battery") == 200 ]]'
COOKIE=$(tr -d '\r' < "$WORK/h" | sed -n 's/^Set-Cookie: \(vitrine_session=[^;]*\).*/\1/Ip')
CSRF=$(jq -r .csrfToken "$WORK/b")
check "the cookie is HttpOnly, Secure and SameSite=Strict" \
  'grep -i "^Set-Cookie:" "$WORK/h" | grep -q "HttpOnly" && grep -i "^Set-Cookie:" "$WORK/h" | grep -q "Secure" && grep -i "^Set-Cookie:" "$WORK/h" | grep -q "SameSite=Strict"'
check "the cookie authenticates reads" \
  '[[ $(curl -s -H "Cookie: $COOKIE" "$B/api/whoami-v2" | jq -r .name) == eve ]]'
check "a cookie-authenticated write without the CSRF token is refused (403)" \
  '[[ $(curl -s -o /dev/null -w "%{http_code}" -X POST -H "Cookie: $COOKIE" -d "{\"name\":\"r\"}" "$B/api/repos/create") == 403 ]] &&
   [[ $(curl -s -o /dev/null -w "%{http_code}" "$B/api/models/eve/r") == 401 ]]'
check "with a wrong CSRF token too" \
  '[[ $(curl -s -o /dev/null -w "%{http_code}" -X POST -H "Cookie: $COOKIE" -H "X-CSRF-Token: nope" -d "{\"name\":\"r\"}" "$B/api/repos/create") == 403 ]]'
check "with the CSRF token the write goes through" \
  '[[ $(curl -s -o /dev/null -w "%{http_code}" -X POST -H "Cookie: $COOKIE" -H "X-CSRF-Token: $CSRF" -d "{\"name\":\"r\"}" "$B/api/repos/create") == 200 ]]'
check "logout ends the session" \
  '[[ $(curl -s -o /dev/null -w "%{http_code}" -X POST -H "Cookie: $COOKIE" -H "X-CSRF-Token: $CSRF" "$B/api/vitrine/logout") == 200 &&
      $(curl -s -o /dev/null -w "%{http_code}" -H "Cookie: $COOKIE" "$B/api/whoami-v2") == 401 ]]'
check "wrong password and unknown user get the same 401" \
  '[[ $(login eve wrong-password) == 401 && $(jq -r .error "$WORK/b") == "Invalid username or password" &&
      $(login nobody wrong-password) == 401 && $(jq -r .error "$WORK/b") == "Invalid username or password" ]]'
check "logins and failures are in the audit log" \
  '[[ $(curl -s -H "Authorization: Bearer $ROOT" "$B/api/vitrine/audit?type=auth.login" | jq length) -ge 1 &&
      $(curl -s -H "Authorization: Bearer $ROOT" "$B/api/vitrine/audit?type=auth.login_failure" | jq length) -ge 2 ]]'
# A fresh window (one opens at a key's first failure and lasts 3 s here), then the whole budget
# of 4 failures at once: the checks above took long enough under load to outlast a window.
sleep 3.2
for _ in 1 2 3 4; do login eve wrong-again >/dev/null; done
check "password failures spend the auth-failure budget: then 429, even with the right password" \
  '[[ $(login eve "correct horse battery") == 429 ]]'
sleep 3.2
check "and login works again after the window" '[[ $(login eve "correct horse battery") == 200 ]]'

finish
