// The MDB shard, format v2 (docs/xet/shard.md): a 48-byte header, the file-info section and the
// CAS-info section (48-byte records, each section closed by a bookend), then an optional
// 200-byte footer. hf_xet uploads omit the footer as the spec requires; @huggingface/hub
// uploads carry one (and footer_size = 200); responses from the dedup API carry one with the
// HMAC key. All integers little-endian; hashes are raw bytes.
//
// A shard with a footer may also carry three lookup tables between the CAS-info bookend and
// the footer, in xet-core's layout (the spec leaves those footer words "reserved"): each entry
// is keyed by a hash truncated to its first 8 bytes (read as a little-endian u64), sorted by
// that key, and points at a 48-byte record index counted from the start of its section:
//   file lookup:  (u64 key, u32 index of the file's header record)           12 bytes
//   CAS lookup:   (u64 key, u32 index of the xorb's header record)           12 bytes
//   chunk lookup: (u64 key, u32 xorb header index, u32 chunk index in xorb)  16 bytes
// The chunk key is the hash as stored, i.e. HMAC'ed when the footer carries a key. hf_xet
// finds global-dedup matches only through the chunk lookup; @huggingface/hub scans the CAS
// section up to file_lookup_offset.
#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <tuple>

#include "formats/xet/format.hpp"

namespace vitrine::xet {
namespace {

constexpr size_t kRecordSize = 48;
constexpr size_t kHeaderSize = 48;
constexpr size_t kFooterSize = 200;
constexpr uint64_t kHeaderVersion = 2;
constexpr uint64_t kFooterVersion = 1;
constexpr uint32_t kFlagVerification = 1u << 31;
constexpr uint32_t kFlagMetadataExt = 1u << 30;
constexpr uint8_t kHeaderTag[32] = {'H', 'F', 'R', 'e', 'p', 'o', 'M', 'e', 't', 'a', 'D',
                                    'a', 't', 'a', 0,   85,  105, 103, 69,  106, 123, 129,
                                    87,  131, 165, 189, 217, 92,  205, 209, 74,  169};
// Footer field offsets.
constexpr size_t kFooterFileInfoOffset = 8;
constexpr size_t kFooterCasInfoOffset = 16;
// Offsets of the file, CAS and chunk lookup tables; each is followed by its entry count.
constexpr size_t kFooterFileLookup = 24;
constexpr size_t kFooterCasLookup = 40;
constexpr size_t kFooterChunkLookup = 56;
constexpr size_t kFooterHmacKey = 72;
constexpr size_t kFooterCreation = 104;
constexpr size_t kFooterKeyExpiry = 112;
constexpr size_t kFooterStoredBytesOnDisk = 168;
constexpr size_t kFooterMaterializedBytes = 176;
constexpr size_t kFooterStoredBytes = 184;
constexpr size_t kFooterFooterOffset = 192;
// Lookup-table entry sizes (packed, no padding).
constexpr uint64_t kFileLookupEntrySize = 12;
constexpr uint64_t kCasLookupEntrySize = 12;
constexpr uint64_t kChunkLookupEntrySize = 16;

uint32_t read_u32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);  // the format and every supported target are little-endian
  return v;
}
uint64_t read_u64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
Hash read_hash(const uint8_t* p) {
  Hash h;
  std::memcpy(h.bytes.data(), p, 32);
  return h;
}

void put_u32(std::string& out, uint32_t v) {
  out.append(reinterpret_cast<const char*>(&v), 4);
}
void put_u64(std::string& out, uint64_t v) {
  out.append(reinterpret_cast<const char*>(&v), 8);
}
void put_hash(std::string& out, const Hash& h) {
  out.append(reinterpret_cast<const char*>(h.bytes.data()), 32);
}
void put_bookend(std::string& out) {
  out.append(32, '\xFF');
  out.append(16, '\0');
}

Status invalid(std::string message) {
  return bad_request("invalid shard: " + std::move(message));
}

bool all_ff(const uint8_t* p) {
  for (size_t i = 0; i < 32; ++i) {
    if (p[i] != 0xFF) return false;
  }
  return true;
}
bool all_zero(const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (p[i] != 0) return false;
  }
  return true;
}

// A cursor over the sections, bounded by the start of the footer.
struct Reader {
  const uint8_t* data;
  size_t pos;
  size_t end;
  // True when `records` 48-byte records fit before the end (no overflow for any u32 count).
  bool fits(uint64_t records) const { return records <= (end - pos) / kRecordSize; }
  // Consumes a bookend if one starts here; a record starting with 32×0xFF that is not followed
  // by 16 zero bytes is an error.
  Result<bool> bookend(const char* section) {
    if (!all_ff(data + pos)) return false;
    if (!all_zero(data + pos + 32, 16)) return invalid(std::string("bad ") + section + " bookend");
    pos += kRecordSize;
    return true;
  }
};

