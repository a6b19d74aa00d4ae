// Fuzzes the JSON Lines / JSON array reader and Arrow's type inference with `datasets`' Json
// fallback: the first byte picks a read size, the rest is the file. Read whole and read in
// small pieces, the file gives the same rows and outcome, within the limits
// (fuzz/dataset_reader_checks.hpp).
#include "dataset_reader_checks.hpp"

using namespace vitrine;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t chunk = 1 + data[0] % 7;
  std::string_view text = fuzz::as_text(data + 1, size - 1);
  datasets::ReaderLimits limits;
  limits.max_row_bytes = 4096;
  limits.max_columns = 64;
  limits.max_json_depth = 16;
  limits.max_json_array_bytes = 8192;

  auto whole = datasets::json_reader(datasets::memory_source(text), limits);
  auto a = fuzz::drain_and_type(*whole, datasets::SourceFormat::kJson, text.size());
  auto pieces = datasets::json_reader(datasets::memory_source(text, chunk), limits);
  auto b = fuzz::drain_and_type(*pieces, datasets::SourceFormat::kJson, text.size());
  FUZZ_CHECK(a.rows == b.rows && a.columns == b.columns);
  FUZZ_CHECK(a.status.kind() == b.status.kind() && a.status.message() == b.status.message());
  FUZZ_CHECK(a.columns.size() <= limits.max_columns);

  auto lines = datasets::text_reader(datasets::memory_source(text), limits);
  fuzz::drain_and_type(*lines, datasets::SourceFormat::kText, text.size());
  return 0;
}
