// Fuzzes README front-matter extraction (YAML via yaml-cpp, converted to JSON). Besides
// "never throws", checks the FrontMatter invariants and that the result serializes the way
// RepoService::reindex stores it (nlohmann's strict dump(), which throws on invalid UTF-8).
#include "formats/card/card_metadata.hpp"
#include "fuzz_check.hpp"

using namespace vitrine;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  service::FrontMatter front = service::parse_front_matter(fuzz::as_text(data, size));
  FUZZ_CHECK(front.data.is_object());
  if (!front.present) FUZZ_CHECK(front.error.empty() && front.data.empty());
  if (!front.error.empty()) FUZZ_CHECK(front.data.empty());
  if (front.present && front.error.empty()) {
    // Not compared with a re-parse: .nan and .inf legitimately come back as null.
    std::string card = front.data.dump();
    FUZZ_CHECK(nlohmann::json::parse(card).is_object());
  }
  return 0;
}
