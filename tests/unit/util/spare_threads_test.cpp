// util::SpareThreads: a task runs on an idle spare thread and wait() returns after it; with every
// thread busy, try_start refuses (the caller does the work itself) instead of queueing; a thread
// is idle again once its task has run.
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
  // Idle again (a thread counts itself idle just after its task is done: retry briefly).
  std::shared_ptr<SpareThreads::Task> c;
  for (int i = 0; i < 1000 && !c; ++i) {
    c = threads.try_start([&] { ++ran; });
    if (!c) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_TRUE(c);
  c->wait();
  EXPECT_EQ(ran.load(), 3);
}

}  // namespace
}  // namespace vitrine::util
