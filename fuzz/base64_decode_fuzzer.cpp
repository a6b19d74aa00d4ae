// Fuzzes base64 decoding (commit `file` contents), and checks that encoding round-trips and
// that canonical encodings decode back to themselves.
#include "fuzz_check.hpp"
#include "util/encoding.hpp"

using namespace vitrine;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = fuzz::as_text(data, size);
  if (auto decoded = util::base64_decode(text)) {
    FUZZ_CHECK(decoded->size() <= text.size() / 4 * 3 + 2);
    // Decoding the re-encoding is stable (non-canonical trailing bits may change the text).
    FUZZ_CHECK(util::base64_decode(util::base64_encode(*decoded)) == decoded);
  }
  FUZZ_CHECK(util::base64_decode(util::base64_encode(text)) == text);
  return 0;
}
