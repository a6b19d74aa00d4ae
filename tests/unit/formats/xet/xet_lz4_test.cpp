// LZ4 chunk payloads: frames as real Xet clients and the lz4 tool write them, the server's own
// frame encoder, raw blocks as older Vitrine versions stored them, and damaged frames.
#include <gtest/gtest.h>
#include <lz4.h>

#include <string>
#include <utility>
#include <vector>

#include "formats/xet/format.hpp"
#include "formats/xet/lz4_codec.hpp"

namespace vitrine::xet {
namespace {

// What the frames below hold: 404 bytes.
std::string sample_text() {
  std::string text;
  for (int i = 0; i < 40; ++i) text += "xet chunk ";
  return text + "end\n";
}

std::string bytes(std::initializer_list<unsigned char> list) {
  return std::string(list.begin(), list.end());
}

// `python3 -c "import sys; sys.stdout.write('xet chunk ' * 40 + 'end\n')" | lz4 -c | xxd -i`
// (lz4 1.9.4): 64 KiB blocks, independent, content checksum.
const std::string kCliFrame =
    bytes({0x04, 0x22, 0x4d, 0x18, 0x64, 0x40, 0xa7, 0x15, 0x00, 0x00, 0x00, 0xaf, 0x78, 0x65,
           0x74, 0x20, 0x63, 0x68, 0x75, 0x6e, 0x6b, 0x20, 0x0a, 0x00, 0xff, 0x73, 0x50, 0x20,
           0x65, 0x6e, 0x64, 0x0a, 0x00, 0x00, 0x00, 0x00, 0xe6, 0x72, 0x80, 0x1e});

// The same through `lz4 -c --content-size -BX`: content size, block and content checksums.
const std::string kCliFrameAllFields =
    bytes({0x04, 0x22, 0x4d, 0x18, 0x7c, 0x40, 0x94, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
           0x00, 0x67, 0x15, 0x00, 0x00, 0x00, 0xaf, 0x78, 0x65, 0x74, 0x20, 0x63, 0x68,
           0x75, 0x6e, 0x6b, 0x20, 0x0a, 0x00, 0xff, 0x73, 0x50, 0x20, 0x65, 0x6e, 0x64,
           0x0a, 0x7c, 0x23, 0xaf, 0xe8, 0x00, 0x00, 0x00, 0x00, 0xe6, 0x72, 0x80, 0x1e});

std::string le32(uint32_t v) {
  std::string s(4, '\0');
  for (int i = 0; i < 4; ++i) s[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
  return s;
}

std::string raw_block(std::string_view input) {
  std::string block(static_cast<size_t>(LZ4_compressBound(static_cast<int>(input.size()))), '\0');
  const int n = LZ4_compress_default(input.data(), block.data(), static_cast<int>(input.size()),
                                     static_cast<int>(block.size()));
  block.resize(static_cast<size_t>(n));
  return block;
}

// A frame laid out as huggingface.js (lz4js) writes one: FLG 0x40 (linked blocks, no
// checksums), BD 0x70 (4 MiB block maximum), header checksum 0xdf, one block, the end mark.
// `uncompressed` stores the block as is (the size's high bit), as lz4js does when LZ4 loses.
std::string js_style_frame(std::string_view input, bool uncompressed = false) {
  std::string frame = bytes({0x04, 0x22, 0x4d, 0x18, 0x40, 0x70, 0xdf});
  if (uncompressed) {
    frame += le32(static_cast<uint32_t>(input.size()) | 0x80000000u);
    frame += input;
  } else {
    const std::string block = raw_block(input);
    frame += le32(static_cast<uint32_t>(block.size()));
    frame += block;
  }
  return frame + le32(0);
}

std::string compressible(size_t n) {
  std::string s;
  for (size_t i = 0; s.size() < n; ++i) s += "line " + std::to_string(i % 997) + " of the chunk\n";
  s.resize(n);
  for (size_t i = 0; i < n / 3; ++i) s[i] = '\0';
  return s;
}

Status decode(std::string_view payload, uint32_t size) {
  std::string out;
  return lz4_decode_chunk(payload, size, out);
}

TEST(XetLz4, DecodesFramesFromTheLz4Tool) {
  const std::string text = sample_text();
  ASSERT_EQ(text.size(), 404u);
  for (const std::string& frame : {kCliFrame, kCliFrameAllFields}) {
    std::string out;
    ASSERT_TRUE(lz4_decode_chunk(frame, 404, out)) << lz4_decode_chunk(frame, 404, out).message();
    EXPECT_EQ(out, text);
  }
}

TEST(XetLz4, DecodesFramesLaidOutAsTheJsClientWritesThem) {
  const std::string input = compressible(kMaxChunkSize);
  for (bool uncompressed : {false, true}) {
    std::string out;
    const std::string frame = js_style_frame(input, uncompressed);
    ASSERT_TRUE(lz4_decode_chunk(frame, kMaxChunkSize, out)) << uncompressed;
    EXPECT_EQ(out, input);
    // The frame as a xorb chunk, plain and byte-grouped.
    EXPECT_TRUE(decompress_chunk(Compression::kLz4, frame, kMaxChunkSize, out));
    EXPECT_EQ(out, input);
  }
}

TEST(XetLz4, EncoderRoundTripsThroughTheFrameDecoder) {
  for (size_t size : {size_t{1}, size_t{100}, size_t{65536}, size_t{65537}, kMaxChunkSize}) {
    const std::string input = compressible(size);
    std::string frame;
    lz4_encode_frame(input, frame);
    ASSERT_GE(frame.size(), 4u);
    EXPECT_EQ(frame.substr(0, 4), bytes({0x04, 0x22, 0x4d, 0x18})) << size;
    std::string out;
    ASSERT_TRUE(lz4_decode_chunk(frame, static_cast<uint32_t>(size), out)) << size;
    EXPECT_EQ(out, input);
  }
  // Through the xorb: compressed chunks (plain and byte-grouped) are frames and parse back.
  std::string grouped_friendly(kMaxChunkSize, '\0');
  for (size_t i = 0; i < grouped_friendly.size(); i += 4) {
    grouped_friendly[i] = static_cast<char>((i * 2654435761u) >> 13);
  }
  for (const std::string& chunk : {compressible(90000), grouped_friendly}) {
    std::string xorb;
    const XorbChunk entry = append_xorb_chunk(xorb, chunk, chunk_hash(chunk), true);
    ASSERT_NE(entry.compression, Compression::kNone);
    EXPECT_EQ(xorb.substr(kChunkHeaderSize, 4), bytes({0x04, 0x22, 0x4d, 0x18}));
    auto parsed = parse_xorb(xorb);
    ASSERT_TRUE(parsed) << parsed.status().message();
    EXPECT_EQ(parsed->chunks[0].hash, chunk_hash(chunk));
    std::string out;
    ASSERT_TRUE(decompress_chunk(entry.compression, xorb.substr(kChunkHeaderSize),
                                 entry.uncompressed_size, out));
    EXPECT_EQ(out, chunk);
  }
  // Incompressible input stays uncompressed.
  std::string noise(5000, '\0');
  uint32_t state = 12345;
  for (char& c : noise) {
    state = state * 1103515245u + 12345u;
    c = static_cast<char>(state >> 24);
  }
  std::string xorb;
  EXPECT_EQ(append_xorb_chunk(xorb, noise, chunk_hash(noise), true).compression,
            Compression::kNone);
}

TEST(XetLz4, OldRawBlockChunksStillDecode) {
  const std::string input = compressible(70000);
  const std::string block = raw_block(input);
  std::string out;
  ASSERT_TRUE(lz4_decode_chunk(block, 70000, out));
  EXPECT_EQ(out, input);
  // As a stored xorb chunk (type 1), as earlier Vitrine versions wrote them.
  std::string xorb(kChunkHeaderSize, '\0');
  const uint32_t n = static_cast<uint32_t>(block.size());
  xorb[1] = static_cast<char>(n & 0xFF);
  xorb[2] = static_cast<char>((n >> 8) & 0xFF);
  xorb[3] = static_cast<char>((n >> 16) & 0xFF);
  xorb[4] = 1;
  xorb[5] = static_cast<char>(70000 & 0xFF);
  xorb[6] = static_cast<char>((70000 >> 8) & 0xFF);
  xorb[7] = static_cast<char>((70000 >> 16) & 0xFF);
  auto parsed = parse_xorb(xorb + block);
  ASSERT_TRUE(parsed) << parsed.status().message();
  EXPECT_EQ(parsed->chunks[0].hash, chunk_hash(input));
  EXPECT_FALSE(lz4_decode_chunk(block, 69999, out));
  EXPECT_FALSE(lz4_decode_chunk(block, 70001, out));
}

TEST(XetLz4, RejectsDamagedFrames) {
  const std::string text = sample_text();
  std::string out;
  // Every truncation, of both tool frames.
  for (const std::string& frame : {kCliFrame, kCliFrameAllFields}) {
    for (size_t n = 0; n < frame.size(); ++n) {
      EXPECT_FALSE(lz4_decode_chunk(frame.substr(0, n), 404, out)) << n;
    }
  }
  // Declared size too small, too large, zero, above the chunk limit.
  EXPECT_FALSE(decode(kCliFrame, 403));
  EXPECT_FALSE(decode(kCliFrame, 405));
  EXPECT_FALSE(decode(kCliFrame, 1));
  EXPECT_FALSE(decode(kCliFrame, 0));
  EXPECT_FALSE(decode(kCliFrame, kMaxChunkSize + 1));
  // The frame's content size disagrees with the chunk header.
  EXPECT_FALSE(decode(kCliFrameAllFields, 403));
  // Trailing bytes, or a second frame, after the frame.
  EXPECT_FALSE(decode(kCliFrame + std::string(1, '\0'), 404));
  EXPECT_FALSE(decode(kCliFrame + kCliFrame, 404));
  EXPECT_FALSE(decode(kCliFrame + kCliFrame, 808));
  // Bad magic: not a frame, so not a valid raw block either.
  std::string bad = kCliFrame;
  bad[3] = 0x19;
  EXPECT_FALSE(decode(bad, 404));
  // Bad flags: version bits, reserved bits, block size id, header checksum.
  const std::vector<std::pair<size_t, uint8_t>> flag_changes = {
      {4, 0xA4}, {4, 0x66}, {5, 0x30}, {5, 0x41}, {6, 0xa8}};
  for (auto [index, value] : flag_changes) {
    bad = kCliFrame;
    bad[index] = static_cast<char>(value);
    EXPECT_FALSE(decode(bad, 404)) << index << " " << int{value};
  }
  // Content checksum and block checksum mismatches.
  bad = kCliFrame;
  bad[bad.size() - 1] ^= 1;
  EXPECT_FALSE(decode(bad, 404));
  bad = kCliFrameAllFields;
  bad[40] ^= 1;
  EXPECT_FALSE(decode(bad, 404));
  // A block size that runs past the payload, and every single-byte change decodes or fails
  // without crashing (the sanitizer build checks the "without crashing").
  bad = kCliFrame;
  bad[8] = 0x7f;
  EXPECT_FALSE(decode(bad, 404));
  for (size_t i = 0; i < kCliFrame.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      bad = kCliFrame;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      if (lz4_decode_chunk(bad, 404, out)) {
        EXPECT_EQ(out.size(), 404u);
      }
    }
  }
  // A JS-style frame whose single block decodes to more than the chunk holds.
  const std::string big = compressible(kMaxChunkSize);
  EXPECT_FALSE(decode(js_style_frame(big), kMaxChunkSize - 1));
  EXPECT_FALSE(decode(js_style_frame(big, true), kMaxChunkSize - 1));
  // The decoder is reused per thread: a good frame still decodes after all those failures.
  const Status again = lz4_decode_chunk(kCliFrame, 404, out);
  ASSERT_TRUE(again) << again.message();
  EXPECT_EQ(out, text);
}

}  // namespace
}  // namespace vitrine::xet
