// What the weight-file header readers (safetensors_header, gguf_header) share: the cap on how
// many header bytes Vitrine reads, the TensorInfo both report, and the helpers both use on
// untrusted bytes (overflow-checked arithmetic, UTF-8 sanitising for messages and display,
// JSON parsed without duplicate keys or unbounded nesting). Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
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

// Helpers for the header readers only; not part of the service's interface.
namespace weight_header {

// a * b (a + b) into `out`; false when it overflows 64 bits.
inline bool checked_mul(uint64_t a, uint64_t b, uint64_t& out) {
  return !__builtin_mul_overflow(a, b, &out);
}
inline bool checked_add(uint64_t a, uint64_t b, uint64_t& out) {
  return !__builtin_add_overflow(a, b, &out);
}

// Copies `in`, replacing each invalid UTF-8 sequence by U+FFFD and stopping before `max_bytes`
// would be exceeded (on a character boundary), so the result can go into JSON (nlohmann's dump()
// throws on invalid UTF-8).
std::string sanitize_utf8(std::string_view in, size_t max_bytes);

// A name as it appears in an error message: JSON-quoted, valid UTF-8, not too long.
std::string quote_name(std::string_view name);

// "[1, 2, 3]".
std::string list_text(const std::vector<uint64_t>& values);

// The value as a non-negative integer, or nullopt when it is not one.
std::optional<uint64_t> as_uint(const nlohmann::json& value);

// Parses `text` as one JSON document, refusing duplicate keys and deep nesting. kBadRequest
// with a message starting with `what` when the text is not such a document.
Result<nlohmann::json> parse_json_strictly(std::string_view text, std::string_view what);

}  // namespace weight_header
}  // namespace vitrine::service
