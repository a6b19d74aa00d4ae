// The compact-protocol writer (parquet_thrift_writer.hpp).
#include "formats/datasets/parquet_thrift_writer.hpp"

#include <cassert>
#include <cstring>

namespace vitrine::datasets {

void ThriftWriter::write_varint(uint64_t value) {
  while (value >= 0x80) {
    out_.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out_.push_back(static_cast<char>(value));
}

void ThriftWriter::write_zigzag(int64_t value) {
  write_varint((static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63));
}

void ThriftWriter::write_byte(uint8_t value) {
  out_.push_back(static_cast<char>(value));
}

void ThriftWriter::write_double(double value) {
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>(bits >> (8 * i)));
}

void ThriftWriter::write_binary(std::string_view data) {
  write_varint(data.size());
  out_.append(data);
}

void ThriftWriter::write_list_header(ThriftType element, size_t size) {
  auto type = static_cast<uint8_t>(element);
  if (size < 15) {
    write_byte(static_cast<uint8_t>(size << 4 | type));
  } else {
    write_byte(static_cast<uint8_t>(0xf0 | type));
    write_varint(size);
  }
}

void ThriftWriter::write_list_bool(bool value) {
  // In a list a bool is a byte of its own: 1 for true, 2 for false (the field-header codes).
  write_byte(value ? 1 : 2);
}

void ThriftWriter::begin_struct() {
  last_field_id_.push_back(0);
}

void ThriftWriter::end_struct() {
  assert(!last_field_id_.empty());
  write_byte(0);
  last_field_id_.pop_back();
}

void ThriftWriter::field_header(int16_t id, ThriftType type) {
  assert(!last_field_id_.empty());
  int delta = id - last_field_id_.back();
  auto code = static_cast<uint8_t>(type);
  if (delta > 0 && delta <= 15) {
    write_byte(static_cast<uint8_t>(delta << 4 | code));
  } else {
    write_byte(code);
    write_zigzag(id);
  }
  last_field_id_.back() = id;
}

void ThriftWriter::bool_field(int16_t id, bool value) {
  field_header(id, value ? ThriftType::kTrue : ThriftType::kFalse);
}

void ThriftWriter::byte_field(int16_t id, int8_t value) {
  field_header(id, ThriftType::kByte);
  write_byte(static_cast<uint8_t>(value));
}

void ThriftWriter::i16_field(int16_t id, int16_t value) {
  field_header(id, ThriftType::kI16);
  write_zigzag(value);
}

void ThriftWriter::i32_field(int16_t id, int32_t value) {
  field_header(id, ThriftType::kI32);
  write_zigzag(value);
}

void ThriftWriter::i64_field(int16_t id, int64_t value) {
  field_header(id, ThriftType::kI64);
  write_zigzag(value);
}

void ThriftWriter::double_field(int16_t id, double value) {
  field_header(id, ThriftType::kDouble);
  write_double(value);
}

void ThriftWriter::binary_field(int16_t id, std::string_view value) {
  field_header(id, ThriftType::kBinary);
  write_binary(value);
}

void ThriftWriter::struct_field(int16_t id) {
  field_header(id, ThriftType::kStruct);
  begin_struct();
}

void ThriftWriter::list_field(int16_t id, ThriftType element, size_t size) {
  field_header(id, ThriftType::kList);
  write_list_header(element, size);
}

}  // namespace vitrine::datasets
