// Fuzzes the decompressing byte sources: the input goes through each codec with a small output
// cap. Every codec ends, fails as corrupt or truncated, or stops at the cap, never handing out
// more than the cap; what it hands out then goes through the JSON reader and its typing.
#include "dataset_reader_checks.hpp"

using namespace vitrine;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input = fuzz::as_text(data, size);
  constexpr uint64_t kCap = 256 * 1024;
  for (auto codec : {datasets::Compression::kGzip, datasets::Compression::kZstd,
                     datasets::Compression::kBzip2, datasets::Compression::kXz}) {
    auto source = datasets::decompressing(datasets::memory_source(input), codec, kCap);
    uint64_t total = 0;
    char buffer[4096];
    while (true) {
      auto n = source->read(buffer, sizeof buffer);
      if (!n) {
        FUZZ_CHECK(n.status().kind() == ErrorKind::kUnprocessable ||
                   n.status().kind() == ErrorKind::kPayloadTooLarge);
        FUZZ_CHECK(!source->read(buffer, 1));  // the error sticks
        break;
      }
      if (*n == 0) break;
      FUZZ_CHECK(*n <= sizeof buffer);
      total += *n;
      FUZZ_CHECK(total <= kCap);
    }
    datasets::ReaderLimits limits;
    limits.max_row_bytes = 4096;
    limits.max_columns = 64;
    limits.max_json_depth = 16;
    auto reader = datasets::json_reader(
        datasets::decompressing(datasets::memory_source(input), codec, kCap), limits);
    fuzz::drain_and_type(*reader, datasets::SourceFormat::kJson, kCap, 1000);
  }
  return 0;
}
