// RateLimiter: fixed windows per key, independence of keys, expiry, the disabled limiter,
// the bound on the table, and counting under concurrency.
#include "api/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace vitrine::api {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// A fixed origin far from the clock's epoch, so tests never depend on the real time.
const RateLimiter::Clock::time_point kT0 = RateLimiter::Clock::time_point{} + std::chrono::hours(1);

TEST(RateLimiterTest, AllowsUpToTheLimitThenRefuses) {
  RateLimiter limiter(3, seconds(10));
  for (uint64_t i = 1; i <= 3; ++i) {
    auto d = limiter.acquire("alice", kT0 + milliseconds(i - 1));
    EXPECT_TRUE(d.allowed);
    EXPECT_EQ(d.limit, 3u);
    EXPECT_EQ(d.remaining, 3 - i);
    EXPECT_EQ(d.window_seconds, 10);
  }
  auto refused = limiter.acquire("alice", kT0 + seconds(4));
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.remaining, 0u);
  EXPECT_EQ(refused.reset_seconds, 6);  // the window opened at kT0 and lasts 10 s
}

TEST(RateLimiterTest, ResetSecondsRoundsUpAndIsAtLeastOne) {
  RateLimiter limiter(1, seconds(10));
  EXPECT_EQ(limiter.acquire("k", kT0).reset_seconds, 10);
  EXPECT_EQ(limiter.acquire("k", kT0 + milliseconds(500)).reset_seconds, 10);  // 9.5 s left
  EXPECT_EQ(limiter.acquire("k", kT0 + milliseconds(9999)).reset_seconds, 1);
}

TEST(RateLimiterTest, KeysAreIndependent) {
  RateLimiter limiter(2, seconds(60));
  EXPECT_TRUE(limiter.acquire("10.0.0.1", kT0).allowed);
  EXPECT_TRUE(limiter.acquire("10.0.0.1", kT0).allowed);
  EXPECT_FALSE(limiter.acquire("10.0.0.1", kT0).allowed);
  EXPECT_TRUE(limiter.acquire("10.0.0.2", kT0).allowed);
  EXPECT_TRUE(limiter.acquire("#1", kT0).allowed);
  EXPECT_EQ(limiter.acquire("#1", kT0).remaining, 0u);
}

TEST(RateLimiterTest, WindowExpiresAndANewOneOpens) {
  RateLimiter limiter(2, seconds(5));
  EXPECT_TRUE(limiter.acquire("k", kT0).allowed);
  EXPECT_TRUE(limiter.acquire("k", kT0 + seconds(1)).allowed);
  EXPECT_FALSE(limiter.acquire("k", kT0 + milliseconds(4999)).allowed);
  auto fresh = limiter.acquire("k", kT0 + seconds(5));
  EXPECT_TRUE(fresh.allowed);
  EXPECT_EQ(fresh.remaining, 1u);
  EXPECT_EQ(fresh.reset_seconds, 5);
}

TEST(RateLimiterTest, RefusedRequestsDoNotExtendTheWindow) {
  RateLimiter limiter(1, seconds(5));
  EXPECT_TRUE(limiter.acquire("k", kT0).allowed);
  for (int i = 1; i < 5; ++i) EXPECT_FALSE(limiter.acquire("k", kT0 + seconds(i)).allowed);
  EXPECT_TRUE(limiter.acquire("k", kT0 + seconds(5)).allowed);
}

TEST(RateLimiterTest, PeekDoesNotCount) {
  RateLimiter limiter(2, seconds(5));
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(limiter.peek("k", kT0).allowed);
  EXPECT_EQ(limiter.size(), 0u);
  limiter.acquire("k", kT0);
  EXPECT_TRUE(limiter.peek("k", kT0).allowed);
  EXPECT_EQ(limiter.peek("k", kT0).remaining, 1u);
  limiter.acquire("k", kT0);
  auto full = limiter.peek("k", kT0 + seconds(2));
  EXPECT_FALSE(full.allowed);
  EXPECT_EQ(full.reset_seconds, 3);
  EXPECT_TRUE(limiter.peek("k", kT0 + seconds(5)).allowed);  // the window has passed
}

TEST(RateLimiterTest, DisabledAllowsEverythingAndStoresNothing) {
  RateLimiter limiter(0, seconds(5));
  EXPECT_FALSE(limiter.enabled());
  for (int i = 0; i < 1000; ++i) {
    auto d = limiter.acquire("k", kT0);
    EXPECT_TRUE(d.allowed);
    EXPECT_EQ(d.limit, 0u);
  }
  EXPECT_TRUE(limiter.peek("k", kT0).allowed);
  EXPECT_EQ(limiter.size(), 0u);
}

TEST(RateLimiterTest, ExpiredKeysAreSwept) {
  RateLimiter limiter(5, seconds(1));
  for (int i = 0; i < 1000; ++i) limiter.acquire("ip-" + std::to_string(i), kT0);
  EXPECT_EQ(limiter.size(), 1000u);
  // New keys after the window has passed sweep the shards they land in.
  for (int i = 0; i < 1000; ++i) limiter.acquire("later-" + std::to_string(i), kT0 + seconds(2));
  EXPECT_EQ(limiter.size(), 1000u);
}

TEST(RateLimiterTest, TableIsBoundedAndFailsOpenWhenFull) {
  RateLimiter limiter(1, seconds(60), /*max_keys=*/64);
  for (int i = 0; i < 10000; ++i) {
    EXPECT_TRUE(limiter.acquire("k" + std::to_string(i), kT0).allowed);
  }
  EXPECT_LE(limiter.size(), 64u);
  // Keys already held are still limited.
  size_t refused = 0;
  for (int i = 0; i < 10000; ++i) {
    if (!limiter.acquire("k" + std::to_string(i), kT0).allowed) ++refused;
  }
  EXPECT_EQ(refused, limiter.size());
}

TEST(RateLimiterTest, CountsExactlyUnderConcurrency) {
  RateLimiter limiter(1000, seconds(60));
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        if (limiter.acquire("shared", kT0).allowed) ++allowed;
        limiter.acquire("own-" + std::to_string(i % 7), kT0);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(allowed.load(), 1000);
}

}  // namespace
}  // namespace vitrine::api
