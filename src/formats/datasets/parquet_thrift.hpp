// A bounded reader of the Thrift compact protocol (apache/thrift
// doc/specs/thrift-compact-protocol.md), the encoding of Parquet's metadata: varints, zigzag
// integers, field headers with id deltas, lists, sets, maps and structs, and skipping of
// fields of any type. Pure and bounded over untrusted bytes: every read is bounds-checked, a
// list's count is checked against the bytes left before anything is reserved, and structs
// and containers nest at most kMaxThriftDepth deep. Errors are kUnprocessable with a message
// naming the field and the byte position.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace vitrine::datasets {

// Structs (and lists and maps, while skipped) nested deeper than kMaxThriftDepth, or a list of
// more than kMaxThriftListSize elements, are errors.
inline constexpr size_t kMaxThriftDepth = 32;
inline constexpr size_t kMaxThriftListSize = 16u << 20;

enum class ThriftType : uint8_t {
  kStop = 0,
  kTrue = 1,  // in a field header: a bool field whose value is true; in a list: bool
  kFalse = 2,
  kByte = 3,
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kDouble = 7,
  kBinary = 8,
  kList = 9,
  kSet = 10,
  kMap = 11,
  kStruct = 12,
  kUuid = 13,
};

struct ThriftField {
  int16_t id = 0;
  ThriftType type = ThriftType::kStop;  // kStop ends the struct
};

struct ThriftList {
  ThriftType element_type = ThriftType::kStop;
  uint32_t size = 0;  // at most kMaxThriftListSize and at most the bytes left
};

// Reads compact-protocol values from a byte view. Errors are sticky: the first failure (past
// the end, overlong varint, value out of range, bad type, too deep) is kept in status(), and
// from then on every read returns zero, an empty view or kStop without moving, so a caller's
// loops end and it checks ok() once at the end. Not thread-safe; cheap to construct.
class ThriftReader {
 public:
  explicit ThriftReader(std::string_view bytes) : bytes_(bytes) {}

  bool ok() const { return status_.is_ok(); }
  const Status& status() const { return status_; }
  // Whether the error was running out of bytes (the value may be whole with more of them).
  bool truncated() const { return truncated_; }
  size_t position() const { return position_; }
  size_t remaining() const { return bytes_.size() - position_; }
  // Records an error (the first one wins) naming the position.
  void fail(std::string_view message);

  uint64_t read_varint();  // unsigned LEB128, at most 10 bytes
  int64_t read_zigzag();   // a zigzag varint (i16, i32, i64)
  int16_t read_i16();      // range-checked
  int32_t read_i32();      // range-checked
  int64_t read_i64() { return read_zigzag(); }
  int8_t read_byte();              // one raw byte
  double read_double();            // 8 bytes little-endian
  std::string_view read_binary();  // varint length, then the bytes (a view into the input)

  // Struct framing: begin_struct() before the first field header (counts the depth, starts
  // the field-id deltas at 0), end_struct() after kStop.
  void begin_struct();
  void end_struct();
  ThriftField read_field_header();
  // The value of a bool field, carried by its header's type.
  static bool field_bool(const ThriftField& field) { return field.type == ThriftType::kTrue; }

  ThriftList read_list_header();  // also a set's
  bool read_list_bool();          // one bool element of a list

  // Skips one value of any type, nested values included (bounded by kMaxThriftDepth).
  void skip(ThriftType type);
  // Skips the value of a field; a bool field has none.
  void skip_field(const ThriftField& field);

  // Field readers that check the header's type first (a mismatch is an error naming `what`).
  bool expect(const ThriftField& field, ThriftType type, std::string_view what);
  bool bool_field(const ThriftField& field, std::string_view what);
  int32_t i32_field(const ThriftField& field, std::string_view what);
  int64_t i64_field(const ThriftField& field, std::string_view what);
  std::string_view binary_field(const ThriftField& field, std::string_view what);
  // A list field: its header, after checking the field is a list of `element` (a bool list
  // accepts either bool code).
  ThriftList list_field(const ThriftField& field, ThriftType element, std::string_view what);

 private:
  bool need(size_t n);

  std::string_view bytes_;
  size_t position_ = 0;
  Status status_;
  bool truncated_ = false;
  int16_t last_field_id_[kMaxThriftDepth + 1] = {};
  size_t depth_ = 0;
};

// Reads the fields of one struct, calling on_field(field) for each; on_field reads the value
// or skips it. Field ids seen are recorded in *seen (bits 0..63) for require_fields.
template <typename OnField>
void read_struct(ThriftReader& in, OnField on_field, uint64_t* seen = nullptr) {
  in.begin_struct();
  while (in.ok()) {
    ThriftField field = in.read_field_header();
    if (field.type == ThriftType::kStop) break;
    if (seen && field.id >= 0 && field.id < 64) *seen |= uint64_t{1} << field.id;
    on_field(field);
  }
  in.end_struct();
}

// Fails `in` when a field of `ids` was not seen in the struct `what`.
void require_fields(ThriftReader& in, uint64_t seen, std::initializer_list<int> ids,
                    std::string_view what);
// Typed field readers that also fail `in` on a value out of range (an enum past `max`, a
// negative size).
int32_t enum_field(ThriftReader& in, const ThriftField& f, std::string_view what, int32_t max);
int32_t non_negative_i32(ThriftReader& in, const ThriftField& f, std::string_view what);
int64_t non_negative_i64(ThriftReader& in, const ThriftField& f, std::string_view what);
std::string string_field(ThriftReader& in, const ThriftField& f, std::string_view what);

}  // namespace vitrine::datasets
