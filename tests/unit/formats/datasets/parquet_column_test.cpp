// Unit tests for the Parquet page layer: the codecs (parquet_codecs), the encodings
// (parquet_encodings) and column chunks read page by page (parquet_column), on pages built by
// the test encoder and compressed with the same libraries; and hostile pages: decompression
// bombs, lying sizes and counts, indices past the dictionary, amplifying encodings.
#include "formats/datasets/parquet_column.hpp"

#include <gtest/gtest.h>
#include <lz4.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include "formats/datasets/parquet_codecs.hpp"
#include "formats/datasets/parquet_encodings.hpp"
#include "formats/datasets/parquet_page_header.hpp"
#include "parquet_test_encoder.hpp"

namespace vitrine::datasets {
namespace {

using namespace test;

std::string text_fixture() {
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "row " + std::to_string(i % 37) + ";";
  return text;
}

const std::vector<std::pair<std::string, std::string>>& brotli_fixtures() {
  static const std::vector<std::pair<std::string, std::string>> fixtures{
      {text_fixture(),
       std::string("\x1b\x91\x34\x00\x04\x8c\x6d\x94\xaa\x21\xba\x9d\x2f\xd6\x20\x58\xa4\xa2"
                   "\xdd\xf8\x2d\x28\x86\x9f\x49\x24\x52\x17\x07\xb6\x7d\xde\xfd\xa5\x9e\x22"
                   "\x4b\xad\xde\x68\xb6\xda\x97\x81\x63\x18\x86\x61\x18\x86\x81\x24\x49\x92"
                   "\x14\x11\x11\x91\xff\xb4\x02\x70\x1e",
                   63)},
      {std::string(4 << 20, '\0'),
       std::string("\x9b\xff\xff\x3f\x00\x24\x00\xe2\xb1\x40\x72\xef\x7f\x00", 14)},
      {"hello", std::string("\x0b\x02\x80\x68\x65\x6c\x6c\x6f\x03", 9)},
      {std::string(1000, 'x') + "tail",
       std::string("\x1b\xeb\x03\x00\x04\x26\x72\x40\x1c\xb6\x85\x87\x97\x28\x8d\x05\x32"
                   "\xf4\x0d\x03",
                   20)},
  };
  return fixtures;
}

std::string compress(CompressionCodec codec, const std::string& in) {
  std::string out;
  switch (codec) {
    case CompressionCodec::kUncompressed:
      return in;
    case CompressionCodec::kSnappy: {
      size_t n = snappy_max_compressed_length(in.size());
      out.resize(n);
      snappy_compress(in.data(), in.size(), out.data(), &n);
      out.resize(n);
      return out;
    }
    case CompressionCodec::kGzip: {
      z_stream z{};
      deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
      out.resize(deflateBound(&z, in.size()) + 32);
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
      z.avail_in = uInt(in.size());
      z.next_out = reinterpret_cast<Bytef*>(out.data());
      z.avail_out = uInt(out.size());
      deflate(&z, Z_FINISH);
      out.resize(z.total_out);
      deflateEnd(&z);
      return out;
    }
    case CompressionCodec::kZstd: {
      out.resize(ZSTD_compressBound(in.size()));
      out.resize(ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3));
      return out;
    }
    case CompressionCodec::kBrotli:
      // The brotli encoder is not linked (the hub only decodes brotli): the inputs the tests
      // compress, compressed once by libbrotlienc (quality 5, window 22).
      for (const auto& [plain_text, packed] : brotli_fixtures()) {
        if (plain_text == in) return packed;
      }
      ADD_FAILURE() << "no brotli fixture for this input";
      return in;
    case CompressionCodec::kLz4: {
      // Hadoop's framing: one block, its sizes big-endian.
      std::string block = compress(CompressionCodec::kLz4Raw, in);
      auto be32 = [](size_t v) {
        return std::string{char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
      };
      return be32(in.size()) + be32(block.size()) + block;
    }
    case CompressionCodec::kLz4Raw: {
      out.resize(LZ4_compressBound(int(in.size())));
      out.resize(LZ4_compress_default(in.data(), out.data(), int(in.size()), int(out.size())));
      return out;
    }
    default:
      return in;
  }
}

const CompressionCodec kCodecs[] = {CompressionCodec::kUncompressed, CompressionCodec::kSnappy,
                                    CompressionCodec::kGzip,         CompressionCodec::kZstd,
                                    CompressionCodec::kBrotli,       CompressionCodec::kLz4Raw,
                                    CompressionCodec::kLz4};

TEST(ParquetCodecs, EveryCodecRoundTrips) {
  std::string text = text_fixture();
  for (auto codec : kCodecs) {
    auto out = decompress_parquet_page(codec, compress(codec, text), text.size(), 1 << 20);
    ASSERT_TRUE(out) << parquet_codec_name(codec) << ": " << out.status().message();
    EXPECT_EQ(*out, text) << parquet_codec_name(codec);
  }
  // Old writers' LZ4 pages that hold a bare block are read too.
  auto bare = decompress_parquet_page(
      CompressionCodec::kLz4, compress(CompressionCodec::kLz4Raw, text), text.size(), 1 << 20);
  ASSERT_TRUE(bare) << bare.status().message();
  EXPECT_EQ(*bare, text);
}

TEST(ParquetCodecs, BombsAndLies) {
  std::string zeros(4 << 20, '\0');
  for (auto codec : kCodecs) {
    std::string packed = compress(codec, zeros);
    SCOPED_TRACE(parquet_codec_name(codec));
    // The page says how big it is: over the bound is refused before anything is allocated.
    auto bomb = decompress_parquet_page(codec, packed, zeros.size(), 1 << 20);
    ASSERT_FALSE(bomb);
    EXPECT_EQ(bomb.status().kind(), ErrorKind::kPayloadTooLarge);
    // A page that lies low: the data does not fit its stated size.
    auto low = decompress_parquet_page(codec, packed, 1000, 1 << 20);
    ASSERT_FALSE(low);
    EXPECT_EQ(low.status().kind(), ErrorKind::kUnprocessable);
    // A page that lies high.
    std::string small = compress(codec, "hello");
    auto high = decompress_parquet_page(codec, small, 6, 1 << 20);
    ASSERT_FALSE(high);
    EXPECT_EQ(high.status().kind(), ErrorKind::kUnprocessable);
  }
  for (auto codec :
       {CompressionCodec::kSnappy, CompressionCodec::kGzip, CompressionCodec::kZstd,
        CompressionCodec::kBrotli, CompressionCodec::kLz4Raw, CompressionCodec::kLz4}) {
    std::string packed = compress(codec, std::string(1000, 'x') + "tail");
    for (size_t cut : {size_t{1}, packed.size() / 2, packed.size() - 1}) {
      auto out = decompress_parquet_page(codec, packed.substr(0, cut), 1004, 1 << 20);
      EXPECT_FALSE(out) << parquet_codec_name(codec) << " cut at " << cut;
    }
  }
  auto lzo = decompress_parquet_page(CompressionCodec::kLzo, "x", 1, 10);
  ASSERT_FALSE(lzo);
  EXPECT_NE(lzo.status().message().find("unsupported codec LZO"), std::string::npos);
}

TEST(ParquetEncodings, RleBitPackedHybrid) {
  std::vector<uint32_t> values{1, 1, 1, 1, 0, 2, 2, 3, 3, 3, 3, 3, 7};
  for (bool packed : {false, true}) {
    std::string encoded = rle_hybrid(values, 3, packed);
    RleBitPackedDecoder decoder(encoded, 3);
    std::vector<uint32_t> out;
    ASSERT_TRUE(decoder.decode(5, &out));
    ASSERT_TRUE(decoder.decode(values.size() - 5, &out));
    EXPECT_EQ(out, values);
    std::vector<uint32_t> more;
    if (!packed) {
      EXPECT_FALSE(decoder.decode(1, &more));  // the data has ended
    }
  }
  // A run that claims 2^62 values hands out only those asked for.
  ThriftWriter w;
  w.varint(uint64_t{1} << 63).byte(5);
  RleBitPackedDecoder huge(w.bytes(), 8);
  std::vector<uint32_t> out;
  ASSERT_TRUE(huge.decode(10, &out));
  EXPECT_EQ(out, std::vector<uint32_t>(10, 5));
  // Bit width 0: every value is 0.
  std::string zeros = rle_hybrid({0, 0, 0}, 0);
  RleBitPackedDecoder zero(zeros, 0);
  out.clear();
  ASSERT_TRUE(zero.decode(3, &out));
  EXPECT_EQ(out, std::vector<uint32_t>(3, 0));
}

TEST(ParquetEncodings, Levels) {
  std::string levels = rle_hybrid({1, 0, 1, 1}, 1);
  std::vector<int16_t> out;
  size_t consumed = 0;
  ASSERT_TRUE(decode_levels(le32(uint32_t(levels.size())) + levels + "values", 1, 4, true, &out,
                            &consumed));
  EXPECT_EQ(out, (std::vector<int16_t>{1, 0, 1, 1}));
  EXPECT_EQ(consumed, levels.size() + 4);
  // A level over the maximum, and a length past the data.
  out.clear();
  std::string high = rle_hybrid({3}, 2);
  EXPECT_FALSE(decode_levels(high, 2, 1, false, &out, &consumed));
  EXPECT_FALSE(decode_levels(le32(1000) + levels, 1, 4, true, &out, &consumed));
}

ParquetValues values_of(PhysicalType type, int32_t type_length = 0) {
  ParquetValues v;
  v.type = type;
  v.type_length = type_length;
  return v;
}

TEST(ParquetEncodings, PlainOfEveryType) {
  auto ints = values_of(PhysicalType::kInt32);
  ASSERT_TRUE(decode_values(Encoding::kPlain, plain<int32_t>({1, -2, 3}), 3, nullptr, 100, &ints));
  EXPECT_EQ(ints.int32s, (std::vector<int32_t>{1, -2, 3}));
  auto doubles = values_of(PhysicalType::kDouble);
  ASSERT_TRUE(
      decode_values(Encoding::kPlain, plain<double>({1.5, -0.25}), 2, nullptr, 100, &doubles));
  EXPECT_EQ(doubles.doubles, (std::vector<double>{1.5, -0.25}));
  auto bools = values_of(PhysicalType::kBoolean);
  ASSERT_TRUE(
      decode_values(Encoding::kPlain, std::string(1, char(0b101)), 3, nullptr, 100, &bools));
  EXPECT_EQ(bools.int32s, (std::vector<int32_t>{1, 0, 1}));
  auto strings = values_of(PhysicalType::kByteArray);
  ASSERT_TRUE(decode_values(Encoding::kPlain, plain_strings({"a", "", "héllo"}), 3, nullptr, 100,
                            &strings));
  ASSERT_EQ(strings.size(), 3u);
  EXPECT_EQ(strings.bytes_at(2), "héllo");
  EXPECT_EQ(strings.bytes_at(1), "");
  auto fixed = values_of(PhysicalType::kFixedLenByteArray, 2);
  ASSERT_TRUE(decode_values(Encoding::kPlain, "abcd", 2, nullptr, 100, &fixed));
  EXPECT_EQ(fixed.bytes_at(1), "cd");
  // Too few bytes, lengths past the page, too many bytes.
  auto short_ints = values_of(PhysicalType::kInt64);
  EXPECT_FALSE(decode_values(Encoding::kPlain, plain<int64_t>({1}), 2, nullptr, 100, &short_ints));
  auto lying = values_of(PhysicalType::kByteArray);
  EXPECT_FALSE(decode_values(Encoding::kPlain, le32(100) + "ab", 1, nullptr, 1000, &lying));
  auto big = values_of(PhysicalType::kByteArray);
  auto over = decode_values(Encoding::kPlain, plain_strings({"abcdef"}), 1, nullptr, 3, &big);
  EXPECT_EQ(over.kind(), ErrorKind::kPayloadTooLarge);
}

TEST(ParquetEncodings, Dictionary) {
  auto dictionary = values_of(PhysicalType::kByteArray);
  size_t consumed = 0;
  ASSERT_TRUE(decode_plain(plain_strings({"neg", "pos"}), 2, 100, &dictionary, &consumed));
  auto out = values_of(PhysicalType::kByteArray);
  std::string indices = std::string(1, '\1') + rle_hybrid({1, 1, 0, 1}, 1, true);
  ASSERT_TRUE(decode_values(Encoding::kRleDictionary, indices, 4, &dictionary, 100, &out));
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out.bytes_at(0), "pos");
  EXPECT_EQ(out.bytes_at(2), "neg");
  auto past = values_of(PhysicalType::kByteArray);
  std::string bad = std::string(1, '\2') + rle_hybrid({2}, 2);
  EXPECT_FALSE(decode_values(Encoding::kRleDictionary, bad, 1, &dictionary, 100, &past));
  auto none = values_of(PhysicalType::kByteArray);
  EXPECT_FALSE(decode_values(Encoding::kRleDictionary, indices, 4, nullptr, 100, &none));
  // A long dictionary entry repeated: the byte bound stops it.
  auto long_dictionary = values_of(PhysicalType::kByteArray);
  ASSERT_TRUE(
      decode_plain(plain_strings({std::string(1000, 'x')}), 1, 10000, &long_dictionary, &consumed));
  auto amplified = values_of(PhysicalType::kByteArray);
  ThriftWriter run;
  run.byte(0).varint(uint64_t{1000000} << 1);  // bit width 0: a run of a million index 0
  auto status = decode_values(Encoding::kRleDictionary, run.bytes(), 1000000, &long_dictionary,
                              1 << 20, &amplified);
  EXPECT_EQ(status.kind(), ErrorKind::kPayloadTooLarge);
}

TEST(ParquetEncodings, DeltaBinaryPacked) {
  std::vector<int64_t> values;
  for (int i = 0; i < 300; ++i) values.push_back(i * i - 500 * (i % 7));
  values.push_back(INT64_MAX);
  values.push_back(INT64_MIN);
  values.push_back(0);
  auto ints = values_of(PhysicalType::kInt64);
  ASSERT_TRUE(decode_values(Encoding::kDeltaBinaryPacked, delta_binary_packed(values),
                            values.size(), nullptr, 0, &ints));
  EXPECT_EQ(ints.int64s, values);
  std::vector<int64_t> small{7, 5, 3, 1, 2, 3, 4, 5};
  auto int32s = values_of(PhysicalType::kInt32);
  ASSERT_TRUE(decode_values(Encoding::kDeltaBinaryPacked, delta_binary_packed(small), small.size(),
                            nullptr, 0, &int32s));
  EXPECT_EQ(int32s.int32s, (std::vector<int32_t>{7, 5, 3, 1, 2, 3, 4, 5}));
  // One value only, and none.
  auto one = values_of(PhysicalType::kInt64);
  ASSERT_TRUE(
      decode_values(Encoding::kDeltaBinaryPacked, delta_binary_packed({42}), 1, nullptr, 0, &one));
  EXPECT_EQ(one.int64s, std::vector<int64_t>{42});
  // A header claiming more values than the page holds; a cut miniblock; a bad block size.
  std::vector<int64_t> out;
  size_t consumed = 0;
  EXPECT_FALSE(decode_delta_binary_packed(delta_binary_packed(values), 10, false, &out, &consumed));
  std::string encoded = delta_binary_packed(values);
  EXPECT_FALSE(decode_delta_binary_packed(encoded.substr(0, encoded.size() / 2), values.size(),
                                          false, &out, &consumed));
  ThriftWriter bad;
  bad.varint(100).varint(4).varint(1).zigzag(0);
  EXPECT_FALSE(decode_delta_binary_packed(bad.bytes(), 1, false, &out, &consumed));
}

TEST(ParquetEncodings, DeltaByteArraysAndByteStreamSplit) {
  std::vector<std::string> words{"apple", "applesauce", "apply", "banana", ""};
  std::vector<int64_t> lengths;
  std::string data;
  for (const auto& w : words) {
    lengths.push_back(int64_t(w.size()));
    data += w;
  }
  auto dlba = values_of(PhysicalType::kByteArray);
  ASSERT_TRUE(decode_values(Encoding::kDeltaLengthByteArray, delta_binary_packed(lengths) + data,
                            words.size(), nullptr, 1000, &dlba));
  ASSERT_EQ(dlba.size(), words.size());
  EXPECT_EQ(dlba.bytes_at(1), "applesauce");

  // DELTA_BYTE_ARRAY: prefixes shared with the previous value, then the suffixes.
  std::vector<int64_t> prefixes{0, 5, 4, 0, 0};
  std::vector<std::string> suffixes{"apple", "sauce", "y", "banana", ""};
  std::vector<int64_t> suffix_lengths;
  std::string suffix_data;
  for (const auto& s : suffixes) {
    suffix_lengths.push_back(int64_t(s.size()));
    suffix_data += s;
  }
  std::string dba_bytes =
      delta_binary_packed(prefixes) + delta_binary_packed(suffix_lengths) + suffix_data;
  auto dba = values_of(PhysicalType::kByteArray);
  ASSERT_TRUE(decode_values(Encoding::kDeltaByteArray, dba_bytes, 5, nullptr, 1000, &dba));
  for (size_t i = 0; i < words.size(); ++i) EXPECT_EQ(dba.bytes_at(i), words[i]);
  // A prefix longer than the previous value; prefixes that multiply a long value.
  auto bad = values_of(PhysicalType::kByteArray);
  std::string bad_bytes = delta_binary_packed({3}) + delta_binary_packed({1}) + "x";
  EXPECT_FALSE(decode_values(Encoding::kDeltaByteArray, bad_bytes, 1, nullptr, 1000, &bad));
  std::vector<int64_t> repeat(1000, 500);
  repeat[0] = 0;
  std::vector<int64_t> suffix_sizes(1000, 0);
  suffix_sizes[0] = 500;
  std::string bomb =
      delta_binary_packed(repeat) + delta_binary_packed(suffix_sizes) + std::string(500, 'z');
  auto amplified = values_of(PhysicalType::kByteArray);
  EXPECT_EQ(
      decode_values(Encoding::kDeltaByteArray, bomb, 1000, nullptr, 100000, &amplified).kind(),
      ErrorKind::kPayloadTooLarge);

  // BYTE_STREAM_SPLIT of floats: byte j of value i at j * n + i.
  std::vector<float> floats{1.5f, -2.0f, 3.25f};
  std::string raw = plain(floats);
  std::string split(raw.size(), '\0');
  for (size_t i = 0; i < floats.size(); ++i) {
    for (size_t j = 0; j < 4; ++j) split[j * floats.size() + i] = raw[i * 4 + j];
  }
  auto bss = values_of(PhysicalType::kFloat);
  ASSERT_TRUE(decode_values(Encoding::kByteStreamSplit, split, 3, nullptr, 0, &bss));
  EXPECT_EQ(bss.floats, floats);
  auto partial = values_of(PhysicalType::kFloat);
  EXPECT_FALSE(decode_values(Encoding::kByteStreamSplit, split + "x", 3, nullptr, 0, &partial));
  auto unsupported = values_of(PhysicalType::kInt32);
  EXPECT_FALSE(decode_values(Encoding(42), "", 0, nullptr, 0, &unsupported));
}

// The schema node of a flat column: optional (one definition level) or required.
SchemaNode flat_node(bool optional) {
  SchemaNode node;
  node.max_definition_level = optional ? 1 : 0;
  node.column = 0;
  return node;
}

SchemaElement element(PhysicalType type) {
  SchemaElement e;
  e.name = "c";
  e.type = type;
  return e;
}

ColumnMetaData meta(PhysicalType type, CompressionCodec codec, int64_t num_values) {
  ColumnMetaData m;
  m.type = type;
  m.codec = codec;
  m.num_values = num_values;
  return m;
}

TEST(ParquetColumn, OptionalDictionaryColumnWithEveryCodec) {
  // [7, null, 9, 7, null, 7]: dictionary [7, 9], indices of the 4 non-null values.
  std::string dictionary = plain<int64_t>({7, 9});
  std::string levels = rle_hybrid({1, 0, 1, 1, 0, 1}, 1);
  std::string body = le32(uint32_t(levels.size())) + levels + std::string(1, '\1') +
                     rle_hybrid({0, 1, 0, 0}, 1, true);
  for (auto codec : {CompressionCodec::kUncompressed, CompressionCodec::kSnappy,
                     CompressionCodec::kGzip, CompressionCodec::kZstd, CompressionCodec::kLz4Raw}) {
    SCOPED_TRACE(parquet_codec_name(codec));
    std::string chunk =
        dictionary_page(compress(codec, dictionary), dictionary.size(), 2) +
        data_page_v1(compress(codec, body), body.size(), 6, Encoding::kRleDictionary);
    auto column = read_column_chunk(chunk, meta(PhysicalType::kInt64, codec, 6),
                                    element(PhysicalType::kInt64), flat_node(true));
    ASSERT_TRUE(column) << column.status().message();
    EXPECT_EQ(column->num_slots, 6u);
    EXPECT_EQ(column->values.int64s, (std::vector<int64_t>{7, 9, 7, 7}));
    EXPECT_TRUE(column->is_null(1));
    EXPECT_FALSE(column->is_null(2));
  }
}

TEST(ParquetColumn, RequiredStringsOverTwoPagesAndV2Pages) {
  std::string page1 = plain_strings({"a", "bb"});
  std::string page2 = plain_strings({"ccc"});
  std::string chunk =
      data_page_v1(compress(CompressionCodec::kZstd, page1), page1.size(), 2, Encoding::kPlain) +
      data_page_v1(compress(CompressionCodec::kZstd, page2), page2.size(), 1, Encoding::kPlain);
  auto column = read_column_chunk(chunk, meta(PhysicalType::kByteArray, CompressionCodec::kZstd, 3),
                                  element(PhysicalType::kByteArray), flat_node(false));
  ASSERT_TRUE(column) << column.status().message();
  ASSERT_EQ(column->values.size(), 3u);
  EXPECT_EQ(column->values.bytes_at(2), "ccc");
  EXPECT_TRUE(column->definition_levels.empty());

  // v2: levels uncompressed, values gzip; then a v2 page whose values are not compressed.
  std::string levels = rle_hybrid({1, 0, 1}, 1);
  std::string values = plain<double>({0.5, 2.5});
  std::string v2 =
      data_page_v2(levels, compress(CompressionCodec::kGzip, values), values.size(), 3, 1,
                   Encoding::kPlain) +
      data_page_v2(rle_hybrid({1}, 1), plain<double>({4.0}), 8, 1, 0, Encoding::kPlain, false);
  auto doubles = read_column_chunk(v2, meta(PhysicalType::kDouble, CompressionCodec::kGzip, 4),
                                   element(PhysicalType::kDouble), flat_node(true));
  ASSERT_TRUE(doubles) << doubles.status().message();
  EXPECT_EQ(doubles->values.doubles, (std::vector<double>{0.5, 2.5, 4.0}));
  EXPECT_EQ(doubles->definition_levels, (std::vector<int16_t>{1, 0, 1, 1}));
}

TEST(ParquetColumn, HostileChunks) {
  auto read = [](const std::string& chunk, int64_t num_values, ColumnReadLimits limits = {}) {
    return read_column_chunk(chunk, meta(PhysicalType::kInt32, CompressionCodec::kZstd, num_values),
                             element(PhysicalType::kInt32), flat_node(true), limits)
        .status();
  };
  std::string zeros(8 << 20, '\0');
  // A page whose uncompressed size is over the page bound: refused before decompressing.
  std::string bomb =
      data_page_v1(compress(CompressionCodec::kZstd, zeros), zeros.size(), 10, Encoding::kPlain);
  ColumnReadLimits small;
  small.max_page_bytes = 1 << 20;
  EXPECT_EQ(read(bomb, 10, small).kind(), ErrorKind::kPayloadTooLarge);
  // A page claiming a billion values from a few bytes of levels: refused by the value bound.
  ThriftWriter run;
  run.varint(uint64_t{1000000000} << 1).byte(0);
  std::string body = le32(uint32_t(run.bytes().size())) + run.bytes();
  std::string many = data_page_v1(compress(CompressionCodec::kZstd, body), body.size(), 1000000000,
                                  Encoding::kPlain);
  EXPECT_EQ(read(many, 1000000000).kind(), ErrorKind::kPayloadTooLarge);
  // A chunk that ends early; a page past the chunk; more values than the chunk states.
  std::string levels = rle_hybrid({1, 1}, 1);
  std::string ok_body = le32(uint32_t(levels.size())) + levels + plain<int32_t>({1, 2});
  std::string page =
      data_page_v1(compress(CompressionCodec::kZstd, ok_body), ok_body.size(), 2, Encoding::kPlain);
  EXPECT_TRUE(read(page, 2).is_ok());
  EXPECT_EQ(read(page, 3).kind(), ErrorKind::kUnprocessable);
  EXPECT_EQ(read(page.substr(0, page.size() - 1), 2).kind(), ErrorKind::kUnprocessable);
  EXPECT_EQ(read(page, 1).kind(), ErrorKind::kUnprocessable);
  EXPECT_EQ(read(page.substr(0, 5), 2).kind(), ErrorKind::kUnprocessable);
  // A dictionary page after data.
  std::string dict = dictionary_page(compress(CompressionCodec::kZstd, plain<int32_t>({1})), 4, 1);
  EXPECT_EQ(read(page + dict + page, 4).kind(), ErrorKind::kUnprocessable);
  // A repeated column's page without its repetition levels is malformed.
  SchemaNode repeated = flat_node(true);
  repeated.max_repetition_level = 1;
  auto list = read_column_chunk(page, meta(PhysicalType::kInt32, CompressionCodec::kZstd, 2),
                                element(PhysicalType::kInt32), repeated);
  EXPECT_EQ(list.status().kind(), ErrorKind::kUnprocessable);
}

TEST(ParquetColumn, ReadsAColumnOfABuiltFile) {
  std::string levels = rle_hybrid({1, 1, 0}, 1);
  std::string body = le32(uint32_t(levels.size())) + levels + plain_strings({"x", "yz"});
  TestColumn text;
  text.name = "text";
  text.type = PhysicalType::kByteArray;
  text.repetition = Repetition::kOptional;
  text.converted_type = ConvertedType::kUtf8;
  text.codec = CompressionCodec::kSnappy;
  text.pages =
      data_page_v1(compress(CompressionCodec::kSnappy, body), body.size(), 3, Encoding::kPlain);
  text.num_values = 3;
  std::string file = build_parquet({text}, 3);
  auto footer = parse_parquet_footer(file, file.size());
  ASSERT_TRUE(footer) << footer.status().message();
  auto schema = build_parquet_schema(footer->schema);
  ASSERT_TRUE(schema);
  const ColumnMetaData& m = *footer->row_groups[0].columns[0].meta_data;
  std::string_view chunk =
      std::string_view(file).substr(m.first_page_offset(), m.total_compressed_size);
  auto column = read_column_chunk(chunk, m, schema->column_element(0), schema->column_node(0));
  ASSERT_TRUE(column) << column.status().message();
  EXPECT_EQ(column->values.bytes_at(1), "yz");
  EXPECT_TRUE(column->is_null(2));
}

}  // namespace
}  // namespace vitrine::datasets

