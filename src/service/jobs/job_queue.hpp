// JobQueue: the hub's background work, kept in the metadata database so it survives a restart
// and, later, is shared by every node (the claims are single transactions; DESIGN.md, "Beyond
// one machine"). Rules:
//   - A job is named by its kind and a key saying what it is about ("<repo uid>@<commit>"):
//     queueing the same work again returns the job already there, so the same revision is never
//     processed twice.
//   - A worker claims a job with a lease and renews it while it works (reporting progress). A
//     worker that stops (a crash, a killed process) loses its job when the lease runs out, and
//     another claims it; a job claimed kMaxAttempts times without finishing is marked failed.
//   - A failed attempt is retried (queued again) until kMaxAttempts; a failure the worker knows
//     to be final (bad input) fails the job at once.
// Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/job.hpp"
#include "util/result.hpp"

namespace vitrine::service {

class Hub;

class JobQueue {
 public:
  static constexpr int64_t kMaxAttempts = 3;
  static constexpr int64_t kLeaseMs = 60000;  // renewed by a working worker well before then
  static constexpr size_t kMaxListed = 1000;

  explicit JobQueue(Hub& hub) : hub_(hub) {}

  // Queues the work, or returns the job that already names it.
  Result<domain::JobRecord> enqueue(const std::string& kind, const std::string& key,
                                    const std::string& payload);
  // Queues the work again even when it was done or failed (a user asked to redo it), with its
  // attempts reset; a job queued or running is returned as it is.
  Result<domain::JobRecord> redo(const std::string& kind, const std::string& key,
                                 const std::string& payload);
  // The oldest claimable job of `kinds` (every kind when empty) for worker `owner`, or none.
  Lookup<domain::JobRecord> claim(const std::vector<std::string>& kinds, const std::string& owner);
  // Keeps the lease and records `progress` (0..1). kPreconditionFailed when the lease was lost:
  // the worker must stop, another holds the job.
  Status renew(const domain::JobRecord& job, double progress);
  Status succeed(const domain::JobRecord& job);
  // `final`: no retry (the input is bad); else queued again unless it was the last attempt.
  Status fail(const domain::JobRecord& job, const std::string& error, bool final);

  Lookup<domain::JobRecord> find(int64_t id);
  Lookup<domain::JobRecord> find(const std::string& kind, const std::string& key);
  // Newest first, at most kMaxListed; only `state` when given.
  Result<std::vector<domain::JobRecord>> list(std::optional<domain::JobState> state);

 private:
  Hub& hub_;
};

}  // namespace vitrine::service
