// The allowlist HTML sanitizer for rendered cards (rules in card_renderer.hpp). It re-serializes
// everything it keeps: text and attribute values are decoded, checked and escaped again, so the
// browser parses exactly what was checked, whatever the input looked like. One pass, linear.
#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "formats/card/card_renderer.hpp"
#include "util/encoding.hpp"

namespace vitrine::service {
namespace {

constexpr size_t kMaxCloseSearch = 16;  // how far down the open-element stack a close tag looks
constexpr size_t kMaxLanguageBytes = 64;
constexpr const char* kLinkRel = "nofollow noopener noreferrer";

constexpr std::array<std::string_view, 27> kAllowedElements = {
    "p",  "h1", "h2",    "h3",    "h4",    "h5",     "h6",  "blockquote", "ul",
    "ol", "li", "pre",   "code",  "em",    "strong", "del", "a",          "img",
    "br", "hr", "table", "thead", "tbody", "tr",     "th",  "td",         "input"};
constexpr std::array<std::string_view, 2> kAllowedExtra = {"sup", "sub"};
constexpr std::array<std::string_view, 26> kDroppedWithContent = {
    "script", "style",     "iframe",  "frame",    "frameset", "object",   "embed",
    "applet", "noscript",  "noembed", "noframes", "template", "textarea", "title",
    "xmp",    "plaintext", "svg",     "math",     "select",   "option",   "form",
    "button", "base",      "meta",    "link",     "head"};

template <size_t N>
bool one_of(const std::array<std::string_view, N>& list, std::string_view name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

bool allowed_element(std::string_view name) {
  return one_of(kAllowedElements, name) || one_of(kAllowedExtra, name);
}

bool void_element(std::string_view name) {
  return name == "br" || name == "hr" || name == "img" || name == "input";
}

bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alnum(char c) {
  return is_alpha(c) || is_digit(c);
}
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}
char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}
bool iequals_prefix(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (lower(text[i]) != prefix[i]) return false;
  }
  return true;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

struct NamedEntity {
  std::string_view name;
  uint32_t code_point;
};
// The named references cmark emits, and those an obfuscated URL would use for its punctuation
// and whitespace. An unknown name stays as written (the result is checked, not the input).
constexpr NamedEntity kNamedEntities[] = {
    {"amp", '&'},    {"lt", '<'},     {"gt", '>'},       {"quot", '"'},      {"apos", '\''},
    {"colon", ':'},  {"Tab", '\t'},   {"NewLine", '\n'}, {"nbsp", 0xA0},     {"sol", '/'},
    {"bsol", '\\'},  {"quest", '?'},  {"num", '#'},      {"lpar", '('},      {"rpar", ')'},
    {"period", '.'}, {"comma", ','},  {"semi", ';'},     {"equals", '='},    {"excl", '!'},
    {"percnt", '%'}, {"plus", '+'},   {"lowbar", '_'},   {"hyphen", 0x2010}, {"dash", 0x2010},
    {"grave", '`'},  {"lsqb", '['},   {"rsqb", ']'},     {"lcub", '{'},      {"rcub", '}'},
    {"ast", '*'},    {"commat", '@'}, {"dollar", '$'},   {"verbar", '|'},    {"Hat", '^'},
};

// Decodes character references the way a browser does in attribute values (decimal, hex,
// named; the `;` optional for numeric ones and for amp/lt/gt/quot).
std::string decode_entities(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  size_t i = 0;
  while (i < in.size()) {
    char c = in[i];
    if (c != '&') {
      out += c;
      ++i;
      continue;
    }
    size_t j = i + 1;
    if (j < in.size() && in[j] == '#') {
      ++j;
      bool hex = j < in.size() && (in[j] == 'x' || in[j] == 'X');
      if (hex) ++j;
      size_t start = j;
      uint32_t cp = 0;
      while (j < in.size() &&
             (hex ? std::isxdigit(static_cast<unsigned char>(in[j])) != 0 : is_digit(in[j]))) {
        char d = in[j];
        uint32_t v = is_digit(d) ? uint32_t(d - '0') : uint32_t(lower(d) - 'a' + 10);
        if (cp <= 0x10FFFF) cp = cp * (hex ? 16 : 10) + v;
        ++j;
      }
      if (j == start) {
        out += '&';
        ++i;
        continue;
      }
      if (j < in.size() && in[j] == ';') ++j;
      append_utf8(out, cp);
      i = j;
      continue;
    }
    size_t start = j;
    while (j < in.size() && is_alnum(in[j]) && j - start < 32) ++j;
    std::string_view name = in.substr(start, j - start);
    bool semicolon = j < in.size() && in[j] == ';';
    const NamedEntity* found = nullptr;
    for (const auto& e : kNamedEntities) {
      if (e.name == name) found = &e;
    }
    bool legacy = name == "amp" || name == "lt" || name == "gt" || name == "quot";
    if (found && (semicolon || legacy)) {
      append_utf8(out, found->code_point);
      i = j + (semicolon ? 1 : 0);
    } else {
      out += '&';
      ++i;
    }
  }
  return out;
}

bool unreserved(char c) {
  return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (unreserved(ch)) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

bool dot_segment(std::string_view s) {
  return s == "." || (s.size() == 3 && iequals_prefix(s, "%2e"));
}
bool dot_dot_segment(std::string_view s) {
  std::string l = lowercase(s);
  return l == ".." || l == ".%2e" || l == "%2e." || l == "%2e%2e";
}

// A relative path normalised inside the repository: '\' as '/', `.` dropped, `..` pops a
// segment and never climbs above the root, empty segments dropped.
std::string normalise_path(std::string_view path) {
  std::vector<std::string_view> segments;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find_first_of("/\\", start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view seg = path.substr(start, end - start);
    if (dot_dot_segment(seg)) {
      if (!segments.empty()) segments.pop_back();
    } else if (!seg.empty() && !dot_segment(seg)) {
      segments.push_back(seg);
    }
    start = end + 1;
  }
  std::string out;
  for (auto seg : segments) {
    if (!out.empty()) out += '/';
    out += seg;
  }
  return out;
}

bool image_data_url(std::string_view url) {
  std::string_view rest = url.substr(5);  // after "data:"
  bool type_ok = false;
  for (std::string_view type :
       {"image/png;base64,", "image/jpeg;base64,", "image/gif;base64,", "image/webp;base64,"}) {
    if (iequals_prefix(rest, type)) {
      rest.remove_prefix(type.size());
      type_ok = true;
      break;
    }
  }
  if (!type_ok) return false;
  return std::all_of(rest.begin(), rest.end(),
                     [](char c) { return is_alnum(c) || c == '+' || c == '/' || c == '='; });
}

// A decoded URL as it may appear in the output, or nullopt when it must go.
std::optional<std::string> clean_url(std::string_view decoded, bool image,
                                     const RenderOptions& options) {
  // What a browser's URL parser ignores (ASCII whitespace and controls) removed everywhere.
  std::string url;
  for (char c : decoded) {
    auto u = static_cast<unsigned char>(c);
    if (u > 0x20 && u != 0x7F) url += c;
  }
  size_t first = url.find_first_of(":/?#\\");
  if (first != std::string::npos && url[first] == ':') {
    std::string scheme = lowercase(std::string_view(url).substr(0, first));
    if (scheme == "http" || scheme == "https" || scheme == "mailto") return url;
    if (image && scheme == "data" && image_data_url(url)) return url;
    return std::nullopt;
  }
  if (url.empty() || url[0] == '/' || url[0] == '\\' || url[0] == '#' || url[0] == '?') {
    return url;
  }
  size_t suffix_at = url.find_first_of("?#");
  std::string_view suffix =
      suffix_at == std::string::npos ? std::string_view() : std::string_view(url).substr(suffix_at);
  std::string_view relative = std::string_view(url).substr(0, suffix_at);
  std::string path;
  if (options.base_dir.empty()) {
    path = normalise_path(relative);
  } else {
    // The folder is a tree path, not a URL: each of its segments is percent-encoded ("a?b"
    // must not end the path), then the relative URL is resolved from it.
    std::string base;
    size_t start = 0;
    while (start <= options.base_dir.size()) {
      size_t end = options.base_dir.find('/', start);
      if (end == std::string::npos) end = options.base_dir.size();
      base += percent_encode(std::string_view(options.base_dir).substr(start, end - start)) + "/";
      start = end + 1;
    }
    path = normalise_path(base + std::string(relative));
  }
  std::string out = options.repo_path;
  if (path.empty()) {
    out += "/tree/" + percent_encode(options.revision);
  } else {
    out += (image ? "/resolve/" : "/blob/") + percent_encode(options.revision) + "/" + path;
  }
  out += suffix;
  return out;
}

struct Attribute {
  std::string name;   // lowercase
  std::string value;  // decoded
};

struct Tag {
  std::string name;  // lowercase
  bool closing = false;
  std::vector<Attribute> attributes;
};

class Sanitizer {
 public:
  Sanitizer(const RenderOptions& options, const std::vector<std::string>* heading_ids)
      : options_(options), heading_ids_(heading_ids) {}

  bool cut() const { return cut_; }

  std::string run(std::string_view html) {
    out_.reserve(html.size() + html.size() / 8);
    size_t i = 0;
    while (i < html.size()) {
      if (out_.size() >= options_.max_html_bytes) {
        cut_ = true;
        break;
      }
      char c = html[i];
      if (c == '<') {
        i = markup(html, i);
      } else if (c == '&') {
        i = reference(html, i);
      } else {
        if (c == '>') {
          out_ += "&gt;";
        } else {
          out_ += c;
        }
        ++i;
      }
    }
    while (!open_.empty()) close_top();
    return std::move(out_);
  }

 private:
  struct Open {
    std::string name;
    bool emitted;
  };

  // A character reference in text is kept when well formed, else its '&' is escaped.
  size_t reference(std::string_view html, size_t i) {
    size_t j = i + 1;
    if (j < html.size() && html[j] == '#') {
      ++j;
      bool hex = j < html.size() && (html[j] == 'x' || html[j] == 'X');
      if (hex) ++j;
      size_t start = j;
      while (j < html.size() && j - start < 8 &&
             (hex ? std::isxdigit(static_cast<unsigned char>(html[j])) != 0 : is_digit(html[j]))) {
        ++j;
      }
      if (j > start && j < html.size() && html[j] == ';') {
        out_.append(html.substr(i, j + 1 - i));
        return j + 1;
      }
    } else {
      size_t start = j;
      while (j < html.size() && is_alnum(html[j]) && j - start < 32) ++j;
      if (j > start && j < html.size() && html[j] == ';') {
        out_.append(html.substr(i, j + 1 - i));
        return j + 1;
      }
    }
    out_ += "&amp;";
    return i + 1;
  }

  // At a '<': a tag, a comment or other markup (dropped), or a lone '<' (escaped).
  size_t markup(std::string_view html, size_t i) {
    std::string_view rest = html.substr(i);
    if (rest.starts_with("<!--")) {
      size_t end = html.find("-->", i + 4);
      return end == std::string_view::npos ? html.size() : end + 3;
    }
    if (rest.starts_with("<!") || rest.starts_with("<?")) {
      size_t end = html.find('>', i);
      return end == std::string_view::npos ? html.size() : end + 1;
    }
    bool closing = rest.starts_with("</");
    size_t name_at = i + (closing ? 2 : 1);
    if (name_at >= html.size() || !is_alpha(html[name_at])) {
      out_ += "&lt;";
      return i + 1;
    }
    Tag tag;
    tag.closing = closing;
    size_t j = name_at;
    while (j < html.size() && is_alnum(html[j])) tag.name += lower(html[j++]);
    j = attributes(html, j, &tag);
    if (closing) {
      end_tag(tag.name);
      return j;
    }
    if (one_of(kDroppedWithContent, tag.name)) return skip_content(html, j, tag.name);
    if (allowed_element(tag.name)) start_tag(tag);
    return j;
  }

  // Reads attributes up to and past the closing '>' as the HTML tokenizer does.
  static size_t attributes(std::string_view html, size_t j, Tag* tag) {
    while (j < html.size()) {
      while (j < html.size() && (is_space(html[j]) || html[j] == '/')) ++j;
      if (j >= html.size()) break;
      if (html[j] == '>') return j + 1;
      size_t name_start = j;
      ++j;  // a first '=' belongs to the name
      while (j < html.size() && !is_space(html[j]) && html[j] != '/' && html[j] != '>' &&
             html[j] != '=') {
        ++j;
      }
      Attribute attr{lowercase(html.substr(name_start, j - name_start)), ""};
      size_t k = j;
      while (k < html.size() && is_space(html[k])) ++k;
      if (k < html.size() && html[k] == '=') {
        ++k;
        while (k < html.size() && is_space(html[k])) ++k;
        if (k < html.size() && (html[k] == '"' || html[k] == '\'')) {
          char quote = html[k];
          size_t end = html.find(quote, k + 1);
          if (end == std::string_view::npos) end = html.size();
          attr.value = decode_entities(html.substr(k + 1, end - k - 1));
          j = std::min(end + 1, html.size());
        } else {
          size_t start = k;
          while (k < html.size() && !is_space(html[k]) && html[k] != '>') ++k;
          attr.value = decode_entities(html.substr(start, k - start));
          j = k;
        }
      }
      if (!tag->closing) tag->attributes.push_back(std::move(attr));
    }
    return html.size();  // unterminated tag: the rest is part of it
  }

  // Skips an element's content up to and past its closing tag (the rest of the input if none).
  static size_t skip_content(std::string_view html, size_t j, std::string_view name) {
    while (true) {
      size_t at = html.find("</", j);
      if (at == std::string_view::npos) return html.size();
      std::string_view after = html.substr(at + 2);
      if (iequals_prefix(after, name) &&
          (after.size() == name.size() || !is_alnum(after[name.size()]))) {
        size_t end = html.find('>', at);
        return end == std::string_view::npos ? html.size() : end + 1;
      }
      j = at + 2;
    }
  }

  const std::string* attribute(const Tag& tag, std::string_view name) {
    for (const auto& a : tag.attributes) {
      if (a.name == name) return &a.value;  // the first one wins, as in browsers
    }
    return nullptr;
  }

  void put_attribute(std::string_view name, std::string_view value) {
    out_ += ' ';
    out_ += name;
    out_ += "=\"";
    util::append_html_escaped(out_, value);
    out_ += '"';
  }

  void start_tag(const Tag& tag) {
    const std::string& name = tag.name;
    bool is_void = void_element(name);
    if (name == "input") {
      const std::string* type = attribute(tag, "type");
      if (!type || lowercase(*type) != "checkbox") return;
    }
    bool heading = name.size() == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6';
    // Counted even when dropped for depth, so the following headings keep their own ids.
    size_t heading_index = heading ? next_heading_++ : 0;
    if (!is_void && open_.size() >= kMaxHtmlDepth) {
      open_.push_back({name, false});
      return;
    }
    out_ += '<';
    out_ += name;
    if (name == "a") {
      if (const std::string* href = attribute(tag, "href")) {
        if (auto url = clean_url(*href, false, options_)) put_attribute("href", *url);
      }
      if (const std::string* title = attribute(tag, "title")) put_attribute("title", *title);
      put_attribute("rel", kLinkRel);
    } else if (name == "img") {
      if (const std::string* src = attribute(tag, "src")) {
        if (auto url = clean_url(*src, true, options_)) put_attribute("src", *url);
      }
      for (const char* keep : {"alt", "title"}) {
        if (const std::string* v = attribute(tag, keep)) put_attribute(keep, *v);
      }
    } else if (name == "ol") {
      const std::string* start = attribute(tag, "start");
      if (start && !start->empty() && start->size() <= 9 &&
          std::all_of(start->begin(), start->end(), is_digit)) {
        put_attribute("start", *start);
      }
    } else if (name == "th" || name == "td") {
      const std::string* align = attribute(tag, "align");
      if (align && (*align == "left" || *align == "center" || *align == "right")) {
        put_attribute("align", *align);
      }
    } else if (name == "code") {
      const std::string* cls = attribute(tag, "class");
      if (cls && cls->starts_with("language-") && cls->size() > 9 &&
          cls->size() <= 9 + kMaxLanguageBytes &&
          std::all_of(cls->begin() + 9, cls->end(), [](char c) {
            return is_alnum(c) || c == '_' || c == '+' || c == '#' || c == '.' || c == '-';
          })) {
        put_attribute("class", *cls);
      }
    } else if (name == "input") {
      put_attribute("type", "checkbox");
      if (attribute(tag, "checked")) put_attribute("checked", "");
      put_attribute("disabled", "");
    } else if (heading) {
      if (heading_ids_ && heading_index < heading_ids_->size()) {
        put_attribute("id", (*heading_ids_)[heading_index]);
      }
    }
    out_ += is_void ? " />" : ">";
    if (!is_void) open_.push_back({name, true});
  }

  void end_tag(const std::string& name) {
    if (!allowed_element(name) || void_element(name)) return;
    size_t depth = std::min(open_.size(), kMaxCloseSearch);
    for (size_t k = 1; k <= depth; ++k) {
      if (open_[open_.size() - k].name == name) {
        for (size_t n = 0; n < k; ++n) close_top();
        return;
      }
    }
  }

  void close_top() {
    if (open_.back().emitted) {
      out_ += "</";
      out_ += open_.back().name;
      out_ += '>';
    }
    open_.pop_back();
  }

  const RenderOptions& options_;
  const std::vector<std::string>* heading_ids_;
  bool cut_ = false;
  size_t next_heading_ = 0;
  std::vector<Open> open_;
  std::string out_;
};

}  // namespace

std::string sanitize_card_html(std::string_view html, const RenderOptions& options,
                               const std::vector<std::string>* heading_ids, bool* cut) {
  Sanitizer sanitizer(options, heading_ids);
  std::string out = sanitizer.run(html);
  if (cut) *cut = sanitizer.cut();
  return out;
}

}  // namespace vitrine::service
