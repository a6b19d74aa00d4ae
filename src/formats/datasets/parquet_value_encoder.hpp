// JSON cells to Parquet PLAIN values, for the writer (parquet_writer.hpp): the inverse of
// parquet_cell (parquet_rows.hpp), so a cell written and read back is the same cell. Accepted
// cells, by the leaf's kind (parquet_write_schema.hpp):
//   bool: true/false.  Integers: JSON integers in the type's range (a ClassLabel also takes one
//   of its names).  Floats: any JSON number (float32 and float16 rounded to nearest).
//   string: a UTF-8 string.  binary: base64 text.  Json: any value (its compact JSON text).
//   date: "YYYY-MM-DD", or an integer (days since 1970-01-01).
//   timestamp: "YYYY-MM-DD[(T| )hh:mm[:ss[.fffffffff]]][Z|±hh[:mm]]" (an offset is subtracted:
//   values are stored in UTC), or an integer in the dtype's unit. Fraction digits past the
//   unit's precision must be zeros.
//   time: "hh:mm[:ss[.fffffffff]]", or an integer in the dtype's unit.
//   decimal: a decimal string ("-1.25", "1E+2") or a JSON number, with no more fraction digits
//   than the scale allows (trailing zeros aside) and at most `precision` digits.
// Pure and thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "formats/datasets/parquet_write_schema.hpp"
#include "formats/datasets/row_reader.hpp"
#include "util/result.hpp"

namespace vitrine::datasets {

// Appends the PLAIN encoding of `cell` (not null) as a value of `leaf` to *out: little-endian
// 4 or 8 bytes for numbers, the 4-byte length then the bytes for BYTE_ARRAY, the bytes for
// FIXED_LEN_BYTE_ARRAY; a BOOLEAN as one byte 0 or 1 (the column writer packs the bits). A
// cell that does not fit is kUnprocessable with a short message ("expected an integer") that
// the caller prefixes with the column and row; *out is then unchanged.
Status encode_parquet_value(const WriteLeaf& leaf, const nlohmann::json& cell, std::string* out);

// The same for a ScalarCell (not null): kBool to a bool leaf, kInt64 and kUInt64 to the integer
// leaves whose range holds the value, kFloat64 to a float32 or float64 leaf, kInt64 to a
// float64 leaf too, kString (UTF-8) to a string leaf; anything else does not fit.
Status encode_parquet_value(const WriteLeaf& leaf, const ScalarCell& cell, std::string* out);

// The IEEE half-precision bits nearest to `value` (ties to even; past the range: infinity).
uint16_t float_to_half(double value);

}  // namespace vitrine::datasets
