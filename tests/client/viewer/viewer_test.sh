#!/usr/bin/env bash
# The dataset viewer's API (dataset-viewer-contract.md §1–2; docs/datasets.md) with curl against
# a real `vitrine serve`: datasets committed through the commit API are processed in the
# background, then /is-valid, /splits and /first-rows answer with the Hub's shapes, headers and
# error codes — configs and splits as `datasets` derives them, typed first rows of CSV, TSV,
# JSON Lines (nested, gzip and zstd compressed) and text files, truncation at 200 kB, private and
# gated datasets answering as missing ones, the `datasets-server.` host name, ResponseNotReady
# while nothing processes, `vitrine datasets reprocess`, and bad files reported on their dataset
# while the hub goes on.
# Needs bash, curl, jq, gzip, zstd (or skips the zstd file), python3.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/harness.sh"

D="$WORK/data"
"$BIN" user create alice --data "$D" 2>/dev/null
"$BIN" user create bob --data "$D" 2>/dev/null
TOK=$("$BIN" token create --user alice --role write --data "$D")
BOB=$("$BIN" token create --user bob --role read --data "$D")
start_server "$D"

api() { curl -sf -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' "$@"; }
# commit REPO FILE_IN_REPO=LOCAL_FILE...: one commit adding the files; prints the commit id.
commit() {
  local repo=$1
  shift
  {
    printf '{"key":"header","value":{"summary":"add files"}}\n'
    for pair in "$@"; do
      printf '{"key":"file","value":{"path":"%s","content":"%s","encoding":"base64"}}\n' \
        "${pair%%=*}" "$(base64 -w0 <"${pair#*=}")"
    done
  } | curl -sf -X POST "$B/api/datasets/$repo/commit/main" -H "Authorization: Bearer $TOK" \
    -H 'Content-Type: application/x-ndjson' --data-binary @- | jq -r .commitOid
}
create() { api -X POST "$B/api/repos/create" -d "{\"name\":\"$1\",\"type\":\"dataset\"${2:-}}" >/dev/null; }

# tc NAME CODE: CODE as one test under set -e (harness.sh's t takes a function).
tc() { TC_CODE=$2; t "$1" run_tc; }
run_tc() { eval "$TC_CODE"; }
# get PATH_AND_QUERY [curl args]: the body into $WORK/body, headers into $WORK/headers.
get() {
  local url=$1
  shift
  curl -s -D "$WORK/headers" -o "$WORK/body" "$@" "$B/datasets-server/$url"
}
header() { grep -i "^$1:" "$WORK/headers" | head -1 | cut -d' ' -f2- | tr -d '\r'; }
status() { head -1 "$WORK/headers" | cut -d' ' -f2; }
# await_answer PATH_AND_QUERY: waits until the answer is computed (not ResponseNotReady); it is
# then in $WORK/body.
await_answer() {
  for _ in $(seq 300); do
    get "$1" -H "Authorization: Bearer $TOK"
    [[ "$(header X-Error-Code)" != "ResponseNotReady" ]] && return 0
    sleep 0.1
  done
  echo "$1 never answered: $(cat "$WORK/body")" >&2
  return 1
}
# answered ENDPOINT DATASET [CONFIG SPLIT]: the endpoint's answer for the split.
answered() { await_answer "$1?dataset=$2&config=${3:-default}&split=${4:-train}"; }
# ready DATASET [CONFIG SPLIT]: its first rows are read.
ready() { answered first-rows "$@"; }

# --- A CSV dataset with train and test splits from the file names --------------------------
printf 'text,label,score,flag\n"hello, world",1,0.5,True\n"two\nlines",0,,False\nthird,1,2,true\n' >"$WORK/train.csv"
printf 'text,label,score,flag\nt1,0,1.5,False\n' >"$WORK/test.csv"
for name in csv json text yaml many big wide deep script; do create "$name"; done
C1=$(commit alice/csv "data/train.csv=$WORK/train.csv" "data/test.csv=$WORK/test.csv")
ready alice/csv

tc "splits: configs and splits as datasets derives them, X-Revision the head" '
  get "splits?dataset=alice/csv"
  [[ $(status) == 200 && $(header X-Revision) == "$C1" ]]
  jq -e ".splits == [{\"dataset\":\"alice/csv\",\"config\":\"default\",\"split\":\"train\"},
                     {\"dataset\":\"alice/csv\",\"config\":\"default\",\"split\":\"test\"}]
         and .pending == [] and .failed == []" "$WORK/body" >/dev/null
  [[ $(header Cache-Control) == "max-age=120" ]]
  header Access-Control-Expose-Headers | grep -q X-Revision'
check "splits: with config=, only the splits" \
  'get "splits?dataset=alice/csv&config=default" && jq -e "(.splits | length) == 2 and (has(\"pending\") | not)" "$WORK/body" >/dev/null'
tc "first-rows: features typed as pandas does, rows with quoted commas and newlines" '
  get "first-rows?dataset=alice/csv&config=default&split=train"
  [[ $(status) == 200 && $(header X-Revision) == "$C1" ]]
  jq -e ".dataset == \"alice/csv\" and .config == \"default\" and .split == \"train\" and .truncated == false
    and ([.features[] | [.feature_idx, .name, .type.dtype, .type._type]]
         == [[0,\"text\",\"string\",\"Value\"],[1,\"label\",\"int64\",\"Value\"],[2,\"score\",\"float64\",\"Value\"],[3,\"flag\",\"bool\",\"Value\"]])
    and (.rows | length) == 3
    and .rows[0] == {\"row_idx\":0,\"row\":{\"text\":\"hello, world\",\"label\":1,\"score\":0.5,\"flag\":true},\"truncated_cells\":[]}
    and .rows[1].row.text == \"two\nlines\" and .rows[1].row.score == null and .rows[2].row.flag == true" "$WORK/body" >/dev/null'
check "first-rows: the test split" \
  'get "first-rows?dataset=alice/csv&config=default&split=test" && jq -e ".rows[0].row == {\"text\":\"t1\",\"label\":0,\"score\":1.5,\"flag\":false}" "$WORK/body" >/dev/null'
# The split is in the Parquet export once /rows answers.
answered rows alice/csv
# searched SPLIT_QUERY: the search's answer once the split's index is built.
searched() { await_answer "search?$1"; }
searched "dataset=alice/csv&config=default&split=train&query=hello"
tc "is-valid: every flag once exported and indexed" '
  get "is-valid?dataset=alice/csv"
  jq -e ". == {\"preview\":true,\"viewer\":true,\"search\":true,\"filter\":true,\"statistics\":true}" "$WORK/body" >/dev/null
  get "is-valid?dataset=alice/csv&config=default&split=test"
  jq -e ".preview == true" "$WORK/body" >/dev/null'
tc "errors: missing parameters 422, unknown config and split 404, as the viewer words them" '
  get "first-rows?dataset=alice/csv&config=default"
  [[ $(status) == 422 && $(header X-Error-Code) == MissingRequiredParameter ]]
  jq -e ".error == \"Parameters '"'"'dataset'"'"', '"'"'config'"'"' and '"'"'split'"'"' are required\"" "$WORK/body" >/dev/null
  get "splits"
  [[ $(status) == 422 ]] && jq -e ".error == \"Parameter '"'"'dataset'"'"' is required\"" "$WORK/body" >/dev/null
  get "first-rows?dataset=alice/csv&config=default&split=nope"
  [[ $(status) == 404 && $(header X-Error-Code) == ResponseNotFound ]]
  get "splits?dataset=alice/csv&config=nope"
  [[ $(status) == 404 && $(header X-Error-Code) == ResponseNotFound && $(header Cache-Control) == "max-age=10" ]]'
check "the datasets-server. host name serves the same API at its root" \
  'curl -s -H "Host: datasets-server.hub.example" "$B/splits?dataset=alice/csv" | jq -e "(.splits | length) == 2" >/dev/null &&
   [[ $(code -H "Host: datasets-server.hub.example" "$B/api/models") == 404 ]]'
tc "search: rows holding any word of the query, best first, with the /rows envelope" '
  get "search?dataset=alice/csv&config=default&split=train&query=HELLO%20lines"
  [[ $(status) == 200 && $(header X-Revision) == "$C1" ]]
  jq -e "[.rows[].row_idx] == [0,1] and .num_rows_total == 2 and .num_rows_per_page == 100
    and .partial == false and .rows[0].row.text == \"hello, world\" and (.features | length) == 4" "$WORK/body" >/dev/null
  get "search?dataset=alice/csv&config=default&split=train&query=lines&offset=1"
  jq -e ".rows == [] and .num_rows_total == 1" "$WORK/body" >/dev/null
  get "search?dataset=alice/csv&config=default&split=train&query=nowhere"
  jq -e ".rows == [] and .num_rows_total == 0" "$WORK/body" >/dev/null'
tc "reading routes: one caller's concurrent requests take turns, and all are answered" '
  for i in 1 2 3 4; do
    curl -s -o /dev/null -w "%{http_code}\n" -H "Authorization: Bearer $TOK" \
      "$B/datasets-server/search?dataset=alice/csv&config=default&split=train&query=hello" >"$WORK/turn$i" &
  done
  wait
  [[ $(cat "$WORK"/turn1 "$WORK"/turn2 "$WORK"/turn3 "$WORK"/turn4 | sort -u) == 200 ]]'
tc "search: a missing query 422, a query past 1000 bytes 422, a bad length 422" '
  get "search?dataset=alice/csv&config=default&split=train"
  [[ $(status) == 422 && $(header X-Error-Code) == MissingRequiredParameter ]]
  jq -e ".error == \"Parameter '"'"'dataset'"'"', '"'"'config'"'"', '"'"'split'"'"' and '"'"'query'"'"' are required\"" "$WORK/body" >/dev/null
  get "search?dataset=alice/csv&config=default&split=train&query=$(printf "a%.0s" $(seq 1001))"
  [[ $(status) == 422 && $(header X-Error-Code) == InvalidParameter ]]
  get "search?dataset=alice/csv&config=default&split=train&query=x&length=101"
  [[ $(status) == 422 && $(header X-Error-Code) == InvalidParameter ]]'
tc "CSV exported to Parquet: /rows equals /first-rows, /parquet names the export, /size the CSV bytes" '
  get "first-rows?dataset=alice/csv&config=default&split=train"
  cp "$WORK/body" "$WORK/first"
  get "rows?dataset=alice/csv&config=default&split=train"
  [[ $(status) == 200 && $(header X-Revision) == "$C1" ]]
  jq -e --slurpfile f "$WORK/first" ".rows == \$f[0].rows and .features == \$f[0].features and .num_rows_total == 3 and .partial == false" "$WORK/body" >/dev/null
  get "parquet?dataset=alice/csv"
  jq -e "[.parquet_files[] | . as \$f | [.config, .split, .filename, (.url | endswith(\"/datasets/alice/csv/resolve/refs%2Fconvert%2Fparquet/default/\(\$f.split)/0000.parquet\"))]]
         == [[\"default\",\"train\",\"0000.parquet\",true],[\"default\",\"test\",\"0000.parquet\",true]] and .partial == false" "$WORK/body" >/dev/null
  url=$(jq -r ".parquet_files[0].url" "$WORK/body")
  curl -sf -H "Authorization: Bearer $TOK" "$url" -o "$WORK/train.parquet"
  [[ $(head -c4 "$WORK/train.parquet") == PAR1 && $(tail -c4 "$WORK/train.parquet") == PAR1 ]]
  get "size?dataset=alice/csv&config=default"
  jq -e ".size.config.num_bytes_original_files == $(( $(stat -c%s "$WORK/train.csv") + $(stat -c%s "$WORK/test.csv") )) and .size.config.num_rows == 4" "$WORK/body" >/dev/null
  get "info?dataset=alice/csv&config=default"
  jq -e ".dataset_info.builder_name == \"csv\" and .dataset_info.splits.train.num_examples == 3" "$WORK/body" >/dev/null
  get "filter?dataset=alice/csv&config=default&split=train&where=%22label%22%3D1"
  jq -e "[.rows[].row_idx] == [0,2]" "$WORK/body" >/dev/null'
# --- Search in every script: digits, diacritics, Cyrillic, Chinese and Japanese ---------------
create langs
cat >"$WORK/langs.jsonl" <<'JSONL'
{"text": "Привет, мир", "tags": ["greeting"], "n": 1}
{"text": "東京タワーは高い", "tags": [], "n": 2}
{"text": "GPT-4 release notes", "tags": ["model", "2023"], "n": 3}
{"text": "Un café à Paris", "tags": null, "n": 4}
{"text": "no match here", "tags": ["мир"], "n": 5}
JSONL
printf 'a,b\n1,2.5\n3,4.5\n' >"$WORK/numbers.csv"
create numbers
commit alice/langs "data/train.jsonl=$WORK/langs.jsonl" >/dev/null
commit alice/numbers "data/train.csv=$WORK/numbers.csv" >/dev/null
searched "dataset=alice/langs&config=default&split=train&query=x"
# search_rows QUERY: the row indexes /search finds, in order, as JSON.
search_rows() {
  get "search?dataset=alice/langs&config=default&split=train&query=$1" -H "Authorization: Bearer $TOK"
  jq -c "[.rows[].row_idx]" "$WORK/body"
}
tc "search: non-Latin scripts, digits, accents, list cells; Chinese and Japanese by phrase" '
  [[ $(search_rows "%D0%BC%D0%B8%D1%80") == "[0,4]" ]]          # мир, in a text and in a list
  [[ $(search_rows "%D0%9C%D0%98%D0%A0") == "[0,4]" ]]          # МИР, case folded
  [[ $(search_rows "%E6%9D%B1%E4%BA%AC") == "[1]" ]]            # 東京
  [[ $(search_rows "%E4%BA%AC%E3%82%BF") == "[1]" ]]            # 京タ, inside a word
  [[ $(search_rows "%E4%BA%AC%E6%9D%B1") == "[]" ]]             # 京東: not in that order
  [[ $(search_rows "4") == "[2]" && $(search_rows "2023") == "[2]" ]]
  [[ $(search_rows "gpt-4") == "[2]" && $(search_rows "cafe") == "[3]" && $(search_rows "CAFÉ") == "[3]" ]]
  [[ $(search_rows "%2A%22%29%28%3A") == "[]" ]]                # *")(: query syntax is only text
  jq -e ".num_rows_total == 0" "$WORK/body" >/dev/null'
tc "search: an index lost (a folder restored without it) or never built (an older release) is built again" '
  rm -rf "$D/viewer/search"
  get "search?dataset=alice/langs&config=default&split=train&query=cafe" -H "Authorization: Bearer $TOK"
  [[ $(status) == 500 && $(header X-Error-Code) == ResponseNotReady ]]
  searched "dataset=alice/langs&config=default&split=train&query=cafe"
  [[ $(status) == 200 ]] && jq -e "[.rows[].row_idx] == [3]" "$WORK/body" >/dev/null
  # A half-written index a stopped server left goes once the revision is processed again.
  folder=$(ls -d "$D"/viewer/search/*/*)
  [[ $(echo "$folder" | wc -l) == 1 ]]
  touch "$folder/0123.fts.tmp42"
  python3 -c "import sqlite3,sys; db=sqlite3.connect(sys.argv[1]); db.execute(\"DELETE FROM viewer_results WHERE step = '"'"'split-search-index'"'"'\"); db.commit()" "$D/vitrine.db"
  searched "dataset=alice/langs&config=default&split=train&query=cafe"
  [[ $(status) == 200 ]] && jq -e "[.rows[].row_idx] == [3]" "$WORK/body" >/dev/null
  for _ in $(seq 50); do [[ -e "$folder/0123.fts.tmp42" ]] || break; sleep 0.1; done
  [[ ! -e "$folder/0123.fts.tmp42" ]] && ls "$folder" | grep -q "\.fts$"'
tc "search: a split without string columns answers SearchFeatureNotAvailableError; is-valid says so" '
  searched "dataset=alice/numbers&config=default&split=train&query=x"
  [[ $(status) == 400 && $(header X-Error-Code) == SearchFeatureNotAvailableError ]]
  jq -e ".error == \"The split does not have search feature enabled.\"" "$WORK/body" >/dev/null
  get "is-valid?dataset=alice/numbers"
  jq -e ".search == false and .filter == true" "$WORK/body" >/dev/null'

# The crumbs of alice/csv as the Hub's viewer writes them (croissant_utils, croissant_crumbs).
cat >"$WORK/crumbs.jq" <<'JQ'
.["@type"] == "sc:Dataset" and .conformsTo == "http://mlcommons.org/croissant/1.1"
and .distribution[0].contentUrl == ($base + "/datasets/alice/csv/tree/refs%2Fconvert%2Fparquet")
and .distribution[1] == {"@type": "cr:FileSet", "@id": "parquet-files-for-config-default",
  "containedIn": {"@id": "repo"}, "encodingFormat": "application/x-parquet",
  "includes": "default/*/*.parquet"}
and .recordSet[0].data == [{"default_splits/split_name": "train"}, {"default_splits/split_name": "test"}]
and ([.recordSet[1].field[] | [.["@id"], .dataType]] == [["default/split", "sc:Text"],
  ["default/text", "sc:Text"], ["default/label", "cr:Int64"], ["default/score", "cr:Float64"],
  ["default/flag", "sc:Boolean"]])
and .recordSet[1].field[0].source.transform.regex == "default/(?:partial-)?(train|test)/.+parquet$"
and .recordSet[1].field[2].source == {"fileSet": {"@id": "parquet-files-for-config-default"},
  "extract": {"column": "label"}}
and (.recordSet[1].description | startswith("alice/csv - 'default' subset"))
JQ
check "croissant-crumbs: the export as Croissant, as the Hub viewer derives it" \
  'get "croissant-crumbs?dataset=alice/csv" && [[ $(status) == 200 && $(header X-Revision) == "$C1" ]] &&
   jq -e --arg base "$B" -f "$WORK/crumbs.jq" "$WORK/body" >/dev/null'
check "the Hub API lists the export and redirects to its files" \
  'api "$B/api/datasets/alice/csv/parquet" | jq -e ".default.train == [\"$B/api/datasets/alice/csv/parquet/default/train/0.parquet\"]" >/dev/null &&
   [[ $(curl -s -o /dev/null -w "%{http_code} %{redirect_url}" -H "Authorization: Bearer $TOK" "$B/api/datasets/alice/csv/parquet/default/test/0.parquet") == "302 $B/datasets/alice/csv/resolve/refs%2Fconvert%2Fparquet/default/test/0000.parquet" ]] &&
   [[ $(code -H "Authorization: Bearer $TOK" "$B/api/datasets/alice/csv/parquet/default/test/1.parquet") == 404 ]]'

# --- JSON Lines: nested values, new keys, compression, keyword folders ----------------------
printf '{"id":1,"meta":{"lang":"en","tags":["a","b"]},"when":"2024-01-02"}\n{"id":2.5,"meta":{"lang":"fr","tags":[]},"extra":true}\n' >"$WORK/a.jsonl"
gzip -c "$WORK/a.jsonl" >"$WORK/a.jsonl.gz"
printf 'first line\nsecond line\n' >"$WORK/notes.txt"
FILES=("train/part-0.jsonl.gz=$WORK/a.jsonl.gz" "validation/part-0.jsonl=$WORK/a.jsonl")
if command -v zstd >/dev/null; then
  zstd -q -c "$WORK/a.jsonl" >"$WORK/a.jsonl.zst"
  FILES+=("test/part-0.jsonl.zst=$WORK/a.jsonl.zst")
fi
commit alice/json "${FILES[@]}" >/dev/null
ready alice/json
tc "json: splits from folder names, compressed files read, nested types and later keys" '
  get "splits?dataset=alice/json"
  jq -e "[.splits[].split][0:2] == [\"train\",\"validation\"]" "$WORK/body" >/dev/null
  get "first-rows?dataset=alice/json&config=default&split=train"
  jq -e "(.features | map({(.name): .type}) | add) as \$f
    | \$f.id == {\"dtype\":\"float64\",\"_type\":\"Value\"}
      and \$f.meta.lang == {\"dtype\":\"string\",\"_type\":\"Value\"}
      and \$f.meta.tags._type == \"List\" and \$f.extra.dtype == \"bool\"
      and .rows[0].row.meta.tags == [\"a\",\"b\"] and .rows[1].row.id == 2.5 and .rows[0].row.extra == null" "$WORK/body" >/dev/null'
if command -v zstd >/dev/null; then
  check "json: a zstd-compressed split" \
    'ready alice/json default test && jq -e "(.rows | length) == 2" "$WORK/body" >/dev/null'
fi
commit alice/text "notes.txt=$WORK/notes.txt" >/dev/null
ready alice/text
check "text: one row per line in a text column" \
  'jq -e ".rows | map(.row) == [{\"text\":\"first line\"},{\"text\":\"second line\"}]" "$WORK/body" >/dev/null'

# --- YAML configs, TSV through sep ------------------------------------------------------------
printf 'a\tb\n1\tx\n' >"$WORK/t.tsv"
printf -- '---\nconfigs:\n- config_name: tabs\n  data_files:\n  - split: train\n    path: "t.tsv"\n- config_name: other\n  data_files: "more/*.csv"\n  default: true\n---\n# Card\n' >"$WORK/README.md"
printf 'c\n3\n' >"$WORK/m.csv"
commit alice/yaml "README.md=$WORK/README.md" "t.tsv=$WORK/t.tsv" "more/m.csv=$WORK/m.csv" >/dev/null
ready alice/yaml other train
tc "yaml configs: the default config first, a .tsv read with tabs" '
  get "splits?dataset=alice/yaml"
  jq -e "[.splits[] | [.config, .split]] == [[\"other\",\"train\"],[\"tabs\",\"train\"]]" "$WORK/body" >/dev/null
  ready alice/yaml tabs train
  jq -e ".rows[0].row == {\"a\":1,\"b\":\"x\"}" "$WORK/body" >/dev/null'

printf -- '---\nconfigs:\n- config_name: good\n  data_files: "m.csv"\n- config_name: bad\n  data_files: "missing.csv"\n---\n' >"$WORK/README2.md"
create broken
commit alice/broken "README.md=$WORK/README2.md" "m.csv=$WORK/m.csv" >/dev/null
ready alice/broken good train
tc "yaml configs: a config whose files are missing is listed as failed, the others answer" '
  get "splits?dataset=alice/broken"
  jq -e "[.splits[].config] == [\"good\"] and [.failed[].config] == [\"bad\"] and (.failed[0].error.error | length) > 0" "$WORK/body" >/dev/null
  get "splits?dataset=alice/broken&config=bad"
  [[ $(status) == 500 && -n $(header X-Error-Code) ]]
  get "first-rows?dataset=alice/broken&config=bad&split=train"
  [[ $(status) == 500 && -n $(header X-Error-Code) ]]'

# --- Truncation -------------------------------------------------------------------------------
python3 - "$WORK" <<'PY'
import sys
w = sys.argv[1]
with open(f"{w}/many.csv", "w") as f:
    f.write("n,s\n")
    for i in range(150):
        f.write(f"{i},row {i}\n")
with open(f"{w}/big.csv", "w") as f:
    f.write("n,s\n")
    for i in range(20):
        f.write(f"{i},{'é' * 15000}\n")
PY
commit alice/many "many.csv=$WORK/many.csv" >/dev/null
commit alice/big "big.csv=$WORK/big.csv" >/dev/null
ready alice/many
check "first-rows: 100 rows at most, truncated when the split has more" \
  'jq -e "(.rows | length) == 100 and .truncated == true and .rows[99].row_idx == 99" "$WORK/body" >/dev/null'
ready alice/big
tc "first-rows: over 200 kB, ten rows kept and cells cut to 100 bytes from the last row back" '
  jq -e "(.rows | length) == 10 and .truncated == true
    and .rows[9].truncated_cells == [\"s\"] and (.rows[9].row.s | utf8bytelength) <= 100
    and (.rows[9].row.s | startswith(\"\\\"éé\")) and .rows[0].truncated_cells == []
    and (.rows[0].row.s | length) == 15000" "$WORK/body" >/dev/null
  (( $(wc -c <"$WORK/body") < 210000 ))'

# --- Access: private and gated datasets answer as missing ones --------------------------------
create secret ',"private":true'
commit alice/secret "data/train.csv=$WORK/train.csv" >/dev/null
ready alice/secret
create gate
commit alice/gate "data/train.csv=$WORK/train.csv" >/dev/null
api -X PUT "$B/api/datasets/alice/gate/settings" -d '{"gated":"manual"}' >/dev/null
ready alice/gate
for ep in "splits?dataset=" "first-rows?config=default&split=train&dataset=" "is-valid?dataset=" "rows?config=default&split=train&dataset=" "search?config=default&split=train&query=hello&dataset="; do
  tc "access: $ep of a private or gated dataset answers as a missing one" '
    get "${ep}alice/nothing-here"; want_anon="$(status) $(header X-Error-Code) $(cat "$WORK/body")"
    get "${ep}alice/nothing-here" -H "Authorization: Bearer $BOB"; want_bob="$(status) $(header X-Error-Code) $(cat "$WORK/body")"
    [[ $want_anon == "401 ExternalUnauthenticatedError "* && $want_bob == "404 ExternalAuthenticatedError "* ]]
    for ds in alice/secret alice/gate; do
      get "$ep$ds"; [[ "$(status) $(header X-Error-Code) $(cat "$WORK/body")" == "$want_anon" ]]
      [[ -z $(header X-Revision) ]]
      get "$ep$ds" -H "Authorization: Bearer $BOB"; [[ "$(status) $(header X-Error-Code) $(cat "$WORK/body")" == "$want_bob" ]]
    done
    get "${ep}alice/secret" -H "Authorization: Bearer $TOK"
    [[ $(status) == 200 || $(status) == 501 || $(header X-Error-Code) == ResponseNotReady ]]'
done

# --- Bad files: an error on their dataset, the hub unharmed -----------------------------------
python3 - "$WORK" <<'PY'
import sys
w = sys.argv[1]
with open(f"{w}/wide.csv", "w") as f:
    f.write(",".join(f"c{i}" for i in range(200000)) + "\n")
with open(f"{w}/deep.jsonl", "w") as f:
    f.write('{"a":' + "[" * 100000 + "]" * 100000 + "}\n")
with open(f"{w}/objs.jsonl", "w") as f:
    f.write('{"a":[' + "{}," * 150000 + '{}]}\n')
with open(f"{w}/urls.csv", "w") as f:
    f.write("u\n")
    for i in range(12):
        f.write("http://example.com/" + "x" * 30000 + "\n")
with open(f"{w}/README3.md", "w") as f:
    f.write("---\nviewer: false\n---\n" + "long card text\n" * 25000)
PY
create objs
create urls
create hidden
commit alice/objs "objs.jsonl=$WORK/objs.jsonl" >/dev/null
commit alice/urls "urls.csv=$WORK/urls.csv" >/dev/null
commit alice/hidden "README.md=$WORK/README3.md" "data/train.csv=$WORK/train.csv" >/dev/null
ready alice/objs
check "bad input: a JSON row of 150,000 tiny values is an error of that split (memory bounded)" \
  '[[ $(status) == 500 && $(header X-Error-Code) == StreamingRowsError ]] && jq -e ".error | test(\"JSON values\")" "$WORK/body" >/dev/null'
ready alice/urls
check "first-rows: over 200 kB even after truncation (URL cells are never cut) is 501 TooBigContentError" \
  '[[ $(status) == 501 && $(header X-Error-Code) == TooBigContentError ]]'
tc "viewer: false in a README longer than the front matter's bound still disables the viewer" '
  ready alice/hidden
  get "splits?dataset=alice/hidden"
  [[ $(status) == 501 && $(header X-Error-Code) == NotSupportedDisabledViewerError ]]'
commit alice/wide "wide.csv=$WORK/wide.csv" >/dev/null
commit alice/deep "deep.jsonl=$WORK/deep.jsonl" >/dev/null
printf 'print("hi")\n' >"$WORK/script.py"
commit alice/script "script.py=$WORK/script.py" "data/train.csv=$WORK/train.csv" >/dev/null
ready alice/wide
check "bad input: 200,000 columns is an error of that split" \
  '[[ $(status) == 500 ]] && [[ -n $(header X-Error-Code) ]] && jq -e ".error | length > 0" "$WORK/body" >/dev/null'
ready alice/deep
check "bad input: JSON nested 100,000 deep is an error of that split" \
  '[[ $(status) == 500 && $(header X-Error-Code) == StreamingRowsError ]]'
tc "a dataset script is not supported (501), as on the Hub" '
  ready alice/script
  get "splits?dataset=alice/script"
  [[ $(status) == 501 && $(header X-Error-Code) == DatasetWithScriptNotSupportedError ]]'
check "the hub still answers after the bad files" \
  'get "splits?dataset=alice/csv" && [[ $(status) == 200 ]]'

# --- Renamed and deleted datasets --------------------------------------------------------------
tc "a renamed dataset answers under its new name; its old name answers RenamedDatasetError" '
  api -X POST "$B/api/repos/move" -d "{\"fromRepo\":\"alice/text\",\"toRepo\":\"alice/text2\",\"type\":\"dataset\"}" >/dev/null
  get "first-rows?dataset=alice/text2&config=default&split=train" -H "Authorization: Bearer $TOK"
  [[ $(status) == 200 ]] && jq -e ".dataset == \"alice/text2\"" "$WORK/body" >/dev/null
  get "splits?dataset=alice/text" -H "Authorization: Bearer $TOK"
  [[ $(status) == 404 && $(header X-Error-Code) == RenamedDatasetError ]]'
tc "a deleted dataset leaves no answers behind" '
  uid_rows() { sqlite3 "$D/vitrine.db" "SELECT COUNT(*) FROM viewer_results"; }
  before=$(uid_rows)
  api -X DELETE "$B/api/repos/delete" -d "{\"name\":\"many\",\"organization\":\"alice\",\"type\":\"dataset\"}" >/dev/null
  (( $(uid_rows) < before ))
  get "splits?dataset=alice/many" -H "Authorization: Bearer $TOK"
  [[ $(status) == 404 && $(header X-Error-Code) == ExternalAuthenticatedError ]]'

# --- A new revision: processed again; reprocess by the CLI with no worker running ------------
printf 'text,label,score,flag\nnew,5,1,True\n' >"$WORK/train2.csv"
C2=$(commit alice/csv "data/train.csv=$WORK/train2.csv")
tc "a push to main is processed: the new head's rows and X-Revision" '
  for _ in $(seq 300); do
    get "first-rows?dataset=alice/csv&config=default&split=train"
    [[ $(header X-Revision) == "$C2" ]] && break
    sleep 0.1
  done
  [[ $(header X-Revision) == "$C2" ]] && jq -e ".rows[0].row.text == \"new\"" "$WORK/body" >/dev/null'
tc "the export follows the new head: its rows, one parentless commit by parquet-converter" '
  for _ in $(seq 300); do
    get "parquet?dataset=alice/csv"
    [[ $(header X-Revision) == "$C2" && $(jq ".pending | length" "$WORK/body") == 0 ]] && break
    sleep 0.1
  done
  url=$(jq -r ".parquet_files[] | select(.split == \"train\") | .url" "$WORK/body")
  curl -sf -H "Authorization: Bearer $TOK" "$url" -o "$WORK/train2.parquet"
  grep -q new "$WORK/train2.parquet"
  api "$B/api/datasets/alice/csv/commits/refs%2Fconvert%2Fparquet" >"$WORK/commits"
  jq -e "length == 1 and .[0].title == \"Update parquet files\" and .[0].authors[0].user == \"parquet-converter\"" "$WORK/commits" >/dev/null'
tc "the export belongs to the hub: a writer commit to refs/convert/parquet is refused (403)" '
  before=$(api "$B/api/datasets/alice/csv/refs" | jq -r ".converts[0].targetCommit")
  code=$(printf "%s\n" "{\"key\":\"header\",\"value\":{\"summary\":\"plant\"}}" \
    "{\"key\":\"file\",\"value\":{\"path\":\"default/train/0000.parquet\",\"content\":\"eA==\"}}" |
    curl -s -o "$WORK/body" -w "%{http_code}" -X POST "$B/api/datasets/alice/csv/commit/refs%2Fconvert%2Fparquet" \
      -H "Authorization: Bearer $TOK" -H "Content-Type: application/x-ndjson" --data-binary @-)
  [[ $code == 403 ]] && grep -q "managed by the hub" "$WORK/body"
  [[ $(api "$B/api/datasets/alice/csv/refs" | jq -r ".converts[0].targetCommit") == "$before" ]]'
create gone
printf 'a\n1\n' >"$WORK/gone.csv"
commit alice/gone "data.csv=$WORK/gone.csv" >/dev/null
tc "a head without data empties its export: nothing listed, nothing to download" '
  for _ in $(seq 300); do
    [[ $(api "$B/api/datasets/alice/gone/parquet" | jq -c .) == "{\"default\":{\"train\":[\"$B/api/datasets/alice/gone/parquet/default/train/0.parquet\"]}}" ]] && break
    sleep 0.1
  done
  printf "%s\n" "{\"key\":\"header\",\"value\":{\"summary\":\"rm\"}}" "{\"key\":\"deletedFile\",\"value\":{\"path\":\"data.csv\"}}" |
    curl -sf -X POST "$B/api/datasets/alice/gone/commit/main" -H "Authorization: Bearer $TOK" \
      -H "Content-Type: application/x-ndjson" --data-binary @- >/dev/null
  for _ in $(seq 300); do
    [[ $(api "$B/api/datasets/alice/gone/parquet" | jq -c .) == "{}" ]] && break
    sleep 0.1
  done
  [[ $(api "$B/api/datasets/alice/gone/parquet" | jq -c .) == "{}" ]]
  [[ $(code -H "Authorization: Bearer $TOK" "$B/datasets/alice/gone/resolve/refs%2Fconvert%2Fparquet/default/train/0000.parquet") == 404 ]]'
kill "$PID"
wait "$PID" 2>/dev/null || true
start_server "$D" --job-workers 0
C3=$(commit alice/csv "data/train.csv=$WORK/train.csv")
tc "no worker: the new head is not ready, the previous revision is served meanwhile" '
  get "first-rows?dataset=alice/csv&config=default&split=train"
  [[ $(header X-Revision) == "$C2" && $(status) == 200 ]]'
create fresh
commit alice/fresh "data/train.csv=$WORK/train.csv" >/dev/null
tc "no worker and nothing processed before: ResponseNotReady (500)" '
  get "splits?dataset=alice/fresh"
  [[ $(status) == 500 && $(header X-Error-Code) == ResponseNotReady ]]'
tc "vitrine datasets reprocess --run processes it; jobs list shows it done" '
  "$BIN" datasets reprocess alice/fresh --run --data "$D" >"$WORK/rp.out" 2>&1
  grep -q "queued job" "$WORK/rp.out"
  get "splits?dataset=alice/fresh"
  [[ $(status) == 200 ]]
  "$BIN" jobs list --state done --data "$D" >"$WORK/jobs.out"
  grep -q "dataset-revision" "$WORK/jobs.out"
  get "first-rows?dataset=alice/csv&config=default&split=train"
  [[ $(header X-Revision) == "$C3" ]]'
check "reprocess of a missing dataset is an error" \
  '! "$BIN" datasets reprocess alice/none --data "$D" 2>/dev/null'
finish
