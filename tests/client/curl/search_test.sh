#!/usr/bin/env bash
# Repository listings with the Hub's search filters (GET /api/models, /api/datasets), with curl
# against a real `vitrine serve`: every filter the Python and JS clients send (filter, tags,
# pipeline_tag, library, language, license, trained_dataset, dataset fields, base_model lineage
# tags, author, search, gated), their combinations, sort orders and directions, paging through
# `Link: <...>; rel="next"`, private repositories hidden from callers who cannot read them,
# tags refreshed by a new commit and rebuilt at start, and 400s for unusable values.
# Prints `ok - NAME` per check and `N passed, M failed`. Needs bash, curl, jq.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../lib/harness.sh"

DATA="$WORK/data"
"$BIN" user create alice --data "$DATA" >/dev/null
"$BIN" user create bob --data "$DATA" >/dev/null
ALICE="$("$BIN" token create --user alice --role write --data "$DATA")"
BOB="$("$BIN" token create --user bob --role write --data "$DATA")"
start_server "$DATA"

# create TOKEN TYPE NAME PRIVATE README
create() {
  local body
  body=$(jq -cn --arg type "$2" --arg name "$3" --argjson private "$4" --arg readme "$5" \
    '{type:$type, name:$name, private:$private, files:[{path:"README.md", content:$readme}]}')
  curl -fsS -o /dev/null -H "Authorization: Bearer $1" -H 'Content-Type: application/json' \
    -d "$body" "$B/api/repos/create"
}
# ids [TOKEN] QUERY: the ids of the page in order, space separated (datasets when QUERY starts
# with "d:").
ids() {
  local token="" path=/api/models
  if [[ $# -eq 2 ]]; then token=$1; shift; fi
  local q=$1
  if [[ $q == d:* ]]; then path=/api/datasets; q=${q#d:}; fi
  curl -fsS ${token:+-H "Authorization: Bearer $token"} "$B$path?$q" | jq -r '[.[].id] | join(" ")'
}
# eq EXPECTED [TOKEN] QUERY
eq() {
  local want=$1 got
  shift
  got=$(ids "$@")
  [[ "$got" == "$want" ]] || { echo "$*: got '$got', want '$want'" >&2; return 1; }
}
# bad QUERY NEEDLE: 400 with the needle in the JSON error.
bad() {
  local code
  code=$(curl -s -o "$WORK/body" -w '%{http_code}' "$B/api/models?$1")
  [[ $code == 400 ]] || { echo "$1: status $code" >&2; return 1; }
  jq -e --arg n "$2" '.error | contains($n)' "$WORK/body" >/dev/null ||
    { echo "$1: body $(cat "$WORK/body")" >&2; return 1; }
}

create "$ALICE" model bert-base false $'---\nlicense: mit\nlanguage: [en]\ntags: [PyTorch]\npipeline_tag: fill-mask\nlibrary_name: transformers\ndatasets: [alice/wiki]\n---\n'
create "$ALICE" model bert-large false $'---\nlicense: apache-2.0\nlanguage: [en, fr]\npipeline_tag: fill-mask\nlibrary_name: transformers\n---\n'
create "$ALICE" model gpt-small false $'---\nlicense: mit\nlanguage: [fr]\npipeline_tag: text-generation\ntags: [pytorch, transformers]\n---\n'
create "$ALICE" model bert-adapter false $'---\nbase_model: alice/bert-base\nbase_model_relation: adapter\nlicense: mit\n---\n'
create "$ALICE" model bert-secret true $'---\nlicense: mit\npipeline_tag: fill-mask\n---\n'
create "$BOB" model bert-bob false $'---\nlicense: MIT\npipeline_tag: fill-mask\nlibrary_name: timm\n---\n'
create "$ALICE" dataset wiki false $'---\nlanguage: [en]\ntask_categories: [text-classification]\nsize_categories: [10K<n<100K]\nlicense: cc-by-4.0\n---\n'
create "$ALICE" dataset squad false $'---\nlanguage: [fr]\ntask_categories: [question-answering]\nlicense: mit\n---\n'

ALL="alice/bert-adapter alice/bert-base alice/bert-large alice/gpt-small bob/bert-bob"

filters() {
  eq "$ALL" "sort=id"
  eq "alice/bert-base alice/gpt-small" "filter=pytorch&sort=id"          # card tags, any case
  eq "alice/bert-base alice/bert-large bob/bert-bob" "pipeline_tag=fill-mask&sort=id"
  eq "alice/gpt-small" "filter=text-generation"                          # the bare pipeline tag
  # library: the card's library_name, or a tag naming the library.
  eq "alice/bert-base alice/bert-large alice/gpt-small" "library=transformers&sort=id"
  eq "bob/bert-bob" "library=timm"
  eq "alice/bert-base alice/bert-large" "language=en&sort=id"
  eq "alice/bert-base alice/bert-large" "filter=en&sort=id"              # models: bare too
  eq "alice/bert-adapter alice/bert-base alice/gpt-small bob/bert-bob" "license=mit&sort=id"
  eq "alice/bert-adapter alice/bert-base alice/gpt-small bob/bert-bob" "filter=license:mit&sort=id"
  eq "alice/bert-base" "trained_dataset=alice/wiki"
  eq "alice/bert-base" "filter=dataset:alice/wiki"
  eq "alice/bert-large" "tags=fr&tags=en"
}
t "each filter" filters

lineage() {
  eq "alice/bert-adapter" "filter=base_model:alice/bert-base"
  eq "alice/bert-adapter" "filter=base_model:adapter:alice/bert-base"
  eq "alice/bert-adapter" "filter=BASE_MODEL:ADAPTER:Alice/Bert-Base"
  eq "" "filter=base_model:finetune:alice/bert-base"
}
t "base_model filters (card and lineage relation)" lineage

datasets() {
  eq "alice/squad alice/wiki" "d:sort=id"
  eq "alice/wiki" "d:language=en"
  eq "alice/wiki" "d:filter=language:en"
  eq "alice/squad" "d:task_categories=question-answering"
  eq "alice/wiki" "d:filter=task_categories:text-classification&filter=size_categories:10K<n<100K"
  eq "alice/wiki" "d:license=cc-by-4.0"
  eq "alice/squad" "d:dataset_name=squ"
}
t "dataset filters" datasets

combos() {
  eq "alice/bert-base" "search=bert&filter=pytorch&license=mit"
  eq "alice/bert-base alice/bert-large" "search=BERT&pipeline_tag=fill-mask&author=Alice&sort=id"
  eq "bob/bert-bob" "search=bert&pipeline_tag=fill-mask&author=bob"
  eq "alice/bert-large" "search=bert&search=large&language=fr"
  eq "alice/bert-large" "model_name=large"
  eq "" "filter=pytorch&filter=text-classification"
  eq "" "pipeline_tag=fill-mask&library=none"
}
t "combinations: all must match" combos

sorts() {
  eq "bob/bert-bob alice/gpt-small alice/bert-large alice/bert-base alice/bert-adapter" "sort=id&direction=-1"
  eq "bob/bert-bob alice/bert-secret alice/bert-adapter alice/gpt-small alice/bert-large alice/bert-base" "$ALICE" "sort=createdAt"
  eq "alice/bert-base alice/bert-large alice/gpt-small alice/bert-adapter alice/bert-secret bob/bert-bob" "$ALICE" "sort=createdAt&direction=1"
  eq "alice/bert-base alice/bert-large alice/gpt-small alice/bert-adapter bob/bert-bob" "sort=created_at&direction=1"
  for s in lastModified downloads likes trendingScore likes30d; do
    [[ $(ids "sort=$s" | wc -w) == 5 ]] || { echo "sort=$s" >&2; return 1; }
  done
}
t "sort orders and directions" sorts

paging() {
  local url="$B/api/models?search=bert&sort=id&limit=2" got="" n=0
  while [[ -n $url ]]; do
    curl -fsS -D "$WORK/h" -o "$WORK/page" "$url"
    got+="$(jq -r '[.[].id] | join(" ")' "$WORK/page") "
    url=$(sed -n 's/^[Ll]ink: <\(http[^>]*\)>; rel="next".*/\1/p' "$WORK/h" | tr -d '\r')
    n=$((n + 1))
  done
  [[ $got == "alice/bert-adapter alice/bert-base alice/bert-large bob/bert-bob " ]] || { echo "got $got" >&2; return 1; }
  [[ $n == 2 ]] || { echo "$n pages" >&2; return 1; }
  # The next page keeps the filters.
  curl -fsS -D "$WORK/h" -o /dev/null "$B/api/models?license=mit&limit=1&sort=id"
  grep -i '^link: <http.*license=mit.*cursor=1' "$WORK/h" >/dev/null
}
t "paging with Link rel=next keeps the filters" paging

private() {
  eq "" "search=secret"
  eq "" "$BOB" "search=secret"
  eq "alice/bert-secret" "$ALICE" "search=secret"
  eq "alice/bert-base alice/bert-secret" "$ALICE" "filter=license:mit&pipeline_tag=fill-mask&author=alice&sort=id"
  eq "alice/bert-base alice/bert-large bob/bert-bob" "$BOB" "pipeline_tag=fill-mask&sort=id"
}
t "private repositories only for their readers" private

gated() {
  curl -fsS -o /dev/null -X PUT -H "Authorization: Bearer $ALICE" -H 'Content-Type: application/json' \
    -d '{"gated":"auto"}' "$B/api/models/alice/gpt-small/settings"
  eq "alice/gpt-small" "gated=true"
  eq "alice/bert-adapter alice/bert-base alice/bert-large bob/bert-bob" "gated=False&sort=id"
  eq "" "inference=warm"
  eq "" "apps=lmstudio"
}
t "gated, and filters no model here matches" gated

bad_params() {
  bad "limit=abc" "Invalid limit parameter 'abc'"
  bad "limit=0" "limit"
  bad "sort=bogus" "Invalid sort parameter 'bogus'"
  bad "direction=up" "direction"
  bad "cursor=x" "cursor"
  bad "gated=maybe" "gated"
  [[ $(curl -s -o /dev/null -w '%{http_code}' "$B/api/models?limit=5000") == 200 ]]
}
t "bad parameters give 400 with a message" bad_params

commit_refresh() {
  local ndjson
  ndjson=$(printf '%s\n%s\n' '{"key":"header","value":{"summary":"card"}}' \
    "$(jq -cn --arg c $'---\nlicense: gpl-3.0\npipeline_tag: summarization\n---\n' \
      '{key:"file", value:{path:"README.md", content:($c|@base64), encoding:"base64"}}')")
  curl -fsS -o /dev/null -H "Authorization: Bearer $ALICE" -H 'Content-Type: application/x-ndjson' \
    --data-binary "$ndjson" "$B/api/models/alice/bert-large/commit/main"
  eq "alice/bert-large" "license=gpl-3.0&pipeline_tag=summarization"
  eq "alice/bert-base bob/bert-bob" "pipeline_tag=fill-mask&sort=id"
}
t "a commit that changes the card changes the tags" commit_refresh

restart() {
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
  command -v sqlite3 >/dev/null || { echo "# sqlite3 not installed: rebuild not checked" >&2; return 0; }
  sqlite3 "$DATA/vitrine.db" 'DELETE FROM repo_tags'
  [[ $(sqlite3 "$DATA/vitrine.db" 'SELECT count(*) FROM repo_tags') == 0 ]]
  start_server "$DATA"
  trap 'kill "$PID"' EXIT  # this runs in a subshell: the harness does not see the new PID
  eq "alice/bert-adapter" "filter=base_model:adapter:alice/bert-base"
  eq "alice/bert-base" "library=transformers&language=en"
}
t "tags are rebuilt at start for a data folder without them" restart

finish
