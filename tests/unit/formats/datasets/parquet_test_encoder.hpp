// Test-only writers for the Parquet tests: a Thrift compact-protocol encoder, and a builder of
// small Parquet files from column chunks given as raw page bytes. Written from the specs
// (apache/thrift thrift-compact-protocol.md, parquet.thrift); enough to build the files the
// tests need, including hostile ones (any field may be written with any value).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "formats/datasets/parquet_metadata.hpp"
#include "formats/datasets/parquet_thrift.hpp"

namespace vitrine::datasets::test {

class ThriftWriter {
 public:
  // A field header: short form when the id is 1..15 past the previous one, else long form.
  ThriftWriter& field(int id, ThriftType type) {
    int delta = id - last_.back();
    auto t = static_cast<uint8_t>(type);
    if (delta > 0 && delta <= 15) {
      byte(static_cast<uint8_t>(delta << 4 | t));
    } else {
      byte(t);
      zigzag(id);
    }
    last_.back() = id;
    return *this;
  }
  ThriftWriter& i32(int id, int64_t v) { return field(id, ThriftType::kI32).zigzag(v); }
  ThriftWriter& i64(int id, int64_t v) { return field(id, ThriftType::kI64).zigzag(v); }
  ThriftWriter& i16(int id, int64_t v) { return field(id, ThriftType::kI16).zigzag(v); }
  ThriftWriter& i8(int id, int v) { return field(id, ThriftType::kByte).byte(uint8_t(v)); }
  ThriftWriter& boolean(int id, bool v) {
    return field(id, v ? ThriftType::kTrue : ThriftType::kFalse);
  }
  ThriftWriter& binary(int id, std::string_view s) {
    return field(id, ThriftType::kBinary).string(s);
  }
  ThriftWriter& dbl(int id, double v) {
    field(id, ThriftType::kDouble);
    uint64_t bits;
    std::memcpy(&bits, &v, 8);
    for (int i = 0; i < 8; ++i) byte(uint8_t(bits >> (8 * i)));
    return *this;
  }
  // A struct field; close it with end().
  ThriftWriter& begin(int id) {
    field(id, ThriftType::kStruct);
    return open();
  }
  // A struct value (a list element); close it with end().
  ThriftWriter& open() {
    last_.push_back(0);
    return *this;
  }
  ThriftWriter& end() {
    byte(0);
    last_.pop_back();
    return *this;
  }
  ThriftWriter& list(int id, ThriftType element, uint64_t size) {
    field(id, ThriftType::kList);
    return list_header(element, size);
  }
  ThriftWriter& list_header(ThriftType element, uint64_t size) {
    auto t = static_cast<uint8_t>(element);
    if (size < 15) return byte(uint8_t(size << 4 | t));
    byte(uint8_t(0xf0 | t));
    return varint(size);
  }
  ThriftWriter& varint(uint64_t v) {
    while (v >= 0x80) {
      byte(uint8_t(v | 0x80));
      v >>= 7;
    }
    return byte(uint8_t(v));
  }
  ThriftWriter& zigzag(int64_t v) {
    return varint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
  }
  ThriftWriter& string(std::string_view s) {
    varint(s.size());
    out_.append(s);
    return *this;
  }
  ThriftWriter& byte(uint8_t b) {
    out_.push_back(static_cast<char>(b));
    return *this;
  }
  ThriftWriter& raw(std::string_view s) {
    out_.append(s);
    return *this;
  }
  // The bytes of a top-level struct: its fields, then the stop byte.
  std::string finish() {
    byte(0);
    return out_;
  }
  const std::string& bytes() const { return out_; }

