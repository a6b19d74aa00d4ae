// JSON from outside the hub (request bodies, NDJSON lines, stored client input): parsing with
// a bound on nesting. nlohmann's parser builds nested values without a limit, and serializing or
// walking them recurses once per level, so a small body nested tens of thousands of levels deep
// would exhaust the stack. The nesting is counted in one pass over the bytes before any value is
// built, so a refused body costs a scan and no allocation.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "util/result.hpp"

namespace vitrine::util {

// Deepest nesting of arrays and objects accepted from a client (the Hub's own payloads nest
// fewer than ten levels; model cards' YAML is bounded separately).
inline constexpr size_t kMaxJsonDepth = 64;

// The deepest nesting of [ and { in `text`, outside strings; stops counting past `limit`.
size_t json_nesting_depth(std::string_view text, size_t limit);

// Parses `text`: kBadRequest when it is not JSON (a NUL byte included), kUnprocessable when it
// nests deeper than `max_depth`. Thread-safe.
Result<nlohmann::json> parse_untrusted_json(std::string_view text,
                                            size_t max_depth = kMaxJsonDepth);

}  // namespace vitrine::util
