// The Xet hashes (docs/xet/hashing.md): keyed BLAKE3 for chunks, the aggregated Merkle tree
// behind xorb and file hashes, term verification hashes, and the hash-to-string form.
#include <blake3.h>

#include <algorithm>

#include "formats/xet/format.hpp"

namespace vitrine::xet {
namespace {

using Key = std::array<uint8_t, 32>;

constexpr Key kDataKey = {102, 151, 245, 119, 91,  149, 80,  222, 49,  53,  203,
                          172, 165, 151, 24,  28,  157, 228, 33,  16,  155, 235,
                          43,  88,  180, 208, 176, 75,  147, 173, 242, 41};
constexpr Key kInternalNodeKey = {1,   126, 197, 199, 165, 71,  41,  150, 253, 148, 102,
                                  102, 180, 138, 2,   230, 93,  221, 83,  111, 55,  199,
                                  109, 210, 248, 99,  82,  230, 74,  83,  113, 63};
constexpr Key kVerificationKey = {127, 24,  87,  214, 206, 86,  237, 102, 18,  127, 249,
                                  19,  231, 165, 195, 243, 164, 205, 38,  213, 181, 219,
                                  73,  230, 65,  36,  152, 127, 40,  251, 148, 195};
constexpr Key kZeroKey = {};

// A Merkle tree node groups 3 to 9 children (docs/xet/hashing.md, xet-core's
// aggregated_hashes): mean branching 4, hence `hash % 4` and the 2*4+1 cap.
constexpr uint64_t kMeanBranching = 4;
constexpr size_t kMaxChildren = 2 * kMeanBranching + 1;

Hash keyed_blake3(const Key& key, const void* data, size_t size) {
  blake3_hasher hasher;
  blake3_hasher_init_keyed(&hasher, key.data());
  blake3_hasher_update(&hasher, data, size);
  Hash out;
  blake3_hasher_finalize(&hasher, out.bytes.data(), out.bytes.size());
  return out;
}

constexpr char kHexDigits[] = "0123456789abcdef";

// Writes the 64-character string form of `hash` at `out`.
void write_hex(const Hash& hash, char* out) {
  for (size_t word = 0; word < 4; ++word) {
    for (size_t i = 0; i < 8; ++i) {
      const uint8_t byte = hash.bytes[word * 8 + 7 - i];
      out[word * 16 + i * 2] = kHexDigits[byte >> 4];
      out[word * 16 + i * 2 + 1] = kHexDigits[byte & 0xF];
    }
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The parent of `children`: keyed BLAKE3 over "{hash} : {size}\n" per child.
ChunkRef merge(std::span<const ChunkRef> children) {
  std::string text;
  text.reserve(children.size() * 96);
  uint64_t total = 0;
  char hex[64];
  for (const ChunkRef& child : children) {
    write_hex(child.hash, hex);
    text.append(hex, sizeof hex);
    text += " : ";
    text += std::to_string(child.size);
    text += '\n';
    total += child.size;
  }
  return {keyed_blake3(kInternalNodeKey, text.data(), text.size()), total};
}

// How many of `nodes` (from the front) form the next group.
size_t next_group_size(std::span<const ChunkRef> nodes) {
  if (nodes.size() <= 2) return nodes.size();
  const size_t end = std::min(kMaxChildren, nodes.size());
  for (size_t i = 2; i < end; ++i) {
    if (nodes[i].hash.rem(kMeanBranching) == 0) return i + 1;
  }
  return end;
}

}  // namespace

uint64_t Hash::rem(uint64_t n) const {
  uint64_t last = 0;
  for (int i = 7; i >= 0; --i) last = (last << 8) | bytes[24 + i];
  return last % n;
}

std::string to_string(const Hash& hash) {
  std::string out(64, '0');
  write_hex(hash, out.data());
  return out;
}

std::optional<Hash> parse_hash(std::string_view text) {
  if (text.size() != 64) return std::nullopt;
  Hash hash;
  for (size_t word = 0; word < 4; ++word) {
    for (size_t i = 0; i < 8; ++i) {
      const int high = hex_value(text[word * 16 + i * 2]);
      const int low = hex_value(text[word * 16 + i * 2 + 1]);
      if (high < 0 || low < 0) return std::nullopt;
      hash.bytes[word * 8 + 7 - i] = static_cast<uint8_t>(high << 4 | low);
    }
  }
  return hash;
}

Hash chunk_hash(std::string_view data) {
  return keyed_blake3(kDataKey, data.data(), data.size());
}

Hash merkle_root(std::span<const ChunkRef> chunks) {
  if (chunks.empty()) return Hash{};
  // One level at a time, in place: each pass replaces the nodes by their parents until one
  // node remains. A single chunk is its own root (no hashing).
  std::vector<ChunkRef> level(chunks.begin(), chunks.end());
  while (level.size() > 1) {
    size_t write = 0;
    size_t read = 0;
    while (read < level.size()) {
      const size_t count = next_group_size(std::span(level).subspan(read));
      level[write++] = merge(std::span(level).subspan(read, count));
      read += count;
    }
    level.resize(write);
  }
  return level.front().hash;
}

Hash file_hash(std::span<const ChunkRef> chunks) {
  // The spec's reference (xet-core file_hash_with_salt) returns the all-zero hash for an empty
  // file rather than hashing the all-zero root; CAS servers expect exactly that.
  if (chunks.empty()) return Hash{};
  const Hash root = merkle_root(chunks);
  return keyed_blake3(kZeroKey, root.bytes.data(), root.bytes.size());
}

Hash verification_hash(std::span<const Hash> chunk_hashes) {
  blake3_hasher hasher;
  blake3_hasher_init_keyed(&hasher, kVerificationKey.data());
  for (const Hash& hash : chunk_hashes) {
    blake3_hasher_update(&hasher, hash.bytes.data(), hash.bytes.size());
  }
  Hash out;
  blake3_hasher_finalize(&hasher, out.bytes.data(), out.bytes.size());
  return out;
}

Hash keyed_hash(const Hash& key, const Hash& chunk_hash) {
  return keyed_blake3(key.bytes, chunk_hash.bytes.data(), chunk_hash.bytes.size());
}

}  // namespace vitrine::xet
