// The helpers shared by the weight-file header readers (weight_header_common.hpp): UTF-8
// sanitising, error-message formatting and strict JSON parsing of untrusted header bytes.
#include "formats/weights/weight_header_common.hpp"

#include <algorithm>
#include <utility>

namespace vitrine::service::weight_header {
namespace {

using nlohmann::json;

constexpr size_t kMaxJsonDepth = 64;       // objects/arrays nested in a JSON header
constexpr size_t kMaxNameInMessage = 200;  // a name quoted in an error message

// Builds a JSON document like nlohmann's own DOM parser (whose parser is iterative), but refuses
// duplicate keys (nlohmann silently keeps the last) and nesting deeper than kMaxJsonDepth
// (destroying and dumping a document recurse).
class StrictJsonBuilder {
 public:
  json root;
  std::string error;

  bool null() { return add(nullptr); }
  bool boolean(bool value) { return add(value); }
  bool number_integer(json::number_integer_t value) { return add(value); }
  bool number_unsigned(json::number_unsigned_t value) { return add(value); }
  bool number_float(json::number_float_t value, const json::string_t&) { return add(value); }
  bool string(json::string_t& value) { return add(std::move(value)); }
  bool binary(json::binary_t&) {
    error = "binary values are not JSON";
    return false;
  }
  bool start_object(size_t) { return open(json::object()); }
  bool start_array(size_t) { return open(json::array()); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool key(json::string_t& name) {
    if (stack_.back()->contains(name)) {
      error = "duplicate key " + quote_name(name);
      return false;
    }
    key_ = std::move(name);
    return true;
  }
  bool parse_error(size_t position, const std::string&, const nlohmann::detail::exception& e) {
    // what() is "[json.exception.parse_error.101] parse error at ...: <reason>"; keep the reason.
    std::string_view what = e.what();
    size_t reason = what.find(": ");
    if (reason != std::string_view::npos) what.remove_prefix(reason + 2);
    error = "invalid JSON at byte " + std::to_string(position) + ": " + sanitize_utf8(what, 200);
    return false;
  }

 private:
  json* place(json&& value) {
    if (stack_.empty()) {
      root = std::move(value);
      return &root;
    }
    json& top = *stack_.back();
    if (top.is_array()) {
      top.push_back(std::move(value));
      return &top.back();
    }
    json& slot = top[key_];
    slot = std::move(value);
    return &slot;
  }
  bool add(json value) {
    place(std::move(value));
    return true;
  }
  bool open(json container) {
    if (stack_.size() >= kMaxJsonDepth) {
      error = "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels";
      return false;
    }
    stack_.push_back(place(std::move(container)));
    return true;
  }
  bool close() {
    stack_.pop_back();
    return true;
  }

  std::vector<json*> stack_;  // open containers; each points into its parent (stable)
  std::string key_;
};

}  // namespace

std::string sanitize_utf8(std::string_view in, size_t max_bytes) {
  static constexpr uint32_t kMinCodePoint[] = {0, 0, 0x80, 0x800, 0x10000};
  std::string out;
  out.reserve(std::min(in.size(), max_bytes));
  size_t i = 0;
  while (i < in.size()) {
    auto lead = static_cast<unsigned char>(in[i]);
    size_t length = lead < 0x80             ? 1
                    : (lead & 0xE0) == 0xC0 ? 2
                    : (lead & 0xF0) == 0xE0 ? 3
                    : (lead & 0xF8) == 0xF0 ? 4
                                            : 0;
    uint32_t code_point = length == 1 ? lead : lead & (0x7F >> length);
    bool valid = length > 0 && length <= in.size() - i;
    for (size_t k = 1; valid && k < length; ++k) {
      auto next = static_cast<unsigned char>(in[i + k]);
      valid = (next & 0xC0) == 0x80;
      code_point = (code_point << 6) | (next & 0x3F);
    }
    if (valid && length > 1) {
      valid = code_point >= kMinCodePoint[length] && code_point <= 0x10FFFF &&
              (code_point < 0xD800 || code_point > 0xDFFF);
    }
    std::string_view piece = valid ? in.substr(i, length) : std::string_view("\xEF\xBF\xBD");
    if (piece.size() > max_bytes - out.size()) break;
    out.append(piece);
    i += valid ? length : 1;
  }
  return out;
}

std::string quote_name(std::string_view name) {
  std::string text = sanitize_utf8(name, kMaxNameInMessage);
  if (text.size() < name.size()) text += "...";
  return json(text).dump();
}

std::string list_text(const std::vector<uint64_t>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(values[i]);
  }
  return out + "]";
}

std::optional<uint64_t> as_uint(const json& value) {
  if (value.is_number_unsigned()) return value.get<uint64_t>();
  if (value.is_number_integer() && value.get<int64_t>() >= 0) {
    return static_cast<uint64_t>(value.get<int64_t>());
  }
  return std::nullopt;
}

Result<json> parse_json_strictly(std::string_view text, std::string_view what) {
  StrictJsonBuilder builder;
  bool parsed = false;
  try {
    parsed = json::sax_parse(text.data(), text.data() + text.size(), &builder);
  } catch (const std::exception& e) {
    return bad_request(std::string(what) + ": invalid JSON: " + sanitize_utf8(e.what(), 200));
  }
  if (!parsed) {
    if (builder.error.empty()) builder.error = "invalid JSON";
    return bad_request(std::string(what) + ": " + builder.error);
  }
  return std::move(builder.root);
}

}  // namespace vitrine::service::weight_header
