// The Xet storage format (huggingface/hub-docs docs/xet/*): content-defined chunking, the keyed
// BLAKE3 hashes (chunk, xorb, file, term verification), the xorb container and the MDB shard.
// Pure functions over bytes: no I/O, no global state, safe on untrusted input (every parser
// returns an error instead of reading out of bounds). Thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace vitrine::xet {

// A 32-byte hash as the spec stores it (raw bytes, as in shards and in BLAKE3 output).
struct Hash {
  std::array<uint8_t, 32> bytes{};
  bool operator==(const Hash&) const = default;
  auto operator<=>(const Hash&) const = default;
  // The spec's `hash % n`: the last 8 bytes read as a little-endian u64, modulo n.
  uint64_t rem(uint64_t n) const;
};

// The spec's hash-to-string: each 8-byte group as a little-endian u64 printed as 16 lower-case
// hex digits (i.e. bytes reversed inside each 8-byte word). Used in URLs and X-Xet-Hash.
std::string to_string(const Hash& hash);
// The inverse; nullopt unless exactly 64 hex digits.
std::optional<Hash> parse_hash(std::string_view text);

// ---- constants ------------------------------------------------------------------------------
inline constexpr size_t kTargetChunkSize = 64 * 1024;
inline constexpr size_t kMinChunkSize = 8 * 1024;
inline constexpr size_t kMaxChunkSize = 128 * 1024;
inline constexpr size_t kMaxXorbBytes = 64 * 1024 * 1024;  // serialized
inline constexpr size_t kMaxXorbChunks = 8 * 1024;         // producer-side cap only
inline constexpr size_t kChunkHeaderSize = 8;

// ---- hashing ----------------------------------------------------------------------------------
// BLAKE3 keyed with DATA_KEY over the chunk bytes.
Hash chunk_hash(std::string_view data);
struct ChunkRef {
  Hash hash;
  uint64_t size = 0;  // uncompressed bytes
};
// Root of the aggregated Merkle tree over (chunk hash, size); all-zero Hash for no chunks.
Hash merkle_root(std::span<const ChunkRef> chunks);
// Xorb hash = merkle_root of the xorb's chunks.
inline Hash xorb_hash(std::span<const ChunkRef> chunks) {
  return merkle_root(chunks);
}
// File hash = BLAKE3 keyed with the all-zero key over merkle_root of the file's chunks
// (the spec's value for an empty file included).
Hash file_hash(std::span<const ChunkRef> chunks);
// Term verification hash: BLAKE3 keyed with VERIFICATION_KEY over the concatenated raw chunk
// hashes of the term's chunk range.
Hash verification_hash(std::span<const Hash> chunk_hashes);
// Global-dedup HMAC of a chunk hash: BLAKE3 keyed with `key` over the 32 hash bytes.
Hash keyed_hash(const Hash& key, const Hash& chunk_hash);
// SHA-256 not included: use util/crypto.

// ---- chunking ---------------------------------------------------------------------------------
// Streaming gear-hash CDC with the spec's parameters and the current (post-September-2025,
// xet-core PR #487) boundary rule: no cut before kMinChunkSize bytes, forced cut at
// kMaxChunkSize, the last chunk may be short. Feed bytes in any pieces; boundaries do not
// depend on how the input is split.
class Chunker {
 public:
  // Appends to `boundaries` the end offset (relative to the start of the stream) of every
  // chunk completed by `data`.
  void update(std::string_view data, std::vector<uint64_t>& boundaries);
  // Ends the stream: appends the end of the final (possibly short) chunk, if any bytes remain.
  void finish(std::vector<uint64_t>& boundaries);

 private:
  uint64_t hash_ = 0;
  uint64_t position_ = 0;     // bytes consumed so far
  uint64_t chunk_start_ = 0;  // offset where the current chunk began
};
// Convenience: the chunk end offsets of a whole buffer (as Chunker appends them).
std::vector<uint64_t> chunk_boundaries(std::string_view data);

// ---- xorbs ------------------------------------------------------------------------------------
enum class Compression : uint8_t { kNone = 0, kLz4 = 1, kByteGrouping4Lz4 = 2 };

struct XorbChunk {
  Hash hash;                     // recomputed from the decompressed bytes
  uint32_t offset = 0;           // byte offset of the chunk's 8-byte header in the serialized xorb
  uint32_t compressed_size = 0;  // bytes after the header
  uint32_t uncompressed_size = 0;
  Compression compression = Compression::kNone;
};

struct XorbIndex {
  Hash hash;  // the xorb hash recomputed from the chunks
  std::vector<XorbChunk> chunks;
  uint64_t chunks_end = 0;     // where the chunk sequence ends (a footer may follow)
  uint64_t unpacked_size = 0;  // sum of uncompressed sizes
};

// Parses and fully verifies a serialized xorb: framing (version 0, known compression, sizes
// within bounds, uncompressed ≤ kMaxChunkSize), decompresses each chunk, recomputes its hash and
// the xorb hash. Accepts an optional trailing XorbObjectInfo footer (its content is not
// trusted: it is checked against what was recomputed when present). kBadRequest with a
// precise message on any defect; the size limit (kMaxXorbBytes) is the caller's to enforce.
Result<XorbIndex> parse_xorb(std::string_view bytes);

