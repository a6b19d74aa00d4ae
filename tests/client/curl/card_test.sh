#!/usr/bin/env bash
# Rendered cards over the wire (GET /api/vitrine/card/..., docs/api.md "Rendered cards") against
# a real `vitrine serve`: a README full of script injections committed through the commit API
# comes back as HTML without script, event handlers or javascript: URLs; front matter, broken
# YAML, revisions, relative URLs, a repository without README, gated and private repositories.
# GET /api/vitrine/render/...: any file of a revision rendered as Markdown, the same sanitizer,
# relative URLs from the file's folder, the gate applied as to downloads.
# Needs bash, curl, jq.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/harness.sh"

D="$WORK/data"
"$BIN" user create alice --data "$D" 2>/dev/null
"$BIN" user create bob --data "$D" 2>/dev/null
TOK=$("$BIN" token create --user alice --role write --data "$D")
BOB=$("$BIN" token create --user bob --role read --data "$D")
start_server "$D"

api() { curl -sf -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' "$@"; }
# commit REPO PATH FILE: one file through the NDJSON commit API; prints the new commit id.
commit() {
  printf '{"key":"header","value":{"summary":"card"}}\n{"key":"file","value":{"path":"%s","content":"%s","encoding":"base64"}}\n' \
    "$2" "$(base64 -w0 <"$3")" | curl -sf -X POST "$B/api/models/$1/commit/main" \
    -H "Authorization: Bearer $TOK" -H 'Content-Type: application/x-ndjson' --data-binary @- |
    jq -r .commitOid
}

api -X POST "$B/api/repos/create" -d '{"name":"m"}' >/dev/null
api -X POST "$B/api/repos/create" -d '{"name":"empty"}' >/dev/null
api -X POST "$B/api/repos/create" -d '{"name":"g"}' >/dev/null
api -X POST "$B/api/repos/create" -d '{"name":"p","private":true}' >/dev/null

cat >"$WORK/README.md" <<'EOF'
---
license: mit
tags: [card]
---
# Model <script>alert(1)</script> card

<script>alert(2)</script>
<img src=x onerror=alert(3)>
<a href="&#106;avascript:alert(4)">raw</a>
<iframe src="https://evil.example"></iframe>
<svg onload=alert(5)>
<style>body{display:none}</style>
<div style="x" onclick="alert(6)">div</div>

[a](javascript:alert(7)) [b](JaVaScRiPt:alert(8)) [c](jav&#x09;ascript:alert(9))
[d](&#106;avascript:alert(10)) [e](data:text/html;base64,PHNjcmlwdD4=) <javascript:alert(11)>
[f]( vbscript:msgbox(12))

![figure](figure.png) [docs](docs/a.md) [escape](../../../../etc/passwd) [web](https://example.org)

| a | b |
|---|---|
| 1 | 2 |

- [x] done
EOF
C1=$(commit alice/m README.md "$WORK/README.md")
curl -sf "$B/api/vitrine/card/models/alice/m" >"$WORK/card.json"
jq -r .html "$WORK/card.json" >"$WORK/card.html"; [[ -n "${VERBOSE:-}" ]] && cat "$WORK/card.html"

check "card: 200 with the commit, hasCard, metadata and no YAML error" \
  '[[ $(jq -r ".revision + \" \" + (.hasCard|tostring) + \" \" + .metadata.license + \" \" + (.yamlError|tostring)" "$WORK/card.json") == "$C1 true mit null" ]]'
check "card: no <script>, <iframe>, <svg>, <style> in the HTML" \
  '! grep -Eiq "<(script|iframe|svg|style)" "$WORK/card.html"'
check "card: no event-handler or style attribute" \
  '! grep -Eiq "<[^>]*[[:space:]](on[a-z]+|style)[[:space:]]*=" "$WORK/card.html"'
check "card: no javascript:, vbscript: or data:text URL in href/src" \
  '! grep -Eiq "(href|src)=\"[[:space:]]*(javascript|vbscript|data:text)" "$WORK/card.html" &&
   ! grep -Eiq "javascript:alert\(1?[0-9]\)\"" "$WORK/card.html"'
check "card: GFM table, task list, heading id" \
  'grep -q "<td>2</td>" "$WORK/card.html" &&
   grep -q "<input type=\"checkbox\" checked=\"\" disabled=\"\" />" "$WORK/card.html" &&
   grep -q "<h1 id=\"model-alert1-card\">" "$WORK/card.html"'
check "card: relative image and link resolved at the commit, never above the repository" \
  'grep -q "src=\"/alice/m/resolve/$C1/figure.png\"" "$WORK/card.html" &&
   grep -q "href=\"/alice/m/blob/$C1/docs/a.md\"" "$WORK/card.html" &&
   grep -q "href=\"/alice/m/blob/$C1/etc/passwd\"" "$WORK/card.html"'
check "card: external links get rel=nofollow noopener noreferrer" \
  'grep -q "<a href=\"https://example.org\" rel=\"nofollow noopener noreferrer\">" "$WORK/card.html"'

printf -- '---\nlicense: [mit\n---\n# Still here\n' >"$WORK/bad.md"
C2=$(commit alice/m README.md "$WORK/bad.md")
check "card: broken YAML sets yamlError, the body is still rendered" \
  'curl -sf "$B/api/vitrine/card/models/alice/m" | jq -e ".revision == \"$C2\" and (.yamlError|type) == \"string\" and .metadata == {} and (.html | contains(\"<h1 id=\\\"still-here\\\">Still here</h1>\"))" >/dev/null'
check "card: ?revision= renders an older commit" \
  'curl -sf "$B/api/vitrine/card/models/alice/m?revision=$C1" | jq -e ".revision == \"$C1\" and .metadata.license == \"mit\"" >/dev/null'
check "card: unknown revision is 404" '[[ $(code "$B/api/vitrine/card/models/alice/m?revision=nope") == 404 ]]'

printf 'x' >"$WORK/w.txt"
commit alice/empty w.txt "$WORK/w.txt" >/dev/null
check "card: a repository without README has no card" \
  'curl -sf "$B/api/vitrine/card/models/alice/empty" | jq -e ".hasCard == false and .html == \"\" and .metadata == {} and .yamlError == null" >/dev/null'

commit alice/g README.md "$WORK/README.md" >/dev/null
api -X PUT "$B/api/models/alice/g/settings" -d '{"gated":"manual"}' >/dev/null
check "card: a gated repository's card is public" \
  '[[ $(code "$B/api/vitrine/card/models/alice/g") == 200 && $(code -H "Authorization: Bearer $BOB" "$B/api/vitrine/card/models/alice/g") == 200 ]]'
commit alice/p README.md "$WORK/README.md" >/dev/null
check "card: a private repository's card is hidden (401 anonymous, 404 outsider, 200 owner)" \
  '[[ $(code "$B/api/vitrine/card/models/alice/p") == 401 &&
      $(code -H "Authorization: Bearer $BOB" "$B/api/vitrine/card/models/alice/p") == 404 &&
      $(code -H "Authorization: Bearer $TOK" "$B/api/vitrine/card/models/alice/p") == 200 ]]'
check "card: dataset URLs and a missing repository" \
  '[[ $(code "$B/api/vitrine/card/datasets/alice/nope") == 401 && $(code "$B/api/vitrine/card/spaces/alice/m") == 404 ]]'

# The card editor's preview: POST renders text that is not committed, through the same renderer.
jq -n --rawfile c "$WORK/README.md" --arg r "$C1" '{content: $c, revision: $r}' >"$WORK/preview.json"
HEAD_BEFORE=$(curl -sf -H "Authorization: Bearer $TOK" "$B/api/models/alice/m" | jq -r .sha)
check "card preview: the same HTML and metadata as the committed card, nothing committed" \
  'curl -sf -X POST -H "Authorization: Bearer $TOK" -H "Content-Type: application/json" --data-binary @"$WORK/preview.json" "$B/api/vitrine/card/models/alice/m" >"$WORK/preview-out.json" &&
   [[ "$(jq -r .html "$WORK/preview-out.json")" == "$(jq -r .html "$WORK/card.json")" ]] &&
   jq -e ".hasCard == true and .metadata.license == \"mit\" and .revision == \"$C1\"" "$WORK/preview-out.json" >/dev/null &&
   [[ $(curl -sf -H "Authorization: Bearer $TOK" "$B/api/models/alice/m" | jq -r .sha) == "$HEAD_BEFORE" ]]'
check "card preview: broken YAML gives yamlError; a body without content is 400" \
  'curl -sf -X POST -H "Authorization: Bearer $TOK" -H "Content-Type: application/json" -d "{\"content\":\"---\\na: [b\\n---\\n# T\\n\"}" "$B/api/vitrine/card/models/alice/m" | jq -e "(.yamlError|type) == \"string\"" >/dev/null &&
   [[ $(code -X POST -H "Authorization: Bearer $TOK" -H "Content-Type: application/json" -d "{\"text\":1}" "$B/api/vitrine/card/models/alice/m") == 400 ]]'
check "card preview: a revision that is not a string is 400, one that names nothing is 404" \
  '[[ $(code -X POST -H "Authorization: Bearer $TOK" -H "Content-Type: application/json" -d "{\"content\":\"x\",\"revision\":5}" "$B/api/vitrine/card/models/alice/m") == 400 &&
      $(code -X POST -H "Authorization: Bearer $TOK" -H "Content-Type: application/json" -d "{\"content\":\"x\",\"revision\":\"no-such-branch\"}" "$B/api/vitrine/card/models/alice/m") == 404 ]]'
