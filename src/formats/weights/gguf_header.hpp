// The header of a GGUF weight file (llama.cpp's format), read from the stored bytes: version,
// architecture, quantization, context length, base models (lineage evidence from
// `general.base_model.*`), parameter counts and the key-value metadata for display. A pure
// function over untrusted bytes: it never reads past what it is given, never allocates more
// than the input justifies, and answers a clear error for malformed input (or asks for more
// bytes when the header runs past them). Layout: docs/lineage.md, "Weight files".
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

struct GgufBaseModel {
  std::string name, organization, version, repo_url;  // general.base_model.N.*
};

struct GgufHeader {
  uint32_t version = 0;         // 2 or 3
  uint64_t header_size = 0;     // bytes up to the end of the tensor infos (before alignment)
  std::string architecture;     // general.architecture
  std::string name;             // general.name
  int64_t file_type = -1;       // general.file_type, -1 when absent
  std::string quantization;     // llama.cpp's name for file_type ("Q4_K_M", "F16", ...) or, when
                                // absent, the tensor type holding the most parameters
  uint64_t context_length = 0;  // <architecture>.context_length, 0 when absent
  std::vector<GgufBaseModel> base_models;      // general.base_model.count entries
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

}  // namespace vitrine::service
