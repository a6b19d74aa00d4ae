// XetCas: the work behind the Xet CAS API (docs/xet.md): which files a repository may
// reconstruct, the terms of a reconstruction with the bytes of their xorbs that hold them,
// uploads of xorbs and shards (a shard links its files to the uploading repository: proof of
// possession), and global deduplication's shards. The api shapes the answers and signs the
// xorb URLs; the rules live here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "formats/xet/format.hpp"
#include "util/result.hpp"

namespace vitrine::service {

class Hub;

// One term of a reconstruction: chunks [start, end) of a xorb, the file bytes they yield
// within the asked range, and the serialized xorb's bytes [byte_first, byte_last] holding them.
struct ReconstructionTerm {
  xet::Hash xorb;
  uint32_t start = 0;
  uint32_t end = 0;
  uint64_t unpacked = 0;
  uint64_t byte_first = 0;
  uint64_t byte_last = 0;
};

struct Reconstruction {
  uint64_t offset_into_first = 0;  // bytes of the first term's first chunk before the range
  std::vector<ReconstructionTerm> terms;
};

class XetCas {
 public:
  explicit XetCas(Hub& hub) : hub_(hub) {}

  // A file the repository holds: registered, with its SHA-256 named by one of the repository's
  // commits. kBadRequest for a malformed hash, kNotFound otherwise (whether or not another
  // repository holds it).
  Result<xet::FileRecord> readable_file(const std::string& repo_uid, std::string_view hash_text);
  // The terms covering bytes [first, last] of a non-empty file. kInternal when one of its xorbs
  // is missing (quarantined or collected): never half a file.
  Result<Reconstruction> reconstruct(const xet::FileRecord& file, uint64_t first, uint64_t last);
  // Stores a xorb (verified against its hash); whether it was new.
  Result<bool> put_xorb(const xet::Hash& hash, std::string_view bytes);
  // Registers a shard's files and links each to the repository; how many it registered.
  Result<size_t> put_shard(const std::string& repo_uid, std::string_view bytes);
  // The shard global deduplication answers for a chunk, with keys valid until `key_expiry`.
  std::optional<std::string> dedup_shard(const xet::Hash& chunk, int64_t key_expiry);
  // The serialized xorb opened for reading: a file descriptor the caller closes; kNotFound.
  Result<int> open_xorb(const xet::Hash& hash);

 private:
  Hub& hub_;
};

}  // namespace vitrine::service
