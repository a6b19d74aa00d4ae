// Query-string parsing and re-serialization (see query.hpp).
#include "util/query.hpp"

#include "util/encoding.hpp"

namespace vitrine::util {
namespace {

std::string form_decode(std::string_view raw) {
  std::string spaced(raw);
  for (char& c : spaced) {
    if (c == '+') c = ' ';
  }
  if (auto decoded = percent_decode(spaced)) return std::move(*decoded);
  return spaced;
}

}  // namespace

QueryParams QueryParams::parse(std::string_view query) {
  QueryParams params;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view piece = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (piece.empty()) continue;
    size_t eq = piece.find('=');
    std::string key = form_decode(piece.substr(0, eq));
    std::string value =
        eq == std::string_view::npos ? std::string() : form_decode(piece.substr(eq + 1));
    if (key.size() >= 2 && key.ends_with("[]")) key.resize(key.size() - 2);
    params.entries_.emplace_back(std::move(key), std::move(value));
  }
  return params;
}

std::optional<std::string> QueryParams::get(std::string_view key) const {
  for (const auto& [k, v] : entries_) {
    if (k == key) return v;
  }
  return std::nullopt;
}

std::vector<std::string> QueryParams::get_all(std::string_view key) const {
  std::vector<std::string> values;
  for (const auto& [k, v] : entries_) {
    if (k == key) values.push_back(v);
  }
  return values;
}

bool QueryParams::has(std::string_view key) const {
  return get(key).has_value();
}

bool QueryParams::flag(std::string_view key) const {
  auto value = get(key);
  return value && (*value == "true" || *value == "True" || *value == "1");
}

std::string QueryParams::encode() const {
  std::string out;
  for (const auto& [k, v] : entries_) {
    if (!out.empty()) out.push_back('&');
    out += percent_encode_component(k);
    out.push_back('=');
    out += percent_encode_component(v);
  }
  return out;
}

void QueryParams::set(std::string key, std::string value) {
  // The first occurrence keeps its position so the re-encoded URL stays recognisable.
  bool found = false;
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (it->first != key) {
      ++it;
    } else if (!found) {
      found = true;
      it->second = value;
      ++it;
    } else {
      it = entries_.erase(it);
    }
  }
  if (!found) entries_.emplace_back(std::move(key), std::move(value));
}

}  // namespace vitrine::util
