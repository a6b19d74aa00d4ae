// util::SpareThreads: a task runs on an idle spare thread and wait() returns after it; with every
// thread busy, try_start refuses (the caller does the work itself) instead of queueing; a thread
// is idle again by the time wait() returns.
#include "util/spare_threads.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

namespace vitrine::util {
namespace {

TEST(SpareThreads, RunsOnIdleThreadsAndRefusesWhenAllAreBusy) {
  // Its threads live as long as the process, as the shared one's: never destroyed.
  SpareThreads& threads = *new SpareThreads(2);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> ran{0};
  std::thread::id caller = std::this_thread::get_id();
  std::atomic<bool> elsewhere{true};
  auto blocked = [&] {
    if (std::this_thread::get_id() == caller) elsewhere = false;
    released.wait();
    ++ran;
  };
  auto a = threads.try_start(blocked);
  auto b = threads.try_start(blocked);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(threads.try_start([&] { ++ran; }), nullptr);  // both busy: refused, not queued
  release.set_value();
  a->wait();
  b->wait();
  EXPECT_EQ(ran.load(), 2);
  EXPECT_TRUE(elsewhere.load());
  // Idle again as soon as wait() returns.
  auto c = threads.try_start([&] { ++ran; });
  ASSERT_TRUE(c);
  c->wait();
  EXPECT_EQ(ran.load(), 3);
}

TEST(SpareThreads, AThreadIsIdleOnceItsTaskHasRun) {
  // A caller handing over one piece after another, each after the last has run, finds the one
  // thread idle every time (the Parquet writer's background batches).
  SpareThreads& threads = *new SpareThreads(1);
  int refused = 0;
  std::atomic<int> ran{0};
  for (int i = 0; i < 2000; ++i) {
    auto task = threads.try_start([&] { ++ran; });
    if (!task) {
      ++refused;
      continue;
    }
    task->wait();
  }
  EXPECT_EQ(refused, 0);
  EXPECT_EQ(ran.load(), 2000);
}

}  // namespace
}  // namespace vitrine::util
