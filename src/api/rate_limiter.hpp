// RateLimiter: counts requests per key (a user id, an IP address) in fixed windows and says
// whether one more fits. It is what answers 429 to a client that sends too much.
//
// Algorithm: a fixed window per key, the one the Hugging Face Hub announces in its
// `RateLimit-Policy: "fixed window";...` header. A key's window opens at its first request and
// lasts `window`; up to `limit` units fit in it; the next request after it ends opens a new one.
// Fixed windows cost one counter and one timestamp per key and give the client an exact
// "retry in t seconds", at the price of allowing up to 2 x limit across a window boundary.
//
// Thread safety: every method may be called from any thread. The table is split into shards,
// each behind its own mutex, so that request threads rarely wait on one another; a call holds
// one shard's lock for one hash lookup.
//
// Memory: at most `max_keys` keys are held. Expired windows are swept out of a shard at most
// once per window (and when the shard is full). When a shard is full of live windows, a new key
// is not tracked and its request is allowed: under a flood of distinct keys the limiter fails
// open rather than growing without bound or evicting the keys it is busy limiting.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace vitrine::api {

// What the limiter decided for one key, with what the `RateLimit` headers report.
struct RateLimitDecision {
  bool allowed = true;
  uint64_t limit = 0;          // units per window (0: this limiter is disabled)
  uint64_t remaining = 0;      // units left in the current window after this one
  int64_t reset_seconds = 0;   // until the current window ends, rounded up (at least 1)
  int64_t window_seconds = 0;  // the window length
};

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr size_t kDefaultMaxKeys = 1u << 18;

  // limit == 0 disables the limiter: every call allows and nothing is stored.
  RateLimiter(uint64_t limit, std::chrono::seconds window, size_t max_keys = kDefaultMaxKeys);
  ~RateLimiter();
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  bool enabled() const { return limit_ > 0; }
  uint64_t limit() const { return limit_; }
  int64_t window_seconds() const { return window_ms_ / 1000; }

  // Counts one unit against `key` if it fits in the key's current window; allowed is false
  // (and nothing is counted) when the window is already full.
  RateLimitDecision acquire(std::string_view key, Clock::time_point now = Clock::now());

  // Gives back one unit counted by acquire() in the key's current window (a reservation that
  // turned out not to count, e.g. a sign-in that succeeded). Nothing when the window has ended.
  void release(std::string_view key, Clock::time_point now = Clock::now());

  // The key's state without counting anything: allowed is false when its window is full.
  RateLimitDecision peek(std::string_view key, Clock::time_point now = Clock::now()) const;

  // Keys currently held (live or not yet swept); for tests and metrics.
  size_t size() const;

 private:
  struct Shard;
  static constexpr size_t kShards = 16;

  Shard& shard_for(std::string_view key) const;
  RateLimitDecision decide(int64_t window_start, uint64_t count, int64_t now_ms,
                           bool allowed) const;

  uint64_t limit_;
  int64_t window_ms_;
  size_t max_keys_per_shard_;
  std::array<std::unique_ptr<Shard>, kShards> shards_;
};

}  // namespace vitrine::api
