#!/usr/bin/env bash
# The log and the refs agree after kill -9: three rounds of concurrent writers (API commits,
# branch creation and deletion, git pushes with force-pushes) against a server killed with
# SIGKILL at a random moment. After each restart every intent is settled (it became visible,
# or a void entry marks it), and replaying the log gives exactly the refs the hub serves.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/harness.sh"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DATA="$WORK/data"
"$BIN" user create alice --data "$DATA" 2>/dev/null
T=$("$BIN" token create --user alice --role write --data "$DATA")
AUTH=(-H "Authorization: Bearer $T")
# Every process below $1 (children first, then theirs).
descendants() {
  local child
  for child in $(pgrep -P "$1"); do echo "$child"; descendants "$child"; done
}
# The server dies at once; git processes it started (receive-pack and the hub's hook) may
# finish their push after it, as they would after a real crash. The checks wait for them
# (at most 30 s), so that no intent appears after they found none left.
kill9() {
  local olds
  kill -STOP "$PID"  # it starts no git process while its children are listed
  olds=$(descendants "$PID")
  kill -9 "$PID"
  wait "$PID" 2>/dev/null || true
  PID=""
  local p deadline=$((SECONDS + 30))
  for p in $olds; do  # gone, or a zombie (dead, not reaped yet)
    while [[ "$(ps -o stat= -p "$p" 2>/dev/null)" =~ ^[^Z] ]] && ((SECONDS < deadline)); do
      sleep 0.1
    done
  done
}
# Stops a writer and everything it started: killing only its subshell would leave a curl or
# git push of the old round running, which then writes to the restarted server while the
# checks below read (an intent appearing after "none left", a ref moving under the replay).
kill_tree() {
  kill -STOP "$1" 2>/dev/null || true  # no new children while the tree is walked
  local child
  for child in $(pgrep -P "$1"); do kill_tree "$child"; done
  kill -KILL "$1" 2>/dev/null || true
}
pending() { sqlite3 "$DATA/tlog/log.sqlite" "SELECT count(*) FROM pending"; }

commit() {  # commit REPO BRANCH PATH
  printf '{"key":"header","value":{"summary":"%s"}}\n{"key":"file","value":{"path":"%s","content":"%s","encoding":"base64"}}\n' \
    "$3" "$3" "$(printf '%s %s' "$3" "$RANDOM" | base64 -w0)" |
    curl -s -o /dev/null -X POST "$B/api/models/alice/$1/commit/$2" "${AUTH[@]}" \
      -H 'Content-Type: application/x-ndjson' --data-binary @- || true
}
api_writer() {  # commits to r0 main without pause
  local i=0
  while :; do i=$((i + 1)); commit r0 main "f$((i % 7)).txt"; done
}
branch_writer() {  # branches of r1 come and go, with commits between
  local i=0
  while :; do
    i=$((i + 1))
    curl -s -o /dev/null -X POST "$B/api/models/alice/r1/branch/b$((i % 3))" "${AUTH[@]}" -d '{}' || true
    commit r1 main "g$i.txt"
    curl -s -o /dev/null -X DELETE "$B/api/models/alice/r1/branch/b$(((i + 1) % 3))" "${AUTH[@]}" || true
  done
}
git_writer() {  # pushes to r2, every third one a force-push
  local w="$WORK/clone-$1" i=0
  rm -rf "$w"
  git clone -q "http://alice:$T@${B#http://}/alice/r2" "$w" 2>/dev/null || return 0
  cd "$w"
  git config user.email a@example.com && git config user.name alice
  while :; do
    i=$((i + 1))
    git pull -q --rebase origin main >/dev/null 2>&1 || git reset -q --hard origin/main 2>/dev/null || true
    echo "$i $RANDOM" > "p$((i % 5)).txt"
    git add -A && git commit -qm "push $i" || true
    if ((i % 3 == 0)); then
      git commit -q --amend -m "amended $i" && git push -qf origin HEAD:main >/dev/null 2>&1 || true
    else
      git push -q origin HEAD:main >/dev/null 2>&1 || true
    fi
  done
}

start_server "$DATA"
for r in r0 r1 r2; do
  curl -sf -X POST "$B/api/repos/create" "${AUTH[@]}" -d "{\"name\":\"$r\"}" >/dev/null
done
for round in 1 2 3; do
  api_writer & w1=$!
  branch_writer & w2=$!
  git_writer "$round" & w3=$!
  sleep "$((1 + round)).$((RANDOM % 10))"
  kill9
  for w in "$w1" "$w2" "$w3"; do kill_tree "$w"; done
  wait "$w1" "$w2" "$w3" 2>/dev/null || true
  start_server "$DATA"
  # Intents of the killed server are settled at start; those of git pushes whose receive-pack
  # outlived it, by the background sweep once the process is gone.
  for _ in $(seq 150); do [[ $(pending) == 0 ]] && break; sleep 0.2; done
  check "round $round: no unsettled intent after the restart" '[[ $(pending) == 0 ]]'
  sleep 1.5  # the next checkpoint publishes the void entries
  check "round $round: replaying the log gives the refs the hub serves" \
    'python3 "$here/log_agrees.py" "$B" "$T" models/alice/r0 models/alice/r1 models/alice/r2'
done
check "the stored hashes are those of the stored entries" \
  '"$BIN" tlog check --data "$DATA" | grep -q "hashes match"'
check "writes work after the crashes, and are logged" \
  'commit r0 main after.txt; sleep 1.5; python3 "$here/log_agrees.py" "$B" "$T" models/alice/r0 | grep -q "0 problems"'
# git pack-refs (run by gc) reports the refs it packs as created and the loose ones as deleted;
# run with the hub's hooks, it must log nothing. A push then deletes a packed branch (git runs
# the hook twice for that): one deletion entry.
uid=$(sqlite3 "$DATA/vitrine.db" "SELECT uid FROM repos WHERE name = 'r2'")
w="$WORK/clone-pack"
git clone -q "http://alice:$T@${B#http://}/alice/r2" "$w"
git -C "$w" push -q origin HEAD:refs/heads/packed-branch 2>/dev/null
before=$(sqlite3 "$DATA/tlog/log.sqlite" "SELECT count(*) FROM entries")
VITRINE_DATA="$DATA" VITRINE_REPO_UID="$uid" \
  git -C "$DATA/repos/$uid.git" -c core.hooksPath="$DATA/hooks" pack-refs --all --prune
check "pack-refs with the hub's hooks logs nothing" \
  '[[ $(sqlite3 "$DATA/tlog/log.sqlite" "SELECT count(*) FROM entries") == "$before" ]]'
git -C "$w" push -q origin :refs/heads/packed-branch 2>/dev/null
sleep 1.5
check "deleting a packed branch by push is logged once, and the log still agrees" \
  '[[ $(sqlite3 "$DATA/tlog/log.sqlite" "SELECT count(*) FROM entries") == $((before + 1)) ]] &&
   python3 "$here/log_agrees.py" "$B" "$T" models/alice/r2 >/dev/null'
check "the commit history shows the log entry that made each commit a branch head" \
  'curl -sf "$B/api/models/alice/r0/commits/main?expand=transparencyLog&limit=5" "${AUTH[@]}" |
     python3 -c "import json,sys; c=json.load(sys.stdin); assert c[0][\"transparencyLog\"][0][\"ref\"] == \"refs/heads/main\", c[0]"'
finish
