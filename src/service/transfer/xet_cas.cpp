// The Xet CAS API's rules and store operations.
#include "service/transfer/xet_cas.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "service/hub.hpp"
#include "storage/metadata/metadata_db.hpp"
#include "storage/xet/xet_store.hpp"

namespace vitrine::service {

Result<xet::FileRecord> XetCas::readable_file(const std::string& repo_uid,
                                              std::string_view hash_text) {
  auto hash = xet::parse_hash(hash_text);
  if (!hash) return bad_request("Malformed file hash: expected 64 hexadecimal digits");
  auto file = hub_.xet().file(*hash);
  if (!file || file->sha256.empty() || !hub_.db().repo_has_lfs_object(repo_uid, file->sha256)) {
    return not_found("File " + std::string(hash_text) + " not found in this repository");
  }
  return std::move(*file);
}

Result<Reconstruction> XetCas::reconstruct(const xet::FileRecord& file, uint64_t first,
                                           uint64_t last) {
  auto& store = hub_.xet();
  Reconstruction out;
  uint64_t position = 0;
  bool first_term = true;
  for (const auto& t : file.terms) {
    uint64_t term_end = position + t.unpacked;  // exclusive
    if (term_end <= first) {
      position = term_end;
      continue;
    }
    if (position > last) break;
    auto info = store.xorb(t.xorb);
    if (!info) {  // quarantined or collected under a registered file: never answer half a file
      return internal_error("xorb " + xet::to_string(t.xorb) + " of file " +
                            xet::to_string(file.hash) + " is missing from the store");
    }
    const auto& chunks = (*info)->chunks;
    uint32_t start = t.start, end = t.start;
    uint64_t pos = position, start_pos = position;
    bool started = false;
    uint64_t unpacked = 0;
    for (uint32_t c = t.start; c < t.end && c < chunks.size(); ++c) {
      uint64_t chunk_end = pos + chunks[c].uncompressed_size;
      if (chunk_end > first && pos <= last) {
        if (!started) {
          start = c;
          start_pos = pos;
          started = true;
        }
        end = c + 1;
        unpacked += chunks[c].uncompressed_size;
      }
      pos = chunk_end;
    }
    position = term_end;
    if (!started) continue;
    if (first_term) {
      out.offset_into_first = first > start_pos ? first - start_pos : 0;
      first_term = false;
    }
    const auto& tail = chunks[end - 1];
    out.terms.push_back({t.xorb, start, end, unpacked, chunks[start].offset,
                         tail.offset + xet::kChunkHeaderSize + tail.compressed_size - 1});
  }
  return out;
}

Result<bool> XetCas::put_xorb(const xet::Hash& hash, std::string_view bytes) {
  return hub_.xet().put_xorb(hash, bytes);
}

Result<size_t> XetCas::put_shard(const std::string& repo_uid, std::string_view bytes) {
  auto& store = hub_.xet();
  auto files = store.put_shard(bytes);
  if (!files) return files.status();
  // The uploader proved it holds these files' data (verification hashes): its repository may
  // now commit pointers to them.
  for (const auto& f : *files) {
    if (auto st = store.link_upload(repo_uid, f.sha256); !st) return st;
  }
  return files->size();
}

std::optional<std::string> XetCas::dedup_shard(const xet::Hash& chunk, int64_t key_expiry) {
  return hub_.xet().dedup_shard(chunk, key_expiry);
}

Result<int> XetCas::open_xorb(const xet::Hash& hash) {
  int fd = ::open(hub_.xet().xorb_path(hash).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return not_found("Xorb not found");
  return fd;
}

}  // namespace vitrine::service
