# Shared helpers for the Vitrine benchmarks. Source it from a bench script:
#   source "$(dirname "$0")/common.sh"
#
# Environment knobs (all optional):
#   VITRINE_BIN        vitrine binary (default: <repo>/build/vitrine)
#   BENCH_TMP          parent folder for temp data (default: /tmp)
#   NGINX_WORKERS      nginx worker_processes (default: 2, the machine's core count budget)
#
# Everything a script starts (vitrine, nginx, samplers) and every temp folder is registered here
# and removed by the EXIT trap, including the multi-GiB test files.

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$BENCH_DIR/.." && pwd)"
VITRINE_BIN="${VITRINE_BIN:-$REPO_ROOT/build/vitrine}"
BENCH_TMP="${BENCH_TMP:-/tmp}"
NGINX_WORKERS="${NGINX_WORKERS:-2}"

_BENCH_PIDS=()
_BENCH_DIRS=()

bench_cleanup() {
  local rc=$?
  local pid
  for pid in "${_BENCH_PIDS[@]:-}"; do
    [[ -n "$pid" ]] || continue
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  local d
  for d in "${_BENCH_DIRS[@]:-}"; do
    [[ -n "$d" && -d "$d" ]] && rm -rf -- "$d"
  done
  exit "$rc"
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

require() {
  local t
  for t in "$@"; do command -v "$t" >/dev/null 2>&1 || die "missing tool: $t"; done
}

# viewer_bench_setup: what the dataset viewer benchmarks (bench/viewer_*.sh) need: node, the
# binary built into $build (BUILD_DIR, default build/; BENCH_NO_BUILD=1 skips the build) and
# @duckdb/node-api with the client in tests/client/js/node_modules.
viewer_bench_setup() {
  require node
  build="${BUILD_DIR:-$REPO_ROOT/build}"
  [[ "${BENCH_NO_BUILD:-}" == 1 ]] || cmake --build "$build" --target vitrine >/dev/null
  [[ -f "$REPO_ROOT/tests/client/js/node_modules/@duckdb/node-api/package.json" ]] ||
    die "@duckdb/node-api missing: run 'npm ci' in tests/client/js"
}

# make_tmpdir VAR: creates a temp folder under $BENCH_TMP, registered for removal.
make_tmpdir() {
  local d
  d="$(mktemp -d "$BENCH_TMP/vitrine-bench.XXXXXX")"
  _BENCH_DIRS+=("$d")
  printf -v "$1" '%s' "$d"
}

# check_disk DIR BYTES: dies unless DIR's file system has BYTES free (plus 1 GiB margin).
check_disk() {
  local avail
  avail=$(df -B1 --output=avail "$1" | tail -1 | tr -d ' ')
  (( avail > $2 + (1 << 30) )) || die "not enough free disk under $1: need $2 bytes, have $avail"
}

register_pid() { _BENCH_PIDS+=("$1"); }

free_port() {
  python3 - <<'EOF' 2>/dev/null || shuf -i 20000-60000 -n 1
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
EOF
}

# median: reads numbers, one per line, prints the median.
median() {
  sort -g | awk '{a[NR]=$1} END {if (NR==0) {print "nan"; exit} if (NR%2) print a[(NR+1)/2]; else printf "%.6g\n", (a[NR/2]+a[NR/2+1])/2}'
}

# fdiv A B [FMT]: prints A/B.
fdiv() { awk -v a="$1" -v b="$2" -v f="${3:-%.3f}" 'BEGIN { if (b+0 == 0) print "nan"; else printf f "\n", a/b }'; }

# fge A B: exit status 0 when A >= B.
fge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a+0 >= b+0) }'; }

verdict() { if "$@"; then echo MET; else echo MISSED; fi; }

VITRINE_SERVE_ARGS=()

