// One leaf column of a Parquet row group being written (parquet_writer.hpp): the slots a row
// adds (repetition and definition levels, and values encoded by parquet_value_encoder.hpp)
// become data pages v1 — levels in the RLE/bit-packed hybrid with their 4-byte length, values
// PLAIN, or for byte arrays dictionary indices (RLE_DICTIONARY) while the chunk's dictionary
// stays under its limit, then PLAIN for the rest of the chunk (as Arrow falls back). Pages are
// cut at row boundaries once their raw bytes pass ColumnWriterOptions::page_bytes, compressed,
// and kept until the row group's chunk is taken; then the chunk's statistics (null count, and
// min/max for numbers, booleans and byte arrays up to 4 KiB, in the column's sort order) go
// into its metadata.
//
// Memory: the chunk's compressed pages, its dictionary (at most dictionary_bytes past one row),
// and the open page's raw slots (at most page_bytes past one row). Rows can be taken back
// (begin_row / rollback_row) until end_row, so a row refused halfway leaves no trace. Not
// thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "formats/datasets/parquet_metadata.hpp"
#include "formats/datasets/parquet_write_schema.hpp"
#include "formats/datasets/plain_dictionary.hpp"
#include "formats/datasets/row_reader.hpp"
#include "util/result.hpp"

namespace vitrine::datasets {

struct ColumnWriterOptions {
  CompressionCodec codec = CompressionCodec::kSnappy;
  bool dictionary = true;              // dictionary-encode byte arrays
  size_t page_bytes = 1u << 20;        // a data page is cut past this many raw bytes
  size_t dictionary_bytes = 1u << 20;  // past this, the chunk falls back to PLAIN
};

// A chunk's pages and metadata. The offsets in `meta` count from the start of `bytes`: the
// file writer adds where the chunk lands.
struct ColumnChunkOutput {
  std::string bytes;
  ColumnMetaData meta;
};

// Appends `values` in the RLE/bit-packed hybrid (Encodings.md), without a length prefix: runs of
// eight or more equal values as RLE runs, the rest bit-packed in groups of eight.
void append_rle_hybrid(const std::vector<uint32_t>& values, int bit_width, std::string* out);

class ParquetColumnWriter {
 public:
  ParquetColumnWriter(const WriteColumn& column, const ColumnWriterOptions& options);

  // A slot without a value (a null, or an empty list, at definition level `definition`).
  void add_null(int16_t repetition, int16_t definition);
  // A slot holding `cell`; a cell that does not fit adds nothing (the encoder's message).
  Status add_value(int16_t repetition, const nlohmann::json& cell);
  Status add_value(int16_t repetition, const ScalarCell& cell);  // the same, without JSON

  void begin_row();
  void rollback_row();  // drops every slot added since begin_row
  // The row is whole: cuts a page or falls back from the dictionary when past the limits.
  Status end_row();

  // Raw bytes of the open page and dictionary, and compressed bytes of the chunk's pages.
  uint64_t buffered_bytes() const;
  // The row group's chunk; the writer starts the next one empty.
  Result<ColumnChunkOutput> finish_chunk();

 private:
  enum class Order {
    kNone,
    kSigned32,
    kSigned64,
    kUnsigned32,
    kUnsigned64,
    kFloat,
    kDouble,
    kBool,
    kBytes
  };

  void add_plain(int16_t repetition, std::string_view plain);  // an encoded value
  Status flush_page();
  void update_statistics(std::string_view value);  // one value, PLAIN (byte arrays bare)
  void reset_chunk();

  const WriteNode& node_;
  std::vector<std::string> path_;
  ColumnWriterOptions options_;
  int16_t max_definition_;
  int16_t max_repetition_;
  Order order_;
  bool byte_array_;

  // The open page.
  std::vector<uint32_t> definitions_;
  std::vector<uint32_t> repetitions_;
  std::string values_;             // PLAIN values (a boolean a byte) when not in dictionary mode
  std::vector<uint32_t> indices_;  // dictionary indices in dictionary mode
  uint64_t page_slots_ = 0;

  // The chunk.
  std::string pages_;
  uint64_t uncompressed_bytes_ = 0;  // page headers and raw pages
  uint64_t slots_ = 0;
  int64_t null_count_ = 0;
  bool plain_pages_ = false;
  bool dictionary_pages_ = false;
  bool dictionary_mode_ = false;
  std::string encoded_;         // scratch: the value being added
  PlainDictionary dictionary_;  // in dictionary mode
  std::optional<std::string> min_;
  std::optional<std::string> max_;

  struct Mark {
    size_t definitions, repetitions, values, indices, entries;
    uint64_t page_slots;
    int64_t null_count;
  } mark_{};
};

}  // namespace vitrine::datasets
