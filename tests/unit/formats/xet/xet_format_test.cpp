// The Xet format library: hashes (against values computed by @huggingface/xetchunk-wasm 0.2.0,
// an independent implementation), the chunker's boundary rule and split invariance, xorb and
// shard round trips and every rejection path.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <set>

#include "formats/xet/format.hpp"

namespace vitrine::xet {
namespace {

std::string random_bytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out(n, '\0');
  for (size_t i = 0; i < n; i += 8) {
    const uint64_t v = rng();
    std::memcpy(out.data() + i, &v, std::min<size_t>(8, n - i));
  }
  return out;
}

std::vector<ChunkRef> synthetic_chunks(size_t n) {
  std::vector<ChunkRef> chunks;
  for (size_t i = 0; i < n; ++i) {
    chunks.push_back({chunk_hash("chunk " + std::to_string(i)), 1000 + i});
  }
  return chunks;
}

// ---- hashes -------------------------------------------------------------------------------------

TEST(XetHash, StringFormReversesEachEightByteWord) {
  Hash h;
  for (size_t i = 0; i < 32; ++i) h.bytes[i] = static_cast<uint8_t>(i);
  EXPECT_EQ(to_string(h),
            "0706050403020100"
            "0f0e0d0c0b0a0908"
            "1716151413121110"
            "1f1e1d1c1b1a1918");
  EXPECT_EQ(parse_hash(to_string(h)), h);
  EXPECT_EQ(parse_hash("0706050403020100"
                       "0F0E0D0C0B0A0908"
                       "1716151413121110"
                       "1f1e1d1c1b1a1918"),
            h);
  EXPECT_EQ(h.rem(1ull << 63), 0x1f1e1d1c1b1a1918ull % (1ull << 63));
}

TEST(XetHash, ParseRejectsBadText) {
  EXPECT_FALSE(parse_hash(""));
  EXPECT_FALSE(parse_hash(std::string(63, 'a')));
  EXPECT_FALSE(parse_hash(std::string(65, 'a')));
  EXPECT_FALSE(parse_hash(std::string(63, 'a') + "g"));
  EXPECT_FALSE(parse_hash(std::string(63, 'a') + " "));
}

TEST(XetHash, ChunkHashMatchesReference) {
  EXPECT_EQ(to_string(chunk_hash("")),
            "e0f2cf784e7e5f10c34f84af150e9a5ff9664216debad915364d741049870f67");
  EXPECT_EQ(to_string(chunk_hash("hello")),
            "9076ba12d998050b9c95c8bf770f943e6cad55c7490a82b76cf1582a2a05c2c2");
}

TEST(XetHash, MerkleAndFileHashesMatchReference) {
  const auto chunks = synthetic_chunks(20);
  EXPECT_EQ(to_string(xorb_hash(chunks)),
            "3885da79ce4b77d9e52aeb30f1b8cedcb4824c211ee8ded6aeefaccbb17df254");
  EXPECT_EQ(to_string(file_hash(chunks)),
            "7e4370303eedb4f515a186840bb03089ec1dc3eae6c9a998394556577dcd2f7f");
  // A single chunk is its own root; the file hash still rehashes it.
  EXPECT_EQ(xorb_hash(std::span(chunks).first(1)), chunks[0].hash);
  EXPECT_EQ(to_string(file_hash(std::span(chunks).first(1))),
            "ccea3af1b8f604220010b23bad003ee8671f648ecc4ddc1be55ff0289a8c77c7");
  EXPECT_EQ(to_string(xorb_hash(std::span(chunks).first(2))),
            "17e44f725d5504316e21b34ea9c76c2fd85837a173eec9c737d166e96c42f308");
}

TEST(XetHash, EmptyFileAndXorbHashesAreZero) {
  EXPECT_EQ(merkle_root({}), Hash{});
  EXPECT_EQ(file_hash({}), Hash{});
}

TEST(XetHash, VerificationAndKeyedHashesMatchReference) {
  const auto chunks = synthetic_chunks(20);
  std::vector<Hash> hashes;
  for (const auto& c : chunks) hashes.push_back(c.hash);
  EXPECT_EQ(to_string(verification_hash(hashes)),
            "c049805f57aa85dc7d478feb877d0b5152d93d50392c5d104fde010b3922eb67");
  EXPECT_EQ(to_string(verification_hash({})),
            "b81ce0cc7ce434c719c5f31801bc0825ead2a9ebae7419605afc00726961e5d9");
  EXPECT_EQ(to_string(keyed_hash(hashes[1], hashes[0])),
            "aa24dff320834006fed98b3b4ab5bb3947185b3f018452f329bae7134b387dbf");
}

// ---- chunker ------------------------------------------------------------------------------------

std::vector<uint64_t> chunk_in_pieces(std::string_view data, uint64_t seed, size_t max_piece) {
  std::mt19937_64 rng(seed);
  std::vector<uint64_t> boundaries;
  Chunker chunker;
  size_t pos = 0;
  while (pos < data.size()) {
    const size_t piece = std::min<size_t>(data.size() - pos, 1 + rng() % max_piece);
    chunker.update(data.substr(pos, piece), boundaries);
    pos += piece;
  }
  chunker.finish(boundaries);
  return boundaries;
}

void expect_chunk_sizes_valid(const std::vector<uint64_t>& boundaries, uint64_t total) {
  ASSERT_FALSE(boundaries.empty());
  EXPECT_EQ(boundaries.back(), total);
  uint64_t start = 0;
  for (size_t i = 0; i < boundaries.size(); ++i) {
    const uint64_t size = boundaries[i] - start;
    EXPECT_LE(size, kMaxChunkSize) << "chunk " << i;
    if (i + 1 < boundaries.size()) {
      EXPECT_GE(size, kMinChunkSize) << "chunk " << i;
    }
    EXPECT_GT(size, 0u);
    start = boundaries[i];
  }
}

TEST(XetChunker, EmptyInputHasNoChunks) {
  EXPECT_TRUE(chunk_boundaries("").empty());
  std::vector<uint64_t> b;
  Chunker c;
  c.update("", b);
  c.finish(b);
  EXPECT_TRUE(b.empty());
}

TEST(XetChunker, SmallInputsAreOneChunk) {
  EXPECT_EQ(chunk_boundaries("x"), std::vector<uint64_t>{1});
  const std::string small = random_bytes(kMinChunkSize - 1, 1);
  EXPECT_EQ(chunk_boundaries(small), std::vector<uint64_t>{small.size()});
  const std::string exact = random_bytes(kMinChunkSize, 2);
  EXPECT_EQ(chunk_boundaries(exact), std::vector<uint64_t>{exact.size()});
}

TEST(XetChunker, RandomDataRespectsBoundsAndNeverCutsBeforeMin) {
  const std::string data = random_bytes(8 << 20, 3);
  const auto boundaries = chunk_boundaries(data);
  expect_chunk_sizes_valid(boundaries, data.size());
  // ~64 KiB average: 8 MiB gives about 128 chunks (the min/max rules shift it a little).
  EXPECT_GT(boundaries.size(), 60u);
  EXPECT_LT(boundaries.size(), 250u);
}

TEST(XetChunker, BoundariesDoNotDependOnHowInputIsSplit) {
  const std::string data = random_bytes(3 << 20, 4);
  const auto whole = chunk_boundaries(data);
  EXPECT_EQ(chunk_in_pieces(data, 5, 100000), whole);
  EXPECT_EQ(chunk_in_pieces(data, 6, 70), whole);
  const std::string head = data.substr(0, 600000);
  EXPECT_EQ(chunk_in_pieces(head, 7, 1), chunk_boundaries(head));
}

TEST(XetChunker, ZerosAreCutAtTheMaximum) {
  for (size_t blocks : {1, 2, 8}) {
    const std::string zeros(blocks * kMaxChunkSize, '\0');
    const auto b = chunk_boundaries(zeros);
    ASSERT_EQ(b.size(), blocks);
    for (size_t i = 0; i < blocks; ++i) EXPECT_EQ(b[i], (i + 1) * kMaxChunkSize);
  }
  const std::string mib(1 << 20, '\0');
  EXPECT_EQ(chunk_boundaries(mib).size(), 8u);
  // A zero run after random data: after the first cut inside it, every chunk is full size.
  std::string mixed =
      random_bytes(200000, 8) + std::string(1 << 20, '\0') + random_bytes(100000, 9);
  const auto b = chunk_boundaries(mixed);
  expect_chunk_sizes_valid(b, mixed.size());
  EXPECT_EQ(chunk_in_pieces(mixed, 10, 5000), b);
}

// The old rule could cut 8128 bytes in (MIN - 64) when a single table entry had zero top bits;
// the current rule never cuts before MIN. Data whose byte at offset 8127 is such an entry
// (0x11 maps to 0x00005082119ea468) checks it; the wasm differential test shows the old cut.
TEST(XetChunker, NoCutAtTheOldSkipAheadPoint) {
  std::string data = random_bytes(300000, 11);
  data[kMinChunkSize - 65] = 0x11;  // the old chunker hashed from offset 8127 with h = 0
  for (uint64_t b : chunk_boundaries(data)) EXPECT_NE(b, kMinChunkSize - 64);
}

// ---- xorbs --------------------------------------------------------------------------------------

struct BuiltXorb {
  std::string bytes;
  std::vector<std::string> chunks;
  std::vector<XorbChunk> entries;
};

BuiltXorb build_xorb(const std::vector<std::string>& chunks, bool compress) {
  BuiltXorb x;
  x.chunks = chunks;
  for (const auto& c : chunks)
    x.entries.push_back(append_xorb_chunk(x.bytes, c, chunk_hash(c), compress));
  return x;
}

std::vector<std::string> mixed_chunks() {
  std::string floats;
  for (int i = 0; i < 16000; ++i) {
    const float f = 1.0f + static_cast<float>(i) * 1e-4f;
    floats.append(reinterpret_cast<const char*>(&f), 4);
  }
  return {random_bytes(70000, 20), std::string(kMaxChunkSize, 'a'), floats,
          std::string("short text, short text, short text, short text"), floats.substr(0, 4003)};
}

TEST(XetXorb, UncompressedRoundTrip) {
  const auto x = build_xorb(mixed_chunks(), false);
  auto index = parse_xorb(x.bytes);
  ASSERT_TRUE(index) << index.status().message();
  ASSERT_EQ(index->chunks.size(), x.chunks.size());
  std::vector<ChunkRef> refs;
  uint64_t total = 0;
  for (size_t i = 0; i < x.chunks.size(); ++i) {
    EXPECT_EQ(index->chunks[i].compression, Compression::kNone);
    EXPECT_EQ(index->chunks[i].hash, chunk_hash(x.chunks[i]));
    EXPECT_EQ(index->chunks[i].offset, x.entries[i].offset);
    refs.push_back({chunk_hash(x.chunks[i]), x.chunks[i].size()});
    total += x.chunks[i].size();
  }
  EXPECT_EQ(index->hash, xorb_hash(refs));
  EXPECT_EQ(index->unpacked_size, total);
  EXPECT_EQ(index->chunks_end, x.bytes.size());
}

TEST(XetXorb, CompressedRoundTripPicksTheSmallest) {
  const auto chunks = mixed_chunks();
  const auto plain = build_xorb(chunks, false);
  const auto packed = build_xorb(chunks, true);
  EXPECT_LT(packed.bytes.size(), plain.bytes.size());
  EXPECT_EQ(packed.entries[0].compression, Compression::kNone);  // random: incompressible
  EXPECT_NE(packed.entries[1].compression, Compression::kNone);
  EXPECT_EQ(packed.entries[2].compression, Compression::kByteGrouping4Lz4);  // floats
  auto a = parse_xorb(plain.bytes);
  auto b = parse_xorb(packed.bytes);
  ASSERT_TRUE(a && b) << b.status().message();
  EXPECT_EQ(a->hash, b->hash);
  for (size_t i = 0; i < chunks.size(); ++i) {
    const auto& c = b->chunks[i];
    std::string out;
    ASSERT_TRUE(decompress_chunk(
        c.compression,
        std::string_view(packed.bytes).substr(c.offset + kChunkHeaderSize, c.compressed_size),
        c.uncompressed_size, out));
    EXPECT_EQ(out, chunks[i]);
  }
}

TEST(XetXorb, ByteGroupingHandlesEveryRemainder) {
  for (size_t n : {1, 2, 3, 4, 5, 6, 7, 4001, 4002, 4003}) {
    std::string data;
    for (size_t i = 0; i < n; ++i) data += static_cast<char>(i % 4 == 0 ? i / 4 % 7 : i % 4);
    data += std::string(2000, '\0');
    std::string x;
    append_xorb_chunk(x, data, chunk_hash(data), true);
    auto index = parse_xorb(x);
    ASSERT_TRUE(index) << n << ": " << index.status().message();
    EXPECT_EQ(index->chunks[0].hash, chunk_hash(data));
  }
}

// A footer in xet-core's CasObjectInfo V1 layout, for the footer paths.
std::string footer_for(const BuiltXorb& x, const Hash& xorb, bool corrupt_hash) {
  std::string info = "XETBLOB";
  info += '\x01';
  info.append(reinterpret_cast<const char*>(xorb.bytes.data()), 32);
  if (corrupt_hash) info[8] ^= 1;
  auto u32 = [&](uint32_t v) { info.append(reinterpret_cast<const char*>(&v), 4); };
  info += "XBLBHSH";
  info += '\0';
  u32(static_cast<uint32_t>(x.entries.size()));
  for (const auto& e : x.entries)
    info.append(reinterpret_cast<const char*>(e.hash.bytes.data()), 32);
  info += "XBLBBND";
  info += '\x01';
  u32(static_cast<uint32_t>(x.entries.size()));
  for (const auto& e : x.entries) u32(e.offset + 8 + e.compressed_size);
  uint32_t unpacked = 0;
  for (const auto& e : x.entries) u32(unpacked += e.uncompressed_size);
  u32(static_cast<uint32_t>(x.entries.size()));
  u32(0);
  u32(0);
  info.append(16, '\0');
  std::string out = info;
  const auto length = static_cast<uint32_t>(info.size());
  out.append(reinterpret_cast<const char*>(&length), 4);
  return out;
}

TEST(XetXorb, AcceptsAMatchingFooterAndRejectsAWrongOne) {
  const auto x = build_xorb(mixed_chunks(), true);
  const Hash hash = parse_xorb(x.bytes)->hash;
  auto with_footer = parse_xorb(x.bytes + footer_for(x, hash, false));
  ASSERT_TRUE(with_footer) << with_footer.status().message();
  EXPECT_EQ(with_footer->chunks_end, x.bytes.size());
  EXPECT_EQ(with_footer->hash, hash);
  EXPECT_FALSE(parse_xorb(x.bytes + footer_for(x, hash, true)));
  // Only the fixed tail: the chunk count is still checked.
  std::string tail = "XETBLOB";
  tail += '\x02';
  const uint32_t count = static_cast<uint32_t>(x.entries.size());
  tail.append(reinterpret_cast<const char*>(&count), 4);
  tail.append(24, '\0');
  const uint32_t len = static_cast<uint32_t>(tail.size());
  EXPECT_TRUE(parse_xorb(x.bytes + tail + std::string(reinterpret_cast<const char*>(&len), 4)));
  std::string bad_count = tail;
  bad_count[8] ^= 1;
  EXPECT_FALSE(
      parse_xorb(x.bytes + bad_count + std::string(reinterpret_cast<const char*>(&len), 4)));
}

std::string header(uint8_t version, uint32_t compressed, uint8_t type, uint32_t uncompressed) {
  std::string h(8, '\0');
  h[0] = static_cast<char>(version);
  for (int i = 0; i < 3; ++i) h[1 + i] = static_cast<char>((compressed >> (8 * i)) & 0xFF);
  h[4] = static_cast<char>(type);
  for (int i = 0; i < 3; ++i) h[5 + i] = static_cast<char>((uncompressed >> (8 * i)) & 0xFF);
  return h;
}

TEST(XetXorb, RejectsEveryDefect) {
  const std::string payload(1000, 'p');
  EXPECT_TRUE(parse_xorb(header(0, 1000, 0, 1000) + payload));
  EXPECT_FALSE(parse_xorb(""));                                  // no chunks
  EXPECT_FALSE(parse_xorb(header(1, 1000, 0, 1000) + payload));  // version
  EXPECT_FALSE(parse_xorb(header(0, 1000, 3, 1000) + payload));  // compression
  EXPECT_FALSE(parse_xorb(header(0, 0, 0, 0)));                  // empty chunk
  const std::string big(kMaxChunkSize + 1, 'b');
  EXPECT_FALSE(parse_xorb(header(0, big.size(), 0, big.size()) + big));    // too large
  EXPECT_FALSE(parse_xorb(header(0, 1000, 0, 1000) + payload.substr(1)));  // truncated
  EXPECT_FALSE(parse_xorb(header(0, 1000, 0, 1000).substr(0, 5)));         // truncated header
  EXPECT_FALSE(parse_xorb(header(0, 1000, 0, 999) + payload));             // none: size mismatch
  EXPECT_FALSE(parse_xorb(header(0, 1000, 1, 1000) + payload));            // not LZ4
  EXPECT_FALSE(parse_xorb(header(0, 1000, 0, 1000) + payload + "junk"));   // trailing garbage
  EXPECT_FALSE(parse_xorb(header(0, 1000, 0, 1000) + payload + std::string(8, '\0')));
  // LZ4 that decodes to a different size than declared.
  std::string x;
  const std::string text(5000, 'z');
  append_xorb_chunk(x, text, chunk_hash(text), true);
  ASSERT_NE(x[4], 0);
  std::string shorter = x;
  shorter[5] = static_cast<char>(shorter[5] - 1);
  EXPECT_FALSE(parse_xorb(shorter));
  // Corrupt LZ4 is either rejected or decodes to other bytes, which the recomputed hash shows.
  std::string corrupt = x;
  corrupt[corrupt.size() - 1] ^= 0x55;
  auto parsed = parse_xorb(corrupt);
  EXPECT_TRUE(!parsed || parsed->chunks[0].hash != chunk_hash(text));
  corrupt = x;
  corrupt[8] = static_cast<char>(0xF0);  // a literal run longer than the payload
  EXPECT_FALSE(parse_xorb(corrupt));
}

TEST(XetXorb, AppendRejectsBadChunkSizes) {
  std::string out;
  EXPECT_THROW(append_xorb_chunk(out, "", Hash{}, false), std::invalid_argument);
  EXPECT_THROW(append_xorb_chunk(out, std::string(kMaxChunkSize + 1, 'a'), Hash{}, false),
               std::invalid_argument);
}

// ---- shards -------------------------------------------------------------------------------------

Shard sample_shard() {
  Shard s;
  const auto chunks = synthetic_chunks(6);
  ShardFile a;
  a.file_hash = chunks[0].hash;
  a.terms = {{chunks[1].hash, 0, 3000, 0, 3}, {chunks[2].hash, 0, 2001, 1, 3}};
  a.verification = {chunks[3].hash, chunks[4].hash};
  a.sha256 = chunks[5].hash;
  ShardFile b;
  b.file_hash = chunks[2].hash;
  b.terms = {{chunks[1].hash, 0, 1000, 0, 1}};
  b.verification = {chunks[0].hash};
  s.files = {a, b};
  ShardXorb x;
  x.xorb_hash = chunks[1].hash;
  x.bytes_in_cas = 3003;
  x.bytes_on_disk = 3027;
  x.chunks = {
      {chunks[3].hash, 0, 1000}, {chunks[4].hash, 1000, 1001}, {chunks[5].hash, 2001, 1002}};
  s.xorbs = {x};
  return s;
}

void expect_same(const Shard& a, const Shard& b) {
  ASSERT_EQ(a.files.size(), b.files.size());
  for (size_t i = 0; i < a.files.size(); ++i) {
    EXPECT_EQ(a.files[i].file_hash, b.files[i].file_hash);
    EXPECT_EQ(a.files[i].verification, b.files[i].verification);
    EXPECT_EQ(a.files[i].sha256, b.files[i].sha256);
    ASSERT_EQ(a.files[i].terms.size(), b.files[i].terms.size());
    for (size_t j = 0; j < a.files[i].terms.size(); ++j) {
      const auto& x = a.files[i].terms[j];
      const auto& y = b.files[i].terms[j];
      EXPECT_EQ(x.xorb_hash, y.xorb_hash);
      EXPECT_EQ(x.unpacked_bytes, y.unpacked_bytes);
      EXPECT_EQ(x.chunk_start, y.chunk_start);
      EXPECT_EQ(x.chunk_end, y.chunk_end);
    }
  }
  ASSERT_EQ(a.xorbs.size(), b.xorbs.size());
  for (size_t i = 0; i < a.xorbs.size(); ++i) {
    EXPECT_EQ(a.xorbs[i].xorb_hash, b.xorbs[i].xorb_hash);
    EXPECT_EQ(a.xorbs[i].bytes_in_cas, b.xorbs[i].bytes_in_cas);
    EXPECT_EQ(a.xorbs[i].bytes_on_disk, b.xorbs[i].bytes_on_disk);
    ASSERT_EQ(a.xorbs[i].chunks.size(), b.xorbs[i].chunks.size());
    for (size_t j = 0; j < a.xorbs[i].chunks.size(); ++j) {
      EXPECT_EQ(a.xorbs[i].chunks[j].chunk_hash, b.xorbs[i].chunks[j].chunk_hash);
      EXPECT_EQ(a.xorbs[i].chunks[j].byte_range_start, b.xorbs[i].chunks[j].byte_range_start);
      EXPECT_EQ(a.xorbs[i].chunks[j].unpacked_bytes, b.xorbs[i].chunks[j].unpacked_bytes);
    }
  }
}

TEST(XetShard, RoundTripWithAndWithoutFooter) {
  Shard s = sample_shard();
  s.hmac_key = chunk_hash("key");
  s.key_expiry = 1234567;
  const std::string with = serialize_shard(s);
  const std::string without = serialize_shard(s, false);
  // Footer plus lookup tables: 2 files and 1 xorb at 12 bytes, 3 chunks at 16.
  EXPECT_EQ(with.size(), without.size() + 2 * 12 + 12 + 3 * 16 + 200);
  auto a = parse_shard(with);
  ASSERT_TRUE(a) << a.status().message();
  expect_same(*a, s);
  EXPECT_EQ(a->hmac_key, s.hmac_key);
  EXPECT_EQ(a->key_expiry, 1234567u);
  EXPECT_EQ(a->files[0].flags, (1u << 31) | (1u << 30));
  EXPECT_EQ(a->files[1].flags, 1u << 31);
  auto b = parse_shard(without);
  ASSERT_TRUE(b) << b.status().message();
  expect_same(*b, s);
  EXPECT_FALSE(b->hmac_key);
  // Empty shard.
  EXPECT_TRUE(parse_shard(serialize_shard(Shard{}, false)));
  EXPECT_TRUE(parse_shard(serialize_shard(Shard{})));
}

void put_u32_at(std::string& s, size_t at, uint32_t v) {
  std::memcpy(s.data() + at, &v, 4);
}
void put_u64_at(std::string& s, size_t at, uint64_t v) {
  std::memcpy(s.data() + at, &v, 8);
}

TEST(XetShard, RejectsEveryDefect) {
  const std::string good = serialize_shard(sample_shard(), false);
  const std::string good_footer = serialize_shard(sample_shard());
  ASSERT_TRUE(parse_shard(good));
  for (size_t cut = 0; cut < good.size(); cut += 7) {
    EXPECT_FALSE(parse_shard(good.substr(0, cut))) << "truncated at " << cut;
  }
  for (size_t cut = 0; cut < good_footer.size(); cut += 13) {
    EXPECT_FALSE(parse_shard(good_footer.substr(0, cut))) << "truncated at " << cut;
  }
  EXPECT_FALSE(parse_shard(good + std::string(48, '\0')));  // trailing bytes
  std::string s = good;
  s[3] ^= 1;
  EXPECT_FALSE(parse_shard(s));  // tag
  s = good;
  put_u64_at(s, 32, 1);
  EXPECT_FALSE(parse_shard(s));  // header version
  s = good;
  put_u64_at(s, 40, 100);
  EXPECT_FALSE(parse_shard(s));  // footer size
  // The file section's bookend with a non-zero tail.
  const size_t files_bytes = 48 * (1 + 2 + 2 + 1) + 48 * (1 + 1 + 1);
  const size_t bookend = 48 + files_bytes;
  ASSERT_EQ(static_cast<uint8_t>(good[bookend]), 0xFF);
  s = good;
  s[bookend + 40] = 1;
  EXPECT_FALSE(parse_shard(s));
  // Entry counts that run past the buffer, including ones that would overflow a size_t * 48.
  for (uint32_t n : {4u, 1000u, 0x7FFFFFFFu, 0xFFFFFFFFu}) {
    s = good;
    put_u32_at(s, 48 + 36, n);
    EXPECT_FALSE(parse_shard(s)) << n;
    s = good;
    put_u32_at(s, bookend + 48 + 36, n);
    EXPECT_FALSE(parse_shard(s)) << n;
  }
  // Verification on some files only.
  s = good;
  put_u32_at(s, 48 + 48 * 6 + 32, 0);  // file b: clear the flag; its verification record becomes
  EXPECT_FALSE(parse_shard(s));        // a stray record (or a mixed shard): rejected either way
  // Footer: version and offsets.
  const size_t footer = good_footer.size() - 200;
  s = good_footer;
  put_u64_at(s, footer, 2);
  EXPECT_FALSE(parse_shard(s));
  s = good_footer;
  put_u64_at(s, footer + 16, 48);
  EXPECT_FALSE(parse_shard(s));
  s = good_footer;
  put_u64_at(s, footer + 192, 0);
  EXPECT_FALSE(parse_shard(s));
  s = good_footer;
  put_u64_at(s, 40, 0);  // footer present but not declared: trailing bytes
  EXPECT_FALSE(parse_shard(s));
}

// A global-dedup answer as XetStore::dedup_shard builds it: no files, several xorbs whose chunk
// hashes are HMAC'ed with the footer's key.
Shard dedup_sample_shard() {
  Shard s;
  s.hmac_key = chunk_hash("dedup key");
  s.key_expiry = 1700000000;
  for (size_t x = 0; x < 3; ++x) {
    ShardXorb xorb;
    xorb.xorb_hash = chunk_hash("xorb " + std::to_string(x));
    uint32_t start = 0;
    for (size_t c = 0; c < 4 + x; ++c) {
      const Hash raw = chunk_hash("xorb " + std::to_string(x) + " chunk " + std::to_string(c));
      xorb.chunks.push_back({keyed_hash(*s.hmac_key, raw), start, 1000});
      start += 1000;
    }
    xorb.bytes_in_cas = start;
    xorb.bytes_on_disk = start + 8 * static_cast<uint32_t>(xorb.chunks.size());
    s.xorbs.push_back(std::move(xorb));
  }
  return s;
}

uint64_t u64_at(const std::string& s, size_t at) {
  uint64_t v;
  std::memcpy(&v, s.data() + at, 8);
  return v;
}
uint32_t u32_at(const std::string& s, size_t at) {
  uint32_t v;
  std::memcpy(&v, s.data() + at, 4);
  return v;
}
uint64_t truncated(const Hash& h) {
  uint64_t v;
  std::memcpy(&v, h.bytes.data(), 8);
  return v;
}

TEST(XetShard, DedupShardFooterDescribesTheLookupTables) {
  const Shard shard = dedup_sample_shard();
  const std::string bytes = serialize_shard(shard);
  ASSERT_GE(bytes.size(), 200u);
  const size_t footer = bytes.size() - 200;
  size_t chunk_count = 0;
  for (const auto& x : shard.xorbs) chunk_count += x.chunks.size();
  // Sections: header, empty file section (bookend), CAS records and bookend, then the tables.
  const uint64_t cas_info = 48 + 48;
  const uint64_t cas_end = cas_info + 48 * (shard.xorbs.size() + chunk_count + 1);
  EXPECT_EQ(u64_at(bytes, footer + 8), 48u);
  EXPECT_EQ(u64_at(bytes, footer + 16), cas_info);
  EXPECT_EQ(u64_at(bytes, footer + 24), cas_end);  // file lookup: right after the CAS bookend
  EXPECT_EQ(u64_at(bytes, footer + 32), 0u);
  EXPECT_EQ(u64_at(bytes, footer + 40), cas_end);  // CAS lookup
  EXPECT_EQ(u64_at(bytes, footer + 48), shard.xorbs.size());
  const uint64_t chunk_lookup = cas_end + 12 * shard.xorbs.size();
  EXPECT_EQ(u64_at(bytes, footer + 56), chunk_lookup);
  EXPECT_EQ(u64_at(bytes, footer + 64), chunk_count);
  EXPECT_EQ(u64_at(bytes, footer + 192), chunk_lookup + 16 * chunk_count);
  EXPECT_EQ(u64_at(bytes, footer + 192), footer);
  EXPECT_EQ(0, std::memcmp(bytes.data() + footer + 72, shard.hmac_key->bytes.data(), 32));
  EXPECT_EQ(u64_at(bytes, footer + 112), shard.key_expiry);
  uint64_t on_disk = 0, in_cas = 0;
  for (const auto& x : shard.xorbs) on_disk += x.bytes_on_disk, in_cas += x.bytes_in_cas;
  EXPECT_EQ(u64_at(bytes, footer + 168), on_disk);  // stored_bytes_on_disk
  EXPECT_EQ(u64_at(bytes, footer + 176), 0u);       // materialized_bytes: no files
  EXPECT_EQ(u64_at(bytes, footer + 184), in_cas);   // stored_bytes

  // CAS lookup: sorted, each entry points at the header record of the xorb it names.
  uint64_t previous = 0;
  for (size_t i = 0; i < shard.xorbs.size(); ++i) {
    const size_t at = cas_end + 12 * i;
    const uint64_t key = u64_at(bytes, at);
    EXPECT_LE(previous, key);
    previous = key;
    const size_t record = cas_info + 48 * u32_at(bytes, at + 8);
    EXPECT_EQ(u64_at(bytes, record), key);
  }
  // Chunk lookup: sorted by the truncated stored (HMAC'ed) hash; every chunk exactly once, at
  // its (xorb header record, chunk index).
  std::set<std::pair<uint32_t, uint32_t>> seen;
  previous = 0;
  for (size_t i = 0; i < chunk_count; ++i) {
    const size_t at = chunk_lookup + 16 * i;
    const uint64_t key = u64_at(bytes, at);
    const uint32_t xorb_record = u32_at(bytes, at + 8);
    const uint32_t chunk_index = u32_at(bytes, at + 12);
    EXPECT_LE(previous, key) << i;
    previous = key;
    EXPECT_TRUE(seen.insert({xorb_record, chunk_index}).second);
    const size_t header = cas_info + 48 * xorb_record;
    ASSERT_LT(chunk_index, u32_at(bytes, header + 36));  // the header's num_entries
    EXPECT_EQ(u64_at(bytes, header + 48 * (1 + chunk_index)), key);
  }
  // Cross-check against the model: entry (xorb j's header record, c) names xorb j's chunk c.
  uint32_t record = 0;
  for (const auto& x : shard.xorbs) {
    for (uint32_t c = 0; c < x.chunks.size(); ++c) EXPECT_TRUE(seen.count({record, c}));
    record += 1 + static_cast<uint32_t>(x.chunks.size());
  }

  auto parsed = parse_shard(bytes);
  ASSERT_TRUE(parsed) << parsed.status().message();
  expect_same(*parsed, shard);
  EXPECT_EQ(parsed->hmac_key, shard.hmac_key);
  EXPECT_EQ(parsed->key_expiry, shard.key_expiry);
}

TEST(XetShard, LookupTablesIndexFileRecords) {
  const Shard shard = sample_shard();
  const ShardLookupTables tables = build_lookup_tables(shard);
  // File a: header, 2 terms, 2 verification, metadata = 6 records; file b starts at 6.
  ASSERT_EQ(tables.files.size(), 2u);
  for (const auto& e : tables.files) {
    const Hash& want = e.record_index == 0 ? shard.files[0].file_hash : shard.files[1].file_hash;
    EXPECT_TRUE(e.record_index == 0 || e.record_index == 6) << e.record_index;
    EXPECT_EQ(e.truncated_hash, truncated(want));
  }
  EXPECT_LE(tables.files[0].truncated_hash, tables.files[1].truncated_hash);
  ASSERT_EQ(tables.xorbs.size(), 1u);
  EXPECT_EQ(tables.xorbs[0].record_index, 0u);
  ASSERT_EQ(tables.chunks.size(), 3u);
  for (size_t i = 0; i < tables.chunks.size(); ++i) {
    const auto& e = tables.chunks[i];
    EXPECT_EQ(e.xorb_record_index, 0u);
    EXPECT_EQ(e.truncated_hash, truncated(shard.xorbs[0].chunks[e.chunk_index].chunk_hash));
    if (i > 0) {
      EXPECT_LE(tables.chunks[i - 1].truncated_hash, e.truncated_hash);
    }
  }
}

TEST(XetShard, ParseChecksLookupTableBoundsButAcceptsEmptyOnes) {
  const std::string good = serialize_shard(dedup_sample_shard());
  ASSERT_TRUE(parse_shard(good));
  const size_t footer = good.size() - 200;
  const uint64_t cas_end = u64_at(good, footer + 24);
  // @huggingface/hub uploads: no tables, every lookup word 0. Vitrine before the tables: each
  // empty table at the footer offset. Both parse.
  const std::string no_tables = serialize_shard(dedup_sample_shard(), false);
  std::string legacy = no_tables + good.substr(footer);
  put_u64_at(legacy, 40, 200);
  const size_t legacy_footer = legacy.size() - 200;
  ASSERT_EQ(legacy_footer, cas_end);
  put_u64_at(legacy, legacy_footer + 192, legacy_footer);
  for (size_t field : {24, 32, 40, 48, 56, 64}) put_u64_at(legacy, legacy_footer + field, 0);
  EXPECT_TRUE(parse_shard(legacy)) << parse_shard(legacy).status().message();
  for (size_t field : {24, 40, 56}) put_u64_at(legacy, legacy_footer + field, legacy_footer);
  EXPECT_TRUE(parse_shard(legacy)) << parse_shard(legacy).status().message();
  // A table that claims more entries than fit, starts inside the CAS section or past the
  // footer, or counts that leave bytes unexplained.
  std::string s = good;
  put_u64_at(s, footer + 64, u64_at(good, footer + 64) + 1);
  EXPECT_FALSE(parse_shard(s));
  s = good;
  put_u64_at(s, footer + 64, 0xFFFFFFFFFFFFFFFFull);
  EXPECT_FALSE(parse_shard(s));
  s = good;
  put_u64_at(s, footer + 40, cas_end - 48);
  EXPECT_FALSE(parse_shard(s));
  s = good;
  put_u64_at(s, footer + 56, 0xFFFFFFFFFFFFFFF0ull);
  EXPECT_FALSE(parse_shard(s));
  s = good;
  put_u64_at(s, footer + 48, 0);  // the CAS lookup's 36 bytes no longer accounted for
  EXPECT_FALSE(parse_shard(s));
  // Bytes between the CAS section and a footer that declares no tables at all.
  std::string stray = no_tables + std::string(16, '\0') + good.substr(footer);
  put_u64_at(stray, 40, 200);
  const size_t stray_footer = stray.size() - 200;
  put_u64_at(stray, stray_footer + 192, stray_footer);
  for (size_t field : {24, 32, 40, 48, 56, 64}) put_u64_at(stray, stray_footer + field, 0);
  EXPECT_FALSE(parse_shard(stray));
}

}  // namespace
}  // namespace vitrine::xet
