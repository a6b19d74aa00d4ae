// LRU cache of commit snapshots.
#include "service/snapshot_cache.hpp"

namespace vitrine::service {

std::shared_ptr<const Snapshot> SnapshotCache::get(const std::string& repo_uid,
                                                   const std::string& commit) {
  std::lock_guard lock(mutex_);
  auto it = map_.find(repo_uid + ":" + commit);
  if (it == map_.end()) return nullptr;
  order_.splice(order_.begin(), order_, it->second.second);
  return it->second.first;
}

void SnapshotCache::put(const std::string& repo_uid, const std::string& commit,
                        std::shared_ptr<const Snapshot> snapshot) {
  std::lock_guard lock(mutex_);
  Key key = repo_uid + ":" + commit;
  if (auto it = map_.find(key); it != map_.end()) {
    it->second.first = std::move(snapshot);
    order_.splice(order_.begin(), order_, it->second.second);
    return;
  }
  order_.push_front(key);
  map_.emplace(key, std::make_pair(std::move(snapshot), order_.begin()));
  while (map_.size() > capacity_) {
    map_.erase(order_.back());
    order_.pop_back();
  }
}

}  // namespace vitrine::service
