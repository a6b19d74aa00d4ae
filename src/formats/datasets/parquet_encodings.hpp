// The value encodings of Parquet pages (apache/parquet-format Encodings.md): PLAIN, the
// RLE/bit-packed hybrid (levels, booleans and dictionary indices), dictionary indices
// (PLAIN_DICTIONARY, RLE_DICTIONARY), DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY,
// DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT. Pure decoders over a page's bytes: every read is
// bounds-checked, counts come from the caller (a page header) and never size an allocation
// past what the bytes can hold, and the bytes of byte-array values decoded from one page are
// bounded (DELTA_BYTE_ARRAY prefixes and dictionaries can multiply a small page). Errors are
// kUnprocessable naming the encoding; output past the byte bound is kPayloadTooLarge.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "formats/datasets/parquet_metadata.hpp"
#include "util/result.hpp"

namespace vitrine::datasets {

// Non-null values of one physical type. Only the vector for `type` is used: BOOLEAN and INT32
// in int32s, INT64 in int64s, FLOAT in floats, DOUBLE in doubles; BYTE_ARRAY,
// FIXED_LEN_BYTE_ARRAY and INT96 (12 raw bytes) in `bytes`, value i ending at ends[i].
struct ParquetValues {
  PhysicalType type = PhysicalType::kInt64;
  int32_t type_length = 0;  // FIXED_LEN_BYTE_ARRAY
  std::vector<int32_t> int32s;
  std::vector<int64_t> int64s;
  std::vector<float> floats;
  std::vector<double> doubles;
  std::string bytes;
  std::vector<uint64_t> ends;

  size_t size() const;
  std::string_view bytes_at(size_t i) const {
    uint64_t begin = i == 0 ? 0 : ends[i - 1];
    return std::string_view(bytes).substr(begin, ends[i] - begin);
  }
  void append_bytes(std::string_view value) {
    bytes.append(value);
    ends.push_back(bytes.size());
  }
  // Appends value i of `other` (same type).
  void append_from(const ParquetValues& other, size_t i);
};

// The bit width of values up to `max_value` (0 for 0).
int bit_width_of(uint64_t max_value);

// Reads values of the RLE/bit-packed hybrid without its length prefix: runs of one repeated
// value and groups of 8 bit-packed values, `bit_width` (0..32) bits each. A run's stated length
// never sizes anything: values are produced as they are asked for.
class RleBitPackedDecoder {
 public:
  RleBitPackedDecoder(std::string_view data, int bit_width) : data_(data), bit_width_(bit_width) {}
  // Appends `count` values to *out; an error when the data ends first.
  Status decode(size_t count, std::vector<uint32_t>* out);

 private:
  Status next_run();
  std::string_view data_;
  size_t position_ = 0;
  int bit_width_;
  uint64_t run_left_ = 0;   // values left in the current run
  bool packed_ = false;     // the current run is bit-packed
  uint32_t run_value_ = 0;  // the repeated value of an RLE run
  size_t packed_bit_ = 0;   // next bit of a bit-packed run, from data_'s start
};

// Levels (definition or repetition) of a data page: `count` values up to `max_level`,
// RLE/bit-packed hybrid. v1 pages prefix them with a 4-byte length (`with_length`); v2 pages
// give the length in the header. *consumed: the bytes they took.
Status decode_levels(std::string_view data, int32_t max_level, size_t count, bool with_length,
                     std::vector<int16_t>* out, size_t* consumed);

// Decodes `count` values of `encoding` from `data` and appends them to *out (whose type and
// type_length say what they are). Dictionary encodings are indices into `dictionary` (an
// index past it is an error). `max_bytes`: a bound on the bytes of byte-array values appended.
Status decode_values(Encoding encoding, std::string_view data, size_t count,
                     const ParquetValues* dictionary, uint64_t max_bytes, ParquetValues* out);

// Values [skip, skip + take) of a page of `count` values, the others not materialized: PLAIN
// values before the range are stepped over (byte arrays by their lengths), dictionary indices
// are decoded up to the range's end and only the range's looked up; other encodings decode the
// page and keep the range. Values after the range are not checked.
Status decode_values_range(Encoding encoding, std::string_view data, size_t count, size_t skip,
                           size_t take, const ParquetValues* dictionary, uint64_t max_bytes,
                           ParquetValues* out);

// Values [skip, skip + take) of a page.
struct ValueRange {
  size_t skip = 0;
  size_t take = 0;
};

// As decode_values_range, for several ranges of one page (in order, not overlapping), appended
// in order: the page is decoded once, up to the last range's end.
Status decode_value_ranges(Encoding encoding, std::string_view data, size_t count,
                           const std::vector<ValueRange>& ranges, const ParquetValues* dictionary,
                           uint64_t max_bytes, ParquetValues* out);

// PLAIN alone (dictionary pages): `count` values; *consumed the bytes taken.
Status decode_plain(std::string_view data, size_t count, uint64_t max_bytes, ParquetValues* out,
                    size_t* consumed);

// DELTA_BINARY_PACKED integers, at most `max_count` of them (the header states how many);
// 32-bit columns wrap as 32-bit integers. *consumed: the bytes taken.
Status decode_delta_binary_packed(std::string_view data, size_t max_count, bool is_32bit,
                                  std::vector<int64_t>* out, size_t* consumed);

}  // namespace vitrine::datasets
