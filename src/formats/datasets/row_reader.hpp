// Streaming readers of a dataset's text files: CSV/TSV, JSON Lines, JSON arrays and plain text,
// each also gzip, zstd, bzip2 or xz compressed. Pure: a reader pulls bytes from a ByteSource
// and never touches the file system. Memory is bounded by the limits below whatever the file's
// size: a reader holds one row (and a fixed-size buffer) at a time.
//
// Rows come out as JSON cells in column order, typed as the `datasets` library types them
// (dataset-viewer-contract.md §3, §6.1): CSV through pandas' inference (int64, uint64, float64,
// bool, string), JSON through Arrow's JSON inference (int64, double, bool, string, timestamp[s],
// lists, structs, null) with `datasets`' `Json` type where kinds mix. Column types are inferred
// over the rows read so far by `FeatureInference` (so first rows and full scans use the same
// rules).
//
// Errors are Status values with kUnprocessable (malformed, not UTF-8, or over a limit), and
// their message says which file position and which limit; a decompression bomb is
// kPayloadTooLarge; a failing ByteSource's own error passes through unchanged. After an error a
// reader's next() repeats it. Not thread-safe per reader; readers are independent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace vitrine::datasets {

// Where a reader's bytes come from. read() fills up to `n` bytes and returns how many; 0 means
// the end of the data.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual Result<size_t> read(char* out, size_t n) = 0;
};

// Bytes held in memory (tests, fuzz targets, small files). The view must outlive the source.
std::unique_ptr<ByteSource> memory_source(std::string_view bytes);
// The same, handing out at most `max_read` bytes a read: tests and fuzz targets cut the bytes
// at every place a reader's buffer could end.
std::unique_ptr<ByteSource> memory_source(std::string_view bytes, size_t max_read);

enum class Compression { kNone, kGzip, kZstd, kBzip2, kXz };

// By the path's last extension: .gz, .zst/.zstd, .bz2, .xz; else kNone.
Compression compression_of(std::string_view path);
// The path without its compression extension ("a/b.jsonl.gz" → "a/b.jsonl").
std::string_view strip_compression_extension(std::string_view path);

// A source that decompresses `in` in fixed-size buffers. Output past `max_output_bytes` in
// total is an error (kPayloadTooLarge: a decompression bomb), as is corrupt or truncated input
// (kUnprocessable). Concatenated members/streams/frames are read one after the other, as
// Python's gzip, bz2 and lzma modules and the zstd command do (zero padding after a gzip
// member is skipped); an empty gzip file is empty, an empty file of the other codecs is
// truncated. Decoder memory is bounded: a zstd window over 128 MiB
// and an xz stream needing over 128 MiB are refused (bzip2 needs under 4 MiB). kNone returns
// `in` unchanged.
std::unique_ptr<ByteSource> decompressing(std::unique_ptr<ByteSource> in, Compression c,
                                          uint64_t max_output_bytes);

// Bounds of one reader; passing one is an error (kUnprocessable) whose message names it.
struct ReaderLimits {
  size_t max_row_bytes = 16u << 20;    // one CSV record, JSON line or array element, text line
  size_t max_columns = 1000;           // fields of a CSV record, keys of all JSON rows together
                                       // (TooManyColumnsError in the viewer)
  size_t max_column_name_bytes = 500;  // a CSV header name or JSON key (TooLongColumnNameError)
  size_t max_json_depth = 64;          // nesting of one JSON row ({"a":[1]} is 2)
  size_t max_json_values = 100000;     // objects, arrays, keys and elements of one JSON row
  uint64_t max_json_array_bytes = 256u << 20;  // a top-level JSON array file, which `datasets`
                                               // reads whole
};

using Row = std::vector<nlohmann::json>;  // one cell per column, in column order

