// SnapshotCache: the file list of a commit (paths, sizes, LFS pointers) and its time, keyed by
// repository and commit id. A commit never changes, so entries never go stale; the cache only
// bounds memory (least recently used entries go first). Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "domain/tree_entry.hpp"
#include "formats/git/lfs_pointer.hpp"
#include "util/lru_cache.hpp"

namespace vitrine::service {

struct FileEntry {
  domain::TreeEntry git;
  std::optional<LfsPointer> lfs;  // the git blob is an LFS pointer
  uint64_t size() const { return lfs ? lfs->size : git.size; }
};

struct Snapshot {
  std::vector<FileEntry> entries;  // every file and directory, recursively
  int64_t commit_time_ms = 0;
};

// Keyed by repository uid and commit id; weighed by the bytes their entries hold, at most
// `capacity_bytes` in all (a wide repository's snapshot is megabytes: a count would not bound
// memory). A snapshot heavier than the capacity is not kept.
class SnapshotCache {
 public:
  explicit SnapshotCache(size_t capacity_bytes) : cache_(capacity_bytes) {}
  std::shared_ptr<const Snapshot> get(const std::string& repo_uid, const std::string& commit) {
    return cache_.get(repo_uid + ":" + commit);
  }
  void put(const std::string& repo_uid, const std::string& commit,
           std::shared_ptr<const Snapshot> snapshot) {
    size_t weight = weight_of(*snapshot);
    cache_.put(repo_uid + ":" + commit, std::move(snapshot), weight);
  }

  // An estimate of the memory a snapshot holds: each entry's strings and fixed fields.
  static size_t weight_of(const Snapshot& snapshot) {
    size_t bytes = sizeof(Snapshot) + snapshot.entries.capacity() * sizeof(FileEntry);
    for (const auto& e : snapshot.entries) {
      bytes += e.git.path.capacity() + e.git.oid.capacity();
      if (e.lfs) bytes += e.lfs->oid.capacity();
    }
    return bytes;
  }

 private:
  util::LruCache<Snapshot> cache_;
};

}  // namespace vitrine::service
