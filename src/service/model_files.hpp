// Headers of model weight files, read from the stored bytes: safetensors (and the sharded
// `*.safetensors.index.json`) and GGUF. Pure functions over untrusted bytes: they never read
// past what they are given, never allocate more than the input justifies, and answer a clear
// error for malformed input. Used for the `safetensors`/`gguf` fields of model info and as
// lineage evidence (GGUF `general.base_model.*`). Layouts: docs/lineage.md, "Weight files".
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace vitrine::service {

// The most header bytes Vitrine reads from one weight file (safetensors headers are capped at
// 100 MB by the format's reference implementation; Vitrine is stricter).
inline constexpr uint64_t kMaxWeightHeaderBytes = 64ull << 20;

struct TensorInfo {
  std::string name;
  std::string dtype;            // as written in the file: "F32", "BF16", "Q4_K", ...
  std::vector<uint64_t> shape;  // dims, outermost first (GGUF dims are reported as stored)
  uint64_t begin = 0;           // byte offsets of the data (safetensors: relative to the data
  uint64_t end = 0;             // section; GGUF: relative to the tensor data section)
};

struct SafetensorsHeader {
  uint64_t header_size = 0;                   // the JSON header's length (N in the layout)
  std::map<std::string, uint64_t> parameters;  // parameter count by dtype
  uint64_t total = 0;                          // sum of parameters
  std::vector<TensorInfo> tensors;             // sorted by begin offset
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
  uint64_t total_size = 0;                         // metadata.total_size, 0 when absent
  std::map<std::string, std::string> weight_map;  // tensor name -> shard file name
  std::vector<std::string> shards;                 // distinct shard names, sorted
};

// Parses `model.safetensors.index.json` (or any `*.safetensors.index.json`): an object with
// "weight_map" (tensor -> relative file name, each a plain relative path without "..") and
// optional "metadata.total_size". kBadRequest when malformed.
Result<SafetensorsIndex> parse_safetensors_index(std::string_view json_text);

struct GgufBaseModel {
  std::string name, organization, version, repo_url;  // general.base_model.N.*
};

struct GgufHeader {
  uint32_t version = 0;  // 2 or 3
  uint64_t header_size = 0;  // bytes up to the end of the tensor infos (before alignment)
  std::string architecture;  // general.architecture
  std::string name;          // general.name
  int64_t file_type = -1;    // general.file_type, -1 when absent
  std::string quantization;  // llama.cpp's name for file_type ("Q4_K_M", "F16", ...) or, when
                             // absent, the tensor type holding the most parameters
  uint64_t context_length = 0;  // <architecture>.context_length, 0 when absent
  std::vector<GgufBaseModel> base_models;  // general.base_model.count entries
  std::map<std::string, uint64_t> parameters;  // parameter count by tensor type name
  uint64_t total = 0;
  std::vector<TensorInfo> tensors;
  // Every key-value pair, for display: scalars as they are, strings truncated to 1 KiB (invalid
  // UTF-8 replaced by U+FFFD), arrays summarised as {"type": "array", "length": n}. At most
  // about 1 MiB of keys and values is kept; metadata_truncated says when pairs were left out.
  nlohmann::json metadata = nlohmann::json::object();
  bool metadata_truncated = false;
};

// Parses a GGUF header (magic "GGUF", version 2 or 3, little-endian) from `prefix`, the first
// bytes of a file of `file_size` bytes. When `prefix` ends before the header does and is
// shorter than both file_size and kMaxWeightHeaderBytes, the error is kRangeNotSatisfiable
// with the message "need N bytes" (N a better guess, e.g. twice the prefix): the caller reads
// more and calls again. Counts and lengths are checked against what is left of the input
// before anything is allocated; tensor types must be known ggml types; the tensor data
// (aligned to general.alignment, default 32) must lie inside the file. kBadRequest otherwise.
Result<GgufHeader> parse_gguf(std::string_view prefix, uint64_t file_size);

// The `safetensors` field of model info: {"parameters": {dtype: n}, "total": n}.
nlohmann::json safetensors_info_json(const std::map<std::string, uint64_t>& parameters,
                                     uint64_t total);

}  // namespace vitrine::service
