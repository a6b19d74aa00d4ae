// Fuzzes LFS pointer parsing. A pointer must be exactly the canonical text, so whatever
// parses must format back to the very same bytes.
#include "formats/git/lfs_pointer.hpp"
#include "fuzz_check.hpp"
#include "util/encoding.hpp"

using namespace vitrine;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view blob = fuzz::as_text(data, size);
  auto pointer = service::parse_lfs_pointer(blob);
  if (!pointer) return 0;
  FUZZ_CHECK(blob.size() <= service::kMaxLfsPointerBytes);
  FUZZ_CHECK(util::is_lower_hex(pointer->oid, 64));
  FUZZ_CHECK(service::format_lfs_pointer(*pointer) == blob);
  return 0;
}