// Decompresses one chunk's payload (the bytes after its header) into `out` (resized to
// `uncompressed_size`). LZ4 payloads are LZ4 frames, or raw LZ4 blocks as older Vitrine
// versions stored them (lz4_codec.hpp). kBadRequest if the payload does not decode to exactly
// that size.
Status decompress_chunk(Compression compression, std::string_view payload,
                        uint32_t uncompressed_size, std::string& out);

// Serializes a chunk (uncompressed payload) into a xorb with no footer. With `compress`, each
// chunk is stored as an LZ4 frame, plain or byte-grouped, when that is smaller, else as is;
// without it, every chunk is stored uncompressed (kNone), so its payload can be sent with
// sendfile.
// Appends one chunk (header + payload) to `out`; returns its index entry (offset = where its
// header starts in `out`). Throws std::invalid_argument unless 1 <= chunk size <= kMaxChunkSize.
XorbChunk append_xorb_chunk(std::string& out, std::string_view chunk, const Hash& hash,
                            bool compress);

// ---- files ------------------------------------------------------------------------------------
// A file is the concatenation of its terms, each a range of one xorb's chunks (what a shard's
// file-info section lists as FileTerms, and what the store's index keeps per file).
struct FileRecord {
  struct Term {
    Hash xorb;
    uint32_t start = 0;  // chunk index, inclusive
    uint32_t end = 0;    // exclusive
    uint64_t unpacked = 0;
  };
  Hash hash;
  std::string sha256;  // hex; empty when the shard carried none
  uint64_t size = 0;
  std::vector<Term> terms;
};

// ---- shards (MDB shard format v2) -------------------------------------------------------------
struct FileTerm {
  Hash xorb_hash;
  uint32_t cas_flags = 0;
  uint32_t unpacked_bytes = 0;
  uint32_t chunk_start = 0;  // inclusive
  uint32_t chunk_end = 0;    // exclusive
};
struct ShardFile {
  Hash file_hash;
  uint32_t flags = 0;
  std::vector<FileTerm> terms;
  std::vector<Hash> verification;  // one per term when present, else empty
  std::optional<Hash> sha256;      // from the metadata extension (raw 32 bytes)
};
struct ShardChunk {
  Hash chunk_hash;
  uint32_t byte_range_start = 0;
  uint32_t unpacked_bytes = 0;
};
struct ShardXorb {
  Hash xorb_hash;
  uint32_t flags = 0;
  uint32_t bytes_in_cas = 0;   // sum of unpacked bytes
  uint32_t bytes_on_disk = 0;  // serialized xorb size
  std::vector<ShardChunk> chunks;
};
struct Shard {
  std::vector<ShardFile> files;
  std::vector<ShardXorb> xorbs;
  std::optional<Hash> hmac_key;  // footer's chunk_hash_hmac_key when non-zero
  uint64_t key_expiry = 0;       // footer's key_expiry
};

// Parses a shard: header tag and version, the file-info and CAS-info sections with their
// bookends, and the footer when present (uploads from some clients carry one; others omit it).
// Bounds-checked; kBadRequest with a precise message on any defect.
Result<Shard> parse_shard(std::string_view bytes);
// Serializes a shard (header, both sections, footer with the given hmac key/expiry).
// File flags: the metadata bit follows `sha256`; the verification bit is set when
// `verification` is non-empty (and kept if already set); other bits are written as given.
// Throws std::invalid_argument if the verification bit is set but there is not exactly one
// verification entry per term (a caller bug).
std::string serialize_shard(const Shard& shard);
// Same, choosing whether the footer is written (the spec's upload form omits it; header
// footer_size is then 0). With a footer, the file, CAS and chunk lookup tables of
// build_lookup_tables are written before it (hf_xet needs the chunk lookup for global dedup),
// with their offsets and counts in the footer; parse_shard bounds-checks but ignores them.
std::string serialize_shard(const Shard& shard, bool with_footer);

// Lookup tables as xet-core lays them out after the CAS-info section: keys are a hash's first
// 8 bytes as a little-endian u64 (for chunks, the hash as stored: HMAC'ed in a dedup answer),
// indices count 48-byte records from the start of the file-info or CAS-info section.
struct ShardLookupEntry {
  uint64_t truncated_hash = 0;
  uint32_t record_index = 0;  // of the file's or xorb's header record
};
struct ShardChunkLookupEntry {
  uint64_t truncated_hash = 0;
  uint32_t xorb_record_index = 0;  // of the xorb's header record in the CAS-info section
  uint32_t chunk_index = 0;        // chunk position within that xorb
};
struct ShardLookupTables {
  std::vector<ShardLookupEntry> files;        // 12 bytes each on the wire
  std::vector<ShardLookupEntry> xorbs;        // 12 bytes each
  std::vector<ShardChunkLookupEntry> chunks;  // 16 bytes each
};
// The tables serialize_shard writes for `shard`, each sorted by key (ties by position).
ShardLookupTables build_lookup_tables(const Shard& shard);

}  // namespace vitrine::xet
