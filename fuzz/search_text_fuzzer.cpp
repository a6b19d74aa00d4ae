// Fuzzes what /search makes of untrusted text (search_text.hpp): a query's terms are at most
// kMaxQueryTerms, none empty, none holding a space or ASCII punctuation apart from the spaces
// around Chinese and Japanese characters, each once; a cell's text keeps every byte of the
// string it came from, in order.
#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <string>

#include "formats/datasets/search_text.hpp"
#include "fuzz_check.hpp"

using namespace vitrine;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = fuzz::as_text(data, size);
  auto terms = datasets::search_terms(text);
  FUZZ_CHECK(terms.size() <= datasets::kMaxQueryTerms);
  for (size_t i = 0; i < terms.size(); ++i) {
    const auto& t = terms[i];
    FUZZ_CHECK(!t.empty());
    FUZZ_CHECK(std::count(terms.begin(), terms.end(), t) == 1);
    for (char c : t) {
      auto u = static_cast<unsigned char>(c);
      FUZZ_CHECK(u >= 0x80 || std::isalnum(u) || c == ' ');
      FUZZ_CHECK(!std::isupper(u));
    }
  }
  // A string cell: its text is the string with spaces added (never a byte lost or changed).
  nlohmann::ordered_json type = {{"dtype", "string"}, {"_type", "Value"}};
  std::string out;
  datasets::append_search_text(type, nlohmann::json(std::string(text)), &out);
  size_t at = 0;
  for (char c : out) {
    if (at < text.size() && c == text[at]) ++at;
  }
  FUZZ_CHECK(at == text.size());
  return 0;
}