# start_vitrine DATA_DIR: creates user "bench" with a write token, starts the server.
# Sets VITRINE_PID, VITRINE_URL, VITRINE_TOKEN.
start_vitrine() {
  local data="$1"
  [[ -x "$VITRINE_BIN" ]] || die "vitrine binary not found at $VITRINE_BIN (build it first)"
  # Run a private copy: a concurrent rebuild of build/vitrine must not swap the binary mid-run.
  local bin="$data/../vitrine.bin"
  cp "$VITRINE_BIN" "$bin"
  log "vitrine binary: $VITRINE_BIN (sha256 $(sha256sum "$bin" | cut -c1-12), git $(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'))"
  "$bin" user create bench --data "$data" >/dev/null 2>&1
  VITRINE_TOKEN="$("$bin" token create --user bench --role write --data "$data" | grep -o 'hf_[A-Za-z0-9_]*' | head -1)"
  [[ -n "$VITRINE_TOKEN" ]] || die "could not create a token"
  local out="$data/.serve.log"
  # No request limit: a benchmark sends more than the default 10,000 requests per 5 minutes.
  # VITRINE_SERVE_ARGS (an array a script may set): more `serve` flags, e.g. --web-dir.
  "$bin" serve --data "$data" --listen 127.0.0.1:0 --log-level warn --rate-limit-requests 0 \
    "${VITRINE_SERVE_ARGS[@]}" >"$out" 2>&1 &
  VITRINE_PID=$!
  register_pid "$VITRINE_PID"
  local i
  for i in $(seq 1 100); do
    VITRINE_URL="$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$out" | head -1 || true)"
    [[ -n "$VITRINE_URL" ]] && break
    kill -0 "$VITRINE_PID" 2>/dev/null || die "vitrine exited: $(cat "$out")"
    sleep 0.1
  done
  [[ -n "$VITRINE_URL" ]] || die "vitrine did not report its address"
  log "vitrine pid $VITRINE_PID at $VITRINE_URL"
}

# start_nginx ROOT_DIR WORK_DIR: serves ROOT_DIR statically with sendfile on.
# Sets NGINX_PID, NGINX_URL.
start_nginx() {
  local root="$1" work="$2" port
  require nginx
  port="$(free_port)"
  mkdir -p "$work/logs" "$work/tmp"
  local user_line=""
  # Workers of a root master drop to "nobody", which cannot read 0600 files in 0700 temp dirs.
  [[ "$(id -u)" == 0 ]] && user_line="user root;"
  cat >"$work/nginx.conf" <<EOF
$user_line
worker_processes $NGINX_WORKERS;
error_log $work/logs/error.log warn;
pid $work/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path $work/tmp/body;
  proxy_temp_path $work/tmp/proxy;
  fastcgi_temp_path $work/tmp/fastcgi;
  uwsgi_temp_path $work/tmp/uwsgi;
  scgi_temp_path $work/tmp/scgi;
  types { application/json json; application/octet-stream bin; }
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:$port;
    root $root;
  }
}
EOF
  nginx -c "$work/nginx.conf" -p "$work" -g 'daemon off;' 2>"$work/logs/stderr.log" &
  NGINX_PID=$!
  register_pid "$NGINX_PID"
  NGINX_URL="http://127.0.0.1:$port"
  local i
  for i in $(seq 1 100); do
    curl -s -o /dev/null "$NGINX_URL/" 2>/dev/null && break
    kill -0 "$NGINX_PID" 2>/dev/null || die "nginx exited: $(cat "$work/logs/stderr.log" "$work/logs/error.log")"
    sleep 0.1
  done
  log "nginx pid $NGINX_PID ($NGINX_WORKERS workers) at $NGINX_URL"
}

# api CURL_ARGS...: authenticated call to vitrine, fails on HTTP errors.
api() { curl -sS --fail-with-body -H "Authorization: Bearer $VITRINE_TOKEN" "$@"; }

# create_repo NAME: sets REPO_ID (ns/name).
create_repo() {
  api -X POST -H 'Content-Type: application/json' -d "{\"name\":\"$1\"}" "$VITRINE_URL/api/repos/create" >/dev/null
  REPO_ID="bench/$1"
}

