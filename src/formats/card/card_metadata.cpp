// README front matter extraction and YAML-to-JSON conversion (see card_metadata.hpp).
#include "formats/card/card_metadata.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <optional>

#include "util/concurrency_limit.hpp"

namespace vitrine::service {
namespace {

using nlohmann::json;

constexpr int kMaxDepth = 200;
// Aliases let a few hundred bytes of YAML name billions of values ("billion laughs"), and the
// conversion expands every alias, so it gives up past this many values.
constexpr size_t kMaxValues = 100000;

constexpr std::ptrdiff_t kMaxConcurrentYamlParses = 4;
util::ConcurrencyLimit& yaml_parse_slots() {
  static util::ConcurrencyLimit slots(kMaxConcurrentYamlParses);
  return slots;
}

// Returns the next line (without "\n" or "\r\n") and advances pos past it.
std::string_view next_line(std::string_view text, size_t& pos) {
  size_t nl = text.find('\n', pos);
  size_t end = nl == std::string_view::npos ? text.size() : nl;
  std::string_view line = text.substr(pos, end - pos);
  pos = nl == std::string_view::npos ? text.size() : nl + 1;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

bool is_blank(std::string_view line) {
  return line.find_first_not_of(" \t") == std::string_view::npos;
}

bool all_of(std::string_view s, bool (*pred)(char)) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!pred(c)) return false;
  }
  return true;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_octal(char c) {
  return c >= '0' && c <= '7';
}
bool is_hex_digit(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// An integer in base 10/8/16 as JSON: int64 when it fits, else uint64, else a double.
std::optional<json> parse_integer(std::string_view digits, int base, bool negative) {
  uint64_t magnitude = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
  if (ec == std::errc() && end == digits.data() + digits.size()) {
    if (!negative) {
      if (magnitude <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return json(static_cast<int64_t>(magnitude));
      }
      return json(magnitude);
    }
    if (magnitude <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + 1) {
      return json(static_cast<int64_t>(0 - magnitude));
    }
  }
  // Too large for 64 bits: keep the magnitude approximately, as YAML libraries do.
  double value = 0;
  for (char c : digits) {
    int d = is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
    value = value * base + d;
  }
  return json(negative ? -value : value);
}

// Resolves a plain scalar per the YAML 1.2 core schema.
json resolve_plain_scalar(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  std::string_view v = s;
  if (v.starts_with("0o") && all_of(v.substr(2), is_octal)) {
    return *parse_integer(v.substr(2), 8, false);
  }
  if (v.starts_with("0x") && all_of(v.substr(2), is_hex_digit)) {
    return *parse_integer(v.substr(2), 16, false);
  }
  bool negative = false;
  std::string_view unsigned_part = v;
  if (!v.empty() && (v.front() == '-' || v.front() == '+')) {
    negative = v.front() == '-';
    unsigned_part.remove_prefix(1);
  }
  if (all_of(unsigned_part, is_digit)) return *parse_integer(unsigned_part, 10, negative);
  if (unsigned_part == ".inf" || unsigned_part == ".Inf" || unsigned_part == ".INF") {
    double inf = std::numeric_limits<double>::infinity();
    return negative ? -inf : inf;
  }
  if (v == ".nan" || v == ".NaN" || v == ".NAN") return std::numeric_limits<double>::quiet_NaN();
  // Float: (\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
  size_t i = 0;
  std::string_view u = unsigned_part;
  size_t int_digits = 0;
  while (i < u.size() && is_digit(u[i])) ++i, ++int_digits;
  size_t frac_digits = 0;
  if (i < u.size() && u[i] == '.') {
    ++i;
    while (i < u.size() && is_digit(u[i])) ++i, ++frac_digits;
  }
  bool mantissa_ok = int_digits > 0 || frac_digits > 0;
  if (mantissa_ok && i < u.size() && (u[i] == 'e' || u[i] == 'E')) {
    size_t j = i + 1;
    if (j < u.size() && (u[j] == '-' || u[j] == '+')) ++j;
    size_t exp_digits = 0;
    while (j < u.size() && is_digit(u[j])) ++j, ++exp_digits;
    i = exp_digits > 0 ? j : u.size() + 1;  // an 'e' without digits is not a float
  }
  if (mantissa_ok && i == u.size()) {
    double value = 0;
    auto [end, ec] = std::from_chars(u.data(), u.data() + u.size(), value);
    if (end == u.data() + u.size() && (ec == std::errc() || ec == std::errc::result_out_of_range)) {
      return negative ? -value : value;
    }
  }
  return s;
}

json to_json(const YAML::Node& node, int depth, size_t& values) {
  if (depth > kMaxDepth) throw std::runtime_error("nesting deeper than 200 levels");
  if (++values > kMaxValues) throw std::runtime_error("more than 100000 values");
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return nullptr;
    case YAML::NodeType::Scalar: {
      const std::string& tag = node.Tag();
      // "?" marks a plain scalar; "!" a quoted or block one; anything else an explicit tag.
      if (tag == "?") return resolve_plain_scalar(node.Scalar());
      if (tag == "tag:yaml.org,2002:int" || tag == "tag:yaml.org,2002:float" ||
          tag == "tag:yaml.org,2002:bool" || tag == "tag:yaml.org,2002:null") {
        return resolve_plain_scalar(node.Scalar());
      }
      return node.Scalar();
    }
    case YAML::NodeType::Sequence: {
      json array = json::array();
      for (const auto& item : node) array.push_back(to_json(item, depth + 1, values));
      return array;
    }
    case YAML::NodeType::Map: {
      json object = json::object();
      for (const auto& entry : node) {
        std::string key;
        if (entry.first.IsScalar()) {
          key = entry.first.Scalar();
        } else if (entry.first.IsNull()) {
          key = "null";
        } else {
          YAML::Emitter emitter;
          emitter << YAML::Flow << entry.first;
          key = emitter.c_str();
        }
        object[key] = to_json(entry.second, depth + 1, values);
      }
      return object;
    }
  }
  return nullptr;
}

}  // namespace

