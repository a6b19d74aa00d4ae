// A streaming Parquet writer: rows of JSON cells in, a Parquet file out to a sink, as the Hub's
// Parquet conversion (`refs/convert/parquet`, written by pyarrow through `datasets`) would
// write them, so that ParquetFile (parquet_rows.hpp), pyarrow and DuckDB read back the same
// rows and `datasets` the same Features.
//
// The file: "PAR1", row groups of ParquetWriteOptions::row_group_rows rows (fewer when their
// pages pass row_group_max_bytes first, and for the last), each a column chunk per leaf column
// (parquet_column_writer.hpp: data pages v1, dictionary or PLAIN values, compressed with
// `codec`), then the footer: FileMetaData version 2 with the schema (parquet_write_schema.hpp),
// the row groups' column chunk metadata and statistics, column orders, `created_by`, and the
// `huggingface` key-value metadata holding the Features.
//
// Cells are those ParquetFile::read_rows gives and FeatureInference::typed makes (one per
// feature, in the features' order; a shorter row is padded with nulls): see
// parquet_value_encoder.hpp for each type; lists are arrays, dicts objects (a missing key is
// null, keys not in the feature are ignored, as `datasets` encodes them), media are
// {"bytes": base64 or null, "path": string or null} or a path string; null fits anywhere.
//
// Errors: a cell that does not fit its feature is kUnprocessable "column 'a.b', row 12:
// expected an integer" (rows counted from 0, columns named by their feature path); that row is
// not written and the writer stays usable. A sink error, or a page too large, fails the writer
// for good: every later call returns that error, and the bytes already given to the sink are
// not a valid file. After finish(), add_row and finish fail.
//
// Memory: the open row group only — its column chunks' compressed pages, each column's open
// page (about 1 MiB raw, plus one row) and dictionary (about 1 MiB, plus one row) — so about
// row_group_max_bytes plus 2 MiB a column plus one row; closed row groups are in the sink, and
// the footer's metadata (a few hundred bytes per column chunk) is kept until finish(). Not
// thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "formats/datasets/parquet_column_writer.hpp"
#include "formats/datasets/parquet_metadata.hpp"
#include "formats/datasets/parquet_write_schema.hpp"
#include "formats/datasets/row_reader.hpp"
#include "util/result.hpp"
#include "util/spare_threads.hpp"

namespace vitrine::datasets {

struct ParquetWriteOptions {
  uint64_t row_group_rows = 1000;            // datasets' default writer batch; 100 for media
  uint64_t row_group_max_bytes = 64u << 20;  // a row group also closes when its pages pass this
  CompressionCodec codec = CompressionCodec::kSnappy;  // pyarrow's default; also UNCOMPRESSED,
                                                       // GZIP, ZSTD, LZ4_RAW
  std::string created_by = "vitrine";
  bool dictionary = true;  // dictionary-encode byte-array columns (pyarrow does)
  // Rows are put into batches (background_batch_rows rows, fewer past 1 MiB of ScalarCells and
  // their text or of JSON rows' source_bytes; ScalarCell rows copied, JSON rows moved in by
  // add_row(Row&&), copied by add_row(const Row&))
  // and each batch is written on an idle spare thread (util/spare_threads.hpp) while the caller
  // makes the next, or on the caller's thread when none is idle; a batch's rows are freed on
  // the caller's thread. A batch's cells are checked when it is written, so a refused row is
  // reported by a later add or by finish(), and it fails the writer for good; the sink is called
  // on either thread (never on two at once); bytes_written() and bytes_buffered() count the
  // batches written.
  bool background = false;
  size_t background_batch_rows = 1000;
  // Added to the row numbers of messages ("column 'a', row 12": a shard's first row in its
  // split).
  uint64_t first_row_number = 0;
};

class ParquetWriter {
 public:
  // A writer of rows of `features` ([{"name": …, "type": <Features JSON type>}], as
  // parquet_features() and FeatureInference::features() give them) to `sink`, which receives
  // the file's bytes in order (the leading "PAR1" before create returns). Errors: an
  // unsupported or malformed feature (build_write_schema), row_group_rows of 0, a codec that
  // cannot be written (kUnprocessable); the sink's own error.
  static Result<std::unique_ptr<ParquetWriter>> create(const nlohmann::ordered_json& features,
                                                       std::function<Status(std::string_view)> sink,
                                                       ParquetWriteOptions options = {});

