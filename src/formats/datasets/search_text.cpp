// Search documents and query terms (search_text.hpp).
#include "formats/datasets/search_text.hpp"

#include <algorithm>
#include <cctype>

namespace vitrine::datasets {

namespace {

// The code point at s[*at] (advancing *at past it); invalid UTF-8 gives the byte alone.
char32_t next_code_point(std::string_view s, size_t* at) {
  auto b = static_cast<unsigned char>(s[*at]);
  size_t n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
  if (n == 1 || *at + n > s.size()) {
    ++*at;
    return b;
  }
  char32_t cp = b & (0x7F >> n);
  for (size_t i = 1; i < n; ++i) {
    auto c = static_cast<unsigned char>(s[*at + i]);
    if ((c & 0xC0) != 0x80) {
      ++*at;
      return b;
    }
    cp = (cp << 6) | (c & 0x3F);
  }
  *at += n;
  return cp;
}

// Chinese and Japanese characters: scripts written without spaces between words.
bool unspaced(char32_t c) {
  return (c >= 0x2E80 && c <= 0x2FDF) ||  // CJK radicals, Kangxi radicals
         (c >= 0x3040 && c <= 0x30FF) ||  // Hiragana, Katakana
         (c >= 0x3100 && c <= 0x312F) ||  // Bopomofo
         (c >= 0x31A0 && c <= 0x31FF) ||  // Bopomofo extended, Katakana extensions
         (c >= 0x3400 && c <= 0x4DBF) ||  // CJK extension A
         (c >= 0x4E00 && c <= 0x9FFF) ||  // CJK unified ideographs
         (c >= 0xF900 && c <= 0xFAFF) ||  // CJK compatibility ideographs
         (c >= 0xFF66 && c <= 0xFF9F) ||  // halfwidth Katakana
         (c >= 0x20000 && c <= 0x3134F);  // CJK extensions B to G
}

// Appends `text` with every Chinese or Japanese character between spaces.
void append_spaced(std::string_view text, std::string* out) {
  size_t at = 0;
  while (at < text.size()) {
    size_t start = at;
    char32_t c = next_code_point(text, &at);
    if (unspaced(c)) {
      out->push_back(' ');
      out->append(text.substr(start, at - start));
      out->push_back(' ');
    } else {
      out->append(text.substr(start, at - start));
    }
  }
}

template <typename J>
const J* member(const J& object, const char* key) {
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

void append_json_strings(const nlohmann::json& cell, std::string* out) {
  if (cell.is_string()) {
    append_spaced(cell.get_ref<const std::string&>(), out);
    out->push_back(' ');
  } else if (cell.is_array() || cell.is_object()) {
    for (const auto& v : cell) append_json_strings(v, out);
  }
}

}  // namespace

bool searchable_feature(const nlohmann::ordered_json& type) {
  if (type.is_array()) return !type.empty() && searchable_feature(type[0]);
  if (!type.is_object()) return false;
  auto kind = type.value("_type", std::string());
  if (kind == "Value") {
    auto dtype = type.value("dtype", std::string());
    return dtype == "string" || dtype == "large_string";
  }
  if (kind == "Translation" || kind == "TranslationVariableLanguages" || kind == "Json") {
    return true;
  }
  if (kind == "List" || kind == "Sequence" || kind == "LargeList") {
    const auto* inner = member(type, "feature");
    return inner && searchable_feature(*inner);
  }
  if (!kind.empty()) return false;  // media, ClassLabel, arrays
  for (const auto& [name, sub] : type.items()) {
    if (searchable_feature(sub)) return true;
  }
  return false;
}

void append_search_text(const nlohmann::ordered_json& type, const nlohmann::json& cell,
                        std::string* out) {
  if (cell.is_null()) return;
  if (type.is_array()) {
    if (type.empty() || !cell.is_array()) return;
    for (const auto& v : cell) append_search_text(type[0], v, out);
    return;
  }
  if (!type.is_object()) return;
  auto kind = type.value("_type", std::string());
  if (kind == "Value") {
    if (cell.is_string() && searchable_feature(type)) {
      append_spaced(cell.get_ref<const std::string&>(), out);
      out->push_back(' ');
    }
    return;
  }
  if (kind == "Translation" || kind == "TranslationVariableLanguages" || kind == "Json") {
    append_json_strings(cell, out);
    return;
  }
  if (kind == "List" || kind == "Sequence" || kind == "LargeList") {
    const auto* inner = member(type, "feature");
    if (!inner) return;
    // A Sequence of a struct is a struct of lists in `datasets`' cells.
    if (cell.is_array()) {
      for (const auto& v : cell) append_search_text(*inner, v, out);
    } else if (cell.is_object() && inner->is_object()) {
      for (const auto& [name, sub] : inner->items()) {
        const auto* values = member(cell, name.c_str());
        if (values && values->is_array()) {
          for (const auto& v : *values) append_search_text(sub, v, out);
        }
      }
    }
    return;
  }
  if (!kind.empty() || !cell.is_object()) return;
  for (const auto& [name, sub] : type.items()) {
    const auto* v = member(cell, name.c_str());
    if (v) append_search_text(sub, *v, out);
  }
}

std::vector<std::string> search_terms(std::string_view query) {
  std::vector<std::string> terms;
  std::string term;
  auto flush = [&] {
    if (term.empty()) return;
    std::string spaced;
    append_spaced(term, &spaced);
    if (std::find(terms.begin(), terms.end(), spaced) == terms.end()) {
      terms.push_back(std::move(spaced));
    }
    term.clear();
  };
  for (char ch : query) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x80 && !std::isalnum(c)) {
      flush();
      if (terms.size() == kMaxQueryTerms) return terms;
      continue;
    }
    term.push_back(c < 0x80 ? static_cast<char>(std::tolower(c)) : ch);
  }
  flush();
  if (terms.size() > kMaxQueryTerms) terms.resize(kMaxQueryTerms);
  return terms;
}

}  // namespace vitrine::datasets