// xet-core's truncate_hash: the first of the hash's four little-endian u64 words.
uint64_t truncate_hash(const Hash& h) {
  return read_u64(h.bytes.data());
}

// Checks that the footer's lookup tables fit in [tables_begin, footer_offset) and together
// account for every byte there. Their content is not read (nothing here needs it), so a table
// with no entries may keep any offset, as @huggingface/hub's uploads leave them all 0.
Status check_lookup_tables(const uint8_t* footer, uint64_t tables_begin, uint64_t footer_offset) {
  struct Table {
    size_t field;
    uint64_t entry_size;
    const char* name;
  };
  constexpr Table kTables[] = {{kFooterFileLookup, kFileLookupEntrySize, "file"},
                               {kFooterCasLookup, kCasLookupEntrySize, "CAS"},
                               {kFooterChunkLookup, kChunkLookupEntrySize, "chunk"}};
  const uint64_t room = footer_offset - tables_begin;
  uint64_t total = 0;
  for (const Table& table : kTables) {
    const uint64_t offset = read_u64(footer + table.field);
    const uint64_t entries = read_u64(footer + table.field + 8);
    if (entries == 0) continue;
    if (offset < tables_begin || offset > footer_offset ||
        entries > (footer_offset - offset) / table.entry_size) {
      return invalid(std::string(table.name) + " lookup table lies outside its section");
    }
    total += entries * table.entry_size;  // each term <= room, so no overflow
  }
  if (total != room) {
    return invalid(std::to_string(room) + " bytes between the CAS info section and the footer, " +
                   std::to_string(total) + " in lookup tables");
  }
  return Status::ok();
}

Status parse_files(Reader& r, Shard& shard) {
  bool any_verification = false;
  bool any_without = false;
  while (true) {
    if (!r.fits(1)) return invalid("file info section has no bookend");
    auto end = r.bookend("file info");
    if (!end) return end.status();
    if (*end) break;
    const uint8_t* header = r.data + r.pos;
    ShardFile file;
    file.file_hash = read_hash(header);
    file.flags = read_u32(header + 32);
    const uint32_t entries = read_u32(header + 36);
    const bool verification = file.flags & kFlagVerification;
    const bool metadata = file.flags & kFlagMetadataExt;
    const uint64_t records = 1 + uint64_t{entries} * (verification ? 2 : 1) + (metadata ? 1 : 0);
    if (!r.fits(records)) {
      return invalid("file " + to_string(file.file_hash) + " declares " + std::to_string(entries) +
                     " entries past the end of the section");
    }
    r.pos += kRecordSize;
    file.terms.reserve(entries);
    for (uint32_t i = 0; i < entries; ++i, r.pos += kRecordSize) {
      const uint8_t* e = r.data + r.pos;
      file.terms.push_back(
          {read_hash(e), read_u32(e + 32), read_u32(e + 36), read_u32(e + 40), read_u32(e + 44)});
    }
    if (verification) {
      file.verification.reserve(entries);
      for (uint32_t i = 0; i < entries; ++i, r.pos += kRecordSize) {
        file.verification.push_back(read_hash(r.data + r.pos));
      }
    }
    if (metadata) {
      file.sha256 = read_hash(r.data + r.pos);
      r.pos += kRecordSize;
    }
    (verification ? any_verification : any_without) = true;
    shard.files.push_back(std::move(file));
  }
  if (any_verification && any_without) {
    return invalid("only some files carry verification entries");
  }
  return Status::ok();
}

Status parse_xorbs(Reader& r, Shard& shard) {
  while (true) {
    if (!r.fits(1)) return invalid("CAS info section has no bookend");
    auto end = r.bookend("CAS info");
    if (!end) return end.status();
    if (*end) break;
    const uint8_t* header = r.data + r.pos;
    ShardXorb xorb;
    xorb.xorb_hash = read_hash(header);
    xorb.flags = read_u32(header + 32);
    const uint32_t entries = read_u32(header + 36);
    xorb.bytes_in_cas = read_u32(header + 40);
    xorb.bytes_on_disk = read_u32(header + 44);
    if (!r.fits(1 + uint64_t{entries})) {
      return invalid("xorb " + to_string(xorb.xorb_hash) + " declares " + std::to_string(entries) +
                     " chunks past the end of the section");
    }
    r.pos += kRecordSize;
    xorb.chunks.reserve(entries);
    for (uint32_t i = 0; i < entries; ++i, r.pos += kRecordSize) {
      const uint8_t* e = r.data + r.pos;
      xorb.chunks.push_back({read_hash(e), read_u32(e + 32), read_u32(e + 36)});
    }
    shard.xorbs.push_back(std::move(xorb));
  }
  return Status::ok();
}

}  // namespace

