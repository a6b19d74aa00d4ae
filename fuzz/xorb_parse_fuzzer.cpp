// Fuzzes xorb parsing (untrusted upload bodies). Whatever parses must be framed inside the input,
// and re-serializing its decompressed chunks must give a xorb with the same hash.
#include "formats/xet/format.hpp"
#include "fuzz_check.hpp"

using namespace vitrine;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes = fuzz::as_text(data, size);
  auto index = xet::parse_xorb(bytes);
  if (!index) return 0;
  FUZZ_CHECK(index->chunks_end <= size);
  FUZZ_CHECK(!index->chunks.empty());
  std::string rebuilt;
  std::string chunk;
  uint64_t expected_offset = 0;
  uint64_t unpacked = 0;
  for (const auto& c : index->chunks) {
    FUZZ_CHECK(c.offset == expected_offset);
    FUZZ_CHECK(c.uncompressed_size >= 1 && c.uncompressed_size <= xet::kMaxChunkSize);
    expected_offset += xet::kChunkHeaderSize + c.compressed_size;
    unpacked += c.uncompressed_size;
    auto payload = bytes.substr(c.offset + xet::kChunkHeaderSize, c.compressed_size);
    FUZZ_CHECK(xet::decompress_chunk(c.compression, payload, c.uncompressed_size, chunk).is_ok());
    FUZZ_CHECK(xet::chunk_hash(chunk) == c.hash);
    xet::append_xorb_chunk(rebuilt, chunk, c.hash, (c.offset & 1) != 0);
  }
  FUZZ_CHECK(expected_offset == index->chunks_end);
  FUZZ_CHECK(unpacked == index->unpacked_size);
  auto again = xet::parse_xorb(rebuilt);
  FUZZ_CHECK(again.is_ok());
  FUZZ_CHECK(again->hash == index->hash);
  return 0;
}
