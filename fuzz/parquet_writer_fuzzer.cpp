// Fuzzes the Parquet writer (parquet_writer.hpp) with the reader as its judge: the input is
// JSON lines, the first the Features ([{"name", "type"}]), each next one a row (an array of
// cells). Features the writer refuses, and cells that do not fit, are clear errors; whatever it
// accepts makes a file the reader opens with the written Features and as many rows as were
// accepted; and the rows read back, written again, read back the same (the writer and the
// reader agree on every cell they let through).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "formats/datasets/parquet_rows.hpp"
#include "formats/datasets/parquet_writer.hpp"
#include "fuzz_check.hpp"

using namespace vitrine;
using namespace vitrine::datasets;

namespace {

struct Written {
  std::string bytes;
  uint64_t rows = 0;
};

// Writes `rows` with `features`; nullopt when the writer refuses the features.
std::optional<Written> write(const nlohmann::ordered_json& features, const std::vector<Row>& rows) {
  Written out;
  ParquetWriteOptions options;
  options.row_group_rows = 3;  // several row groups from a few rows
  auto writer = ParquetWriter::create(
      features,
      [&](std::string_view b) {
        out.bytes.append(b);
        return Status::ok();
      },
      options);
  if (!writer) {
    FUZZ_CHECK(!writer.status().message().empty());
    return std::nullopt;
  }
  for (const auto& row : rows) {
    auto st = (*writer)->add_row(row);
    if (st) {
      ++out.rows;
    } else {
      FUZZ_CHECK(st.kind() == ErrorKind::kUnprocessable && !st.message().empty());
    }
  }
  FUZZ_CHECK((*writer)->finish().is_ok());
  FUZZ_CHECK((*writer)->num_rows() == out.rows);
  return out;
}

std::vector<Row> read_back(const Written& w, nlohmann::ordered_json* features) {
  auto file = ParquetFile::open(memory_file(w.bytes));
  FUZZ_CHECK(file.is_ok());
  FUZZ_CHECK(file->num_rows() == w.rows);
  *features = file->features();
  auto rows = file->read_rows(0, w.rows);
  FUZZ_CHECK(rows.is_ok());
  FUZZ_CHECK(rows->size() == w.rows);
  return std::move(*rows);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = fuzz::as_text(data, size);
  if (text.size() > 64 * 1024) return 0;
  auto features = nlohmann::ordered_json::parse(fuzz::take_until(text, '\n'), nullptr, false);
  if (!features.is_array()) return 0;
  std::vector<Row> rows;
  while (!text.empty() && rows.size() < 64) {
    auto cells = nlohmann::json::parse(fuzz::take_until(text, '\n'), nullptr, false);
    if (!cells.is_array()) continue;
    rows.push_back(Row(cells.begin(), cells.end()));
  }
  auto first = write(features, rows);
  if (!first) return 0;
  nlohmann::ordered_json read_features;
  auto read = read_back(*first, &read_features);
  FUZZ_CHECK(read_features.size() == features.size());
  auto second = write(read_features, read);
  FUZZ_CHECK(second.has_value() && second->rows == read.size());
  nlohmann::ordered_json again_features;
  auto again = read_back(*second, &again_features);
  FUZZ_CHECK(again_features == read_features);
  FUZZ_CHECK(again == read);
  return 0;
}
