// RateLimiter: sharded fixed-window counters (see rate_limiter.hpp for the contract).
#include "api/rate_limiter.hpp"

#include <algorithm>
#include <functional>

namespace vitrine::api {

namespace {

// Lets the table be searched with a string_view, so the hot path allocates nothing.
struct KeyHash {
  using is_transparent = void;
  size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
};

int64_t to_ms(RateLimiter::Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

struct RateLimiter::Shard {
  struct Window {
    int64_t start_ms = 0;
    uint64_t count = 0;
  };
  std::mutex mutex;
  std::unordered_map<std::string, Window, KeyHash, std::equal_to<>> windows;
  int64_t last_sweep_ms = 0;

  // Drops the windows that have ended; a later request of theirs opens a fresh one anyway.
  void sweep(int64_t now_ms, int64_t window_ms) {
    std::erase_if(windows,
                  [&](const auto& entry) { return now_ms - entry.second.start_ms >= window_ms; });
    last_sweep_ms = now_ms;
  }
};

RateLimiter::RateLimiter(uint64_t limit, std::chrono::seconds window, size_t max_keys)
    : limit_(limit),
      window_ms_(std::max<int64_t>(1, window.count()) * 1000),
      max_keys_per_shard_(std::max<size_t>(1, max_keys / kShards)) {
  for (auto& shard : shards_) shard = std::make_unique<Shard>();
}

RateLimiter::~RateLimiter() = default;

RateLimiter::Shard& RateLimiter::shard_for(std::string_view key) const {
  // The top bits pick the shard; the map inside uses the whole hash modulo its bucket count.
  size_t hash = KeyHash{}(key);
  return *shards_[(hash >> (sizeof(size_t) * 8 - 4)) % kShards];
}

RateLimitDecision RateLimiter::decide(int64_t window_start, uint64_t count, int64_t now_ms,
                                      bool allowed) const {
  RateLimitDecision d;
  d.allowed = allowed;
  d.limit = limit_;
  d.remaining = count >= limit_ ? 0 : limit_ - count;
  int64_t left_ms = std::max<int64_t>(0, window_start + window_ms_ - now_ms);
  d.reset_seconds = std::max<int64_t>(1, (left_ms + 999) / 1000);
  d.window_seconds = window_ms_ / 1000;
  return d;
}

RateLimitDecision RateLimiter::acquire(std::string_view key, Clock::time_point now) {
  if (!enabled()) return {};
  int64_t now_ms = to_ms(now);
  Shard& shard = shard_for(key);
  std::lock_guard lock(shard.mutex);
  auto it = shard.windows.find(key);
  if (it == shard.windows.end()) {
    if (shard.windows.size() >= max_keys_per_shard_ || now_ms - shard.last_sweep_ms >= window_ms_) {
      shard.sweep(now_ms, window_ms_);
    }
    // Full of live windows: fail open for this key rather than grow or evict (see header).
    if (shard.windows.size() >= max_keys_per_shard_) return decide(now_ms, 1, now_ms, true);
    it = shard.windows.emplace(std::string(key), Shard::Window{now_ms, 0}).first;
  } else if (now_ms - it->second.start_ms >= window_ms_) {
    it->second = Shard::Window{now_ms, 0};
  }
  auto& window = it->second;
  if (window.count >= limit_) return decide(window.start_ms, window.count, now_ms, false);
  ++window.count;
  return decide(window.start_ms, window.count, now_ms, true);
}

void RateLimiter::release(std::string_view key, Clock::time_point now) {
  if (!enabled()) return;
  int64_t now_ms = to_ms(now);
  Shard& shard = shard_for(key);
  std::lock_guard lock(shard.mutex);
  auto it = shard.windows.find(key);
  if (it == shard.windows.end() || now_ms - it->second.start_ms >= window_ms_) return;
  if (it->second.count > 0) --it->second.count;
}

RateLimitDecision RateLimiter::peek(std::string_view key, Clock::time_point now) const {
  if (!enabled()) return {};
  int64_t now_ms = to_ms(now);
  Shard& shard = shard_for(key);
  std::lock_guard lock(shard.mutex);
  auto it = shard.windows.find(key);
  if (it == shard.windows.end() || now_ms - it->second.start_ms >= window_ms_) {
    return decide(now_ms, 0, now_ms, true);
  }
  return decide(it->second.start_ms, it->second.count, now_ms, it->second.count < limit_);
}

size_t RateLimiter::size() const {
  size_t total = 0;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard->mutex);
    total += shard->windows.size();
  }
  return total;
}

}  // namespace vitrine::api
