// Fuzzes what `vitrine verify` parses from a hub it does not trust and from local paths: entry
// bundles (accepted bundles re-encode to the same bytes), hex hashes (decode round-trips), cache
// paths (what is accepted is well-formed) and witness state names (never escape the folder).
#include "cli/tlog_client.hpp"
#include "fuzz_check.hpp"

using namespace vitrine;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = fuzz::as_text(data, size);
  if (auto entries = cli::parse_entry_bundle(text)) {
    std::string again;
    for (const auto& e : *entries) {
      FUZZ_CHECK(e.size() <= 0xffff);
      again += static_cast<char>(e.size() >> 8);
      again += static_cast<char>(e.size() & 0xff);
      again += e;
    }
    FUZZ_CHECK(again == text);
  }
  if (auto bytes = cli::decode_lower_hex(text)) FUZZ_CHECK(bytes->size() * 2 == text.size());
  if (auto hash = cli::parse_hash_hex(text)) FUZZ_CHECK(tlog::to_hex(*hash) == text);
  if (auto cache = cli::parse_hub_cache_path(text)) {
    FUZZ_CHECK(cache->commit.size() == 40);
    FUZZ_CHECK(cache->repo.starts_with("models/") || cache->repo.starts_with("datasets/") ||
               cache->repo.starts_with("spaces/"));
  }
  std::string name = cli::state_file_name(text);
  FUZZ_CHECK(name.find('/') == std::string::npos && !name.starts_with("."));
  FUZZ_CHECK(!name.empty() || text.empty());
  return 0;
}
