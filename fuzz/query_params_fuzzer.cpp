// Fuzzes query-string parsing and the accessors handlers call on the result. encode() must
// give a query that parses back to the same values, except that a key that still ends in "[]"
// loses it again, as documented.
#include "fuzz_check.hpp"
#include "util/query.hpp"

using namespace vitrine;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto params = util::QueryParams::parse(fuzz::as_text(data, size));
  for (const char* key : {"expand", "limit", "cursor", "search", "author", "full", "cardData"}) {
    auto all = params.get_all(key);
    FUZZ_CHECK(params.has(key) == !all.empty());
    if (!all.empty()) FUZZ_CHECK(params.get(key) == all.front());
    (void)params.flag(key);
  }
  std::string encoded = params.encode();
  if (encoded.find("%5B%5D=") == std::string::npos &&
      encoded.find("%5B%5D&") == std::string::npos && !encoded.ends_with("%5B%5D")) {
    FUZZ_CHECK(util::QueryParams::parse(encoded).encode() == encoded);
  }
  params.set("cursor", "next page");
  FUZZ_CHECK(params.get_all("cursor").size() == 1);
  return 0;
}
