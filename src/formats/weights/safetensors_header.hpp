// The header of a safetensors weight file, and the sharded `*.safetensors.index.json` that
// lists a model's shards, read from the stored bytes. Pure functions over untrusted bytes: they
// never read past what they are given, never allocate more than the input justifies, and
// answer a clear error for malformed input. Used for the `safetensors` field of model info and
// for weight summaries in the lineage index. Layout: docs/lineage.md, "Weight files".
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "formats/weights/weight_header_common.hpp"
#include "util/result.hpp"

namespace vitrine::service {

struct SafetensorsHeader {
  uint64_t header_size = 0;                     // the JSON header's length (N in the layout)
  std::map<std::string, uint64_t> parameters;   // parameter count by dtype
  uint64_t total = 0;                           // sum of parameters
  std::vector<TensorInfo> tensors;              // sorted by begin offset
  std::map<std::string, std::string> metadata;  // the "__metadata__" string map
};

// How many bytes from the start of a safetensors file parse_safetensors needs: 8 + N, where N
// is the little-endian u64 in the first 8 bytes. Error when fewer than 8 bytes are given or N
// exceeds kMaxWeightHeaderBytes or file_size - 8.
Result<uint64_t> safetensors_prefix_size(std::string_view first8, uint64_t file_size);

// Parses a safetensors file's header from `prefix` (at least safetensors_prefix_size() bytes
// from the start of the file) and checks it against the file's total size: the header is a
// JSON object; every entry but "__metadata__" has a known dtype (F64 F32 F16 BF16 I64 I32 I16
// I8 U64 U32 U16 U8 BOOL F8_E4M3 F8_E5M2 and the other dtypes of the format), a shape of
// non-negative integers and data_offsets [begin, end] with begin <= end; end - begin equals the
// element count times the dtype size (no overflow); tensors do not overlap, and together cover
// the data section exactly (no holes), whose size is file_size - 8 - N. kBadRequest with a
// message naming the tensor and the rule on any violation.
Result<SafetensorsHeader> parse_safetensors(std::string_view prefix, uint64_t file_size);

struct SafetensorsIndex {
  uint64_t total_size = 0;                        // metadata.total_size, 0 when absent
  std::map<std::string, std::string> weight_map;  // tensor name -> shard file name
  std::vector<std::string> shards;                // distinct shard names, sorted
};

// Parses `model.safetensors.index.json` (or any `*.safetensors.index.json`): an object with
// "weight_map" (tensor -> relative file name, each a plain relative path without "..") and
// optional "metadata.total_size". kBadRequest when malformed.
Result<SafetensorsIndex> parse_safetensors_index(std::string_view json_text);

// The `safetensors` field of model info: {"parameters": {dtype: n}, "total": n}.
nlohmann::json safetensors_info_json(const std::map<std::string, uint64_t>& parameters,
                                     uint64_t total);

}  // namespace vitrine::service
