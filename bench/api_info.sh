#!/usr/bin/env bash
# GET /api/models/{ns}/{name} on Vitrine vs nginx serving the same JSON bytes as a static file.
#
# The repo gets a README with card metadata, a config.json and an LFS file, so that the answer
# carries siblings and cardData like a real model. Each run is `wrk -t$WRK_THREADS -c$CONNS
# -d${DURATION}s --latency` against Vitrine, then the same against nginx; runs alternate. Medians
# of req/s and of p99 latency are reported, and the ratio of the req/s medians.
#
# Knobs: RUNS (3), DURATION (5 seconds), CONNS (32), WRK_THREADS (2), NGINX_WORKERS (2),
#        AUTH (0; 1 sends the Bearer token, as a logged-in client would), VITRINE_BIN.
# Goals (issue #2): req/s >= 0.5x nginx, Vitrine p99 <= 5 ms at 32 connections.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
require curl nginx wrk python3 awk base64

RUNS="${RUNS:-3}"
DURATION="${DURATION:-5}"
CONNS="${CONNS:-32}"
WRK_THREADS="${WRK_THREADS:-2}"
AUTH="${AUTH:-0}"

make_tmpdir WORK
log "machine: $(machine_info)"
log "runs: $RUNS x ${DURATION}s, wrk -t$WRK_THREADS -c$CONNS, nginx workers: $NGINX_WORKERS, auth: $AUTH"
mkdir -p "$WORK/data" "$WORK/www/api/models/bench" "$WORK/nginx"

start_vitrine "$WORK/data"
create_repo info

readme=$'---\nlicense: apache-2.0\nlanguage:\n- en\ntags:\n- text-generation\n- benchmark\npipeline_tag: text-generation\n---\n# Bench model\n\nA model card used by the benchmark.\n'
config='{"architectures":["LlamaForCausalLM"],"hidden_size":4096,"num_hidden_layers":32,"vocab_size":32000}'
oid=$(printf 'bench' | openssl dgst -sha256 -r | cut -d' ' -f1)
href=$(lfs_upload_href "$REPO_ID" "$oid" 5)
printf 'bench' >"$WORK/small.bin"
[[ -z "$href" ]] || curl -sS --fail -T "$WORK/small.bin" "$href" >/dev/null
{
  echo '{"key":"header","value":{"summary":"add model"}}'
  echo "{\"key\":\"file\",\"value\":{\"path\":\"README.md\",\"encoding\":\"base64\",\"content\":\"$(printf '%s' "$readme" | base64 -w0)\"}}"
  echo "{\"key\":\"file\",\"value\":{\"path\":\"config.json\",\"encoding\":\"base64\",\"content\":\"$(printf '%s' "$config" | base64 -w0)\"}}"
  echo "{\"key\":\"lfsFile\",\"value\":{\"path\":\"model.safetensors\",\"algo\":\"sha256\",\"oid\":\"$oid\",\"size\":5}}"
} | api -X POST -H 'Content-Type: application/x-ndjson' --data-binary @- \
  "$VITRINE_URL/api/models/$REPO_ID/commit/main" >/dev/null

V_URL="$VITRINE_URL/api/models/$REPO_ID"
HDR=()
[[ "$AUTH" == 1 ]] && HDR=(-H "Authorization: Bearer $VITRINE_TOKEN")
curl -sS --fail "${HDR[@]}" "$V_URL" >"$WORK/www/api/models/$REPO_ID.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d.get("siblings"), d' \
  "$WORK/www/api/models/$REPO_ID.json" || die "unexpected /api/models answer"
BYTES=$(stat -c %s "$WORK/www/api/models/$REPO_ID.json")
log "JSON answer: $BYTES bytes"
start_nginx "$WORK/www" "$WORK/nginx"
N_URL="$NGINX_URL/api/models/$REPO_ID.json"
cmp -s <(curl -sS --fail "$N_URL") "$WORK/www/api/models/$REPO_ID.json" || die "nginx copy differs"

# run_wrk URL: prints "req_per_s p99_ms".
run_wrk() {
  local out
  out=$(wrk -t"$WRK_THREADS" -c"$CONNS" -d"${DURATION}s" --latency "${HDR[@]}" "$1")
  if grep -q 'Non-2xx' <<<"$out"; then die "wrk saw errors: $out"; fi
  awk '
    /^Requests\/sec:/ { rps = $2 }
    $1 == "99%" {
      v = $2; unit = v; sub(/[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v)
      if (unit == "us") v /= 1000; else if (unit == "s") v *= 1000; else if (unit == "m") v *= 60000
      p99 = v
    }
    END { printf "%.1f %.3f\n", rps, p99 }' <<<"$out"
}

# Warm-up (connection set-up, caches) for both.
wrk -t1 -c4 -d1s "${HDR[@]}" "$V_URL" >/dev/null
wrk -t1 -c4 -d1s "$N_URL" >/dev/null

: >"$WORK/vr"; : >"$WORK/vp"; : >"$WORK/nr"; : >"$WORK/np"
for ((r = 1; r <= RUNS; r++)); do
  read -r vr vp <<<"$(run_wrk "$V_URL")"
  read -r nr np <<<"$(run_wrk "$N_URL")"
  echo "$vr" >>"$WORK/vr"; echo "$vp" >>"$WORK/vp"; echo "$nr" >>"$WORK/nr"; echo "$np" >>"$WORK/np"
  log "run=$r vitrine=${vr} req/s p99=${vp} ms | nginx=${nr} req/s p99=${np} ms"
done
vrm=$(median <"$WORK/vr"); vpm=$(median <"$WORK/vp"); nrm=$(median <"$WORK/nr"); npm=$(median <"$WORK/np")
ratio=$(fdiv "$vrm" "$nrm")
ok_r=$(verdict fge "$ratio" 0.5)
ok_p=$(verdict fge 5 "$vpm")
echo "api_info vitrine_median=$vrm req/s p99_median=$vpm ms (runs: $(paste -sd, "$WORK/vr") | p99 $(paste -sd, "$WORK/vp"))"
echo "api_info nginx_median=$nrm req/s p99_median=$npm ms (runs: $(paste -sd, "$WORK/nr") | p99 $(paste -sd, "$WORK/np"))"
echo "SUMMARY api_info json=${BYTES}B conns=$CONNS runs=$RUNS ratio=$ratio goal>=0.5 $ok_r; vitrine p99=${vpm}ms goal<=5ms $ok_p"