Result<Shard> parse_shard(std::string_view bytes) {
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  const size_t size = bytes.size();
  if (size < kHeaderSize) return invalid("shorter than its header");
  if (std::memcmp(p, kHeaderTag, sizeof kHeaderTag) != 0) return invalid("bad header tag");
  if (const uint64_t version = read_u64(p + 32); version != kHeaderVersion) {
    return invalid("unsupported header version " + std::to_string(version));
  }
  const uint64_t footer_size = read_u64(p + 40);
  if (footer_size != 0 && footer_size != kFooterSize) {
    return invalid("unsupported footer size " + std::to_string(footer_size));
  }
  if (footer_size > size - kHeaderSize) return invalid("truncated footer");

  Shard shard;
  Reader reader{p, kHeaderSize, size - footer_size};
  if (Status status = parse_files(reader, shard); !status) return status;
  const size_t cas_info_offset = reader.pos;
  if (Status status = parse_xorbs(reader, shard); !status) return status;
  // Without a footer nothing may follow the CAS section; with one, only lookup tables.
  if (footer_size == 0 && reader.pos != reader.end) {
    return invalid(std::to_string(reader.end - reader.pos) + " bytes after the CAS info section");
  }
  if (footer_size != 0) {
    const uint8_t* footer = p + reader.end;
    if (const uint64_t version = read_u64(footer); version != kFooterVersion) {
      return invalid("unsupported footer version " + std::to_string(version));
    }
    if (read_u64(footer + kFooterFileInfoOffset) != kHeaderSize ||
        read_u64(footer + kFooterCasInfoOffset) != cas_info_offset ||
        read_u64(footer + kFooterFooterOffset) != reader.end) {
      return invalid("footer offsets do not match the sections");
    }
    if (Status status = check_lookup_tables(footer, reader.pos, reader.end); !status) {
      return status;
    }
    const Hash key = read_hash(footer + kFooterHmacKey);
    if (key != Hash{}) shard.hmac_key = key;
    shard.key_expiry = read_u64(footer + kFooterKeyExpiry);
  }
  return shard;
}

std::string serialize_shard(const Shard& shard) {
  return serialize_shard(shard, true);
}

