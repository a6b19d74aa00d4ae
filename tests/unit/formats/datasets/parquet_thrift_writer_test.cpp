// Unit tests for the pieces under the Parquet writer: the compact-protocol writer
// (parquet_thrift_writer.hpp) read back by ThriftReader, page compression read back by
// decompress_parquet_page (parquet_codecs.hpp), and the RLE/bit-packed hybrid encoder
// (parquet_column_writer.hpp) read back by RleBitPackedDecoder.
#include "formats/datasets/parquet_thrift_writer.hpp"

#include <gtest/gtest.h>

#include <random>

#include "formats/datasets/parquet_codecs.hpp"
#include "formats/datasets/parquet_column_writer.hpp"
#include "formats/datasets/parquet_encodings.hpp"
#include "formats/datasets/parquet_thrift.hpp"

namespace vitrine::datasets {
namespace {

TEST(ParquetThriftWriter, VarintsAndZigzag) {
  ThriftWriter w;
  w.write_varint(0);
  w.write_varint(127);
  w.write_varint(128);
  w.write_varint(UINT64_MAX);
  w.write_zigzag(-1);
  w.write_zigzag(INT64_MIN);
  w.write_zigzag(INT64_MAX);
  EXPECT_EQ(w.bytes().substr(0, 4), std::string("\x00\x7f\x80\x01", 4));
  ThriftReader r(w.bytes());
  EXPECT_EQ(r.read_varint(), 0u);
  EXPECT_EQ(r.read_varint(), 127u);
  EXPECT_EQ(r.read_varint(), 128u);
  EXPECT_EQ(r.read_varint(), UINT64_MAX);
  EXPECT_EQ(r.read_zigzag(), -1);
  EXPECT_EQ(r.read_zigzag(), INT64_MIN);
  EXPECT_EQ(r.read_zigzag(), INT64_MAX);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(ParquetThriftWriter, StructsWithShortAndLongFieldHeaders) {
  ThriftWriter w;
  w.begin_struct();
  w.i32_field(1, -5);
  w.bool_field(2, true);
  w.bool_field(3, false);
  w.i64_field(40, int64_t{1} << 40);  // delta 37: long form
  w.binary_field(7, "hello");         // negative delta: long form
  w.double_field(8, 2.5);
  w.struct_field(9);  // a nested struct's ids start again from 0
  w.i16_field(1, -300);
  w.byte_field(2, -7);
  w.end_struct();
  w.list_field(10, ThriftType::kI32, 20);  // 15 or more elements: the long list header
  for (int i = 0; i < 20; ++i) w.write_zigzag(i - 10);
  w.list_field(11, ThriftType::kTrue, 2);
  w.write_list_bool(true);
  w.write_list_bool(false);
  w.list_field(12, ThriftType::kStruct, 2);
  for (int i = 0; i < 2; ++i) {
    w.begin_struct();
    w.binary_field(16, "x" + std::to_string(i));  // delta 16: long form
    w.end_struct();
  }
  w.i32_field(13, 42);  // after the list, deltas continue from 12
  w.end_struct();
  EXPECT_EQ(w.depth(), 0u);
  // The header of field 13 is short: delta 1 from field 12, type i32.
  ThriftReader r(w.bytes());
  int fields = 0;
  read_struct(r, [&](const ThriftField& f) {
    ++fields;
    switch (f.id) {
      case 1:
        EXPECT_EQ(r.i32_field(f, "1"), -5);
        break;
      case 2:
        EXPECT_TRUE(r.bool_field(f, "2"));
        break;
      case 3:
        EXPECT_FALSE(r.bool_field(f, "3"));
        break;
      case 40:
        EXPECT_EQ(r.i64_field(f, "40"), int64_t{1} << 40);
        break;
      case 7:
        EXPECT_EQ(r.binary_field(f, "7"), "hello");
        break;
      case 8:
        ASSERT_EQ(f.type, ThriftType::kDouble);
        EXPECT_EQ(r.read_double(), 2.5);
        break;
      case 9:
        read_struct(r, [&](const ThriftField& g) {
          if (g.id == 1) {
            EXPECT_EQ(r.read_i16(), -300);
          } else {
            EXPECT_EQ(g.id, 2);
            EXPECT_EQ(r.read_byte(), -7);
          }
        });
        break;
      case 10: {
        ThriftList list = r.list_field(f, ThriftType::kI32, "10");
        ASSERT_EQ(list.size, 20u);
        for (int i = 0; i < 20; ++i) EXPECT_EQ(r.read_i32(), i - 10);
        break;
      }
      case 11: {
        ThriftList list = r.list_field(f, ThriftType::kTrue, "11");
        ASSERT_EQ(list.size, 2u);
        EXPECT_TRUE(r.read_list_bool());
        EXPECT_FALSE(r.read_list_bool());
        break;
      }
      case 12: {
        ThriftList list = r.list_field(f, ThriftType::kStruct, "12");
        ASSERT_EQ(list.size, 2u);
        for (int i = 0; i < 2; ++i) {
          read_struct(r, [&](const ThriftField& g) {
            EXPECT_EQ(g.id, 16);
            EXPECT_EQ(r.binary_field(g, "16"), "x" + std::to_string(i));
          });
        }
        break;
      }
      case 13:
        EXPECT_EQ(r.i32_field(f, "13"), 42);
        break;
      default:
        ADD_FAILURE() << "unexpected field " << f.id;
        r.skip_field(f);
    }
  });
  EXPECT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(fields, 11);
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(ParquetCodecs, CompressedPagesDecompress) {
  std::string raw;
  for (int i = 0; i < 5000; ++i) raw += "row " + std::to_string(i % 37) + ";";
  for (CompressionCodec codec :
       {CompressionCodec::kUncompressed, CompressionCodec::kSnappy, CompressionCodec::kGzip,
        CompressionCodec::kZstd, CompressionCodec::kLz4Raw}) {
    SCOPED_TRACE(parquet_codec_name(codec));
    for (const std::string& input : {raw, std::string()}) {
      auto packed = compress_parquet_page(codec, input);
      ASSERT_TRUE(packed) << packed.status().message();
      if (codec != CompressionCodec::kUncompressed && !input.empty()) {
        EXPECT_LT(packed->size(), input.size() / 4);
      }
      auto unpacked = decompress_parquet_page(codec, *packed, input.size(), input.size());
      ASSERT_TRUE(unpacked) << unpacked.status().message();
      EXPECT_EQ(*unpacked, input);
    }
  }
  auto brotli = compress_parquet_page(CompressionCodec::kBrotli, "x");
  ASSERT_FALSE(brotli);
  EXPECT_NE(brotli.status().message().find("BROTLI"), std::string::npos);
}

std::vector<uint32_t> rle_round_trip(const std::vector<uint32_t>& values, int width,
                                     size_t* encoded_size = nullptr) {
  std::string encoded;
  append_rle_hybrid(values, width, &encoded);
  if (encoded_size) *encoded_size = encoded.size();
  RleBitPackedDecoder decoder(encoded, width);
  std::vector<uint32_t> out;
  Status s = decoder.decode(values.size(), &out);
  EXPECT_TRUE(s) << s.message();
  return out;
}

TEST(ParquetRleHybrid, EncodesRunsAndLiterals) {
  // Literals, then a run that must lend values to fill the literals' last group of eight.
  std::vector<uint32_t> values{1, 2, 3};
  values.insert(values.end(), 20, 5);
  values.insert(values.end(), {0, 1, 0, 1, 0});
  values.insert(values.end(), 100, 0);
  size_t size = 0;
  EXPECT_EQ(rle_round_trip(values, 3, &size), values);
  EXPECT_LT(size, 20u);  // the runs are runs
  std::vector<uint32_t> one_run(1000, 7);
  EXPECT_EQ(rle_round_trip(one_run, 3, &size), one_run);
  EXPECT_EQ(size, 3u);  // varint(2000) + one byte
  std::mt19937 random(7);
  for (int width : {1, 2, 7, 8, 9, 16, 20, 32}) {
    std::vector<uint32_t> mixed;
    for (int i = 0; i < 777; ++i) {
      uint32_t v = static_cast<uint32_t>(random()) & (width == 32 ? ~0u : (1u << width) - 1);
      size_t repeat = random() % 4 == 0 ? random() % 30 : 1;
      mixed.insert(mixed.end(), repeat, v);
    }
    EXPECT_EQ(rle_round_trip(mixed, width), mixed) << "width " << width;
  }
  EXPECT_TRUE(rle_round_trip({}, 1).empty());
}

}  // namespace
}  // namespace vitrine::datasets