namespace vitrine::datasets {
namespace {

// A window of slots gives exactly the slots of a full read, whatever the encoding, the nulls
// and where the window falls across pages.
TEST(ParquetColumn, SlotWindowsEqualTheFullRead) {
  using test::data_page_v1;
  // Three pages of 6 optional values each: PLAIN strings, dictionary indices, DELTA integers.
  std::vector<std::vector<uint32_t>> defs{
      {1, 0, 1, 1, 0, 1}, {1, 1, 0, 1, 1, 1}, {0, 0, 1, 1, 1, 0}};
  auto levels = [&](int p) {
    std::string l = test::rle_hybrid(defs[p], 1);
    return test::le32(uint32_t(l.size())) + l;
  };
  std::string strings = test::dictionary_page(test::plain_strings({"dict-a", "dict-b"}), 20, 2);
  std::string page0 = levels(0) + test::plain_strings({"a", "bb", "ccc", "dddd"});
  std::string page1 = levels(1) + std::string(1, '\1') + test::rle_hybrid({0, 1, 1, 0, 1}, 1, true);
  strings += data_page_v1(page0, page0.size(), 6, Encoding::kPlain) +
             data_page_v1(page1, page1.size(), 6, Encoding::kRleDictionary);
  std::string page2 = levels(2) + test::delta_length_byte_array({"x", "yy", "zzz"});
  strings += data_page_v1(page2, page2.size(), 6, Encoding::kDeltaLengthByteArray);
  auto m = meta(PhysicalType::kByteArray, CompressionCodec::kUncompressed, 18);
  auto e = element(PhysicalType::kByteArray);
  auto full = read_column_chunk(strings, m, e, flat_node(true));
  ASSERT_TRUE(full) << full.status().message();
  size_t dictionary_size = 0;
  {
    size_t consumed = 0;
    auto h = parse_page_header(strings, &consumed);
    ASSERT_TRUE(h);
    dictionary_size = consumed + size_t(h->compressed_page_size);
  }
  std::string_view dictionary = std::string_view(strings).substr(0, dictionary_size);
  std::string_view pages = std::string_view(strings).substr(dictionary_size);
  for (uint64_t skip = 0; skip <= 18; ++skip) {
    for (uint64_t take : {0, 1, 3, 7, 18}) {
      SlotWindow window{skip, uint64_t(take)};
      std::vector<SlotWindow> windows{window};
      auto part =
          read_column_page_runs(ChunkPages{dictionary, -1, nullptr, {{0, pages, -1, {}}}, nullptr},
                                m, e, flat_node(true), &windows);
      ASSERT_TRUE(part) << part.status().message();
      uint64_t end = std::min<uint64_t>(18, skip + take);
      ASSERT_EQ(part->num_slots, end - skip) << skip << "+" << take;
      size_t value = 0, full_value = 0;
      for (uint64_t slot = 0; slot < end; ++slot) {
        bool null = full->is_null(slot);
        if (slot >= skip) {
          EXPECT_EQ(part->is_null(slot - skip), null);
          if (!null) {
            EXPECT_EQ(part->values.bytes_at(value++), full->values.bytes_at(full_value));
          }
        }
        if (!null) ++full_value;
      }
      EXPECT_EQ(part->values.size(), value);
    }
  }
  // Several windows over page runs (all pages in one run, or each page a run of its own, a
  // page no window touches left out, or the pages decoded before and kept in a cache) give the
  // slots of the windows, in order.
  std::vector<PageRun> one_run{{0, pages, int64_t(dictionary_size), {}}};
  std::vector<PageRun> each_page;
  {
    size_t at = 0;
    for (uint64_t first = 0; at < pages.size(); first += 6) {
      size_t consumed = 0;
      auto h = parse_page_header(pages.substr(at), &consumed);
      ASSERT_TRUE(h);
      size_t size = consumed + size_t(h->compressed_page_size);
      each_page.push_back({first, pages.substr(at, size), int64_t(dictionary_size + at), {}});
      at += size;
    }
    ASSERT_EQ(each_page.size(), 3u);
  }
  for (uint64_t a = 0; a < 18; ++a) {
    for (uint64_t b = a + 1; b < 18; b += 2) {
      std::vector<SlotWindow> windows{{a, 1}, {b, std::min<uint64_t>(3, 18 - b)}};
      std::vector<uint64_t> slots{a};
      for (uint64_t k = b; k < b + windows[1].take; ++k) slots.push_back(k);
      std::vector<PageRun> touched;
      for (const auto& run : each_page) {
        bool used = false;
        for (uint64_t slot : slots) used |= slot / 6 == run.first_slot / 6;
        if (used) touched.push_back(run);
      }
      ParquetPageCache cache(1u << 20);
      PageCacheRef ref{&cache, "file"};
      auto check = [&](const ChunkPages& chunk) {
        auto part = read_column_page_runs(chunk, m, e, flat_node(true), &windows);
        ASSERT_TRUE(part) << part.status().message();
        ASSERT_EQ(part->num_slots, slots.size()) << a << "," << b;
        size_t value = 0;
        for (size_t k = 0; k < slots.size(); ++k) {
          bool null = full->is_null(slots[k]);
          EXPECT_EQ(part->is_null(k), null) << slots[k];
          if (null) continue;
          size_t full_value = 0;
          for (uint64_t slot = 0; slot < slots[k]; ++slot) full_value += !full->is_null(slot);
          EXPECT_EQ(part->values.bytes_at(value++), full->values.bytes_at(full_value));
        }
        EXPECT_EQ(part->values.size(), value);
      };
      for (const auto* runs : {&one_run, &each_page, &touched}) {
        check(ChunkPages{dictionary, 0, nullptr, *runs, nullptr});
      }
      // Read once into the cache (the pages the windows touch are kept), then from it alone.
      check(ChunkPages{dictionary, 0, nullptr, each_page, &ref});
      ChunkPages kept{{}, -1, cache.get(ref.key(0, m.codec)), {}, nullptr};
      ASSERT_TRUE(kept.cached_dictionary);
      for (const auto& run : touched) {
        auto page = cache.get(ref.key(run.file_offset, m.codec));
        ASSERT_TRUE(page) << run.file_offset;
        kept.runs.push_back({run.first_slot, {}, -1, {page}});
      }
      EXPECT_EQ(cache.size(), 1 + touched.size());  // untouched pages are not decompressed
      check(kept);
    }
  }
}

}  // namespace
}  // namespace vitrine::datasets
