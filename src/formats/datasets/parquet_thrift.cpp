// The compact-protocol reader (parquet_thrift.hpp).
#include "formats/datasets/parquet_thrift.hpp"

#include <cstring>
#include <limits>

namespace vitrine::datasets {

void ThriftReader::fail(std::string_view message) {
  if (!status_.is_ok()) return;
  status_ = unprocessable("Parquet metadata: " + std::string(message) + " (at byte " +
                          std::to_string(position_) + ")");
}

bool ThriftReader::need(size_t n) {
  if (!ok()) return false;
  if (n > remaining()) {
    fail("truncated");
    truncated_ = true;
    return false;
  }
  return true;
}

uint64_t ThriftReader::read_varint() {
  uint64_t value = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (!need(1)) return 0;
    auto byte = static_cast<uint8_t>(bytes_[position_++]);
    if (shift == 63 && byte > 1) {
      fail("varint over 64 bits");
      return 0;
    }
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return value;
  }
  fail("varint over 64 bits");
  return 0;
}

int64_t ThriftReader::read_zigzag() {
  uint64_t n = read_varint();
  return static_cast<int64_t>((n >> 1) ^ (~(n & 1) + 1));
}

int16_t ThriftReader::read_i16() {
  int64_t v = read_zigzag();
  if (v < std::numeric_limits<int16_t>::min() || v > std::numeric_limits<int16_t>::max()) {
    fail("i16 out of range");
    return 0;
  }
  return static_cast<int16_t>(v);
}

int32_t ThriftReader::read_i32() {
  int64_t v = read_zigzag();
  if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()) {
    fail("i32 out of range");
    return 0;
  }
  return static_cast<int32_t>(v);
}

int8_t ThriftReader::read_byte() {
  if (!need(1)) return 0;
  return static_cast<int8_t>(bytes_[position_++]);
}

