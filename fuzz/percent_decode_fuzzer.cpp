// Fuzzes percent-decoding, and checks that both encoders round-trip arbitrary bytes through it.
#include "fuzz_check.hpp"
#include "util/encoding.hpp"

using namespace vitrine;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = fuzz::as_text(data, size);
  if (auto decoded = util::percent_decode(text)) {
    FUZZ_CHECK(decoded->size() <= text.size());
  } else {
    FUZZ_CHECK(text.find('%') != std::string_view::npos);
  }
  FUZZ_CHECK(util::percent_decode(util::percent_encode_component(text)) == text);
  FUZZ_CHECK(util::percent_decode(util::percent_encode_path(text)) == text);
  return 0;
}