check "card preview: only writers (401 anonymous, 403 a read token, 404 an outsider on a private repo)" \
  '[[ $(code -X POST -H "Content-Type: application/json" -d "{\"content\":\"x\"}" "$B/api/vitrine/card/models/alice/m") == 401 &&
      $(code -X POST -H "Authorization: Bearer $BOB" -H "Content-Type: application/json" -d "{\"content\":\"x\"}" "$B/api/vitrine/card/models/alice/m") == 403 &&
      $(code -X POST -H "Authorization: Bearer $BOB" -H "Content-Type: application/json" -d "{\"content\":\"x\"}" "$B/api/vitrine/card/models/alice/p") == 404 ]]'

# Any Markdown file of a revision, rendered (the file viewer's view of a .md file).
cat >"$WORK/guide.md" <<'EOF'
# Guide <script>alert(1)</script>

![plot](plot.png) [api](../api.md) [up](../../../../../x.md)
<img src=x onerror=alert(2)> [bad](javascript:alert(3))
EOF
C3=$(commit alice/m docs/guide/intro.md "$WORK/guide.md")
check "render: a Markdown file in a folder, its relative URLs resolved from that folder" \
  'curl -sf "$B/api/vitrine/render/models/alice/m/main/docs/guide/intro.md" >"$WORK/r.json" &&
   jq -e ".revision == \"$C3\" and .path == \"docs/guide/intro.md\" and .hasCard == true" "$WORK/r.json" >/dev/null &&
   jq -r .html "$WORK/r.json" >"$WORK/r.html" &&
   grep -q "src=\"/alice/m/resolve/$C3/docs/guide/plot.png\"" "$WORK/r.html" &&
   grep -q "href=\"/alice/m/blob/$C3/docs/api.md\"" "$WORK/r.html" &&
   grep -q "href=\"/alice/m/blob/$C3/x.md\"" "$WORK/r.html"'