double ThriftReader::read_double() {
  if (!need(8)) return 0;
  uint64_t bits = 0;
  for (int i = 7; i >= 0; --i) bits = (bits << 8) | static_cast<uint8_t>(bytes_[position_ + i]);
  position_ += 8;
  double value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

std::string_view ThriftReader::read_binary() {
  uint64_t length = read_varint();
  if (!ok()) return {};
  if (!need(length)) return {};
  std::string_view out = bytes_.substr(position_, length);
  position_ += length;
  return out;
}

void ThriftReader::begin_struct() {
  if (!ok()) return;
  if (depth_ >= kMaxThriftDepth) {
    fail("structs nested deeper than " + std::to_string(kMaxThriftDepth));
    return;
  }
  last_field_id_[++depth_] = 0;
}

void ThriftReader::end_struct() {
  if (depth_ > 0) --depth_;
}

ThriftField ThriftReader::read_field_header() {
  if (!need(1)) return {};
  auto byte = static_cast<uint8_t>(bytes_[position_++]);
  if (byte == 0) return {};
  auto type = static_cast<ThriftType>(byte & 0x0f);
  if (type == ThriftType::kStop || (byte & 0x0f) > static_cast<uint8_t>(ThriftType::kUuid)) {
    fail("bad field type " + std::to_string(byte & 0x0f));
    return {};
  }
  int delta = byte >> 4;
  int32_t id = delta != 0 ? last_field_id_[depth_] + delta : read_i16();
  if (!ok()) return {};
  if (id > std::numeric_limits<int16_t>::max()) {
    fail("field id out of range");
    return {};
  }
  last_field_id_[depth_] = static_cast<int16_t>(id);
  return {static_cast<int16_t>(id), type};
}

ThriftList ThriftReader::read_list_header() {
  if (!need(1)) return {};
  auto byte = static_cast<uint8_t>(bytes_[position_++]);
  uint64_t size = byte >> 4;
  auto type = static_cast<ThriftType>(byte & 0x0f);
  if (size == 15) size = read_varint();
  if (!ok()) return {};
  if ((byte & 0x0f) > static_cast<uint8_t>(ThriftType::kUuid) ||
      (type == ThriftType::kStop && size > 0)) {
    fail("bad list element type " + std::to_string(byte & 0x0f));
    return {};
  }
  // Every element takes at least one byte: a count past the bytes left is a lie, and refusing
  // it here keeps callers from reserving memory for it.
  if (size > kMaxThriftListSize) {
    fail("list of " + std::to_string(size) + " elements (at most " +
         std::to_string(kMaxThriftListSize) + ")");
    return {};
  }
  if (size > remaining()) {
    fail("list of " + std::to_string(size) + " elements in " + std::to_string(remaining()) +
         " bytes");
    truncated_ = true;
    return {};
  }
  return {type, static_cast<uint32_t>(size)};
}

bool ThriftReader::read_list_bool() {
  int8_t byte = read_byte();
  if (byte != 0 && byte != 1 && byte != 2) fail("bad bool in list");
  return byte == 1;
}

void ThriftReader::skip(ThriftType type) {
  switch (type) {
    case ThriftType::kTrue:
    case ThriftType::kFalse:
    case ThriftType::kByte:
      read_byte();
      return;
    case ThriftType::kI16:
    case ThriftType::kI32:
    case ThriftType::kI64:
      read_varint();
      return;
    case ThriftType::kDouble:
      if (need(8)) position_ += 8;
      return;
    case ThriftType::kUuid:
      if (need(16)) position_ += 16;
      return;
    case ThriftType::kBinary:
      read_binary();
      return;
    case ThriftType::kList:
    case ThriftType::kSet: {
      // The element values sit one level deeper: a list of lists counts against the depth.
      begin_struct();
      ThriftList list = read_list_header();
      for (uint32_t i = 0; i < list.size && ok(); ++i) skip(list.element_type);
      end_struct();
      return;
    }
    case ThriftType::kMap: {
      begin_struct();
      uint64_t size = read_varint();
      if (size > 0 && ok()) {
        auto types = static_cast<uint8_t>(read_byte());
        auto key = static_cast<ThriftType>(types >> 4);
        auto value = static_cast<ThriftType>(types & 0x0f);
        if (key == ThriftType::kStop || value == ThriftType::kStop || (types >> 4) > 13 ||
            (types & 0x0f) > 13) {
          fail("bad map types");
        } else if (size > kMaxThriftListSize || size * 2 > remaining()) {
          fail("map of " + std::to_string(size) + " entries in " + std::to_string(remaining()) +
               " bytes");
        }
        for (uint64_t i = 0; i < size && ok(); ++i) {
          skip(key);
          skip(value);
        }
      }
      end_struct();
      return;
    }
    case ThriftType::kStruct: {
      begin_struct();
      while (ok()) {
        ThriftField field = read_field_header();
        if (field.type == ThriftType::kStop) break;
        skip_field(field);
      }
      end_struct();
      return;
    }
    case ThriftType::kStop:
      fail("unexpected stop");
      return;
  }
  fail("bad type");
}

void ThriftReader::skip_field(const ThriftField& field) {
  if (field.type == ThriftType::kTrue || field.type == ThriftType::kFalse) return;
  skip(field.type);
}

bool ThriftReader::expect(const ThriftField& field, ThriftType type, std::string_view what) {
  if (!ok()) return false;
  if (field.type != type) {
    fail(std::string(what) + " has the wrong type");
    return false;
  }
  return true;
}

bool ThriftReader::bool_field(const ThriftField& field, std::string_view what) {
  if (field.type != ThriftType::kTrue && field.type != ThriftType::kFalse) {
    fail(std::string(what) + " has the wrong type");
    return false;
  }
  return field.type == ThriftType::kTrue;
}

int32_t ThriftReader::i32_field(const ThriftField& field, std::string_view what) {
  return expect(field, ThriftType::kI32, what) ? read_i32() : 0;
}

int64_t ThriftReader::i64_field(const ThriftField& field, std::string_view what) {
  return expect(field, ThriftType::kI64, what) ? read_i64() : 0;
}

std::string_view ThriftReader::binary_field(const ThriftField& field, std::string_view what) {
  return expect(field, ThriftType::kBinary, what) ? read_binary() : std::string_view();
}

ThriftList ThriftReader::list_field(const ThriftField& field, ThriftType element,
                                    std::string_view what) {
  if (!expect(field, ThriftType::kList, what)) return {};
  ThriftList list = read_list_header();
  bool is_bool = element == ThriftType::kTrue || element == ThriftType::kFalse;
  bool got_bool = list.element_type == ThriftType::kTrue || list.element_type == ThriftType::kFalse;
  if (ok() && list.size > 0 && list.element_type != element && !(is_bool && got_bool)) {
    fail(std::string(what) + " has the wrong element type");
    return {};
  }
  return list;
}

void require_fields(ThriftReader& in, uint64_t seen, std::initializer_list<int> ids,
                    std::string_view what) {
  for (int id : ids) {
    if (!(seen & (uint64_t{1} << id))) {
      in.fail(std::string(what) + " lacks required field " + std::to_string(id));
      return;
    }
  }
}

int32_t enum_field(ThriftReader& in, const ThriftField& f, std::string_view what, int32_t max) {
  int32_t v = in.i32_field(f, what);
  if (in.ok() && (v < 0 || v > max)) in.fail(std::string(what) + " out of range");
  return v;
}

int32_t non_negative_i32(ThriftReader& in, const ThriftField& f, std::string_view what) {
  int32_t v = in.i32_field(f, what);
  if (in.ok() && v < 0) in.fail(std::string(what) + " is negative");
  return v;
}

int64_t non_negative_i64(ThriftReader& in, const ThriftField& f, std::string_view what) {
  int64_t v = in.i64_field(f, what);
  if (in.ok() && v < 0) in.fail(std::string(what) + " is negative");
  return v;
}

std::string string_field(ThriftReader& in, const ThriftField& f, std::string_view what) {
  return std::string(in.binary_field(f, what));
}

}  // namespace vitrine::datasets
