// A writer of the Thrift compact protocol (apache/thrift doc/specs/thrift-compact-protocol.md),
// the encoding of Parquet's footer and page headers; the counterpart of ThriftReader
// (parquet_thrift.hpp). It appends to a byte string: varints, zigzag integers, field headers
// whose ids are deltas from the previous field of the same struct (the long form when the delta
// is not 1..15), bool fields carried by their header, lists and nested structs.
//
// The caller writes a struct as begin_struct(), its fields in any order, end_struct() (which
// writes the stop byte); a struct field is struct_field(id) followed by its fields and
// end_struct(); a list of structs is list_field(...) then, per element, begin_struct() ...
// end_struct(). Writing a field outside a struct or ending a struct never begun is a bug
// (asserted). Infallible and not thread-safe; cheap to construct.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "formats/datasets/parquet_thrift.hpp"

namespace vitrine::datasets {

class ThriftWriter {
 public:
  const std::string& bytes() const { return out_; }
  // The bytes written, leaving the writer empty (its struct stack is kept).
  std::string take() { return std::move(out_); }

  // ---- bare values (list elements, or a field's value after field_header) ----
  void write_varint(uint64_t value);  // unsigned LEB128
  void write_zigzag(int64_t value);   // i16, i32 and i64 values
  void write_byte(uint8_t value);
  void write_double(double value);           // 8 bytes little-endian
  void write_binary(std::string_view data);  // varint length, then the bytes
  void write_list_header(ThriftType element, size_t size);
  void write_list_bool(bool value);  // one bool element of a list

  // ---- structs ----
  void begin_struct();  // a struct value: its field ids start from 0
  void end_struct();    // the stop byte, back to the enclosing struct
  size_t depth() const { return last_field_id_.size(); }

  // ---- fields of the open struct ----
  void field_header(int16_t id, ThriftType type);
  void bool_field(int16_t id, bool value);
  void byte_field(int16_t id, int8_t value);
  void i16_field(int16_t id, int16_t value);
  void i32_field(int16_t id, int32_t value);
  void i64_field(int16_t id, int64_t value);
  void double_field(int16_t id, double value);
  void binary_field(int16_t id, std::string_view value);
  // A struct field: its header, then begin_struct(); close it with end_struct().
  void struct_field(int16_t id);
  // A list field: its header and the list header; the caller writes the `size` elements.
  void list_field(int16_t id, ThriftType element, size_t size);

 private:
  std::string out_;
  std::vector<int16_t> last_field_id_;  // one per open struct
};

}  // namespace vitrine::datasets
