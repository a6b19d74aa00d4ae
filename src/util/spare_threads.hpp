// A few long-lived threads that take a task when one of them is idle, for work a caller would
// otherwise do itself: try_start hands the task over only to an idle thread and says false when
// none is (the caller then does the work in its own thread), so tasks never queue and the
// threads never grow. Long-lived threads keep their malloc arena and its freed blocks warm, which
// a thread made per task does not (a Parquet page decompressed in a fresh thread's arena faults
// its memory in again). Thread-safe; the threads live as long as the process.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace vitrine::util {

class SpareThreads {
 public:
  // The process's spare threads: one less than the cores, at least 1 and at most 3.
  static SpareThreads& shared() {
    static SpareThreads* threads = new SpareThreads(
        std::clamp(std::thread::hardware_concurrency(), 2u, 4u) - 1);  // never destroyed
    return *threads;
  }

  // `count` threads, detached: the object must never be destroyed (make it with new).
  explicit SpareThreads(unsigned count) : idle_(count) {
    for (unsigned i = 0; i < count; ++i) std::thread([this] { run(); }).detach();
  }

  // A task that runs once on a spare thread; wait() returns once it has run.
  class Task {
   public:
    void wait() {
      std::unique_lock lock(mu_);
      ran_.wait(lock, [&] { return done_; });
    }

   private:
    friend class SpareThreads;
    std::function<void()> work_;
    std::mutex mu_;
    std::condition_variable ran_;
    bool done_ = false;
  };

  // Starts `work` on an idle spare thread; null when none is idle (`work` is then not run). The
  // caller must wait() on the task before what `work` refers to goes away; `work` must not
  // throw.
  std::shared_ptr<Task> try_start(std::function<void()> work) {
    std::lock_guard lock(mu_);
    if (idle_ == 0) return nullptr;
    --idle_;
    auto task = std::make_shared<Task>();
    task->work_ = std::move(work);
    queue_.push_back(task);
    wake_.notify_one();
    return task;
  }

 private:
  void run() {
    for (;;) {
      std::shared_ptr<Task> task;
      {
        std::unique_lock lock(mu_);
        wake_.wait(lock, [&] { return !queue_.empty(); });
        task = std::move(queue_.back());
        queue_.pop_back();
      }
      task->work_();
      task->work_ = nullptr;
      {
        // Idle again before the task says it ran, so that its caller's next try_start finds
        // this thread (a caller handing over one piece after another).
        std::lock_guard lock(mu_);
        ++idle_;
      }
      {
        std::lock_guard lock(task->mu_);
        task->done_ = true;
      }
      task->ran_.notify_all();
    }
  }

  std::mutex mu_;
  std::condition_variable wake_;
  std::vector<std::shared_ptr<Task>> queue_;  // at most the idle threads' number
  unsigned idle_;
};

}  // namespace vitrine::util
