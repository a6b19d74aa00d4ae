// Fuzzes Xet access token verification (the Bearer value every CAS request carries). Nothing
// but a token this key issued may verify, and a verified token must round-trip.
#include "formats/hub/xet_tokens.hpp"
#include "fuzz_check.hpp"

using namespace vitrine;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view token = fuzz::as_text(data, size);
  constexpr std::string_view kKey = "fuzz-signing-key";
  auto claims = service::verify_xet_token(kKey, token, 1000);
  if (!claims) return 0;
  // Only reachable with a valid MAC: re-issuing the same claims gives the same token.
  FUZZ_CHECK(claims->expires > 1000);
  FUZZ_CHECK(service::issue_xet_token(kKey, *claims) == token);
  return 0;
}