class RowReader {
 public:
  virtual ~RowReader() = default;
  // The next row, or nullopt at the end. Its size is columns().size() at the time: a JSON
  // column first seen later is appended to columns(), and earlier rows lack it (null).
  virtual Result<std::optional<Row>> next() = 0;
  virtual const std::vector<std::string>& columns() const = 0;
  // Bytes consumed from the (decompressed) source so far.
  virtual uint64_t bytes_read() const = 0;
};

// A reader whose cells are all text or null (CSV): next_text() gives the next row without
// making a JSON cell of each field, for the paths that read every row (the Parquet export).
// next() and next_text() read from the same place: a row read by one is not read by the other.
class TextRowReader : public RowReader {
 public:
  // The next row's cells, one per column, as views into the reader that stay valid until its
  // next call (an empty view is a null cell: CSV's empty field); nullptr at the end. The same
  // cells as next() (whose string cells are these texts), and the same errors.
  virtual Result<const std::vector<std::string_view>*> next_text() = 0;
};

struct CsvOptions {
  char sep = ',';  // '\t' for .tsv
};

// CSV as pandas.read_csv (C engine, default options) reads it for `datasets`: the first record
// is the header (an empty name becomes "Unnamed: i", a repeated one "a.1", "a.2"…); a UTF-8
// BOM is skipped; a field that starts with '"' is quoted ("" is a quote inside) and may hold
// separators and newlines; "\r\n", "\n" and "\r" end records; blank and whitespace-only lines
// are skipped; a record with fewer fields is padded with nulls. The first data record may have
// more fields than the header: as in pandas, the leading extra fields are the row index, which
// pyarrow keeps as trailing columns "__index_level_0__"…; any later record with more fields
// than the one before is pandas' error ("Error tokenizing data. C error: Expected 2 fields in
// line 3, saw 3"). A record over max_row_bytes or over max_columns fields fails as soon as the
// bound is passed, without reading the rest of it. Cells are the field text (null for an empty
// field, quoted or not) until FeatureInference types them.
std::unique_ptr<TextRowReader> csv_reader(std::unique_ptr<ByteSource> in, CsvOptions options,
                                          ReaderLimits limits = {});

// JSON Lines (one object per line, blank lines skipped; a UTF-8 BOM is skipped) or, when the
// first non-space byte is '[', one JSON array: of objects when a '{' comes before any '"' in
// its first 100 bytes, else of values that each become a row {"text": value} (`datasets`' json
// builder). Array elements are read one at a time (each up to max_row_bytes); an array file
// past max_json_array_bytes is an error, since `datasets` would read it whole. Columns appear
// in the order their keys are first seen. A row that is not an object, or that nests deeper
// than max_json_depth, is an error found before its value is built.
std::unique_ptr<RowReader> json_reader(std::unique_ptr<ByteSource> in, ReaderLimits limits = {});

// One row per line, column "text", line breaks removed (`datasets`' text builder with
// keep_linebreaks=False): "\n", "\r\n" and "\r" end lines, an empty line is an empty row, a
// last line without a break is a row when not empty, and a BOM stays (Python's "utf-8" codec).
std::unique_ptr<RowReader> text_reader(std::unique_ptr<ByteSource> in, ReaderLimits limits = {});

enum class SourceFormat { kCsv, kJson, kText };

// A cell of a flat type without a JSON value: what FeatureInference::typed_text makes of a CSV
// field and ParquetWriter::add_scalar_row takes (the export's path for CSV, which reads every
// row). `text` (kString) views the row it came from.
struct ScalarCell {
  enum class Kind : uint8_t { kNull, kInt64, kUInt64, kFloat64, kBool, kString };
  Kind kind = Kind::kNull;
  int64_t int64 = 0;
  uint64_t uint64 = 0;
  double float64 = 0;
  bool boolean = false;
  std::string_view text;
};

// The cell as a JSON value: what FeatureInference::typed gives for it.
nlohmann::json scalar_json(const ScalarCell& cell);

