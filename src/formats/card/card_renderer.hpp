// Model and dataset cards rendered to HTML for the web interface: the README's YAML front matter
// is split off (parse_front_matter), the Markdown after it is rendered with cmark-gfm
// (GitHub-flavoured: tables, strikethrough, autolinks, tag filter, task lists) in cmark's safe
// mode, and the HTML cmark produces then goes through an allowlist sanitizer of our own, so a
// cmark bug or a future option change cannot let markup through. Pure functions, thread-safe,
// never throw; time and memory are linear in the input except where cmark itself is not (see
// kMaxCardBytes; a line with more than 256 '|' has the rest written as `&#124;`, since cmark's
// tables are quadratic in the cells of a row).
//
// The rules the output obeys (sanitize_card_html enforces them on any input):
//  - Elements: p, h1-h6, blockquote, ul, ol, li, pre, code, em, strong, del, a, img, br, hr,
//    table, thead, tbody, tr, th, td, input (task-list checkbox), sup, sub. Any other tag is
//    dropped and its text kept, except script, style, iframe, frame, frameset, object, embed,
//    applet, noscript, noembed, noframes, template, textarea, title, xmp, plaintext, svg, math,
//    select, option, form, button, base, meta and link, which are dropped with their content
//    (up to their closing tag). Comments, doctypes and processing instructions are dropped.
//  - Attributes, per element, and nothing else (no on*, no style, no id but ours, no class but
//    code's): a href title; img src alt title; ol start (digits); th/td align
//    (left|center|right); code class (only `language-X`, X of [A-Za-z0-9_+#.-], up to 64
//    characters); input type=checkbox with checked, always disabled (any other input is
//    dropped); h1-h6 the id the renderer computed (see heading ids).
//  - URLs (href, src) are read as a browser would: entities decoded (named, decimal, hex, with
//    or without `;`), ASCII whitespace and control characters removed. A URL whose first ':'
//    comes before any '/', '?' or '#' has a scheme, which must be http, https or mailto
//    (any case); for img src also data:image/(png|jpeg|gif|webp);base64,... Anything else
//    (javascript:, vbscript:, data:text/html, file:, an undecodable entity before the colon)
//    removes the attribute: the link keeps its text, the image its alt text.
//  - Relative URLs (no scheme, not starting with '/', '\', '?' or '#') are resolved inside the
//    repository: `..` and `.` segments (also as %2e, and '\' as '/') are normalised and never
//    climb above the repository root (extra `..` are dropped), then an image becomes
//    `{repo_path}/resolve/{revision}/{path}` and a link `{repo_path}/blob/{revision}/{path}`
//    (the query and fragment are kept; an empty path links to `{repo_path}/tree/{revision}`).
//    Root-relative (`/x`), fragment (`#x`) and query (`?x`) URLs are kept as they are.
//  - Every <a> gets rel="nofollow noopener noreferrer" (and no target).
//  - Text is re-escaped (`<`, `>`, a bare `&`); attribute values are re-quoted and escaped.
//  - Elements are balanced: a closing tag without its open element is dropped, open elements are
//    closed at the end, and nesting deeper than kMaxHtmlDepth keeps the text but not the tags.
//  - Heading ids: the heading's text lowercased (ASCII), letters, digits, '-', '_' and non-ASCII
//    characters kept, spaces to '-', the rest dropped, at most 100 bytes; empty gives "section";
//    a repeated slug gets "-1", "-2", ... as on GitHub. The ids are not prefixed: the web
//    interface must not read globals that an element id could shadow.
//  - Invalid UTF-8 is replaced by U+FFFD (cmark's validation), NUL too.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace vitrine::service {

// READMEs above this are cut at this size (on a UTF-8 boundary) before rendering, with a note at
// the end: cmark 0.29.0.gfm.6 (Debian 12) has inputs of superlinear cost, bounded this way.
inline constexpr size_t kMaxCardBytes = 1u << 20;
inline constexpr size_t kMaxCardHtmlBytes = 4u << 20;
inline constexpr size_t kMaxHtmlDepth = 100;

struct RenderOptions {
  // The repository's web path, e.g. "/alice/bert" or "/datasets/alice/wiki" (no trailing '/').
  std::string repo_path;
  // The revision relative URLs point at (percent-encoded here): the commit id keeps images and
  // links consistent with the rendered text.
  std::string revision = "main";
  // The folder of the rendered file ("" for the root, as for a README): relative URLs resolve
  // from it ("../x" may climb to the root, never above).
  std::string base_dir;
  size_t max_bytes = kMaxCardBytes;
  // The sanitized HTML stops (its open elements closed) once it is this long: Markdown can
  // expand many times over (a line "#" is a heading), and the answer is held in memory.
  size_t max_html_bytes = kMaxCardHtmlBytes;
};

struct RenderedCard {
  bool front_matter = false;                           // a front-matter block was present
  nlohmann::json metadata = nlohmann::json::object();  // the block as JSON ({} when invalid)
  std::string yaml_error;                              // non-empty when the block is invalid
  std::string html;                                    // sanitized HTML of the Markdown body
  bool truncated = false;  // the README was over max_bytes, or its HTML over max_html_bytes
};

// Renders a README (front matter + Markdown) as described above.
RenderedCard render_card(std::string_view readme, const RenderOptions& options);

// The sanitizer alone, over any HTML: enforces the rules above. `heading_ids`, when given,
// are the ids of the headings in document order (missing ones: no id). `cut`, when given, is
// set when the output reached options.max_html_bytes and the rest of the input was dropped.
std::string sanitize_card_html(std::string_view html, const RenderOptions& options,
                               const std::vector<std::string>* heading_ids = nullptr,
                               bool* cut = nullptr);

// The heading slug of a text, before de-duplication ("Model Details" -> "model-details").
std::string heading_slug(std::string_view text);

}  // namespace vitrine::service
