// SnapshotCache: the file list of a commit (paths, sizes, LFS pointers) and its time, keyed by
// repository and commit id. A commit never changes, so entries never go stale; the cache only
// bounds memory (least recently used entries go first). Thread-safe.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "service/lfs_pointer.hpp"
#include "storage/git_repo.hpp"

namespace vitrine::service {

struct FileEntry {
  storage::GitTreeEntry git;
  std::optional<LfsPointer> lfs;  // the git blob is an LFS pointer
  uint64_t size() const { return lfs ? lfs->size : git.size; }
};

struct Snapshot {
  std::vector<FileEntry> entries;  // every file and directory, recursively
  int64_t commit_time_ms = 0;
};

class SnapshotCache {
 public:
  explicit SnapshotCache(size_t capacity) : capacity_(capacity) {}
  std::shared_ptr<const Snapshot> get(const std::string& repo_uid, const std::string& commit);
  void put(const std::string& repo_uid, const std::string& commit,
           std::shared_ptr<const Snapshot> snapshot);

 private:
  using Key = std::string;
  size_t capacity_;
  std::mutex mutex_;
  std::list<Key> order_;  // most recent first
  std::unordered_map<Key, std::pair<std::shared_ptr<const Snapshot>, std::list<Key>::iterator>>
      map_;
};

}  // namespace vitrine::service
