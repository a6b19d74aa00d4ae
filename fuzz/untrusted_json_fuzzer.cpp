// Fuzzes the bounded JSON parser that reads every request body: it never throws or crashes, what
// it accepts nests no deeper than the bound in its text (a duplicate key can drop a nested value,
// so the value may be shallower), and the count never misses a level of the parsed value
// (brackets inside strings, escapes and all).
#include <nlohmann/json.hpp>

#include "fuzz_check.hpp"
#include "util/json.hpp"

using namespace vitrine;

namespace {
size_t depth_of(const nlohmann::json& j) {
  if (!j.is_structured()) return 0;
  size_t deepest = 0;
  for (const auto& child : j) deepest = std::max(deepest, depth_of(child));
  return deepest + 1;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = fuzz::as_text(data, size);
  constexpr size_t kBound = 16;
  auto parsed = util::parse_untrusted_json(text, kBound);
  if (parsed) {
    size_t counted = util::json_nesting_depth(text, 1000);
    FUZZ_CHECK(counted <= kBound);
    FUZZ_CHECK(depth_of(*parsed) <= counted);
  } else {
    FUZZ_CHECK(parsed.status().kind() == ErrorKind::kBadRequest ||
               parsed.status().kind() == ErrorKind::kUnprocessable);
  }
  return 0;
}