// Column types of rows read so far, as `datasets` infers them for the format, and the cells
// converted to those types. Feed every row (observe), then ask for features() and cell
// conversions. Memory: per column a small type lattice (nested types for JSON, bounded by
// max_json_depth). A value type: copies are independent.
//
// CSV (pandas, then pa.Table.from_pandas): int64 when every cell is an integer and none is
// missing; uint64 for integers past int64 without negatives or missing cells; float64 for
// numbers (ints with missing cells included, "inf"), and for a column with every cell missing;
// bool when every present cell is true/false in any case; else string. Missing cells are
// pandas' NA spellings ("", "NA", "null", "NaN", "None", "n/a"…). No rows at all: null.
// JSON (Arrow's inference, then `datasets`): null, bool, int64 (double once a number is not an
// int64), string (timestamp[s] while every string is an ISO date or date-time that Arrow
// parses), List, struct; a field whose values change kind (number then string, object then
// list…), or whose objects do not all have the same non-empty key set, is `Json`
// ({"_type":"Json"}), its cells the decoded JSON values. Text: one string column.
class FeatureInference {
 public:
  explicit FeatureInference(SourceFormat format);
  FeatureInference(const FeatureInference& other);
  FeatureInference(FeatureInference&& other) noexcept;
  FeatureInference& operator=(const FeatureInference& other);
  FeatureInference& operator=(FeatureInference&& other) noexcept;
  ~FeatureInference();

  void observe(const std::vector<std::string>& columns, const Row& row);
  // kCsv: the same as observe() of a row whose cells are these texts (an empty view is a null
  // cell), as TextRowReader::next_text gives them, one per column in column order.
  void observe_text(const std::vector<std::string_view>& cells);
  // observe_text(cells), then typed_text(columns, cells, typed) by the types that now hold, in
  // one pass that parses each cell once.
  void observe_text(const std::vector<std::string>& columns,
                    const std::vector<std::string_view>& cells, std::vector<ScalarCell>* typed);
  // The Features JSON of §3.1 per column, in column order: [{"name": …, "type": …}]. Types
  // are nlohmann::json objects, so their keys come sorted: a struct's sub-features by name, and
  // "_type" before "dtype" (`datasets` writes "_type" last; the values are the same).
  nlohmann::json features(const std::vector<std::string>& columns) const;
  // Whether `other` types the cells of `columns` as this one does: the same features and, for
  // CSV, the same pandas outcome behind them (a string column keeps NA text or not).
  bool same_types(const FeatureInference& other, const std::vector<std::string>& columns) const;
  // `row` converted to the inferred types (CSV "1" → 1 for int64, "" → null, NaN and ±inf →
  // null as the viewer's JSON writes them; JSON ints in a float64 column → doubles, timestamps →
  // "YYYY-MM-DDThh:mm:ss" in UTC as the viewer writes a naive datetime), one cell per column:
  // padded with null to columns.size(). A cell that does not fit its column's type (from a row
  // that was not observed) is null for CSV and left as it is for JSON.
  Row typed(const std::vector<std::string>& columns, const Row& row) const;
  Row typed(const std::vector<std::string>& columns, Row&& row) const;  // the same, cells moved
  // kCsv: typed() of a row of texts (as observe_text takes them) into *out, one ScalarCell per
  // column of `columns` (strings view `cells`): the same values as typed()'s JSON cells.
  void typed_text(const std::vector<std::string>& columns,
                  const std::vector<std::string_view>& cells, std::vector<ScalarCell>* out) const;

 private:
  struct CsvColumn;  // pandas' per-column inference state (feature_inference.cpp)
  struct JsonType;   // Arrow's inferred type of one value, nested (feature_inference.cpp)
  SourceFormat format_;
  std::vector<CsvColumn> csv_;  // by column index, for kCsv
  std::vector<JsonType> json_;  // by column index, for kJson
};

}  // namespace vitrine::datasets
