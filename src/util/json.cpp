// Bounded JSON parsing (util/json.hpp).
#include "util/json.hpp"

namespace vitrine::util {

size_t json_nesting_depth(std::string_view text, size_t limit) {
  size_t depth = 0, deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character cannot end the string
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

Result<nlohmann::json> parse_untrusted_json(std::string_view text, size_t max_depth) {
  // nlohmann's lexer takes a NUL byte for the end of the input, so "[]\0<anything>" would pass
  // as []: no valid JSON text contains one (control characters must be escaped in strings).
  if (text.find('\0') != std::string_view::npos) {
    return Status(ErrorKind::kBadRequest, "Malformed JSON body: a NUL byte");
  }
  if (json_nesting_depth(text, max_depth) > max_depth) {
    return Status(ErrorKind::kUnprocessable,
                  "JSON nested deeper than " + std::to_string(max_depth) + " levels");
  }
  auto parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return Status(ErrorKind::kBadRequest, "Malformed JSON body");
  return parsed;
}

}  // namespace vitrine::util
