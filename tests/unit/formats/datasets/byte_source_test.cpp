// Unit tests for the dataset readers' byte sources (row_reader.hpp): each codec round-trips
// data compressed here with its own library, concatenated members are read through, a
// decompression bomb stops at the cap, and truncated or corrupt input is an error, never a
// hang.
#include <bzlib.h>
#include <gtest/gtest.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include <string>

#include "formats/datasets/row_reader.hpp"
#include "row_reader_test_util.hpp"

namespace vitrine::datasets {
namespace {

std::string gzip(const std::string& data) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, data.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// With a checksum, as the zstd command writes frames by default.
std::string zstd(const std::string& data) {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  std::string out(ZSTD_compressBound(data.size()), '\0');
  size_t n = ZSTD_compress2(cctx, out.data(), out.size(), data.data(), data.size());
  ZSTD_freeCCtx(cctx);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

std::string bzip2(const std::string& data) {
  unsigned size = static_cast<unsigned>(data.size() + data.size() / 100 + 700);
  std::string out(size, '\0');
  EXPECT_EQ(BZ2_bzBuffToBuffCompress(out.data(), &size, const_cast<char*>(data.data()),
                                     static_cast<unsigned>(data.size()), 9, 0, 0),
            BZ_OK);
  out.resize(size);
  return out;
}

std::string xz(const std::string& data) {
  std::string out(lzma_stream_buffer_bound(data.size()), '\0');
  size_t pos = 0;
  EXPECT_EQ(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, nullptr,
                                    reinterpret_cast<const uint8_t*>(data.data()), data.size(),
                                    reinterpret_cast<uint8_t*>(out.data()), &pos, out.size()),
            LZMA_OK);
  out.resize(pos);
  return out;
}

std::string compress(Compression c, const std::string& data) {
  switch (c) {
    case Compression::kGzip:
      return gzip(data);
    case Compression::kZstd:
      return zstd(data);
    case Compression::kBzip2:
      return bzip2(data);
    case Compression::kXz:
      return xz(data);
    case Compression::kNone:
      break;
  }
  return data;
}

// Everything `source` yields, read `chunk` bytes at a time, or its error.
Result<std::string> read_all(ByteSource& source, size_t chunk = 4096) {
  std::string out, buf(chunk, '\0');
  for (int guard = 0; guard < 10000000; ++guard) {
    auto n = source.read(buf.data(), buf.size());
    if (!n) return n.status();
    if (*n == 0) return out;
    out.append(buf.data(), *n);
  }
  return internal_error("source never ended");
}

// Text that compresses but is not trivially repetitive.
std::string sample_text(size_t lines) {
  std::string text;
  for (size_t i = 0; i < lines; ++i) {
    text += "{\"id\": " + std::to_string(i) + ", \"text\": \"line " + std::to_string(i * 7919) +
            "\"}\n";
  }
  return text;
}

const Compression kCodecs[] = {Compression::kGzip, Compression::kZstd, Compression::kBzip2,
                               Compression::kXz};

TEST(ByteSource, CompressionIsTakenFromTheLastExtension) {
  EXPECT_EQ(compression_of("data/train.jsonl.gz"), Compression::kGzip);
  EXPECT_EQ(compression_of("a.csv.zst"), Compression::kZstd);
  EXPECT_EQ(compression_of("a.csv.zstd"), Compression::kZstd);
  EXPECT_EQ(compression_of("a.txt.bz2"), Compression::kBzip2);
  EXPECT_EQ(compression_of("a.json.xz"), Compression::kXz);
  EXPECT_EQ(compression_of("a.gz.csv"), Compression::kNone);
  EXPECT_EQ(compression_of("a.csv"), Compression::kNone);
  EXPECT_EQ(strip_compression_extension("a/b.jsonl.gz"), "a/b.jsonl");
  EXPECT_EQ(strip_compression_extension("a/b.csv.zstd"), "a/b.csv");
  EXPECT_EQ(strip_compression_extension("a/b.csv"), "a/b.csv");
}

TEST(ByteSource, MemorySourceYieldsItsBytesThenEnds) {
  auto source = memory_source("hello");
  auto all = read_all(*source, 2);
  ASSERT_TRUE(all) << all.status().message();
  EXPECT_EQ(*all, "hello");
  source = memory_source("hello", 1);
  char buf[8];
  EXPECT_EQ(*source->read(buf, sizeof buf), 1u);
}

TEST(ByteSource, EachCodecRoundTrips) {
  std::string text = sample_text(20000);  // ~700 KB: several input and output buffers
  for (Compression c : kCodecs) {
    std::string packed = compress(c, text);
    ASSERT_LT(packed.size(), text.size());
    auto source = decompressing(memory_source(packed), c, 1u << 30);
    auto all = read_all(*source);
    ASSERT_TRUE(all) << static_cast<int>(c) << ": " << all.status().message();
    EXPECT_EQ(*all, text) << static_cast<int>(c);
  }
}

TEST(ByteSource, TinyReadsAndTrickledInputRoundTrip) {
  std::string text = sample_text(300);
  for (Compression c : kCodecs) {
    std::string packed = compress(c, text);
    auto source = decompressing(memory_source(packed, 7), c, 1u << 30);
    auto all = read_all(*source, 3);
    ASSERT_TRUE(all) << static_cast<int>(c) << ": " << all.status().message();
    EXPECT_EQ(*all, text) << static_cast<int>(c);
  }
}

TEST(ByteSource, ConcatenatedMembersAreReadThrough) {
  // gzip -c a b, zstd frames, pbzip2 streams and xz streams written one after the other.
  for (Compression c : kCodecs) {
    std::string packed = compress(c, "first\n") + compress(c, "second\n");
    auto source = decompressing(memory_source(packed), c, 1u << 20);
    auto all = read_all(*source);
    ASSERT_TRUE(all) << static_cast<int>(c) << ": " << all.status().message();
    EXPECT_EQ(*all, "first\nsecond\n") << static_cast<int>(c);
  }
}

TEST(ByteSource, ZeroPaddingAfterAGzipMemberIsSkipped) {
  std::string padded = gzip("a\n") + std::string(1000, '\0') + gzip("b\n") + std::string(3, '\0');
  auto source = decompressing(memory_source(padded), Compression::kGzip, 100);
  auto all = read_all(*source);
  ASSERT_TRUE(all) << all.status().message();
  EXPECT_EQ(*all, "a\nb\n");
  // Zeros alone are not gzip.
  std::string zeros(10, '\0');
  auto bad = decompressing(memory_source(zeros), Compression::kGzip, 100);
  EXPECT_FALSE(read_all(*bad));
}

TEST(ByteSource, NoneIsThePlainSource) {
  auto source = decompressing(memory_source("as is"), Compression::kNone, 1);
  auto all = read_all(*source);
  ASSERT_TRUE(all);
  EXPECT_EQ(*all, "as is");
}

TEST(ByteSource, OutputPastTheCapIsPayloadTooLarge) {
  std::string text = sample_text(1000);
  for (Compression c : kCodecs) {
    std::string packed = compress(c, text);
    auto source = decompressing(memory_source(packed), c, text.size() - 1);
    auto all = read_all(*source);
    ASSERT_FALSE(all) << static_cast<int>(c);
    EXPECT_EQ(all.status().kind(), ErrorKind::kPayloadTooLarge) << static_cast<int>(c);
    // The error sticks.
    char byte;
    EXPECT_FALSE(source->read(&byte, 1));
  }
  // Exactly the cap is fine.
  std::string packed = gzip(text);
  auto exact = decompressing(memory_source(packed), Compression::kGzip, text.size());
  EXPECT_TRUE(read_all(*exact));
}

TEST(ByteSource, GzipBombStopsAtTheCapWithoutInflatingTheRest) {
  // 256 MiB of zeros deflate to about 256 KB; the reader stops a byte past a 1 MiB cap,
  // having read one input buffer.
  z_stream z{};
  ASSERT_EQ(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY), Z_OK);
  std::string zeros(1 << 20, '\0'), bomb, buf(1 << 16, '\0');
  for (int i = 0; i < 256; ++i) {
    z.next_in = reinterpret_cast<Bytef*>(zeros.data());
    z.avail_in = static_cast<uInt>(zeros.size());
    int flush = i == 255 ? Z_FINISH : Z_NO_FLUSH;
    do {
      z.next_out = reinterpret_cast<Bytef*>(buf.data());
      z.avail_out = static_cast<uInt>(buf.size());
      deflate(&z, flush);
      bomb.append(buf.data(), buf.size() - z.avail_out);
    } while (z.avail_out == 0);
  }
  deflateEnd(&z);
  ASSERT_LT(bomb.size(), 1u << 20);
  uint64_t served = 0;
  auto source = decompressing(
      std::make_unique<test::GeneratedSource>(
          bomb.size(),
          [&](uint64_t at, char* out, size_t n) { std::memcpy(out, bomb.data() + at, n); },
          &served),
      Compression::kGzip, 1 << 20);
  auto all = read_all(*source, 1 << 16);
  ASSERT_FALSE(all);
  EXPECT_EQ(all.status().kind(), ErrorKind::kPayloadTooLarge);
  EXPECT_LE(served, 64u * 1024);  // one input buffer: most of the bomb was never even read
  EXPECT_LT(served, bomb.size() / 3);
}

TEST(ByteSource, TruncatedInputIsAnError) {
  std::string text = sample_text(2000);
  for (Compression c : kCodecs) {
    std::string packed = compress(c, text);
    for (size_t keep : {packed.size() - 1, packed.size() / 2, size_t{3}}) {
      auto source =
          decompressing(memory_source(std::string_view(packed).substr(0, keep)), c, 1u << 30);
      auto all = read_all(*source);
      ASSERT_FALSE(all) << static_cast<int>(c) << " keeping " << keep;
      EXPECT_EQ(all.status().kind(), ErrorKind::kUnprocessable);
    }
  }
}

TEST(ByteSource, EmptyInputIsEmptyForGzipAndTruncatedForTheOthers) {
  auto gz = decompressing(memory_source(""), Compression::kGzip, 100);
  auto all = read_all(*gz);
  ASSERT_TRUE(all);
  EXPECT_EQ(*all, "");
  for (Compression c : {Compression::kZstd, Compression::kBzip2, Compression::kXz}) {
    auto source = decompressing(memory_source(""), c, 100);
    EXPECT_FALSE(read_all(*source)) << static_cast<int>(c);
  }
}

TEST(ByteSource, CorruptInputIsAnError) {
  std::string text = sample_text(2000);
  for (Compression c : kCodecs) {
    std::string packed = compress(c, text);
    packed[packed.size() / 2] ^= 0x55;
    packed[packed.size() / 2 + 1] ^= 0x55;
    auto source = decompressing(memory_source(packed), c, 1u << 30);
    auto all = read_all(*source);
    // A flipped byte in the middle fails the codec's checks or its checksum.
    ASSERT_FALSE(all) << static_cast<int>(c);
    EXPECT_EQ(all.status().kind(), ErrorKind::kUnprocessable);
  }
  for (Compression c : kCodecs) {
    auto source = decompressing(memory_source("this is not compressed at all"), c, 1u << 20);
    EXPECT_FALSE(read_all(*source)) << static_cast<int>(c);
  }
  // Bytes after a whole gzip member that are not another member.
  std::string with_garbage = gzip("ok") + "garbage";
  auto trailing = decompressing(memory_source(with_garbage), Compression::kGzip, 100);
  EXPECT_FALSE(read_all(*trailing));
}

TEST(ByteSource, AFailingSourcePassesItsErrorThrough) {
  auto source = decompressing(std::make_unique<test::FailingSource>(), Compression::kZstd, 1 << 20);
  auto all = read_all(*source);
  ASSERT_FALSE(all);
  EXPECT_EQ(all.status().kind(), ErrorKind::kInternal);
  EXPECT_EQ(all.status().message(), "disk on fire");
}

}  // namespace
}  // namespace vitrine::datasets