# lfs_upload_href REPO_ID OID SIZE: prints the signed basic upload href, or nothing when the
# server already has the object.
lfs_upload_href() {
  api -X POST -H 'Content-Type: application/vnd.git-lfs+json' -H 'Accept: application/vnd.git-lfs+json' \
    -d "{\"operation\":\"upload\",\"transfers\":[\"basic\"],\"objects\":[{\"oid\":\"$2\",\"size\":$3}]}" \
    "$VITRINE_URL/$1.git/info/lfs/objects/batch" |
    python3 -c 'import json,sys; o=json.load(sys.stdin)["objects"][0]; print(o.get("actions",{}).get("upload",{}).get("href",""))'
}

# lfs_commit REPO_ID PATH OID SIZE
lfs_commit() {
  printf '%s\n%s\n' '{"key":"header","value":{"summary":"add"}}' \
    "{\"key\":\"lfsFile\",\"value\":{\"path\":\"$2\",\"algo\":\"sha256\",\"oid\":\"$3\",\"size\":$4}}" |
    api -X POST -H 'Content-Type: application/x-ndjson' --data-binary @- \
      "$VITRINE_URL/api/models/$1/commit/main" >/dev/null
}

# make_random_file PATH BYTES: incompressible test data (fast: AES-CTR keystream of zeros).
make_random_file() {
  local mib=$(( ($2 + (1 << 20) - 1) >> 20 ))
  head -c "$2" < <(openssl enc -aes-128-ctr -nosalt -pass pass:vitrine-bench -in /dev/zero 2>/dev/null) >"$1" || true
  [[ "$(stat -c %s "$1")" == "$2" ]] || die "could not write $mib MiB to $1"
}

# stop_vitrine: stops the server started by start_vitrine (to start a fresh one on a new data dir).
stop_vitrine() {
  kill "$VITRINE_PID" 2>/dev/null || true
  wait "$VITRINE_PID" 2>/dev/null || true
}

# cpu_seconds PID: user + system CPU time used so far by all of PID's threads, in seconds.
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f\n", ($14 + $15) / hz }' "/proc/$1/stat"; }

# xet_write_token REPO_ID: prints a Xet write token (for the CAS routes) for the repo's main.
xet_write_token() {
  api "$VITRINE_URL/api/models/$1/xet-write-token/main" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["accessToken"])'
}

# fetch_parallel URL C: prints aggregate GB/s (10^9 bytes/s) of C concurrent downloads of the
# whole file (curl -L to /dev/null). A stream still running after MAX_SECONDS is stopped (curl
# --max-time) and its bytes so far count: that bounds e.g. a 32 x 2 GiB run to MAX_SECONDS.
# Uses $WORK for scratch files and leaves the byte total in $WORK/last_bytes.
fetch_parallel() {
  local url="$1" c="$2" i pids=() t0 t1 bad=0 out="$WORK/sizes" rc total=0 got
  rm -f "$out".*
  t0=$(date +%s.%N)
  for ((i = 0; i < c; i++)); do
    curl -s -L --fail --max-time "${MAX_SECONDS:-10}" -o /dev/null -w '%{size_download}' "$url" >"$out.$i" &
    pids+=($!)
  done
  for i in "${pids[@]}"; do
    rc=0; wait "$i" || rc=$?
    ((rc == 0 || rc == 28)) || bad=1
  done
  t1=$(date +%s.%N)
  for ((i = 0; i < c; i++)); do
    got=$(cat "$out.$i"); total=$((total + ${got:-0}))
    [[ -n "$got" && "$got" -gt 0 ]] || bad=1
  done
  ((bad == 0)) || die "a download of $url failed"
  echo "$total" >"$WORK/last_bytes"
  awk -v n="$total" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", n / (b - a) / 1e9 }'
}

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
hwm_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }

# machine_info: one line describing the machine.
machine_info() {
  echo "nproc=$(nproc) cpu=\"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')\" kernel=$(uname -r) date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
}