 private:
  std::string out_;
  std::vector<int> last_{0};
};

// A leaf column of a test file: its schema element and the bytes of its chunk's pages.
struct TestColumn {
  std::string name;
  PhysicalType type = PhysicalType::kInt64;
  Repetition repetition = Repetition::kRequired;
  std::optional<ConvertedType> converted_type;
  std::optional<int32_t> type_length;
  CompressionCodec codec = CompressionCodec::kUncompressed;
  std::string pages;            // page headers and page data, as they lie in the file
  int64_t num_values = 0;       // ColumnMetaData.num_values
  bool has_dictionary = false;  // the pages start with a dictionary page
  std::vector<Encoding> encodings{Encoding::kPlain, Encoding::kRle};
  std::vector<std::string> path;  // path_in_schema when nested (else {name})
  // An OffsetIndex to write: each data page's start within `pages`, its size and first row.
  struct IndexedPage {
    size_t at;
    int32_t size;
    int64_t first_row;
  };
  std::vector<IndexedPage> index;
};

// One SchemaElement as a list element (open struct already written by the caller's open()).
inline void write_leaf(ThriftWriter& w, const TestColumn& c) {
  w.open().i32(1, int32_t(c.type));
  if (c.type_length) w.i32(2, *c.type_length);
  w.i32(3, int32_t(c.repetition)).binary(4, c.name);
  if (c.converted_type) w.i32(6, int32_t(*c.converted_type));
  w.end();
}

// The ColumnChunk of `c` whose pages start at `offset` (and its OffsetIndex at `index_at`, of
// `index_size` bytes, when it has one).
inline void write_chunk(ThriftWriter& w, const TestColumn& c, int64_t offset, int64_t index_at = 0,
                        int32_t index_size = 0) {
  w.open().i64(2, 0).begin(3);
  w.i32(1, int32_t(c.type)).list(2, ThriftType::kI32, c.encodings.size());
  for (Encoding e : c.encodings) w.zigzag(int32_t(e));
  std::vector<std::string> path = c.path.empty() ? std::vector<std::string>{c.name} : c.path;
  w.list(3, ThriftType::kBinary, path.size());
  for (const auto& name : path) w.string(name);
  w.i32(4, int32_t(c.codec)).i64(5, c.num_values);
  w.i64(6, int64_t(c.pages.size())).i64(7, int64_t(c.pages.size()));
  w.i64(9, offset);
  if (c.has_dictionary) w.i64(11, offset);
  w.end();
  if (index_size > 0) w.i64(4, index_at).i32(5, index_size);
  w.end();
}

// A whole file: "PAR1", each column's pages (one row group), the footer, its length, "PAR1".
// `extra_footer` is written into FileMetaData before its stop byte.
// A schema element of a nested test schema: a group (children > 0, no type) or a leaf.
struct TestElement {
  TestElement(std::string n, std::optional<PhysicalType> t, std::optional<Repetition> r, int c = 0,
              std::optional<ConvertedType> ct = std::nullopt)
      : name(std::move(n)), type(t), repetition(r), children(c), converted_type(ct) {}
  std::string name;
  std::optional<PhysicalType> type;
  std::optional<Repetition> repetition;
  int children = 0;
  std::optional<ConvertedType> converted_type;
};

// A file whose schema is `elements` (depth-first, without the root: the root's children are
// the first `top_level` elements' subtrees) and whose columns are `columns` in leaf order.
inline std::string build_parquet(const std::vector<TestColumn>& columns, int64_t num_rows,
                                 std::vector<std::pair<std::string, std::string>> metadata = {},
                                 std::string_view extra_footer = {},
                                 const std::vector<TestElement>* elements = nullptr,
                                 int top_level = 0) {
  std::string file = "PAR1";
  std::vector<int64_t> offsets;
  for (const auto& c : columns) {
    offsets.push_back(int64_t(file.size()));
    file += c.pages;
  }
  std::vector<std::pair<int64_t, int32_t>> indexes;  // where each column's OffsetIndex lies
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].index.empty()) {
      indexes.emplace_back(0, 0);
      continue;
    }
    ThriftWriter index;
    index.list(1, ThriftType::kStruct, columns[i].index.size());
    for (const auto& p : columns[i].index) {
      index.open().i64(1, offsets[i] + int64_t(p.at)).i32(2, p.size).i64(3, p.first_row).end();
    }
    std::string bytes = index.finish();
    indexes.emplace_back(int64_t(file.size()), int32_t(bytes.size()));
    file += bytes;
  }
  ThriftWriter w;
  if (elements) {
    w.i32(1, 2).list(2, ThriftType::kStruct, elements->size() + 1);
    w.open().binary(4, "schema").i32(5, top_level).end();
    for (const auto& e : *elements) {
      w.open();
      if (e.type) w.i32(1, int32_t(*e.type));
      if (e.repetition) w.i32(3, int32_t(*e.repetition));
      w.binary(4, e.name);
      if (e.children > 0) w.i32(5, e.children);
      if (e.converted_type) w.i32(6, int32_t(*e.converted_type));
      w.end();
    }
  } else {
    w.i32(1, 2).list(2, ThriftType::kStruct, columns.size() + 1);
    w.open().binary(4, "schema").i32(5, int32_t(columns.size())).end();
    for (const auto& c : columns) write_leaf(w, c);
  }
  w.i64(3, num_rows).list(4, ThriftType::kStruct, 1);
  w.open().list(1, ThriftType::kStruct, columns.size());
  for (size_t i = 0; i < columns.size(); ++i) {
    write_chunk(w, columns[i], offsets[i], indexes[i].first, indexes[i].second);
  }
  w.i64(2, 0).i64(3, num_rows).end();
  if (!metadata.empty()) {
    w.list(5, ThriftType::kStruct, metadata.size());
    for (const auto& [k, v] : metadata) w.open().binary(1, k).binary(2, v).end();
  }
  w.binary(6, "vitrine test encoder");
  w.raw(extra_footer);
  std::string footer = w.finish();
  file += footer;
  uint32_t n = uint32_t(footer.size());
  for (int i = 0; i < 4; ++i) file.push_back(char(n >> (8 * i)));
  return file + "PAR1";
}

