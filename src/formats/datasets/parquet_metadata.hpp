// Parquet's file metadata (apache/parquet-format src/main/thrift/parquet.thrift): the footer
// (FileMetaData: schema elements, row groups and their column chunks, key-value metadata),
// read from untrusted bytes with the compact-protocol reader (parquet_thrift.hpp). Pure
// functions: they never read past what they are given and answer a clear error for malformed
// input. Fields this reader does not know are skipped, so newer writers' footers still read.
//
// Layout of a Parquet file (apache/parquet-format README.md):
//   "PAR1" <column chunks: pages> <FileMetaData, compact Thrift> <u32 LE length> "PAR1"
//
// Errors: malformed or over a limit below is kUnprocessable, with a message naming the field or
// the limit; too few tail bytes given is kRangeNotSatisfiable "need N bytes" (read more of the
// file's end and call again). Encrypted footers ("PARE") are refused as unsupported.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "formats/datasets/parquet_thrift.hpp"
#include "util/result.hpp"

namespace vitrine::datasets {

// A footer over kMaxParquetFooterBytes, a schema of more than kMaxParquetColumns elements
// (besides the root), more than kMaxParquetRowGroups row groups, more than
// kMaxParquetColumnChunks column chunks in all row groups together, more than
// kMaxParquetKeyValues key-value entries, a path_in_schema of more than kMaxParquetPathLength
// names or a list of more than kMaxParquetEncodings encodings is an error. Together they bound the
// parsed footer's memory (a column chunk takes about 430 bytes, so at most about 110 MiB of them)
// whatever a small footer's lists claim.
inline constexpr uint64_t kMaxParquetFooterBytes = 64u << 20;
inline constexpr size_t kMaxParquetColumns = 100'000;
inline constexpr size_t kMaxParquetRowGroups = 100'000;
inline constexpr size_t kMaxParquetColumnChunks = 250'000;
inline constexpr size_t kMaxParquetKeyValues = 10'000;
inline constexpr size_t kMaxParquetPathLength = 128;
inline constexpr size_t kMaxParquetEncodings = 64;

enum class PhysicalType : int32_t {
  kBoolean = 0,
  kInt32 = 1,
  kInt64 = 2,
  kInt96 = 3,
  kFloat = 4,
  kDouble = 5,
  kByteArray = 6,
  kFixedLenByteArray = 7,
};

enum class Repetition : int32_t { kRequired = 0, kOptional = 1, kRepeated = 2 };

// ConvertedType: the legacy annotation, kept as its number (UTF8 = 0 ... INTERVAL = 21).
enum class ConvertedType : int32_t {
  kUtf8 = 0,
  kMap = 1,
  kMapKeyValue = 2,
  kList = 3,
  kEnum = 4,
  kDecimal = 5,
  kDate = 6,
  kTimeMillis = 7,
  kTimeMicros = 8,
  kTimestampMillis = 9,
  kTimestampMicros = 10,
  kUint8 = 11,
  kUint16 = 12,
  kUint32 = 13,
  kUint64 = 14,
  kInt8 = 15,
  kInt16 = 16,
  kInt32 = 17,
  kInt64 = 18,
  kJson = 19,
  kBson = 20,
  kInterval = 21,
};

// Encodings, codecs and page types keep unknown numbers as they are: a newer writer's value is
// an error only where it is used (decoding a page), not in the footer.
enum class Encoding : int32_t {
  kPlain = 0,
  kPlainDictionary = 2,
  kRle = 3,
  kBitPacked = 4,
  kDeltaBinaryPacked = 5,
  kDeltaLengthByteArray = 6,
  kDeltaByteArray = 7,
  kRleDictionary = 8,
  kByteStreamSplit = 9,
};

enum class CompressionCodec : int32_t {
  kUncompressed = 0,
  kSnappy = 1,
  kGzip = 2,
  kLzo = 3,
  kBrotli = 4,
  kLz4 = 5,
  kZstd = 6,
  kLz4Raw = 7,
};

enum class PageType : int32_t {
  kDataPage = 0,
  kIndexPage = 1,
  kDictionaryPage = 2,
  kDataPageV2 = 3,
};

enum class TimeUnit { kMillis, kMicros, kNanos };

// The LogicalType union, flattened: `kind` says which member was set, and the fields of that
// member are filled in. kNone: no logicalType; kOther: a member this reader does not know.
struct LogicalType {
  enum class Kind {
    kNone,
    kString,
    kMap,
    kList,
    kEnum,
    kDecimal,
    kDate,
    kTime,
    kTimestamp,
    kInteger,
    kUnknown,  // NullType: only nulls
    kJson,
    kBson,
    kUuid,
    kFloat16,
    kVariant,
    kGeometry,
    kGeography,
    kOther,
  };
  Kind kind = Kind::kNone;
  int32_t scale = 0;                  // kDecimal
  int32_t precision = 0;              // kDecimal
  bool adjusted_to_utc = false;       // kTime, kTimestamp
  TimeUnit unit = TimeUnit::kMillis;  // kTime, kTimestamp
  int32_t bit_width = 0;              // kInteger: 8, 16, 32 or 64
  bool is_signed = true;              // kInteger
};

struct SchemaElement {
  std::string name;
  std::optional<PhysicalType> type;  // absent for a group
  std::optional<int32_t> type_length;
  std::optional<Repetition> repetition;  // absent for the root
  std::optional<int32_t> num_children;   // present for a group
  std::optional<ConvertedType> converted_type;
  std::optional<int32_t> scale;
  std::optional<int32_t> precision;
  std::optional<int32_t> field_id;
  LogicalType logical_type;
};

struct Statistics {
  std::optional<std::string> max;  // deprecated signed-order max/min
  std::optional<std::string> min;
  std::optional<int64_t> null_count;
  std::optional<int64_t> distinct_count;
  std::optional<std::string> max_value;
  std::optional<std::string> min_value;
};

struct ColumnMetaData {
  PhysicalType type = PhysicalType::kBoolean;
  std::vector<Encoding> encodings;
  std::vector<std::string> path_in_schema;
  CompressionCodec codec = CompressionCodec::kUncompressed;
  int64_t num_values = 0;
  int64_t total_uncompressed_size = 0;
  int64_t total_compressed_size = 0;
  int64_t data_page_offset = 0;
  std::optional<int64_t> index_page_offset;
  std::optional<int64_t> dictionary_page_offset;
  std::optional<Statistics> statistics;

