// LruCache: a bounded map from string keys to immutable shared values; the least recently used
// entries go first when the total weight passes the capacity. Values are handed out as
// shared_ptr<const V>, so an entry evicted while a caller holds it stays alive for that caller.
// Thread-safe (one mutex; get and put are O(1)).
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

namespace vitrine::util {

template <typename V>
class LruCache {
 public:
  // `capacity`: the most total weight kept (with weight 1 per entry, the number of entries).
  explicit LruCache(size_t capacity) : capacity_(capacity) {}

  std::shared_ptr<const V> get(const std::string& key) {
    std::lock_guard lock(mutex_);
    auto it = map_.find(key);
    if (it == map_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second.position);
    return it->second.value;
  }

  // Inserts or replaces. An entry heavier than the whole capacity is not kept.
  void put(const std::string& key, std::shared_ptr<const V> value, size_t weight = 1) {
    std::lock_guard lock(mutex_);
    if (auto it = map_.find(key); it != map_.end()) {
      weight_ -= it->second.weight;
      order_.erase(it->second.position);
      map_.erase(it);
    }
    if (weight > capacity_) return;
    order_.push_front(key);
    map_.emplace(key, Entry{std::move(value), weight, order_.begin()});
    weight_ += weight;
    while (weight_ > capacity_) {
      auto last = map_.find(order_.back());
      weight_ -= last->second.weight;
      map_.erase(last);
      order_.pop_back();
    }
  }

  size_t size() const {
    std::lock_guard lock(mutex_);
    return map_.size();
  }

 private:
  struct Entry {
    std::shared_ptr<const V> value;
    size_t weight;
    std::list<std::string>::iterator position;
  };
  const size_t capacity_;
  mutable std::mutex mutex_;
  size_t weight_ = 0;
  std::list<std::string> order_;  // most recent first
  std::unordered_map<std::string, Entry> map_;
};

}  // namespace vitrine::util