  // Adds one row (cells in the features' order); may close a row group into the sink.
  Status add_row(const Row& row);
  // The same; with background, the row is moved into the batch, and `source_bytes` (the size
  // of the text it was read from) counts toward the batch's 1 MiB.
  Status add_row(Row&& row, size_t source_bytes = 0);
  // The same for a schema of top-level values only (no lists, structs or media: a CSV's),
  // cells given as ScalarCells (encode_parquet_value says which fit): the export's path
  // without a JSON value per cell. kUnprocessable for another schema.
  Status add_scalar_row(const std::vector<ScalarCell>& row);
  // Closes the last row group and writes the footer, its length and "PAR1".
  Status finish();

  ~ParquetWriter();                                // waits for a batch being written
  uint64_t num_rows() const { return num_rows_; }  // written (with background: by batches)
  uint64_t bytes_written() const { return bytes_written_; }  // handed to the sink so far
  uint64_t bytes_buffered() const;  // the open row group's pages and buffers
  const WriteSchema& schema() const { return schema_; }

 private:
  ParquetWriter(WriteSchema schema, std::function<Status(std::string_view)> sink,
                ParquetWriteOptions options);

  Status shred(const WriteNode& node, const nlohmann::json& value, int16_t repetition);
  void shred_absent(const WriteNode& node, int16_t repetition, int16_t definition);
  // Rows for the background, in order: a ScalarCell row's cells in `cells`, their texts in
  // `text` (a cell's view is rebuilt from `text_at` when written); a JSON row in `rows`.
  struct Batch {
    static constexpr size_t kJsonRow = SIZE_MAX;
    std::vector<size_t> widths;  // per row: its ScalarCells, or kJsonRow
    std::vector<ScalarCell> cells;
    std::vector<size_t> text_at;
    std::string text;
    std::vector<Row> rows;
    size_t bytes = 0;  // text and source bytes, toward the batch's bound
    void clear();
  };
  Status write_json_row(const Row& row);
  Status write_scalar_row(const std::vector<ScalarCell>& row);
  Status write_batch(Batch& batch);
  Status batched();  // after a row went into filling_: hands it over when full
  // The row being written, as messages number it.
  uint64_t row_number() const { return options_.first_row_number + num_rows_; }
  Status dispatch();  // hands the filling batch over (after the one in flight)
  Status settle();    // waits for the batch in flight: its status
  Status end_row();   // the row's slots are all added
  uint64_t open_group_bytes() const;
  Status flush_row_group();
  Status write(std::string_view bytes);
  std::string footer() const;
  Status fail(Status status);

  WriteSchema schema_;
  std::function<Status(std::string_view)> sink_;
  ParquetWriteOptions options_;
  std::vector<ParquetColumnWriter> columns_;
  std::vector<RowGroup> row_groups_;
  std::atomic<uint64_t> num_rows_ = 0;  // atomics: read while a batch is written
  uint64_t group_rows_ = 0;
  std::atomic<uint64_t> bytes_written_ = 0;
  std::atomic<uint64_t> buffered_ = 0;  // with background: bytes_buffered() after the last batch
  Batch filling_, in_flight_;
  std::shared_ptr<util::SpareThreads::Task> task_;  // writing in_flight_, when not null
  Status in_flight_status_;
  Status failed_;
  bool finished_ = false;
};

}  // namespace vitrine::datasets
