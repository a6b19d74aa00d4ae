// The Parquet schema a `datasets` Features JSON (dataset-viewer-contract.md §3.1) is written
// with, as pyarrow writes the Arrow types `datasets` gives those features: every field
// OPTIONAL under a REQUIRED root group "schema"; lists in the three-level LIST form
// (`optional group <name> (LIST) { repeated group list { optional <element> element; } }`);
// dicts of features as optional groups with their fields in the feature's key order; media
// features (Image, Audio, Video, Pdf) as `datasets` stores them, a group {bytes: binary, path:
// string}. Value dtypes map to physical and logical types as Arrow's writer maps them
// (parquet_value_dtype reads them back): integers narrower than 32 bits and unsigned ones carry
// an INTEGER annotation, timestamp[s] and time32[s] are stored in milliseconds, a decimal in the
// fewest bytes its precision needs. ClassLabel is int64; `Json` is a UTF-8 string holding the
// value's JSON text. Also the `huggingface` key-value metadata that carries the Features to
// readers, byte for byte as `datasets` writes it (Python's json.dumps).
//
// Pure functions. An unsupported or malformed feature is kUnprocessable naming the field.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "formats/datasets/parquet_metadata.hpp"
#include "formats/datasets/parquet_thrift_writer.hpp"
#include "util/result.hpp"

namespace vitrine::datasets {

// Features nested deeper than this are refused (the reader's bound, kMaxParquetSchemaDepth,
// counts schema elements, and a list takes two).
inline constexpr size_t kMaxWriteFeatureDepth = 30;

// What a leaf column holds, which says how a cell becomes its value (parquet_value_encoder.hpp).
enum class LeafKind {
  kBool,
  kInt,      // signed, `bits` wide
  kUint,     // unsigned, `bits` wide
  kFloat16,  // FIXED_LEN_BYTE_ARRAY(2), little-endian IEEE half
  kFloat32,
  kFloat64,
  kString,
  kBinary,  // cells are base64 text
  kJson,    // cells are any JSON value, stored as its text
  kDate,
  kTimestamp,
  kTime,
  kDecimal,
  kNull,  // only nulls
};

struct WriteLeaf {
  LeafKind kind = LeafKind::kNull;
  PhysicalType physical = PhysicalType::kInt32;
  int32_t type_length = 0;  // FIXED_LEN_BYTE_ARRAY
  int bits = 64;            // kInt, kUint
  // kTimestamp, kTime: stored units per second, the fraction digits a cell may have (0 for
  // seconds), and what an integer cell (a count of the declared unit) is multiplied by.
  int64_t per_second = 1;
  int fraction_digits = 0;
  int64_t integer_scale = 1;
  int32_t precision = 0;  // kDecimal
  int32_t scale = 0;
  std::vector<std::string> class_names;  // ClassLabel: a string cell names its index
  LogicalType logical;                   // kind kNone: no logicalType
  std::optional<ConvertedType> converted;
};

struct WriteNode {
  enum class Shape { kLeaf, kStruct, kList };
  std::string name;
  Shape shape = Shape::kLeaf;
  WriteLeaf leaf;                   // kLeaf
  std::vector<WriteNode> children;  // kStruct: its fields; kList: one, the element
  bool media = false;               // a media struct: a string cell is its path
  std::string feature_path;         // for messages: "a.b" (list levels not named)
  int16_t definition_level = 0;     // the level when this node is present (not null)
  int16_t repetition_level = 0;     // of the innermost list at or above this node
  size_t first_column = 0;          // the leaf columns under this node: [first, end)
  size_t end_column = 0;
};

struct WriteColumn {
  const WriteNode* node = nullptr;  // the leaf
  std::vector<std::string> path;    // path_in_schema
};

struct WriteSchema {
  std::vector<WriteNode> fields;     // the top-level fields, in the Features' order
  nlohmann::ordered_json features;   // [{"name", "type"}] as given
  std::vector<WriteColumn> columns;  // the leaves, in schema (column chunk) order

  WriteSchema() = default;
  WriteSchema(const WriteSchema&) = delete;  // `columns` points into `fields`
  WriteSchema& operator=(const WriteSchema&) = delete;
  WriteSchema(WriteSchema&&) = default;  // vectors keep their elements when moved
  WriteSchema& operator=(WriteSchema&&) = default;
};

// The schema of `features` ([{"name": …, "type": …}], names unique and non-empty). Types:
// Value (the dtypes above, also "float"/"double"/"half", large_string, large_binary, date64),
// ClassLabel, List, LargeList, Sequence (of a dict: a dict of lists, as `datasets` reads it),
// [X], dicts, Json, Image, Audio, Video, Pdf, Translation, TranslationVariableLanguages.
// Others (Array2D…, duration, an empty dict) are kUnprocessable naming the field.
Result<WriteSchema> build_write_schema(const nlohmann::ordered_json& features);

// The FileMetaData.schema list (field 2): the root, then every node depth-first.
void write_schema_elements(const WriteSchema& schema, ThriftWriter& out);

// The value of the `huggingface` key: {"info": {"features": {<name>: <type>, …}}} as Python's
// json.dumps writes it (", " and ": " separators, non-ASCII as \uXXXX), keys in order.
std::string huggingface_metadata(const nlohmann::ordered_json& features);

// Python's json.dumps(value) with its default options.
std::string python_json_dumps(const nlohmann::ordered_json& value);

}  // namespace vitrine::datasets