  // Where the chunk's pages begin: the dictionary page when there is one, else the first data
  // page (a dictionary_page_offset of 0, which old writers put for "none", is ignored).
  int64_t first_page_offset() const;
};

struct ColumnChunk {
  std::optional<std::string> file_path;  // pages in another file: not supported by readers
  int64_t file_offset = 0;
  std::optional<ColumnMetaData> meta_data;
  std::optional<int64_t> offset_index_offset;
  std::optional<int32_t> offset_index_length;
  std::optional<int64_t> column_index_offset;
  std::optional<int32_t> column_index_length;
};

struct RowGroup {
  std::vector<ColumnChunk> columns;
  int64_t total_byte_size = 0;
  int64_t num_rows = 0;
  std::optional<int64_t> file_offset;
  std::optional<int64_t> total_compressed_size;
  std::optional<int16_t> ordinal;
};

struct KeyValue {
  std::string key;
  std::optional<std::string> value;
};

struct ParquetFooter {
  int32_t version = 0;
  std::vector<SchemaElement> schema;  // depth-first, the root first
  int64_t num_rows = 0;
  std::vector<RowGroup> row_groups;
  std::vector<KeyValue> key_value_metadata;
  std::optional<std::string> created_by;
  uint64_t metadata_offset = 0;  // where the FileMetaData begins in the file
  uint64_t metadata_length = 0;

  // The value of a key-value metadata entry (the first with that key), or nullptr.
  const std::string* metadata_value(std::string_view key) const;
};

// How many bytes from the end of a `file_size`-byte file parse_parquet_footer needs: 8 + the
// footer length read from the last 8 bytes. `last_bytes` is any tail of the file of at least 8
// bytes. Errors: fewer than 8 bytes given (kRangeNotSatisfiable "need 8 bytes"); the file too
// small, no trailing "PAR1", an encrypted footer, or a footer length over
// kMaxParquetFooterBytes or past the leading magic (kUnprocessable).
Result<uint64_t> parquet_tail_size(std::string_view last_bytes, uint64_t file_size);

// The footer of a `file_size`-byte file from `tail`, its last tail.size() bytes. Fewer bytes
// than parquet_tail_size asks for is kRangeNotSatisfiable "need N bytes". When the tail is the
// whole file, its leading "PAR1" is checked too. Every column chunk's pages, page indexes and
// row counts are checked to lie inside the file before the footer; anything else is
// kUnprocessable.
Result<ParquetFooter> parse_parquet_footer(std::string_view tail, uint64_t file_size);

// Reads a Statistics struct (also found in page headers).
Statistics read_parquet_statistics(ThriftReader& in);

}  // namespace vitrine::datasets
