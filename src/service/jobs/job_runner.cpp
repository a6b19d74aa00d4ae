#include "service/jobs/job_runner.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

#include "service/jobs/job_queue.hpp"

namespace vitrine::service {
namespace {

// Names this process's workers in the queue (`vitrine jobs list` shows it).
std::string owner_name(size_t worker) {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return std::string(host) + ":" + std::to_string(getpid()) + ":" + std::to_string(worker);
}

}  // namespace

void JobRunner::start(size_t workers) {
  if (workers == 0 || functions_.empty()) return;
  for (size_t i = 0; i < workers; ++i) {
    threads_.emplace_back([this, i] { work(owner_name(i)); });
  }
  threads_.emplace_back([this] { heartbeat(); });
}

void JobRunner::wake() {
  wake_.notify_all();
}

void JobRunner::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (auto* job : running_) job->cancel();
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

size_t JobRunner::run_pending(const std::string& owner) {
  // Without started workers nothing renews the leases: a heartbeat runs for the duration, so a
  // job longer than a lease is not taken over by a server's worker meanwhile.
  std::thread beat;
  bool own_heartbeat = threads_.empty();
  if (own_heartbeat) beat = std::thread([this] { heartbeat(); });
  size_t n = 0;
  while (run_one(owner)) ++n;
  if (own_heartbeat) {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    beat.join();
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  return n;
}

void JobRunner::work(std::string owner) {
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    if (run_one(owner)) continue;
    std::unique_lock lock(mutex_);
    if (stopping_) return;
    wake_.wait_for(lock, std::chrono::milliseconds(kIdlePollMs));
  }
}

bool JobRunner::run_one(const std::string& owner) {
  std::vector<std::string> kinds;
  for (const auto& [kind, fn] : functions_) kinds.push_back(kind);
  JobQueue queue(hub_);
  auto claimed = queue.claim(kinds, owner);
  if (!claimed) {
    spdlog::warn("jobs: cannot claim work: {}", claimed.status().message());
    return false;
  }
  if (!*claimed) return false;
  JobContext context(std::move(**claimed));
  {
    std::lock_guard lock(mutex_);
    running_.push_back(&context);
  }
  const auto& job = context.job();
  JobOutcome outcome;
  try {
    outcome = functions_.at(job.kind)(context);
  } catch (const std::exception& e) {
    // A bug in a job's function must not take the server down; the job is retried, then failed.
    outcome = JobOutcome::retry(internal_error(std::string("unexpected error: ") + e.what()));
  }
  {
    std::lock_guard lock(mutex_);
    running_.erase(std::find(running_.begin(), running_.end(), &context));
  }
  if (context.cancelled()) {
    spdlog::info("jobs: {} {} stopped before the end", job.kind, job.key);
    return true;
  }
  Status st = outcome.status ? queue.succeed(job)
                             : queue.fail(job, outcome.status.message(), outcome.final);
  if (!st)
    spdlog::warn("jobs: {} {}: cannot record the outcome: {}", job.kind, job.key, st.message());
  if (!outcome.status) {
    spdlog::warn("jobs: {} {} failed (attempt {}): {}", job.kind, job.key, job.attempts,
                 outcome.status.message());
  }
  return true;
}

void JobRunner::heartbeat() {
  JobQueue queue(hub_);
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, std::chrono::milliseconds(JobQueue::kLeaseMs / 3));
    if (stopping_) break;
    for (auto* job : running_) {
      auto st = queue.renew(job->job(), job->progress());
      if (st.kind() == ErrorKind::kPreconditionFailed) {
        job->cancel();
      } else if (!st) {
        spdlog::warn("jobs: renewing {}: {}", job->job().key, st.message());
      }
    }
  }
}

}  // namespace vitrine::service
