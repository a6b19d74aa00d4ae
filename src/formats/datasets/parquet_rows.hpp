// Rows of a Parquet file, as the dataset viewer shows them: the footer and schema
// (parquet_metadata.hpp, parquet_schema.hpp), the column chunks of the row groups a range of rows
// touches (parquet_column.hpp) — only the pages that hold those rows when the file has a page
// index (OffsetIndex), the whole chunk otherwise — and the records assembled from their
// definition and repetition levels into JSON cells: structs as objects, lists (LIST-annotated,
// legacy two-level and bare repeated fields) as arrays, maps as lists of {"key", "value"}
// objects, exactly the shapes parquet_features() gives their types.
//
// Cells are the values `datasets` reads, written as the viewer writes them
// (dataset-viewer-contract.md §1.2, §3.2): integers (unsigned ones too) and floats as numbers
// (a float32 widened to a double, NaN and infinities as null); strings; binary as base64;
// decimals as Python's str(Decimal) ("1.25", "1E+2"); dates "YYYY-MM-DD"; times
// "HH:MM:SS[.ffffff]"; timestamps "YYYY-MM-DDTHH:MM:SS[.ffffff]", with nine fraction digits for
// nanoseconds that need them, and "Z" when the timestamp is UTC-adjusted; UUIDs in their
// 8-4-4-4-12 form; float16 as a number. Struct cells' keys come out sorted (nlohmann::json).
// Where the `huggingface` metadata types a field (or a part of it) as `Json`, its strings are
// the values' JSON text and the cells are those values parsed.
//
// Bounds: a call reads at most ParquetReadLimits::max_read_bytes of the file (the Hub's
// maxArrowDataInMemory; past it kPayloadTooLarge, which the viewer answers TooBigContentError)
// and decodes at most max_values value slots and max_value_bytes bytes of strings over all its
// chunks (past them kPayloadTooLarge), each chunk under ColumnReadLimits. Malformed files are
// kUnprocessable; the file's own read errors pass through.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "formats/datasets/parquet_column.hpp"
#include "formats/datasets/parquet_metadata.hpp"
#include "formats/datasets/parquet_schema.hpp"
#include "formats/datasets/row_reader.hpp"
#include "util/lru_cache.hpp"
#include "util/result.hpp"

namespace vitrine::datasets {

// A file read at any offset (a stored object, a blob, bytes in memory). read_at may be called
// from several threads at once (ParquetFile reads a row group's largest chunk on a thread of its
// own beside the others).
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  virtual uint64_t size() const = 0;
  // Exactly `n` bytes at `offset` into *out (replacing it); past the end is an error.
  virtual Status read_at(uint64_t offset, size_t n, std::string* out) = 0;
};

// Bytes held in memory; the view must outlive the file.
std::unique_ptr<RandomAccessFile> memory_file(std::string_view bytes);

struct ParquetReadLimits {
  ColumnReadLimits column;
  uint64_t max_read_bytes = 300'000'000;  // bytes of the file one read_rows call may read
  uint64_t max_values = 32u << 20;        // value slots decoded by one call, all chunks together
  uint64_t max_value_bytes = 128u << 20;  // bytes of string values decoded by one call, all
                                          // chunks together (each chunk also under `column`'s)
  uint64_t max_index_bytes = 16u << 20;   // one chunk's OffsetIndex
  // A row group's largest chunk read is read on a second thread beside the others when it has at
  // least this many bytes (compressed) and they have a quarter of that (0: whenever there are
  // others; UINT64_MAX: never).
  uint64_t parallel_chunk_bytes = 1u << 20;
};

// Where read_rows read from, for tests and benchmarks: pages skipped by the page index show here.
struct ParquetReadStats {
  uint64_t bytes_read = 0;
  uint64_t values = 0;       // value slots decoded
  uint64_t value_bytes = 0;  // bytes of string values decoded
  uint64_t chunks_read = 0;
  uint64_t pages_skipped = 0;  // data pages a page index let the reader skip
};

class ParquetFile {
 public:
  // What open() makes of a file's footer: kept by a cache of footers to open the same file again
  // without parsing it (`bytes`: the footer's size, its weight in such a cache).
  struct Parsed {
    ParquetFooter footer;
    ParquetSchema schema;
    // Per top-level field: its Features type when it holds `Json` (its strings are parsed
    // back, parquet_json_cells.hpp), else null.
    std::vector<nlohmann::ordered_json> json_types;
    uint64_t bytes = 0;
  };
  using FooterCache = util::LruCache<Parsed>;

  // Reads the footer (the file's last bytes, then more when the footer is longer) and the
  // schema, and checks every row group's chunks match it. Footer bounds: parquet_metadata.hpp.
  // Chunks stored in another file (ColumnChunk.file_path) are refused. With a `cache`, the
  // footer of `key` (one per file content) is taken from it when it holds it, and kept there
  // once parsed.
  static Result<ParquetFile> open(std::shared_ptr<RandomAccessFile> file,
                                  FooterCache* cache = nullptr, const std::string& key = "");

  const ParquetFooter& footer() const { return parsed_->footer; }
  const ParquetSchema& schema() const { return parsed_->schema; }
  uint64_t num_rows() const { return static_cast<uint64_t>(parsed_->footer.num_rows); }
  // The top-level fields' names, in schema order (the cells of a row are in this order).
  std::vector<std::string> column_names() const;
  // parquet_dataset_features: [{"name", "type"}] with the `huggingface` metadata's types.
  nlohmann::ordered_json features() const;

