// Fuzzes the CSV reader and pandas' type inference: the first byte picks the separator (odd ones
// included) and a read size, the rest is the file. Read whole and read in small pieces, the file
// gives the same rows and the same outcome, within the limits (fuzz/dataset_reader_checks.hpp).
// Read as text (next_text, observe_text, typed_text: the export's path), it gives the same typed
// cells; and those cells written to Parquet as ScalarCells, on this thread or in background
// batches, make the same file as the JSON cells do.
#include "dataset_reader_checks.hpp"
#include "formats/datasets/parquet_writer.hpp"

using namespace vitrine;

namespace {

// A Parquet file of `rows` (JSON cells, or with `scalar` the same rows as ScalarCells).
std::string parquet_of(const nlohmann::json& features, const std::vector<datasets::Row>& rows,
                       const std::vector<std::vector<datasets::ScalarCell>>& scalar_rows,
                       bool scalar, bool background) {
  std::string out;
  datasets::ParquetWriteOptions options;
  options.row_group_rows = 3;
  options.background = background;
  options.background_batch_rows = 2;
  auto writer = datasets::ParquetWriter::create(
      nlohmann::ordered_json::parse(features.dump()),
      [&](std::string_view b) {
        out.append(b);
        return Status::ok();
      },
      options);
  FUZZ_CHECK(writer.is_ok());
  size_t n = scalar ? scalar_rows.size() : rows.size();
  for (size_t i = 0; i < n; ++i) {
    FUZZ_CHECK(scalar ? (*writer)->add_scalar_row(scalar_rows[i]).is_ok()
                      : (*writer)->add_row(rows[i]).is_ok());
  }
  FUZZ_CHECK((*writer)->finish().is_ok());
  FUZZ_CHECK((*writer)->num_rows() == n);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // Separators a card may name, the odd ones included (a quote, a line break, a blank).
  static constexpr char kSeparators[] = {',', '\t', ';', ' ', '"', '\n', '\r', '|'};
  datasets::CsvOptions options;
  options.sep = kSeparators[data[0] % 8];
  size_t chunk = 1 + (data[0] >> 3) % 7;
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

  // The text path, in pieces: the same rows, the same outcome, the same types and cells.
  auto reader = datasets::csv_reader(datasets::memory_source(text, chunk), options, limits);
  datasets::FeatureInference by_text(datasets::SourceFormat::kCsv);
  // Observed and typed in one pass: the cells typed by the types so far, as a JSON inference
  // fed the same rows types them.
  datasets::FeatureInference fused(datasets::SourceFormat::kCsv);
  datasets::FeatureInference running(datasets::SourceFormat::kCsv);
  std::vector<datasets::ScalarCell> fused_cells;
  std::vector<std::string> texts;  // the cells, kept: views die with the next row
  std::vector<size_t> widths;
  Status status;
  while (widths.size() < a.rows.size() + 1) {
    auto cells = reader->next_text();
    if (!cells) {
      status = cells.status();
      break;
    }
    if (*cells == nullptr) break;
    FUZZ_CHECK((*cells)->size() == reader->columns().size());
    by_text.observe_text(**cells);
    fused.observe_text(reader->columns(), **cells, &fused_cells);
    const datasets::Row& row = a.rows[widths.size()];
    running.observe(reader->columns(), row);
    datasets::Row expected = running.typed(reader->columns(), row);
    FUZZ_CHECK(fused_cells.size() == expected.size());
    for (size_t c = 0; c < expected.size(); ++c)
      FUZZ_CHECK(datasets::scalar_json(fused_cells[c]) == expected[c]);
    for (std::string_view c : **cells) texts.emplace_back(c);
    widths.push_back((*cells)->size());
  }
  FUZZ_CHECK(widths.size() == a.rows.size());
  FUZZ_CHECK(status.kind() == a.status.kind() && status.message() == a.status.message());
  datasets::FeatureInference by_json(datasets::SourceFormat::kCsv);
  for (const auto& row : a.rows) by_json.observe(a.columns, row);
  auto features = by_json.features(a.columns);
  FUZZ_CHECK(by_text.features(a.columns) == features);
  FUZZ_CHECK(by_text.same_types(by_json, a.columns) && fused.same_types(by_json, a.columns));
  std::vector<datasets::Row> typed;
  std::vector<std::vector<datasets::ScalarCell>> scalars;
  size_t at = 0;
  for (size_t r = 0; r < widths.size(); ++r) {
    std::vector<std::string_view> cells(texts.begin() + static_cast<ptrdiff_t>(at),
                                        texts.begin() + static_cast<ptrdiff_t>(at + widths[r]));
    at += widths[r];
    scalars.emplace_back();
    by_text.typed_text(a.columns, cells, &scalars.back());
    typed.push_back(by_json.typed(a.columns, a.rows[r]));
    FUZZ_CHECK(scalars.back().size() == typed.back().size());
    for (size_t c = 0; c < typed.back().size(); ++c) {
      FUZZ_CHECK(datasets::scalar_json(scalars.back()[c]) == typed.back()[c]);
    }
  }
  if (a.columns.empty()) return 0;
  nlohmann::json named = nlohmann::json::array();
  for (const auto& f : features) named.push_back(f);
  std::string from_json = parquet_of(named, typed, scalars, false, false);
  FUZZ_CHECK(parquet_of(named, typed, scalars, true, false) == from_json);
  FUZZ_CHECK(parquet_of(named, typed, scalars, true, true) == from_json);
  return 0;
}
