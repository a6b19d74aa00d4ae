// The schema of a Parquet file as a tree (from the footer's flat, depth-first schema elements),
// with each leaf column's path and maximum definition and repetition levels, and its mapping to
// the `datasets` Features JSON of dataset-viewer-contract.md §3.1 as Arrow would read the file:
// physical and logical types give Value dtypes, LIST-annotated groups and repeated fields give
// List, other groups give dicts, and a MAP gives a List of {"key", "value"} dicts (pyarrow's
// map type is a list of key/value structs, and `datasets` reads it as one). When the file's
// `huggingface` key-value metadata holds Features (files written by `datasets`), those win, as
// they do in the viewer.
//
// Pure functions over a footer already parsed (parquet_metadata.hpp); a malformed tree is
// kUnprocessable with a message naming the element. Nesting deeper than
// kMaxParquetSchemaDepth is refused, so the recursive mapping stays shallow.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "formats/datasets/parquet_metadata.hpp"
#include "util/result.hpp"

namespace vitrine::datasets {

inline constexpr size_t kMaxParquetSchemaDepth = 64;
// Every node keeps its path: the names of all paths together are bounded, since long names
// nested deep over many columns would otherwise multiply a small footer.
inline constexpr size_t kMaxParquetSchemaPathBytes = 64u << 20;

// One schema element in the tree. Node i is schema element i (the root is node 0).
struct SchemaNode {
  std::vector<size_t> children;
  std::vector<std::string> path;  // names from the root's child down to this node
  int32_t max_definition_level = 0;
  int32_t max_repetition_level = 0;
  std::optional<size_t> column;  // for a leaf: its column index (column chunk order)
};

struct ParquetSchema {
  std::vector<SchemaElement> elements;  // the footer's, in the same order as `nodes`
  std::vector<SchemaNode> nodes;
  std::vector<size_t> columns;  // the node of each leaf column, in column order

  const SchemaElement& column_element(size_t column) const { return elements[columns[column]]; }
  const SchemaNode& column_node(size_t column) const { return nodes[columns[column]]; }
};

// Builds the tree. Errors: an empty schema, a name that is not UTF-8, a root that is a leaf, a
// group whose children run past the end, elements left over after the root's children, a leaf
// without a type, a fixed- length byte array without a positive type_length, nesting past
// kMaxParquetSchemaDepth.
Result<ParquetSchema> build_parquet_schema(const std::vector<SchemaElement>& elements);

// Checks every row group has one column chunk per leaf, in order, whose path_in_schema and
// physical type match the leaf's.
Status check_column_chunks(const ParquetFooter& footer, const ParquetSchema& schema);

// The `datasets` Value dtype of a leaf, as Arrow types it: "bool", "int8".."int64",
// "uint8".."uint64", "float16", "float32", "float64", "string", "binary", "date32",
// "time32[ms]", "time64[us]", "time64[ns]", "timestamp[ms]" or "timestamp[us, tz=UTC]" (INT96:
// "timestamp[ns]"), "decimal128(p, s)" (decimal256 past 38 digits), "null".
std::string parquet_value_dtype(const SchemaElement& leaf);

// The Features of the top-level fields, in schema order: [{"name": …, "type": …}]; a struct's
// fields keep the schema's order, as `datasets` keeps Arrow's.
nlohmann::ordered_json parquet_features(const ParquetSchema& schema);

// parquet_features, with the type of each field taken from the `huggingface` metadata's
// {"info": {"features": {…}}} where it names the field. Unparseable metadata is ignored (the
// derived types stand), as `datasets` falls back to the Arrow schema; its objects keep their
// order.
nlohmann::ordered_json parquet_dataset_features(const ParquetFooter& footer,
                                                const ParquetSchema& schema);

}  // namespace vitrine::datasets
