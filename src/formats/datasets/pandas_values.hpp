// How pandas.read_csv's C parser reads one field's text as a value with default options
// (pandas/_libs/parsers.pyx and src/parser/tokenizer.c): the NA spellings, integers, floats and
// booleans. Internal to formats/datasets (FeatureInference uses it).
#pragma once

#include <cstdint>
#include <string_view>

namespace vitrine::datasets::pandas {

// One of pandas' default NA spellings ("", "NA", "NaN", "null", "None", "#N/A", "n/a"…),
// matched exactly.
bool is_na(std::string_view text);

enum class Parse { kOk, kOverflow, kInvalid };

// str_to_int64: optional spaces, an optional sign, digits, optional spaces.
Parse parse_int64(std::string_view text, int64_t* out);

// str_to_uint64 as _try_uint64 uses it: like parse_int64 up to UINT64_MAX, except that any
// text starting with '-' (after spaces) counts as a negative without being read further.
struct UintScan {
  bool seen_negative = false;    // a '-'
  bool seen_past_int64 = false;  // a value above INT64_MAX
};
Parse parse_uint64(std::string_view text, UintScan* scan, uint64_t* out);

// precise_xstrtod, then inf/Infinity in any case with an optional sign: spaces around,
// digits with an optional '.', an optional exponent; a value out of double's range is not a
// float (pandas keeps the column as strings), a tiny one is 0.
bool parse_float(std::string_view text, double* out);

// "true"/"false" in any case (pandas' true_values, false_values, then to_boolean).
bool parse_bool(std::string_view text, bool* out);

}  // namespace vitrine::datasets::pandas