FrontMatter parse_front_matter(std::string_view readme) {
  FrontMatter result;
  size_t bom = readme.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  readme.remove_prefix(bom);
  size_t pos = 0;
  std::string_view line;
  do {
    if (pos >= readme.size()) return result;
    line = next_line(readme, pos);
  } while (is_blank(line));
  if (line != "---") return result;
  size_t body_start = pos;
  size_t body_end = std::string_view::npos;
  while (pos < readme.size()) {
    size_t line_start = pos;
    if (next_line(readme, pos) == "---") {
      body_end = line_start;
      break;
    }
  }
  if (body_end == std::string_view::npos) return result;  // unterminated: not front matter
  result.present = true;
  result.content_offset = bom + pos;
  std::string body(readme.substr(body_start, body_end - body_start));
  if (body.size() > kMaxFrontMatterBytes) {
    result.error = "Invalid metadata in README.md: the YAML front matter is " +
                   std::to_string(body.size()) + " bytes, over the limit of " +
                   std::to_string(kMaxFrontMatterBytes);
    return result;
  }
  try {
    // yaml-cpp's node graph costs a few hundred bytes per byte of YAML: few parses at a time.
    auto slot = yaml_parse_slots().acquire();
    YAML::Node root = YAML::Load(body);
    if (root.IsNull() || !root.IsDefined()) return result;
    if (!root.IsMap()) {
      result.error = "Invalid metadata in README.md: the YAML front matter must be a mapping";
      return result;
    }
    size_t values = 0;
    result.data = to_json(root, 0, values);
    // YAML is Unicode text, and cardData is stored with nlohmann's strict dump(), which throws
    // on invalid UTF-8: such a block is invalid metadata here rather than a throw there.
    (void)result.data.dump();
  } catch (const std::exception& e) {
    result.error = std::string("Invalid metadata in README.md: invalid YAML: ") + e.what();
    result.data = json::object();
  }
  return result;
}

}  // namespace vitrine::service
