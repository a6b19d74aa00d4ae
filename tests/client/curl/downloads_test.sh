#!/usr/bin/env bash
# Download counts survive the server (docs/api.md "Download counts") against a real
# `vitrine serve`: counts still in memory are written when the server stops (SIGTERM) and read
# back after a restart; the background flush writes them within its 2 s period, so a server
# killed with SIGKILL after that keeps them; model info counts the unwritten ones at once. One
# client's requests within 5 minutes are one download, so each download here comes from another
# loopback address (curl --interface 127.0.0.N).
# Needs bash, curl, jq.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/harness.sh"

D="$WORK/data"
"$BIN" user create alice --data "$D" 2>/dev/null
TOK=$("$BIN" token create --user alice --role write --data "$D")
start_server "$D"
curl -sf -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' \
  -d '{"name":"m","license":"mit"}' "$B/api/repos/create" >/dev/null

NEXT=10
get() {
  for _ in $(seq "$1"); do
    curl -sf --interface "127.0.0.$NEXT" -o /dev/null "$B/alice/m/resolve/main/README.md"
    NEXT=$((NEXT + 1))
  done
}
counts() { curl -sf "$B/api/models/alice/m?expand=downloads&expand=downloadsAllTime" | jq -c '[.downloads, .downloadsAllTime]'; }
stop() {
  kill "-$1" "$PID"
  wait "$PID" 2>/dev/null || true
  PID=""
}

info_at_once() {
  get 3
  [[ $(counts) == "[3,3]" ]] || { echo "got $(counts)" >&2; return 1; }
  # The same client again (a GET and a HEAD): the same download.
  curl -sf --interface 127.0.0.10 -o /dev/null "$B/alice/m/resolve/main/README.md"
  curl -sf --interface 127.0.0.11 -I -o /dev/null "$B/alice/m/resolve/main/README.md"
  [[ $(counts) == "[3,3]" ]] || { echo "again: got $(counts)" >&2; return 1; }
}
t "model info counts downloads at once; a client's repeated requests count once" info_at_once
NEXT=13  # t ran in a subshell

# The restarts happen here, outside `t` (which runs its function in a subshell, where the new
# server's PID and URL would be lost).
get 2
stop TERM
start_server "$D"
after_term=$(counts)
check "counts not yet written are written when the server stops" '[[ $after_term == "[5,5]" ]]'

get 4
sleep 3  # more than the 2 s period of the background flush
stop KILL
start_server "$D"
after_kill=$(counts)
check "the background flush writes counts before a kill -9" '[[ $after_kill == "[9,9]" ]]'

finish
