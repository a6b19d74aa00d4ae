# Shared by the bash client tests: a work folder removed at exit, a `vitrine serve` on a free
# port, and ok/not ok bookkeeping ending with the `N passed, M failed` line. Source it, then
# call `start_server DATA [serve options]` (sets B, the base URL) and end with `finish`.
BIN=$(readlink -f "${VITRINE_BIN:-build/vitrine}")
WORK=$(mktemp -d)
PID=""
pass=0 fail=0
# Never fails: under set -e (which `t` leaves on) a failing kill of a server already stopped
# would turn a passing run's exit status into 1.
cleanup() {
  if [[ -n "$PID" ]]; then kill "$PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
# code [curl args]: only the HTTP status of the request.
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
check() { if eval "$2"; then echo "ok - $1"; pass=$((pass + 1)); else echo "not ok - $1"; fail=$((fail + 1)); fi; }
# t NAME FUNCTION: runs FUNCTION under set -eE; its stderr is shown when it fails.
t() {
  local name="$1" fn="$2" rc
  set +e
  ( set -eE; "$fn" ) 2>"$WORK/t.err"
  rc=$?
  set -e
  if [ "$rc" -eq 0 ]; then
    echo "ok - $name"; pass=$((pass + 1))
  else
    echo "not ok - $name"; sed 's/^/  /' "$WORK/t.err"; fail=$((fail + 1))
  fi
}

start_server() {
  local data=$1
  shift
  "$BIN" serve --data "$data" --listen 127.0.0.1:0 --log-level warn "$@" > "$WORK/out" 2>&1 &
  PID=$!
  for _ in $(seq 100); do
    B=$(sed -n 's/^listening on //p' "$WORK/out" 2>/dev/null || true)
    [[ -n "$B" ]] && return 0
    sleep 0.1
  done
  echo "server did not start:"; cat "$WORK/out"; exit 1
}

finish() {
  echo "$pass passed, $fail failed"
  [[ $fail -eq 0 ]]
}