// ---- Page bytes ----

inline std::string le32(uint32_t v) {
  std::string out;
  for (int i = 0; i < 4; ++i) out.push_back(char(v >> (8 * i)));
  return out;
}

template <typename T>
std::string plain(const std::vector<T>& values) {
  std::string out(values.size() * sizeof(T), '\0');
  if (!values.empty()) std::memcpy(out.data(), values.data(), out.size());
  return out;
}

inline std::string plain_strings(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) out += le32(uint32_t(v.size())) + v;
  return out;
}

// The RLE/bit-packed hybrid without length prefix: one RLE run per stretch of equal values,
// or, with `packed`, bit-packed groups of 8 (the last padded with zeros).
inline std::string rle_hybrid(const std::vector<uint32_t>& values, int bit_width,
                              bool packed = false) {
  ThriftWriter w;
  if (packed) {
    size_t groups = (values.size() + 7) / 8;
    w.varint(groups << 1 | 1);
    std::string bits(groups * bit_width, '\0');
    for (size_t i = 0; i < values.size(); ++i) {
      for (int b = 0; b < bit_width; ++b) {
        size_t bit = i * bit_width + b;
        if (values[i] >> b & 1) bits[bit / 8] = char(bits[bit / 8] | (1 << (bit % 8)));
      }
    }
    return w.raw(bits).bytes();
  }
  for (size_t i = 0; i < values.size();) {
    size_t j = i;
    while (j < values.size() && values[j] == values[i]) ++j;
    w.varint((j - i) << 1);
    for (int b = 0; b < (bit_width + 7) / 8; ++b) w.byte(uint8_t(values[i] >> (8 * b)));
    i = j;
  }
  return w.bytes();
}