  // Rows [offset, offset + count) (fewer past the end), one cell per top-level field. A row
  // group's largest chunk (limits.parallel_chunk_bytes) is read on a second thread, unless
  // keep_whole_chunks(); the limits are counted in column order once both reads are done (the
  // same reads fail), and while both run up to twice them may be held. With
  // `fields` (top-level field indexes), only those fields' columns are read and a row holds
  // their cells, in the order of `fields` (an index past the fields gives null).
  Result<std::vector<Row>> read_rows(uint64_t offset, uint64_t count,
                                     const ParquetReadLimits& limits = {},
                                     ParquetReadStats* stats = nullptr,
                                     const std::vector<size_t>* fields = nullptr) const;

  // Keeps the pages this file's reads decompress in `cache` (under `file_key`: one per file
  // content), and reads them from there when it holds them.
  void use_page_cache(ParquetPageCache* cache, std::string file_key) {
    cache_.cache = cache;
    cache_.file_key = std::move(file_key);
  }

  // The column of top-level field `field` when the field is one leaf without repetition (a
  // Value, a ClassLabel…): its rows are then its column's slots, a null slot a null cell and the
  // others parquet_cell of their value; else nullopt.
  std::optional<size_t> flat_column(size_t field) const;
  // Column `column` of row group `group`, read and decoded whole as read_rows reads a chunk it
  // cannot skip into, under `limits` (the chunk's bytes against max_read_bytes, its values
  // against the column limits and max_values, max_value_bytes).
  Result<ColumnChunkValues> read_column(size_t group, size_t column,
                                        const ParquetReadLimits& limits = {},
                                        ParquetReadStats* stats = nullptr) const;

  // The lengths of top-level field `field`'s lists in row group `group`, one per row (-1: a null
  // list), from the levels of its one column alone: for a field that is a list of one leaf
  // without nested repetition (a LIST group, or a bare repeated leaf), as read_rows gives its
  // cells' sizes; else an error, as is a column whose rows are not the group's. Limits as
  // read_column's.
  Result<std::vector<int64_t>> list_lengths(size_t group, size_t field,
                                            const ParquetReadLimits& limits = {},
                                            ParquetReadStats* stats = nullptr) const;
  // Whether list_lengths reads that field.
  bool has_list_lengths(size_t field) const { return list_column(field).has_value(); }

  // For reads in sequence (a scan in batches): a column chunk this file's reads must decode whole
  // (a column with repetition in v1 pages without a page index: its rows cannot be found
  // otherwise) is kept, with where the last read stopped in it, until a read moves to another row
  // group; so batches through a large row group decode it once instead of once per batch. Holds
  // at most one row group's such chunks (bounded by one read's limits). Not for concurrent reads.
  void keep_whole_chunks() { whole_ = std::make_shared<WholeChunks>(); }

  // The rows of `rows` (indexes in increasing order; those past the end are left out), as
  // read_rows reads them, in one pass: a page that holds several of them is read, decompressed
  // and decoded once (a column with repetition: from the page of the row group's first row
  // asked for to its last's). `limits` bound the whole call.
  Result<std::vector<Row>> read_rows_at(const std::vector<uint64_t>& rows,
                                        const ParquetReadLimits& limits = {},
                                        ParquetReadStats* stats = nullptr,
                                        const std::vector<size_t>* fields = nullptr) const;

 private:
  // Rows of [begin, end) windows in order, not overlapping, within the file.
  Result<std::vector<Row>> read_windows(const std::vector<std::pair<uint64_t, uint64_t>>& windows,
                                        const ParquetReadLimits& limits, ParquetReadStats* stats,
                                        const std::vector<size_t>* fields) const;
  ParquetFile(std::shared_ptr<RandomAccessFile> file, std::shared_ptr<const Parsed> parsed)
      : file_(std::move(file)), parsed_(std::move(parsed)) {}
  // The one column of a list field list_lengths reads, or nullopt.
  std::optional<size_t> list_column(size_t field) const;
  // keep_whole_chunks()'s chunks: per column, the decoded chunk of row group `group` (null: none)
  // and the row, level and value its next read starts at.
  struct WholeChunks {
    size_t group = SIZE_MAX;
    struct Kept {
      std::shared_ptr<const ColumnChunkValues> values;
      uint64_t row = 0;
      size_t level = 0;
      size_t value = 0;
    };
    std::vector<Kept> columns;
  };
  std::shared_ptr<RandomAccessFile> file_;
  std::shared_ptr<const Parsed> parsed_;  // never null
  PageCacheRef cache_;
  std::shared_ptr<WholeChunks> whole_;  // null unless keep_whole_chunks()
};

// The JSON cell of value `i` of `values`, a leaf of type `leaf` (see above).
nlohmann::json parquet_cell(const SchemaElement& leaf, const ParquetValues& values, size_t i);
// Whether parquet_cell gives a BYTE_ARRAY leaf's values as their bytes, as strings (a string,
// enum or JSON annotation; not a decimal).
bool parquet_text_leaf(const SchemaElement& leaf);

}  // namespace vitrine::datasets
