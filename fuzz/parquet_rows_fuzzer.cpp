// Fuzzes Parquet rows (parquet_rows.hpp): the input is a whole Parquet file. A file that opens
// gives rows with one cell per top-level field, never more rows than asked, the same rows read
// from an offset as from the start, within small limits; every error is a clear message, and
// cells always serialize.
#include <nlohmann/json.hpp>
#include <string>

#include "formats/datasets/parquet_rows.hpp"
#include "fuzz_check.hpp"

using namespace vitrine;
using namespace vitrine::datasets;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes = fuzz::as_text(data, size);
  auto file = ParquetFile::open(memory_file(bytes));
  if (!file) {
    FUZZ_CHECK(!file.status().message().empty());
    return 0;
  }
  ParquetReadLimits limits;
  limits.column.max_page_bytes = 1 << 20;
  limits.column.max_values = 1 << 16;
  limits.column.max_value_bytes = 1 << 20;
  limits.max_read_bytes = 4 << 20;
  limits.max_values = 1 << 17;
  size_t fields = file->column_names().size();
  FUZZ_CHECK(file->features().size() == fields);
  auto rows = file->read_rows(0, 8, limits);
  if (!rows) {
    FUZZ_CHECK(!rows.status().message().empty());
    return 0;
  }
  FUZZ_CHECK(rows->size() <= 8);
  FUZZ_CHECK(rows->size() == std::min<uint64_t>(8, file->num_rows()));
  for (const auto& row : *rows) {
    FUZZ_CHECK(row.size() == fields);
    for (const auto& cell : row)
      cell.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  if (rows->size() > 2) {
    auto later = file->read_rows(2, 3, limits);
    if (later) {
      for (size_t i = 0; i < later->size(); ++i) FUZZ_CHECK((*later)[i] == (*rows)[2 + i]);
    }
  }
  return 0;
}
