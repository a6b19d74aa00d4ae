// What the dataset reader fuzz targets check on every input: a reader drained to its end or
// to an error says only what its header promises, each row has the columns known when it came
// out, its typed cells serialize as JSON, and the rows do not depend on how the bytes were cut
// into reads.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "formats/datasets/row_reader.hpp"
#include "fuzz_check.hpp"

namespace vitrine::fuzz {

struct DrainedRows {
  std::vector<std::string> columns;
  std::vector<datasets::Row> rows;
  Status status;
};

// Drains `reader` (at most `max_rows`), checking each row, then types every row and checks
// the cells. `input_size` bounds bytes_read() when the reader reads the bytes as they are.
inline DrainedRows drain_and_type(datasets::RowReader& reader, datasets::SourceFormat format,
                                  uint64_t input_size, size_t max_rows = 10000) {
  DrainedRows out;
  uint64_t last_bytes = 0;
  while (out.rows.size() < max_rows) {
    auto next = reader.next();
    if (!next) {
      out.status = next.status();
      FUZZ_CHECK(out.status.kind() == ErrorKind::kUnprocessable ||
                 out.status.kind() == ErrorKind::kPayloadTooLarge);
      FUZZ_CHECK(!reader.next());  // the error sticks
      break;
    }
    if (!*next) {
      FUZZ_CHECK(reader.next() && !*reader.next());  // the end sticks
      break;
    }
    FUZZ_CHECK((*next)->size() == reader.columns().size());
    FUZZ_CHECK(reader.bytes_read() >= last_bytes && reader.bytes_read() <= input_size);
    last_bytes = reader.bytes_read();
    out.rows.push_back(std::move(**next));
  }
  out.columns = reader.columns();
  datasets::FeatureInference inference(format);
  for (const auto& row : out.rows) inference.observe(out.columns, row);
  auto features = inference.features(out.columns);
  FUZZ_CHECK(features.size() == out.columns.size());
  for (const auto& row : out.rows) {
    auto typed = inference.typed(out.columns, row);
    FUZZ_CHECK(typed.size() == out.columns.size());
    for (const auto& cell : typed) {
      if (format == datasets::SourceFormat::kCsv) FUZZ_CHECK(!cell.is_structured());
      (void)cell.dump();  // throws on invalid UTF-8: the readers must have refused it
    }
  }
  (void)features.dump();
  return out;
}

}  // namespace vitrine::fuzz