// DELTA_BINARY_PACKED with blocks of 128 values in 4 miniblocks of 32.
inline std::string delta_binary_packed(const std::vector<int64_t>& values) {
  ThriftWriter w;
  w.varint(128).varint(4).varint(values.size()).zigzag(values.empty() ? 0 : values[0]);
  for (size_t start = 1; start < values.size(); start += 128) {
    size_t end = std::min(values.size(), start + 128);
    std::vector<uint64_t> deltas;
    for (size_t i = start; i < end; ++i) {
      deltas.push_back(uint64_t(values[i]) - uint64_t(values[i - 1]));
    }
    int64_t min_delta = int64_t(deltas[0]);
    for (uint64_t d : deltas) min_delta = std::min(min_delta, int64_t(d));
    w.zigzag(min_delta);
    std::vector<int> widths(4, 0);
    for (size_t i = 0; i < deltas.size(); ++i) {
      uint64_t v = deltas[i] - uint64_t(min_delta);
      int width = 0;
      while (width < 64 && (v >> width) != 0) ++width;
      widths[i / 32] = std::max(widths[i / 32], width);
    }
    for (int width : widths) w.byte(uint8_t(width));
    for (size_t m = 0; m * 32 < deltas.size(); ++m) {
      std::string bits(32 * widths[m] / 8, '\0');
      for (size_t j = 0; j < 32 && m * 32 + j < deltas.size(); ++j) {
        uint64_t v = deltas[m * 32 + j] - uint64_t(min_delta);
        for (int b = 0; b < widths[m]; ++b) {
          size_t bit = j * widths[m] + b;
          if (v >> b & 1) bits[bit / 8] = char(bits[bit / 8] | (1 << (bit % 8)));
        }
      }
      w.raw(bits);
    }
  }
  return w.bytes();
}

// DELTA_LENGTH_BYTE_ARRAY: the lengths DELTA_BINARY_PACKED, then the bytes one after another.
inline std::string delta_length_byte_array(const std::vector<std::string>& values) {
  std::vector<int64_t> lengths;
  std::string bytes;
  for (const auto& v : values) {
    lengths.push_back(int64_t(v.size()));
    bytes += v;
  }
  return delta_binary_packed(lengths) + bytes;
}

// A page: its header, then `body` (already compressed), `uncompressed` bytes before.
// The levels of a v1 page: the RLE hybrid with its 4-byte length prefix.
inline std::string v1_levels(const std::vector<uint32_t>& levels, int max_level) {
  int width = 0;
  while ((1 << width) <= max_level) ++width;
  std::string rle = rle_hybrid(levels, width);
  return le32(uint32_t(rle.size())) + rle;
}

inline std::string data_page_v1(const std::string& body, size_t uncompressed, int num_values,
                                Encoding encoding) {
  ThriftWriter w;
  w.i32(1, 0).i32(2, int64_t(uncompressed)).i32(3, int64_t(body.size()));
  w.begin(5).i32(1, num_values).i32(2, int32_t(encoding)).i32(3, 3).i32(4, 3).end();
  return w.finish() + body;
}

inline std::string dictionary_page(const std::string& body, size_t uncompressed, int num_values) {
  ThriftWriter w;
  w.i32(1, 2).i32(2, int64_t(uncompressed)).i32(3, int64_t(body.size()));
  w.begin(7).i32(1, num_values).i32(2, 0).end();
  return w.finish() + body;
}

// A v2 page: `levels` (uncompressed definition levels), then `values` (compressed or not).
inline std::string data_page_v2(const std::string& levels, const std::string& values,
                                size_t values_uncompressed, int num_values, int num_nulls,
                                Encoding encoding, bool is_compressed = true) {
  ThriftWriter w;
  w.i32(1, 3).i32(2, int64_t(levels.size() + values_uncompressed));
  w.i32(3, int64_t(levels.size() + values.size()));
  w.begin(8).i32(1, num_values).i32(2, num_nulls).i32(3, num_values).i32(4, int32_t(encoding));
  w.i32(5, int64_t(levels.size())).i32(6, 0).boolean(7, is_compressed).end();
  return w.finish() + levels + values;
}

}  // namespace vitrine::datasets::test
