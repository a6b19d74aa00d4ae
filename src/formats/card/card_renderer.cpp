// Card rendering with cmark-gfm: front matter split off, Markdown to HTML in cmark's safe mode,
// heading ids, then the allowlist sanitizer (card_html_sanitizer.cpp). See card_renderer.hpp.
#include "formats/card/card_renderer.hpp"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include "formats/card/card_metadata.hpp"

namespace vitrine::service {
namespace {

constexpr size_t kMaxSlugBytes = 100;
constexpr size_t kMaxHeadingTextBytes = 400;  // enough for a 100-byte slug
constexpr const char* kExtensions[] = {"table", "strikethrough", "autolink", "tagfilter",
                                       "tasklist"};
// cmark-gfm's table extension takes time quadratic in the cells of a row (it appends each
// cell to a linked list from its head): pipes past this many on one line are written as the
// character reference `&#124;`, which renders the same outside code but splits no cell.
constexpr size_t kMaxPipesPerLine = 256;
constexpr const char* kTruncatedNote =
    "\n<p><em>This card is larger than the hub renders; only its beginning is shown.</em></p>\n";

struct ParserFree {
  void operator()(cmark_parser* p) const { cmark_parser_free(p); }
};
struct NodeFree {
  void operator()(cmark_node* n) const { cmark_node_free(n); }
};
struct IterFree {
  void operator()(cmark_iter* i) const { cmark_iter_free(i); }
};

// The length of the longest prefix of `text` up to `max` bytes that does not cut a UTF-8
// sequence (a lead byte whose continuation bytes lie past the cut is left out).
size_t utf8_prefix(std::string_view text, size_t max) {
  if (text.size() <= max) return text.size();
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  return n;
}

// The body with pipes past kMaxPipesPerLine on a line made inert (see there).
std::string limit_table_cells(std::string_view body) {
  std::string out;
  size_t pipes = 0;
  for (char c : body) {
    if (c == '\n') pipes = 0;
    if (c == '|' && ++pipes > kMaxPipesPerLine) {
      out += "&#124;";
    } else {
      out += c;
    }
  }
  return out;
}

// Unique ids for the headings, in document order (GitHub's scheme: "x", "x-1", "x-2", ...).
std::vector<std::string> heading_ids(cmark_node* doc) {
  std::vector<std::string> ids;
  std::unordered_set<std::string> used;
  std::unordered_map<std::string, int> repeats;
  std::unique_ptr<cmark_iter, IterFree> it(cmark_iter_new(doc));
  std::string text;
  bool in_heading = false;
  cmark_event_type event;
  while ((event = cmark_iter_next(it.get())) != CMARK_EVENT_DONE) {
    cmark_node* node = cmark_iter_get_node(it.get());
    cmark_node_type type = cmark_node_get_type(node);
    if (type == CMARK_NODE_HEADING) {
      if (event == CMARK_EVENT_ENTER) {
        text.clear();
        in_heading = true;
        continue;
      }
      in_heading = false;
      std::string slug = heading_slug(text);
      std::string id = slug;
      if (used.contains(id)) {
        int& n = repeats[slug];
        do {
          id = slug + "-" + std::to_string(++n);
        } while (used.contains(id));
      }
      used.insert(id);
      ids.push_back(std::move(id));
    } else if (in_heading && event == CMARK_EVENT_ENTER &&
               (type == CMARK_NODE_TEXT || type == CMARK_NODE_CODE) &&
               text.size() < kMaxHeadingTextBytes) {
      if (const char* literal = cmark_node_get_literal(node)) text += literal;
    }
  }
  return ids;
}

// Markdown to HTML with the GFM extensions, raw HTML omitted (no CMARK_OPT_UNSAFE), invalid
// UTF-8 replaced.
std::string markdown_html(std::string_view body, std::vector<std::string>* ids) {
  static std::once_flag registered;
  std::call_once(registered, [] { cmark_gfm_core_extensions_ensure_registered(); });
  const int options = CMARK_OPT_VALIDATE_UTF8;
  std::unique_ptr<cmark_parser, ParserFree> parser(cmark_parser_new(options));
  if (!parser) return "";
  for (const char* name : kExtensions) {
    if (cmark_syntax_extension* ext = cmark_find_syntax_extension(name)) {
      cmark_parser_attach_syntax_extension(parser.get(), ext);
    }
  }
  cmark_parser_feed(parser.get(), body.data(), body.size());
  std::unique_ptr<cmark_node, NodeFree> doc(cmark_parser_finish(parser.get()));
  if (!doc) return "";
  *ids = heading_ids(doc.get());
  char* html =
      cmark_render_html(doc.get(), options, cmark_parser_get_syntax_extensions(parser.get()));
  if (!html) return "";
  std::string out(html);
  cmark_get_default_mem_allocator()->free(html);
  return out;
}

}  // namespace

std::string heading_slug(std::string_view text) {
  std::string slug;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (c >= 'A' && c <= 'Z') {
      slug += static_cast<char>(c - 'A' + 'a');
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
               c >= 0x80) {
      slug += ch;
    } else if (c == ' ') {
      slug += '-';
    }
    if (slug.size() > kMaxSlugBytes) break;
  }
  slug.resize(utf8_prefix(slug, kMaxSlugBytes));
  if (slug.empty()) slug = "section";
  return slug;
}

RenderedCard render_card(std::string_view readme, const RenderOptions& options) {
  RenderedCard card;
  if (readme.size() > options.max_bytes) {
    readme = readme.substr(0, utf8_prefix(readme, options.max_bytes));
    card.truncated = true;
  }
  FrontMatter front = parse_front_matter(readme);
  card.front_matter = front.present;
  card.metadata = std::move(front.data);
  card.yaml_error = std::move(front.error);
  std::string_view body = readme.substr(front.content_offset);
  if (body.starts_with("\xEF\xBB\xBF")) body.remove_prefix(3);
  std::string defused;
  if (static_cast<size_t>(std::count(body.begin(), body.end(), '|')) > kMaxPipesPerLine) {
    defused = limit_table_cells(body);
    body = defused;
  }
  std::vector<std::string> ids;
  std::string html = markdown_html(body, &ids);
  bool cut = false;
  card.html = sanitize_card_html(html, options, &ids, &cut);
  card.truncated = card.truncated || cut;
  if (card.truncated) card.html += kTruncatedNote;
  return card;
}

}  // namespace vitrine::service
