// The xorb container (docs/xet/xorb.md): a sequence of [8-byte header][payload] chunks, each
// stored as is, LZ4, or byte-grouped LZ4 (LZ4 frames, see lz4_codec.hpp), optionally followed by
// an XorbObjectInfo footer and its u32 length. Parsing recomputes every chunk hash and the xorb
// hash from the data.
#include <cstring>
#include <stdexcept>

#include "formats/xet/format.hpp"
#include "formats/xet/lz4_codec.hpp"

namespace vitrine::xet {
namespace {

constexpr uint8_t kChunkVersion = 0;
constexpr std::string_view kFooterIdent = "XETBLOB";
constexpr std::string_view kHashesIdent = "XBLBHSH";
constexpr std::string_view kBoundariesIdent = "XBLBBND";
// num_chunks, hashes offset, boundaries offset, 16-byte buffer: the fixed tail of the footer.
constexpr size_t kFooterTailSize = 4 + 4 + 4 + 16;

uint32_t read_u24(const uint8_t* p) {
  return p[0] | p[1] << 8 | p[2] << 16;
}
uint32_t read_u32(const uint8_t* p) {
  return read_u24(p) | static_cast<uint32_t>(p[3]) << 24;
}
void write_u24(uint8_t* p, uint32_t v) {
  p[0] = v & 0xFF;
  p[1] = (v >> 8) & 0xFF;
  p[2] = (v >> 16) & 0xFF;
}

Status invalid(std::string message) {
  return bad_request("invalid xorb: " + std::move(message));
}

// Byte grouping (BG4): byte i goes to group i % 4; groups are concatenated in order, the
// first (size % 4) groups holding one byte more.
void group_bytes(std::string_view in, std::string& out) {
  const size_t n = in.size();
  out.resize(n);
  size_t pos = 0;
  for (size_t g = 0; g < 4; ++g) {
    for (size_t i = g; i < n; i += 4) out[pos++] = in[i];
  }
}
void ungroup_bytes(std::string_view in, std::string& out) {
  const size_t n = in.size();
  out.resize(n);
  size_t pos = 0;
  for (size_t g = 0; g < 4; ++g) {
    for (size_t i = g; i < n; i += 4) out[i] = in[pos++];
  }
}

// Checks an XorbObjectInfo footer at `info` against what parse_xorb recomputed. What is checked
// is what the spec pins down: the "XETBLOB" ident and the fixed tail's chunk count. The body is
// xet-core's CasObjectInfo V1 (xorb hash; "XBLBHSH" section with the chunk hashes; "XBLBBND"
// section with serialized and unpacked chunk end offsets); each of those parts is compared when
// it is laid out as expected and skipped otherwise, so a later footer version still parses.
Status check_footer(std::string_view info, const XorbIndex& index) {
  const auto* p = reinterpret_cast<const uint8_t*>(info.data());
  const size_t n = info.size();
  if (n < kFooterIdent.size() + 1 + kFooterTailSize) return invalid("footer too short");
  if (info.substr(0, kFooterIdent.size()) != kFooterIdent) return invalid("bad footer ident");
  const size_t chunks = index.chunks.size();
  if (read_u32(p + n - kFooterTailSize) != chunks) {
    return invalid("footer chunk count does not match the chunks");
  }
  size_t pos = kFooterIdent.size() + 1;
  if (p[kFooterIdent.size()] != 1 || pos + 32 > n - kFooterTailSize) return Status::ok();
  if (std::memcmp(p + pos, index.hash.bytes.data(), 32) != 0) {
    return invalid("footer xorb hash does not match the chunks");
  }
  pos += 32;
  const size_t body_end = n - kFooterTailSize;
  if (pos + 12 > body_end || info.substr(pos, 7) != kHashesIdent) return Status::ok();
  pos += 8;
  if (read_u32(p + pos) != chunks) return invalid("footer hash count does not match the chunks");
  pos += 4;
  if (chunks * 32 > body_end - pos) return invalid("footer hash section truncated");
  for (const XorbChunk& chunk : index.chunks) {
    if (std::memcmp(p + pos, chunk.hash.bytes.data(), 32) != 0) {
      return invalid("footer chunk hash does not match the chunk");
    }
    pos += 32;
  }
  if (pos + 12 > body_end || info.substr(pos, 7) != kBoundariesIdent) return Status::ok();
  pos += 8;
  if (read_u32(p + pos) != chunks) {
    return invalid("footer boundary count does not match the chunks");
  }
  pos += 4;
  if (chunks * 8 > body_end - pos) return invalid("footer boundary section truncated");
  uint64_t unpacked_end = 0;
  for (size_t i = 0; i < chunks; ++i) {
    const XorbChunk& chunk = index.chunks[i];
    unpacked_end += chunk.uncompressed_size;
    const uint64_t end = uint64_t{chunk.offset} + kChunkHeaderSize + chunk.compressed_size;
    if (read_u32(p + pos + 4 * i) != end || read_u32(p + pos + 4 * (chunks + i)) != unpacked_end) {
      return invalid("footer chunk offsets do not match the chunks");
    }
  }
  return Status::ok();
}

}  // namespace

Status decompress_chunk(Compression compression, std::string_view payload,
                        uint32_t uncompressed_size, std::string& out) {
  switch (compression) {
    case Compression::kNone:
      if (payload.size() != uncompressed_size) {
        return invalid("uncompressed chunk of " + std::to_string(payload.size()) +
                       " bytes declares " + std::to_string(uncompressed_size));
      }
      out.assign(payload);
      return Status::ok();
    case Compression::kLz4:
      return lz4_decode_chunk(payload, uncompressed_size, out);
    case Compression::kByteGrouping4Lz4: {
      thread_local std::string grouped;  // reused: downloads decode chunk after chunk
      if (Status status = lz4_decode_chunk(payload, uncompressed_size, grouped); !status) {
        return status;
      }
      ungroup_bytes(grouped, out);
      return Status::ok();
    }
  }
  return invalid("unknown compression type " + std::to_string(static_cast<int>(compression)));
}

Result<XorbIndex> parse_xorb(std::string_view bytes) {
  if (bytes.size() > UINT32_MAX) return invalid("larger than 4 GiB");
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  const size_t size = bytes.size();
  // Where a footer would start if the last 4 bytes are its length; the chunk framing must end
  // exactly there for the footer to count (a chunk header starts with version 0, the footer
  // with 'X', so the two cannot be confused).
  size_t footer_start = SIZE_MAX;
  if (size >= 4 && read_u32(p + size - 4) <= size - 4)
    footer_start = size - 4 - read_u32(p + size - 4);

  XorbIndex index;
  std::vector<ChunkRef> refs;
  std::string scratch;
  size_t pos = 0;
  while (pos < size) {
    if (pos == footer_start && p[pos] != kChunkVersion) break;
    if (size - pos < kChunkHeaderSize) {
      return invalid("truncated chunk header at offset " + std::to_string(pos));
    }
    const uint8_t* header = p + pos;
    if (header[0] != kChunkVersion) {
      return invalid("chunk at offset " + std::to_string(pos) + " has version " +
                     std::to_string(header[0]) + ", or trailing data");
    }
    XorbChunk chunk;
    chunk.offset = static_cast<uint32_t>(pos);
    chunk.compressed_size = read_u24(header + 1);
    chunk.uncompressed_size = read_u24(header + 5);
    if (header[4] > static_cast<uint8_t>(Compression::kByteGrouping4Lz4)) {
      return invalid("chunk at offset " + std::to_string(pos) + " has unknown compression " +
                     std::to_string(header[4]));
    }
    chunk.compression = static_cast<Compression>(header[4]);
    if (chunk.uncompressed_size == 0 || chunk.uncompressed_size > kMaxChunkSize) {
      return invalid("chunk at offset " + std::to_string(pos) + " has uncompressed size " +
                     std::to_string(chunk.uncompressed_size));
    }
    const size_t payload_start = pos + kChunkHeaderSize;
    if (chunk.compressed_size > size - payload_start) {
      return invalid("truncated chunk at offset " + std::to_string(pos));
    }
    const std::string_view payload = bytes.substr(payload_start, chunk.compressed_size);
    if (chunk.compression == Compression::kNone) {
      // Hashed in place: the common, sendfile-friendly case costs no copy.
      if (chunk.compressed_size != chunk.uncompressed_size) {
        return invalid("uncompressed chunk at offset " + std::to_string(pos) +
                       " has differing sizes");
      }
      chunk.hash = chunk_hash(payload);
    } else {
      if (Status status =
              decompress_chunk(chunk.compression, payload, chunk.uncompressed_size, scratch);
          !status) {
        return invalid("chunk at offset " + std::to_string(pos) + ": " + status.message());
      }
      chunk.hash = chunk_hash(scratch);
    }
    index.unpacked_size += chunk.uncompressed_size;
    refs.push_back({chunk.hash, chunk.uncompressed_size});
    index.chunks.push_back(chunk);
    pos = payload_start + chunk.compressed_size;
  }
  if (index.chunks.empty()) return invalid("no chunks");
  index.chunks_end = pos;
  index.hash = xorb_hash(refs);
  if (pos < size) {
    if (Status status = check_footer(bytes.substr(pos, size - 4 - pos), index); !status) {
      return status;
    }
  }
  return index;
}

XorbChunk append_xorb_chunk(std::string& out, std::string_view chunk, const Hash& hash,
                            bool compress) {
  if (chunk.empty() || chunk.size() > kMaxChunkSize) {
    throw std::invalid_argument("append_xorb_chunk: chunk size out of range");
  }
  XorbChunk entry;
  entry.hash = hash;
  entry.offset = static_cast<uint32_t>(out.size());
  entry.uncompressed_size = static_cast<uint32_t>(chunk.size());
  std::string best;
  if (compress) {
    std::string candidate;
    auto try_lz4 = [&](std::string_view input, Compression kind) {
      lz4_encode_frame(input, candidate);
      const size_t current = best.empty() ? chunk.size() : best.size();
      if (candidate.size() < current) {
        best.swap(candidate);
        entry.compression = kind;
      }
    };
    try_lz4(chunk, Compression::kLz4);
    std::string grouped;
    group_bytes(chunk, grouped);
    try_lz4(grouped, Compression::kByteGrouping4Lz4);
  }
  const std::string_view payload = entry.compression == Compression::kNone ? chunk : best;
  entry.compressed_size = static_cast<uint32_t>(payload.size());
  uint8_t header[kChunkHeaderSize];
  header[0] = kChunkVersion;
  write_u24(header + 1, entry.compressed_size);
  header[4] = static_cast<uint8_t>(entry.compression);
  write_u24(header + 5, entry.uncompressed_size);
  out.append(reinterpret_cast<const char*>(header), sizeof header);
  out.append(payload);
  return entry;
}

}  // namespace vitrine::xet
