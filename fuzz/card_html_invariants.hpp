// What the card sanitizer promises about its output (formats/card/card_renderer.hpp), checked by
// reading the output back: shared by the fuzz target and the unit tests.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>

namespace vitrine::fuzz {

// "" when `html` keeps the promises, else what is wrong. In sanitized output '<' and '>' only
// delimit tags (text and attribute values escape them), so a tag is everything between them.
inline std::string card_html_violation(std::string_view html) {
  static constexpr std::string_view kElements[] = {
      "p",     "h1",    "h2",    "h3", "h4",     "h5",  "h6",    "blockquote", "ul", "ol",
      "li",    "pre",   "code",  "em", "strong", "del", "a",     "img",        "br", "hr",
      "table", "thead", "tbody", "tr", "th",     "td",  "input", "sup",        "sub"};
  static constexpr std::string_view kAttributes[] = {"href", "src",     "alt",      "title",
                                                     "rel",  "start",   "align",    "class",
                                                     "type", "checked", "disabled", "id"};
  auto lower = [](std::string_view s) {
    std::string out(s);
    for (char& c : out) c = (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
    return out;
  };
  size_t i = 0;
  while (i < html.size()) {
    size_t open = html.find_first_of("<>", i);
    if (open == std::string_view::npos) break;
    if (html[open] == '>') return "a '>' outside a tag at " + std::to_string(open);
    size_t close = html.find_first_of("<>", open + 1);
    if (close == std::string_view::npos || html[close] == '<') return "an unterminated tag";
    std::string_view tag = html.substr(open + 1, close - open - 1);
    i = close + 1;
    bool closing = tag.starts_with('/');
    if (closing) tag.remove_prefix(1);
    size_t name_end = std::min(tag.find(' '), tag.size());
    std::string name(tag.substr(0, name_end));
    if (std::find(std::begin(kElements), std::end(kElements), name) == std::end(kElements)) {
      return "element not allowed: " + name;
    }
    std::string_view rest = tag.substr(name_end);
    if (closing && !rest.empty()) return "attributes on a closing tag";
    if (rest.ends_with(" /")) rest.remove_suffix(2);
    // Attributes are ` name="value"`, values without '"'.
    while (!rest.empty()) {
      if (!rest.starts_with(' ')) return "malformed attributes in <" + name + ">";
      rest.remove_prefix(1);
      size_t eq = rest.find("=\"");
      if (eq == std::string_view::npos) return "malformed attribute in <" + name + ">";
      std::string attr(rest.substr(0, eq));
      size_t end = rest.find('"', eq + 2);
      if (end == std::string_view::npos) return "unterminated attribute value";
      std::string value(rest.substr(eq + 2, end - eq - 2));
      rest.remove_prefix(end + 1);
      if (std::find(std::begin(kAttributes), std::end(kAttributes), attr) ==
          std::end(kAttributes)) {
        return "attribute not allowed: " + attr;
      }
      if (attr != "href" && attr != "src") continue;
      // Values only carry the sanitizer's own escapes.
      std::string url;
      for (size_t k = 0; k < value.size(); ++k) {
        if (value[k] != '&') {
          url += value[k];
          continue;
        }
        std::string_view ref = std::string_view(value).substr(k);
        if (ref.starts_with("&amp;")) {
          url += '&';
          k += 4;
        } else if (ref.starts_with("&lt;") || ref.starts_with("&gt;")) {
          url += ref[1] == 'l' ? '<' : '>';
          k += 3;
        } else if (ref.starts_with("&quot;")) {
          url += '"';
          k += 5;
        } else {
          return "an entity other than the sanitizer's own in a URL: " + value;
        }
      }
      for (unsigned char c : url) {
        if (c <= 0x20 || c == 0x7F) return "whitespace or a control character in a URL";
      }
      size_t first = url.find_first_of(":/?#\\");
      if (first == std::string::npos || url[first] != ':') continue;
      std::string scheme = lower(std::string_view(url).substr(0, first));
      bool image_data = attr == "src" && lower(url).starts_with("data:image/");
      if (scheme != "http" && scheme != "https" && scheme != "mailto" && !image_data) {
        return "URL scheme not allowed: " + url;
      }
    }
  }
  std::string all = lower(html);
  if (all.find("<script") != std::string::npos) return "<script";
  return "";
}

}  // namespace vitrine::fuzz
