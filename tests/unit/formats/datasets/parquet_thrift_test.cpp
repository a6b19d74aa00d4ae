// Unit tests for parquet_thrift: the compact-protocol reader (varints, zigzag, field deltas,
// skipping every type, the depth and count bounds, sticky errors).
#include "formats/datasets/parquet_thrift.hpp"

#include <gtest/gtest.h>

#include <string>

#include "parquet_test_encoder.hpp"

namespace vitrine::datasets {
namespace {

using test::ThriftWriter;

std::string bytes_of(std::initializer_list<int> list) {
  std::string out;
  for (int b : list) out.push_back(static_cast<char>(b));
  return out;
}

TEST(ThriftReader, VarintsAndZigzag) {
  std::string in = bytes_of({0x00, 0x7f, 0x80, 0x01, 0xac, 0x02, 0x01, 0x02, 0x03});
  ThriftReader r(in);
  EXPECT_EQ(r.read_varint(), 0u);
  EXPECT_EQ(r.read_varint(), 127u);
  EXPECT_EQ(r.read_varint(), 128u);
  EXPECT_EQ(r.read_varint(), 300u);
  EXPECT_EQ(r.read_zigzag(), -1);
  EXPECT_EQ(r.read_zigzag(), 1);
  EXPECT_EQ(r.read_zigzag(), -2);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.remaining(), 0u);
  r.read_varint();
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.truncated());
}

TEST(ThriftReader, ExtremeVarints) {
  ThriftWriter w;
  w.zigzag(INT64_MIN).zigzag(INT64_MAX).varint(UINT64_MAX);
  ThriftReader r(w.bytes());
  EXPECT_EQ(r.read_zigzag(), INT64_MIN);
  EXPECT_EQ(r.read_zigzag(), INT64_MAX);
  EXPECT_EQ(r.read_varint(), UINT64_MAX);
  EXPECT_TRUE(r.ok());

  // Eleven bytes, or a tenth byte with more than the 64th bit: refused.
  std::string too_long(10, '\x80');
  too_long.push_back('\x01');
  ThriftReader r2(too_long);
  r2.read_varint();
  EXPECT_FALSE(r2.ok());
  EXPECT_NE(r2.status().message().find("over 64 bits"), std::string::npos);
  std::string tenth = std::string(9, '\xff') + "\x02";
  ThriftReader r3(tenth);
  r3.read_varint();
  EXPECT_FALSE(r3.ok());
}

TEST(ThriftReader, I32RangeIsChecked) {
  ThriftWriter w;
  w.zigzag(int64_t{1} << 31);
  ThriftReader r(w.bytes());
  r.read_i32();
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("i32 out of range"), std::string::npos);
}

TEST(ThriftReader, FieldDeltasAndLongFormIds) {
  ThriftWriter w;
  w.i32(1, 7).i32(16, -3).i32(3, 5).boolean(4, true).boolean(300, false).binary(301, "hi");
  std::string bytes = w.finish();
  ThriftReader r(bytes);
  r.begin_struct();
  auto f = r.read_field_header();
  EXPECT_EQ(f.id, 1);
  EXPECT_EQ(r.read_i32(), 7);
  f = r.read_field_header();
  EXPECT_EQ(f.id, 16);  // a delta of 15 is the last short form
  EXPECT_EQ(r.read_i32(), -3);
  f = r.read_field_header();
  EXPECT_EQ(f.id, 3);  // going back needs the long form
  EXPECT_EQ(r.read_i32(), 5);
  f = r.read_field_header();
  EXPECT_EQ(f.id, 4);
  EXPECT_TRUE(ThriftReader::field_bool(f));
  f = r.read_field_header();
  EXPECT_EQ(f.id, 300);
  EXPECT_FALSE(ThriftReader::field_bool(f));
  f = r.read_field_header();
  EXPECT_EQ(f.id, 301);
  EXPECT_EQ(r.read_binary(), "hi");
  EXPECT_EQ(r.read_field_header().type, ThriftType::kStop);
  r.end_struct();
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(ThriftReader, SkipsEveryType) {
  ThriftWriter w;
  w.i8(1, 5).i16(2, -300).i32(3, 1 << 30).i64(4, int64_t{1} << 40).dbl(5, 2.5);
  w.binary(6, "bytes").boolean(7, true);
  w.list(8, ThriftType::kI32, 20);
  for (int i = 0; i < 20; ++i) w.zigzag(i);
  w.list(9, ThriftType::kTrue, 3).byte(1).byte(2).byte(0);
  w.field(10, ThriftType::kSet).list_header(ThriftType::kBinary, 2).string("a").string("b");
  w.field(11, ThriftType::kMap).varint(2).byte(0x85);  // binary → i32
  w.string("k1").zigzag(1).string("k2").zigzag(2);
  w.field(12, ThriftType::kMap).varint(0);  // the empty map is one byte
  w.begin(13).begin(1).list(2, ThriftType::kStruct, 2);
  w.open().i32(1, 1).end().open().end();
  w.end().end();
  w.field(14, ThriftType::kUuid).raw(std::string(16, 'u'));
  w.list(15, ThriftType::kList, 2).list_header(ThriftType::kI64, 1).zigzag(9);
  w.list_header(ThriftType::kDouble, 0);
  std::string bytes = w.finish() + "tail";
  ThriftReader r(bytes);
  r.skip(ThriftType::kStruct);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r.remaining(), 4u);
}

TEST(ThriftReader, DepthIsBounded) {
  ThriftWriter w;
  for (size_t i = 0; i < kMaxThriftDepth + 5; ++i) w.begin(1);
  for (size_t i = 0; i < kMaxThriftDepth + 5; ++i) w.end();
  std::string bytes = w.finish();
  ThriftReader r(bytes);
  r.skip(ThriftType::kStruct);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("nested deeper than"), std::string::npos);

  // Lists of lists count too.
  std::string lists;
  for (int i = 0; i < 100; ++i) lists += '\x19';  // one element, itself a list
  ThriftReader r2(lists);
  r2.skip(ThriftType::kList);
  EXPECT_FALSE(r2.ok());
}

TEST(ThriftReader, ListCountsPastTheBytesLeftAreRefused) {
  ThriftWriter w;
  w.list_header(ThriftType::kI32, 1'000'000'000);
  std::string bytes = w.bytes() + std::string(100, '\0');
  ThriftReader r(bytes);
  auto list = r.read_list_header();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(list.size, 0u);
  EXPECT_NE(r.status().message().find("elements"), std::string::npos);

  ThriftWriter m;
  m.varint(1'000'000).byte(0x55);
  std::string map = m.bytes() + "xx";
  ThriftReader r2(map);
  r2.skip(ThriftType::kMap);
  EXPECT_FALSE(r2.ok());
}

TEST(ThriftReader, ErrorsAreSticky) {
  std::string bytes = bytes_of({0x0e, 0x15, 0x02});  // a field of type 14: no such type
  ThriftReader r(bytes);
  r.begin_struct();
  EXPECT_EQ(r.read_field_header().type, ThriftType::kStop);
  EXPECT_FALSE(r.ok());
  size_t at = r.position();
  EXPECT_EQ(r.read_varint(), 0u);
  EXPECT_EQ(r.read_binary(), "");
  EXPECT_EQ(r.position(), at);
}

}  // namespace
}  // namespace vitrine::datasets
