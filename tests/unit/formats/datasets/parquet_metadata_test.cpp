// Unit tests for parquet_metadata: the footer of files built by the test encoder, and hostile
// footers (truncated, lying lengths and counts, columns past the bound, pages outside the file,
// row counts that do not add up).
#include "formats/datasets/parquet_metadata.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "parquet_test_encoder.hpp"

namespace vitrine::datasets {
namespace {

using test::build_parquet;
using test::TestColumn;
using test::ThriftWriter;

std::vector<TestColumn> two_columns() {
  TestColumn a;
  a.name = "id";
  a.type = PhysicalType::kInt64;
  a.pages = std::string(24, 'p');
  a.num_values = 3;
  TestColumn b;
  b.name = "text";
  b.type = PhysicalType::kByteArray;
  b.repetition = Repetition::kOptional;
  b.converted_type = ConvertedType::kUtf8;
  b.codec = CompressionCodec::kSnappy;
  b.pages = std::string(40, 'q');
  b.num_values = 3;
  b.has_dictionary = true;
  return {a, b};
}

TEST(ParquetFooter, ReadsTheFooterOfABuiltFile) {
  std::string file =
      build_parquet(two_columns(), 3, {{"huggingface", "{\"info\":{}}"}, {"other", "x"}});
  auto need = parquet_tail_size(file.substr(file.size() - 8), file.size());
  ASSERT_TRUE(need) << need.status().message();
  auto footer =
      parse_parquet_footer(std::string_view(file).substr(file.size() - *need), file.size());
  ASSERT_TRUE(footer) << footer.status().message();
  EXPECT_EQ(footer->version, 2);
  EXPECT_EQ(footer->num_rows, 3);
  ASSERT_EQ(footer->schema.size(), 3u);
  EXPECT_EQ(footer->schema[0].name, "schema");
  EXPECT_EQ(footer->schema[0].num_children, 2);
  EXPECT_FALSE(footer->schema[0].type);
  EXPECT_EQ(footer->schema[2].name, "text");
  EXPECT_EQ(footer->schema[2].type, PhysicalType::kByteArray);
  EXPECT_EQ(footer->schema[2].repetition, Repetition::kOptional);
  EXPECT_EQ(footer->schema[2].converted_type, ConvertedType::kUtf8);
  ASSERT_EQ(footer->row_groups.size(), 1u);
  const auto& columns = footer->row_groups[0].columns;
  ASSERT_EQ(columns.size(), 2u);
  const auto& m = *columns[1].meta_data;
  EXPECT_EQ(m.type, PhysicalType::kByteArray);
  EXPECT_EQ(m.codec, CompressionCodec::kSnappy);
  EXPECT_EQ(m.path_in_schema, std::vector<std::string>{"text"});
  EXPECT_EQ(m.encodings, (std::vector<Encoding>{Encoding::kPlain, Encoding::kRle}));
  EXPECT_EQ(m.data_page_offset, 4 + 24);
  EXPECT_EQ(m.dictionary_page_offset, 4 + 24);
  EXPECT_EQ(m.first_page_offset(), 28);
  EXPECT_EQ(m.total_compressed_size, 40);
  EXPECT_EQ(columns[0].meta_data->data_page_offset, 4);
  ASSERT_NE(footer->metadata_value("huggingface"), nullptr);
  EXPECT_EQ(*footer->metadata_value("huggingface"), "{\"info\":{}}");
  EXPECT_EQ(footer->metadata_value("absent"), nullptr);
  EXPECT_EQ(footer->created_by, "vitrine test encoder");
  EXPECT_EQ(footer->metadata_offset, 4u + 24 + 40);
  EXPECT_EQ(footer->metadata_offset + footer->metadata_length + 8, file.size());

  // The whole file as the tail gives the same answer (and checks the leading magic).
  auto whole = parse_parquet_footer(file, file.size());
  ASSERT_TRUE(whole) << whole.status().message();
  EXPECT_EQ(whole->metadata_offset, footer->metadata_offset);
  std::string bad_head = file;
  bad_head[0] = 'X';
  EXPECT_FALSE(parse_parquet_footer(bad_head, bad_head.size()));
}

TEST(ParquetFooter, AsksForTheBytesItNeeds) {
  std::string file = build_parquet(two_columns(), 3);
  auto need = parquet_tail_size(file.substr(file.size() - 8), file.size());
  ASSERT_TRUE(need);
  auto short_tail =
      parse_parquet_footer(std::string_view(file).substr(file.size() - *need + 1), file.size());
  EXPECT_EQ(short_tail.status().kind(), ErrorKind::kRangeNotSatisfiable);
  EXPECT_EQ(short_tail.status().message(), "need " + std::to_string(*need) + " bytes");
  auto tiny = parquet_tail_size("AR1", file.size());
  EXPECT_EQ(tiny.status().kind(), ErrorKind::kRangeNotSatisfiable);
  EXPECT_EQ(tiny.status().message(), "need 8 bytes");
}

TEST(ParquetFooter, RefusesBadEnds) {
  auto expect_unprocessable = [](std::string_view tail, uint64_t size, std::string_view words) {
    auto r = parquet_tail_size(tail, size);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.status().kind(), ErrorKind::kUnprocessable);
    EXPECT_NE(r.status().message().find(words), std::string::npos) << r.status().message();
  };
  expect_unprocessable("PAR1", 4, "not a Parquet file");
  expect_unprocessable(std::string("\x10\0\0\0PAR2", 8), 100, "no PAR1");
  expect_unprocessable(std::string("\x10\0\0\0PARE", 8), 100, "encrypted");
  expect_unprocessable(std::string("\x00\0\0\x05PAR1", 8), 1u << 30, "at most");  // 80 MiB
  expect_unprocessable(std::string("\x59\0\0\0PAR1", 8), 100, "in a file of 100");
}

TEST(ParquetFooter, LyingFooterLengths) {
  std::string file = build_parquet(two_columns(), 3);
  uint32_t length = 0;
  std::memcpy(&length, file.data() + file.size() - 8, 4);
  for (int64_t delta : {-1, 1, -5, 7, 20}) {
    std::string lying = file;
    uint32_t n = length + delta;
    std::memcpy(lying.data() + lying.size() - 8, &n, 4);
    auto footer = parse_parquet_footer(lying, lying.size());
    EXPECT_FALSE(footer) << delta;
  }
}

TEST(ParquetFooter, EveryCutAndFlipFailsCleanly) {
  // Corrupting any footer byte either still parses or fails with kUnprocessable; never a crash
  // (run under the sanitizers in CI).
  std::string file = build_parquet(two_columns(), 3, {{"huggingface", "{}"}});
  size_t footer_start = 4 + 24 + 40;
  for (size_t i = footer_start; i < file.size() - 8; ++i) {
    for (int flip : {0x01, 0x80, 0xff}) {
      std::string bad = file;
      bad[i] = static_cast<char>(bad[i] ^ flip);
      auto footer = parse_parquet_footer(bad, bad.size());
      if (!footer) {
        EXPECT_EQ(footer.status().kind(), ErrorKind::kUnprocessable);
      }
    }
  }
  // The metadata cut short (the length says fewer bytes): refused.
  for (uint32_t cut = 1; cut < 10; ++cut) {
    std::string body = file.substr(0, file.size() - 8 - cut);
    uint32_t n = uint32_t(body.size() - footer_start);
    std::string cut_file = body + std::string(reinterpret_cast<char*>(&n), 4) + "PAR1";
    auto footer = parse_parquet_footer(cut_file, cut_file.size());
    ASSERT_FALSE(footer);
    EXPECT_EQ(footer.status().kind(), ErrorKind::kUnprocessable);
  }
}

// A file whose FileMetaData is exactly `metadata` (no pages).
std::string file_with_metadata(const std::string& metadata) {
  std::string file = "PAR1" + metadata;
  uint32_t n = uint32_t(metadata.size());
  return file + std::string(reinterpret_cast<char*>(&n), 4) + "PAR1";
}

TEST(ParquetFooter, SchemaOverTheColumnBound) {
  ThriftWriter w;
  w.i32(1, 1).list(2, ThriftType::kStruct, kMaxParquetColumns + 2);
  std::string metadata = w.bytes() + std::string(kMaxParquetColumns + 2, '\0');
  auto footer = parse_parquet_footer(file_with_metadata(metadata), metadata.size() + 12);
  ASSERT_FALSE(footer);
  EXPECT_NE(footer.status().message().find("at most 100000 columns"), std::string::npos)
      << footer.status().message();
}

TEST(ParquetFooter, ListCountsOverTheirBounds) {
  // Each list claims one element more than its bound, with bytes enough behind it: refused
  // on the claim, before the elements are read.
  ThriftWriter rows;
  rows.i32(1, 1).list(2, ThriftType::kStruct, 1).open().binary(4, "root").end();
  rows.i64(3, 0).list(4, ThriftType::kStruct, kMaxParquetRowGroups + 1);
  std::string metadata = rows.bytes() + std::string(kMaxParquetRowGroups + 1, '\0');
  auto footer = parse_parquet_footer(file_with_metadata(metadata), metadata.size() + 12);
  ASSERT_FALSE(footer);
  EXPECT_NE(footer.status().message().find("row groups of 100001 elements"), std::string::npos)
      << footer.status().message();

  ThriftWriter kv;
  kv.i32(1, 1).list(5, ThriftType::kStruct, kMaxParquetKeyValues + 1);
  metadata = kv.bytes() + std::string(kMaxParquetKeyValues + 1, '\0');
  footer = parse_parquet_footer(file_with_metadata(metadata), metadata.size() + 12);
  ASSERT_FALSE(footer);
  EXPECT_NE(footer.status().message().find("key-value metadata of 10001"), std::string::npos)
      << footer.status().message();
}

TEST(ParquetFooter, RequiredFieldsAndEncryption) {
  ThriftWriter w;
  w.i32(1, 1).list(2, ThriftType::kStruct, 1).open().binary(4, "root").end();
  std::string no_rows = ThriftWriter(w).finish();
  auto footer = parse_parquet_footer(file_with_metadata(no_rows), no_rows.size() + 12);
  ASSERT_FALSE(footer);
  EXPECT_NE(footer.status().message().find("FileMetaData lacks required field 3"),
            std::string::npos);
  w.i64(3, 0).list(4, ThriftType::kStruct, 0).begin(8).end();
  std::string encrypted = w.finish();
  footer = parse_parquet_footer(file_with_metadata(encrypted), encrypted.size() + 12);
  ASSERT_FALSE(footer);
  EXPECT_NE(footer.status().message().find("encrypted"), std::string::npos);
}

TEST(ParquetFooter, SkipsUnknownFieldsAndReadsLogicalTypes) {
  ThriftWriter w;
  w.i32(1, 2).list(2, ThriftType::kStruct, 5);
  w.open().binary(4, "root").i32(5, 4).end();
  // ts: TIMESTAMP(isAdjustedToUTC=true, MICROS), plus an unknown field 40 (a map).
  w.open().i32(1, 2).i32(3, 1).binary(4, "ts").begin(10).begin(8).boolean(1, true);
  w.begin(2).begin(2).end().end().end().end();
  w.field(40, ThriftType::kMap).varint(1).byte(0x88).string("k").string("v").end();
  // price: DECIMAL(9, 2) on INT32.
  w.open().i32(1, 1).i32(3, 0).binary(4, "price").i32(6, 5).i32(7, 2).i32(8, 9);
  w.begin(10).begin(5).i32(1, 2).i32(2, 9).end().end().end();
  // small: INTEGER(8, unsigned), field_id 7.
  w.open().i32(1, 1).i32(3, 0).binary(4, "small").i32(9, 7);
  w.begin(10).begin(10).i8(1, 8).boolean(2, false).end().end().end();
  // future: a logical type member this reader does not know (field 30).
  w.open().i32(1, 6).i32(3, 1).binary(4, "future").begin(10).begin(30).i32(1, 1).end().end();
  w.end();
  w.i64(3, 0).list(4, ThriftType::kStruct, 0);
  w.dbl(20, 1.5).list(21, ThriftType::kStruct, 1).open().begin(1).end().end();
  std::string metadata = w.finish();
  auto footer = parse_parquet_footer(file_with_metadata(metadata), metadata.size() + 12);
  ASSERT_TRUE(footer) << footer.status().message();
  ASSERT_EQ(footer->schema.size(), 5u);
  const auto& ts = footer->schema[1].logical_type;
  EXPECT_EQ(ts.kind, LogicalType::Kind::kTimestamp);
  EXPECT_TRUE(ts.adjusted_to_utc);
  EXPECT_EQ(ts.unit, TimeUnit::kMicros);
  const auto& price = footer->schema[2];
  EXPECT_EQ(price.logical_type.kind, LogicalType::Kind::kDecimal);
  EXPECT_EQ(price.logical_type.precision, 9);
  EXPECT_EQ(price.logical_type.scale, 2);
  EXPECT_EQ(price.scale, 2);
  EXPECT_EQ(price.precision, 9);
  const auto& small = footer->schema[3];
  EXPECT_EQ(small.logical_type.kind, LogicalType::Kind::kInteger);
  EXPECT_EQ(small.logical_type.bit_width, 8);
  EXPECT_FALSE(small.logical_type.is_signed);
  EXPECT_EQ(small.field_id, 7);
  EXPECT_EQ(footer->schema[4].logical_type.kind, LogicalType::Kind::kOther);
}

TEST(ParquetFooter, ChunksMustLieInsideTheFile) {
  auto columns = two_columns();
  std::string file = build_parquet(columns, 3);
  // total_compressed_size 40 → 4000: the chunk would run into the footer.
  std::string lying = file;
  size_t at = lying.rfind("\x16\x50\x26");  // i64 field 7 (delta 1), zigzag(40), field 9
  ASSERT_NE(at, std::string::npos);
  ThriftWriter big;
  big.zigzag(4000);
  ASSERT_EQ(big.bytes().size(), 2u);
  lying.replace(at + 1, 1, big.bytes());
  // The footer grew by one byte: fix its length.
  uint32_t n = 0;
  std::memcpy(&n, lying.data() + lying.size() - 8, 4);
  ++n;
  std::memcpy(lying.data() + lying.size() - 8, &n, 4);
  auto footer = parse_parquet_footer(lying, lying.size());
  ASSERT_FALSE(footer);
  EXPECT_NE(footer.status().message().find("pages outside the file"), std::string::npos)
      << footer.status().message();
}

TEST(ParquetFooter, RowCountsMustAddUp) {
  std::string file = build_parquet(two_columns(), 3);
  auto footer = parse_parquet_footer(file, file.size());
  ASSERT_TRUE(footer);
  // FileMetaData.num_rows is the i64 3 before the row-group list (0x19).
  std::string lying = file;
  size_t at = lying.find("\x16\x06\x19", footer->metadata_offset);
  ASSERT_NE(at, std::string::npos);
  lying[at + 1] = 0x08;  // 4 rows
  auto bad = parse_parquet_footer(lying, lying.size());
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.status().message().find("row groups hold 3"), std::string::npos)
      << bad.status().message();
}

}  // namespace
}  // namespace vitrine::datasets