check "render: no script, event handler or javascript: URL" \
  '! grep -Eiq "<script|onerror|javascript:" "$WORK/r.html"'
check "render: a file at a commit id; the README's front matter comes back as metadata" \
  'curl -sf "$B/api/vitrine/render/models/alice/m/$C1/README.md" | jq -e ".revision == \"$C1\" and .metadata.license == \"mit\"" >/dev/null'
check "render: a missing file or a folder is 404 EntryNotFound; an unknown revision 404" \
  '[[ $(code "$B/api/vitrine/render/models/alice/m/main/nope.md") == 404 &&
      $(curl -s -o /dev/null -w "%{header_json}" "$B/api/vitrine/render/models/alice/m/main/docs" | jq -r ".\"x-error-code\"[0]") == EntryNotFound &&
      $(code "$B/api/vitrine/render/models/alice/m/nope/README.md") == 404 ]]'
check "render: the gate applies (401 anonymous, 403 bob before access), private is hidden" \
  '[[ $(code "$B/api/vitrine/render/models/alice/g/main/README.md") == 401 &&
      $(code -H "Authorization: Bearer $BOB" "$B/api/vitrine/render/models/alice/g/main/README.md") == 403 &&
      $(code -H "Authorization: Bearer $TOK" "$B/api/vitrine/render/models/alice/g/main/README.md") == 200 &&
      $(code -H "Authorization: Bearer $BOB" "$B/api/vitrine/render/models/alice/p/main/README.md") == 404 &&
      $(code "$B/api/vitrine/render/models/alice/p/main/README.md") == 401 ]]'

finish
