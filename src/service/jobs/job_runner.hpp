// JobRunner: the workers of `vitrine serve` that take jobs from the queue (job_queue.hpp) and
// run them. Each kind of work registers a function; a worker claims the oldest job of a
// registered kind, runs it, and marks it done or failed. While a job runs, a heartbeat renews
// its lease every third of kLeaseMs with the progress the function last reported, so a long job
// keeps its claim and a stopped process loses it. When the lease is lost (another worker took
// the job over), the function is told to stop through JobContext::cancelled().
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "domain/job.hpp"
#include "util/result.hpp"

namespace vitrine::service {

class Hub;

// What a running job's function sees.
class JobContext {
 public:
  explicit JobContext(domain::JobRecord job) : job_(std::move(job)) {}
  const domain::JobRecord& job() const { return job_; }
  // Records progress (0..1), sent with the next lease renewal.
  void progress(double fraction) { progress_ = fraction; }
  double progress() const { return progress_; }
  // True once the lease was lost: the function should return (its result is discarded).
  bool cancelled() const { return cancelled_; }
  void cancel() { cancelled_ = true; }

 private:
  domain::JobRecord job_;
  std::atomic<double> progress_{0};
  std::atomic<bool> cancelled_{false};
};

// The outcome of a job's function: ok, a failure worth retrying (an I/O error), or a final one
// (the input itself is bad; retrying gives the same answer).
struct JobOutcome {
  Status status = Status::ok();
  bool final = false;
  static JobOutcome ok() { return {}; }
  static JobOutcome retry(Status s) { return {std::move(s), false}; }
  static JobOutcome give_up(Status s) { return {std::move(s), true}; }
};

using JobFunction = std::function<JobOutcome(JobContext&)>;

class JobRunner {
 public:
  static constexpr int64_t kIdlePollMs = 2000;  // how often an idle worker looks for work

  explicit JobRunner(Hub& hub) : hub_(hub) {}
  ~JobRunner() { stop(); }

  // Before start(): what runs jobs of `kind`.
  void handle(const std::string& kind, JobFunction fn) { functions_[kind] = std::move(fn); }
  // Starts `workers` threads (0: none; jobs wait in the queue).
  void start(size_t workers);
  // Wakes an idle worker now (work was just queued in this process).
  void wake();
  // Stops the workers after their current job (a job cut short is claimed again later).
  void stop();
  // Runs claimable jobs in the calling thread until the queue has none (the CLI and tests),
  // renewing their leases meanwhile. Returns how many ran. Not while start()ed workers run.
  size_t run_pending(const std::string& owner);

 private:
  void work(std::string owner);
  void heartbeat();
  // Claims and runs one job; false when there was none.
  bool run_one(const std::string& owner);

  Hub& hub_;
  std::map<std::string, JobFunction> functions_;
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::vector<JobContext*> running_;  // guarded by mutex_, for the heartbeat
};

}  // namespace vitrine::service
