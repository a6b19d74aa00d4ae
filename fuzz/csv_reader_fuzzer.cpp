// Fuzzes the CSV reader and pandas' type inference: the first byte picks the separator and a
// read size, the rest is the file. Read whole and read in small pieces, the file gives the same
// rows and the same outcome, within the limits (fuzz/dataset_reader_checks.hpp).
#include "dataset_reader_checks.hpp"

using namespace vitrine;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  datasets::CsvOptions options;
  options.sep = (data[0] & 1) ? '\t' : ',';
  size_t chunk = 1 + (data[0] >> 1) % 7;
  std::string_view text = fuzz::as_text(data + 1, size - 1);
  datasets::ReaderLimits limits;
  limits.max_row_bytes = 4096;
  limits.max_columns = 64;
  limits.max_column_name_bytes = 64;

  auto whole = datasets::csv_reader(datasets::memory_source(text), options, limits);
  auto a = fuzz::drain_and_type(*whole, datasets::SourceFormat::kCsv, text.size());
  auto pieces = datasets::csv_reader(datasets::memory_source(text, chunk), options, limits);
  auto b = fuzz::drain_and_type(*pieces, datasets::SourceFormat::kCsv, text.size());
  FUZZ_CHECK(a.rows == b.rows && a.columns == b.columns);
  FUZZ_CHECK(a.status.kind() == b.status.kind() && a.status.message() == b.status.message());
  FUZZ_CHECK(a.columns.size() <= limits.max_columns);
  return 0;
}