std::string serialize_shard(const Shard& shard, bool with_footer) {
  std::string out;
  out.append(reinterpret_cast<const char*>(kHeaderTag), sizeof kHeaderTag);
  put_u64(out, kHeaderVersion);
  put_u64(out, with_footer ? kFooterSize : 0);
  for (const ShardFile& file : shard.files) {
    uint32_t flags = file.flags & ~kFlagMetadataExt;
    if (!file.verification.empty()) flags |= kFlagVerification;
    if (file.sha256) flags |= kFlagMetadataExt;
    if ((flags & kFlagVerification) && file.verification.size() != file.terms.size()) {
      throw std::invalid_argument("serialize_shard: verification entries must match the terms");
    }
    put_hash(out, file.file_hash);
    put_u32(out, flags);
    put_u32(out, static_cast<uint32_t>(file.terms.size()));
    put_u64(out, 0);
    for (const FileTerm& term : file.terms) {
      put_hash(out, term.xorb_hash);
      put_u32(out, term.cas_flags);
      put_u32(out, term.unpacked_bytes);
      put_u32(out, term.chunk_start);
      put_u32(out, term.chunk_end);
    }
    for (const Hash& hash : file.verification) {
      put_hash(out, hash);
      out.append(16, '\0');
    }
    if (file.sha256) {
      put_hash(out, *file.sha256);
      out.append(16, '\0');
    }
  }
  put_bookend(out);
  const uint64_t cas_info_offset = out.size();
  for (const ShardXorb& xorb : shard.xorbs) {
    if (xorb.chunks.size() > UINT32_MAX) {
      throw std::invalid_argument("serialize_shard: too many chunks in one xorb");
    }
    put_hash(out, xorb.xorb_hash);
    put_u32(out, xorb.flags);
    put_u32(out, static_cast<uint32_t>(xorb.chunks.size()));
    put_u32(out, xorb.bytes_in_cas);
    put_u32(out, xorb.bytes_on_disk);
    for (const ShardChunk& chunk : xorb.chunks) {
      put_hash(out, chunk.chunk_hash);
      put_u32(out, chunk.byte_range_start);
      put_u32(out, chunk.unpacked_bytes);
      put_u64(out, 0);
    }
  }
  put_bookend(out);
  if (!with_footer) return out;
  const ShardLookupTables tables = build_lookup_tables(shard);
  const uint64_t file_lookup_offset = out.size();
  for (const ShardLookupEntry& e : tables.files) {
    put_u64(out, e.truncated_hash);
    put_u32(out, e.record_index);
  }
  const uint64_t cas_lookup_offset = out.size();
  for (const ShardLookupEntry& e : tables.xorbs) {
    put_u64(out, e.truncated_hash);
    put_u32(out, e.record_index);
  }
  const uint64_t chunk_lookup_offset = out.size();
  for (const ShardChunkLookupEntry& e : tables.chunks) {
    put_u64(out, e.truncated_hash);
    put_u32(out, e.xorb_record_index);
    put_u32(out, e.chunk_index);
  }
  uint64_t stored_bytes_on_disk = 0;
  uint64_t stored_bytes = 0;
  uint64_t materialized_bytes = 0;
  for (const ShardXorb& xorb : shard.xorbs) {
    stored_bytes_on_disk += xorb.bytes_on_disk;
    stored_bytes += xorb.bytes_in_cas;
  }
  for (const ShardFile& file : shard.files) {
    for (const FileTerm& term : file.terms) materialized_bytes += term.unpacked_bytes;
  }
  const uint64_t footer_offset = out.size();
  std::string footer(kFooterSize, '\0');
  auto set_u64 = [&](size_t at, uint64_t v) { std::memcpy(footer.data() + at, &v, 8); };
  set_u64(0, kFooterVersion);
  set_u64(kFooterFileInfoOffset, kHeaderSize);
  set_u64(kFooterCasInfoOffset, cas_info_offset);
  // @huggingface/hub's parseShardData scans CAS records up to file_lookup_offset, so that
  // offset must stay just past the CAS section (never 0) for the JS client to see any xorb.
  set_u64(kFooterFileLookup, file_lookup_offset);
  set_u64(kFooterFileLookup + 8, tables.files.size());
  set_u64(kFooterCasLookup, cas_lookup_offset);
  set_u64(kFooterCasLookup + 8, tables.xorbs.size());
  set_u64(kFooterChunkLookup, chunk_lookup_offset);
  set_u64(kFooterChunkLookup + 8, tables.chunks.size());
  if (shard.hmac_key) std::memcpy(footer.data() + kFooterHmacKey, shard.hmac_key->bytes.data(), 32);
  set_u64(kFooterCreation, 0);  // pure function: no clock; nobody reads it
  set_u64(kFooterKeyExpiry, shard.key_expiry);
  set_u64(kFooterStoredBytesOnDisk, stored_bytes_on_disk);
  set_u64(kFooterMaterializedBytes, materialized_bytes);
  set_u64(kFooterStoredBytes, stored_bytes);
  set_u64(kFooterFooterOffset, footer_offset);
  out += footer;
  return out;
}

ShardLookupTables build_lookup_tables(const Shard& shard) {
  ShardLookupTables tables;
  // Indices count 48-byte records from the start of each section, as the writer lays them out.
  uint64_t index = 0;
  for (const ShardFile& file : shard.files) {
    tables.files.push_back({truncate_hash(file.file_hash), static_cast<uint32_t>(index)});
    index += 1 + file.terms.size() * (file.verification.empty() ? 1 : 2) + (file.sha256 ? 1 : 0);
  }
  index = 0;
  for (const ShardXorb& xorb : shard.xorbs) {
    const auto xorb_index = static_cast<uint32_t>(index);
    tables.xorbs.push_back({truncate_hash(xorb.xorb_hash), xorb_index});
    for (size_t i = 0; i < xorb.chunks.size(); ++i) {
      tables.chunks.push_back(
          {truncate_hash(xorb.chunks[i].chunk_hash), xorb_index, static_cast<uint32_t>(i)});
    }
    index += 1 + xorb.chunks.size();
  }
  // Sorted by key; ties by position so the output is deterministic.
  auto by_key = [](const ShardLookupEntry& a, const ShardLookupEntry& b) {
    return std::tie(a.truncated_hash, a.record_index) < std::tie(b.truncated_hash, b.record_index);
  };
  std::sort(tables.files.begin(), tables.files.end(), by_key);
  std::sort(tables.xorbs.begin(), tables.xorbs.end(), by_key);
  std::sort(tables.chunks.begin(), tables.chunks.end(),
            [](const ShardChunkLookupEntry& a, const ShardChunkLookupEntry& b) {
              return std::tie(a.truncated_hash, a.xorb_record_index, a.chunk_index) <
                     std::tie(b.truncated_hash, b.xorb_record_index, b.chunk_index);
            });
  return tables;
}

}  // namespace vitrine::xet
