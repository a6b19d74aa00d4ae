// Fuzzes Parquet rows (parquet_rows.hpp): the input is a whole Parquet file. A file that opens
// gives rows with one cell per top-level field, never more rows than asked, the same rows read
// from an offset as from the start, within small limits; every error is a clear message, and
// cells always serialize. The statistics' column reads agree with the rows where both succeed
// (a flat field's column values are its cells, a list's lengths its cells' sizes), and batches
// read with keep_whole_chunks are the rows of a plain read, as are rows read with a row group's
// largest chunk on a second thread.
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
  const auto& groups = file->footer().row_groups;
  if (!groups.empty() && groups[0].num_rows >= static_cast<int64_t>(rows->size())) {
    for (size_t f = 0; f < fields; ++f) {
      if (auto column = file->flat_column(f)) {
        auto values = file->read_column(0, *column, limits);
        if (!values) {
          FUZZ_CHECK(!values.status().message().empty());
        } else if (values->num_slots == static_cast<uint64_t>(groups[0].num_rows)) {
          size_t v = 0;
          const auto& leaf = file->schema().column_element(*column);
          for (size_t r = 0; r < rows->size(); ++r) {
            if (values->is_null(r)) {
              FUZZ_CHECK((*rows)[r][f].is_null());
              continue;
            }
            if (v >= values->values.size()) break;
            FUZZ_CHECK(parquet_cell(leaf, values->values, v++) == (*rows)[r][f]);
          }
        }
      }
      if (file->has_list_lengths(f)) {
        auto lengths = file->list_lengths(0, f, limits);
        if (!lengths) {
          FUZZ_CHECK(!lengths.status().message().empty());
        } else if (lengths->size() == static_cast<uint64_t>(groups[0].num_rows)) {
          for (size_t r = 0; r < rows->size(); ++r) {
            const auto& cell = (*rows)[r][f];
            if (!cell.is_null() && !cell.is_array()) continue;  // a Json or struct-shaped cell
            FUZZ_CHECK((*lengths)[r] == (cell.is_null() ? -1 : static_cast<int64_t>(cell.size())));
          }
        }
      }
    }
  }
  // A row group's largest chunk read on a second thread: the same rows, and the same reads fail.
  ParquetReadLimits serial = limits, parallel = limits;
  serial.parallel_chunk_bytes = UINT64_MAX;
  parallel.parallel_chunk_bytes = 0;
  auto one = file->read_rows(1, 6, serial);
  auto two = file->read_rows(1, 6, parallel);
  FUZZ_CHECK(one.is_ok() == two.is_ok());
  if (one && two) FUZZ_CHECK(*one == *two);
  auto batched = ParquetFile::open(memory_file(bytes));
  if (batched) {
    batched->keep_whole_chunks();
    for (uint64_t at = 0; at < rows->size(); at += 3) {
      auto got = batched->read_rows(at, 3, limits);
      if (!got) break;
      for (size_t i = 0; i < got->size() && at + i < rows->size(); ++i) {
        FUZZ_CHECK((*got)[i] == (*rows)[at + i]);
      }
    }
  }
  return 0;
}
